/* an-cuda-kernels.cuh: what every kernel file of the CUDA backend shares (nvcc only).
 *
 * One thread per output element with a grid-stride loop; every backward scatter is written as a
 * gather and every reduction runs in a fixed tree order, so results do not depend on scheduling
 * (no atomics anywhere). NCHW float32, ARCHITECTURE.md contracts 1, 5, 6.
 */
#pragma once

#include <math.h>

#include "an-cuda-kernels.h"

enum { AN_CUDA_BLOCK = 256, AN_CUDA_MAX_GRID = 65535 * 16, AN_CUDA_SQUARES_BLOCKS = 1024 };

static inline unsigned int
grid_for (size_t count)
{
  size_t blocks = (count + AN_CUDA_BLOCK - 1) / AN_CUDA_BLOCK;
  return (unsigned int) (blocks < AN_CUDA_MAX_GRID ? blocks : AN_CUDA_MAX_GRID);
}

#define FOR_EACH_INDEX(i, count)                                                                \
  for (size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x; i < (count);                  \
       i += (size_t) gridDim.x * blockDim.x)

/* Sums part[0 .. AN_CUDA_BLOCK) into part[0], pairwise in a fixed order. */
__device__ static inline void
block_sum_double (double *part)
{
  __syncthreads ();
  for (int half = AN_CUDA_BLOCK / 2; half > 0; half /= 2)
    {
      if ((int) threadIdx.x < half)
        part[threadIdx.x] += part[threadIdx.x + half];
      __syncthreads ();
    }
}

/* Launches kernel over count elements on `stream` (nothing for 0); returns the launch status. */
#define LAUNCH(count, kernel, ...)                                                              \
  do                                                                                            \
    {                                                                                           \
      if ((count) == 0)                                                                         \
        return cudaSuccess;                                                                     \
      kernel<<<grid_for (count), AN_CUDA_BLOCK, 0, stream>>> (__VA_ARGS__);                     \
      return cudaGetLastError ();                                                               \
    }                                                                                           \
  while (0)
