/* an-cuda-pool.c: max pooling and adaptive average pooling (kernels in an-cuda-pool.cu).
 */
#define G_LOG_DOMAIN "alexnet-cuda"
#include "config.h"

#include "an-cuda-private.h"

void
maxpool_forward_cuda (AnBackend *be, const AnPoolDesc *d, float *y, int32_t *argmax,
                      const float *x)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  an_cuda_note (ctx,
                an_cuda_maxpool_forward (ctx->stream, (size_t) d->n * d->c, d->h, d->w, d->kh,
                                         d->kw, d->sh, d->sw, d->oh, d->ow, y, argmax, x),
                "maxpool forward");
}

void
maxpool_backward_cuda (AnBackend *be, const AnPoolDesc *d, float *dx, const float *dy,
                       const int32_t *argmax)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  an_cuda_note (ctx,
                an_cuda_maxpool_backward (ctx->stream, (size_t) d->n * d->c, d->h, d->w, d->kh,
                                          d->kw, d->sh, d->sw, d->oh, d->ow, dx, dy, argmax),
                "maxpool backward");
}

void
avgpool_forward_cuda (AnBackend *be, const AnAdaptivePoolDesc *d, float *y, const float *x)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  an_cuda_note (ctx,
                an_cuda_avgpool_forward (ctx->stream, (size_t) d->n * d->c, d->h, d->w, d->oh,
                                         d->ow, y, x),
                "avgpool forward");
}

void
avgpool_backward_cuda (AnBackend *be, const AnAdaptivePoolDesc *d, float *dx, const float *dy)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  an_cuda_note (ctx,
                an_cuda_avgpool_backward (ctx->stream, (size_t) d->n * d->c, d->h, d->w, d->oh,
                                          d->ow, dx, dy),
                "avgpool backward");
}
