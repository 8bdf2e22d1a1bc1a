/* an-cpu-backend.c: the fast CPU backend's table, memory, and its element-wise, dropout, linear,
 * concat, softmax cross-entropy, SGD and sum-of-squares ops.
 * Conventions of an-backend.h. OpenMP loops use static schedules and every output element is
 * computed by one thread in a fixed order, so results do not depend on timing; reductions go
 * through fixed-size blocks summed in order, so they do not depend on the thread count either.
 */
#define G_LOG_DOMAIN "alexnet-cpu"
#include "config.h"

#include <cblas.h>
#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "an-cpu-private.h"
#include "an-error.h"
#include "an-rng.h"

#define AN_CPU_ALIGNMENT 64
/* Chunk target of folded convolutions (tools/kernels/bench-conv.c). */
#define AN_CPU_CONV_FOLD_COLUMNS 4096
/* sum_squares adds blocks of this many elements, then the block sums in order. */
#define AN_CPU_REDUCE_BLOCK 16384

static const AnBackendOps an_cpu_ops;

int
an_cpu_threads (AnBackend *be)
{
#ifdef _OPENMP
  return be->threads > 0 ? be->threads : omp_get_num_procs ();
#else
  (void) be;
  return 1; /* built without OpenMP: every loop runs on the calling thread */
#endif
}

/* Below this many multiply-adds per thread a GEMM is not worth splitting. */
#define AN_CPU_GEMM_SPLIT_MIN_FLOPS (1 << 18)

void
an_cpu_sgemm (AnBackend *be, gboolean trans_a, gboolean trans_b, int m, int n, int k,
              float alpha, const float *a, int lda, const float *b, int ldb, float beta, float *c,
              int ldc)
{
  const enum CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
  const enum CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;
  int threads = an_cpu_threads (be);
  int slices;

  /* OpenBLAS's thread count is process-wide: every CPU backend in the process wants 1 */
  if (openblas_get_num_threads () != 1)
    openblas_set_num_threads (1);
  slices = (int) MIN ((double) threads, (double) m * n * k / AN_CPU_GEMM_SPLIT_MIN_FLOPS);
  slices = CLAMP (slices, 1, MAX (n / 16, 1));
  if (slices == 1)
    {
      cblas_sgemm (CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      return;
    }

  /* slices of whole 16-column blocks, so every slice starts on a 64-byte boundary */
  int blocks = (n + 15) / 16;

#pragma omp parallel for schedule(static) num_threads(slices)
  for (int s = 0; s < slices; s++)
    {
      int j0 = MIN (blocks * s / slices * 16, n), j1 = MIN (blocks * (s + 1) / slices * 16, n);
      const float *bs = trans_b ? b + (size_t) j0 * ldb : b + j0;

      if (j1 > j0)
        cblas_sgemm (CblasRowMajor, ta, tb, m, j1 - j0, k, alpha, a, lda, bs, ldb, beta, c + j0,
                     ldc);
    }
}

float *
an_cpu_workspace (AnBackend *be, size_t floats)
{
  AnCpuBackend *cpu = (AnCpuBackend *) be;
  void *fresh = NULL;

  if (floats <= cpu->work_size)
    return cpu->work;
  if (floats > SIZE_MAX / sizeof (float) ||
      posix_memalign (&fresh, AN_CPU_ALIGNMENT, floats * sizeof (float)) != 0)
    return NULL;
  free (cpu->work);
  cpu->work = fresh;
  cpu->work_size = floats;
  return cpu->work;
}

static void *
cpu_alloc (AnBackend *be, size_t bytes, GError **error)
{
  void *ptr = NULL;
  /* posix_memalign may answer NULL for 0 bytes; callers expect a pointer they can free */
  size_t rounded = bytes == 0 ? AN_CPU_ALIGNMENT : bytes;

  if (posix_memalign (&ptr, AN_CPU_ALIGNMENT, rounded) != 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_NO_MEMORY,
                   "cpu backend: cannot allocate %" G_GSIZE_FORMAT " bytes", bytes);
      return NULL;
    }
  return ptr;
}

static void
cpu_free (AnBackend *be, void *ptr)
{
  free (ptr);
}

static void
cpu_zero (AnBackend *be, void *ptr, size_t bytes)
{
  memset (ptr, 0, bytes);
}

static void
cpu_copy (AnBackend *be, void *dst, const void *src, size_t bytes)
{
  if (bytes > 0)
    memmove (dst, src, bytes);
}

static gboolean
cpu_sync (AnBackend *be, GError **error)
{
  return TRUE;
}

/* Two CPU backends are two "virtual devices" in one address space. */
static gboolean
cpu_peer_copy (AnBackend *be, void *dst, AnBackend *src_be, const void *src, size_t bytes)
{
  if (src_be->ops != &an_cpu_ops)
    return FALSE;
  cpu_copy (be, dst, src, bytes);
  return TRUE;
}

static void
cpu_destroy (AnBackend *be)
{
  AnCpuBackend *cpu = (AnCpuBackend *) be;

  free (cpu->work);
  g_free (cpu);
}

static void
relu_forward_cpu (AnBackend *be, size_t count, float *y, const float *x)
{
  ptrdiff_t n = (ptrdiff_t) count;

#pragma omp parallel for simd schedule(static) num_threads(an_cpu_threads (be))
  for (ptrdiff_t i = 0; i < n; i++)
    y[i] = (x[i] > 0.0f || x[i] != x[i]) ? x[i] : 0.0f; /* NaN passes, as in PyTorch */
}

static void
relu_backward_cpu (AnBackend *be, size_t count, float *dx, const float *dy, const float *y)
{
  ptrdiff_t n = (ptrdiff_t) count;

#pragma omp parallel for simd schedule(static) num_threads(an_cpu_threads (be))
  for (ptrdiff_t i = 0; i < n; i++)
    dx[i] += y[i] > 0.0f ? dy[i] : 0.0f;
}

static void
dropout_forward_cpu (AnBackend *be, const AnDropoutDesc *d, float *y, float *mask,
                     const float *x)
{
  /* p = 1 keeps nothing (u < 1 always), so the infinite scale is never stored */
  const float scale = 1.0f / (1.0f - d->p);

#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
  for (int r = 0; r < d->n; r++)
    {
      uint64_t base = (uint64_t) r * (uint64_t) d->total_cols + (uint64_t) d->col_offset;
      size_t row = (size_t) r * (size_t) d->cols;

      for (int j = 0; j < d->cols; j++)
        {
          gboolean keep = an_rng_uniform (d->seed, d->stream, base + (uint64_t) j) >= d->p;
          float m = keep ? scale : 0.0f;

          mask[row + j] = m;
          y[row + j] = x[row + j] * m;
        }
    }
}

static void
dropout_backward_cpu (AnBackend *be, size_t count, float *dx, const float *dy,
                      const float *mask)
{
  ptrdiff_t n = (ptrdiff_t) count;

#pragma omp parallel for simd schedule(static) num_threads(an_cpu_threads (be))
  for (ptrdiff_t i = 0; i < n; i++)
    dx[i] += dy[i] * mask[i];
}

static void
linear_forward_cpu (AnBackend *be, const AnLinearDesc *d, float *y, const float *x,
                    const float *w, const float *b)
{
  /* y (N, OUT) starts as the bias and receives x W^T on top */
  for (int r = 0; r < d->n; r++)
    memcpy (y + (size_t) r * d->out, b, (size_t) d->out * sizeof (float));
  an_cpu_sgemm (be, FALSE, TRUE, d->n, d->out, d->in, 1.0f, x, d->in, w, d->in, 1.0f, y, d->out);
}

static void
linear_backward_cpu (AnBackend *be, const AnLinearDesc *d, float *dx, float *dw, float *db,
                     const float *dy, const float *x, const float *w)
{
  if (dx) /* dx (N, IN) += dy (N, OUT) W (OUT, IN) */
    an_cpu_sgemm (be, FALSE, FALSE, d->n, d->in, d->out, 1.0f, dy, d->out, w, d->in, 1.0f, dx,
                  d->in);
  if (dw) /* dW (OUT, IN) += dy^T x */
    an_cpu_sgemm (be, TRUE, FALSE, d->out, d->in, d->n, 1.0f, dy, d->out, x, d->in, 1.0f, dw,
                  d->in);
  if (db)
    {
#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
      for (int o = 0; o < d->out; o++)
        {
          double acc = 0.0;

          for (int r = 0; r < d->n; r++)
            acc += dy[(size_t) r * d->out + o];
          db[o] += (float) acc;
        }
    }
}

static void
concat_forward_cpu (AnBackend *be, int n, int cy, int offset, int cx, int hw, float *y,
                    const float *x)
{
  size_t slice = (size_t) cx * hw;

  for (int i = 0; i < n; i++)
    memcpy (y + ((size_t) i * cy + offset) * hw, x + i * slice, slice * sizeof (float));
}

static void
concat_backward_cpu (AnBackend *be, int n, int cy, int offset, int cx, int hw, float *dx,
                     const float *dy)
{
  ptrdiff_t slice = (ptrdiff_t) cx * hw;

#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
  for (int i = 0; i < n; i++)
    {
      const float *src = dy + ((size_t) i * cy + offset) * hw;
      float *dst = dx + i * slice;

      for (ptrdiff_t j = 0; j < slice; j++)
        dst[j] += src[j];
    }
}

/* Writes one row of probabilities and returns its cross-entropy, computed in double. */
static double
softmax_xent_row (int k, float *p, const float *z, int32_t label)
{
  float zmax = z[0];
  double sum = 0.0;

  for (int j = 1; j < k; j++)
    zmax = z[j] > zmax ? z[j] : zmax;
  for (int j = 0; j < k; j++)
    sum += exp ((double) z[j] - zmax);
  for (int j = 0; j < k; j++)
    p[j] = (float) (exp ((double) z[j] - zmax) / sum);
  return log (sum) + zmax - z[label];
}

static double
softmax_xent_forward_cpu (AnBackend *be, int n, int k, float *probs, const float *logits,
                          const int32_t *labels)
{
  double *row_loss = (double *) an_cpu_workspace (be, 2 * (size_t) n);
  double total = 0.0;

  if (!row_loss) /* no room for n doubles: one thread, rows in order */
    {
      for (int r = 0; r < n; r++)
        total += softmax_xent_row (k, probs + (size_t) r * k, logits + (size_t) r * k, labels[r]);
      return total / n;
    }

#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
  for (int r = 0; r < n; r++)
    row_loss[r] = softmax_xent_row (k, probs + (size_t) r * k, logits + (size_t) r * k, labels[r]);
  for (int r = 0; r < n; r++)
    total += row_loss[r];
  return total / n;
}

static void
softmax_xent_backward_cpu (AnBackend *be, int n, int k, float *dlogits, const float *probs,
                           const int32_t *labels)
{
  const float inv_n = 1.0f / (float) n;

#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
  for (int r = 0; r < n; r++)
    {
      const float *p = probs + (size_t) r * k;
      float *g = dlogits + (size_t) r * k;

      for (int j = 0; j < k; j++)
        g[j] += (p[j] - (j == labels[r] ? 1.0f : 0.0f)) * inv_n;
    }
}

static void
sgd_update_cpu (AnBackend *be, const AnSgdDesc *d, size_t count, float *w, float *v,
                const float *g)
{
  const float lr = d->lr, mu = d->momentum, wd = d->weight_decay;
  ptrdiff_t n = (ptrdiff_t) count;

  switch (d->rule)
    {
    case AN_SGD_RULE_PYTORCH:
#pragma omp parallel for simd schedule(static) num_threads(an_cpu_threads (be))
      for (ptrdiff_t i = 0; i < n; i++)
        {
          v[i] = mu * v[i] + (g[i] + wd * w[i]);
          w[i] -= lr * v[i];
        }
      break;
    case AN_SGD_RULE_PAPER:
#pragma omp parallel for simd schedule(static) num_threads(an_cpu_threads (be))
      for (ptrdiff_t i = 0; i < n; i++)
        {
          v[i] = mu * v[i] - wd * lr * w[i] - lr * g[i];
          w[i] += v[i];
        }
      break;
    default:
      g_return_if_reached ();
    }
}

static double
block_sum_squares (const float *x, size_t count)
{
  double acc = 0.0;

  for (size_t i = 0; i < count; i++)
    acc += (double) x[i] * x[i];
  return acc;
}

static double
sum_squares_cpu (AnBackend *be, size_t count, const float *x)
{
  ptrdiff_t blocks = (ptrdiff_t) ((count + AN_CPU_REDUCE_BLOCK - 1) / AN_CPU_REDUCE_BLOCK);
  double *partial = (double *) an_cpu_workspace (be, 2 * (size_t) blocks);
  double total = 0.0;

  if (!partial)
    return block_sum_squares (x, count);

#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
  for (ptrdiff_t b = 0; b < blocks; b++)
    {
      size_t start = (size_t) b * AN_CPU_REDUCE_BLOCK;
      size_t len = MIN ((size_t) AN_CPU_REDUCE_BLOCK, count - start);

      partial[b] = block_sum_squares (x + start, len);
    }
  for (ptrdiff_t b = 0; b < blocks; b++)
    total += partial[b];
  return total;
}

static const AnBackendOps an_cpu_ops = {
  .name = "cpu",
  .alloc = cpu_alloc,
  .free = cpu_free,
  .zero = cpu_zero,
  .upload = cpu_copy,
  .download = cpu_copy,
  .copy = cpu_copy,
  .sync = cpu_sync,
  .peer_copy = cpu_peer_copy,
  .destroy = cpu_destroy,
  .conv2d_forward = an_cpu_conv2d_forward,
  .conv2d_backward = an_cpu_conv2d_backward,
  .relu_forward = relu_forward_cpu,
  .relu_backward = relu_backward_cpu,
  .lrn_forward = an_cpu_lrn_forward,
  .lrn_backward = an_cpu_lrn_backward,
  .maxpool_forward = an_cpu_maxpool_forward,
  .maxpool_backward = an_cpu_maxpool_backward,
  .avgpool_forward = an_cpu_avgpool_forward,
  .avgpool_backward = an_cpu_avgpool_backward,
  .dropout_forward = dropout_forward_cpu,
  .dropout_backward = dropout_backward_cpu,
  .linear_forward = linear_forward_cpu,
  .linear_backward = linear_backward_cpu,
  .concat_forward = concat_forward_cpu,
  .concat_backward = concat_backward_cpu,
  .softmax_xent_forward = softmax_xent_forward_cpu,
  .softmax_xent_backward = softmax_xent_backward_cpu,
  .sgd_update = sgd_update_cpu,
  .sum_squares = sum_squares_cpu,
};

AnBackend *
an_backend_cpu_new (int device_index, int threads)
{
  AnCpuBackend *cpu = g_new0 (AnCpuBackend, 1);

  cpu->base.ops = &an_cpu_ops;
  cpu->base.device_index = device_index;
  cpu->base.threads = MAX (threads, 0);
  cpu->conv_fold_columns = AN_CPU_CONV_FOLD_COLUMNS;
  return &cpu->base;
}

void
an_backend_cpu_set_threads (AnBackend *be, int threads)
{
  g_return_if_fail (be != NULL && be->ops == &an_cpu_ops);
  be->threads = MAX (threads, 0);
}
