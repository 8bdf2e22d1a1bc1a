/* an-cli-commands.h: the commands of `alexnet`, each in its own file; alexnet.c lists them. */
#pragma once

#include "an-cli.h"

extern const AnCliCommand an_cli_train;    /* an-cli-train.c */
extern const AnCliCommand an_cli_eval;     /* an-cli-checkpoint.c */
extern const AnCliCommand an_cli_classify; /* an-cli-checkpoint.c */
extern const AnCliCommand an_cli_filters;  /* an-cli-checkpoint.c */
extern const AnCliCommand an_cli_bench;    /* an-cli-bench.c */
extern const AnCliCommand an_cli_info;     /* an-cli-info.c */
extern const AnCliCommand an_cli_pack;     /* an-cli-pack.c */
