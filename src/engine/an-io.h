/* an-io.h: the engine's durable-write helpers (checkpoints, metrics). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes everything or fails with errno set (ENOSPC, EFBIG, EIO...); retries EINTR and
 * short writes. */
gboolean an_write_all (int fd, const void *data, gsize len);

G_END_DECLS
