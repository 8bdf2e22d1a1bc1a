/* an-desc.c: the shape descriptors' checks (an-desc.h), shared by every backend and the model.
 *
 * Shapes follow PyTorch (floor mode, no dilation): oh = (h + 2 ph - kh) / sh + 1. Every check
 * names the field and the value at fault, so a preset error points at the layer's numbers.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <math.h>

#include "an-desc.h"
#include "an-error.h"

static gboolean
check_positive (const char *op, const char *field, int value, GError **error)
{
  if (value > 0)
    return TRUE;
  g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT, "%s: %s=%d must be at least 1", op,
               field, value);
  return FALSE;
}

gboolean
an_conv_desc_init (AnConvDesc *d, GError **error)
{
  if (!check_positive ("conv", "n", d->n, error) || !check_positive ("conv", "c", d->c, error) ||
      !check_positive ("conv", "h", d->h, error) || !check_positive ("conv", "w", d->w, error) ||
      !check_positive ("conv", "oc", d->oc, error) ||
      !check_positive ("conv", "kh", d->kh, error) ||
      !check_positive ("conv", "kw", d->kw, error) ||
      !check_positive ("conv", "stride sh", d->sh, error) ||
      !check_positive ("conv", "stride sw", d->sw, error) ||
      !check_positive ("conv", "groups", d->groups, error))
    return FALSE;

  if (d->ph < 0 || d->pw < 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "conv: padding ph=%d pw=%d must not be negative", d->ph, d->pw);
      return FALSE;
    }
  if (d->c % d->groups != 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "conv: input channels c=%d are not divisible by groups=%d", d->c, d->groups);
      return FALSE;
    }
  if (d->oc % d->groups != 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "conv: output channels oc=%d are not divisible by groups=%d", d->oc,
                   d->groups);
      return FALSE;
    }
  /* 64-bit arithmetic: h + 2 ph may not fit in an int for absurd paddings. */
  if ((int64_t) d->kh > (int64_t) d->h + 2 * (int64_t) d->ph ||
      (int64_t) d->kw > (int64_t) d->w + 2 * (int64_t) d->pw)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "conv: kernel %dx%d is larger than the padded input %dx%d (h=%d w=%d ph=%d "
                   "pw=%d)",
                   d->kh, d->kw, d->h + 2 * d->ph, d->w + 2 * d->pw, d->h, d->w, d->ph, d->pw);
      return FALSE;
    }

  d->oh = (int) (((int64_t) d->h + 2 * (int64_t) d->ph - d->kh) / d->sh + 1);
  d->ow = (int) (((int64_t) d->w + 2 * (int64_t) d->pw - d->kw) / d->sw + 1);
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
      !check_positive ("maxpool", "stride sh", d->sh, error) ||
      !check_positive ("maxpool", "stride sw", d->sw, error))
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
                   "lrn: channels c=%d are not divisible by groups=%d", d->c, d->groups);
      return FALSE;
    }
  /* k > 0 keeps the denominator away from 0^-beta on an all-zero window (dead ReLUs). */
  if (!isfinite (d->k) || d->k <= 0.0f)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "lrn: k=%g must be a finite number above 0", (double) d->k);
      return FALSE;
    }
  if (!isfinite (d->alpha) || d->alpha < 0.0f)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "lrn: alpha=%g must be a finite number, 0 or more", (double) d->alpha);
      return FALSE;
    }
  if (!isfinite (d->beta) || d->beta < 0.0f)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "lrn: beta=%g must be a finite number, 0 or more", (double) d->beta);
      return FALSE;
    }
  return TRUE;
}
