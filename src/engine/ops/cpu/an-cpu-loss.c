/* an-cpu-loss.c: softmax + cross-entropy on the CPU, one row per task, each row's loss in
 * double; the rows' losses are added in order, so the mean does not depend on the threads.
 */
#define G_LOG_DOMAIN "alexnet-cpu"
#include "config.h"

#include <math.h>

#include "an-cpu-private.h"

/* Writes one row of probabilities and returns its cross-entropy, computed in double. */
static double
softmax_xent_row (int k, float *p, const float *z, int32_t label)
{
  float zmax = z[0];
  double sum = 0.0;

  for (int j = 1; j < k; j++)
    zmax = z[j] > zmax ? z[j] : zmax;
  for (int j = 0; j < k; j++)
    sum += exp ((double) z[j] - zmax);
  for (int j = 0; j < k; j++)
    p[j] = (float) (exp ((double) z[j] - zmax) / sum);
  return log (sum) + zmax - z[label];
}

double
softmax_xent_forward_cpu (AnBackend *be, int n, int k, float *probs, const float *logits,
                          const int32_t *labels)
{
  double *row_loss = (double *) an_cpu_workspace (be, 2 * (size_t) n);
  double total = 0.0;

  if (!row_loss) /* no room for n doubles: one thread, rows in order */
    {
      for (int r = 0; r < n; r++)
        total += softmax_xent_row (k, probs + (size_t) r * k, logits + (size_t) r * k, labels[r]);
      return total / n;
    }

#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
  for (int r = 0; r < n; r++)
    row_loss[r] = softmax_xent_row (k, probs + (size_t) r * k, logits + (size_t) r * k, labels[r]);
  for (int r = 0; r < n; r++)
    total += row_loss[r];
  return total / n;
}

void
softmax_xent_backward_cpu (AnBackend *be, int n, int k, float *dlogits, const float *probs,
                           const int32_t *labels)
{
  const float inv_n = 1.0f / (float) n;

#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
  for (int r = 0; r < n; r++)
    {
      const float *p = probs + (size_t) r * k;
      float *g = dlogits + (size_t) r * k;

      for (int j = 0; j < k; j++)
        g[j] += (p[j] - (j == labels[r] ? 1.0f : 0.0f)) * inv_n;
    }
}
