/* an-backend.h: a compute backend is a table of op functions plus a private context.
 *
 * Conventions (ARCHITECTURE.md contracts 1-7):
 * - NCHW float32; conv weights (OC, IC/groups, KH, KW), linear weights (OUT, IN), as PyTorch.
 * - X_forward OVERWRITES its output. X_backward ADDS into dx/dw/db (+=); a NULL gradient
 *   pointer means "not wanted". zero_grad is the caller's job (->zero).
 * - All pointers passed to ops are memory of that backend (from ->alloc).
 * - Memory calls report their own failure as they return. Ops never fail on the CPU; on a GPU
 *   a kernel's asynchronous failure is reported by ->sync.
 * Dimension letters: N batch, C channels, H/W height/width, O output features/kernels.
 *
 * The backends: ops/ref/ (the reference: plain loops, the spec), ops/cpu/ (im2col + OpenBLAS,
 * OpenMP) and src/cuda/ (kernels + cuBLAS). Each implements op family F in one file named
 * alike on every backend -- ops/ref/an-ref-F.c, ops/cpu/an-cpu-F.c, src/cuda/an-cuda-F.c with
 * its kernels in an-cuda-F.cu -- and names op X of the list X_ref, X_cpu, X_cuda.
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "ops/an-desc.h"

G_BEGIN_DECLS

typedef struct _AnBackend AnBackend;

/* ---- the ops' signatures ---- */

typedef void AnConv2dForwardOp (AnBackend *be, const AnConvDesc *d, float *y, const float *x,
                                const float *w, const float *b);
typedef void AnConv2dBackwardOp (AnBackend *be, const AnConvDesc *d, float *dx, float *dw,
                                 float *db, const float *dy, const float *x, const float *w);

typedef void AnReluForwardOp (AnBackend *be, size_t count, float *y, const float *x);
/* dx += dy * (y > 0) */
typedef void AnReluBackwardOp (AnBackend *be, size_t count, float *dx, const float *dy,
                               const float *y);

/* scale (N, C, H, W) receives k + alpha * sum a^2, which backward reuses. */
typedef void AnLrnForwardOp (AnBackend *be, const AnLrnDesc *d, float *y, float *scale,
                             const float *x);
typedef void AnLrnBackwardOp (AnBackend *be, const AnLrnDesc *d, float *dx, const float *dy,
                              const float *x, const float *y, const float *scale);

/* argmax (N, C, OH, OW) receives the index within the input plane (ih * w + iw). */
typedef void AnMaxpoolForwardOp (AnBackend *be, const AnPoolDesc *d, float *y, int32_t *argmax,
                                 const float *x);
typedef void AnMaxpoolBackwardOp (AnBackend *be, const AnPoolDesc *d, float *dx, const float *dy,
                                  const int32_t *argmax);
typedef void AnAvgpoolForwardOp (AnBackend *be, const AnAdaptivePoolDesc *d, float *y,
                                 const float *x);
typedef void AnAvgpoolBackwardOp (AnBackend *be, const AnAdaptivePoolDesc *d, float *dx,
                                  const float *dy);

/* y and mask are (N, cols) */
typedef void AnDropoutForwardOp (AnBackend *be, const AnDropoutDesc *d, float *y, float *mask,
                                 const float *x);
/* dx += dy * mask */
typedef void AnDropoutBackwardOp (AnBackend *be, size_t count, float *dx, const float *dy,
                                  const float *mask);

typedef void AnLinearForwardOp (AnBackend *be, const AnLinearDesc *d, float *y, const float *x,
                                const float *w, const float *b);
typedef void AnLinearBackwardOp (AnBackend *be, const AnLinearDesc *d, float *dx, float *dw,
                                 float *db, const float *dy, const float *x, const float *w);

/* Channel concatenation, one input at a time: y (N, cy, hw) channels [offset, offset + cx)
 * = x (N, cx, hw). Backward: dx += dy[:, offset:offset + cx]. */
typedef void AnConcatForwardOp (AnBackend *be, int n, int cy, int offset, int cx, int hw,
                                float *y, const float *x);
typedef void AnConcatBackwardOp (AnBackend *be, int n, int cy, int offset, int cx, int hw,
                                 float *dx, const float *dy);

/* probs (N, K) = softmax(logits); returns the mean cross-entropy over the batch, in double,
 * to the host. labels (N) are backend memory, values in [0, K). */
typedef double AnSoftmaxXentForwardOp (AnBackend *be, int n, int k, float *probs,
                                       const float *logits, const int32_t *labels);
/* dlogits += (probs - onehot(labels)) / n */
typedef void AnSoftmaxXentBackwardOp (AnBackend *be, int n, int k, float *dlogits,
                                      const float *probs, const int32_t *labels);

/* One SGD step over a whole parameter arena. */
typedef void AnSgdUpdateOp (AnBackend *be, const AnSgdDesc *d, size_t count, float *w, float *v,
                            const float *g);
/* sum of x[i]^2 in double, to the host (gradient norms). */
typedef double AnSumSquaresOp (AnBackend *be, size_t count, const float *x);

/* ---- the op list ----
 * X (ENUM, field, family, Type): every op of the table, in table order. The table's fields,
 * the backends' prototypes and tables, AnOp and the op tests all come from this list, so an
 * op added here must be implemented by every backend (or the build fails) and exercised by
 * tests/backends/test-all-ops (or that test fails). */
#define AN_OP_LIST(X)                                                                          \
  X (CONV2D_FORWARD, conv2d_forward, conv, AnConv2dForwardOp)                                  \
  X (CONV2D_BACKWARD, conv2d_backward, conv, AnConv2dBackwardOp)                               \
  X (RELU_FORWARD, relu_forward, activation, AnReluForwardOp)                                  \
  X (RELU_BACKWARD, relu_backward, activation, AnReluBackwardOp)                               \
  X (LRN_FORWARD, lrn_forward, lrn, AnLrnForwardOp)                                            \
  X (LRN_BACKWARD, lrn_backward, lrn, AnLrnBackwardOp)                                         \
  X (MAXPOOL_FORWARD, maxpool_forward, pool, AnMaxpoolForwardOp)                               \
  X (MAXPOOL_BACKWARD, maxpool_backward, pool, AnMaxpoolBackwardOp)                            \
  X (AVGPOOL_FORWARD, avgpool_forward, pool, AnAvgpoolForwardOp)                               \
  X (AVGPOOL_BACKWARD, avgpool_backward, pool, AnAvgpoolBackwardOp)                            \
  X (DROPOUT_FORWARD, dropout_forward, dropout, AnDropoutForwardOp)                            \
  X (DROPOUT_BACKWARD, dropout_backward, dropout, AnDropoutBackwardOp)                         \
  X (LINEAR_FORWARD, linear_forward, linear, AnLinearForwardOp)                                \
  X (LINEAR_BACKWARD, linear_backward, linear, AnLinearBackwardOp)                             \
  X (CONCAT_FORWARD, concat_forward, concat, AnConcatForwardOp)                                \
  X (CONCAT_BACKWARD, concat_backward, concat, AnConcatBackwardOp)                             \
  X (SOFTMAX_XENT_FORWARD, softmax_xent_forward, loss, AnSoftmaxXentForwardOp)                 \
  X (SOFTMAX_XENT_BACKWARD, softmax_xent_backward, loss, AnSoftmaxXentBackwardOp)              \
  X (SGD_UPDATE, sgd_update, sgd, AnSgdUpdateOp)                                               \
  X (SUM_SQUARES, sum_squares, sgd, AnSumSquaresOp)

typedef enum {
#define AN_OP_ENUM_(ENUM, field, family, Type) AN_OP_##ENUM,
  AN_OP_LIST (AN_OP_ENUM_)
#undef AN_OP_ENUM_
  AN_OP_COUNT
} AnOp;

/* ---- the table ---- */

typedef struct {
  const char *name; /* "reference", "cpu", "cuda" */

  /* memory: each call reports its own failure (FALSE + error naming the device and size) */
  void *(*alloc) (AnBackend *be, size_t bytes, GError **error);
  void (*free) (AnBackend *be, void *ptr); /* free (NULL) does nothing */
  gboolean (*zero) (AnBackend *be, void *ptr, size_t bytes, GError **error);
  gboolean (*upload) (AnBackend *be, void *dst, const void *host_src, size_t bytes,
                      GError **error);
  gboolean (*download) (AnBackend *be, void *host_dst, const void *src, size_t bytes,
                        GError **error);
  gboolean (*copy) (AnBackend *be, void *dst, const void *src, size_t bytes, GError **error);
  /* Copies from another backend of the same table (peer GPU copy, two CPU "devices");
   * an_backend_transfer calls it only then and stages through the host otherwise. */
  gboolean (*peer_copy) (AnBackend *be, void *dst, AnBackend *src_be, const void *src,
                         size_t bytes, GError **error);
  /* Waits for queued work; reports an asynchronous failure (a GPU kernel) as a GError. */
  gboolean (*sync) (AnBackend *be, GError **error);
  void (*destroy) (AnBackend *be);

  /* the ops of AN_OP_LIST, in its order: the last fields of the table */
#define AN_OP_FIELD_(ENUM, field, family, Type) Type *field;
  AN_OP_LIST (AN_OP_FIELD_)
#undef AN_OP_FIELD_
} AnBackendOps;

struct _AnBackend {
  const AnBackendOps *ops;
  int device_index; /* which device of its kind (CPU "virtual" devices too) */
  int threads;      /* worker threads (CPU backends); 0 = all cores */
};

/* The op list by name: "conv2d_forward", and its family, "conv". */
const char *an_op_name (AnOp op);
const char *an_op_family (AnOp op);
/* TRUE when the table has a function for op. */
gboolean an_backend_ops_has (const AnBackendOps *ops, AnOp op);
/* Every op of the list present; FALSE + an error naming the table and the missing ops. */
gboolean an_backend_ops_check (const AnBackendOps *ops, GError **error);

/* The reference backend (ops/ref/): plain loops, the spec. */
AnBackend *an_backend_ref_new (void);
/* The fast CPU backend (ops/cpu/): im2col + BLAS GEMM, OpenMP threads. */
AnBackend *an_backend_cpu_new (int device_index, int threads);
void an_backend_cpu_set_threads (AnBackend *be, int threads);
/* The CPU backend's convolution kernels: oneDNN's JIT kernels where the build has oneDNN and
 * it has one for the shape, im2col + BLAS elsewhere (the default); or im2col + BLAS only. */
typedef enum {
  AN_CPU_KERNELS_ONEDNN,
  AN_CPU_KERNELS_BLAS,
} AnCpuKernels;
void an_backend_cpu_set_kernels (AnBackend *be, AnCpuKernels kernels);
/* What computes convolution d on this CPU backend: oneDNN's kernel name ("jit:avx512_core")
 * or "im2col+sgemm". */
const char *an_backend_cpu_conv_kernel (AnBackend *be, const AnConvDesc *d);
/* The threads a CPU backend's loops run on: the count it was given, every core for 0, 1 in a
 * build without OpenMP. 0 for a backend that is not the CPU's. */
int an_backend_cpu_get_threads (AnBackend *be);
/* The CUDA backend (src/cuda/), NULL + error when CUDA is not built in or no device exists. */
AnBackend *an_backend_cuda_new (int device_index, GError **error);
/* Number of usable CUDA devices; 0 on any error (no driver, stub driver, not built). */
int an_cuda_device_count (char **why_not);
gboolean an_cuda_available (void);

void an_backend_free (AnBackend *be);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnBackend, an_backend_free)

G_END_DECLS
