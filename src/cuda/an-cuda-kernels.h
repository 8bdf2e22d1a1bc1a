/* an-cuda-kernels.h: the kernel launchers of the CUDA backend, one group per op family
 * (an-cuda-FAMILY.cu).
 *
 * Plain C prototypes over plain scalars so that the .cu files need neither GLib nor the engine
 * headers. Every launcher queues its work on `stream`, launches nothing for an empty range,
 * and returns the launch status (cudaGetLastError). Layouts are the engine's: NCHW float32.
 */
#pragma once

#include <cuda_runtime_api.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Convolution of images n0 .. n0+nb-1 and input channels c0 .. c0+cg-1 of x (N, C, H, W).
 * col (cg*kh*kw, nb*oh*ow): row (ci*kh + ky)*kw + kx, column nl*oh*ow + oy*ow + ox, the layout
 * of one group's weights (OCg, cg, kh, kw) read as a (OCg, cg*kh*kw) matrix. */
typedef struct {
  int c, h, w;
  int c0, cg;
  int kh, kw, sh, sw, ph, pw;
  int oh, ow;
  int n0, nb;
} AnCudaConvSlice;

cudaError_t an_cuda_im2col (cudaStream_t stream, const AnCudaConvSlice *s, const float *x,
                            float *col);
/* dx[n0.., c0.., :, :] += the sum of the col entries that im2col read from each element */
cudaError_t an_cuda_col2im_add (cudaStream_t stream, const AnCudaConvSlice *s, const float *col,
                                float *dx);
/* y (N, OC, OHW) channels oc0 .. oc0+ocg-1 of images n0.. = tmp (ocg, nb*ohw) + b (b may be NULL) */
cudaError_t an_cuda_conv_output (cudaStream_t stream, int oc, int oc0, int ocg, size_t ohw,
                                 int n0, int nb, const float *tmp, const float *b, float *y);
/* tmp (ocg, nb*ohw) = dy (N, OC, OHW) channels oc0.. of images n0.. */
cudaError_t an_cuda_conv_gather_dy (cudaStream_t stream, int oc, int oc0, int ocg, size_t ohw,
                                    int n0, int nb, const float *dy, float *tmp);
/* db[ch] += sum over n, p of dy (N, C, HW)[n, ch, p], in a fixed order (one block per channel) */
cudaError_t an_cuda_bias_grad (cudaStream_t stream, int n, int c, size_t hw, const float *dy,
                               float *db);
/* y (rows, cols) += b (cols) on every row */
cudaError_t an_cuda_add_bias_rows (cudaStream_t stream, int rows, int cols, const float *b,
                                   float *y);

cudaError_t an_cuda_relu_forward (cudaStream_t stream, size_t count, float *y, const float *x);
cudaError_t an_cuda_relu_backward (cudaStream_t stream, size_t count, float *dx, const float *dy,
                                   const float *y);

cudaError_t an_cuda_lrn_forward (cudaStream_t stream, int n, int c, size_t hw, int size,
                                 int groups, float alpha, float beta, float k, float *y,
                                 float *scale, const float *x);
cudaError_t an_cuda_lrn_backward (cudaStream_t stream, int n, int c, size_t hw, int size,
                                  int groups, float alpha, float beta, float *dx, const float *dy,
                                  const float *x, const float *y, const float *scale);

/* planes = N * C */
cudaError_t an_cuda_maxpool_forward (cudaStream_t stream, size_t planes, int h, int w, int kh,
                                     int kw, int sh, int sw, int oh, int ow, float *y,
                                     int32_t *argmax, const float *x);
cudaError_t an_cuda_maxpool_backward (cudaStream_t stream, size_t planes, int h, int w, int kh,
                                      int kw, int sh, int sw, int oh, int ow, float *dx,
                                      const float *dy, const int32_t *argmax);
cudaError_t an_cuda_avgpool_forward (cudaStream_t stream, size_t planes, int h, int w, int oh,
                                     int ow, float *y, const float *x);
cudaError_t an_cuda_avgpool_backward (cudaStream_t stream, size_t planes, int h, int w, int oh,
                                      int ow, float *dx, const float *dy);

cudaError_t an_cuda_dropout_forward (cudaStream_t stream, int n, int cols, int total_cols,
                                     int col_offset, float p, uint64_t seed, uint64_t rng_stream,
                                     float *y, float *mask, const float *x);
/* dx += dy * m */
cudaError_t an_cuda_mul_add (cudaStream_t stream, size_t count, float *dx, const float *dy,
                             const float *m);

cudaError_t an_cuda_concat_forward (cudaStream_t stream, int n, int cy, int offset, int cx,
                                    size_t hw, float *y, const float *x);
cudaError_t an_cuda_concat_backward (cudaStream_t stream, int n, int cy, int offset, int cx,
                                     size_t hw, float *dx, const float *dy);

/* probs = softmax(logits) row by row; row_loss (n) the cross-entropy of each row (NaN for a
 * label out of range); *mean_loss (device) their mean, summed in row order. */
cudaError_t an_cuda_softmax_xent_forward (cudaStream_t stream, int n, int k, float *probs,
                                          const float *logits, const int32_t *labels,
                                          double *row_loss, double *mean_loss);
cudaError_t an_cuda_softmax_xent_backward (cudaStream_t stream, int n, int k, float *dlogits,
                                           const float *probs, const int32_t *labels);

/* rule: 0 = PyTorch, 1 = paper (AnSgdRule) */
cudaError_t an_cuda_sgd_update (cudaStream_t stream, int rule, float lr, float momentum,
                                float weight_decay, size_t count, float *w, float *v,
                                const float *g);

/* The number of doubles of scratch that an_cuda_sum_squares needs for count elements. */
size_t an_cuda_sum_squares_scratch (size_t count);
/* scratch[0] (device) = sum of x[i]^2 in double; partial sums in a fixed tree order */
cudaError_t an_cuda_sum_squares (cudaStream_t stream, size_t count, const float *x,
                                 double *scratch);

#ifdef __cplusplus
}
#endif
