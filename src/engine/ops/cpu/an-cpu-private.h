/* an-cpu-private.h: the fast CPU backend's private context and the pieces its op files share.
 *
 * AnCpuBackend embeds AnBackend as its first member, so an AnBackend * from the ops table casts
 * to it. Workspaces grow once to the largest size an op has asked for and are then reused:
 * no allocation per step once the first step has run.
 */
#pragma once

#include "an-backend.h"

G_BEGIN_DECLS

/* oneDNN's engine, stream and the convolution primitives made so far (an-cpu-conv-dnnl.c). */
typedef struct _AnCpuDnnl AnCpuDnnl;

typedef struct {
  AnBackend base;
  float *work;      /* conv columns, transposed outputs, reordered tensors, partial sums */
  size_t work_size; /* in floats */
  /* A folded conv chunk holds enough images for about this many GEMM columns (nb * OH * OW);
   * layers with more output pixels per image than this take one GEMM per image. */
  int conv_fold_columns;
  AnCpuKernels kernels;
  AnCpuDnnl *dnnl;      /* made at the first convolution */
  gboolean dnnl_failed; /* oneDNN could not make a CPU engine: im2col from then on */
} AnCpuBackend;

/* How conv2d computes: oneDNN where it has a JIT kernel for the shape, else im2col + GEMM
 * with the batch folded into the GEMM's N dimension (in chunks of images that fit the
 * workspace budget) or one GEMM per image and group, whichever suits the shape (AUTO); or one
 * of these forced (tools/kernels compare them). */
typedef enum {
  AN_CPU_CONV_AUTO,
  AN_CPU_CONV_DNNL,
  AN_CPU_CONV_IM2COL,
  AN_CPU_CONV_FOLDED,
  AN_CPU_CONV_PER_IMAGE,
} AnCpuConvStrategy;

/* Inner loops worth AVX-512 or AVX2: compiled for each and chosen when the program loads (the
 * build itself targets the baseline x86-64). Not under ThreadSanitizer, whose instrumented
 * resolvers would run before its runtime is up. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define AN_CPU_CLONES __attribute__ ((target_clones ("avx512f", "avx2", "default")))
#else
#define AN_CPU_CLONES
#endif

/* Worker threads for an OpenMP region: the backend's setting, or every core for 0. */
int an_cpu_threads (AnBackend *be);

/* Row-major C (M, N) = alpha op(A) op(B) + beta C, with N split into one contiguous slice of
 * columns per OpenMP thread, each slice a single-threaded BLAS call. One thread pool for the
 * whole backend: OpenBLAS's own pthreads spin after each GEMM and starve the OpenMP loops
 * around it on a machine with few cores (measured in tools/kernels/bench-conv.c). */
void an_cpu_sgemm (AnBackend *be, gboolean trans_a, gboolean trans_b, int m, int n, int k,
                   float alpha, const float *a, int lda, const float *b, int ldb, float beta,
                   float *c, int ldc);

/* A workspace of at least floats floats, or NULL when it cannot grow that large (the caller
 * then takes a path that needs less). Previous contents are not kept. */
float *an_cpu_workspace (AnBackend *be, size_t floats);

/* oneDNN (an-cpu-conv-dnnl.c). The conv functions return FALSE, doing nothing, where oneDNN
 * has no JIT kernel for the shape or the build has no oneDNN; backward adds into dx and dw,
 * and into db only with dw. The kernel's name is NULL then too. */
AnCpuDnnl *an_cpu_dnnl_new (void);
void an_cpu_dnnl_free (AnCpuDnnl *dn);
gboolean an_cpu_dnnl_conv2d_forward (AnBackend *be, const AnConvDesc *d, float *y,
                                     const float *x, const float *w, const float *b);
gboolean an_cpu_dnnl_conv2d_backward (AnBackend *be, const AnConvDesc *d, float *dx, float *dw,
                                      const float *dy, const float *x, const float *w,
                                      float *db);
const char *an_cpu_dnnl_conv2d_kernel (AnBackend *be, const AnConvDesc *d);

/* Convolution with a chosen strategy (tools/kernels/bench-conv.c compares them); a forced
 * AN_CPU_CONV_DNNL that has no kernel for the shape falls back to AN_CPU_CONV_IM2COL. */
void conv2d_forward_cpu_with (AnBackend *be, AnCpuConvStrategy strategy, const AnConvDesc *d,
                              float *y, const float *x, const float *w, const float *b);
void conv2d_backward_cpu_with (AnBackend *be, AnCpuConvStrategy strategy, const AnConvDesc *d,
                               float *dx, float *dw, float *db, const float *dy, const float *x,
                               const float *w);

/* The ops, X_cpu for every op X of AN_OP_LIST, one file per family: an-cpu-conv.c,
 * an-cpu-activation.c, an-cpu-lrn.c, an-cpu-pool.c, an-cpu-dropout.c, an-cpu-linear.c,
 * an-cpu-concat.c, an-cpu-loss.c, an-cpu-sgd.c. */
#define AN_CPU_OP_DECL_(ENUM, field, family, Type) Type field##_cpu;
AN_OP_LIST (AN_CPU_OP_DECL_)
#undef AN_CPU_OP_DECL_

G_END_DECLS
