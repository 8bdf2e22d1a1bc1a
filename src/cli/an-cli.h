/* an-cli.h: what the `alexnet` commands share: their options, parsed by GOptionContext from
 * the run configuration's field table (an-config.h) plus each command's own few; the help
 * generated from the same tables; usage errors (exit 2) and failures (exit 1); JSON output
 * through json-glib.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "an-config.h"

G_BEGIN_DECLS

#define AN_CLI_EXIT_USAGE 2

typedef enum {
  AN_CLI_FLAG, /* no value */
  AN_CLI_INT,  /* a whole number in [lo, hi] */
  AN_CLI_TEXT, /* a name or a path, taken as the bytes given */
} AnCliKind;

/* An option of a command that is not a configuration field. */
typedef struct {
  const char *name;     /* the long name without its dashes; NULL ends a list */
  char short_name;      /* or 0 */
  AnCliKind kind;
  const char *arg;      /* the value's name in help: "FILE", "K" */
  int lo, hi, def;      /* AN_CLI_INT: the range and the default */
  const char *def_text; /* AN_CLI_TEXT: the default in words, or NULL for none */
  const char *help;
} AnCliOption;

/* A configuration field a command takes. default_text replaces the configuration's default in
 * help where the command's differs (eval's --data: the checkpoint's own). */
typedef struct {
  const char *key; /* NULL ends a list */
  const char *default_text;
} AnCliField;

typedef struct _AnCliArgs AnCliArgs;

typedef struct {
  const char *name;
  const char *args;           /* positional arguments in help ("IMAGE..."), NULL for none */
  const char *summary;
  gboolean every_field;       /* takes every field of the table (train) */
  gboolean recipe;            /* takes --recipe NAME, applied before the configuration options */
  const AnCliField *fields;   /* the fields it takes otherwise, or NULL */
  const AnCliOption *options; /* its own, or NULL */
  int (*run) (AnCliArgs *args);
} AnCliCommand;

/* Parses argv (argv[0] is the command's name) and runs the command: --help prints its help, a
 * usage error one line on stderr (exit 2). */
int an_cli_run (const AnCliCommand *cmd, int argc, char **argv);
void an_cli_print_help (FILE *f, const AnCliCommand *cmd);

/* The configuration: defaults, then the recipe, then the options in the order given. */
AnRunConfig *an_cli_args_config (AnCliArgs *args);
/* Whether the option of configuration field key was given. */
gboolean an_cli_args_given (AnCliArgs *args, const char *key);
gboolean an_cli_args_flag (AnCliArgs *args, const char *name);
int an_cli_args_int (AnCliArgs *args, const char *name);
/* NULL when not given. */
const char *an_cli_args_text (AnCliArgs *args, const char *name);
/* The positional arguments, NULL-terminated. */
char **an_cli_args_rest (AnCliArgs *args);
const AnCliCommand *an_cli_args_command (AnCliArgs *args);

/* Prints "alexnet: MESSAGE (see 'alexnet help')" on stderr; returns AN_CLI_EXIT_USAGE. */
int an_cli_usage (const char *fmt, ...) G_GNUC_PRINTF (1, 2);
/* Prints "alexnet: MESSAGE" on stderr; returns 1. */
int an_cli_fail (const GError *error);

/* JSON values: member NULL adds to the current array. Numbers that are not finite (NaN, an
 * infinite loss) are null; strings are made valid UTF-8 (a path or class name in another
 * encoding keeps its valid parts, the rest becomes U+FFFD); a NULL string is null. */
void an_cli_json_number (JsonBuilder *b, const char *member, double v);
void an_cli_json_int (JsonBuilder *b, const char *member, gint64 v);
void an_cli_json_bool (JsonBuilder *b, const char *member, gboolean v);
void an_cli_json_string (JsonBuilder *b, const char *member, const char *s);
/* The builder's root, on one line of stdout. */
void an_cli_json_print (JsonBuilder *b);

G_END_DECLS
