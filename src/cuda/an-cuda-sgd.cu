/* an-cuda-sgd.cu: the SGD update over a parameter arena (both rules) and the sum of squares
 * of the gradient norm, reduced in a fixed tree order.
 */
#include "an-cuda-kernels.cuh"

__global__ static void
sgd_update_kernel (int rule, float lr, float momentum, float weight_decay, size_t count,
                   float *w, float *v, const float *g)
{
  FOR_EACH_INDEX (i, count)
    {
      float vi;
      if (rule == 0)
        {
          vi = momentum * v[i] + (g[i] + weight_decay * w[i]);
          w[i] -= lr * vi;
        }
      else
        {
          vi = momentum * v[i] - weight_decay * lr * w[i] - lr * g[i];
          w[i] += vi;
        }
      v[i] = vi;
    }
}

/* partial[b] = block b's share; the grid size depends only on count */
__global__ static void
sum_squares_partial_kernel (size_t count, const float *x, double *partial)
{
  __shared__ double part[AN_CUDA_BLOCK];
  double sum = 0.0;
  FOR_EACH_INDEX (i, count)
    sum += (double) x[i] * (double) x[i];
  part[threadIdx.x] = sum;
  block_sum_double (part);
  if (threadIdx.x == 0)
    partial[blockIdx.x] = part[0];
}

__global__ static void
sum_partials_kernel (int count, const double *partial, double *total)
{
  __shared__ double part[AN_CUDA_BLOCK];
  double sum = 0.0;
  for (int i = threadIdx.x; i < count; i += AN_CUDA_BLOCK)
    sum += partial[i];
  part[threadIdx.x] = sum;
  block_sum_double (part);
  if (threadIdx.x == 0)
    *total = part[0];
}

extern "C" {

cudaError_t
an_cuda_sgd_update (cudaStream_t stream, int rule, float lr, float momentum, float weight_decay,
                    size_t count, float *w, float *v, const float *g)
{
  LAUNCH (count, sgd_update_kernel, rule, lr, momentum, weight_decay, count, w, v, g);
}

static unsigned int
sum_squares_blocks (size_t count)
{
  unsigned int blocks = grid_for (count);
  return blocks < AN_CUDA_SQUARES_BLOCKS ? blocks : AN_CUDA_SQUARES_BLOCKS;
}

size_t
an_cuda_sum_squares_scratch (size_t count)
{
  return (size_t) sum_squares_blocks (count) + 1;
}

cudaError_t
an_cuda_sum_squares (cudaStream_t stream, size_t count, const float *x, double *scratch)
{
  if (count == 0)
    return cudaMemsetAsync (scratch, 0, sizeof (double), stream);
  unsigned int blocks = sum_squares_blocks (count);
  sum_squares_partial_kernel<<<blocks, AN_CUDA_BLOCK, 0, stream>>> (count, x, scratch + 1);
  cudaError_t err = cudaGetLastError ();
  if (err != cudaSuccess)
    return err;
  sum_partials_kernel<<<1, AN_CUDA_BLOCK, 0, stream>>> ((int) blocks, scratch + 1, scratch);
  return cudaGetLastError ();
}

} /* extern "C" */
