/* an-cuda-linear.c: the fully connected layer as cuBLAS GEMMs, W (OUT, IN) as PyTorch's Linear.
 */
#define G_LOG_DOMAIN "alexnet-cuda"
#include "config.h"

#include "an-cuda-private.h"

void
linear_forward_cuda (AnBackend *be, const AnLinearDesc *d, float *y, const float *x,
                     const float *w, const float *b)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  /* y (n, out) = x (n, in) W^T, W stored (out, in) */
  an_cuda_gemm (ctx, FALSE, TRUE, d->n, d->out, d->in, 1.0f, x, d->in, w, d->in, 0.0f, y,
                d->out);
  if (b != NULL)
    an_cuda_note (ctx, an_cuda_add_bias_rows (ctx->stream, d->n, d->out, b, y), "linear bias");
}

void
linear_backward_cuda (AnBackend *be, const AnLinearDesc *d, float *dx, float *dw, float *db,
                      const float *dy, const float *x, const float *w)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  /* dx (n, in) += dy (n, out) W (out, in) */
  if (dx != NULL)
    an_cuda_gemm (ctx, FALSE, FALSE, d->n, d->in, d->out, 1.0f, dy, d->out, w, d->in, 1.0f, dx,
                  d->in);
  /* dW (out, in) += dy^T (out, n) x (n, in) */
  if (dw != NULL)
    an_cuda_gemm (ctx, TRUE, FALSE, d->out, d->in, d->n, 1.0f, dy, d->out, x, d->in, 1.0f, dw,
                  d->in);
  if (db != NULL)
    an_cuda_note (ctx, an_cuda_bias_grad (ctx->stream, d->n, d->out, 1, dy, db),
                  "linear bias grad");
}
