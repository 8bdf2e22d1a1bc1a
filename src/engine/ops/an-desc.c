/* an-desc.c: descriptor checks shared by every backend, and transfers between backends.
 * Shapes follow an-backend.h (NCHW, PyTorch's floor-mode output sizes); a bad shape is an
 * AN_ERROR_INVALID_ARGUMENT naming the field and its value.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include "an-backend.h"
#include "an-error.h"

static gboolean
check_positive (const char *what, const char *field, int value, GError **error)
{
  if (value > 0)
    return TRUE;
  g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT, "%s: %s = %d must be positive", what,
               field, value);
  return FALSE;
}

gboolean
an_conv_desc_init (AnConvDesc *d, GError **error)
{
  if (!check_positive ("conv2d", "n", d->n, error) ||
      !check_positive ("conv2d", "c", d->c, error) ||
      !check_positive ("conv2d", "h", d->h, error) ||
      !check_positive ("conv2d", "w", d->w, error) ||
      !check_positive ("conv2d", "oc", d->oc, error) ||
      !check_positive ("conv2d", "kh", d->kh, error) ||
      !check_positive ("conv2d", "kw", d->kw, error) ||
      !check_positive ("conv2d", "sh", d->sh, error) ||
      !check_positive ("conv2d", "sw", d->sw, error) ||
      !check_positive ("conv2d", "groups", d->groups, error))
    return FALSE;
  if (d->ph < 0 || d->pw < 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "conv2d: padding %dx%d must not be negative", d->ph, d->pw);
      return FALSE;
    }
  if (d->c % d->groups != 0 || d->oc % d->groups != 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "conv2d: groups = %d does not divide channels %d and kernels %d", d->groups,
                   d->c, d->oc);
      return FALSE;
    }
  if (d->kh > d->h + 2 * d->ph || d->kw > d->w + 2 * d->pw)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "conv2d: kernel %dx%d is larger than the padded input %dx%d", d->kh, d->kw,
                   d->h + 2 * d->ph, d->w + 2 * d->pw);
      return FALSE;
    }
  d->oh = (d->h + 2 * d->ph - d->kh) / d->sh + 1;
  d->ow = (d->w + 2 * d->pw - d->kw) / d->sw + 1;
  return TRUE;
}

gboolean
an_pool_desc_init (AnPoolDesc *d, GError **error)
{
  if (!check_positive ("maxpool", "n", d->n, error) ||
      !check_positive ("maxpool", "c", d->c, error) ||
      !check_positive ("maxpool", "h", d->h, error) ||
      !check_positive ("maxpool", "w", d->w, error) ||
      !check_positive ("maxpool", "kh", d->kh, error) ||
      !check_positive ("maxpool", "kw", d->kw, error) ||
      !check_positive ("maxpool", "sh", d->sh, error) ||
      !check_positive ("maxpool", "sw", d->sw, error))
    return FALSE;
  if (d->kh > d->h || d->kw > d->w)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "maxpool: window %dx%d is larger than the input %dx%d", d->kh, d->kw, d->h,
                   d->w);
      return FALSE;
    }
  d->oh = (d->h - d->kh) / d->sh + 1;
  d->ow = (d->w - d->kw) / d->sw + 1;
  return TRUE;
}

gboolean
an_lrn_desc_check (const AnLrnDesc *d, GError **error)
{
  if (!check_positive ("lrn", "n", d->n, error) || !check_positive ("lrn", "c", d->c, error) ||
      !check_positive ("lrn", "h", d->h, error) || !check_positive ("lrn", "w", d->w, error) ||
      !check_positive ("lrn", "size", d->size, error) ||
      !check_positive ("lrn", "groups", d->groups, error))
    return FALSE;
  if (d->c % d->groups != 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "lrn: groups = %d does not divide channels %d", d->groups, d->c);
      return FALSE;
    }
  if (!(d->k > 0.0f) || !(d->alpha >= 0.0f) || !(d->beta >= 0.0f))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "lrn: k = %g must be positive, alpha = %g and beta = %g not negative",
                   (double) d->k, (double) d->alpha, (double) d->beta);
      return FALSE;
    }
  return TRUE;
}

void
an_backend_free (AnBackend *be)
{
  if (be)
    be->ops->destroy (be);
}

/* Staged through host memory in bounded pieces when the two backends cannot copy directly. */
#define AN_TRANSFER_STAGE_BYTES ((size_t) 16 << 20)

void
an_backend_transfer (AnBackend *dst_be, void *dst, AnBackend *src_be, const void *src,
                     size_t bytes)
{
  if (dst_be == src_be)
    {
      dst_be->ops->copy (dst_be, dst, src, bytes);
      return;
    }
  if (dst_be->ops->peer_copy (dst_be, dst, src_be, src, bytes))
    return;

  size_t stage_bytes = MIN (bytes, AN_TRANSFER_STAGE_BYTES);
  guint8 *stage = g_malloc (MAX (stage_bytes, 1));
  for (size_t done = 0; done < bytes; done += stage_bytes)
    {
      size_t piece = MIN (stage_bytes, bytes - done);

      src_be->ops->download (src_be, stage, (const guint8 *) src + done, piece);
      dst_be->ops->upload (dst_be, (guint8 *) dst + done, stage, piece);
    }
  g_free (stage);
}
