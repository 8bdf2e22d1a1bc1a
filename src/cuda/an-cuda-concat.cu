/* an-cuda-concat.cu: channel concatenation of one input into its slice, and its gradient.
 */
#include "an-cuda-kernels.cuh"

__global__ static void
concat_forward_kernel (int n, int cy, int offset, int cx, size_t hw, float *y, const float *x)
{
  FOR_EACH_INDEX (i, (size_t) n * cx * hw)
    {
      size_t p = i % hw;
      size_t ch = (i / hw) % cx;
      size_t nn = i / (hw * cx);
      y[(nn * cy + offset + ch) * hw + p] = x[i];
    }
}

__global__ static void
concat_backward_kernel (int n, int cy, int offset, int cx, size_t hw, float *dx, const float *dy)
{
  FOR_EACH_INDEX (i, (size_t) n * cx * hw)
    {
      size_t p = i % hw;
      size_t ch = (i / hw) % cx;
      size_t nn = i / (hw * cx);
      dx[i] += dy[(nn * cy + offset + ch) * hw + p];
    }
}

extern "C" {

cudaError_t
an_cuda_concat_forward (cudaStream_t stream, int n, int cy, int offset, int cx, size_t hw,
                        float *y, const float *x)
{
  LAUNCH ((size_t) n * cx * hw, concat_forward_kernel, n, cy, offset, cx, hw, y, x);
}

cudaError_t
an_cuda_concat_backward (cudaStream_t stream, int n, int cy, int offset, int cx, size_t hw,
                         float *dx, const float *dy)
{
  LAUNCH ((size_t) n * cx * hw, concat_backward_kernel, n, cy, offset, cx, hw, dx, dy);
}

} /* extern "C" */
