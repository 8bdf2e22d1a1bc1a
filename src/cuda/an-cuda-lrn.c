/* an-cuda-lrn.c: local response normalisation (kernels in an-cuda-lrn.cu).
 */
#define G_LOG_DOMAIN "alexnet-cuda"
#include "config.h"

#include "an-cuda-private.h"

void
lrn_forward_cuda (AnBackend *be, const AnLrnDesc *d, float *y, float *scale, const float *x)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  an_cuda_note (ctx,
                an_cuda_lrn_forward (ctx->stream, d->n, d->c, (size_t) d->h * d->w, d->size,
                                     MAX (d->groups, 1), d->alpha, d->beta, d->k, y, scale, x),
                "lrn forward");
}

void
lrn_backward_cuda (AnBackend *be, const AnLrnDesc *d, float *dx, const float *dy, const float *x,
                   const float *y, const float *scale)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  an_cuda_note (ctx,
                an_cuda_lrn_backward (ctx->stream, d->n, d->c, (size_t) d->h * d->w, d->size,
                                      MAX (d->groups, 1), d->alpha, d->beta, dx, dy, x, y, scale),
                "lrn backward");
}
