/* an-ref-concat.c: channel concatenation of one input into its slice of the output, and
 * the gradient of that slice.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include "an-ref-private.h"

void
concat_forward_ref (AnBackend *be, int n, int cy, int offset, int cx, int hw, float *y,
                    const float *x)
{
  /* y (N, CY, HW) channels offset .. offset + CX - 1 = x (N, CX, HW) */
  for (int b = 0; b < n; b++)
    for (int c = 0; c < cx; c++)
      for (int p = 0; p < hw; p++)
        y[((size_t) b * cy + offset + c) * hw + p] = x[((size_t) b * cx + c) * hw + p];
}

void
concat_backward_ref (AnBackend *be, int n, int cy, int offset, int cx, int hw, float *dx,
                     const float *dy)
{
  /* dx (N, CX, HW) += dy (N, CY, HW) channels offset .. offset + CX - 1 */
  for (int b = 0; b < n; b++)
    for (int c = 0; c < cx; c++)
      for (int p = 0; p < hw; p++)
        dx[((size_t) b * cx + c) * hw + p] += dy[((size_t) b * cy + offset + c) * hw + p];
}
