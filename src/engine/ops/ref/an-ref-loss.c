/* an-ref-loss.c: softmax and the mean cross-entropy over the batch, as PyTorch's
 * cross_entropy(reduction="mean"). Numerically stable: the row maximum is subtracted before
 * exp, and -log p[label] is computed as log(sum exp(l - max)) - (l[label] - max), in double.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <math.h>

#include "an-ref-private.h"

double
softmax_xent_forward_ref (AnBackend *be, int n, int k, float *probs, const float *logits,
                          const int32_t *labels)
{
  /* probs, logits (N, K); labels (N) in [0, K) */
  double total = 0.0;

  for (int r = 0; r < n; r++)
    {
      const float *l = logits + (size_t) r * k; /* (K) */
      g_return_val_if_fail (labels[r] >= 0 && labels[r] < k, NAN);

      double max = l[0];
      for (int j = 1; j < k; j++)
        max = MAX (max, (double) l[j]);
      double sum = 0.0;
      for (int j = 0; j < k; j++)
        sum += exp (l[j] - max);
      for (int j = 0; j < k; j++)
        probs[(size_t) r * k + j] = (float) (exp (l[j] - max) / sum);
      total += log (sum) - (l[labels[r]] - max);
    }
  return total / n;
}

void
softmax_xent_backward_ref (AnBackend *be, int n, int k, float *dlogits, const float *probs,
                           const int32_t *labels)
{
  /* dlogits, probs (N, K); labels (N): d(mean loss)/dl = (p - onehot) / N */
  for (int r = 0; r < n; r++)
    for (int j = 0; j < k; j++)
      {
        double target = j == labels[r] ? 1.0 : 0.0;
        dlogits[(size_t) r * k + j] += (float) ((probs[(size_t) r * k + j] - target) / n);
      }
}
