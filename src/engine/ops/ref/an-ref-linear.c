/* an-ref-linear.c: the fully connected layer y = x W^T + b, W (OUT, IN) as PyTorch's Linear,
 * sums in double.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include "an-ref-private.h"

void
linear_forward_ref (AnBackend *be, const AnLinearDesc *d, float *y, const float *x,
                    const float *w, const float *b)
{
  /* y (N, OUT), x (N, IN), w (OUT, IN), b (OUT) or NULL for no bias */
  for (int n = 0; n < d->n; n++)
    for (int o = 0; o < d->out; o++)
      {
        double sum = b ? b[o] : 0.0;
        for (int i = 0; i < d->in; i++)
          sum += (double) x[(size_t) n * d->in + i] * w[(size_t) o * d->in + i];
        y[(size_t) n * d->out + o] = (float) sum;
      }
}

void
linear_backward_ref (AnBackend *be, const AnLinearDesc *d, float *dx, float *dw, float *db,
                     const float *dy, const float *x, const float *w)
{
  /* dx (N, IN), dw (OUT, IN), db (OUT): each NULL when not wanted; dy (N, OUT) */
  if (dx)
    for (int n = 0; n < d->n; n++)
      for (int i = 0; i < d->in; i++)
        {
          double sum = 0.0; /* dx = dy W */
          for (int o = 0; o < d->out; o++)
            sum += (double) dy[(size_t) n * d->out + o] * w[(size_t) o * d->in + i];
          dx[(size_t) n * d->in + i] += (float) sum;
        }
  if (dw)
    for (int o = 0; o < d->out; o++)
      for (int i = 0; i < d->in; i++)
        {
          double sum = 0.0; /* dW = dy^T x */
          for (int n = 0; n < d->n; n++)
            sum += (double) dy[(size_t) n * d->out + o] * x[(size_t) n * d->in + i];
          dw[(size_t) o * d->in + i] += (float) sum;
        }
  if (db)
    for (int o = 0; o < d->out; o++)
      {
        double sum = 0.0;
        for (int n = 0; n < d->n; n++)
          sum += dy[(size_t) n * d->out + o];
        db[o] += (float) sum;
      }
}
