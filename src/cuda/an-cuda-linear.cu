/* an-cuda-linear.cu: the bias of the fully connected layer (its products are cuBLAS GEMMs).
 */
#include "an-cuda-kernels.cuh"

__global__ static void
add_bias_rows_kernel (int rows, int cols, const float *b, float *y)
{
  FOR_EACH_INDEX (i, (size_t) rows * cols)
    y[i] += b[i % cols];
}

extern "C" {

cudaError_t
an_cuda_add_bias_rows (cudaStream_t stream, int rows, int cols, const float *b, float *y)
{
  LAUNCH ((size_t) rows * cols, add_bias_rows_kernel, rows, cols, b, y);
}

} /* extern "C" */
