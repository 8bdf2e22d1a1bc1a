/* an-cuda-activation.cu: ReLU forward and backward, one thread per element; NaN passes.
 */
#include "an-cuda-kernels.cuh"

__global__ static void
relu_forward_kernel (size_t count, float *y, const float *x)
{
  /* NaN passes (x != x), as in PyTorch, so a diverging run shows in the loss */
  FOR_EACH_INDEX (i, count)
    y[i] = (x[i] > 0.0f || x[i] != x[i]) ? x[i] : 0.0f;
}

__global__ static void
relu_backward_kernel (size_t count, float *dx, const float *dy, const float *y)
{
  FOR_EACH_INDEX (i, count)
    if (y[i] > 0.0f)
      dx[i] += dy[i];
}

extern "C" {

cudaError_t
an_cuda_relu_forward (cudaStream_t stream, size_t count, float *y, const float *x)
{
  LAUNCH (count, relu_forward_kernel, count, y, x);
}

cudaError_t
an_cuda_relu_backward (cudaStream_t stream, size_t count, float *dx, const float *dy,
                       const float *y)
{
  LAUNCH (count, relu_backward_kernel, count, dx, dy, y);
}

} /* extern "C" */
