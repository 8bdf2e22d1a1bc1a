/* an-error.h: the engine's GError domain. Library code never exits: it returns these. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AN_ERROR (an_error_quark ())

typedef enum {
  AN_ERROR_INVALID_ARGUMENT, /* a value out of range, an impossible shape */
  AN_ERROR_PARSE,            /* a preset, configuration or option that does not parse */
  AN_ERROR_IO,               /* reading or writing a file failed */
  AN_ERROR_FORMAT,           /* a file is truncated, has the wrong magic or inconsistent fields */
  AN_ERROR_CHECKSUM,         /* a checkpoint section does not match its checksum */
  AN_ERROR_NO_MEMORY,        /* an allocation failed (host or device) */
  AN_ERROR_NO_DEVICE,        /* no usable GPU */
  AN_ERROR_DEVICE,           /* a GPU call failed */
  AN_ERROR_DIVERGED,         /* loss became NaN or infinite */
  AN_ERROR_CANCELLED,
} AnErrorCode;

GQuark an_error_quark (void);

G_END_DECLS
