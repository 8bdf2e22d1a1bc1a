/* an-cuda-pool.cu: max pooling (first maximum wins) and PyTorch's adaptive average pooling;
 * both backward passes are gathers over the windows that read each input element.
 */
#include "an-cuda-kernels.cuh"

__global__ static void
maxpool_forward_kernel (size_t planes, int h, int w, int kh, int kw, int sh, int sw, int oh,
                        int ow, float *y, int32_t *argmax, const float *x)
{
  FOR_EACH_INDEX (i, planes * oh * ow)
    {
      int ox = (int) (i % ow);
      int oy = (int) ((i / ow) % oh);
      const float *plane = x + (i / ((size_t) ow * oh)) * h * w;
      int y0 = oy * sh, x0 = ox * sw;
      int best_at = y0 * w + x0;
      float best = plane[best_at];
      for (int ky = 0; ky < kh; ky++)
        for (int kx = 0; kx < kw; kx++)
          {
            int at = (y0 + ky) * w + x0 + kx;
            /* the first maximum wins; a NaN wins over numbers, as on the CPU and in PyTorch */
            if (plane[at] > best || (isnan (plane[at]) && !isnan (best)))
              {
                best = plane[at];
                best_at = at;
              }
          }
      y[i] = best;
      argmax[i] = best_at;
    }
}

/* each input element sums, in window order, the dy of the windows whose maximum it is */
__global__ static void
maxpool_backward_kernel (size_t planes, int h, int w, int kh, int kw, int sh, int sw, int oh,
                         int ow, float *dx, const float *dy, const int32_t *argmax)
{
  FOR_EACH_INDEX (i, planes * h * w)
    {
      int ix = (int) (i % w);
      int iy = (int) ((i / w) % h);
      size_t out_base = (i / ((size_t) w * h)) * oh * ow;
      int here = iy * w + ix;
      int oy_lo = iy - kh + 1 <= 0 ? 0 : (iy - kh + sh) / sh;
      int ox_lo = ix - kw + 1 <= 0 ? 0 : (ix - kw + sw) / sw;
      int oy_hi = min (iy / sh, oh - 1);
      int ox_hi = min (ix / sw, ow - 1);
      float sum = 0.0f;
      for (int oy = oy_lo; oy <= oy_hi; oy++)
        for (int ox = ox_lo; ox <= ox_hi; ox++)
          {
            size_t at = out_base + (size_t) oy * ow + ox;
            if (argmax[at] == here)
              sum += dy[at];
          }
      dx[i] += sum;
    }
}

/* PyTorch's adaptive windows: rows floor(i*H/OH) .. ceil((i+1)*H/OH) - 1 */
__device__ static int
adaptive_start (int i, int in, int out)
{
  return (i * in) / out;
}

__device__ static int
adaptive_end (int i, int in, int out)
{
  return ((i + 1) * in + out - 1) / out;
}

__global__ static void
avgpool_forward_kernel (size_t planes, int h, int w, int oh, int ow, float *y, const float *x)
{
  FOR_EACH_INDEX (i, planes * oh * ow)
    {
      int ox = (int) (i % ow);
      int oy = (int) ((i / ow) % oh);
      const float *plane = x + (i / ((size_t) ow * oh)) * h * w;
      int y0 = adaptive_start (oy, h, oh), y1 = adaptive_end (oy, h, oh);
      int x0 = adaptive_start (ox, w, ow), x1 = adaptive_end (ox, w, ow);
      float sum = 0.0f;
      for (int yy = y0; yy < y1; yy++)
        for (int xx = x0; xx < x1; xx++)
          sum += plane[yy * w + xx];
      y[i] = sum / (float) ((y1 - y0) * (x1 - x0));
    }
}

__global__ static void
avgpool_backward_kernel (size_t planes, int h, int w, int oh, int ow, float *dx, const float *dy)
{
  FOR_EACH_INDEX (i, planes * h * w)
    {
      int ix = (int) (i % w);
      int iy = (int) ((i / w) % h);
      const float *grad = dy + (i / ((size_t) w * h)) * oh * ow;
      float sum = 0.0f;
      for (int oy = 0; oy < oh; oy++)
        {
          int y0 = adaptive_start (oy, h, oh), y1 = adaptive_end (oy, h, oh);
          if (iy < y0 || iy >= y1)
            continue;
          for (int ox = 0; ox < ow; ox++)
            {
              int x0 = adaptive_start (ox, w, ow), x1 = adaptive_end (ox, w, ow);
              if (ix < x0 || ix >= x1)
                continue;
              sum += grad[oy * ow + ox] / (float) ((y1 - y0) * (x1 - x0));
            }
        }
      dx[i] += sum;
    }
}

extern "C" {

cudaError_t
an_cuda_maxpool_forward (cudaStream_t stream, size_t planes, int h, int w, int kh, int kw,
                         int sh, int sw, int oh, int ow, float *y, int32_t *argmax,
                         const float *x)
{
  LAUNCH (planes * oh * ow, maxpool_forward_kernel, planes, h, w, kh, kw, sh, sw, oh, ow, y,
          argmax, x);
}

cudaError_t
an_cuda_maxpool_backward (cudaStream_t stream, size_t planes, int h, int w, int kh, int kw,
                          int sh, int sw, int oh, int ow, float *dx, const float *dy,
                          const int32_t *argmax)
{
  LAUNCH (planes * h * w, maxpool_backward_kernel, planes, h, w, kh, kw, sh, sw, oh, ow, dx, dy,
          argmax);
}

cudaError_t
an_cuda_avgpool_forward (cudaStream_t stream, size_t planes, int h, int w, int oh, int ow,
                         float *y, const float *x)
{
  LAUNCH (planes * oh * ow, avgpool_forward_kernel, planes, h, w, oh, ow, y, x);
}

cudaError_t
an_cuda_avgpool_backward (cudaStream_t stream, size_t planes, int h, int w, int oh, int ow,
                          float *dx, const float *dy)
{
  LAUNCH (planes * h * w, avgpool_backward_kernel, planes, h, w, oh, ow, dx, dy);
}

} /* extern "C" */
