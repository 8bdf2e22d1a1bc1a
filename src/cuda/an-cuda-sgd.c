/* an-cuda-sgd.c: the SGD step over a parameter arena and the sum of squares of gradient norms.
 */
#define G_LOG_DOMAIN "alexnet-cuda"
#include "config.h"

#include <math.h>

#include "an-cuda-private.h"

void
sgd_update_cuda (AnBackend *be, const AnSgdDesc *d, size_t count, float *w, float *v,
                 const float *g)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  an_cuda_note (ctx,
                an_cuda_sgd_update (ctx->stream, d->rule == AN_SGD_RULE_PAPER ? 1 : 0, d->lr,
                                    d->momentum, d->weight_decay, count, w, v, g),
                "sgd update");
}

double
sum_squares_cuda (AnBackend *be, size_t count, const float *x)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  double *s = an_cuda_scratch (ctx, an_cuda_sum_squares_scratch (count));
  if (s == NULL)
    return NAN;
  cudaError_t err = an_cuda_sum_squares (ctx->stream, count, x, s);
  an_cuda_note (ctx, err, "sum of squares");
  return err == cudaSuccess ? an_cuda_download_double (ctx, s) : NAN;
}
