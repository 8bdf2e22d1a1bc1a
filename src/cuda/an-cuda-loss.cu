/* an-cuda-loss.cu: softmax + cross-entropy, one block per row; the mean over rows is summed
 * in row order so the loss does not depend on scheduling.
 */
#include "an-cuda-kernels.cuh"

__global__ static void
softmax_xent_forward_kernel (int k, float *probs, const float *logits, const int32_t *labels,
                             double *row_loss)
{
  __shared__ double part[AN_CUDA_BLOCK];
  __shared__ float row_max[AN_CUDA_BLOCK];
  const float *in = logits + (size_t) blockIdx.x * k;
  float *out = probs + (size_t) blockIdx.x * k;

  float m = -INFINITY;
  for (int j = threadIdx.x; j < k; j += AN_CUDA_BLOCK)
    m = fmaxf (m, in[j]);
  row_max[threadIdx.x] = m;
  __syncthreads ();
  for (int half = AN_CUDA_BLOCK / 2; half > 0; half /= 2)
    {
      if ((int) threadIdx.x < half)
        row_max[threadIdx.x] = fmaxf (row_max[threadIdx.x], row_max[threadIdx.x + half]);
      __syncthreads ();
    }
  m = row_max[0];

  double sum = 0.0;
  for (int j = threadIdx.x; j < k; j += AN_CUDA_BLOCK)
    sum += exp ((double) in[j] - (double) m);
  part[threadIdx.x] = sum;
  block_sum_double (part);
  sum = part[0];

  for (int j = threadIdx.x; j < k; j += AN_CUDA_BLOCK)
    out[j] = (float) (exp ((double) in[j] - (double) m) / sum);
  if (threadIdx.x == 0)
    {
      int32_t label = labels[blockIdx.x];
      row_loss[blockIdx.x] = label >= 0 && label < k
                               ? log (sum) - ((double) in[label] - (double) m)
                               : (double) NAN;
    }
}

__global__ static void
mean_in_order_kernel (int n, const double *values, double *mean)
{
  double sum = 0.0;
  for (int i = 0; i < n; i++)
    sum += values[i];
  *mean = sum / n;
}

__global__ static void
softmax_xent_backward_kernel (int n, int k, float *dlogits, const float *probs,
                              const int32_t *labels)
{
  FOR_EACH_INDEX (i, (size_t) n * k)
    {
      int row = (int) (i / k), j = (int) (i % k);
      float target = labels[row] == j ? 1.0f : 0.0f;
      dlogits[i] += (probs[i] - target) / (float) n;
    }
}

extern "C" {

cudaError_t
an_cuda_softmax_xent_forward (cudaStream_t stream, int n, int k, float *probs,
                              const float *logits, const int32_t *labels, double *row_loss,
                              double *mean_loss)
{
  if (n <= 0 || k <= 0)
    return cudaSuccess;
  softmax_xent_forward_kernel<<<n, AN_CUDA_BLOCK, 0, stream>>> (k, probs, logits, labels,
                                                                 row_loss);
  cudaError_t err = cudaGetLastError ();
  if (err != cudaSuccess)
    return err;
  mean_in_order_kernel<<<1, 1, 0, stream>>> (n, row_loss, mean_loss);
  return cudaGetLastError ();
}

cudaError_t
an_cuda_softmax_xent_backward (cudaStream_t stream, int n, int k, float *dlogits,
                               const float *probs, const int32_t *labels)
{
  LAUNCH ((size_t) n * k, softmax_xent_backward_kernel, n, k, dlogits, probs, labels);
}

} /* extern "C" */
