/* an-desc.h: the shape descriptors every op takes, and the checks that fill and validate them.
 *
 * Shapes follow PyTorch (NCHW float32, floor mode, no dilation). an_conv_desc_init and
 * an_pool_desc_init fill the output size; every check names the field and the value at fault.
 * Dimension letters: N batch, C channels, H/W height/width, O output features/kernels.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

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

/* Fill oh/ow; FALSE with a message naming the offending value when the shape is impossible
 * (kernel larger than padded input, channels not divisible by groups...). */
gboolean an_conv_desc_init (AnConvDesc *d, GError **error);
gboolean an_pool_desc_init (AnPoolDesc *d, GError **error);
gboolean an_lrn_desc_check (const AnLrnDesc *d, GError **error);

G_END_DECLS
