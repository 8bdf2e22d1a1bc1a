/* an-cpu-lrn.c: local response normalisation on the CPU. The window slides over the channels
 * once per pixel (add the head, subtract the tail, in double), for a block of pixels at a time
 * so the loads are contiguous; it is clipped to the channel group as an-desc.h specifies
 * (Krizhevsky et al. 2012, sec. 3.3).
 */
#define G_LOG_DOMAIN "alexnet-cpu"
#include "config.h"

#include <math.h>

#include "an-cpu-private.h"


/* s^-beta; AlexNet's beta = 0.75 is 1 / sqrt (s sqrt (s)), several times cheaper than powf,
 * which took 7% of alexnet-tiny's training step. */
static inline float
pow_neg_beta (float s, float beta)
{
  return beta == 0.75f ? 1.0f / sqrtf (s * sqrtf (s)) : powf (s, -beta);
}

/* Pixels whose running window sums one LRN task keeps (on the stack). */
#define AN_CPU_LRN_PIXEL_BLOCK 256

void
lrn_forward_cpu (AnBackend *be, const AnLrnDesc *d, float *y, float *scale, const float *x)
{
  const int cg = d->c / d->groups;
  const int before = d->size / 2, after = (d->size - 1) / 2;
  const size_t hw = (size_t) d->h * d->w;
  const int blocks = (int) ((hw + AN_CPU_LRN_PIXEL_BLOCK - 1) / AN_CPU_LRN_PIXEL_BLOCK);

#pragma omp parallel for collapse(3) schedule(static) num_threads(an_cpu_threads (be))
  for (int n = 0; n < d->n; n++)
    for (int g = 0; g < d->groups; g++)
      for (int blk = 0; blk < blocks; blk++)
        {
          double sum[AN_CPU_LRN_PIXEL_BLOCK];
          const size_t p0 = (size_t) blk * AN_CPU_LRN_PIXEL_BLOCK;
          const int len = (int) MIN ((size_t) AN_CPU_LRN_PIXEL_BLOCK, hw - p0);
          const int c0 = g * cg, c1 = c0 + cg;
          const size_t base = (size_t) n * d->c * hw + p0;
#define AT(arr, ch) ((arr) + base + (size_t) (ch) * hw)

          for (int q = 0; q < len; q++)
            sum[q] = 0.0;
          /* the window of channel c0 before any step: c0 .. c0 + after */
          for (int ch = c0; ch <= MIN (c0 + after, c1 - 1); ch++)
            for (int q = 0; q < len; q++)
              sum[q] += (double) AT (x, ch)[q] * AT (x, ch)[q];

          for (int ch = c0; ch < c1; ch++)
            {
              const float *xc = AT (x, ch);
              float *yc = AT (y, ch), *sc = AT (scale, ch);

              for (int q = 0; q < len; q++)
                {
                  float s = d->k + d->alpha * (float) sum[q];

                  sc[q] = s;
                  yc[q] = xc[q] * pow_neg_beta (s, d->beta);
                }
              /* slide to channel ch + 1: head ch + 1 + after enters, tail ch - before leaves */
              if (ch + 1 + after < c1)
                {
                  const float *head = AT (x, ch + 1 + after);
                  for (int q = 0; q < len; q++)
                    sum[q] += (double) head[q] * head[q];
                }
              if (ch - before >= c0)
                {
                  const float *tail = AT (x, ch - before);
                  for (int q = 0; q < len; q++)
                    sum[q] -= (double) tail[q] * tail[q];
                }
            }
#undef AT
        }
}

/* dx_j += dy_j s_j^-beta - 2 alpha beta x_j sum_{i : j in window(i)} dy_i y_i / s_i.
 * j is in window(i) for i in j - after .. j + before (clipped to the group), so the same slide
 * runs with head and tail swapped over t_i = dy_i y_i / s_i. */
void
lrn_backward_cpu (AnBackend *be, const AnLrnDesc *d, float *dx, const float *dy,
                  const float *x, const float *y, const float *scale)
{
  const int cg = d->c / d->groups;
  const int before = d->size / 2, after = (d->size - 1) / 2;
  const size_t hw = (size_t) d->h * d->w;
  const int blocks = (int) ((hw + AN_CPU_LRN_PIXEL_BLOCK - 1) / AN_CPU_LRN_PIXEL_BLOCK);
  const float coeff = 2.0f * d->alpha * d->beta;

#pragma omp parallel for collapse(3) schedule(static) num_threads(an_cpu_threads (be))
  for (int n = 0; n < d->n; n++)
    for (int g = 0; g < d->groups; g++)
      for (int blk = 0; blk < blocks; blk++)
        {
          double sum[AN_CPU_LRN_PIXEL_BLOCK];
          const size_t p0 = (size_t) blk * AN_CPU_LRN_PIXEL_BLOCK;
          const int len = (int) MIN ((size_t) AN_CPU_LRN_PIXEL_BLOCK, hw - p0);
          const int c0 = g * cg, c1 = c0 + cg;
          const size_t base = (size_t) n * d->c * hw + p0;
#define AT(arr, ch) ((arr) + base + (size_t) (ch) * hw)
#define T(ch, q) ((double) AT (dy, ch)[q] * AT (y, ch)[q] / AT (scale, ch)[q])

          for (int q = 0; q < len; q++)
            sum[q] = 0.0;
          for (int ch = c0; ch <= MIN (c0 + before, c1 - 1); ch++)
            for (int q = 0; q < len; q++)
              sum[q] += T (ch, q);

          for (int ch = c0; ch < c1; ch++)
            {
              const float *xc = AT (x, ch), *dyc = AT (dy, ch), *sc = AT (scale, ch);
              float *dxc = AT (dx, ch);

              for (int q = 0; q < len; q++)
                dxc[q] += dyc[q] * pow_neg_beta (sc[q], d->beta) - coeff * xc[q] * (float) sum[q];
              if (ch + 1 + before < c1)
                for (int q = 0; q < len; q++)
                  sum[q] += T (ch + 1 + before, q);
              if (ch - after >= c0)
                for (int q = 0; q < len; q++)
                  sum[q] -= T (ch - after, q);
            }
#undef T
#undef AT
        }
}
