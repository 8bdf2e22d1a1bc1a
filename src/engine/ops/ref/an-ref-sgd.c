/* an-ref-sgd.c: SGD with momentum and weight decay over one parameter arena, in both rules of
 * an-backend.h (PyTorch's torch.optim.SGD, and the paper's sec. 5 update, which differ when
 * the learning rate changes), and the sum of squares used for gradient norms.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include "an-ref-private.h"

void
sgd_update_ref (AnBackend *be, const AnSgdDesc *d, size_t count, float *w, float *v,
                const float *g)
{
  /* w, v, g (count): weights, momentum buffer, gradient */
  switch (d->rule)
    {
    case AN_SGD_RULE_PYTORCH:
      for (size_t i = 0; i < count; i++)
        {
          v[i] = d->momentum * v[i] + (g[i] + d->weight_decay * w[i]);
          w[i] = w[i] - d->lr * v[i];
        }
      break;
    case AN_SGD_RULE_PAPER:
      for (size_t i = 0; i < count; i++)
        {
          v[i] = d->momentum * v[i] - d->weight_decay * d->lr * w[i] - d->lr * g[i];
          w[i] = w[i] + v[i];
        }
      break;
    default:
      g_return_if_reached ();
    }
}

double
sum_squares_ref (AnBackend *be, size_t count, const float *x)
{
  /* x (count) */
  double sum = 0.0;
  for (size_t i = 0; i < count; i++)
    sum += (double) x[i] * x[i];
  return sum;
}
