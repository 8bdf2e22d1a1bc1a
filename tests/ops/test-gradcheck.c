/* test-gradcheck.c: every backward pass of the reference backend against central finite
 * differences of its own forward pass. The scalar is L = sum_i r[i] y[i] (r random, summed in
 * double), so dL/dy = r is what backward receives; for softmax-xent L is the loss itself.
 *
 * numeric[i] = (L(p[i] + eps) - L(p[i] - eps)) / (the float difference of the two points).
 * Error model: float32 rounding of the outputs a change touches, ~6e-8 |y| sqrt(touched), over
 * 2 eps, plus O(eps^2) for the ops that are not linear in p. Tolerances below follow from it.
 *
 * The += contract: every gradient buffer is pre-filled with U(-1, 1) values and the gradient is
 * read as (buffer after backward) - (pre-filled value); an op that overwrote would fail.
 * Each parameter is checked with the other gradients passed as NULL ("not wanted").
 */
#define G_LOG_DOMAIN "test-gradcheck"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-backend.h"
#include "an-rng.h"
#include "an-test-util.h"

/* Ops linear in the checked parameter (conv, linear, pooling, dropout, concat): no truncation
 * error, so a large eps keeps the rounding noise small. */
#define EPS_LINEAR 0.1f
#define TOL_LINEAR_ABS 3e-5
#define TOL_LINEAR_REL 1e-3
/* LRN: O(eps^2) truncation (~1e-5) and rounding noise (~2e-5) */
#define EPS_LRN 3e-3f
#define TOL_LRN_ABS 1e-4
#define TOL_LRN_REL 3e-3

typedef double (*LossFn) (gpointer data);

typedef struct {
  AnBackend *be;
  AnTestArena *arena;
  uint64_t seed; /* next fill's seed: every buffer gets its own values */
} Ctx;

static Ctx
ctx_new (void)
{
  AnBackend *be = an_backend_ref_new ();
  Ctx ctx = { be, an_test_arena_new (be), 1 };
  return ctx;
}

static void
ctx_finish (Ctx *ctx)
{
  g_assert_true (an_test_arena_check (ctx->arena));
  an_test_arena_free (ctx->arena);
  an_backend_free (ctx->be);
}

/* Reference memory is host memory: tests fill and read it in place. */
static float *
uniform (Ctx *ctx, size_t count, float lo, float hi)
{
  float *x = an_test_arena_alloc (ctx->arena, count * sizeof (float));
  an_test_fill_uniform (x, count, ctx->seed++, lo, hi);
  return x;
}

static float *
empty (Ctx *ctx, size_t count)
{
  return an_test_arena_alloc (ctx->arena, count * sizeof (float));
}

static double
weighted_sum (const float *r, const float *y, size_t count)
{
  double sum = 0.0;
  for (size_t i = 0; i < count; i++)
    sum += (double) r[i] * y[i];
  return sum;
}

/* Compares (grad - prefill) with central differences of loss over param. skip (may be NULL)
 * marks elements at a kink, which are not compared. */
static void
check_gradient (const char *what, LossFn loss, gpointer data, float *param, size_t count,
                const float *grad, const float *prefill, const gboolean *skip, float eps,
                double atol, double rtol)
{
  g_autofree double *numeric = g_new (double, count);
  g_autofree float *analytic = g_new (float, count);
  size_t skipped = 0;

  for (size_t i = 0; i < count; i++)
    {
      analytic[i] = grad[i] - prefill[i];
      if (skip && skip[i])
        {
          numeric[i] = analytic[i];
          skipped++;
          continue;
        }
      float saved = param[i];
      float up = saved + eps, down = saved - eps;
      param[i] = up;
      double loss_up = loss (data);
      param[i] = down;
      double loss_down = loss (data);
      param[i] = saved;
      numeric[i] = (loss_up - loss_down) / ((double) up - (double) down);
    }
  if (skipped)
    g_test_message ("%s: %zu of %zu elements skipped (at a kink)", what, skipped, count);
  g_assert_true (an_test_all_finite (what, analytic, count));
  g_assert_true (an_test_compare (what, analytic, numeric, count, atol, rtol, NULL));
}

/* A gradient buffer pre-filled with known values, and a copy of them. */
typedef struct {
  float *grad;    /* backend memory */
  float *prefill; /* host copy */
} Grad;

static Grad
grad_new (Ctx *ctx, size_t count)
{
  Grad g = { uniform (ctx, count, -1.0f, 1.0f), g_new (float, count) };
  memcpy (g.prefill, g.grad, count * sizeof (float));
  return g;
}

static void
grad_free (Grad *g)
{
  g_free (g->prefill);
}

/* --- conv -------------------------------------------------------------------------------- */

typedef struct {
  Ctx *ctx;
  AnConvDesc d;
  float *x, *w, *b, *y, *r;
} ConvCase;

static double
conv_loss (gpointer data)
{
  ConvCase *c = data;
  c->ctx->be->ops->conv2d_forward (c->ctx->be, &c->d, c->y, c->x, c->w, c->b);
  return weighted_sum (c->r, c->y, (size_t) c->d.n * c->d.oc * c->d.oh * c->d.ow);
}

static void
test_conv (void)
{
  static const AnConvDesc cases[] = {
    { .n = 2, .c = 3, .h = 6, .w = 5, .oc = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1,
      .pw = 1, .groups = 1 },
    { .n = 2, .c = 4, .h = 7, .w = 7, .oc = 6, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .ph = 1,
      .pw = 1, .groups = 2 },
    { .n = 1, .c = 6, .h = 5, .w = 6, .oc = 6, .kh = 2, .kw = 3, .sh = 2, .sw = 1, .ph = 0,
      .pw = 1, .groups = 3 },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      Ctx ctx = ctx_new ();
      ConvCase c = { &ctx, cases[k] };
      g_autoptr (GError) error = NULL;
      g_assert_true (an_conv_desc_init (&c.d, &error));
      const AnConvDesc *d = &c.d;
      size_t nx = (size_t) d->n * d->c * d->h * d->w;
      size_t nw = (size_t) d->oc * (d->c / d->groups) * d->kh * d->kw;
      size_t ny = (size_t) d->n * d->oc * d->oh * d->ow;
      c.x = uniform (&ctx, nx, -1.0f, 1.0f);
      c.w = uniform (&ctx, nw, -1.0f, 1.0f);
      c.b = uniform (&ctx, d->oc, -1.0f, 1.0f);
      c.r = uniform (&ctx, ny, -1.0f, 1.0f);
      c.y = empty (&ctx, ny);
      g_test_message ("conv (%d, %d, %d, %d) * (%d, %d, %d, %d) stride %d,%d pad %d,%d groups %d",
                      d->n, d->c, d->h, d->w, d->oc, d->c / d->groups, d->kh, d->kw, d->sh,
                      d->sw, d->ph, d->pw, d->groups);

      Grad dx = grad_new (&ctx, nx), dw = grad_new (&ctx, nw), db = grad_new (&ctx, d->oc);
      ctx.be->ops->conv2d_backward (ctx.be, d, dx.grad, NULL, NULL, c.r, c.x, c.w);
      ctx.be->ops->conv2d_backward (ctx.be, d, NULL, dw.grad, NULL, c.r, c.x, c.w);
      ctx.be->ops->conv2d_backward (ctx.be, d, NULL, NULL, db.grad, c.r, c.x, c.w);
      check_gradient ("conv dx", conv_loss, &c, c.x, nx, dx.grad, dx.prefill, NULL, EPS_LINEAR,
                      TOL_LINEAR_ABS, TOL_LINEAR_REL);
      check_gradient ("conv dw", conv_loss, &c, c.w, nw, dw.grad, dw.prefill, NULL, EPS_LINEAR,
                      TOL_LINEAR_ABS, TOL_LINEAR_REL);
      check_gradient ("conv db", conv_loss, &c, c.b, d->oc, db.grad, db.prefill, NULL,
                      EPS_LINEAR, TOL_LINEAR_ABS, TOL_LINEAR_REL);
      grad_free (&dx);
      grad_free (&dw);
      grad_free (&db);
      ctx_finish (&ctx);
    }
}

/* --- LRN --------------------------------------------------------------------------------- */

typedef struct {
  Ctx *ctx;
  AnLrnDesc d;
  float *x, *y, *scale, *r;
} LrnCase;

static double
lrn_loss (gpointer data)
{
  LrnCase *c = data;
  c->ctx->be->ops->lrn_forward (c->ctx->be, &c->d, c->y, c->scale, c->x);
  return weighted_sum (c->r, c->y, (size_t) c->d.n * c->d.c * c->d.h * c->d.w);
}

static void
test_lrn (void)
{
  /* groups 1 and 2; odd and even sizes; a window wider than a group (size 5, 3 per group) */
  static const struct {
    int c, size, groups;
  } cases[] = {
    { 7, 1, 1 }, { 7, 3, 1 }, { 7, 4, 1 }, { 7, 5, 1 }, { 8, 3, 2 }, { 8, 4, 2 }, { 6, 5, 2 },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      Ctx ctx = ctx_new ();
      LrnCase c = { &ctx, { .n = 2, .c = cases[k].c, .h = 3, .w = 2, .size = cases[k].size,
                            .groups = cases[k].groups, .alpha = 0.3f, .beta = 0.75f,
                            .k = 1.0f } };
      g_autoptr (GError) error = NULL;
      g_assert_true (an_lrn_desc_check (&c.d, &error));
      size_t count = (size_t) c.d.n * c.d.c * c.d.h * c.d.w;
      c.x = uniform (&ctx, count, -2.0f, 2.0f);
      c.r = uniform (&ctx, count, -1.0f, 1.0f);
      c.y = empty (&ctx, count);
      c.scale = empty (&ctx, count);
      g_test_message ("lrn c %d size %d groups %d alpha %g beta %g k %g", c.d.c, c.d.size,
                      c.d.groups, (double) c.d.alpha, (double) c.d.beta, (double) c.d.k);

      lrn_loss (&c); /* y and scale for backward */
      Grad dx = grad_new (&ctx, count);
      ctx.be->ops->lrn_backward (ctx.be, &c.d, dx.grad, c.r, c.x, c.y, c.scale);
      check_gradient ("lrn dx", lrn_loss, &c, c.x, count, dx.grad, dx.prefill, NULL, EPS_LRN,
                      TOL_LRN_ABS, TOL_LRN_REL);
      grad_free (&dx);
      ctx_finish (&ctx);
    }
}

/* --- max pooling ------------------------------------------------------------------------- */

typedef struct {
  Ctx *ctx;
  AnPoolDesc d;
  float *x, *y, *r;
  int32_t *argmax;
} PoolCase;

static double
maxpool_loss (gpointer data)
{
  PoolCase *c = data;
  c->ctx->be->ops->maxpool_forward (c->ctx->be, &c->d, c->y, c->argmax, c->x);
  return weighted_sum (c->r, c->y, (size_t) c->d.n * c->d.c * c->d.oh * c->d.ow);
}

static void
test_maxpool (void)
{
  static const AnPoolDesc cases[] = {
    { .n = 2, .c = 2, .h = 9, .w = 8, .kh = 3, .kw = 3, .sh = 2, .sw = 2 },
    { .n = 1, .c = 2, .h = 7, .w = 7, .kh = 2, .kw = 2, .sh = 2, .sw = 2 },
    { .n = 1, .c = 3, .h = 4, .w = 5, .kh = 2, .kw = 2, .sh = 1, .sw = 1 },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      Ctx ctx = ctx_new ();
      PoolCase c = { &ctx, cases[k] };
      g_autoptr (GError) error = NULL;
      g_assert_true (an_pool_desc_init (&c.d, &error));
      size_t nx = (size_t) c.d.n * c.d.c * c.d.h * c.d.w;
      size_t ny = (size_t) c.d.n * c.d.c * c.d.oh * c.d.ow;
      /* distinct values 0.05 apart: a perturbation of eps << 0.05 never changes a maximum */
      c.x = empty (&ctx, nx);
      an_test_fill_distinct (c.x, nx, 7 + k, 0.05f);
      c.r = uniform (&ctx, ny, -1.0f, 1.0f);
      c.y = empty (&ctx, ny);
      c.argmax = an_test_arena_alloc (ctx.arena, ny * sizeof (int32_t));
      g_test_message ("maxpool %dx%d/%d on (%d, %d, %d, %d)", c.d.kh, c.d.kw, c.d.sh, c.d.n,
                      c.d.c, c.d.h, c.d.w);

      maxpool_loss (&c);
      Grad dx = grad_new (&ctx, nx);
      ctx.be->ops->maxpool_backward (ctx.be, &c.d, dx.grad, c.r, c.argmax);
      check_gradient ("maxpool dx", maxpool_loss, &c, c.x, nx, dx.grad, dx.prefill, NULL, 0.01f,
                      TOL_LINEAR_ABS, TOL_LINEAR_REL);
      grad_free (&dx);
      ctx_finish (&ctx);
    }
}

/* --- adaptive average pooling ------------------------------------------------------------ */

typedef struct {
  Ctx *ctx;
  AnAdaptivePoolDesc d;
  float *x, *y, *r;
} AvgCase;

static double
avgpool_loss (gpointer data)
{
  AvgCase *c = data;
  c->ctx->be->ops->avgpool_forward (c->ctx->be, &c->d, c->y, c->x);
  return weighted_sum (c->r, c->y, (size_t) c->d.n * c->d.c * c->d.oh * c->d.ow);
}

static void
test_avgpool (void)
{
  /* shrinking to a non-divisor, growing (overlapping windows), and the identity */
  static const AnAdaptivePoolDesc cases[] = {
    { .n = 2, .c = 2, .h = 7, .w = 9, .oh = 3, .ow = 4 },
    { .n = 1, .c = 2, .h = 5, .w = 3, .oh = 6, .ow = 4 },
    { .n = 1, .c = 1, .h = 6, .w = 6, .oh = 6, .ow = 6 },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      Ctx ctx = ctx_new ();
      AvgCase c = { &ctx, cases[k] };
      size_t nx = (size_t) c.d.n * c.d.c * c.d.h * c.d.w;
      size_t ny = (size_t) c.d.n * c.d.c * c.d.oh * c.d.ow;
      c.x = uniform (&ctx, nx, -1.0f, 1.0f);
      c.r = uniform (&ctx, ny, -1.0f, 1.0f);
      c.y = empty (&ctx, ny);
      g_test_message ("adaptive avgpool (%d, %d, %d, %d) -> %dx%d", c.d.n, c.d.c, c.d.h, c.d.w,
                      c.d.oh, c.d.ow);

      Grad dx = grad_new (&ctx, nx);
      ctx.be->ops->avgpool_backward (ctx.be, &c.d, dx.grad, c.r);
      check_gradient ("avgpool dx", avgpool_loss, &c, c.x, nx, dx.grad, dx.prefill, NULL,
                      EPS_LINEAR, TOL_LINEAR_ABS, TOL_LINEAR_REL);
      grad_free (&dx);
      ctx_finish (&ctx);
    }
}

/* --- linear ------------------------------------------------------------------------------ */

typedef struct {
  Ctx *ctx;
  AnLinearDesc d;
  float *x, *w, *b, *y, *r;
} LinearCase;

static double
linear_loss (gpointer data)
{
  LinearCase *c = data;
  c->ctx->be->ops->linear_forward (c->ctx->be, &c->d, c->y, c->x, c->w, c->b);
  return weighted_sum (c->r, c->y, (size_t) c->d.n * c->d.out);
}

static void
test_linear (void)
{
  Ctx ctx = ctx_new ();
  LinearCase c = { &ctx, { .n = 3, .in = 7, .out = 5 } };
  size_t nx = (size_t) c.d.n * c.d.in, nw = (size_t) c.d.out * c.d.in;
  c.x = uniform (&ctx, nx, -1.0f, 1.0f);
  c.w = uniform (&ctx, nw, -1.0f, 1.0f);
  c.b = uniform (&ctx, c.d.out, -1.0f, 1.0f);
  c.r = uniform (&ctx, (size_t) c.d.n * c.d.out, -1.0f, 1.0f);
  c.y = empty (&ctx, (size_t) c.d.n * c.d.out);

  Grad dx = grad_new (&ctx, nx), dw = grad_new (&ctx, nw), db = grad_new (&ctx, c.d.out);
  ctx.be->ops->linear_backward (ctx.be, &c.d, dx.grad, NULL, NULL, c.r, c.x, c.w);
  ctx.be->ops->linear_backward (ctx.be, &c.d, NULL, dw.grad, NULL, c.r, c.x, c.w);
  ctx.be->ops->linear_backward (ctx.be, &c.d, NULL, NULL, db.grad, c.r, c.x, c.w);
  check_gradient ("linear dx", linear_loss, &c, c.x, nx, dx.grad, dx.prefill, NULL, EPS_LINEAR,
                  TOL_LINEAR_ABS, TOL_LINEAR_REL);
  check_gradient ("linear dw", linear_loss, &c, c.w, nw, dw.grad, dw.prefill, NULL, EPS_LINEAR,
                  TOL_LINEAR_ABS, TOL_LINEAR_REL);
  check_gradient ("linear db", linear_loss, &c, c.b, c.d.out, db.grad, db.prefill, NULL,
                  EPS_LINEAR, TOL_LINEAR_ABS, TOL_LINEAR_REL);
  grad_free (&dx);
  grad_free (&dw);
  grad_free (&db);
  ctx_finish (&ctx);
}

/* --- dropout (the mask is a function of seed, stream and index: fixed across calls) ------- */

typedef struct {
  Ctx *ctx;
  AnDropoutDesc d;
  float *x, *y, *mask, *r;
} DropoutCase;

static double
dropout_loss (gpointer data)
{
  DropoutCase *c = data;
  c->ctx->be->ops->dropout_forward (c->ctx->be, &c->d, c->y, c->mask, c->x);
  return weighted_sum (c->r, c->y, (size_t) c->d.n * c->d.cols);
}

static void
test_dropout (void)
{
  Ctx ctx = ctx_new ();
  DropoutCase c = { &ctx, { .n = 3, .cols = 6, .total_cols = 12, .col_offset = 6, .p = 0.4f,
                            .seed = 5, .stream = AN_RNG_STREAM (AN_RNG_DROPOUT, 3, 11) } };
  size_t count = (size_t) c.d.n * c.d.cols;
  c.x = uniform (&ctx, count, -1.0f, 1.0f);
  c.r = uniform (&ctx, count, -1.0f, 1.0f);
  c.y = empty (&ctx, count);
  c.mask = empty (&ctx, count);

  dropout_loss (&c);
  size_t kept = 0;
  for (size_t i = 0; i < count; i++)
    kept += c.mask[i] != 0.0f;
  g_test_message ("dropout p %g: %zu of %zu kept", (double) c.d.p, kept, count);
  g_assert_cmpuint (kept, >, 0);
  g_assert_cmpuint (kept, <, count);

  Grad dx = grad_new (&ctx, count);
  ctx.be->ops->dropout_backward (ctx.be, count, dx.grad, c.r, c.mask);
  check_gradient ("dropout dx", dropout_loss, &c, c.x, count, dx.grad, dx.prefill, NULL,
                  EPS_LINEAR, TOL_LINEAR_ABS, TOL_LINEAR_REL);
  grad_free (&dx);
  ctx_finish (&ctx);
}

/* --- ReLU -------------------------------------------------------------------------------- */

typedef struct {
  Ctx *ctx;
  size_t count;
  float *x, *y, *r;
} ReluCase;

static double
relu_loss (gpointer data)
{
  ReluCase *c = data;
  c->ctx->be->ops->relu_forward (c->ctx->be, c->count, c->y, c->x);
  return weighted_sum (c->r, c->y, c->count);
}

static void
test_relu (void)
{
  const float eps = 0.01f;
  Ctx ctx = ctx_new ();
  ReluCase c = { &ctx, 200 };
  c.x = uniform (&ctx, c.count, -1.0f, 1.0f);
  c.r = uniform (&ctx, c.count, -1.0f, 1.0f);
  c.y = empty (&ctx, c.count);
  g_autofree gboolean *near_kink = g_new (gboolean, c.count);
  for (size_t i = 0; i < c.count; i++)
    near_kink[i] = fabsf (c.x[i]) < 2.0f * eps;

  relu_loss (&c);
  Grad dx = grad_new (&ctx, c.count);
  ctx.be->ops->relu_backward (ctx.be, c.count, dx.grad, c.r, c.y);
  check_gradient ("relu dx", relu_loss, &c, c.x, c.count, dx.grad, dx.prefill, near_kink, eps,
                  TOL_LINEAR_ABS, TOL_LINEAR_REL);
  grad_free (&dx);
  ctx_finish (&ctx);
}

/* --- softmax + cross-entropy ------------------------------------------------------------- */

typedef struct {
  Ctx *ctx;
  int n, k;
  float *logits, *probs;
  int32_t *labels;
} XentCase;

static double
xent_loss (gpointer data)
{
  XentCase *c = data;
  return c->ctx->be->ops->softmax_xent_forward (c->ctx->be, c->n, c->k, c->probs, c->logits,
                                                c->labels);
}

static void
test_softmax_xent (void)
{
  Ctx ctx = ctx_new ();
  XentCase c = { &ctx, 5, 7 };
  size_t count = (size_t) c.n * c.k;
  c.logits = uniform (&ctx, count, -3.0f, 3.0f);
  c.probs = empty (&ctx, count);
  c.labels = an_test_arena_alloc (ctx.arena, c.n * sizeof (int32_t));
  an_test_fill_labels (c.labels, c.n, 3, c.k);

  xent_loss (&c);
  Grad dl = grad_new (&ctx, count);
  ctx.be->ops->softmax_xent_backward (ctx.be, c.n, c.k, dl.grad, c.probs, c.labels);
  /* the loss is computed in double from float logits: only O(eps^2) ~ 1e-7 remains */
  check_gradient ("softmax-xent dlogits", xent_loss, &c, c.logits, count, dl.grad, dl.prefill,
                  NULL, 1e-3f, 1e-6, 1e-4);
  grad_free (&dl);
  ctx_finish (&ctx);
}

/* --- concat: two inputs into one output, each with its own gradient ---------------------- */

typedef struct {
  Ctx *ctx;
  int n, ca, cb, hw;
  float *a, *b, *y, *r;
} ConcatCase;

static double
concat_loss (gpointer data)
{
  ConcatCase *c = data;
  int cy = c->ca + c->cb;
  c->ctx->be->ops->concat_forward (c->ctx->be, c->n, cy, 0, c->ca, c->hw, c->y, c->a);
  c->ctx->be->ops->concat_forward (c->ctx->be, c->n, cy, c->ca, c->cb, c->hw, c->y, c->b);
  return weighted_sum (c->r, c->y, (size_t) c->n * cy * c->hw);
}

static void
test_concat (void)
{
  Ctx ctx = ctx_new ();
  ConcatCase c = { &ctx, 2, 3, 2, 5 };
  size_t na = (size_t) c.n * c.ca * c.hw, nb = (size_t) c.n * c.cb * c.hw;
  size_t ny = na + nb;
  c.a = uniform (&ctx, na, -1.0f, 1.0f);
  c.b = uniform (&ctx, nb, -1.0f, 1.0f);
  c.r = uniform (&ctx, ny, -1.0f, 1.0f);
  c.y = empty (&ctx, ny);

  Grad da = grad_new (&ctx, na), db = grad_new (&ctx, nb);
  ctx.be->ops->concat_backward (ctx.be, c.n, c.ca + c.cb, 0, c.ca, c.hw, da.grad, c.r);
  ctx.be->ops->concat_backward (ctx.be, c.n, c.ca + c.cb, c.ca, c.cb, c.hw, db.grad, c.r);
  check_gradient ("concat da", concat_loss, &c, c.a, na, da.grad, da.prefill, NULL, EPS_LINEAR,
                  TOL_LINEAR_ABS, TOL_LINEAR_REL);
  check_gradient ("concat db", concat_loss, &c, c.b, nb, db.grad, db.prefill, NULL, EPS_LINEAR,
                  TOL_LINEAR_ABS, TOL_LINEAR_REL);
  grad_free (&da);
  grad_free (&db);
  ctx_finish (&ctx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gradcheck/conv2d", test_conv);
  g_test_add_func ("/gradcheck/lrn", test_lrn);
  g_test_add_func ("/gradcheck/maxpool", test_maxpool);
  g_test_add_func ("/gradcheck/adaptive-avgpool", test_avgpool);
  g_test_add_func ("/gradcheck/linear", test_linear);
  g_test_add_func ("/gradcheck/dropout", test_dropout);
  g_test_add_func ("/gradcheck/relu", test_relu);
  g_test_add_func ("/gradcheck/softmax-xent", test_softmax_xent);
  g_test_add_func ("/gradcheck/concat", test_concat);
  return g_test_run ();
}
