/* an-cuda-activation.c: ReLU.
 */
#define G_LOG_DOMAIN "alexnet-cuda"
#include "config.h"

#include "an-cuda-private.h"

void
relu_forward_cuda (AnBackend *be, size_t count, float *y, const float *x)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  an_cuda_note (ctx, an_cuda_relu_forward (ctx->stream, count, y, x), "relu forward");
}

void
relu_backward_cuda (AnBackend *be, size_t count, float *dx, const float *dy, const float *y)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  an_cuda_note (ctx, an_cuda_relu_backward (ctx->stream, count, dx, dy, y), "relu backward");
}
