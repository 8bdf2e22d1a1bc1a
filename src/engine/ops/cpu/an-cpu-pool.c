/* an-cpu-pool.c: max pooling and adaptive average pooling on the CPU, one plane per task, max
 * pooling a row of outputs at a time (vectorised over the row). Backward is done per plane by
 * the one thread that owns it, in a fixed order.
 */
#define G_LOG_DOMAIN "alexnet-cpu"
#include "config.h"

#include <math.h>

#include "an-cpu-private.h"

/* One output row of a plane, the output columns innermost so the compares vectorise: the
 * window is scanned in the same order for every column (row by row, left to right), and a value
 * replaces the maximum only when strictly greater -- the first maximum wins -- or when it is a
 * NaN and the maximum is not: a NaN wins over numbers, as in PyTorch, so a diverging model is
 * not hidden. */
AN_CPU_CLONES static void
maxpool_row (const AnPoolDesc *d, int oy, float *restrict yr, int32_t *restrict ar,
             const float *restrict xp)
{
  const int iy0 = oy * d->sh, sw = d->sw;

  for (int ox = 0; ox < d->ow; ox++)
    {
      yr[ox] = xp[(size_t) iy0 * d->w + (size_t) ox * sw];
      ar[ox] = iy0 * d->w + ox * sw;
    }
  for (int i = 0; i < d->kh; i++)
    for (int j = 0; j < d->kw; j++)
      {
        const float *restrict row = xp + (size_t) (iy0 + i) * d->w + j;
        const int32_t base = (iy0 + i) * d->w + j;

        if (i == 0 && j == 0)
          continue;
#pragma omp simd
        for (int ox = 0; ox < d->ow; ox++)
          {
            float v = row[(size_t) ox * sw], m = yr[ox];
            gboolean take = v > m || (v != v && m == m);

            yr[ox] = take ? v : m;
            ar[ox] = take ? base + ox * sw : ar[ox];
          }
      }
}

void
maxpool_forward_cpu (AnBackend *be, const AnPoolDesc *d, float *y, int32_t *argmax,
                     const float *x)
{
  const int planes = d->n * d->c;

#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
  for (int pl = 0; pl < planes; pl++)
    {
      const float *xp = x + (size_t) pl * d->h * d->w;

      for (int oy = 0; oy < d->oh; oy++)
        {
          size_t at = ((size_t) pl * d->oh + oy) * d->ow;

          maxpool_row (d, oy, y + at, argmax + at, xp);
        }
    }
}

void
maxpool_backward_cpu (AnBackend *be, const AnPoolDesc *d, float *dx, const float *dy,
                      const int32_t *argmax)
{
  const int planes = d->n * d->c;
  const int outs = d->oh * d->ow;

#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
  for (int pl = 0; pl < planes; pl++)
    {
      float *dxp = dx + (size_t) pl * d->h * d->w;
      const float *dyp = dy + (size_t) pl * outs;
      const int32_t *ap = argmax + (size_t) pl * outs;

      for (int q = 0; q < outs; q++)
        dxp[ap[q]] += dyp[q];
    }
}

/* Rows (or columns) floor(i * in / out) .. ceil((i + 1) * in / out) - 1, as PyTorch. */
static void
adaptive_range (int i, int in, int out, int *start, int *end)
{
  *start = (int) (((int64_t) i * in) / out);
  *end = (int) ((((int64_t) (i + 1) * in) + out - 1) / out);
}

void
avgpool_forward_cpu (AnBackend *be, const AnAdaptivePoolDesc *d, float *y, const float *x)
{
  const int planes = d->n * d->c;

#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
  for (int pl = 0; pl < planes; pl++)
    {
      const float *xp = x + (size_t) pl * d->h * d->w;
      float *yp = y + (size_t) pl * d->oh * d->ow;

      for (int oy = 0; oy < d->oh; oy++)
        for (int ox = 0; ox < d->ow; ox++)
          {
            int y0, y1, x0, x1;
            float acc = 0.0f;

            adaptive_range (oy, d->h, d->oh, &y0, &y1);
            adaptive_range (ox, d->w, d->ow, &x0, &x1);
            for (int iy = y0; iy < y1; iy++)
              for (int ix = x0; ix < x1; ix++)
                acc += xp[iy * d->w + ix];
            yp[oy * d->ow + ox] = acc / (float) ((y1 - y0) * (x1 - x0));
          }
    }
}

void
avgpool_backward_cpu (AnBackend *be, const AnAdaptivePoolDesc *d, float *dx, const float *dy)
{
  const int planes = d->n * d->c;

#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
  for (int pl = 0; pl < planes; pl++)
    {
      float *dxp = dx + (size_t) pl * d->h * d->w;
      const float *dyp = dy + (size_t) pl * d->oh * d->ow;

      for (int oy = 0; oy < d->oh; oy++)
        for (int ox = 0; ox < d->ow; ox++)
          {
            int y0, y1, x0, x1;

            adaptive_range (oy, d->h, d->oh, &y0, &y1);
            adaptive_range (ox, d->w, d->ow, &x0, &x1);
            float share = dyp[oy * d->ow + ox] / (float) ((y1 - y0) * (x1 - x0));
            for (int iy = y0; iy < y1; iy++)
              for (int ix = x0; ix < x1; ix++)
                dxp[iy * d->w + ix] += share;
          }
    }
}
