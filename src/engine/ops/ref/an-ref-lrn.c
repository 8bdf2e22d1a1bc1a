/* an-ref-lrn.c: local response normalisation across channels (Krizhevsky et al. 2012, sec. 3.3):
 *   scale[i] = k + alpha * sum_{j in W(i)} a[j]^2,   b[i] = a[i] * scale[i]^-beta
 * W(i) = i - size/2 .. i + (size-1)/2 clipped to the channel group of i (C/groups channels),
 * which is PyTorch's window when groups = 1. alpha is used as given: the caller has already
 * chosen the paper (alpha) or code (alpha / size) convention. The backward pass is exact.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <math.h>

#include "an-ref-private.h"

/* The channels [*lo, *hi] of the window of channel c, clipped to c's group. */
static void
lrn_window (const AnLrnDesc *d, int c, int *lo, int *hi)
{
  int per_group = d->c / d->groups;
  int first = c / per_group * per_group;
  int last = first + per_group - 1;
  *lo = MAX (first, c - d->size / 2);
  *hi = MIN (last, c + (d->size - 1) / 2);
}

/* element (n, c, p) of an (N, C, H*W) tensor */
static inline size_t
at (const AnLrnDesc *d, int n, int c, size_t p)
{
  return ((size_t) n * d->c + c) * ((size_t) d->h * d->w) + p;
}

void
lrn_forward_ref (AnBackend *be, const AnLrnDesc *d, float *y, float *scale, const float *x)
{
  /* y, scale, x: (N, C, H, W) */
  size_t plane = (size_t) d->h * d->w;

  for (int n = 0; n < d->n; n++)
    for (int c = 0; c < d->c; c++)
      {
        int lo, hi;
        lrn_window (d, c, &lo, &hi);
        for (size_t p = 0; p < plane; p++)
          {
            double sum = 0.0;
            for (int j = lo; j <= hi; j++)
              {
                double a = x[at (d, n, j, p)];
                sum += a * a;
              }
            double s = (double) d->k + (double) d->alpha * sum;
            scale[at (d, n, c, p)] = (float) s;
            y[at (d, n, c, p)] = (float) (x[at (d, n, c, p)] * pow (s, -(double) d->beta));
          }
      }
}

/* With b[i] = a[i] s[i]^-beta and ds[i]/da[j] = 2 alpha a[j] for j in W(i):
 *   da[j] = db[j] s[j]^-beta - 2 alpha beta a[j] sum_{i : j in W(i)} db[i] b[i] / s[i].
 * j lies in W(i) exactly when i lies in j - (size-1)/2 .. j + size/2 within j's group. */
void
lrn_backward_ref (AnBackend *be, const AnLrnDesc *d, float *dx, const float *dy,
                  const float *x, const float *y, const float *scale)
{
  /* dx, dy, x, y, scale: (N, C, H, W); scale as lrn_forward saved it */
  size_t plane = (size_t) d->h * d->w;
  int per_group = d->c / d->groups;

  for (int n = 0; n < d->n; n++)
    for (int j = 0; j < d->c; j++)
      {
        int first = j / per_group * per_group;
        int lo = MAX (first, j - (d->size - 1) / 2);
        int hi = MIN (first + per_group - 1, j + d->size / 2);
        for (size_t p = 0; p < plane; p++)
          {
            double cross = 0.0;
            for (int i = lo; i <= hi; i++)
              cross += (double) dy[at (d, n, i, p)] * y[at (d, n, i, p)] / scale[at (d, n, i, p)];
            double own = dy[at (d, n, j, p)] * pow (scale[at (d, n, j, p)], -(double) d->beta);
            double grad = own - 2.0 * d->alpha * d->beta * (double) x[at (d, n, j, p)] * cross;
            dx[at (d, n, j, p)] += (float) grad;
          }
      }
}
