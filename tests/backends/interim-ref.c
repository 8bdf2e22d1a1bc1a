/* interim-ref.c: plain-loop stand-in for the reference backend, linked into the all-ops test
 * only while src/engine/ops/ref/ lists no sources. Same contract as an-backend.h, written
 * straight from its formulas: direct convolution, window sums recomputed per element.
 */
#define G_LOG_DOMAIN "alexnet-test"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-backend.h"
#include "an-error.h"
#include "an-rng.h"

static void *
iref_alloc (AnBackend *be, size_t bytes, GError **error)
{
  void *p = g_try_malloc (MAX (bytes, 1));
  if (!p)
    g_set_error (error, AN_ERROR, AN_ERROR_NO_MEMORY, "cannot allocate %zu bytes", bytes);
  return p;
}
static void iref_free (AnBackend *be, void *p) { g_free (p); }
static void iref_zero (AnBackend *be, void *p, size_t n) { memset (p, 0, n); }
static void iref_copy (AnBackend *be, void *d, const void *s, size_t n) { memmove (d, s, n); }
static gboolean iref_sync (AnBackend *be, GError **e) { return TRUE; }
static gboolean
iref_peer (AnBackend *be, void *d, AnBackend *sb, const void *s, size_t n)
{
  return FALSE;
}
static void iref_destroy (AnBackend *be) { g_free (be); }

#define X4(t, n, c, h, w, C, H, W) (t)[(((size_t) (n) * (C) + (c)) * (H) + (h)) * (W) + (w)]

static void
iref_conv_fwd (AnBackend *be, const AnConvDesc *d, float *y, const float *x, const float *w,
               const float *b)
{
  int cg = d->c / d->groups, ocg = d->oc / d->groups;
  for (int n = 0; n < d->n; n++)
    for (int o = 0; o < d->oc; o++)
      for (int oy = 0; oy < d->oh; oy++)
        for (int ox = 0; ox < d->ow; ox++)
          {
            double acc = b[o];
            int g = o / ocg;
            for (int ci = 0; ci < cg; ci++)
              for (int i = 0; i < d->kh; i++)
                for (int j = 0; j < d->kw; j++)
                  {
                    int iy = oy * d->sh - d->ph + i, ix = ox * d->sw - d->pw + j;
                    if (iy < 0 || iy >= d->h || ix < 0 || ix >= d->w)
                      continue;
                    acc += (double) X4 (x, n, g * cg + ci, iy, ix, d->c, d->h, d->w) *
                           X4 (w, o, ci, i, j, cg, d->kh, d->kw);
                  }
            X4 (y, n, o, oy, ox, d->oc, d->oh, d->ow) = (float) acc;
          }
}

static void
iref_conv_bwd (AnBackend *be, const AnConvDesc *d, float *dx, float *dw, float *db,
               const float *dy, const float *x, const float *w)
{
  int cg = d->c / d->groups, ocg = d->oc / d->groups;
  for (int n = 0; n < d->n; n++)
    for (int o = 0; o < d->oc; o++)
      for (int oy = 0; oy < d->oh; oy++)
        for (int ox = 0; ox < d->ow; ox++)
          {
            float g_ = X4 (dy, n, o, oy, ox, d->oc, d->oh, d->ow);
            int g = o / ocg;
            if (db)
              db[o] += g_;
            for (int ci = 0; ci < cg; ci++)
              for (int i = 0; i < d->kh; i++)
                for (int j = 0; j < d->kw; j++)
                  {
                    int iy = oy * d->sh - d->ph + i, ix = ox * d->sw - d->pw + j;
                    if (iy < 0 || iy >= d->h || ix < 0 || ix >= d->w)
                      continue;
                    if (dx)
                      X4 (dx, n, g * cg + ci, iy, ix, d->c, d->h, d->w) +=
                        g_ * X4 (w, o, ci, i, j, cg, d->kh, d->kw);
                    if (dw)
                      X4 (dw, o, ci, i, j, cg, d->kh, d->kw) +=
                        g_ * X4 (x, n, g * cg + ci, iy, ix, d->c, d->h, d->w);
                  }
          }
}

static void
iref_relu_fwd (AnBackend *be, size_t n, float *y, const float *x)
{
  for (size_t i = 0; i < n; i++)
    y[i] = x[i] > 0 ? x[i] : 0;
}
static void
iref_relu_bwd (AnBackend *be, size_t n, float *dx, const float *dy, const float *y)
{
  for (size_t i = 0; i < n; i++)
    dx[i] += y[i] > 0 ? dy[i] : 0;
}

static void
lrn_window (const AnLrnDesc *d, int c, int *lo, int *hi)
{
  int cg = d->c / d->groups, g0 = c / cg * cg;
  *lo = MAX (c - d->size / 2, g0);
  *hi = MIN (c + (d->size - 1) / 2, g0 + cg - 1);
}

static void
iref_lrn_fwd (AnBackend *be, const AnLrnDesc *d, float *y, float *scale, const float *x)
{
  for (int n = 0; n < d->n; n++)
    for (int c = 0; c < d->c; c++)
      for (int p = 0; p < d->h * d->w; p++)
        {
          int lo, hi;
          double s = 0;
          lrn_window (d, c, &lo, &hi);
          for (int j = lo; j <= hi; j++)
            {
              double v = x[((size_t) n * d->c + j) * d->h * d->w + p];
              s += v * v;
            }
          size_t at = ((size_t) n * d->c + c) * d->h * d->w + p;
          scale[at] = (float) (d->k + d->alpha * s);
          y[at] = (float) (x[at] * pow (d->k + d->alpha * s, -d->beta));
        }
}

static void
iref_lrn_bwd (AnBackend *be, const AnLrnDesc *d, float *dx, const float *dy, const float *x,
              const float *y, const float *scale)
{
  for (int n = 0; n < d->n; n++)
    for (int j = 0; j < d->c; j++)
      for (int p = 0; p < d->h * d->w; p++)
        {
          size_t aj = ((size_t) n * d->c + j) * d->h * d->w + p;
          double acc = dy[aj] * pow (scale[aj], -d->beta);
          for (int i = 0; i < d->c; i++)
            {
              int lo, hi;
              lrn_window (d, i, &lo, &hi);
              if (j < lo || j > hi)
                continue;
              size_t ai = ((size_t) n * d->c + i) * d->h * d->w + p;
              acc -= 2.0 * d->alpha * d->beta * x[aj] * dy[ai] * x[ai] *
                     pow (scale[ai], -d->beta - 1.0);
            }
          dx[aj] += (float) acc;
        }
}

static void
iref_maxpool_fwd (AnBackend *be, const AnPoolDesc *d, float *y, int32_t *am, const float *x)
{
  for (int nc = 0; nc < d->n * d->c; nc++)
    for (int oy = 0; oy < d->oh; oy++)
      for (int ox = 0; ox < d->ow; ox++)
        {
          int best = -1;
          float m = -INFINITY;
          for (int i = 0; i < d->kh; i++)
            for (int j = 0; j < d->kw; j++)
              {
                int at = (oy * d->sh + i) * d->w + ox * d->sw + j;
                float v = x[(size_t) nc * d->h * d->w + at];
                if (best < 0 || v > m)
                  m = v, best = at;
              }
          y[((size_t) nc * d->oh + oy) * d->ow + ox] = m;
          am[((size_t) nc * d->oh + oy) * d->ow + ox] = best;
        }
}

static void
iref_maxpool_bwd (AnBackend *be, const AnPoolDesc *d, float *dx, const float *dy,
                  const int32_t *am)
{
  for (int nc = 0; nc < d->n * d->c; nc++)
    for (int q = 0; q < d->oh * d->ow; q++)
      dx[(size_t) nc * d->h * d->w + am[(size_t) nc * d->oh * d->ow + q]] +=
        dy[(size_t) nc * d->oh * d->ow + q];
}

static void
iref_avg_fwd (AnBackend *be, const AnAdaptivePoolDesc *d, float *y, const float *x)
{
  for (int nc = 0; nc < d->n * d->c; nc++)
    for (int oy = 0; oy < d->oh; oy++)
      for (int ox = 0; ox < d->ow; ox++)
        {
          int y0 = oy * d->h / d->oh, y1 = ((oy + 1) * d->h + d->oh - 1) / d->oh;
          int x0 = ox * d->w / d->ow, x1 = ((ox + 1) * d->w + d->ow - 1) / d->ow;
          double s = 0;
          for (int iy = y0; iy < y1; iy++)
            for (int ix = x0; ix < x1; ix++)
              s += x[((size_t) nc * d->h + iy) * d->w + ix];
          y[((size_t) nc * d->oh + oy) * d->ow + ox] = (float) (s / ((y1 - y0) * (x1 - x0)));
        }
}

static void
iref_avg_bwd (AnBackend *be, const AnAdaptivePoolDesc *d, float *dx, const float *dy)
{
  for (int nc = 0; nc < d->n * d->c; nc++)
    for (int oy = 0; oy < d->oh; oy++)
      for (int ox = 0; ox < d->ow; ox++)
        {
          int y0 = oy * d->h / d->oh, y1 = ((oy + 1) * d->h + d->oh - 1) / d->oh;
          int x0 = ox * d->w / d->ow, x1 = ((ox + 1) * d->w + d->ow - 1) / d->ow;
          float g = dy[((size_t) nc * d->oh + oy) * d->ow + ox] / ((y1 - y0) * (x1 - x0));
          for (int iy = y0; iy < y1; iy++)
            for (int ix = x0; ix < x1; ix++)
              dx[((size_t) nc * d->h + iy) * d->w + ix] += g;
        }
}

static void
iref_drop_fwd (AnBackend *be, const AnDropoutDesc *d, float *y, float *mask, const float *x)
{
  for (int r = 0; r < d->n; r++)
    for (int j = 0; j < d->cols; j++)
      {
        uint64_t idx = (uint64_t) r * d->total_cols + d->col_offset + j;
        size_t at = (size_t) r * d->cols + j;
        mask[at] = an_rng_uniform (d->seed, d->stream, idx) >= d->p ? 1.0f / (1.0f - d->p) : 0;
        y[at] = x[at] * mask[at];
      }
}

static void
iref_drop_bwd (AnBackend *be, size_t n, float *dx, const float *dy, const float *mask)
{
  for (size_t i = 0; i < n; i++)
    dx[i] += dy[i] * mask[i];
}

static void
iref_lin_fwd (AnBackend *be, const AnLinearDesc *d, float *y, const float *x, const float *w,
              const float *b)
{
  for (int r = 0; r < d->n; r++)
    for (int o = 0; o < d->out; o++)
      {
        double s = b[o];
        for (int i = 0; i < d->in; i++)
          s += (double) x[(size_t) r * d->in + i] * w[(size_t) o * d->in + i];
        y[(size_t) r * d->out + o] = (float) s;
      }
}

static void
iref_lin_bwd (AnBackend *be, const AnLinearDesc *d, float *dx, float *dw, float *db,
              const float *dy, const float *x, const float *w)
{
  for (int r = 0; r < d->n; r++)
    for (int o = 0; o < d->out; o++)
      {
        float g = dy[(size_t) r * d->out + o];
        if (db)
          db[o] += g;
        for (int i = 0; i < d->in; i++)
          {
            if (dx)
              dx[(size_t) r * d->in + i] += g * w[(size_t) o * d->in + i];
            if (dw)
              dw[(size_t) o * d->in + i] += g * x[(size_t) r * d->in + i];
          }
      }
}

static void
iref_cat_fwd (AnBackend *be, int n, int cy, int off, int cx, int hw, float *y, const float *x)
{
  for (int i = 0; i < n; i++)
    for (int c = 0; c < cx; c++)
      for (int p = 0; p < hw; p++)
        y[((size_t) i * cy + off + c) * hw + p] = x[((size_t) i * cx + c) * hw + p];
}

static void
iref_cat_bwd (AnBackend *be, int n, int cy, int off, int cx, int hw, float *dx, const float *dy)
{
  for (int i = 0; i < n; i++)
    for (int c = 0; c < cx; c++)
      for (int p = 0; p < hw; p++)
        dx[((size_t) i * cx + c) * hw + p] += dy[((size_t) i * cy + off + c) * hw + p];
}

static double
iref_sm_fwd (AnBackend *be, int n, int k, float *probs, const float *z, const int32_t *labels)
{
  double loss = 0;
  for (int r = 0; r < n; r++)
    {
      double m = z[(size_t) r * k], s = 0;
      for (int j = 0; j < k; j++)
        m = MAX (m, z[(size_t) r * k + j]);
      for (int j = 0; j < k; j++)
        s += exp (z[(size_t) r * k + j] - m);
      for (int j = 0; j < k; j++)
        probs[(size_t) r * k + j] = (float) (exp (z[(size_t) r * k + j] - m) / s);
      loss += -(z[(size_t) r * k + labels[r]] - m - log (s));
    }
  return loss / n;
}

static void
iref_sm_bwd (AnBackend *be, int n, int k, float *dz, const float *probs, const int32_t *labels)
{
  for (int r = 0; r < n; r++)
    for (int j = 0; j < k; j++)
      dz[(size_t) r * k + j] += (probs[(size_t) r * k + j] - (j == labels[r])) / n;
}

static void
iref_sgd (AnBackend *be, const AnSgdDesc *d, size_t n, float *w, float *v, const float *g)
{
  for (size_t i = 0; i < n; i++)
    if (d->rule == AN_SGD_RULE_PYTORCH)
      {
        v[i] = d->momentum * v[i] + (g[i] + d->weight_decay * w[i]);
        w[i] -= d->lr * v[i];
      }
    else
      {
        v[i] = d->momentum * v[i] - d->weight_decay * d->lr * w[i] - d->lr * g[i];
        w[i] += v[i];
      }
}

static double
iref_ss (AnBackend *be, size_t n, const float *x)
{
  double s = 0;
  for (size_t i = 0; i < n; i++)
    s += (double) x[i] * x[i];
  return s;
}

static const AnBackendOps iref_ops = {
  "reference", iref_alloc, iref_free, iref_zero, iref_copy, iref_copy, iref_copy, iref_sync,
  iref_peer, iref_destroy, iref_conv_fwd, iref_conv_bwd, iref_relu_fwd, iref_relu_bwd,
  iref_lrn_fwd, iref_lrn_bwd, iref_maxpool_fwd, iref_maxpool_bwd, iref_avg_fwd, iref_avg_bwd,
  iref_drop_fwd, iref_drop_bwd, iref_lin_fwd, iref_lin_bwd, iref_cat_fwd, iref_cat_bwd,
  iref_sm_fwd, iref_sm_bwd, iref_sgd, iref_ss,
};

AnBackend *
an_backend_ref_new (void)
{
  AnBackend *be = g_new0 (AnBackend, 1);
  be->ops = &iref_ops;
  return be;
}
