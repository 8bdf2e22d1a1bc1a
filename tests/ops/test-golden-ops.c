/* test-golden-ops.c: the reference backend against PyTorch (tests/golden/ops.bin, written in
 * float64 by tools/torch_golden.py from float32-exact inputs). Our float32 outputs must agree
 * with the float64 truth to within float32 rounding of sums of a few dozen terms:
 * |got - want| <= 1e-5 + 1e-5 |want| (TOL_*), except where stated. Every comparison prints the
 * error it achieved.
 */
#define G_LOG_DOMAIN "test-golden-ops"
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "an-backend.h"
#include "an-error.h"
#include "an-rng.h"
#include "an-test-golden.h"
#include "an-test-util.h"

/* float32 outputs against float64 truth */
#define TOL_ABS 1e-5
#define TOL_REL 1e-5

/* Buffers of one test: guarded reference-backend memory, checked and freed together.
 * Reference memory is host memory, so results are read in place. */
typedef struct {
  AnBackend *be;
  AnGolden *golden;
  AnTestArena *arena;
} Ctx;

static Ctx
ctx_new (void)
{
  AnBackend *be = an_backend_ref_new ();
  Ctx ctx = { be, an_test_golden_open ("ops.bin"), an_test_arena_new (be) };
  return ctx;
}

static void
ctx_finish (Ctx *ctx)
{
  g_assert_true (an_test_arena_check (ctx->arena));
  an_test_arena_free (ctx->arena);
  an_golden_free (ctx->golden);
  an_backend_free (ctx->be);
}

static void *
buffer (Ctx *ctx, size_t bytes)
{
  return an_test_arena_alloc (ctx->arena, bytes);
}

/* a float32 copy of a golden tensor in backend memory */
static float *
input (Ctx *ctx, const char *name)
{
  const AnGoldenTensor *t = an_test_golden_get (ctx->golden, name, 0);
  g_autofree float *host = an_golden_tensor_to_float (t);
  return an_test_arena_upload (ctx->arena, host, t->count);
}

static float *
zeros (Ctx *ctx, size_t count)
{
  return an_test_arena_zeros (ctx->arena, count);
}

static const AnGoldenTensor *
want (Ctx *ctx, const char *name)
{
  return an_test_golden_get (ctx->golden, name, 0);
}

static void
check (Ctx *ctx, const char *name, const float *got, double atol, double rtol)
{
  const AnGoldenTensor *t = want (ctx, name);
  g_assert_true (an_test_all_finite (name, got, t->count));
  g_assert_true (an_test_compare (name, got, t->data, t->count, atol, rtol, NULL));
}

static int
desc_int (Ctx *ctx, const char *case_name, unsigned i)
{
  g_autofree char *name = g_strdup_printf ("%s.desc", case_name);
  const AnGoldenTensor *t = want (ctx, name);
  g_assert_cmpuint (i, <, t->count);
  return (int) t->data[i];
}

static float
desc_float (Ctx *ctx, const char *case_name, unsigned i)
{
  g_autofree char *name = g_strdup_printf ("%s.desc", case_name);
  const AnGoldenTensor *t = want (ctx, name);
  g_assert_cmpuint (i, <, t->count);
  return (float) t->data[i];
}

/* "<case>.<key>" in the caller's name_buf: one use per expression */
#define NAME(case_name, key)                                                                    \
  (g_snprintf (name_buf, sizeof name_buf, "%s.%s", case_name, key), name_buf)

static void
test_conv (void)
{
  static const char *const cases[] = { "conv_a", "conv_b", "conv_c" };
  char name_buf[64];

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      Ctx ctx = ctx_new ();
      const char *cn = cases[c];
      AnConvDesc d = {
        .n = desc_int (&ctx, cn, 0), .c = desc_int (&ctx, cn, 1), .h = desc_int (&ctx, cn, 2),
        .w = desc_int (&ctx, cn, 3), .oc = desc_int (&ctx, cn, 4), .kh = desc_int (&ctx, cn, 5),
        .kw = desc_int (&ctx, cn, 6), .sh = desc_int (&ctx, cn, 7), .sw = desc_int (&ctx, cn, 8),
        .ph = desc_int (&ctx, cn, 9), .pw = desc_int (&ctx, cn, 10),
        .groups = desc_int (&ctx, cn, 11),
      };
      g_autoptr (GError) error = NULL;
      g_assert_true (an_conv_desc_init (&d, &error));
      g_assert_no_error (error);
      g_test_message ("%s: x (%d, %d, %d, %d), %d kernels %dx%d, stride %d,%d, pad %d,%d, "
                      "groups %d -> (%d, %d)",
                      cn, d.n, d.c, d.h, d.w, d.oc, d.kh, d.kw, d.sh, d.sw, d.ph, d.pw, d.groups,
                      d.oh, d.ow);

      float *x = input (&ctx, NAME (cn, "x"));
      float *w = input (&ctx, NAME (cn, "w"));
      float *b = input (&ctx, NAME (cn, "b"));
      float *dy = input (&ctx, NAME (cn, "dy"));
      size_t y_count = want (&ctx, NAME (cn, "y"))->count;
      g_assert_cmpuint (y_count, ==, (size_t) d.n * d.oc * d.oh * d.ow);
      float *y = buffer (&ctx, y_count * sizeof (float));
      float *dx = zeros (&ctx, want (&ctx, NAME (cn, "dx"))->count);
      float *dw = zeros (&ctx, want (&ctx, NAME (cn, "dw"))->count);
      float *db = zeros (&ctx, want (&ctx, NAME (cn, "db"))->count);

      ctx.be->ops->conv2d_forward (ctx.be, &d, y, x, w, b);
      ctx.be->ops->conv2d_backward (ctx.be, &d, dx, dw, db, dy, x, w);

      check (&ctx, NAME (cn, "y"), y, TOL_ABS, TOL_REL);
      check (&ctx, NAME (cn, "dx"), dx, TOL_ABS, TOL_REL);
      check (&ctx, NAME (cn, "dw"), dw, TOL_ABS, TOL_REL);
      check (&ctx, NAME (cn, "db"), db, TOL_ABS, TOL_REL);
      ctx_finish (&ctx);
    }
}

static void
test_lrn (void)
{
  static const char *const cases[] = { "lrn_code", "lrn_paper", "lrn_even" };
  char name_buf[64];

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      Ctx ctx = ctx_new ();
      const char *cn = cases[c];
      AnLrnDesc d = {
        .n = desc_int (&ctx, cn, 0), .c = desc_int (&ctx, cn, 1), .h = desc_int (&ctx, cn, 2),
        .w = desc_int (&ctx, cn, 3), .size = desc_int (&ctx, cn, 4),
        .groups = desc_int (&ctx, cn, 5), .alpha = desc_float (&ctx, cn, 6),
        .beta = desc_float (&ctx, cn, 7), .k = desc_float (&ctx, cn, 8),
      };
      g_autoptr (GError) error = NULL;
      g_assert_true (an_lrn_desc_check (&d, &error));
      g_test_message ("%s: (%d, %d, %d, %d) size %d groups %d alpha %g (torch alpha %g) beta %g "
                      "k %g",
                      cn, d.n, d.c, d.h, d.w, d.size, d.groups, (double) d.alpha,
                      (double) desc_float (&ctx, cn, 9), (double) d.beta, (double) d.k);

      size_t count = (size_t) d.n * d.c * d.h * d.w;
      float *x = input (&ctx, NAME (cn, "x"));
      float *dy = input (&ctx, NAME (cn, "dy"));
      float *y = buffer (&ctx, count * sizeof (float));
      float *scale = buffer (&ctx, count * sizeof (float));
      float *dx = zeros (&ctx, count);

      ctx.be->ops->lrn_forward (ctx.be, &d, y, scale, x);
      ctx.be->ops->lrn_backward (ctx.be, &d, dx, dy, x, y, scale);

      check (&ctx, NAME (cn, "y"), y, TOL_ABS, TOL_REL);
      check (&ctx, NAME (cn, "scale"), scale, TOL_ABS, TOL_REL);
      check (&ctx, NAME (cn, "dx"), dx, TOL_ABS, TOL_REL);
      ctx_finish (&ctx);
    }
}

static void
test_maxpool (void)
{
  static const char *const cases[] = { "pool_a", "pool_b", "pool_ties" };
  char name_buf[64];

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      Ctx ctx = ctx_new ();
      const char *cn = cases[c];
      AnPoolDesc d = {
        .n = desc_int (&ctx, cn, 0), .c = desc_int (&ctx, cn, 1), .h = desc_int (&ctx, cn, 2),
        .w = desc_int (&ctx, cn, 3), .kh = desc_int (&ctx, cn, 4), .kw = desc_int (&ctx, cn, 5),
        .sh = desc_int (&ctx, cn, 6), .sw = desc_int (&ctx, cn, 7),
      };
      g_autoptr (GError) error = NULL;
      g_assert_true (an_pool_desc_init (&d, &error));

      size_t out_count = (size_t) d.n * d.c * d.oh * d.ow;
      const AnGoldenTensor *argmax_want = want (&ctx, NAME (cn, "argmax"));
      g_assert_cmpuint (argmax_want->count, ==, out_count);
      float *x = input (&ctx, NAME (cn, "x"));
      float *dy = input (&ctx, NAME (cn, "dy"));
      float *y = buffer (&ctx, out_count * sizeof (float));
      int32_t *argmax = buffer (&ctx, out_count * sizeof (int32_t));
      float *dx = zeros (&ctx, (size_t) d.n * d.c * d.h * d.w);

      ctx.be->ops->maxpool_forward (ctx.be, &d, y, argmax, x);
      ctx.be->ops->maxpool_backward (ctx.be, &d, dx, dy, argmax);

      /* values are exact copies of inputs, and the chosen element must be PyTorch's */
      check (&ctx, NAME (cn, "y"), y, 0.0, 0.0);
      size_t wrong = 0;
      for (size_t i = 0; i < out_count; i++)
        wrong += argmax[i] != (int32_t) argmax_want->data[i];
      g_test_message ("%s: %dx%d/%d on (%d, %d, %d, %d) -> %dx%d, argmax differs at %zu of %zu",
                      cn, d.kh, d.kw, d.sh, d.n, d.c, d.h, d.w, d.oh, d.ow, wrong, out_count);
      g_assert_cmpuint (wrong, ==, 0);
      check (&ctx, NAME (cn, "dx"), dx, TOL_ABS, TOL_REL);
      ctx_finish (&ctx);
    }
}

static void
test_avgpool (void)
{
  static const char *const cases[] = { "avgpool_a", "avgpool_b" };
  char name_buf[64];

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      Ctx ctx = ctx_new ();
      const char *cn = cases[c];
      AnAdaptivePoolDesc d = {
        .n = desc_int (&ctx, cn, 0), .c = desc_int (&ctx, cn, 1), .h = desc_int (&ctx, cn, 2),
        .w = desc_int (&ctx, cn, 3), .oh = desc_int (&ctx, cn, 4), .ow = desc_int (&ctx, cn, 5),
      };
      g_test_message ("%s: (%d, %d, %d, %d) -> %dx%d", cn, d.n, d.c, d.h, d.w, d.oh, d.ow);
      float *x = input (&ctx, NAME (cn, "x"));
      float *dy = input (&ctx, NAME (cn, "dy"));
      float *y = buffer (&ctx, (size_t) d.n * d.c * d.oh * d.ow * sizeof (float));
      float *dx = zeros (&ctx, (size_t) d.n * d.c * d.h * d.w);

      ctx.be->ops->avgpool_forward (ctx.be, &d, y, x);
      ctx.be->ops->avgpool_backward (ctx.be, &d, dx, dy);

      check (&ctx, NAME (cn, "y"), y, TOL_ABS, TOL_REL);
      check (&ctx, NAME (cn, "dx"), dx, TOL_ABS, TOL_REL);
      ctx_finish (&ctx);
    }
}

static void
test_linear (void)
{
  Ctx ctx = ctx_new ();
  AnLinearDesc d = { desc_int (&ctx, "linear", 0), desc_int (&ctx, "linear", 1),
                     desc_int (&ctx, "linear", 2) };
  float *x = input (&ctx, "linear.x");
  float *w = input (&ctx, "linear.w");
  float *b = input (&ctx, "linear.b");
  float *dy = input (&ctx, "linear.dy");
  float *y = buffer (&ctx, (size_t) d.n * d.out * sizeof (float));
  float *dx = zeros (&ctx, (size_t) d.n * d.in);
  float *dw = zeros (&ctx, (size_t) d.out * d.in);
  float *db = zeros (&ctx, (size_t) d.out);

  ctx.be->ops->linear_forward (ctx.be, &d, y, x, w, b);
  ctx.be->ops->linear_backward (ctx.be, &d, dx, dw, db, dy, x, w);

  check (&ctx, "linear.y", y, TOL_ABS, TOL_REL);
  check (&ctx, "linear.dx", dx, TOL_ABS, TOL_REL);
  check (&ctx, "linear.dw", dw, TOL_ABS, TOL_REL);
  check (&ctx, "linear.db", db, TOL_ABS, TOL_REL);
  ctx_finish (&ctx);
}

static void
test_softmax_xent (void)
{
  Ctx ctx = ctx_new ();
  const AnGoldenTensor *lt = want (&ctx, "xent.logits");
  int n = (int) lt->dims[0], k = (int) lt->dims[1];
  const AnGoldenTensor *labels_want = an_test_golden_get (ctx.golden, "xent.labels", n);
  int32_t *labels = buffer (&ctx, n * sizeof (int32_t));
  for (int i = 0; i < n; i++)
    labels[i] = (int32_t) labels_want->data[i];
  float *logits = input (&ctx, "xent.logits");
  float *probs = buffer (&ctx, (size_t) n * k * sizeof (float));
  float *dlogits = zeros (&ctx, (size_t) n * k);

  double loss = ctx.be->ops->softmax_xent_forward (ctx.be, n, k, probs, logits, labels);
  ctx.be->ops->softmax_xent_backward (ctx.be, n, k, dlogits, probs, labels);

  /* the loss is computed in double from the same float logits: near double precision */
  double loss_want = an_test_golden_scalar (ctx.golden, "xent.loss");
  g_assert_true (an_test_compare_d ("xent.loss", &loss, &loss_want, 1, 1e-12, 1e-12, NULL));
  check (&ctx, "xent.probs", probs, 1e-7, 1e-6);
  check (&ctx, "xent.dlogits", dlogits, 1e-7, 1e-6);
  ctx_finish (&ctx);
}

static void
test_dropout (void)
{
  static const char *const cases[] = { "dropout_a", "dropout_b" };
  char name_buf[64];

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      Ctx ctx = ctx_new ();
      const char *cn = cases[c];
      AnDropoutDesc d = {
        .n = desc_int (&ctx, cn, 0), .cols = desc_int (&ctx, cn, 1),
        .total_cols = desc_int (&ctx, cn, 2), .col_offset = desc_int (&ctx, cn, 3),
        .p = desc_float (&ctx, cn, 4), .seed = (uint64_t) desc_int (&ctx, cn, 5),
        .stream = AN_RNG_STREAM (desc_int (&ctx, cn, 6), desc_int (&ctx, cn, 7),
                                 desc_int (&ctx, cn, 8)),
      };
      size_t count = (size_t) d.n * d.cols;
      float *x = input (&ctx, NAME (cn, "x"));
      float *y = buffer (&ctx, count * sizeof (float));
      float *mask = buffer (&ctx, count * sizeof (float));

      ctx.be->ops->dropout_forward (ctx.be, &d, y, mask, x);

      const AnGoldenTensor *mask_want = want (&ctx, NAME (cn, "mask"));
      size_t wrong = 0, kept = 0;
      for (size_t i = 0; i < count; i++)
        {
          wrong += (mask[i] != 0.0f) != (mask_want->data[i] != 0.0);
          kept += mask[i] != 0.0f;
        }
      g_test_message ("%s: p %g, columns %d..%d of %d: %zu of %zu kept, %zu differ from the "
                      "Python mask",
                      cn, (double) d.p, d.col_offset, d.col_offset + d.cols - 1, d.total_cols,
                      kept, count, wrong);
      g_assert_cmpuint (wrong, ==, 0);
      /* the scale 1 / (1 - p) is computed in float */
      check (&ctx, NAME (cn, "mask"), mask, 0.0, 1e-7);
      check (&ctx, NAME (cn, "y"), y, 1e-7, 1e-6);
      ctx_finish (&ctx);
    }
}

static void
test_rng (void)
{
  g_autoptr (AnGolden) golden = an_test_golden_open ("ops.bin");
  const AnGoldenTensor *args = an_test_golden_get (golden, "rng.args", 0);
  size_t m = args->dims[0];
  const AnGoldenTensor *hi = an_test_golden_get (golden, "rng.u64_hi", m);
  const AnGoldenTensor *lo = an_test_golden_get (golden, "rng.u64_lo", m);
  const AnGoldenTensor *uni = an_test_golden_get (golden, "rng.uniform", m);
  const AnGoldenTensor *nor = an_test_golden_get (golden, "rng.normal", m);

  g_autofree double *normal = g_new (double, m);
  for (size_t i = 0; i < m; i++)
    {
      const double *a = args->data + 5 * i; /* seed, kind, layer, step, index */
      uint64_t seed = (uint64_t) a[0], index = (uint64_t) a[4];
      uint64_t stream = AN_RNG_STREAM ((uint64_t) a[1], (uint64_t) a[2], (uint64_t) a[3]);
      uint64_t bits = an_rng_u64 (seed, stream, index);
      uint64_t bits_want = ((uint64_t) hi->data[i] << 32) | (uint64_t) lo->data[i];
      g_test_message ("rng %zu: u64 %016" G_GINT64_MODIFIER "x, Python %016" G_GINT64_MODIFIER
                      "x",
                      i, bits, bits_want);
      g_assert_cmphex (bits, ==, bits_want);
      g_assert_cmpfloat (an_rng_uniform (seed, stream, index), ==, uni->data[i]);
      normal[i] = an_rng_normal (seed, stream, index);
    }
  /* libm's log and cos may differ from Python's in the last bits */
  g_assert_true (an_test_compare_d ("rng.normal", normal, nor->data, m, 1e-13, 1e-13, NULL));
}

static void
test_sgd (void)
{
  static const struct {
    AnSgdRule rule;
    const char *prefix;
  } rules[] = { { AN_SGD_RULE_PYTORCH, "sgd_pytorch" }, { AN_SGD_RULE_PAPER, "sgd_paper" } };
  char name_buf[64];

  for (guint r = 0; r < G_N_ELEMENTS (rules); r++)
    {
      Ctx ctx = ctx_new ();
      size_t count = (size_t) desc_int (&ctx, "sgd", 0);
      float *w = input (&ctx, "sgd.w0");
      float *v = zeros (&ctx, count);
      for (int step = 1; step <= 3; step++)
        {
          AnSgdDesc d = { rules[r].rule, desc_float (&ctx, "sgd", 2 + step),
                          desc_float (&ctx, "sgd", 1), desc_float (&ctx, "sgd", 2) };
          g_autofree char *g_name = g_strdup_printf ("sgd.g%d", step);
          g_autofree char *w_name = g_strdup_printf ("w%d", step);
          float *g = input (&ctx, g_name);
          ctx.be->ops->sgd_update (ctx.be, &d, count, w, v, g);
          g_test_message ("%s step %d: lr %g", rules[r].prefix, step, (double) d.lr);
          check (&ctx, NAME (rules[r].prefix, w_name), w, TOL_ABS, TOL_REL);
        }
      check (&ctx, NAME (rules[r].prefix, "v3"), v, TOL_ABS, TOL_REL);
      ctx_finish (&ctx);
    }
}

static void
test_sum_squares_concat (void)
{
  Ctx ctx = ctx_new ();
  const AnGoldenTensor *xt = want (&ctx, "sumsq.x");
  float *x = input (&ctx, "sumsq.x");
  double sum = ctx.be->ops->sum_squares (ctx.be, xt->count, x);
  double sum_want = an_test_golden_scalar (ctx.golden, "sumsq.value");
  /* squares of floats are exact in double: only the order of the sum differs */
  g_assert_true (an_test_compare_d ("sumsq", &sum, &sum_want, 1, 0.0, 1e-13, NULL));

  const AnGoldenTensor *at = want (&ctx, "concat.a");
  const AnGoldenTensor *bt = want (&ctx, "concat.b");
  int n = (int) at->dims[0], ca = (int) at->dims[1], cb = (int) bt->dims[1];
  int hw = (int) at->dims[2];
  float *a = input (&ctx, "concat.a");
  float *b = input (&ctx, "concat.b");
  float *y = buffer (&ctx, (size_t) n * (ca + cb) * hw * sizeof (float));
  ctx.be->ops->concat_forward (ctx.be, n, ca + cb, 0, ca, hw, y, a);
  ctx.be->ops->concat_forward (ctx.be, n, ca + cb, ca, cb, hw, y, b);
  check (&ctx, "concat.y", y, 0.0, 0.0);
  ctx_finish (&ctx);
}

/* The reader refuses a wrong magic, another version and a truncated file, and says how to
 * regenerate; it reads back a well-formed file it did not see before. */
static void
test_reader (void)
{
  static const guint8 good[] = {
    'A', 'N', 'G', 'O', 'L', 'D', '0', '1', 1, 0, 0, 0, 1, 0, 0, 0, /* version 1, 1 tensor */
    1, 0, 0, 0, 'v', 1, 0, 0, 0, 2, 0, 0, 0,                      /* "v", 1 dim of 2 */
    0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0xc0,      /* 1.0, -2.0 */
  };
  g_autofree char *dir = g_dir_make_tmp ("an-golden-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "t.bin", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, (const char *) good, sizeof good, NULL));
  g_autoptr (AnGolden) golden = an_golden_load (path, &error);
  g_assert_no_error (error);
  const AnGoldenTensor *v = an_golden_find (golden, "v");
  g_assert_nonnull (v);
  g_assert_cmpuint (v->count, ==, 2);
  g_assert_cmpfloat (v->data[0], ==, 1.0);
  g_assert_cmpfloat (v->data[1], ==, -2.0);
  g_assert_null (an_golden_find (golden, "w"));

  guint8 bad[sizeof good];
  static const struct {
    size_t offset;
    guint8 value;
  } damage[] = { { 7, '2' }, { 8, 2 } }; /* magic ANGOLD02, version 2 */
  for (guint i = 0; i < G_N_ELEMENTS (damage); i++)
    {
      memcpy (bad, good, sizeof good);
      bad[damage[i].offset] = damage[i].value;
      g_assert_true (g_file_set_contents (path, (const char *) bad, sizeof bad, NULL));
      AnGolden *none = an_golden_load (path, &error);
      g_assert_null (none);
      g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "tools/torch_golden.py"));
      g_clear_error (&error);
    }

  g_assert_true (g_file_set_contents (path, (const char *) good, sizeof good - 1, NULL));
  g_assert_null (an_golden_load (path, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/golden-ops/reader", test_reader);
  g_test_add_func ("/golden-ops/conv2d", test_conv);
  g_test_add_func ("/golden-ops/lrn", test_lrn);
  g_test_add_func ("/golden-ops/maxpool", test_maxpool);
  g_test_add_func ("/golden-ops/adaptive-avgpool", test_avgpool);
  g_test_add_func ("/golden-ops/linear", test_linear);
  g_test_add_func ("/golden-ops/softmax-xent", test_softmax_xent);
  g_test_add_func ("/golden-ops/dropout", test_dropout);
  g_test_add_func ("/golden-ops/rng", test_rng);
  g_test_add_func ("/golden-ops/sgd", test_sgd);
  g_test_add_func ("/golden-ops/sum-squares-concat", test_sum_squares_concat);
  return g_test_run ();
}
