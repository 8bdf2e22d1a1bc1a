/* an-cuda-conv.cu: the convolution's kernels: im2col of a slice of images and channels,
 * col2im written as a gather, the GEMM output's layout and bias, and the bias gradient
 * (one block per channel, summed in a fixed order; the linear layer reuses it).
 */
#include "an-cuda-kernels.cuh"

__global__ static void
im2col_kernel (AnCudaConvSlice s, const float *x, float *col)
{
  size_t ohw = (size_t) s.oh * s.ow;
  size_t cols = (size_t) s.nb * ohw;
  size_t total = (size_t) s.cg * s.kh * s.kw * cols;
  FOR_EACH_INDEX (i, total)
    {
      size_t q = i % cols;
      size_t r = i / cols;
      int kx = (int) (r % s.kw);
      int ky = (int) ((r / s.kw) % s.kh);
      int ci = (int) (r / ((size_t) s.kw * s.kh));
      int nl = (int) (q / ohw);
      int p = (int) (q % ohw);
      int iy = (p / s.ow) * s.sh - s.ph + ky;
      int ix = (p % s.ow) * s.sw - s.pw + kx;
      float v = 0.0f;
      if (iy >= 0 && iy < s.h && ix >= 0 && ix < s.w)
        v = x[(((size_t) (s.n0 + nl) * s.c + s.c0 + ci) * s.h + iy) * s.w + ix];
      col[i] = v;
    }
}

__global__ static void
col2im_add_kernel (AnCudaConvSlice s, const float *col, float *dx)
{
  size_t ohw = (size_t) s.oh * s.ow;
  size_t total = (size_t) s.nb * s.cg * s.h * s.w;
  FOR_EACH_INDEX (i, total)
    {
      int ix = (int) (i % s.w);
      int iy = (int) ((i / s.w) % s.h);
      int ci = (int) ((i / ((size_t) s.w * s.h)) % s.cg);
      int nl = (int) (i / ((size_t) s.w * s.h * s.cg));
      float sum = 0.0f;
      for (int ky = 0; ky < s.kh; ky++)
        {
          int ty = iy + s.ph - ky;
          if (ty < 0 || ty % s.sh != 0 || ty / s.sh >= s.oh)
            continue;
          int oy = ty / s.sh;
          for (int kx = 0; kx < s.kw; kx++)
            {
              int tx = ix + s.pw - kx;
              if (tx < 0 || tx % s.sw != 0 || tx / s.sw >= s.ow)
                continue;
              int ox = tx / s.sw;
              size_t row = ((size_t) ci * s.kh + ky) * s.kw + kx;
              sum += col[(row * s.nb + nl) * ohw + (size_t) oy * s.ow + ox];
            }
        }
      dx[(((size_t) (s.n0 + nl) * s.c + s.c0 + ci) * s.h + iy) * s.w + ix] += sum;
    }
}

__global__ static void
conv_output_kernel (int oc, int oc0, int ocg, size_t ohw, int n0, int nb, const float *tmp,
                    const float *b, float *y)
{
  size_t total = (size_t) nb * ocg * ohw;
  FOR_EACH_INDEX (i, total)
    {
      size_t p = i % ohw;
      int o = (int) ((i / ohw) % ocg);
      int nl = (int) (i / (ohw * ocg));
      float v = tmp[((size_t) o * nb + nl) * ohw + p];
      if (b)
        v += b[oc0 + o];
      y[((size_t) (n0 + nl) * oc + oc0 + o) * ohw + p] = v;
    }
}

__global__ static void
conv_gather_dy_kernel (int oc, int oc0, int ocg, size_t ohw, int n0, int nb, const float *dy,
                       float *tmp)
{
  size_t total = (size_t) nb * ocg * ohw;
  FOR_EACH_INDEX (i, total)
    {
      size_t p = i % ohw;
      int o = (int) ((i / ohw) % ocg);
      int nl = (int) (i / (ohw * ocg));
      tmp[((size_t) o * nb + nl) * ohw + p] = dy[((size_t) (n0 + nl) * oc + oc0 + o) * ohw + p];
    }
}

/* one block per channel */
__global__ static void
bias_grad_kernel (int n, int c, size_t hw, const float *dy, float *db)
{
  __shared__ double part[AN_CUDA_BLOCK];
  int ch = blockIdx.x;
  size_t count = (size_t) n * hw;
  double sum = 0.0;
  for (size_t i = threadIdx.x; i < count; i += AN_CUDA_BLOCK)
    sum += dy[((i / hw) * c + ch) * hw + i % hw];
  part[threadIdx.x] = sum;
  block_sum_double (part);
  if (threadIdx.x == 0)
    db[ch] += (float) part[0];
}

extern "C" {

cudaError_t
an_cuda_im2col (cudaStream_t stream, const AnCudaConvSlice *s, const float *x, float *col)
{
  LAUNCH ((size_t) s->cg * s->kh * s->kw * s->nb * s->oh * s->ow, im2col_kernel, *s, x, col);
}

cudaError_t
an_cuda_col2im_add (cudaStream_t stream, const AnCudaConvSlice *s, const float *col, float *dx)
{
  LAUNCH ((size_t) s->nb * s->cg * s->h * s->w, col2im_add_kernel, *s, col, dx);
}

cudaError_t
an_cuda_conv_output (cudaStream_t stream, int oc, int oc0, int ocg, size_t ohw, int n0, int nb,
                     const float *tmp, const float *b, float *y)
{
  LAUNCH ((size_t) nb * ocg * ohw, conv_output_kernel, oc, oc0, ocg, ohw, n0, nb, tmp, b, y);
}

cudaError_t
an_cuda_conv_gather_dy (cudaStream_t stream, int oc, int oc0, int ocg, size_t ohw, int n0,
                        int nb, const float *dy, float *tmp)
{
  LAUNCH ((size_t) nb * ocg * ohw, conv_gather_dy_kernel, oc, oc0, ocg, ohw, n0, nb, dy, tmp);
}

cudaError_t
an_cuda_bias_grad (cudaStream_t stream, int n, int c, size_t hw, const float *dy, float *db)
{
  if (c <= 0)
    return cudaSuccess;
  bias_grad_kernel<<<c, AN_CUDA_BLOCK, 0, stream>>> (n, c, hw, dy, db);
  return cudaGetLastError ();
}

} /* extern "C" */
