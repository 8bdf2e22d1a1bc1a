/* an-cpu-sgd.c: the SGD step over a parameter arena (both rules of an-desc.h) and the sum of
 * squares of gradient norms, added in fixed blocks summed in order, so it does not depend on
 * the thread count.
 */
#define G_LOG_DOMAIN "alexnet-cpu"
#include "config.h"

#include "an-cpu-private.h"

/* sum_squares adds blocks of this many elements, then the block sums in order. */
#define AN_CPU_REDUCE_BLOCK 16384

void
sgd_update_cpu (AnBackend *be, const AnSgdDesc *d, size_t count, float *w, float *v,
                const float *g)
{
  const float lr = d->lr, mu = d->momentum, wd = d->weight_decay;
  ptrdiff_t n = (ptrdiff_t) count;

  switch (d->rule)
    {
    case AN_SGD_RULE_PYTORCH:
#pragma omp parallel for simd schedule(static) num_threads(an_cpu_threads (be))
      for (ptrdiff_t i = 0; i < n; i++)
        {
          v[i] = mu * v[i] + (g[i] + wd * w[i]);
          w[i] -= lr * v[i];
        }
      break;
    case AN_SGD_RULE_PAPER:
#pragma omp parallel for simd schedule(static) num_threads(an_cpu_threads (be))
      for (ptrdiff_t i = 0; i < n; i++)
        {
          v[i] = mu * v[i] - wd * lr * w[i] - lr * g[i];
          w[i] += v[i];
        }
      break;
    default:
      g_return_if_reached ();
    }
}

static double
block_sum_squares (const float *x, size_t count)
{
  double acc = 0.0;

  for (size_t i = 0; i < count; i++)
    acc += (double) x[i] * x[i];
  return acc;
}

double
sum_squares_cpu (AnBackend *be, size_t count, const float *x)
{
  ptrdiff_t blocks = (ptrdiff_t) ((count + AN_CPU_REDUCE_BLOCK - 1) / AN_CPU_REDUCE_BLOCK);
  double *partial = (double *) an_cpu_workspace (be, 2 * (size_t) blocks);
  double total = 0.0;

  if (!partial)
    return block_sum_squares (x, count);

#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
  for (ptrdiff_t b = 0; b < blocks; b++)
    {
      size_t start = (size_t) b * AN_CPU_REDUCE_BLOCK;
      size_t len = MIN ((size_t) AN_CPU_REDUCE_BLOCK, count - start);

      partial[b] = block_sum_squares (x + start, len);
    }
  for (ptrdiff_t b = 0; b < blocks; b++)
    total += partial[b];
  return total;
}
