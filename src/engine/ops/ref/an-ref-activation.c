/* an-ref-activation.c: ReLU, y = max(x, 0) with NaN passing as in PyTorch; backward lets
 * the gradient through where the output is positive.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <math.h>

#include "an-ref-private.h"

void
relu_forward_ref (AnBackend *be, size_t count, float *y, const float *x)
{
  /* y, x (count) */
  for (size_t i = 0; i < count; i++)
    y[i] = (x[i] > 0.0f || isnan (x[i])) ? x[i] : 0.0f; /* NaN passes, as in PyTorch */
}

void
relu_backward_ref (AnBackend *be, size_t count, float *dx, const float *dy, const float *y)
{
  /* dx, dy, y (count) */
  for (size_t i = 0; i < count; i++)
    if (y[i] > 0.0f)
      dx[i] += dy[i];
}
