/* an-cuda-dropout.c: inverted dropout with the counter-based mask (kernels in an-cuda-dropout.cu).
 */
#define G_LOG_DOMAIN "alexnet-cuda"
#include "config.h"

#include "an-cuda-private.h"

void
dropout_forward_cuda (AnBackend *be, const AnDropoutDesc *d, float *y, float *mask,
                      const float *x)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  an_cuda_note (ctx,
                an_cuda_dropout_forward (ctx->stream, d->n, d->cols, d->total_cols, d->col_offset,
                                         d->p, d->seed, d->stream, y, mask, x),
                "dropout forward");
}

void
dropout_backward_cuda (AnBackend *be, size_t count, float *dx, const float *dy,
                       const float *mask)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  an_cuda_note (ctx, an_cuda_mul_add (ctx->stream, count, dx, dy, mask), "dropout backward");
}
