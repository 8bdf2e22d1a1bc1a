/* an-device.h: device strings, the one parser for the run configuration's check, the
 * placement of the towers (an-placement.h) and every front end.
 *
 * "cpu", "auto" (a GPU when there is one, else the CPU), "cuda" (GPU 0), "cuda:N" (GPU N for
 * both towers) and "cuda:N,M" (tower A on GPU N, tower B on GPU M, as the 2012 paper).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  AN_DEVICE_CPU,
  AN_DEVICE_AUTO,
  AN_DEVICE_CUDA,
} AnDeviceKind;

/* The largest GPU index a device string may name. */
#define AN_DEVICE_MAX_INDEX 1023

typedef struct {
  AnDeviceKind kind;
  int cuda[2]; /* AN_DEVICE_CUDA: the GPU of each tower ("cuda" = 0,0; "cuda:N" = N,N) */
} AnDevice;

/* FALSE + an AN_ERROR_PARSE error quoting text and listing the forms above for anything else
 * (NULL included). */
gboolean an_device_parse (const char *text, AnDevice *out, GError **error);

G_END_DECLS
