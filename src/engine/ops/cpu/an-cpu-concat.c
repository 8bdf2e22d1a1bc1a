/* an-cpu-concat.c: channel concatenation on the CPU, one image per task.
 */
#define G_LOG_DOMAIN "alexnet-cpu"
#include "config.h"

#include <string.h>

#include "an-cpu-private.h"

void
concat_forward_cpu (AnBackend *be, int n, int cy, int offset, int cx, int hw, float *y,
                    const float *x)
{
  size_t slice = (size_t) cx * hw;

  for (int i = 0; i < n; i++)
    memcpy (y + ((size_t) i * cy + offset) * hw, x + i * slice, slice * sizeof (float));
}

void
concat_backward_cpu (AnBackend *be, int n, int cy, int offset, int cx, int hw, float *dx,
                     const float *dy)
{
  ptrdiff_t slice = (ptrdiff_t) cx * hw;

#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
  for (int i = 0; i < n; i++)
    {
      const float *src = dy + ((size_t) i * cy + offset) * hw;
      float *dst = dx + i * slice;

      for (ptrdiff_t j = 0; j < slice; j++)
        dst[j] += src[j];
    }
}
