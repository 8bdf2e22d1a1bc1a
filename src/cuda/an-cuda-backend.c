/* an-cuda-backend.c: the CUDA backend's table (an-backend.h): its context, memory, cuBLAS
 * GEMMs and creation. The ops are in one file per family (an-cuda-FAMILY.c, their kernels in
 * an-cuda-FAMILY.cu). Memory calls report their failure as they return; a queued kernel's
 * failure is kept and reported by ->sync.
 */
#define G_LOG_DOMAIN "alexnet-cuda"
#include "config.h"

#include <math.h>

#include "an-cuda-private.h"
#include "an-error.h"

/* A convolution processes as many images at once as fit in this much workspace (at least one):
 * large enough for full-width GEMMs, small next to a GPU's memory. AN_CUDA_WORKSPACE_MIB
 * overrides it (smaller GPUs; the tests use it to force several passes). */
#define AN_CUDA_CONV_WORKSPACE_MIB 512

#define MIB(bytes) ((double) (bytes) / (1024.0 * 1024.0))

void
an_cuda_note (AnCudaBackend *ctx, cudaError_t err, const char *what)
{
  if (err == cudaSuccess || ctx->pending != NULL)
    return;
  g_set_error (&ctx->pending, AN_ERROR, AN_ERROR_DEVICE, "CUDA device %d: %s failed: %s (%s)",
               ctx->device, what, cudaGetErrorString (err), cudaGetErrorName (err));
}

void
an_cuda_note_cublas (AnCudaBackend *ctx, cublasStatus_t status, const char *what)
{
  if (status == CUBLAS_STATUS_SUCCESS || ctx->pending != NULL)
    return;
  g_set_error (&ctx->pending, AN_ERROR, AN_ERROR_DEVICE, "CUDA device %d: cuBLAS %s failed: %s",
               ctx->device, what, cublasGetStatusString (status));
}

AnCudaBackend *
an_cuda_enter (AnBackend *be)
{
  AnCudaBackend *ctx = (AnCudaBackend *) be;
  an_cuda_note (ctx, cudaSetDevice (ctx->device), "selecting the device");
  return ctx;
}

/* A memory call's own result: FALSE + error naming the device and the call on failure. */
static gboolean
check_call (AnCudaBackend *ctx, cudaError_t err, const char *what, size_t bytes, GError **error)
{
  if (err == cudaSuccess)
    return TRUE;
  /* a failed copy or memset is not sticky: clear it so the next call does not see it */
  cudaGetLastError ();
  g_set_error (error, AN_ERROR, AN_ERROR_DEVICE, "CUDA device %d: %s %.1f MiB failed: %s (%s)",
               ctx->device, what, MIB (bytes), cudaGetErrorString (err), cudaGetErrorName (err));
  return FALSE;
}

/* Selects the device for a memory call; FALSE + error when that fails. */
static AnCudaBackend *
enter_checked (AnBackend *be, GError **error)
{
  AnCudaBackend *ctx = (AnCudaBackend *) be;
  return check_call (ctx, cudaSetDevice (ctx->device), "selecting the device for", 0, error)
           ? ctx
           : NULL;
}

static void
set_no_memory_error (GError **error, int device, size_t bytes, const char *what)
{
  size_t free_bytes = 0, total_bytes = 0;
  if (cudaMemGetInfo (&free_bytes, &total_bytes) != cudaSuccess)
    cudaGetLastError ();
  g_set_error (error, AN_ERROR, AN_ERROR_NO_MEMORY,
               "CUDA device %d: out of memory allocating %.1f MiB for %s (%.1f MiB free of "
               "%.1f MiB); try a smaller batch",
               device, MIB (bytes), what, MIB (free_bytes), MIB (total_bytes));
}

/* cudaMalloc, with a failure described as AN_ERROR_NO_MEMORY or AN_ERROR_DEVICE */
static void *
device_malloc (int device, size_t bytes, const char *what, GError **error)
{
  void *ptr = NULL;
  cudaError_t err = cudaMalloc (&ptr, bytes > 0 ? bytes : 1);
  if (err == cudaSuccess)
    return ptr;
  /* an allocation failure is not sticky: clear it so the next call does not see it */
  cudaGetLastError ();
  if (err == cudaErrorMemoryAllocation)
    set_no_memory_error (error, device, bytes, what);
  else
    g_set_error (error, AN_ERROR, AN_ERROR_DEVICE, "CUDA device %d: allocating %.1f MiB for %s "
                 "failed: %s", device, MIB (bytes), what, cudaGetErrorString (err));
  return NULL;
}

float *
an_cuda_workspace (AnCudaBackend *ctx, size_t floats)
{
  size_t bytes = floats * sizeof (float);
  if (bytes <= ctx->workspace_bytes)
    return ctx->workspace;
  /* queued kernels may still read the old workspace */
  an_cuda_note (ctx, cudaStreamSynchronize (ctx->stream), "waiting to grow the workspace");
  an_cuda_note (ctx, cudaFree (ctx->workspace), "freeing the workspace");
  ctx->workspace = NULL;
  ctx->workspace_bytes = 0;
  GError *error = NULL;
  ctx->workspace = device_malloc (ctx->device, bytes, "the convolution workspace", &error);
  if (ctx->workspace == NULL)
    {
      if (ctx->pending == NULL)
        g_propagate_error (&ctx->pending, error);
      else
        g_error_free (error);
      return NULL;
    }
  ctx->workspace_bytes = bytes;
  return ctx->workspace;
}

double *
an_cuda_scratch (AnCudaBackend *ctx, size_t count)
{
  if (count <= ctx->scratch_count)
    return ctx->scratch;
  an_cuda_note (ctx, cudaStreamSynchronize (ctx->stream), "waiting to grow the scratch buffer");
  an_cuda_note (ctx, cudaFree (ctx->scratch), "freeing the scratch buffer");
  ctx->scratch = NULL;
  ctx->scratch_count = 0;
  GError *error = NULL;
  ctx->scratch = device_malloc (ctx->device, count * sizeof (double), "reductions", &error);
  if (ctx->scratch == NULL)
    {
      if (ctx->pending == NULL)
        g_propagate_error (&ctx->pending, error);
      else
        g_error_free (error);
      return NULL;
    }
  ctx->scratch_count = count;
  return ctx->scratch;
}

/* op(A) (m, k), op(B) (k, n); lda, ldb, ldc are the row lengths of the matrices as stored.
 * cuBLAS is column-major, where a stored row-major matrix reads as its transpose: compute
 * C^T = op(B)^T op(A)^T by swapping operands. */
void
an_cuda_gemm (AnCudaBackend *ctx, gboolean trans_a, gboolean trans_b, int m, int n, int k,
              float alpha, const float *a, int lda, const float *b, int ldb, float beta, float *c,
              int ldc)
{
  if (m <= 0 || n <= 0)
    return;
  an_cuda_note_cublas (ctx,
                       cublasSgemm (ctx->cublas, trans_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                                    trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, &alpha, b, ldb,
                                    a, lda, &beta, c, ldc),
                       "sgemm");
}

double
an_cuda_download_double (AnCudaBackend *ctx, const double *src)
{
  double value = NAN;
  cudaError_t err = cudaMemcpyAsync (&value, src, sizeof value, cudaMemcpyDeviceToHost,
                                     ctx->stream);
  an_cuda_note (ctx, err, "downloading a result");
  if (err == cudaSuccess)
    an_cuda_note (ctx, err = cudaStreamSynchronize (ctx->stream), "waiting for a result");
  return err == cudaSuccess ? value : NAN;
}

/* ---- memory ---- */

static void *
cuda_alloc (AnBackend *be, size_t bytes, GError **error)
{
  AnCudaBackend *ctx = enter_checked (be, error);
  return ctx ? device_malloc (ctx->device, bytes, "a tensor", error) : NULL;
}

static void
cuda_free (AnBackend *be, void *ptr)
{
  if (ptr == NULL)
    return;
  AnCudaBackend *ctx = an_cuda_enter (be);
  an_cuda_note (ctx, cudaStreamSynchronize (ctx->stream), "waiting before a free");
  an_cuda_note (ctx, cudaFree (ptr), "freeing memory");
}

static gboolean
cuda_zero (AnBackend *be, void *ptr, size_t bytes, GError **error)
{
  AnCudaBackend *ctx = enter_checked (be, error);
  return ctx && check_call (ctx, cudaMemsetAsync (ptr, 0, bytes, ctx->stream), "zeroing", bytes,
                            error);
}

static gboolean
cuda_upload (AnBackend *be, void *dst, const void *host_src, size_t bytes, GError **error)
{
  AnCudaBackend *ctx = enter_checked (be, error);
  /* from pageable memory this returns once the source has been staged: the caller may reuse it */
  return ctx && check_call (ctx,
                            cudaMemcpyAsync (dst, host_src, bytes, cudaMemcpyHostToDevice,
                                             ctx->stream),
                            "uploading", bytes, error);
}

static gboolean
cuda_download (AnBackend *be, void *host_dst, const void *src, size_t bytes, GError **error)
{
  AnCudaBackend *ctx = enter_checked (be, error);
  return ctx &&
         check_call (ctx,
                     cudaMemcpyAsync (host_dst, src, bytes, cudaMemcpyDeviceToHost, ctx->stream),
                     "downloading", bytes, error) &&
         check_call (ctx, cudaStreamSynchronize (ctx->stream), "waiting for a download of",
                     bytes, error);
}

static gboolean
cuda_copy (AnBackend *be, void *dst, const void *src, size_t bytes, GError **error)
{
  AnCudaBackend *ctx = enter_checked (be, error);
  return ctx && check_call (ctx,
                            cudaMemcpyAsync (dst, src, bytes, cudaMemcpyDeviceToDevice,
                                             ctx->stream),
                            "copying", bytes, error);
}

static gboolean
cuda_sync (AnBackend *be, GError **error)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  an_cuda_note (ctx, cudaStreamSynchronize (ctx->stream), "a queued kernel or copy");
  an_cuda_note (ctx, cudaGetLastError (), "a queued kernel");
  if (ctx->pending != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&ctx->pending));
      return FALSE;
    }
  return TRUE;
}

/* The copy runs on the destination's stream after all work queued on the source's stream, and
 * the source's stream does not run past it (it could overwrite src): one event each way. This
 * holds for two devices and for two streams of one device alike. */
static gboolean
cuda_peer_copy (AnBackend *be, void *dst, AnBackend *src_be, const void *src, size_t bytes,
                GError **error)
{
  AnCudaBackend *from = enter_checked (src_be, error);
  if (!from || !check_call (from, cudaEventRecord (from->event, from->stream),
                            "recording a copy event before copying", bytes, error))
    return FALSE;

  AnCudaBackend *to = enter_checked (be, error);
  if (!to || !check_call (to, cudaStreamWaitEvent (to->stream, from->event, 0),
                          "waiting for the source of", bytes, error))
    return FALSE;
  cudaError_t err = to->device == from->device
                      ? cudaMemcpyAsync (dst, src, bytes, cudaMemcpyDeviceToDevice, to->stream)
                      : cudaMemcpyPeerAsync (dst, to->device, src, from->device, bytes,
                                             to->stream);
  if (!check_call (to, err, "copying between devices", bytes, error) ||
      !check_call (to, cudaEventRecord (to->event, to->stream),
                   "recording a copy event after copying", bytes, error))
    return FALSE;

  return enter_checked (src_be, error) &&
         check_call (from, cudaStreamWaitEvent (from->stream, to->event, 0),
                     "waiting for the copy of", bytes, error);
}

static void
cuda_destroy (AnBackend *be)
{
  AnCudaBackend *ctx = (AnCudaBackend *) be;
  /* errors here have nowhere to go: the backend is going away */
  if (cudaSetDevice (ctx->device) == cudaSuccess)
    {
      cudaStreamSynchronize (ctx->stream);
      cudaFree (ctx->workspace);
      cudaFree (ctx->scratch);
      cublasDestroy (ctx->cublas);
      cudaEventDestroy (ctx->event);
      cudaStreamDestroy (ctx->stream);
    }
  cudaGetLastError ();
  g_clear_error (&ctx->pending);
  g_free (ctx);
}

#define CUDA_OP_(ENUM, field, family, Type) .field = field##_cuda,

static const AnBackendOps cuda_ops = {
  .name = "cuda",
  .alloc = cuda_alloc,
  .free = cuda_free,
  .zero = cuda_zero,
  .upload = cuda_upload,
  .download = cuda_download,
  .copy = cuda_copy,
  .peer_copy = cuda_peer_copy,
  .sync = cuda_sync,
  .destroy = cuda_destroy,
  AN_OP_LIST (CUDA_OP_)
};

int
an_cuda_device_count (char **why_not)
{
  int count = 0;
  cudaError_t err = cudaGetDeviceCount (&count);
  if (err != cudaSuccess)
    {
      /* no driver, a stub driver, a driver older than the runtime: all mean "no GPU" */
      cudaGetLastError ();
      if (why_not != NULL)
        *why_not = g_strdup_printf ("CUDA is unavailable: %s (%s)", cudaGetErrorString (err),
                                    cudaGetErrorName (err));
      return 0;
    }
  if (count <= 0 && why_not != NULL)
    *why_not = g_strdup ("no CUDA device was found");
  return MAX (count, 0);
}

gboolean
an_cuda_available (void)
{
  return an_cuda_device_count (NULL) > 0;
}

/* A setup step's failure as AN_ERROR_DEVICE naming the step. */
static gboolean
check_setup (cudaError_t err, int device, const char *what, GError **error)
{
  if (err == cudaSuccess)
    return TRUE;
  cudaGetLastError ();
  g_set_error (error, AN_ERROR, AN_ERROR_DEVICE, "CUDA device %d: %s failed: %s", device, what,
               cudaGetErrorString (err));
  return FALSE;
}

AnBackend *
an_backend_cuda_new (int device_index, GError **error)
{
  char *why_not = NULL;
  int count = an_cuda_device_count (&why_not);
  if (count == 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_NO_DEVICE, "cuda:%d: %s", device_index, why_not);
      g_free (why_not);
      return NULL;
    }
  if (device_index < 0 || device_index >= count)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_NO_DEVICE,
                   "cuda:%d: no such device (this machine has %d CUDA device%s: cuda:0..cuda:%d)",
                   device_index, count, count == 1 ? "" : "s", count - 1);
      return NULL;
    }

  if (!check_setup (cudaSetDevice (device_index), device_index, "selecting the device", error))
    return NULL;
  AnCudaBackend *ctx = g_new0 (AnCudaBackend, 1);
  ctx->parent.ops = &cuda_ops;
  ctx->parent.device_index = device_index;
  ctx->device = device_index;
  const char *cap_mib = g_getenv ("AN_CUDA_WORKSPACE_MIB");
  guint64 mib = cap_mib ? g_ascii_strtoull (cap_mib, NULL, 10) : 0;
  ctx->conv_workspace_cap = (size_t) (mib > 0 ? mib : AN_CUDA_CONV_WORKSPACE_MIB) << 20;
  if (!check_setup (cudaStreamCreateWithFlags (&ctx->stream, cudaStreamNonBlocking), device_index,
                    "creating a stream", error))
    {
      g_free (ctx);
      return NULL;
    }
  if (!check_setup (cudaEventCreateWithFlags (&ctx->event, cudaEventDisableTiming), device_index,
                    "creating an event", error))
    {
      cudaStreamDestroy (ctx->stream);
      g_free (ctx);
      return NULL;
    }
  cublasStatus_t status = cublasCreate (&ctx->cublas);
  if (status == CUBLAS_STATUS_SUCCESS)
    status = cublasSetStream (ctx->cublas, ctx->stream);
  if (status == CUBLAS_STATUS_SUCCESS)
    {
      /* FP32 GEMMs unless asked: TF32 changes results in the 4th significant digit */
      gboolean tf32 = g_strcmp0 (g_getenv ("AN_CUDA_TF32"), "1") == 0;
      status = cublasSetMathMode (ctx->cublas,
                                  tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH);
    }
  if (status != CUBLAS_STATUS_SUCCESS)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_DEVICE, "CUDA device %d: setting up cuBLAS failed: %s",
                   device_index, cublasGetStatusString (status));
      if (ctx->cublas != NULL)
        cublasDestroy (ctx->cublas);
      cudaEventDestroy (ctx->event);
      cudaStreamDestroy (ctx->stream);
      g_free (ctx);
      return NULL;
    }
  return &ctx->parent;
}
