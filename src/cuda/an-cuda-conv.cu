/* an-cuda-kernels.cu: the CUDA backend's kernels (NCHW float32, ARCHITECTURE.md contracts 1, 5, 6).
 *
 * One thread per output element with a grid-stride loop; every backward scatter is written as a
 * gather and every reduction runs in a fixed tree order, so results do not depend on scheduling
 * (no atomics anywhere). Dropout draws from an-rng.h, the same function as the CPU backends.
 */
#include "an-cuda-kernels.h"
#include "an-rng.h"

#include <math.h>

enum { AN_CUDA_BLOCK = 256, AN_CUDA_MAX_GRID = 65535 * 16, AN_CUDA_SQUARES_BLOCKS = 1024 };

static unsigned int
grid_for (size_t count)
{
  size_t blocks = (count + AN_CUDA_BLOCK - 1) / AN_CUDA_BLOCK;
  return (unsigned int) (blocks < AN_CUDA_MAX_GRID ? blocks : AN_CUDA_MAX_GRID);
}

#define FOR_EACH_INDEX(i, count)                                                                \
  for (size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x; i < (count);                  \
       i += (size_t) gridDim.x * blockDim.x)

/* Sums part[0 .. AN_CUDA_BLOCK) into part[0], pairwise in a fixed order. */
__device__ static void
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

/* ---- convolution ---- */

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

__global__ static void
add_bias_rows_kernel (int rows, int cols, const float *b, float *y)
{
  FOR_EACH_INDEX (i, (size_t) rows * cols)
    y[i] += b[i % cols];
}

/* ---- element-wise ---- */

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

__global__ static void
mul_add_kernel (size_t count, float *dx, const float *dy, const float *m)
{
  FOR_EACH_INDEX (i, count)
    dx[i] += dy[i] * m[i];
}

/* ---- LRN: one thread per (image, channel group, pixel), walking the group's channels ---- */

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

/* ---- pooling ---- */

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

/* ---- dropout, concat ---- */

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

/* ---- softmax + cross-entropy: one block per row ---- */

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

/* ---- optimizer, norms ---- */

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

/* ---- launchers ---- */

#define LAUNCH(count, kernel, ...)                                                              \
  do                                                                                            \
    {                                                                                           \
      if ((count) == 0)                                                                         \
        return cudaSuccess;                                                                     \
      kernel<<<grid_for (count), AN_CUDA_BLOCK, 0, stream>>> (__VA_ARGS__);                     \
      return cudaGetLastError ();                                                               \
    }                                                                                           \
  while (0)

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

cudaError_t
an_cuda_add_bias_rows (cudaStream_t stream, int rows, int cols, const float *b, float *y)
{
  LAUNCH ((size_t) rows * cols, add_bias_rows_kernel, rows, cols, b, y);
}

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
