/* an-cpu-lrn.c: local response normalisation on the CPU, in single precision, one pass over a
 * block of pixels per (image, channel group): each window sum is added directly from the
 * neighbouring channels (still in cache) in a fixed order, rather than slid in double, so the
 * loops vectorise (AVX-512 and AVX2 clones of the inner functions) and the results do not
 * depend on the thread count. The window is clipped to the channel group as an-desc.h
 * specifies (Krizhevsky et al. 2012, sec. 3.3). Four to five times the old sliding window's
 * speed (tools/kernels/bench-dnnl.c, docs/PERFORMANCE.md).
 */
#define G_LOG_DOMAIN "alexnet-cpu"
#include "config.h"

#include <math.h>

#include "an-cpu-private.h"

/* Pixels of one task: the rows of the window stay in the first-level cache. */
#define AN_CPU_LRN_PIXEL_BLOCK 512


/* y, scale for channels [c0, c1) of one group, pixels [0, len) at stride hw */
AN_CPU_CLONES static void
lrn_forward_block (const AnLrnDesc *d, int c0, int c1, size_t hw, int len, float *y,
                   float *scale, const float *x)
{
  const int before = d->size / 2, after = (d->size - 1) / 2;
  const float alpha = d->alpha, k = d->k, beta = d->beta;
  const gboolean b075 = beta == 0.75f;

  for (int ch = c0; ch < c1; ch++)
    {
      const int lo = MAX (ch - before, c0), hi = MIN (ch + after, c1 - 1);
      float *restrict yc = y + (size_t) ch * hw, *restrict sc = scale + (size_t) ch * hw;
      const float *restrict xc = x + (size_t) ch * hw;
      float acc[AN_CPU_LRN_PIXEL_BLOCK];

      for (int q = 0; q < len; q++)
        acc[q] = 0.0f;
      for (int j = lo; j <= hi; j++)
        {
          const float *restrict xj = x + (size_t) j * hw;
#pragma omp simd
          for (int q = 0; q < len; q++)
            acc[q] += xj[q] * xj[q];
        }
      if (b075)
        {
#pragma omp simd
          for (int q = 0; q < len; q++)
            {
              float s = k + alpha * acc[q];
              sc[q] = s;
              yc[q] = xc[q] / sqrtf (s * sqrtf (s));
            }
        }
      else
        for (int q = 0; q < len; q++)
          {
            float s = k + alpha * acc[q];
            sc[q] = s;
            yc[q] = xc[q] * powf (s, -beta);
          }
    }
}

/* dx_j += dy_j s_j^-beta - 2 alpha beta x_j sum_{i : j in window(i)} dy_i y_i / s_i;
 * j is in window(i) for i in j - after .. j + before. dy_i y_i / s_i is recomputed for each
 * use from rows in cache rather than stored. */
AN_CPU_CLONES static void
lrn_backward_block (const AnLrnDesc *d, int c0, int c1, size_t hw, int len, float *dx,
                    const float *dy, const float *x, const float *y, const float *scale)
{
  const int before = d->size / 2, after = (d->size - 1) / 2;
  const float coeff = 2.0f * d->alpha * d->beta, beta = d->beta;
  const gboolean b075 = beta == 0.75f;

  for (int ch = c0; ch < c1; ch++)
    {
      const int lo = MAX (ch - after, c0), hi = MIN (ch + before, c1 - 1);
      float *restrict dxc = dx + (size_t) ch * hw;
      const float *restrict xc = x + (size_t) ch * hw, *restrict dyc = dy + (size_t) ch * hw;
      const float *restrict sc = scale + (size_t) ch * hw;
      float acc[AN_CPU_LRN_PIXEL_BLOCK];

      for (int q = 0; q < len; q++)
        acc[q] = 0.0f;
      for (int i = lo; i <= hi; i++)
        {
          const float *restrict dyi = dy + (size_t) i * hw, *restrict yi = y + (size_t) i * hw;
          const float *restrict si = scale + (size_t) i * hw;
#pragma omp simd
          for (int q = 0; q < len; q++)
            acc[q] += dyi[q] * yi[q] / si[q];
        }
      if (b075)
        {
#pragma omp simd
          for (int q = 0; q < len; q++)
            dxc[q] += dyc[q] / sqrtf (sc[q] * sqrtf (sc[q])) - coeff * xc[q] * acc[q];
        }
      else
        for (int q = 0; q < len; q++)
          dxc[q] += dyc[q] * powf (sc[q], -beta) - coeff * xc[q] * acc[q];
    }
}

void
lrn_forward_cpu (AnBackend *be, const AnLrnDesc *d, float *y, float *scale, const float *x)
{
  const int cg = d->c / d->groups;
  const size_t hw = (size_t) d->h * d->w;
  const int blocks = (int) ((hw + AN_CPU_LRN_PIXEL_BLOCK - 1) / AN_CPU_LRN_PIXEL_BLOCK);

#pragma omp parallel for collapse(3) schedule(static) num_threads(an_cpu_threads (be))
  for (int n = 0; n < d->n; n++)
    for (int g = 0; g < d->groups; g++)
      for (int blk = 0; blk < blocks; blk++)
        {
          size_t p0 = (size_t) blk * AN_CPU_LRN_PIXEL_BLOCK, base = (size_t) n * d->c * hw + p0;
          int len = (int) MIN ((size_t) AN_CPU_LRN_PIXEL_BLOCK, hw - p0);

          lrn_forward_block (d, g * cg, (g + 1) * cg, hw, len, y + base, scale + base, x + base);
        }
}

void
lrn_backward_cpu (AnBackend *be, const AnLrnDesc *d, float *dx, const float *dy, const float *x,
                   const float *y, const float *scale)
{
  const int cg = d->c / d->groups;
  const size_t hw = (size_t) d->h * d->w;
  const int blocks = (int) ((hw + AN_CPU_LRN_PIXEL_BLOCK - 1) / AN_CPU_LRN_PIXEL_BLOCK);

#pragma omp parallel for collapse(3) schedule(static) num_threads(an_cpu_threads (be))
  for (int n = 0; n < d->n; n++)
    for (int g = 0; g < d->groups; g++)
      for (int blk = 0; blk < blocks; blk++)
        {
          size_t p0 = (size_t) blk * AN_CPU_LRN_PIXEL_BLOCK, base = (size_t) n * d->c * hw + p0;
          int len = (int) MIN ((size_t) AN_CPU_LRN_PIXEL_BLOCK, hw - p0);

          lrn_backward_block (d, g * cg, (g + 1) * cg, hw, len, dx + base, dy + base, x + base,
                              y + base, scale + base);
        }
}
