/* an-cuda-conv.c: convolution as im2col + one GEMM per group, the batch folded into the GEMM's
 * columns in passes that fit the workspace (AN_CUDA_WORKSPACE_MIB); backward gathers dx with
 * col2im and adds the passes' dW in order.
 */
#define G_LOG_DOMAIN "alexnet-cuda"
#include "config.h"

#include "an-cuda-private.h"

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

void
conv2d_forward_cuda (AnBackend *be, const AnConvDesc *d, float *y, const float *x,
                     const float *w, const float *b)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  int groups = MAX (d->groups, 1);
  int cg = d->c / groups, ocg = d->oc / groups;
  int kdim = cg * d->kh * d->kw;
  size_t ohw = (size_t) d->oh * d->ow;
  if (d->n <= 0 || ohw == 0 || ocg <= 0)
    return;
  int per_pass = conv_images_per_pass (ctx, d->n, (size_t) (kdim + ocg) * ohw);
  float *col = an_cuda_workspace (ctx, (size_t) (kdim + ocg) * per_pass * ohw);
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
          an_cuda_note (ctx, an_cuda_im2col (ctx->stream, &s, x, col), "im2col");
          /* tmp (ocg, m) = W_g (ocg, kdim) col (kdim, m) */
          an_cuda_gemm (ctx, FALSE, FALSE, ocg, m, kdim, 1.0f, w + (size_t) g * ocg * kdim,
                        kdim, col, m, 0.0f, tmp, m);
          an_cuda_note (ctx,
                        an_cuda_conv_output (ctx->stream, d->oc, g * ocg, ocg, ohw, n0, nb, tmp, b,
                                             y),
                        "conv output");
        }
    }
}

void
conv2d_backward_cuda (AnBackend *be, const AnConvDesc *d, float *dx, float *dw, float *db,
                      const float *dy, const float *x, const float *w)
{
  AnCudaBackend *ctx = an_cuda_enter (be);
  int groups = MAX (d->groups, 1);
  int cg = d->c / groups, ocg = d->oc / groups;
  int kdim = cg * d->kh * d->kw;
  size_t ohw = (size_t) d->oh * d->ow;
  if (d->n <= 0 || ohw == 0 || ocg <= 0)
    return;
  if (db != NULL)
    an_cuda_note (ctx, an_cuda_bias_grad (ctx->stream, d->n, d->oc, ohw, dy, db), "bias gradient");
  if (dx == NULL && dw == NULL)
    return;
  int per_pass = conv_images_per_pass (ctx, d->n, (size_t) (kdim + ocg) * ohw);
  float *col = an_cuda_workspace (ctx, (size_t) (kdim + ocg) * per_pass * ohw);
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
          an_cuda_note (ctx, an_cuda_conv_gather_dy (ctx->stream, d->oc, g * ocg, ocg, ohw, n0, nb,
                                                     dy, dy_g),
                        "gathering dy");
          if (dw != NULL)
            {
              /* dW_g (ocg, kdim) += dy_g (ocg, m) col^T (m, kdim); passes add in order */
              an_cuda_note (ctx, an_cuda_im2col (ctx->stream, &s, x, col), "im2col");
              an_cuda_gemm (ctx, FALSE, TRUE, ocg, kdim, m, 1.0f, dy_g, m, col, m, 1.0f,
                            dw + (size_t) g * ocg * kdim, kdim);
            }
          if (dx != NULL)
            {
              /* dcol (kdim, m) = W_g^T (kdim, ocg) dy_g (ocg, m), then gathered into dx */
              an_cuda_gemm (ctx, TRUE, FALSE, kdim, m, ocg, 1.0f, w_g, kdim, dy_g, m, 0.0f,
                            col, m);
              an_cuda_note (ctx, an_cuda_col2im_add (ctx->stream, &s, col, dx), "col2im");
            }
        }
    }
}
