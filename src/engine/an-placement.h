/* an-placement.h: where a model runs -- a device string turned into the towers' backends --
 * and copies between backends (the two-tower graph's transfers, ARCHITECTURE.md contract 4).
 */
#pragma once

#include <glib.h>

#include "an-backend.h"

G_BEGIN_DECLS

/* The backends of a placement: a device string (an-device.h; "auto" takes the CPU when no GPU
 * is usable, with *note saying why); towers 1 or 2. be[1] is be[0] with one tower; with two,
 * each tower gets its own backend (two CPU "devices", two CUDA streams or GPUs). Used by the
 * trainer, `alexnet eval` and `alexnet bench`. Free with an_backends_close. */
gboolean an_backends_open (const char *device, int towers, int threads, AnBackend *be[2],
                           char **note, GError **error);
void an_backends_close (AnBackend *be[2]);

/* Copies bytes between two backends' memory: a peer copy between backends of one kind, else
 * staged through host memory in bounded chunks. FALSE + error when a copy fails. */
gboolean an_backend_transfer (AnBackend *dst_be, void *dst, AnBackend *src_be, const void *src,
                              size_t bytes, GError **error);

G_END_DECLS
