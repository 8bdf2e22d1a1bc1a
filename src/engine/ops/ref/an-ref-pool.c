/* an-ref-pool.c: max pooling (no padding, floor mode, first maximum wins; a NaN in the window
 * wins so that divergence stays visible, as in PyTorch) and adaptive average pooling as
 * PyTorch's adaptive_avg_pool2d: output row i averages input rows floor(i*H/OH) ..
 * ceil((i+1)*H/OH) - 1, and the same for columns.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <math.h>

#include "an-ref-private.h"

void
maxpool_forward_ref (AnBackend *be, const AnPoolDesc *d, float *y, int32_t *argmax,
                     const float *x)
{
  /* y, argmax (N, C, OH, OW); x (N, C, H, W); argmax = iy * W + ix within the input plane */
  size_t planes = (size_t) d->n * d->c;

  for (size_t nc = 0; nc < planes; nc++)
    {
      const float *xp = x + nc * d->h * d->w;          /* (H, W) */
      float *yp = y + nc * d->oh * d->ow;              /* (OH, OW) */
      int32_t *ap = argmax + nc * d->oh * d->ow;       /* (OH, OW) */
      for (int oy = 0; oy < d->oh; oy++)
        for (int ox = 0; ox < d->ow; ox++)
          {
            int best = (oy * d->sh) * d->w + ox * d->sw;
            for (int ky = 0; ky < d->kh; ky++)
              for (int kx = 0; kx < d->kw; kx++)
                {
                  int idx = (oy * d->sh + ky) * d->w + (ox * d->sw + kx);
                  if (xp[idx] > xp[best] || (isnan (xp[idx]) && !isnan (xp[best])))
                    best = idx;
                }
            yp[oy * d->ow + ox] = xp[best];
            ap[oy * d->ow + ox] = best;
          }
    }
}

void
maxpool_backward_ref (AnBackend *be, const AnPoolDesc *d, float *dx, const float *dy,
                      const int32_t *argmax)
{
  /* dx (N, C, H, W); dy, argmax (N, C, OH, OW) */
  size_t planes = (size_t) d->n * d->c;

  for (size_t nc = 0; nc < planes; nc++)
    for (int o = 0; o < d->oh * d->ow; o++)
      dx[nc * d->h * d->w + argmax[nc * d->oh * d->ow + o]] += dy[nc * d->oh * d->ow + o];
}

/* input rows [*start, *end) of output row i when `in` rows pool to `out` */
static void
adaptive_range (int i, int in, int out, int *start, int *end)
{
  *start = (int) ((int64_t) i * in / out);
  *end = (int) (((int64_t) (i + 1) * in + out - 1) / out);
}

void
avgpool_forward_ref (AnBackend *be, const AnAdaptivePoolDesc *d, float *y, const float *x)
{
  /* y (N, C, OH, OW); x (N, C, H, W) */
  size_t planes = (size_t) d->n * d->c;

  for (size_t nc = 0; nc < planes; nc++)
    for (int oy = 0; oy < d->oh; oy++)
      for (int ox = 0; ox < d->ow; ox++)
        {
          int y0, y1, x0, x1;
          adaptive_range (oy, d->h, d->oh, &y0, &y1);
          adaptive_range (ox, d->w, d->ow, &x0, &x1);
          double sum = 0.0;
          for (int iy = y0; iy < y1; iy++)
            for (int ix = x0; ix < x1; ix++)
              sum += x[nc * d->h * d->w + (size_t) iy * d->w + ix];
          y[nc * d->oh * d->ow + (size_t) oy * d->ow + ox] =
            (float) (sum / ((double) (y1 - y0) * (x1 - x0)));
        }
}

void
avgpool_backward_ref (AnBackend *be, const AnAdaptivePoolDesc *d, float *dx, const float *dy)
{
  /* dx (N, C, H, W); dy (N, C, OH, OW): each output spreads dy / area over its window */
  size_t planes = (size_t) d->n * d->c;

  for (size_t nc = 0; nc < planes; nc++)
    for (int oy = 0; oy < d->oh; oy++)
      for (int ox = 0; ox < d->ow; ox++)
        {
          int y0, y1, x0, x1;
          adaptive_range (oy, d->h, d->oh, &y0, &y1);
          adaptive_range (ox, d->w, d->ow, &x0, &x1);
          double share = dy[nc * d->oh * d->ow + (size_t) oy * d->ow + ox] /
                         ((double) (y1 - y0) * (x1 - x0));
          for (int iy = y0; iy < y1; iy++)
            for (int ix = x0; ix < x1; ix++)
              dx[nc * d->h * d->w + (size_t) iy * d->w + ix] += (float) share;
        }
}
