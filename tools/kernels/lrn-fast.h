/* lrn-fast.h: a single-precision one-pass LRN with the CPU backend's signature (bench-dnnl). */
#pragma once

#include "an-backend.h"

G_BEGIN_DECLS

void lrn_fast_forward (AnBackend *be, const AnLrnDesc *d, float *y, float *scale,
                       const float *x);
void lrn_fast_backward (AnBackend *be, const AnLrnDesc *d, float *dx, const float *dy,
                        const float *x, const float *y, const float *scale);

G_END_DECLS
