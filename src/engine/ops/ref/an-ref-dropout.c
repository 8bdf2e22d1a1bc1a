/* an-ref-dropout.c: inverted dropout with the counter-based mask of an-rng.h: element
 * (r, c) of the logical (N, total_cols) tensor is kept iff its uniform number is >= p.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include "an-ref-private.h"
#include "an-rng.h"

void
dropout_forward_ref (AnBackend *be, const AnDropoutDesc *d, float *y, float *mask,
                     const float *x)
{
  /* y, mask, x (N, cols): columns col_offset .. col_offset + cols - 1 of (N, total_cols) */
  float keep_scale = 1.0f / (1.0f - d->p);

  for (int r = 0; r < d->n; r++)
    for (int j = 0; j < d->cols; j++)
      {
        uint64_t index = (uint64_t) r * d->total_cols + d->col_offset + j;
        gboolean keep = an_rng_uniform (d->seed, d->stream, index) >= d->p;
        size_t e = (size_t) r * d->cols + j;
        mask[e] = keep ? keep_scale : 0.0f;
        y[e] = x[e] * mask[e];
      }
}

void
dropout_backward_ref (AnBackend *be, size_t count, float *dx, const float *dy,
                      const float *mask)
{
  /* dx, dy, mask (count) */
  for (size_t i = 0; i < count; i++)
    dx[i] += dy[i] * mask[i];
}
