/* an-cuda-loss.c: softmax + cross-entropy; the mean loss comes back to the host in double.
 */
#define G_LOG_DOMAIN "alexnet-cuda"
#include "config.h"

#include <math.h>

#include "an-cuda-private.h"

double
softmax_xent_forward_cuda (AnBackend *be, int n, int k, float *probs, const float *logits,
                           const int32_t *labels)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  if (n <= 0)
    return 0.0;
  double *s = an_cuda_scratch (ctx, (size_t) n + 1);
  if (s == NULL)
    return NAN;
  cudaError_t err = an_cuda_softmax_xent_forward (ctx->stream, n, k, probs, logits, labels, s + 1,
                                                  s);
  an_cuda_note (ctx, err, "softmax cross-entropy");
  return err == cudaSuccess ? an_cuda_download_double (ctx, s) : NAN;
}

void
softmax_xent_backward_cuda (AnBackend *be, int n, int k, float *dlogits, const float *probs,
                            const int32_t *labels)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  an_cuda_note (ctx, an_cuda_softmax_xent_backward (ctx->stream, n, k, dlogits, probs, labels),
                "softmax cross-entropy backward");
}
