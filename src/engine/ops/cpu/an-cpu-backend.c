/* an-cpu-backend.c: the fast CPU backend's table, its memory (plain host memory), its threads and
 * the SGEMM and workspace its op files share; the ops are in one file per family
 * (an-cpu-private.h). Conventions of an-backend.h: OpenMP loops use static schedules and every
 * output element is computed by one thread in a fixed order, so results do not depend on
 * timing; reductions go through fixed-size blocks summed in order, so they do not depend on
 * the thread count either. oneDNN's convolutions (an-cpu-conv-dnnl.c) repeat bit for bit at a
 * given thread count.
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

#include "an-blas.h"
#include "an-cpu-private.h"
#include "an-error.h"

#define AN_CPU_ALIGNMENT 64
/* Chunk target of folded convolutions (tools/kernels/bench-conv.c). */
#define AN_CPU_CONV_FOLD_COLUMNS 4096

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

  /* the library's own thread count is process-wide: every CPU backend in the process wants 1 */
  an_blas_use_one_thread ();
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

static gboolean
cpu_zero (AnBackend *be, void *ptr, size_t bytes, GError **error)
{
  memset (ptr, 0, bytes);
  return TRUE;
}

static gboolean
cpu_copy (AnBackend *be, void *dst, const void *src, size_t bytes, GError **error)
{
  if (bytes > 0)
    memmove (dst, src, bytes);
  return TRUE;
}

/* Two CPU backends are two "virtual devices" in one address space. */
static gboolean
cpu_peer_copy (AnBackend *be, void *dst, AnBackend *src_be, const void *src, size_t bytes,
               GError **error)
{
  return cpu_copy (be, dst, src, bytes, error);
}

static gboolean
cpu_sync (AnBackend *be, GError **error)
{
  return TRUE;
}

static void
cpu_destroy (AnBackend *be)
{
  AnCpuBackend *cpu = (AnCpuBackend *) be;

  an_cpu_dnnl_free (cpu->dnnl);
  free (cpu->work);
  g_free (cpu);
}

#define CPU_OP_(ENUM, field, family, Type) .field = field##_cpu,

static const AnBackendOps an_cpu_ops = {
  .name = "cpu",
  .alloc = cpu_alloc,
  .free = cpu_free,
  .zero = cpu_zero,
  .upload = cpu_copy,
  .download = cpu_copy,
  .copy = cpu_copy,
  .peer_copy = cpu_peer_copy,
  .sync = cpu_sync,
  .destroy = cpu_destroy,
  AN_OP_LIST (CPU_OP_)
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

void
an_backend_cpu_set_kernels (AnBackend *be, AnCpuKernels kernels)
{
  g_return_if_fail (be != NULL && be->ops == &an_cpu_ops);
  ((AnCpuBackend *) be)->kernels = kernels;
}

const char *
an_backend_cpu_conv_kernel (AnBackend *be, const AnConvDesc *d)
{
  const char *dnnl;

  g_return_val_if_fail (be != NULL && be->ops == &an_cpu_ops && d != NULL, NULL);
  if (((AnCpuBackend *) be)->kernels == AN_CPU_KERNELS_ONEDNN &&
      (dnnl = an_cpu_dnnl_conv2d_kernel (be, d)))
    return dnnl;
  return "im2col+sgemm";
}

int
an_backend_cpu_get_threads (AnBackend *be)
{
  g_return_val_if_fail (be != NULL, 0);
  return be->ops == &an_cpu_ops ? an_cpu_threads (be) : 0;
}
