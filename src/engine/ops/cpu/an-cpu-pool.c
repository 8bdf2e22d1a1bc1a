/* an-cpu-pool.c: max pooling and adaptive average pooling on the CPU, one plane per task (max
 * pooling: a chunk of a plane's outputs, vectorised over them). Backward is done per plane by
 * the one thread that owns it, in a fixed order.
 */
#define G_LOG_DOMAIN "alexnet-cpu"
#include "config.h"

#include <math.h>

#include "an-cpu-private.h"

/* Outputs of one task (of a plane, flattened): their windows' first elements stay in a local
 * array while the window is scanned. */
#define AN_CPU_POOL_CHUNK 256

/* Outputs q0 .. q0 + len - 1 of a plane, vectorised over the outputs (the maps are often
 * narrower than a vector: 7 or 13 columns): every output's window is scanned in the same order
 * (row by row, left to right), and a value replaces the maximum only when strictly greater --
 * the first maximum wins -- or when it is a NaN and the maximum is not: a NaN wins over
 * numbers, as in PyTorch, so a diverging model is not hidden. */
AN_CPU_CLONES static void
maxpool_chunk (const AnPoolDesc *d, int q0, int len, float *restrict yq, int32_t *restrict aq,
               const float *restrict xp)
{
  int32_t first[AN_CPU_POOL_CHUNK];

  for (int t = 0; t < len; t++)
    {
      int q = q0 + t, oy = q / d->ow, ox = q % d->ow;

      first[t] = oy * d->sh * d->w + ox * d->sw;
      yq[t] = xp[first[t]];
      aq[t] = first[t];
    }
  for (int i = 0; i < d->kh; i++)
    for (int j = 0; j < d->kw; j++)
      {
        const int32_t off = i * d->w + j;

        if (off == 0)
          continue;
#pragma omp simd
        for (int t = 0; t < len; t++)
          {
            int32_t at = first[t] + off;
            float v = xp[at], m = yq[t];
            gboolean take = v > m || (v != v && m == m);

            yq[t] = take ? v : m;
            aq[t] = take ? at : aq[t];
          }
      }
}

void
maxpool_forward_cpu (AnBackend *be, const AnPoolDesc *d, float *y, int32_t *argmax,
                     const float *x)
{
  const int planes = d->n * d->c, outs = d->oh * d->ow;
  const int chunks = (outs + AN_CPU_POOL_CHUNK - 1) / AN_CPU_POOL_CHUNK;

#pragma omp parallel for collapse(2) schedule(static) num_threads(an_cpu_threads (be))
  for (int pl = 0; pl < planes; pl++)
    for (int ch = 0; ch < chunks; ch++)
      {
        int q0 = ch * AN_CPU_POOL_CHUNK, len = MIN (AN_CPU_POOL_CHUNK, outs - q0);
        size_t at = (size_t) pl * outs + q0;

        maxpool_chunk (d, q0, len, y + at, argmax + at, x + (size_t) pl * d->h * d->w);
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
