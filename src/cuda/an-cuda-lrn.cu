/* an-cuda-lrn.cu: local response normalisation, one thread per (image, channel group, pixel)
 * walking the group's channels; backward is the exact gradient written as a gather.
 */
#include "an-cuda-kernels.cuh"

__global__ static void
lrn_forward_kernel (int n, int c, size_t hw, int size, int groups, float alpha, float beta,
                    float k, float *y, float *scale, const float *x)
{
  int cg = c / groups;
  FOR_EACH_INDEX (i, (size_t) n * groups * hw)
    {
      size_t p = i % hw;
      int g = (int) ((i / hw) % groups);
      size_t base = (i / (hw * groups)) * c * hw + p;
      int first = g * cg, last = first + cg - 1;
      for (int ch = first; ch <= last; ch++)
        {
          int lo = max (ch - size / 2, first);
          int hi = min (ch + (size - 1) / 2, last);
          float sum = 0.0f;
          for (int j = lo; j <= hi; j++)
            {
              float a = x[base + (size_t) j * hw];
              sum += a * a;
            }
          float s = k + alpha * sum;
          size_t at = base + (size_t) ch * hw;
          scale[at] = s;
          y[at] = x[at] / powf (s, beta);
        }
    }
}

/* The exact gradient: dx_j += dy_j s_j^-beta - 2 alpha beta x_j sum_{i : j in window(i)} dy_i y_i / s_i.
 * j in window(i) iff i - size/2 <= j <= i + (size-1)/2, that is i in [j - (size-1)/2, j + size/2],
 * clipped to j's channel group like the forward windows. */
__global__ static void
lrn_backward_kernel (int n, int c, size_t hw, int size, int groups, float alpha, float beta,
                     float *dx, const float *dy, const float *x, const float *y,
                     const float *scale)
{
  int cg = c / groups;
  FOR_EACH_INDEX (i, (size_t) n * groups * hw)
    {
      size_t p = i % hw;
      int g = (int) ((i / hw) % groups);
      size_t base = (i / (hw * groups)) * c * hw + p;
      int first = g * cg, last = first + cg - 1;
      for (int ch = first; ch <= last; ch++)
        {
          int lo = max (ch - (size - 1) / 2, first);
          int hi = min (ch + size / 2, last);
          float acc = 0.0f;
          for (int j = lo; j <= hi; j++)
            {
              size_t at = base + (size_t) j * hw;
              acc += dy[at] * y[at] / scale[at];
            }
          size_t at = base + (size_t) ch * hw;
          dx[at] += dy[at] / powf (scale[at], beta) - 2.0f * alpha * beta * x[at] * acc;
        }
    }
}

extern "C" {

cudaError_t
an_cuda_lrn_forward (cudaStream_t stream, int n, int c, size_t hw, int size, int groups,
                     float alpha, float beta, float k, float *y, float *scale, const float *x)
{
  LAUNCH ((size_t) n * groups * hw, lrn_forward_kernel, n, c, hw, size, groups, alpha, beta, k, y,
          scale, x);
}

cudaError_t
an_cuda_lrn_backward (cudaStream_t stream, int n, int c, size_t hw, int size, int groups,
                      float alpha, float beta, float *dx, const float *dy, const float *x,
                      const float *y, const float *scale)
{
  LAUNCH ((size_t) n * groups * hw, lrn_backward_kernel, n, c, hw, size, groups, alpha, beta, dx,
          dy, x, y, scale);
}

} /* extern "C" */
