/* an-ref-conv.c: 2-D convolution (cross-correlation, as PyTorch's conv2d) with groups, stride
 * and zero padding, by its definition:
 *   y[n][o][oy][ox] = b[o] + sum_{i, ky, kx} w[o][i][ky][kx] x[n][g*C/G + i][iy][ix],
 *   iy = oy*sh - ph + ky,  ix = ox*sw - pw + kx  (outside the input: zero padding)
 * where g = o / (OC/G) is the group of kernel o and i runs over the C/G channels of that group.
 * Sums are accumulated in double: this is the truth the fast paths are measured against.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include "an-ref-private.h"

/* x (N, C, H, W) */
static inline size_t
at4 (int d1, int d2, int d3, int i0, int i1, int i2, int i3)
{
  return (((size_t) i0 * d1 + i1) * d2 + i2) * d3 + i3;
}

void
conv2d_forward_ref (AnBackend *be, const AnConvDesc *d, float *y, const float *x,
                    const float *w, const float *b)
{
  /* y (N, OC, OH, OW), x (N, C, H, W), w (OC, C/G, KH, KW), b (OC) or NULL for no bias */
  int cg = d->c / d->groups;   /* input channels per group */
  int og = d->oc / d->groups;  /* kernels per group */

  for (int n = 0; n < d->n; n++)
    for (int o = 0; o < d->oc; o++)
      {
        int g = o / og;
        for (int oy = 0; oy < d->oh; oy++)
          for (int ox = 0; ox < d->ow; ox++)
            {
              double sum = b ? b[o] : 0.0;
              for (int i = 0; i < cg; i++)
                for (int ky = 0; ky < d->kh; ky++)
                  for (int kx = 0; kx < d->kw; kx++)
                    {
                      int iy = oy * d->sh - d->ph + ky;
                      int ix = ox * d->sw - d->pw + kx;
                      if (iy < 0 || iy >= d->h || ix < 0 || ix >= d->w)
                        continue; /* zero padding */
                      sum += (double) w[at4 (cg, d->kh, d->kw, o, i, ky, kx)] *
                             x[at4 (d->c, d->h, d->w, n, g * cg + i, iy, ix)];
                    }
              y[at4 (d->oc, d->oh, d->ow, n, o, oy, ox)] = (float) sum;
            }
      }
}

/* dx[n][c][iy][ix] gathers every output that input pixel touched:
 *   sum over kernels o of c's group and taps (ky, kx) with iy = oy*sh - ph + ky for an
 *   integer oy in [0, OH) (same for x) of dy[n][o][oy][ox] * w[o][c - g*C/G][ky][kx]. */
static void
conv2d_backward_data_ref (const AnConvDesc *d, float *dx, const float *dy, const float *w)
{
  /* dx (N, C, H, W), dy (N, OC, OH, OW), w (OC, C/G, KH, KW) */
  int cg = d->c / d->groups;
  int og = d->oc / d->groups;

  for (int n = 0; n < d->n; n++)
    for (int c = 0; c < d->c; c++)
      {
        int g = c / cg;
        int i = c - g * cg;
        for (int iy = 0; iy < d->h; iy++)
          for (int ix = 0; ix < d->w; ix++)
            {
              double sum = 0.0;
              for (int o = g * og; o < (g + 1) * og; o++)
                for (int ky = 0; ky < d->kh; ky++)
                  for (int kx = 0; kx < d->kw; kx++)
                    {
                      int ty = iy + d->ph - ky; /* = oy * sh */
                      int tx = ix + d->pw - kx;
                      if (ty < 0 || tx < 0 || ty % d->sh != 0 || tx % d->sw != 0)
                        continue;
                      int oy = ty / d->sh;
                      int ox = tx / d->sw;
                      if (oy >= d->oh || ox >= d->ow)
                        continue;
                      sum += (double) dy[at4 (d->oc, d->oh, d->ow, n, o, oy, ox)] *
                             w[at4 (cg, d->kh, d->kw, o, i, ky, kx)];
                    }
              dx[at4 (d->c, d->h, d->w, n, c, iy, ix)] += (float) sum;
            }
      }
}

/* dw[o][i][ky][kx] = sum_{n, oy, ox} dy[n][o][oy][ox] * x[n][g*C/G + i][oy*sh - ph + ky][...] */
static void
conv2d_backward_filter_ref (const AnConvDesc *d, float *dw, const float *dy, const float *x)
{
  /* dw (OC, C/G, KH, KW), dy (N, OC, OH, OW), x (N, C, H, W) */
  int cg = d->c / d->groups;
  int og = d->oc / d->groups;

  for (int o = 0; o < d->oc; o++)
    {
      int g = o / og;
      for (int i = 0; i < cg; i++)
        for (int ky = 0; ky < d->kh; ky++)
          for (int kx = 0; kx < d->kw; kx++)
            {
              double sum = 0.0;
              for (int n = 0; n < d->n; n++)
                for (int oy = 0; oy < d->oh; oy++)
                  for (int ox = 0; ox < d->ow; ox++)
                    {
                      int iy = oy * d->sh - d->ph + ky;
                      int ix = ox * d->sw - d->pw + kx;
                      if (iy < 0 || iy >= d->h || ix < 0 || ix >= d->w)
                        continue;
                      sum += (double) dy[at4 (d->oc, d->oh, d->ow, n, o, oy, ox)] *
                             x[at4 (d->c, d->h, d->w, n, g * cg + i, iy, ix)];
                    }
              dw[at4 (cg, d->kh, d->kw, o, i, ky, kx)] += (float) sum;
            }
    }
}

/* db[o] = sum_{n, oy, ox} dy[n][o][oy][ox] */
static void
conv2d_backward_bias_ref (const AnConvDesc *d, float *db, const float *dy)
{
  /* db (OC), dy (N, OC, OH, OW) */
  for (int o = 0; o < d->oc; o++)
    {
      double sum = 0.0;
      for (int n = 0; n < d->n; n++)
        for (int oy = 0; oy < d->oh; oy++)
          for (int ox = 0; ox < d->ow; ox++)
            sum += dy[at4 (d->oc, d->oh, d->ow, n, o, oy, ox)];
      db[o] += (float) sum;
    }
}

void
conv2d_backward_ref (AnBackend *be, const AnConvDesc *d, float *dx, float *dw, float *db,
                     const float *dy, const float *x, const float *w)
{
  /* dx (N, C, H, W), dw (OC, C/G, KH, KW), db (OC): each NULL when not wanted */
  if (dx)
    conv2d_backward_data_ref (d, dx, dy, w);
  if (dw)
    conv2d_backward_filter_ref (d, dw, dy, x);
  if (db)
    conv2d_backward_bias_ref (d, db, dy);
}
