/* an-cpu-dropout.c: inverted dropout on the CPU with the counter-based mask of an-rng.h,
 * one row of the batch per task, so every backend draws the same mask.
 */
#define G_LOG_DOMAIN "alexnet-cpu"
#include "config.h"

#include "an-cpu-private.h"
#include "an-rng.h"

void
dropout_forward_cpu (AnBackend *be, const AnDropoutDesc *d, float *y, float *mask,
                     const float *x)
{
  /* p = 1 keeps nothing (u < 1 always), so the infinite scale is never stored */
  const float scale = 1.0f / (1.0f - d->p);

#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
  for (int r = 0; r < d->n; r++)
    {
      uint64_t base = (uint64_t) r * (uint64_t) d->total_cols + (uint64_t) d->col_offset;
      size_t row = (size_t) r * (size_t) d->cols;

      for (int j = 0; j < d->cols; j++)
        {
          gboolean keep = an_rng_uniform (d->seed, d->stream, base + (uint64_t) j) >= d->p;
          float m = keep ? scale : 0.0f;

          mask[row + j] = m;
          y[row + j] = x[row + j] * m;
        }
    }
}

void
dropout_backward_cpu (AnBackend *be, size_t count, float *dx, const float *dy,
                      const float *mask)
{
  ptrdiff_t n = (ptrdiff_t) count;

#pragma omp parallel for simd schedule(static) num_threads(an_cpu_threads (be))
  for (ptrdiff_t i = 0; i < n; i++)
    dx[i] += dy[i] * mask[i];
}
