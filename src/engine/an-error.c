/* an-error.c: the engine's error domain. */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include "an-error.h"

G_DEFINE_QUARK (an-error-quark, an_error)
