/* an-cpu-activation.c: ReLU on the CPU, one OpenMP SIMD loop each way; NaN passes as in
 * PyTorch.
 */
#define G_LOG_DOMAIN "alexnet-cpu"
#include "config.h"

#include "an-cpu-private.h"

void
relu_forward_cpu (AnBackend *be, size_t count, float *y, const float *x)
{
  ptrdiff_t n = (ptrdiff_t) count;

#pragma omp parallel for simd schedule(static) num_threads(an_cpu_threads (be))
  for (ptrdiff_t i = 0; i < n; i++)
    y[i] = (x[i] > 0.0f || x[i] != x[i]) ? x[i] : 0.0f; /* NaN passes, as in PyTorch */
}

void
relu_backward_cpu (AnBackend *be, size_t count, float *dx, const float *dy, const float *y)
{
  ptrdiff_t n = (ptrdiff_t) count;

#pragma omp parallel for simd schedule(static) num_threads(an_cpu_threads (be))
  for (ptrdiff_t i = 0; i < n; i++)
    dx[i] += y[i] > 0.0f ? dy[i] : 0.0f;
}
