/* an-placement.c: device strings to backends, and transfers between backends (an-placement.h).
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <string.h>

#include "an-device.h"
#include "an-placement.h"

/* Staging chunk for transfers between backends of different kinds: bounded, so that moving a
 * large tensor never needs a host buffer of its size. */
#define AN_TRANSFER_CHUNK_BYTES ((size_t) 4 << 20)

gboolean
an_backend_transfer (AnBackend *dst_be, void *dst, AnBackend *src_be, const void *src,
                     size_t bytes, GError **error)
{
  if (bytes == 0)
    return TRUE;
  if (dst_be->ops == src_be->ops)
    return dst_be->ops->peer_copy (dst_be, dst, src_be, src, bytes, error);

  size_t chunk = MIN (bytes, AN_TRANSFER_CHUNK_BYTES);
  g_autofree guint8 *staging = g_malloc (chunk);
  for (size_t done = 0; done < bytes; done += chunk)
    {
      size_t part = MIN (chunk, bytes - done);
      if (!src_be->ops->download (src_be, staging, (const guint8 *) src + done, part, error) ||
          !dst_be->ops->upload (dst_be, (guint8 *) dst + done, staging, part, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
an_backends_open (const char *device, int towers, int threads, AnBackend *be[2], char **note,
                  GError **error)
{
  AnDevice dev;

  be[0] = be[1] = NULL;
  if (!an_device_parse (device ? device : "cpu", &dev, error))
    return FALSE;
  if (dev.kind == AN_DEVICE_AUTO)
    {
      g_autofree char *why = NULL;
      if (an_cuda_device_count (&why) > 0)
        dev.kind = AN_DEVICE_CUDA;
      else if (note)
        *note = g_strdup_printf ("No usable GPU (%s): training on the CPU.",
                                 why ? why : "none found");
    }
  if (dev.kind == AN_DEVICE_CUDA)
    {
      if (!(be[0] = an_backend_cuda_new (dev.cuda[0], error)) ||
          (towers == 2 && !(be[1] = an_backend_cuda_new (dev.cuda[1], error))))
        {
          an_backends_close (be);
          return FALSE;
        }
    }
  else
    {
      be[0] = an_backend_cpu_new (0, threads);
      /* two virtual CPU devices exercise the whole two-tower split, transfers included */
      if (towers == 2)
        be[1] = an_backend_cpu_new (1, threads);
    }
  if (!be[1])
    be[1] = be[0];
  return TRUE;
}

void
an_backends_close (AnBackend *be[2])
{
  if (be[1] != be[0])
    an_backend_free (be[1]);
  an_backend_free (be[0]);
  be[0] = be[1] = NULL;
}
