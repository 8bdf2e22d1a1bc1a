/* an-cuda-private.h: the CUDA backend's context and what its op files share.
 *
 * One context per backend: its device (set at every entry point, so two backends can share a
 * thread), its own non-blocking stream, a cuBLAS handle bound to that stream (FP32 math; TF32
 * only when AN_CUDA_TF32=1), a workspace that grows to the largest convolution, a scratch
 * buffer for reductions, and an event for ordering peer copies. Ops cannot fail as they are
 * queued: the first kernel or cuBLAS error is kept and reported by ->sync.
 */
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "an-backend.h"
#include "an-cuda-kernels.h"

G_BEGIN_DECLS

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

/* Selects the backend's device and returns its context: every op starts with it. */
AnCudaBackend *an_cuda_enter (AnBackend *be);
/* Keeps the first failure for ->sync. */
void an_cuda_note (AnCudaBackend *ctx, cudaError_t err, const char *what);
void an_cuda_note_cublas (AnCudaBackend *ctx, cublasStatus_t status, const char *what);
/* At least floats floats / count doubles of device memory, reused between ops; NULL (failure
 * noted) when it cannot grow. Previous contents are not kept. */
float *an_cuda_workspace (AnCudaBackend *ctx, size_t floats);
double *an_cuda_scratch (AnCudaBackend *ctx, size_t count);
/* Row-major C (m, n) = alpha op(A) op(B) + beta C with cuBLAS on the backend's stream. */
void an_cuda_gemm (AnCudaBackend *ctx, gboolean trans_a, gboolean trans_b, int m, int n, int k,
                   float alpha, const float *a, int lda, const float *b, int ldb, float beta,
                   float *c, int ldc);
/* Copies one double from the device, waiting for the stream; NaN when anything failed. */
double an_cuda_download_double (AnCudaBackend *ctx, const double *src);

/* The ops, one file per family (an-cuda-FAMILY.c, kernels in an-cuda-FAMILY.cu). */
#define AN_CUDA_OP_DECL_(ENUM, field, family, Type) Type field##_cuda;
AN_OP_LIST (AN_CUDA_OP_DECL_)
#undef AN_CUDA_OP_DECL_

G_END_DECLS
