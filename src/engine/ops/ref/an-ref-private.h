/* an-ref-private.h: the reference backend's op functions, one pair per op, as they fill the
 * AnBackendOps table (see an-backend.h for the contracts: forward overwrites, backward adds).
 * Dimension letters: N batch, C channels, H/W height/width, O output features/kernels.
 */
#pragma once

#include "an-backend.h"

G_BEGIN_DECLS

void an_conv2d_forward_ref (AnBackend *be, const AnConvDesc *d, float *y, const float *x,
                            const float *w, const float *b);
void an_conv2d_backward_ref (AnBackend *be, const AnConvDesc *d, float *dx, float *dw, float *db,
                             const float *dy, const float *x, const float *w);

void an_relu_forward_ref (AnBackend *be, size_t count, float *y, const float *x);
void an_relu_backward_ref (AnBackend *be, size_t count, float *dx, const float *dy,
                           const float *y);

void an_lrn_forward_ref (AnBackend *be, const AnLrnDesc *d, float *y, float *scale,
                         const float *x);
void an_lrn_backward_ref (AnBackend *be, const AnLrnDesc *d, float *dx, const float *dy,
                          const float *x, const float *y, const float *scale);

void an_maxpool_forward_ref (AnBackend *be, const AnPoolDesc *d, float *y, int32_t *argmax,
                             const float *x);
void an_maxpool_backward_ref (AnBackend *be, const AnPoolDesc *d, float *dx, const float *dy,
                              const int32_t *argmax);
void an_avgpool_forward_ref (AnBackend *be, const AnAdaptivePoolDesc *d, float *y,
                             const float *x);
void an_avgpool_backward_ref (AnBackend *be, const AnAdaptivePoolDesc *d, float *dx,
                              const float *dy);

void an_dropout_forward_ref (AnBackend *be, const AnDropoutDesc *d, float *y, float *mask,
                             const float *x);
void an_dropout_backward_ref (AnBackend *be, size_t count, float *dx, const float *dy,
                              const float *mask);
void an_linear_forward_ref (AnBackend *be, const AnLinearDesc *d, float *y, const float *x,
                            const float *w, const float *b);
void an_linear_backward_ref (AnBackend *be, const AnLinearDesc *d, float *dx, float *dw,
                             float *db, const float *dy, const float *x, const float *w);
void an_concat_forward_ref (AnBackend *be, int n, int cy, int offset, int cx, int hw, float *y,
                            const float *x);
void an_concat_backward_ref (AnBackend *be, int n, int cy, int offset, int cx, int hw, float *dx,
                             const float *dy);

double an_softmax_xent_forward_ref (AnBackend *be, int n, int k, float *probs,
                                    const float *logits, const int32_t *labels);
void an_softmax_xent_backward_ref (AnBackend *be, int n, int k, float *dlogits,
                                   const float *probs, const int32_t *labels);

void an_sgd_update_ref (AnBackend *be, const AnSgdDesc *d, size_t count, float *w, float *v,
                        const float *g);
double an_sum_squares_ref (AnBackend *be, size_t count, const float *x);

G_END_DECLS
