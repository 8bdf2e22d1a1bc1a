/* an-cpu-conv.c: grouped 2-D convolution on the CPU: oneDNN's JIT kernels where it has one
 * (an-cpu-conv-dnnl.c), otherwise im2col + one SGEMM per group.
 * Weight (OC, C/groups, KH, KW) is, per group, a row-major (OC/g, K) matrix with
 * K = C/g * KH * KW; the columns are (K, nb * OH * OW) for a chunk of nb images (the batch folded
 * into the GEMM's N dimension), so small late layers still make GEMMs wide enough to be fast.
 * Backward: dW by GEMM over the same columns, dX by GEMM then col2im, db in a fixed order.
 * col2im adds into each dx row from one thread in a fixed order: no atomics, deterministic.
 */
#define G_LOG_DOMAIN "alexnet-cpu"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-cpu-private.h"

/* The folded columns and the transposed output of one chunk of images share this many floats
 * (64 MiB); larger batches are done in several chunks. */
#define AN_CPU_CONV_BUDGET_FLOATS ((size_t) 16 << 20)

typedef struct {
  int cg, ocg;    /* channels and kernels per group */
  int k;          /* GEMM inner size: cg * kh * kw */
  int p;          /* output pixels per image: oh * ow */
  size_t hw;      /* input pixels per plane */
} ConvShape;

static ConvShape
conv_shape (const AnConvDesc *d)
{
  ConvShape s;

  s.cg = d->c / d->groups;
  s.ocg = d->oc / d->groups;
  s.k = s.cg * d->kh * d->kw;
  s.p = d->oh * d->ow;
  s.hw = (size_t) d->h * d->w;
  return s;
}

/* The output columns [lo, hi) whose input column ox * sw - pw + j lies inside [0, w). */
static void
conv_valid_columns (const AnConvDesc *d, int j, int *lo, int *hi)
{
  int first = d->pw - j > 0 ? (d->pw - j + d->sw - 1) / d->sw : 0;
  int end = (d->w + d->pw - j + d->sw - 1) / d->sw;

  *lo = MIN (first, d->ow);
  *hi = CLAMP (end, *lo, d->ow);
}

/* col (K, nb * P), leading dimension nb * P = the columns of images n0 .. n0 + nb - 1, group g. */
static void
im2col_cpu (AnBackend *be, const AnConvDesc *d, const ConvShape *s, int n0, int nb, int g,
            const float *x, float *col)
{
  const size_t ld = (size_t) nb * s->p;

#pragma omp parallel for collapse(2) schedule(static) num_threads(an_cpu_threads (be))
  for (int r = 0; r < s->k; r++)
    for (int b = 0; b < nb; b++)
      {
        int ci = r / (d->kh * d->kw), i = r / d->kw % d->kh, j = r % d->kw;
        const float *plane = x + ((size_t) (n0 + b) * d->c + (size_t) g * s->cg + ci) * s->hw;
        float *dst = col + r * ld + (size_t) b * s->p;
        int lo, hi;

        conv_valid_columns (d, j, &lo, &hi);
        for (int oy = 0; oy < d->oh; oy++, dst += d->ow)
          {
            int iy = oy * d->sh - d->ph + i;

            if (iy < 0 || iy >= d->h)
              {
                memset (dst, 0, (size_t) d->ow * sizeof (float));
                continue;
              }
            const float *src = plane + (size_t) iy * d->w;
            ptrdiff_t shift = j - d->pw; /* input column = ox * sw + shift */
            for (int ox = 0; ox < lo; ox++)
              dst[ox] = 0.0f;
            if (d->sw == 1)
              memcpy (dst + lo, src + lo + shift, (size_t) (hi - lo) * sizeof (float));
            else
              for (int ox = lo; ox < hi; ox++)
                dst[ox] = src[(ptrdiff_t) ox * d->sw + shift];
            for (int ox = hi; ox < d->ow; ox++)
              dst[ox] = 0.0f;
          }
      }
}

/* dx += col2im (col): each dx row (image, channel, iy) is owned by one thread, which adds the
 * column entries that came from it in the fixed order (kh, kw, ox). */
static void
col2im_add_cpu (AnBackend *be, const AnConvDesc *d, const ConvShape *s, int n0, int nb, int g,
                const float *col, float *dx)
{
  const size_t ld = (size_t) nb * s->p;

#pragma omp parallel for collapse(3) schedule(static) num_threads(an_cpu_threads (be))
  for (int b = 0; b < nb; b++)
    for (int ci = 0; ci < s->cg; ci++)
      for (int iy = 0; iy < d->h; iy++)
        {
          float *row = dx + (((size_t) (n0 + b) * d->c + (size_t) g * s->cg + ci) * s->hw) +
                       (size_t) iy * d->w;

          for (int i = 0; i < d->kh; i++)
            {
              int t = iy + d->ph - i;
              int oy = t / d->sh;

              if (t < 0 || t % d->sh != 0 || oy >= d->oh)
                continue;
              for (int j = 0; j < d->kw; j++)
                {
                  size_t r = ((size_t) ci * d->kh + i) * d->kw + j;
                  const float *src = col + r * ld + (size_t) b * s->p + (size_t) oy * d->ow;
                  int lo, hi;

                  conv_valid_columns (d, j, &lo, &hi);
                  for (int ox = lo; ox < hi; ox++)
                    row[(ptrdiff_t) ox * d->sw + j - d->pw] += src[ox];
                }
            }
        }
}

/* db[o] += sum over images and pixels of dy, in that order, in double. */
static void
conv_bias_grad_cpu (AnBackend *be, const AnConvDesc *d, const ConvShape *s, float *db,
                    const float *dy)
{
#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
  for (int o = 0; o < d->oc; o++)
    {
      double acc = 0.0;

      for (int n = 0; n < d->n; n++)
        {
          const float *src = dy + ((size_t) n * d->oc + o) * s->p;

          for (int q = 0; q < s->p; q++)
            acc += src[q];
        }
      db[o] += (float) acc;
    }
}

/* How many images one folded chunk holds, and its workspace; NULL when not even one fits. */
static float *
conv_folded_workspace (AnBackend *be, const AnConvDesc *d, const ConvShape *s, int *nb)
{
  int columns = ((AnCpuBackend *) be)->conv_fold_columns;
  size_t per_image = ((size_t) s->k + d->oc) * s->p;
  size_t fit = MAX (AN_CPU_CONV_BUDGET_FLOATS / per_image, 1);

  if (columns > 0)
    fit = MIN (fit, (size_t) (columns + s->p - 1) / s->p);

  for (*nb = (int) MIN (fit, (size_t) d->n); *nb >= 1; *nb /= 2)
    {
      float *work = an_cpu_workspace (be, per_image * *nb);

      if (work)
        return work;
    }
  return NULL;
}

/* Ops cannot fail on the CPU: a workspace that cannot be allocated at all is reported and
 * the output poisoned with NaN, which the trainer's divergence check turns into an error. */
static void
conv_out_of_memory (const char *what, float *out, size_t count)
{
  g_critical ("cpu conv2d %s: cannot allocate its workspace", what);
  for (size_t i = 0; i < count; i++)
    out[i] = NAN;
}

static void
conv2d_forward_folded (AnBackend *be, const AnConvDesc *d, const ConvShape *s, float *y,
                       const float *x, const float *w, const float *b)
{
  int nb;
  float *col = conv_folded_workspace (be, d, s, &nb);

  if (!col)
    {
      conv_out_of_memory ("forward", y, (size_t) d->n * d->oc * s->p);
      return;
    }
  for (int n0 = 0; n0 < d->n; n0 += nb)
    {
      int count = MIN (nb, d->n - n0);
      int ld = count * s->p;
      float *out = col + (size_t) s->k * ld; /* (OC, count * P) */

      for (int g = 0; g < d->groups; g++)
        {
          im2col_cpu (be, d, s, n0, count, g, x, col);
          an_cpu_sgemm (be, FALSE, FALSE, s->ocg, ld, s->k, 1.0f,
                        w + (size_t) g * s->ocg * s->k, s->k, col, ld, 0.0f,
                        out + (size_t) g * s->ocg * ld, ld);
        }
#pragma omp parallel for collapse(2) schedule(static) num_threads(an_cpu_threads (be))
      for (int i = 0; i < count; i++)
        for (int o = 0; o < d->oc; o++)
          {
            const float *src = out + (size_t) o * ld + (size_t) i * s->p;
            float *dst = y + ((size_t) (n0 + i) * d->oc + o) * s->p;

            for (int q = 0; q < s->p; q++)
              dst[q] = src[q] + b[o];
          }
    }
}

static void
conv2d_forward_per_image (AnBackend *be, const AnConvDesc *d, const ConvShape *s, float *y,
                          const float *x, const float *w, const float *b)
{
  float *col = an_cpu_workspace (be, (size_t) s->k * s->p);

  if (!col)
    {
      conv_out_of_memory ("forward", y, (size_t) d->n * d->oc * s->p);
      return;
    }
  for (int n = 0; n < d->n; n++)
    {
      float *yn = y + (size_t) n * d->oc * s->p; /* (OC, P) */

#pragma omp parallel for schedule(static) num_threads(an_cpu_threads (be))
      for (int o = 0; o < d->oc; o++)
        for (int q = 0; q < s->p; q++)
          yn[(size_t) o * s->p + q] = b[o];
      for (int g = 0; g < d->groups; g++)
        {
          im2col_cpu (be, d, s, n, 1, g, x, col);
          an_cpu_sgemm (be, FALSE, FALSE, s->ocg, s->p, s->k, 1.0f,
                        w + (size_t) g * s->ocg * s->k, s->k, col, s->p, 1.0f,
                        yn + (size_t) g * s->ocg * s->p, s->p);
        }
    }
}

static void
conv2d_backward_folded (AnBackend *be, const AnConvDesc *d, const ConvShape *s, float *dx,
                        float *dw, const float *dy, const float *x, const float *w)
{
  int nb;
  float *col = conv_folded_workspace (be, d, s, &nb);

  if (!col)
    {
      if (dx)
        conv_out_of_memory ("backward", dx, (size_t) d->n * d->c * s->hw);
      if (dw)
        conv_out_of_memory ("backward", dw, (size_t) d->oc * s->k);
      return;
    }
  for (int n0 = 0; n0 < d->n; n0 += nb)
    {
      int count = MIN (nb, d->n - n0);
      int ld = count * s->p;
      float *gy = col + (size_t) s->k * ld; /* dy of the chunk as (OC, count * P) */

#pragma omp parallel for collapse(2) schedule(static) num_threads(an_cpu_threads (be))
      for (int o = 0; o < d->oc; o++)
        for (int i = 0; i < count; i++)
          memcpy (gy + (size_t) o * ld + (size_t) i * s->p,
                  dy + ((size_t) (n0 + i) * d->oc + o) * s->p, (size_t) s->p * sizeof (float));

      for (int g = 0; g < d->groups; g++)
        {
          const float *gy_g = gy + (size_t) g * s->ocg * ld;
          const float *w_g = w + (size_t) g * s->ocg * s->k;

          if (dw)
            {
              im2col_cpu (be, d, s, n0, count, g, x, col);
              an_cpu_sgemm (be, FALSE, TRUE, s->ocg, s->k, ld, 1.0f, gy_g,
                            ld, col, ld, 1.0f, dw + (size_t) g * s->ocg * s->k, s->k);
            }
          if (dx)
            {
              an_cpu_sgemm (be, TRUE, FALSE, s->k, ld, s->ocg, 1.0f, w_g,
                            s->k, gy_g, ld, 0.0f, col, ld);
              col2im_add_cpu (be, d, s, n0, count, g, col, dx);
            }
        }
    }
}

static void
conv2d_backward_per_image (AnBackend *be, const AnConvDesc *d, const ConvShape *s, float *dx,
                           float *dw, const float *dy, const float *x, const float *w)
{
  float *col = an_cpu_workspace (be, (size_t) s->k * s->p);

  if (!col)
    {
      if (dx)
        conv_out_of_memory ("backward", dx, (size_t) d->n * d->c * s->hw);
      if (dw)
        conv_out_of_memory ("backward", dw, (size_t) d->oc * s->k);
      return;
    }
  for (int n = 0; n < d->n; n++)
    for (int g = 0; g < d->groups; g++)
      {
        const float *dy_g = dy + ((size_t) n * d->oc + (size_t) g * s->ocg) * s->p;
        const float *w_g = w + (size_t) g * s->ocg * s->k;

        if (dw)
          {
            im2col_cpu (be, d, s, n, 1, g, x, col);
            an_cpu_sgemm (be, FALSE, TRUE, s->ocg, s->k, s->p, 1.0f, dy_g,
                          s->p, col, s->p, 1.0f, dw + (size_t) g * s->ocg * s->k, s->k);
          }
        if (dx)
          {
            an_cpu_sgemm (be, TRUE, FALSE, s->k, s->p, s->ocg, 1.0f, w_g,
                          s->k, dy_g, s->p, 0.0f, col, s->p);
            col2im_add_cpu (be, d, s, n, 1, g, col, dx);
          }
      }
}

/* Forced strategies are taken as they are; AUTO and IM2COL choose between the GEMM layouts
 * by the image's size (tools/kernels/bench-conv.c). */
static AnCpuConvStrategy
conv_gemm_layout (AnBackend *be, AnCpuConvStrategy strategy, const ConvShape *s)
{
  int columns = ((AnCpuBackend *) be)->conv_fold_columns;

  if (strategy == AN_CPU_CONV_FOLDED || strategy == AN_CPU_CONV_PER_IMAGE)
    return strategy;
  return columns <= 0 || s->p < columns ? AN_CPU_CONV_FOLDED : AN_CPU_CONV_PER_IMAGE;
}

static gboolean
conv_try_dnnl (AnBackend *be, AnCpuConvStrategy strategy)
{
  return strategy == AN_CPU_CONV_DNNL ||
         (strategy == AN_CPU_CONV_AUTO &&
          ((AnCpuBackend *) be)->kernels == AN_CPU_KERNELS_ONEDNN);
}

void
conv2d_forward_cpu_with (AnBackend *be, AnCpuConvStrategy strategy, const AnConvDesc *d,
                         float *y, const float *x, const float *w, const float *b)
{
  ConvShape s = conv_shape (d);

  if (conv_try_dnnl (be, strategy) && an_cpu_dnnl_conv2d_forward (be, d, y, x, w, b))
    return;
  if (conv_gemm_layout (be, strategy, &s) == AN_CPU_CONV_FOLDED)
    conv2d_forward_folded (be, d, &s, y, x, w, b);
  else
    conv2d_forward_per_image (be, d, &s, y, x, w, b);
}

void
conv2d_backward_cpu_with (AnBackend *be, AnCpuConvStrategy strategy, const AnConvDesc *d,
                          float *dx, float *dw, float *db, const float *dy, const float *x,
                          const float *w)
{
  ConvShape s = conv_shape (d);

  if ((dx || dw) && conv_try_dnnl (be, strategy) &&
      an_cpu_dnnl_conv2d_backward (be, d, dx, dw, dy, x, w, db))
    {
      if (db && !dw) /* oneDNN's bias gradient comes with the weights' */
        conv_bias_grad_cpu (be, d, &s, db, dy);
      return;
    }
  if (db)
    conv_bias_grad_cpu (be, d, &s, db, dy);
  if (!dx && !dw)
    return;
  if (conv_gemm_layout (be, strategy, &s) == AN_CPU_CONV_FOLDED)
    conv2d_backward_folded (be, d, &s, dx, dw, dy, x, w);
  else
    conv2d_backward_per_image (be, d, &s, dx, dw, dy, x, w);
}

void
conv2d_forward_cpu (AnBackend *be, const AnConvDesc *d, float *y, const float *x,
                    const float *w, const float *b)
{
  conv2d_forward_cpu_with (be, AN_CPU_CONV_AUTO, d, y, x, w, b);
}

void
conv2d_backward_cpu (AnBackend *be, const AnConvDesc *d, float *dx, float *dw, float *db,
                     const float *dy, const float *x, const float *w)
{
  conv2d_backward_cpu_with (be, AN_CPU_CONV_AUTO, d, dx, dw, db, dy, x, w);
}
