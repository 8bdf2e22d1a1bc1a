/* dnnl-conv.h: convolution forward and backward through oneDNN behind the backend's NCHW
 * contract (forward overwrites, backward adds), for bench-dnnl to time against im2col + BLAS.
 */
#pragma once

#include "an-backend.h"

G_BEGIN_DECLS

typedef struct _DnnlConv DnnlConv;

typedef enum {
  DNNL_CONV_BLOCKED, /* layouts of oneDNN's choice, reordered at the op's edges */
  DNNL_CONV_NCHW,    /* plain layouts: no reorders, oneDNN's GEMM-based kernels */
} DnnlConvLayout;

DnnlConv *dnnl_conv_new (int threads, DnnlConvLayout layout);
void dnnl_conv_free (DnnlConv *dc);

/* FALSE when oneDNN has no fast kernel for the shape: nothing was written. */
gboolean dnnl_conv_forward (DnnlConv *dc, const AnConvDesc *d, float *y, const float *x,
                            const float *w, const float *b);
gboolean dnnl_conv_backward (DnnlConv *dc, const AnConvDesc *d, float *dx, float *dw, float *db,
                             const float *dy, const float *x, const float *w);

G_END_DECLS
