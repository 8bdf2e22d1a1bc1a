/* an-backend.h: a compute backend is a table of op functions plus a private context.
 *
 * Conventions (ARCHITECTURE.md contracts 1-7):
 * - NCHW float32; conv weights (OC, IC/groups, KH, KW), linear weights (OUT, IN), as PyTorch.
 * - X_forward OVERWRITES its output. X_backward ADDS into dx/dw/db (+=); a NULL gradient
 *   pointer means "not wanted". zero_grad is the caller's job (backend->zero).
 * - All pointers passed to ops are memory of that backend (from ->alloc).
 * - Ops never fail on the CPU; on a GPU an asynchronous failure is reported by ->sync.
 * Dimension letters: N batch, C channels, H/W height/width, O output features/kernels.
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

typedef struct _AnBackend AnBackend;

typedef struct {
  int n, c, h, w;       /* input (N, C, H, W) */
  int oc, kh, kw;       /* kernels: weight (OC, C/groups, KH, KW) */
  int sh, sw, ph, pw;   /* stride, zero padding */
  int groups;
  int oh, ow;           /* output (N, OC, OH, OW): filled by an_conv_desc_init */
} AnConvDesc;

/* b[i] = a[i] / (k + alpha * sum_{j in window(i)} a[j]^2)^beta, window = i-size/2 .. i+(size-1)/2
 * clipped to [0, C) and to the channel group of i (groups equal groups of C/groups channels).
 * alpha here is the coefficient as it appears in this formula: the run configuration resolves
 * the "paper" (alpha) and "code" (alpha / size) conventions before building the desc. */
typedef struct {
  int n, c, h, w;
  int size;
  int groups;
  float alpha, beta, k;
} AnLrnDesc;

/* Max pooling, no padding, floor mode: oh = (h - kh) / sh + 1. First maximum wins. */
typedef struct {
  int n, c, h, w;
  int kh, kw, sh, sw;
  int oh, ow;
} AnPoolDesc;

/* Adaptive average pooling as PyTorch: rows floor(i*H/OH) .. ceil((i+1)*H/OH) - 1. */
typedef struct {
  int n, c, h, w;
  int oh, ow;
} AnAdaptivePoolDesc;

/* y (N, OUT) = x (N, IN) W^T + b, W (OUT, IN). */
typedef struct {
  int n, in, out;
} AnLinearDesc;

/* Inverted dropout over a (N, cols) slice of a logical (N, total_cols) tensor starting at
 * column col_offset, so that a tower holding half the features draws the same mask as the
 * single-device model. Element (r, col_offset + j) is kept iff
 * an_rng_uniform(seed, stream, r * total_cols + col_offset + j) >= p; kept values are scaled
 * by 1 / (1 - p). mask holds that scale or 0 and is what backward multiplies by. */
typedef struct {
  int n, cols, total_cols, col_offset;
  float p;
  uint64_t seed, stream;
} AnDropoutDesc;

typedef enum {
  AN_SGD_RULE_PYTORCH = 0, /* v = mu v + (g + wd w);        w -= lr v */
  AN_SGD_RULE_PAPER   = 1, /* v = mu v - wd lr w - lr g;    w += v    */
} AnSgdRule;

typedef struct {
  AnSgdRule rule;
  float lr, momentum, weight_decay;
} AnSgdDesc;

typedef struct {
  const char *name; /* "reference", "cpu", "cuda" */

  /* memory */
  void *(*alloc) (AnBackend *be, size_t bytes, GError **error);
  void (*free) (AnBackend *be, void *ptr); /* free (NULL) does nothing */
  void (*zero) (AnBackend *be, void *ptr, size_t bytes);
  void (*upload) (AnBackend *be, void *dst, const void *host_src, size_t bytes);
  void (*download) (AnBackend *be, void *host_dst, const void *src, size_t bytes);
  void (*copy) (AnBackend *be, void *dst, const void *src, size_t bytes);
  /* Waits for queued work; reports an asynchronous failure (GPU) as a GError. */
  gboolean (*sync) (AnBackend *be, GError **error);
  /* Copies from another backend of the same kind (peer GPU copy, two CPU "devices");
   * returns FALSE, doing nothing, when src_be is of another kind: the caller then stages
   * through host memory. */
  gboolean (*peer_copy) (AnBackend *be, void *dst, AnBackend *src_be, const void *src,
                         size_t bytes);
  void (*destroy) (AnBackend *be);

  /* ops */
  void (*conv2d_forward) (AnBackend *be, const AnConvDesc *d, float *y, const float *x,
                          const float *w, const float *b);
  void (*conv2d_backward) (AnBackend *be, const AnConvDesc *d, float *dx, float *dw, float *db,
                           const float *dy, const float *x, const float *w);

  void (*relu_forward) (AnBackend *be, size_t count, float *y, const float *x);
  /* dx += dy * (y > 0) */
  void (*relu_backward) (AnBackend *be, size_t count, float *dx, const float *dy, const float *y);

  /* scale (N, C, H, W) receives k + alpha * sum a^2, which backward reuses. */
  void (*lrn_forward) (AnBackend *be, const AnLrnDesc *d, float *y, float *scale, const float *x);
  void (*lrn_backward) (AnBackend *be, const AnLrnDesc *d, float *dx, const float *dy,
                        const float *x, const float *y, const float *scale);

  /* argmax (N, C, OH, OW) receives the index within the input plane (ih * w + iw). */
  void (*maxpool_forward) (AnBackend *be, const AnPoolDesc *d, float *y, int32_t *argmax,
                           const float *x);
  void (*maxpool_backward) (AnBackend *be, const AnPoolDesc *d, float *dx, const float *dy,
                            const int32_t *argmax);

  void (*avgpool_forward) (AnBackend *be, const AnAdaptivePoolDesc *d, float *y, const float *x);
  void (*avgpool_backward) (AnBackend *be, const AnAdaptivePoolDesc *d, float *dx,
                            const float *dy);

  /* y and mask are (N, cols) */
  void (*dropout_forward) (AnBackend *be, const AnDropoutDesc *d, float *y, float *mask,
                           const float *x);
  /* dx += dy * mask */
  void (*dropout_backward) (AnBackend *be, size_t count, float *dx, const float *dy,
                            const float *mask);

  void (*linear_forward) (AnBackend *be, const AnLinearDesc *d, float *y, const float *x,
                          const float *w, const float *b);
  void (*linear_backward) (AnBackend *be, const AnLinearDesc *d, float *dx, float *dw, float *db,
                           const float *dy, const float *x, const float *w);

  /* Channel concatenation, one input at a time: y (N, cy, hw) channels [offset, offset + cx)
   * = x (N, cx, hw). Backward: dx += dy[:, offset:offset + cx]. */
  void (*concat_forward) (AnBackend *be, int n, int cy, int offset, int cx, int hw, float *y,
                          const float *x);
  void (*concat_backward) (AnBackend *be, int n, int cy, int offset, int cx, int hw, float *dx,
                           const float *dy);

  /* probs (N, K) = softmax(logits); returns the mean cross-entropy over the batch, in double,
   * to the host. labels (N) are backend memory, values in [0, K). */
  double (*softmax_xent_forward) (AnBackend *be, int n, int k, float *probs, const float *logits,
                                  const int32_t *labels);
  /* dlogits += (probs - onehot(labels)) / n */
  void (*softmax_xent_backward) (AnBackend *be, int n, int k, float *dlogits, const float *probs,
                                 const int32_t *labels);

  /* One SGD step over a whole parameter arena. */
  void (*sgd_update) (AnBackend *be, const AnSgdDesc *d, size_t count, float *w, float *v,
                      const float *g);
  /* sum of x[i]^2 in double, to the host (gradient norms). */
  double (*sum_squares) (AnBackend *be, size_t count, const float *x);
} AnBackendOps;

struct _AnBackend {
  const AnBackendOps *ops;
  int device_index; /* which device of its kind (CPU "virtual" devices too) */
  int threads;      /* worker threads (CPU backends); 0 = all cores */
};

/* Fills oh/ow; returns FALSE with a message naming the offending value when the shape is
 * impossible (kernel larger than padded input, channels not divisible by groups...). */
gboolean an_conv_desc_init (AnConvDesc *d, GError **error);
gboolean an_pool_desc_init (AnPoolDesc *d, GError **error);
gboolean an_lrn_desc_check (const AnLrnDesc *d, GError **error);

/* The naive reference backend (src/engine/ops/ref-*.c): plain loops, the spec. */
AnBackend *an_backend_ref_new (void);
/* The fast CPU backend (src/engine/ops/cpu-*.c): im2col + BLAS GEMM, threads. */
AnBackend *an_backend_cpu_new (int device_index, int threads);
void an_backend_cpu_set_threads (AnBackend *be, int threads);
/* The CUDA backend (src/cuda), NULL + error when CUDA is not built in or no device exists. */
AnBackend *an_backend_cuda_new (int device_index, GError **error);
/* Number of usable CUDA devices; 0 on any error (no driver, stub driver, not built). */
int an_cuda_device_count (char **why_not);
gboolean an_cuda_available (void);

void an_backend_free (AnBackend *be);

/* The backends of a placement: device "cpu", "auto" (CUDA when a device exists, else the CPU,
 * with *note saying why), "cuda", "cuda:N" or "cuda:N,M"; towers 1 or 2. be[1] is be[0] with
 * one tower; with two, each tower gets its own backend (two CPU "devices", two CUDA streams
 * or GPUs). Free with an_backends_close. */
gboolean an_backends_open (const char *device, int towers, int threads, AnBackend *be[2],
                           char **note, GError **error);
void an_backends_close (AnBackend *be[2]);

/* Copies bytes between two backends' memory (a transfer between devices). */
void an_backend_transfer (AnBackend *dst_be, void *dst, AnBackend *src_be, const void *src,
                          size_t bytes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnBackend, an_backend_free)

G_END_DECLS
