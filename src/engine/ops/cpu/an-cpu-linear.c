/* an-cpu-linear.c: the fully connected layer on the CPU as SGEMMs (an_cpu_sgemm), W (OUT, IN)
 * as PyTorch's Linear; the bias gradient sums the batch in order, one output per task.
 */
#define G_LOG_DOMAIN "alexnet-cpu"
#include "config.h"

#include <string.h>

#include "an-cpu-private.h"

void
linear_forward_cpu (AnBackend *be, const AnLinearDesc *d, float *y, const float *x,
                    const float *w, const float *b)
{
  /* y (N, OUT) starts as the bias and receives x W^T on top */
  for (int r = 0; r < d->n; r++)
    memcpy (y + (size_t) r * d->out, b, (size_t) d->out * sizeof (float));
  an_cpu_sgemm (be, FALSE, TRUE, d->n, d->out, d->in, 1.0f, x, d->in, w, d->in, 1.0f, y, d->out);
}

void
linear_backward_cpu (AnBackend *be, const AnLinearDesc *d, float *dx, float *dw, float *db,
                     const float *dy, const float *x, const float *w)
{
  if (dx) /* dx (N, IN) += dy (N, OUT) W (OUT, IN) */
    an_cpu_sgemm (be, FALSE, FALSE, d->n, d->in, d->out, 1.0f, dy, d->out, w, d->in, 1.0f, dx,
                  d->in);
  if (dw) /* dW (OUT, IN) += dy^T x */
    an_cpu_sgemm (be, TRUE, FALSE, d->out, d->in, d->n, 1.0f, dy, d->out, x, d->in, 1.0f, dw,
                  d->in);
  if (db)
    {
#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
      for (int o = 0; o < d->out; o++)
        {
          double acc = 0.0;

          for (int r = 0; r < d->n; r++)
            acc += dy[(size_t) r * d->out + o];
          db[o] += (float) acc;
        }
    }
}
