/* an-cuda-concat.c: channel concatenation, one input at a time.
 */
#define G_LOG_DOMAIN "alexnet-cuda"
#include "config.h"

#include "an-cuda-private.h"

void
concat_forward_cuda (AnBackend *be, int n, int cy, int offset, int cx, int hw, float *y,
                     const float *x)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  an_cuda_note (ctx, an_cuda_concat_forward (ctx->stream, n, cy, offset, cx, (size_t) hw, y, x),
                "concat forward");
}

void
concat_backward_cuda (AnBackend *be, int n, int cy, int offset, int cx, int hw, float *dx,
                      const float *dy)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  an_cuda_note (ctx, an_cuda_concat_backward (ctx->stream, n, cy, offset, cx, (size_t) hw, dx, dy),
                "concat backward");
}
