/* an-ref-dense.c: the element-wise and fully connected ops: ReLU, inverted dropout with the
 * counter-based mask of an-rng.h, linear y = x W^T + b (W (OUT, IN) as PyTorch's Linear) and
 * channel concatenation.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <math.h>

#include "an-ref-private.h"
#include "an-rng.h"

void
an_relu_forward_ref (AnBackend *be, size_t count, float *y, const float *x)
{
  /* y, x (count) */
  for (size_t i = 0; i < count; i++)
    y[i] = (x[i] > 0.0f || isnan (x[i])) ? x[i] : 0.0f; /* NaN passes, as in PyTorch */
}

void
an_relu_backward_ref (AnBackend *be, size_t count, float *dx, const float *dy, const float *y)
{
  /* dx, dy, y (count) */
  for (size_t i = 0; i < count; i++)
    if (y[i] > 0.0f)
      dx[i] += dy[i];
}

void
an_dropout_forward_ref (AnBackend *be, const AnDropoutDesc *d, float *y, float *mask,
                        const float *x)
{
  /* y, mask, x (N, cols): columns col_offset .. col_offset + cols - 1 of (N, total_cols) */
  float keep_scale = 1.0f / (1.0f - d->p);

  for (int r = 0; r < d->n; r++)
    for (int j = 0; j < d->cols; j++)
      {
        uint64_t index = (uint64_t) r * d->total_cols + d->col_offset + j;
        gboolean keep = an_rng_uniform (d->seed, d->stream, index) >= d->p;
        size_t e = (size_t) r * d->cols + j;
        mask[e] = keep ? keep_scale : 0.0f;
        y[e] = x[e] * mask[e];
      }
}

void
an_dropout_backward_ref (AnBackend *be, size_t count, float *dx, const float *dy,
                         const float *mask)
{
  /* dx, dy, mask (count) */
  for (size_t i = 0; i < count; i++)
    dx[i] += dy[i] * mask[i];
}

void
an_linear_forward_ref (AnBackend *be, const AnLinearDesc *d, float *y, const float *x,
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
an_linear_backward_ref (AnBackend *be, const AnLinearDesc *d, float *dx, float *dw, float *db,
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

void
an_concat_forward_ref (AnBackend *be, int n, int cy, int offset, int cx, int hw, float *y,
                       const float *x)
{
  /* y (N, CY, HW) channels offset .. offset + CX - 1 = x (N, CX, HW) */
  for (int b = 0; b < n; b++)
    for (int c = 0; c < cx; c++)
      for (int p = 0; p < hw; p++)
        y[((size_t) b * cy + offset + c) * hw + p] = x[((size_t) b * cx + c) * hw + p];
}

void
an_concat_backward_ref (AnBackend *be, int n, int cy, int offset, int cx, int hw, float *dx,
                        const float *dy)
{
  /* dx (N, CX, HW) += dy (N, CY, HW) channels offset .. offset + CX - 1 */
  for (int b = 0; b < n; b++)
    for (int c = 0; c < cx; c++)
      for (int p = 0; p < hw; p++)
        dx[((size_t) b * cx + c) * hw + p] += dy[((size_t) b * cy + offset + c) * hw + p];
}
