/* an-cuda-dropout.cu: inverted dropout with the counter-based mask of an-rng.h (the same
 * function as the CPU backends), and the backward multiply-add.
 */
#include "an-cuda-kernels.cuh"
#include "an-rng.h"

__global__ static void
mul_add_kernel (size_t count, float *dx, const float *dy, const float *m)
{
  FOR_EACH_INDEX (i, count)
    dx[i] += dy[i] * m[i];
}

__global__ static void
dropout_forward_kernel (int n, int cols, int total_cols, int col_offset, float p, float keep_scale,
                        uint64_t seed, uint64_t rng_stream, float *y, float *mask, const float *x)
{
  FOR_EACH_INDEX (i, (size_t) n * cols)
    {
      uint64_t r = i / cols, j = i % cols;
      uint64_t index = r * (uint64_t) total_cols + (uint64_t) col_offset + j;
      float m = an_rng_uniform (seed, rng_stream, index) >= p ? keep_scale : 0.0f;
      mask[i] = m;
      y[i] = x[i] * m;
    }
}

extern "C" {

cudaError_t
an_cuda_dropout_forward (cudaStream_t stream, int n, int cols, int total_cols, int col_offset,
                         float p, uint64_t seed, uint64_t rng_stream, float *y, float *mask,
                         const float *x)
{
  float keep_scale = 1.0f / (1.0f - p);
  LAUNCH ((size_t) n * cols, dropout_forward_kernel, n, cols, total_cols, col_offset, p,
          keep_scale, seed, rng_stream, y, mask, x);
}

cudaError_t
an_cuda_mul_add (cudaStream_t stream, size_t count, float *dx, const float *dy, const float *m)
{
  LAUNCH (count, mul_add_kernel, count, dx, dy, m);
}

} /* extern "C" */
