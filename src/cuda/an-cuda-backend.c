/* an-cuda.c: the CUDA backend's table (an-backend.h): context, memory, cuBLAS GEMMs, launches.
 *
 * One context per backend: its device (set at every entry point, so two backends can share a
 * thread), its own non-blocking stream, a cuBLAS handle bound to that stream (FP32 math; TF32
 * only when AN_CUDA_TF32=1), a workspace that grows to the largest convolution, and an event for
 * ordering peer copies. Ops cannot fail: the first error is kept and reported by ->sync.
 */
#define G_LOG_DOMAIN "alexnet-cuda"
#include "config.h"

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <math.h>

#include "an-backend.h"
#include "an-cuda-kernels.h"
#include "an-error.h"

/* A convolution processes as many images at once as fit in this much workspace (at least one):
 * large enough for full-width GEMMs, small next to a GPU's memory. AN_CUDA_WORKSPACE_MIB
 * overrides it (smaller GPUs; the tests use it to force several passes). */
#define AN_CUDA_CONV_WORKSPACE_MIB 512

#define MIB(bytes) ((double) (bytes) / (1024.0 * 1024.0))

typedef struct {
  AnBackend parent;
  int device;
  cudaStream_t stream;
  cudaEvent_t event;
  cublasHandle_t cublas;
  float *workspace;
  size_t workspace_bytes;
  double *scratch;
  size_t scratch_count;
  size_t conv_workspace_cap; /* bytes */
  GError *pending; /* first failure since the last sync */
} AnCudaBackend;

static const AnBackendOps cuda_ops;

static void
note_cuda (AnCudaBackend *ctx, cudaError_t err, const char *what)
{
  if (err == cudaSuccess || ctx->pending != NULL)
    return;
  g_set_error (&ctx->pending, AN_ERROR, AN_ERROR_DEVICE, "CUDA device %d: %s failed: %s (%s)",
               ctx->device, what, cudaGetErrorString (err), cudaGetErrorName (err));
}

static void
note_cublas (AnCudaBackend *ctx, cublasStatus_t status, const char *what)
{
  if (status == CUBLAS_STATUS_SUCCESS || ctx->pending != NULL)
    return;
  g_set_error (&ctx->pending, AN_ERROR, AN_ERROR_DEVICE, "CUDA device %d: cuBLAS %s failed: %s",
               ctx->device, what, cublasGetStatusString (status));
}

static AnCudaBackend *
enter (AnBackend *be)
{
  AnCudaBackend *ctx = (AnCudaBackend *) be;
  note_cuda (ctx, cudaSetDevice (ctx->device), "selecting the device");
  return ctx;
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

static float *
workspace (AnCudaBackend *ctx, size_t floats)
{
  size_t bytes = floats * sizeof (float);
  if (bytes <= ctx->workspace_bytes)
    return ctx->workspace;
  /* queued kernels may still read the old workspace */
  note_cuda (ctx, cudaStreamSynchronize (ctx->stream), "waiting to grow the workspace");
  note_cuda (ctx, cudaFree (ctx->workspace), "freeing the workspace");
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

static double *
scratch (AnCudaBackend *ctx, size_t count)
{
  if (count <= ctx->scratch_count)
    return ctx->scratch;
  note_cuda (ctx, cudaStreamSynchronize (ctx->stream), "waiting to grow the scratch buffer");
  note_cuda (ctx, cudaFree (ctx->scratch), "freeing the scratch buffer");
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

/* Row-major C (m, n) = alpha op(A) op(B) + beta C with op(A) (m, k), op(B) (k, n); lda, ldb,
 * ldc are the row lengths of the matrices as stored. cuBLAS is column-major, where a stored
 * row-major matrix reads as its transpose: compute C^T = op(B)^T op(A)^T by swapping operands. */
static void
gemm_row_major (AnCudaBackend *ctx, gboolean trans_a, gboolean trans_b, int m, int n, int k,
                float alpha, const float *a, int lda, const float *b, int ldb, float beta,
                float *c, int ldc)
{
  if (m <= 0 || n <= 0)
    return;
  note_cublas (ctx,
               cublasSgemm (ctx->cublas, trans_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                            trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, &alpha, b, ldb, a, lda,
                            &beta, c, ldc),
               "sgemm");
}

/* ---- memory ---- */

static void *
cuda_alloc (AnBackend *be, size_t bytes, GError **error)
{
  AnCudaBackend *ctx = enter (be);
  return device_malloc (ctx->device, bytes, "a tensor", error);
}

static void
cuda_free (AnBackend *be, void *ptr)
{
  if (ptr == NULL)
    return;
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx, cudaStreamSynchronize (ctx->stream), "waiting before a free");
  note_cuda (ctx, cudaFree (ptr), "freeing memory");
}

static void
cuda_zero (AnBackend *be, void *ptr, size_t bytes)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx, cudaMemsetAsync (ptr, 0, bytes, ctx->stream), "zeroing memory");
}

static void
cuda_upload (AnBackend *be, void *dst, const void *host_src, size_t bytes)
{
  AnCudaBackend *ctx = enter (be);
  /* from pageable memory this returns once the source has been staged: the caller may reuse it */
  note_cuda (ctx, cudaMemcpyAsync (dst, host_src, bytes, cudaMemcpyHostToDevice, ctx->stream),
             "uploading");
}

static void
cuda_download (AnBackend *be, void *host_dst, const void *src, size_t bytes)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx, cudaMemcpyAsync (host_dst, src, bytes, cudaMemcpyDeviceToHost, ctx->stream),
             "downloading");
  note_cuda (ctx, cudaStreamSynchronize (ctx->stream), "waiting for a download");
}

static void
cuda_copy (AnBackend *be, void *dst, const void *src, size_t bytes)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx, cudaMemcpyAsync (dst, src, bytes, cudaMemcpyDeviceToDevice, ctx->stream),
             "copying");
}

static gboolean
cuda_sync (AnBackend *be, GError **error)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx, cudaStreamSynchronize (ctx->stream), "a queued kernel or copy");
  note_cuda (ctx, cudaGetLastError (), "a queued kernel");
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
cuda_peer_copy (AnBackend *be, void *dst, AnBackend *src_be, const void *src, size_t bytes)
{
  if (src_be->ops != &cuda_ops)
    return FALSE;
  AnCudaBackend *from = enter (src_be);
  note_cuda (from, cudaEventRecord (from->event, from->stream), "recording a copy event");

  AnCudaBackend *to = enter (be);
  note_cuda (to, cudaStreamWaitEvent (to->stream, from->event, 0), "waiting for the source");
  if (to->device == from->device)
    note_cuda (to, cudaMemcpyAsync (dst, src, bytes, cudaMemcpyDeviceToDevice, to->stream),
               "copying between streams");
  else
    note_cuda (to, cudaMemcpyPeerAsync (dst, to->device, src, from->device, bytes, to->stream),
               "copying between devices");
  note_cuda (to, cudaEventRecord (to->event, to->stream), "recording a copy event");

  enter (src_be);
  note_cuda (from, cudaStreamWaitEvent (from->stream, to->event, 0), "waiting for the copy");
  return TRUE;
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

/* ---- convolution: im2col + one GEMM per group, the batch folded into the GEMM's columns ---- */

static int
conv_images_per_pass (AnCudaBackend *ctx, int n, size_t floats_per_image)
{
  size_t fit = ctx->conv_workspace_cap / sizeof (float) / MAX (floats_per_image, 1);
  return (int) CLAMP (fit, 1, (size_t) MAX (n, 1));
}

static AnCudaConvSlice
conv_slice (const AnConvDesc *d, int cg)
{
  AnCudaConvSlice s = {
    .c = d->c, .h = d->h, .w = d->w, .cg = cg,
    .kh = d->kh, .kw = d->kw, .sh = d->sh, .sw = d->sw, .ph = d->ph, .pw = d->pw,
    .oh = d->oh, .ow = d->ow,
  };
  return s;
}

static void
cuda_conv2d_forward (AnBackend *be, const AnConvDesc *d, float *y, const float *x,
                     const float *w, const float *b)
{
  AnCudaBackend *ctx = enter (be);
  int groups = MAX (d->groups, 1);
  int cg = d->c / groups, ocg = d->oc / groups;
  int kdim = cg * d->kh * d->kw;
  size_t ohw = (size_t) d->oh * d->ow;
  if (d->n <= 0 || ohw == 0 || ocg <= 0)
    return;
  int per_pass = conv_images_per_pass (ctx, d->n, (size_t) (kdim + ocg) * ohw);
  float *col = workspace (ctx, (size_t) (kdim + ocg) * per_pass * ohw);
  if (col == NULL)
    return;
  float *tmp = col + (size_t) kdim * per_pass * ohw;
  AnCudaConvSlice s = conv_slice (d, cg);

  for (int n0 = 0; n0 < d->n; n0 += per_pass)
    {
      int nb = MIN (per_pass, d->n - n0);
      int m = (int) (nb * ohw);
      s.n0 = n0;
      s.nb = nb;
      for (int g = 0; g < groups; g++)
        {
          s.c0 = g * cg;
          note_cuda (ctx, an_cuda_im2col (ctx->stream, &s, x, col), "im2col");
          /* tmp (ocg, m) = W_g (ocg, kdim) col (kdim, m) */
          gemm_row_major (ctx, FALSE, FALSE, ocg, m, kdim, 1.0f, w + (size_t) g * ocg * kdim,
                          kdim, col, m, 0.0f, tmp, m);
          note_cuda (ctx,
                     an_cuda_conv_output (ctx->stream, d->oc, g * ocg, ocg, ohw, n0, nb, tmp, b,
                                          y),
                     "conv output");
        }
    }
}

static void
cuda_conv2d_backward (AnBackend *be, const AnConvDesc *d, float *dx, float *dw, float *db,
                      const float *dy, const float *x, const float *w)
{
  AnCudaBackend *ctx = enter (be);
  int groups = MAX (d->groups, 1);
  int cg = d->c / groups, ocg = d->oc / groups;
  int kdim = cg * d->kh * d->kw;
  size_t ohw = (size_t) d->oh * d->ow;
  if (d->n <= 0 || ohw == 0 || ocg <= 0)
    return;
  if (db != NULL)
    note_cuda (ctx, an_cuda_bias_grad (ctx->stream, d->n, d->oc, ohw, dy, db), "bias gradient");
  if (dx == NULL && dw == NULL)
    return;
  int per_pass = conv_images_per_pass (ctx, d->n, (size_t) (kdim + ocg) * ohw);
  float *col = workspace (ctx, (size_t) (kdim + ocg) * per_pass * ohw);
  if (col == NULL)
    return;
  float *dy_g = col + (size_t) kdim * per_pass * ohw;
  AnCudaConvSlice s = conv_slice (d, cg);

  for (int n0 = 0; n0 < d->n; n0 += per_pass)
    {
      int nb = MIN (per_pass, d->n - n0);
      int m = (int) (nb * ohw);
      s.n0 = n0;
      s.nb = nb;
      for (int g = 0; g < groups; g++)
        {
          const float *w_g = w + (size_t) g * ocg * kdim;
          s.c0 = g * cg;
          note_cuda (ctx, an_cuda_conv_gather_dy (ctx->stream, d->oc, g * ocg, ocg, ohw, n0, nb,
                                                  dy, dy_g),
                     "gathering dy");
          if (dw != NULL)
            {
              /* dW_g (ocg, kdim) += dy_g (ocg, m) col^T (m, kdim); passes add in order */
              note_cuda (ctx, an_cuda_im2col (ctx->stream, &s, x, col), "im2col");
              gemm_row_major (ctx, FALSE, TRUE, ocg, kdim, m, 1.0f, dy_g, m, col, m, 1.0f,
                              dw + (size_t) g * ocg * kdim, kdim);
            }
          if (dx != NULL)
            {
              /* dcol (kdim, m) = W_g^T (kdim, ocg) dy_g (ocg, m), then gathered into dx */
              gemm_row_major (ctx, TRUE, FALSE, kdim, m, ocg, 1.0f, w_g, kdim, dy_g, m, 0.0f,
                              col, m);
              note_cuda (ctx, an_cuda_col2im_add (ctx->stream, &s, col, dx), "col2im");
            }
        }
    }
}

/* ---- element-wise, LRN, pooling ---- */

static void
cuda_relu_forward (AnBackend *be, size_t count, float *y, const float *x)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx, an_cuda_relu_forward (ctx->stream, count, y, x), "relu forward");
}

static void
cuda_relu_backward (AnBackend *be, size_t count, float *dx, const float *dy, const float *y)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx, an_cuda_relu_backward (ctx->stream, count, dx, dy, y), "relu backward");
}

static void
cuda_lrn_forward (AnBackend *be, const AnLrnDesc *d, float *y, float *scale, const float *x)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx,
             an_cuda_lrn_forward (ctx->stream, d->n, d->c, (size_t) d->h * d->w, d->size,
                                  MAX (d->groups, 1), d->alpha, d->beta, d->k, y, scale, x),
             "lrn forward");
}

static void
cuda_lrn_backward (AnBackend *be, const AnLrnDesc *d, float *dx, const float *dy, const float *x,
                   const float *y, const float *scale)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx,
             an_cuda_lrn_backward (ctx->stream, d->n, d->c, (size_t) d->h * d->w, d->size,
                                   MAX (d->groups, 1), d->alpha, d->beta, dx, dy, x, y, scale),
             "lrn backward");
}

static void
cuda_maxpool_forward (AnBackend *be, const AnPoolDesc *d, float *y, int32_t *argmax,
                      const float *x)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx,
             an_cuda_maxpool_forward (ctx->stream, (size_t) d->n * d->c, d->h, d->w, d->kh, d->kw,
                                      d->sh, d->sw, d->oh, d->ow, y, argmax, x),
             "maxpool forward");
}

static void
cuda_maxpool_backward (AnBackend *be, const AnPoolDesc *d, float *dx, const float *dy,
                       const int32_t *argmax)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx,
             an_cuda_maxpool_backward (ctx->stream, (size_t) d->n * d->c, d->h, d->w, d->kh,
                                       d->kw, d->sh, d->sw, d->oh, d->ow, dx, dy, argmax),
             "maxpool backward");
}

static void
cuda_avgpool_forward (AnBackend *be, const AnAdaptivePoolDesc *d, float *y, const float *x)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx,
             an_cuda_avgpool_forward (ctx->stream, (size_t) d->n * d->c, d->h, d->w, d->oh, d->ow,
                                      y, x),
             "avgpool forward");
}

static void
cuda_avgpool_backward (AnBackend *be, const AnAdaptivePoolDesc *d, float *dx, const float *dy)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx,
             an_cuda_avgpool_backward (ctx->stream, (size_t) d->n * d->c, d->h, d->w, d->oh,
                                       d->ow, dx, dy),
             "avgpool backward");
}

static void
cuda_dropout_forward (AnBackend *be, const AnDropoutDesc *d, float *y, float *mask,
                      const float *x)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx,
             an_cuda_dropout_forward (ctx->stream, d->n, d->cols, d->total_cols, d->col_offset,
                                      d->p, d->seed, d->stream, y, mask, x),
             "dropout forward");
}

static void
cuda_dropout_backward (AnBackend *be, size_t count, float *dx, const float *dy,
                       const float *mask)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx, an_cuda_mul_add (ctx->stream, count, dx, dy, mask), "dropout backward");
}

/* ---- linear, concat, loss, optimizer ---- */

static void
cuda_linear_forward (AnBackend *be, const AnLinearDesc *d, float *y, const float *x,
                     const float *w, const float *b)
{
  AnCudaBackend *ctx = enter (be);
  /* y (n, out) = x (n, in) W^T, W stored (out, in) */
  gemm_row_major (ctx, FALSE, TRUE, d->n, d->out, d->in, 1.0f, x, d->in, w, d->in, 0.0f, y,
                  d->out);
  if (b != NULL)
    note_cuda (ctx, an_cuda_add_bias_rows (ctx->stream, d->n, d->out, b, y), "linear bias");
}

static void
cuda_linear_backward (AnBackend *be, const AnLinearDesc *d, float *dx, float *dw, float *db,
                      const float *dy, const float *x, const float *w)
{
  AnCudaBackend *ctx = enter (be);
  /* dx (n, in) += dy (n, out) W (out, in) */
  if (dx != NULL)
    gemm_row_major (ctx, FALSE, FALSE, d->n, d->in, d->out, 1.0f, dy, d->out, w, d->in, 1.0f, dx,
                    d->in);
  /* dW (out, in) += dy^T (out, n) x (n, in) */
  if (dw != NULL)
    gemm_row_major (ctx, TRUE, FALSE, d->out, d->in, d->n, 1.0f, dy, d->out, x, d->in, 1.0f, dw,
                    d->in);
  if (db != NULL)
    note_cuda (ctx, an_cuda_bias_grad (ctx->stream, d->n, d->out, 1, dy, db), "linear bias grad");
}

static void
cuda_concat_forward (AnBackend *be, int n, int cy, int offset, int cx, int hw, float *y,
                     const float *x)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx, an_cuda_concat_forward (ctx->stream, n, cy, offset, cx, (size_t) hw, y, x),
             "concat forward");
}

static void
cuda_concat_backward (AnBackend *be, int n, int cy, int offset, int cx, int hw, float *dx,
                      const float *dy)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx, an_cuda_concat_backward (ctx->stream, n, cy, offset, cx, (size_t) hw, dx, dy),
             "concat backward");
}

/* Copies one double from the device; this waits for the stream. NaN when anything failed. */
static double
download_double (AnCudaBackend *ctx, const double *src)
{
  double value = NAN;
  cudaError_t err = cudaMemcpyAsync (&value, src, sizeof value, cudaMemcpyDeviceToHost,
                                     ctx->stream);
  note_cuda (ctx, err, "downloading a result");
  if (err == cudaSuccess)
    note_cuda (ctx, err = cudaStreamSynchronize (ctx->stream), "waiting for a result");
  return err == cudaSuccess ? value : NAN;
}

static double
cuda_softmax_xent_forward (AnBackend *be, int n, int k, float *probs, const float *logits,
                           const int32_t *labels)
{
  AnCudaBackend *ctx = enter (be);
  if (n <= 0)
    return 0.0;
  double *s = scratch (ctx, (size_t) n + 1);
  if (s == NULL)
    return NAN;
  cudaError_t err = an_cuda_softmax_xent_forward (ctx->stream, n, k, probs, logits, labels, s + 1,
                                                  s);
  note_cuda (ctx, err, "softmax cross-entropy");
  return err == cudaSuccess ? download_double (ctx, s) : NAN;
}

static void
cuda_softmax_xent_backward (AnBackend *be, int n, int k, float *dlogits, const float *probs,
                            const int32_t *labels)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx, an_cuda_softmax_xent_backward (ctx->stream, n, k, dlogits, probs, labels),
             "softmax cross-entropy backward");
}

static void
cuda_sgd_update (AnBackend *be, const AnSgdDesc *d, size_t count, float *w, float *v,
                 const float *g)
{
  AnCudaBackend *ctx = enter (be);
  note_cuda (ctx,
             an_cuda_sgd_update (ctx->stream, d->rule == AN_SGD_RULE_PAPER ? 1 : 0, d->lr,
                                 d->momentum, d->weight_decay, count, w, v, g),
             "sgd update");
}

static double
cuda_sum_squares (AnBackend *be, size_t count, const float *x)
{
  AnCudaBackend *ctx = enter (be);
  double *s = scratch (ctx, an_cuda_sum_squares_scratch (count));
  if (s == NULL)
    return NAN;
  cudaError_t err = an_cuda_sum_squares (ctx->stream, count, x, s);
  note_cuda (ctx, err, "sum of squares");
  return err == cudaSuccess ? download_double (ctx, s) : NAN;
}

static const AnBackendOps cuda_ops = {
  .name = "cuda",
  .alloc = cuda_alloc,
  .free = cuda_free,
  .zero = cuda_zero,
  .upload = cuda_upload,
  .download = cuda_download,
  .copy = cuda_copy,
  .sync = cuda_sync,
  .peer_copy = cuda_peer_copy,
  .destroy = cuda_destroy,
  .conv2d_forward = cuda_conv2d_forward,
  .conv2d_backward = cuda_conv2d_backward,
  .relu_forward = cuda_relu_forward,
  .relu_backward = cuda_relu_backward,
  .lrn_forward = cuda_lrn_forward,
  .lrn_backward = cuda_lrn_backward,
  .maxpool_forward = cuda_maxpool_forward,
  .maxpool_backward = cuda_maxpool_backward,
  .avgpool_forward = cuda_avgpool_forward,
  .avgpool_backward = cuda_avgpool_backward,
  .dropout_forward = cuda_dropout_forward,
  .dropout_backward = cuda_dropout_backward,
  .linear_forward = cuda_linear_forward,
  .linear_backward = cuda_linear_backward,
  .concat_forward = cuda_concat_forward,
  .concat_backward = cuda_concat_backward,
  .softmax_xent_forward = cuda_softmax_xent_forward,
  .softmax_xent_backward = cuda_softmax_xent_backward,
  .sgd_update = cuda_sgd_update,
  .sum_squares = cuda_sum_squares,
};

/* ---- creation ---- */

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
