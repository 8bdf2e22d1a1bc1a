/* test-cuda-ops.c: every op of the CUDA backend against the reference backend (contract 2b).
 * Every GPU op is called through AN_TEST_OP; the last test fails when an op of the op list
 * (AN_OP_LIST) has not been called, and the first when the CUDA table lacks one.
 *
 * Inputs come from the counter RNG; each op runs on both backends from the same inputs (the
 * backward ops onto non-zero gradients, to check that they add). Every buffer has guard floats
 * on both sides that must survive. Errors are max |cuda - ref| / max(1, max |ref|); NaN never
 * passes. Exits 77 (skip) without a CUDA device.
 */
#define G_LOG_DOMAIN "test-cuda-ops"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-backend.h"
#include "an-error.h"
#include "an-placement.h"
#include "an-rng.h"
#include "an-test-util.h"

/* Tolerances on the scaled error. GEMM ops sum up to a few thousand products in a different
 * order than the reference; the others differ by a few roundings (powf, a division) at most. */
#define TOL_GEMM 1e-4
#define TOL_ELEMENTWISE 1e-5
#define TOL_EXACT 0.0

#define GUARD 64
#define GUARD_VALUE 7777.0f

static AnBackend *ref;
static AnBackend *gpu;
static AnBackend *gpu_small_ws; /* a 1 MiB conv workspace: several passes over the batch */
static guint64 fill_counter;
/* the GPU ops the tests have called */
static gboolean covered[AN_OP_COUNT];

typedef struct {
  AnBackend *be;
  float *base; /* GUARD + count + GUARD floats */
  size_t count;
} DevBuf;

/* the same buffer on the reference backend and on the GPU */
typedef struct {
  DevBuf r, g;
} Twin;

static float *
host_random (size_t count, float lo, float hi)
{
  float *h = g_new (float, count);
  guint64 stream = ++fill_counter;
  for (size_t i = 0; i < count; i++)
    h[i] = lo + (hi - lo) * an_rng_uniform (42, stream, i);
  return h;
}

static DevBuf
dev_new (AnBackend *be, const void *host, size_t count)
{
  GError *error = NULL;
  DevBuf b = { be, NULL, count };
  size_t total = count + 2 * GUARD;
  b.base = be->ops->alloc (be, total * sizeof (float), &error);
  g_assert_no_error (error);
  g_assert_nonnull (b.base);
  float *staging = g_new0 (float, total);
  for (size_t i = 0; i < GUARD; i++)
    staging[i] = staging[GUARD + count + i] = GUARD_VALUE;
  if (host != NULL)
    memcpy (staging + GUARD, host, count * sizeof (float));
  an_test_upload (be, b.base, staging, total * sizeof (float));
  g_free (staging);
  return b;
}

static float *
dev_ptr (DevBuf *b)
{
  return b->base + GUARD;
}

/* the buffer's contents; aborts the test when a guard was overwritten */
static float *
dev_read (DevBuf *b, const char *what)
{
  size_t total = b->count + 2 * GUARD;
  float *staging = g_new (float, total);
  an_test_download (b->be, staging, b->base, total * sizeof (float));
  for (size_t i = 0; i < GUARD; i++)
    {
      if (memcmp (&staging[i], &(float){ GUARD_VALUE }, sizeof (float)) != 0 ||
          memcmp (&staging[GUARD + b->count + i], &(float){ GUARD_VALUE }, sizeof (float)) != 0)
        g_error ("%s on %s: a write outside the buffer (guard %zu)", what, b->be->ops->name, i);
    }
  float *out = g_new (float, b->count);
  memcpy (out, staging + GUARD, b->count * sizeof (float));
  g_free (staging);
  return out;
}

static void
dev_free (DevBuf *b)
{
  b->be->ops->free (b->be, b->base);
}

static Twin
twin_new (const void *host, size_t count)
{
  Twin t = { dev_new (ref, host, count), dev_new (gpu, host, count) };
  return t;
}

static Twin
twin_random (size_t count, float lo, float hi)
{
  float *h = host_random (count, lo, hi);
  Twin t = twin_new (h, count);
  g_free (h);
  return t;
}

static void
twin_free (Twin *t)
{
  dev_free (&t->r);
  dev_free (&t->g);
}

static double
scaled_error (const float *got, const float *want, size_t count)
{
  double worst = 0.0, scale = 1.0;
  for (size_t i = 0; i < count; i++)
    {
      if (!isfinite (got[i]) || !isfinite (want[i]))
        return INFINITY;
      worst = MAX (worst, fabs ((double) got[i] - (double) want[i]));
      scale = MAX (scale, fabs ((double) want[i]));
    }
  return worst / scale;
}

/* compares the GPU buffer with the reference buffer */
static void
check_close (const char *what, Twin *t, double tol)
{
  GError *error = NULL;
  g_assert_true (gpu->ops->sync (gpu, &error));
  g_assert_no_error (error);
  float *want = dev_read (&t->r, what);
  float *got = dev_read (&t->g, what);
  double err = scaled_error (got, want, t->g.count);
  g_test_message ("%-44s scaled error %.3g (tolerance %.0e)", what, err, tol);
  if (!(err <= tol))
    g_error ("%s: scaled error %.3g exceeds %.0e", what, err, tol);
  g_free (want);
  g_free (got);
}

/* compares bit for bit (argmax indices, dropout masks) */
static void
check_identical (const char *what, Twin *t)
{
  float *want = dev_read (&t->r, what);
  float *got = dev_read (&t->g, what);
  g_test_message ("%-44s %s", what,
                  memcmp (want, got, t->g.count * sizeof (float)) == 0 ? "identical" : "DIFFERENT");
  g_assert_cmpmem (got, t->g.count * sizeof (float), want, t->r.count * sizeof (float));
  g_free (want);
  g_free (got);
}

/* ---- convolution ---- */

typedef struct {
  int n, c, h, w, oc, kh, kw, sh, sw, ph, pw, groups;
  gboolean want_dx;
} ConvCase;

static void
run_conv_case (const ConvCase *cc, AnBackend *cuda)
{
  GError *error = NULL;
  AnConvDesc d = { cc->n, cc->c, cc->h, cc->w, cc->oc, cc->kh, cc->kw, cc->sh, cc->sw, cc->ph,
                   cc->pw, cc->groups, 0, 0 };
  g_assert_true (an_conv_desc_init (&d, &error));
  g_assert_no_error (error);
  size_t nx = (size_t) d.n * d.c * d.h * d.w;
  size_t nw = (size_t) d.oc * (d.c / d.groups) * d.kh * d.kw;
  size_t ny = (size_t) d.n * d.oc * d.oh * d.ow;
  char *name = g_strdup_printf ("conv n%d c%d %dx%d oc%d k%dx%d s%d p%d g%d%s", d.n, d.c, d.h,
                                d.w, d.oc, d.kh, d.kw, d.sh, d.ph, d.groups,
                                cuda == gpu_small_ws ? " (1 MiB ws)" : "");
  AnBackend *saved = gpu;
  gpu = cuda;

  Twin x = twin_random (nx, -1, 1), w = twin_random (nw, -1, 1), b = twin_random (d.oc, -1, 1);
  Twin y = twin_random (ny, -5, 5), dy = twin_random (ny, -1, 1);
  Twin dx = twin_random (nx, -1, 1), dw = twin_random (nw, -1, 1), db = twin_random (d.oc, -1, 1);

  ref->ops->conv2d_forward (ref, &d, dev_ptr (&y.r), dev_ptr (&x.r), dev_ptr (&w.r),
                            dev_ptr (&b.r));
  AN_TEST_OP (covered, gpu, conv2d_forward, &d, dev_ptr (&y.g), dev_ptr (&x.g), dev_ptr (&w.g),
                            dev_ptr (&b.g));
  char *what = g_strdup_printf ("%s forward", name);
  check_close (what, &y, TOL_GEMM);
  g_free (what);

  ref->ops->conv2d_backward (ref, &d, cc->want_dx ? dev_ptr (&dx.r) : NULL, dev_ptr (&dw.r),
                             dev_ptr (&db.r), dev_ptr (&dy.r), dev_ptr (&x.r), dev_ptr (&w.r));
  AN_TEST_OP (covered, gpu, conv2d_backward, &d, cc->want_dx ? dev_ptr (&dx.g) : NULL, dev_ptr (&dw.g),
                             dev_ptr (&db.g), dev_ptr (&dy.g), dev_ptr (&x.g), dev_ptr (&w.g));
  what = g_strdup_printf ("%s dx", name);
  check_close (what, &dx, TOL_GEMM);
  g_free (what);
  what = g_strdup_printf ("%s dw", name);
  check_close (what, &dw, TOL_GEMM);
  g_free (what);
  what = g_strdup_printf ("%s db", name);
  check_close (what, &db, TOL_GEMM);
  g_free (what);

  Twin *all[] = { &x, &w, &b, &y, &dy, &dx, &dw, &db };
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    twin_free (all[i]);
  gpu = saved;
  g_free (name);
}

static void
test_conv (void)
{
  static const ConvCase cases[] = {
    { 2, 3, 9, 9, 4, 3, 3, 1, 1, 1, 1, 1, TRUE },
    { 1, 4, 8, 7, 6, 3, 3, 2, 2, 1, 1, 2, TRUE },    /* odd width, stride 2, groups */
    { 3, 6, 13, 13, 8, 5, 5, 1, 1, 2, 2, 2, TRUE },  /* conv2-like */
    { 2, 3, 23, 23, 8, 11, 11, 4, 4, 0, 0, 1, FALSE }, /* conv1-like, no dx (input layer) */
    { 1, 2, 5, 5, 2, 1, 1, 1, 1, 0, 0, 2, TRUE },    /* 1x1, one channel per group */
    { 2, 96, 27, 27, 256, 5, 5, 1, 1, 2, 2, 2, TRUE }, /* AlexNet's conv2 at batch 2 */
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    run_conv_case (&cases[i], gpu);
  /* 43 x 4096 floats per image: one image per pass with a 1 MiB workspace */
  static const ConvCase passes = { 4, 3, 64, 64, 16, 3, 3, 1, 1, 1, 1, 1, TRUE };
  run_conv_case (&passes, gpu_small_ws);
}

/* the same backward twice gives the same bits (no atomics, fixed reduction orders) */
static void
test_conv_backward_deterministic (void)
{
  GError *error = NULL;
  AnConvDesc d = { 4, 8, 15, 15, 16, 3, 3, 1, 1, 1, 1, 2, 0, 0 };
  g_assert_true (an_conv_desc_init (&d, &error));
  size_t nx = (size_t) d.n * d.c * d.h * d.w, nw = (size_t) d.oc * 4 * 9;
  size_t ny = (size_t) d.n * d.oc * d.oh * d.ow;
  float *hx = host_random (nx, -1, 1), *hw = host_random (nw, -1, 1), *hdy = host_random (ny, -1, 1);
  float *results[2][3];
  for (int run = 0; run < 2; run++)
    {
      DevBuf x = dev_new (gpu, hx, nx), w = dev_new (gpu, hw, nw), dy = dev_new (gpu, hdy, ny);
      DevBuf dx = dev_new (gpu, NULL, nx), dw = dev_new (gpu, NULL, nw), db = dev_new (gpu, NULL, d.oc);
      AN_TEST_OP (covered, gpu, conv2d_backward, &d, dev_ptr (&dx), dev_ptr (&dw), dev_ptr (&db),
                                 dev_ptr (&dy), dev_ptr (&x), dev_ptr (&w));
      results[run][0] = dev_read (&dx, "dx");
      results[run][1] = dev_read (&dw, "dw");
      results[run][2] = dev_read (&db, "db");
      DevBuf *all[] = { &x, &w, &dy, &dx, &dw, &db };
      for (guint i = 0; i < G_N_ELEMENTS (all); i++)
        dev_free (all[i]);
    }
  g_assert_cmpmem (results[0][0], nx * 4, results[1][0], nx * 4);
  g_assert_cmpmem (results[0][1], nw * 4, results[1][1], nw * 4);
  g_assert_cmpmem (results[0][2], (size_t) d.oc * 4, results[1][2], (size_t) d.oc * 4);
  g_test_message ("conv backward twice: dx, dw, db bit-identical");
  for (int run = 0; run < 2; run++)
    for (int i = 0; i < 3; i++)
      g_free (results[run][i]);
  g_free (hx);
  g_free (hw);
  g_free (hdy);
}

/* ---- element-wise ---- */

static void
test_relu (void)
{
  size_t count = 1001;
  float *h = host_random (count, -1, 1);
  for (size_t i = 0; i < count; i += 7)
    h[i] = 0.0f; /* the kink: both sides must agree on y = 0, gradient 0 */
  Twin x = twin_new (h, count), y = twin_random (count, -3, 3);
  Twin dy = twin_random (count, -1, 1), dx = twin_random (count, -1, 1);
  ref->ops->relu_forward (ref, count, dev_ptr (&y.r), dev_ptr (&x.r));
  AN_TEST_OP (covered, gpu, relu_forward, count, dev_ptr (&y.g), dev_ptr (&x.g));
  check_identical ("relu forward", &y);
  ref->ops->relu_backward (ref, count, dev_ptr (&dx.r), dev_ptr (&dy.r), dev_ptr (&y.r));
  AN_TEST_OP (covered, gpu, relu_backward, count, dev_ptr (&dx.g), dev_ptr (&dy.g), dev_ptr (&y.g));
  check_close ("relu backward", &dx, TOL_EXACT);
  twin_free (&x);
  twin_free (&y);
  twin_free (&dy);
  twin_free (&dx);
  g_free (h);
}

static void
test_lrn (void)
{
  static const AnLrnDesc cases[] = {
    { 2, 8, 5, 5, 5, 1, 1e-4f, 0.75f, 2.0f },  /* AlexNet's constants */
    { 2, 12, 3, 4, 5, 2, 0.5f, 0.75f, 2.0f },  /* large alpha: the window term matters */
    { 1, 8, 2, 2, 4, 2, 0.3f, 0.75f, 1.0f },   /* even size: asymmetric window */
    { 1, 9, 3, 3, 3, 3, 0.5f, 0.6f, 1.5f },    /* three channels per group: edge windows clipped */
  };
  for (guint ci = 0; ci < G_N_ELEMENTS (cases); ci++)
    {
      const AnLrnDesc *d = &cases[ci];
      GError *error = NULL;
      g_assert_true (an_lrn_desc_check (d, &error));
      size_t count = (size_t) d->n * d->c * d->h * d->w;
      Twin x = twin_random (count, -2, 2), y = twin_random (count, -1, 1);
      Twin scale = twin_random (count, -1, 1), dy = twin_random (count, -1, 1);
      Twin dx = twin_random (count, -1, 1);
      ref->ops->lrn_forward (ref, d, dev_ptr (&y.r), dev_ptr (&scale.r), dev_ptr (&x.r));
      AN_TEST_OP (covered, gpu, lrn_forward, d, dev_ptr (&y.g), dev_ptr (&scale.g), dev_ptr (&x.g));
      char *name = g_strdup_printf ("lrn c%d size%d groups%d", d->c, d->size, d->groups);
      char *what = g_strdup_printf ("%s forward", name);
      check_close (what, &y, TOL_ELEMENTWISE);
      g_free (what);
      what = g_strdup_printf ("%s scale", name);
      check_close (what, &scale, TOL_ELEMENTWISE);
      g_free (what);
      ref->ops->lrn_backward (ref, d, dev_ptr (&dx.r), dev_ptr (&dy.r), dev_ptr (&x.r),
                              dev_ptr (&y.r), dev_ptr (&scale.r));
      AN_TEST_OP (covered, gpu, lrn_backward, d, dev_ptr (&dx.g), dev_ptr (&dy.g), dev_ptr (&x.g),
                              dev_ptr (&y.g), dev_ptr (&scale.g));
      what = g_strdup_printf ("%s backward", name);
      check_close (what, &dx, TOL_ELEMENTWISE);
      g_free (what);
      g_free (name);
      twin_free (&x);
      twin_free (&y);
      twin_free (&scale);
      twin_free (&dy);
      twin_free (&dx);
    }
}

static void
test_maxpool (void)
{
  static const AnPoolDesc cases[] = {
    { 2, 3, 9, 9, 3, 3, 2, 2, 0, 0 },   /* overlapping, AlexNet's 3/2 */
    { 1, 2, 8, 7, 2, 2, 2, 2, 0, 0 },   /* odd width, floor mode drops a column */
    { 2, 4, 13, 13, 3, 3, 2, 2, 0, 0 },
    { 1, 3, 5, 5, 2, 2, 1, 1, 0, 0 },   /* stride 1: each input in up to 4 windows */
  };
  for (guint ci = 0; ci < G_N_ELEMENTS (cases); ci++)
    for (int ties = 0; ties < 2; ties++)
      {
        AnPoolDesc d = cases[ci];
        GError *error = NULL;
        g_assert_true (an_pool_desc_init (&d, &error));
        size_t nx = (size_t) d.n * d.c * d.h * d.w, ny = (size_t) d.n * d.c * d.oh * d.ow;
        float *h = host_random (nx, -1, 1);
        if (ties)
          for (size_t i = 0; i < nx; i++)
            h[i] = floorf (h[i] * 1.5f); /* three values: ties everywhere, first one wins */
        Twin x = twin_new (h, nx), y = twin_random (ny, -1, 1), arg = twin_new (NULL, ny);
        Twin dy = twin_random (ny, -1, 1), dx = twin_random (nx, -1, 1);
        ref->ops->maxpool_forward (ref, &d, dev_ptr (&y.r), (int32_t *) dev_ptr (&arg.r),
                                   dev_ptr (&x.r));
        AN_TEST_OP (covered, gpu, maxpool_forward, &d, dev_ptr (&y.g), (int32_t *) dev_ptr (&arg.g),
                                   dev_ptr (&x.g));
        char *name = g_strdup_printf ("maxpool %dx%d k%d s%d%s", d.h, d.w, d.kh, d.sh,
                                      ties ? " ties" : "");
        char *what = g_strdup_printf ("%s forward", name);
        check_identical (what, &y);
        g_free (what);
        what = g_strdup_printf ("%s argmax", name);
        check_identical (what, &arg);
        g_free (what);
        ref->ops->maxpool_backward (ref, &d, dev_ptr (&dx.r), dev_ptr (&dy.r),
                                    (const int32_t *) dev_ptr (&arg.r));
        AN_TEST_OP (covered, gpu, maxpool_backward, &d, dev_ptr (&dx.g), dev_ptr (&dy.g),
                                    (const int32_t *) dev_ptr (&arg.g));
        what = g_strdup_printf ("%s backward", name);
        check_close (what, &dx, TOL_ELEMENTWISE);
        g_free (what);
        g_free (name);
        g_free (h);
        twin_free (&x);
        twin_free (&y);
        twin_free (&arg);
        twin_free (&dy);
        twin_free (&dx);
      }
}

static void
test_avgpool (void)
{
  static const AnAdaptivePoolDesc cases[] = {
    { 2, 3, 13, 13, 6, 6 }, /* AlexNet-tv's 13 -> 6: overlapping windows */
    { 1, 2, 5, 7, 3, 2 },
    { 1, 1, 4, 4, 4, 4 },   /* identity */
    { 1, 2, 3, 3, 6, 6 },   /* upsampling: windows of one element, each read twice */
  };
  for (guint ci = 0; ci < G_N_ELEMENTS (cases); ci++)
    {
      const AnAdaptivePoolDesc *d = &cases[ci];
      size_t nx = (size_t) d->n * d->c * d->h * d->w, ny = (size_t) d->n * d->c * d->oh * d->ow;
      Twin x = twin_random (nx, -1, 1), y = twin_random (ny, -1, 1);
      Twin dy = twin_random (ny, -1, 1), dx = twin_random (nx, -1, 1);
      ref->ops->avgpool_forward (ref, d, dev_ptr (&y.r), dev_ptr (&x.r));
      AN_TEST_OP (covered, gpu, avgpool_forward, d, dev_ptr (&y.g), dev_ptr (&x.g));
      char *name = g_strdup_printf ("avgpool %dx%d -> %dx%d", d->h, d->w, d->oh, d->ow);
      char *what = g_strdup_printf ("%s forward", name);
      check_close (what, &y, TOL_ELEMENTWISE);
      g_free (what);
      ref->ops->avgpool_backward (ref, d, dev_ptr (&dx.r), dev_ptr (&dy.r));
      AN_TEST_OP (covered, gpu, avgpool_backward, d, dev_ptr (&dx.g), dev_ptr (&dy.g));
      what = g_strdup_printf ("%s backward", name);
      check_close (what, &dx, TOL_ELEMENTWISE);
      g_free (what);
      g_free (name);
      twin_free (&x);
      twin_free (&y);
      twin_free (&dy);
      twin_free (&dx);
    }
}

static void
test_dropout (void)
{
  static const AnDropoutDesc cases[] = {
    { 4, 37, 80, 20, 0.5f, 7, AN_RNG_STREAM (AN_RNG_DROPOUT, 6, 3) }, /* a tower's slice */
    { 3, 50, 50, 0, 0.25f, 9, AN_RNG_STREAM (AN_RNG_DROPOUT, 7, 100) },
    { 2, 10, 10, 0, 0.0f, 9, AN_RNG_STREAM (AN_RNG_DROPOUT, 7, 1) },
  };
  for (guint ci = 0; ci < G_N_ELEMENTS (cases); ci++)
    {
      const AnDropoutDesc *d = &cases[ci];
      size_t count = (size_t) d->n * d->cols;
      Twin x = twin_random (count, -1, 1), y = twin_random (count, -1, 1);
      Twin mask = twin_random (count, -1, 1), dy = twin_random (count, -1, 1);
      Twin dx = twin_random (count, -1, 1);
      ref->ops->dropout_forward (ref, d, dev_ptr (&y.r), dev_ptr (&mask.r), dev_ptr (&x.r));
      AN_TEST_OP (covered, gpu, dropout_forward, d, dev_ptr (&y.g), dev_ptr (&mask.g), dev_ptr (&x.g));
      char *name = g_strdup_printf ("dropout p%.2f offset %d", d->p, d->col_offset);
      char *what = g_strdup_printf ("%s mask", name);
      check_identical (what, &mask);
      g_free (what);
      what = g_strdup_printf ("%s forward", name);
      check_identical (what, &y);
      g_free (what);
      /* the mask is the RNG's: element (r, offset + j) kept iff uniform >= p */
      float *m = dev_read (&mask.g, "mask");
      float keep = 1.0f / (1.0f - d->p);
      for (int r = 0; r < d->n; r++)
        for (int j = 0; j < d->cols; j++)
          {
            guint64 index = (guint64) r * d->total_cols + d->col_offset + j;
            float want = an_rng_uniform (d->seed, d->stream, index) >= d->p ? keep : 0.0f;
            g_assert_cmpfloat (m[r * d->cols + j], ==, want);
          }
      g_free (m);
      ref->ops->dropout_backward (ref, count, dev_ptr (&dx.r), dev_ptr (&dy.r), dev_ptr (&mask.r));
      AN_TEST_OP (covered, gpu, dropout_backward, count, dev_ptr (&dx.g), dev_ptr (&dy.g), dev_ptr (&mask.g));
      what = g_strdup_printf ("%s backward", name);
      check_close (what, &dx, TOL_ELEMENTWISE);
      g_free (what);
      g_free (name);
      twin_free (&x);
      twin_free (&y);
      twin_free (&mask);
      twin_free (&dy);
      twin_free (&dx);
    }
}

static void
test_linear (void)
{
  static const AnLinearDesc cases[] = { { 3, 17, 5 }, { 1, 9, 4 }, { 8, 300, 70 },
                                        { 4, 2304, 1024 } };
  for (guint ci = 0; ci < G_N_ELEMENTS (cases); ci++)
    {
      const AnLinearDesc *d = &cases[ci];
      size_t nx = (size_t) d->n * d->in, nw = (size_t) d->out * d->in, ny = (size_t) d->n * d->out;
      Twin x = twin_random (nx, -1, 1), w = twin_random (nw, -0.1f, 0.1f);
      Twin b = twin_random (d->out, -1, 1), y = twin_random (ny, -1, 1);
      Twin dy = twin_random (ny, -1, 1), dx = twin_random (nx, -1, 1);
      Twin dw = twin_random (nw, -1, 1), db = twin_random (d->out, -1, 1);
      ref->ops->linear_forward (ref, d, dev_ptr (&y.r), dev_ptr (&x.r), dev_ptr (&w.r),
                                dev_ptr (&b.r));
      AN_TEST_OP (covered, gpu, linear_forward, d, dev_ptr (&y.g), dev_ptr (&x.g), dev_ptr (&w.g),
                                dev_ptr (&b.g));
      char *name = g_strdup_printf ("linear n%d %d -> %d", d->n, d->in, d->out);
      char *what = g_strdup_printf ("%s forward", name);
      check_close (what, &y, TOL_GEMM);
      g_free (what);
      ref->ops->linear_backward (ref, d, dev_ptr (&dx.r), dev_ptr (&dw.r), dev_ptr (&db.r),
                                 dev_ptr (&dy.r), dev_ptr (&x.r), dev_ptr (&w.r));
      AN_TEST_OP (covered, gpu, linear_backward, d, dev_ptr (&dx.g), dev_ptr (&dw.g), dev_ptr (&db.g),
                                 dev_ptr (&dy.g), dev_ptr (&x.g), dev_ptr (&w.g));
      const char *grads[] = { "dx", "dw", "db" };
      Twin *gt[] = { &dx, &dw, &db };
      for (int i = 0; i < 3; i++)
        {
          what = g_strdup_printf ("%s %s", name, grads[i]);
          check_close (what, gt[i], TOL_GEMM);
          g_free (what);
        }
      g_free (name);
      Twin *all[] = { &x, &w, &b, &y, &dy, &dx, &dw, &db };
      for (guint i = 0; i < G_N_ELEMENTS (all); i++)
        twin_free (all[i]);
    }
}

static void
test_concat (void)
{
  int n = 2, cy = 7, offset = 3, cx = 4, hw = 5;
  size_t ny = (size_t) n * cy * hw, nx = (size_t) n * cx * hw;
  Twin x = twin_random (nx, -1, 1), y = twin_random (ny, -1, 1);
  Twin dy = twin_random (ny, -1, 1), dx = twin_random (nx, -1, 1);
  ref->ops->concat_forward (ref, n, cy, offset, cx, hw, dev_ptr (&y.r), dev_ptr (&x.r));
  AN_TEST_OP (covered, gpu, concat_forward, n, cy, offset, cx, hw, dev_ptr (&y.g), dev_ptr (&x.g));
  check_identical ("concat forward (other channels untouched)", &y);
  ref->ops->concat_backward (ref, n, cy, offset, cx, hw, dev_ptr (&dx.r), dev_ptr (&dy.r));
  AN_TEST_OP (covered, gpu, concat_backward, n, cy, offset, cx, hw, dev_ptr (&dx.g), dev_ptr (&dy.g));
  check_close ("concat backward", &dx, TOL_EXACT);
  twin_free (&x);
  twin_free (&y);
  twin_free (&dy);
  twin_free (&dx);
}

static void
test_softmax_xent (void)
{
  static const int cases[][2] = { { 5, 11 }, { 3, 1000 }, { 1, 2 }, { 64, 10 } };
  for (guint ci = 0; ci < G_N_ELEMENTS (cases); ci++)
    {
      int n = cases[ci][0], k = cases[ci][1];
      size_t count = (size_t) n * k;
      int32_t *labels = g_new (int32_t, n);
      for (int i = 0; i < n; i++)
        labels[i] = (int32_t) ((i * 7 + 3) % k);
      Twin logits = twin_random (count, -8, 8), probs = twin_random (count, -1, 1);
      Twin lab = twin_new (labels, n), dl = twin_random (count, -1, 1);
      double want = ref->ops->softmax_xent_forward (ref, n, k, dev_ptr (&probs.r),
                                                    dev_ptr (&logits.r),
                                                    (const int32_t *) dev_ptr (&lab.r));
      double got = AN_TEST_OP (covered, gpu, softmax_xent_forward, n, k, dev_ptr (&probs.g),
                                                   dev_ptr (&logits.g),
                                                   (const int32_t *) dev_ptr (&lab.g));
      double rel = fabs (got - want) / MAX (fabs (want), 1e-30);
      g_test_message ("softmax-xent n%d k%d loss %.9g vs %.9g: relative error %.3g (tolerance 1e-6)",
                      n, k, got, want, rel);
      g_assert_true (isfinite (got));
      g_assert_cmpfloat (rel, <=, 1e-6);
      char *what = g_strdup_printf ("softmax-xent n%d k%d probs", n, k);
      check_close (what, &probs, TOL_ELEMENTWISE);
      g_free (what);
      ref->ops->softmax_xent_backward (ref, n, k, dev_ptr (&dl.r), dev_ptr (&probs.r),
                                       (const int32_t *) dev_ptr (&lab.r));
      AN_TEST_OP (covered, gpu, softmax_xent_backward, n, k, dev_ptr (&dl.g), dev_ptr (&probs.g),
                                       (const int32_t *) dev_ptr (&lab.g));
      what = g_strdup_printf ("softmax-xent n%d k%d backward", n, k);
      check_close (what, &dl, TOL_ELEMENTWISE);
      g_free (what);
      g_free (labels);
      twin_free (&logits);
      twin_free (&probs);
      twin_free (&lab);
      twin_free (&dl);
    }
}

static void
test_sgd_update (void)
{
  static const AnSgdDesc cases[] = { { AN_SGD_RULE_PYTORCH, 0.01f, 0.9f, 5e-4f },
                                     { AN_SGD_RULE_PAPER, 0.01f, 0.9f, 5e-4f },
                                     { AN_SGD_RULE_PYTORCH, 0.1f, 0.0f, 0.0f } };
  size_t count = 4099;
  for (guint ci = 0; ci < G_N_ELEMENTS (cases); ci++)
    {
      Twin w = twin_random (count, -1, 1), v = twin_random (count, -0.1f, 0.1f);
      Twin g = twin_random (count, -1, 1);
      for (int step = 0; step < 3; step++)
        {
          ref->ops->sgd_update (ref, &cases[ci], count, dev_ptr (&w.r), dev_ptr (&v.r),
                                dev_ptr (&g.r));
          AN_TEST_OP (covered, gpu, sgd_update, &cases[ci], count, dev_ptr (&w.g), dev_ptr (&v.g),
                                dev_ptr (&g.g));
        }
      char *what = g_strdup_printf ("sgd %s x3 weights",
                                    cases[ci].rule == AN_SGD_RULE_PAPER ? "paper" : "pytorch");
      /* fused multiply-adds on the GPU: a rounding or two per step */
      check_close (what, &w, 1e-6);
      g_free (what);
      what = g_strdup_printf ("sgd %s x3 momentum",
                              cases[ci].rule == AN_SGD_RULE_PAPER ? "paper" : "pytorch");
      check_close (what, &v, 1e-6);
      g_free (what);
      twin_free (&w);
      twin_free (&v);
      twin_free (&g);
    }
}

static void
test_sum_squares (void)
{
  static const size_t counts[] = { 1, 255, 256, 100003, 3000000 };
  for (guint ci = 0; ci < G_N_ELEMENTS (counts); ci++)
    {
      Twin x = twin_random (counts[ci], -1, 1);
      double want = ref->ops->sum_squares (ref, counts[ci], dev_ptr (&x.r));
      double got = AN_TEST_OP (covered, gpu, sum_squares, counts[ci], dev_ptr (&x.g));
      double again = AN_TEST_OP (covered, gpu, sum_squares, counts[ci], dev_ptr (&x.g));
      double rel = fabs (got - want) / MAX (want, 1e-300);
      g_test_message ("sum_squares %zu: %.17g vs %.17g, relative error %.3g (tolerance 1e-10)",
                      counts[ci], got, want, rel);
      g_assert_cmpfloat (rel, <=, 1e-10);
      g_assert_cmpmem (&got, sizeof got, &again, sizeof again);
      twin_free (&x);
    }
}

/* ---- memory ---- */

static void
test_memory (void)
{
  GError *error = NULL;
  size_t count = 100000;
  float *h = host_random (count, -1, 1);
  DevBuf a = dev_new (gpu, h, count), b = dev_new (gpu, NULL, count);
  g_assert_true (gpu->ops->copy (gpu, dev_ptr (&b), dev_ptr (&a), count * sizeof (float),
                                 &error));
  g_assert_no_error (error);
  float *back = dev_read (&b, "copy");
  g_assert_cmpmem (back, count * sizeof (float), h, count * sizeof (float));
  g_free (back);
  an_test_zero (gpu, dev_ptr (&b), count * sizeof (float));
  back = dev_read (&b, "zero");
  for (size_t i = 0; i < count; i++)
    g_assert_cmpfloat (back[i], ==, 0.0f);
  g_free (back);

  /* a second backend on the same device: another stream; the copy waits on events */
  AnBackend *other = an_backend_cuda_new (0, &error);
  g_assert_no_error (error);
  DevBuf c = dev_new (other, NULL, count);
  for (int round = 0; round < 3; round++)
    {
      /* queued before the copy */
      AN_TEST_OP (covered, gpu, relu_forward, count, dev_ptr (&a), dev_ptr (&a));
      g_assert_true (other->ops->peer_copy (other, dev_ptr (&c), gpu, dev_ptr (&a),
                                            count * sizeof (float), &error));
      g_assert_no_error (error);
      an_test_zero (gpu, dev_ptr (&a), count * sizeof (float)); /* queued after it */
      back = dev_read (&c, "peer copy");
      for (size_t i = 0; i < count; i++)
        g_assert_cmpfloat (back[i], ==, round == 0 ? (h[i] > 0 ? h[i] : 0.0f) : 0.0f);
      g_free (back);
    }
  g_test_message ("copy, zero, peer copy across two streams: exact");
  /* another kind of backend: the transfer stages through the host */
  DevBuf r = dev_new (ref, h, count);
  g_assert_true (an_backend_transfer (gpu, dev_ptr (&b), ref, dev_ptr (&r),
                                      count * sizeof (float), &error));
  g_assert_no_error (error);
  back = dev_read (&b, "staged transfer");
  g_assert_cmpmem (back, count * sizeof (float), h, count * sizeof (float));
  g_free (back);
  dev_free (&r);

  /* more than any GPU holds: NULL and a message with the sizes */
  void *huge = gpu->ops->alloc (gpu, (size_t) 1 << 50, &error);
  g_assert_null (huge);
  g_assert_error (error, AN_ERROR, AN_ERROR_NO_MEMORY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "MiB"));
  g_assert_nonnull (strstr (error->message, "smaller batch"));
  g_clear_error (&error);
  /* and the backend still works */
  g_assert_true (gpu->ops->sync (gpu, &error));
  g_assert_no_error (error);

  dev_free (&c);
  other->ops->destroy (other);
  dev_free (&a);
  dev_free (&b);
  g_free (h);
}

static void
test_op_list_table (void)
{
  GError *error = NULL;
  g_assert_true (an_backend_ops_check (gpu->ops, &error));
  g_assert_no_error (error);
}

/* runs last: every op of the list was called on the GPU by one of the tests above */
static void
test_op_list_covered (void)
{
  g_autofree char *missing = an_test_ops_missing (covered);
  if (missing)
    g_test_fail_printf ("no test calls %s on the GPU", missing);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  char *why_not = NULL;
  if (an_cuda_device_count (&why_not) == 0)
    {
      g_print ("no CUDA device, skipping: %s\n", why_not);
      g_free (why_not);
      return 77;
    }
  GError *error = NULL;
  ref = an_backend_ref_new ();
  gpu = an_backend_cuda_new (0, &error);
  g_assert_no_error (error);
  g_setenv ("AN_CUDA_WORKSPACE_MIB", "1", TRUE);
  gpu_small_ws = an_backend_cuda_new (0, &error);
  g_assert_no_error (error);
  g_unsetenv ("AN_CUDA_WORKSPACE_MIB");

  g_test_add_func ("/cuda-ops/op-list-table", test_op_list_table);
  g_test_add_func ("/cuda-ops/conv", test_conv);
  g_test_add_func ("/cuda-ops/conv-backward-deterministic", test_conv_backward_deterministic);
  g_test_add_func ("/cuda-ops/relu", test_relu);
  g_test_add_func ("/cuda-ops/lrn", test_lrn);
  g_test_add_func ("/cuda-ops/maxpool", test_maxpool);
  g_test_add_func ("/cuda-ops/avgpool", test_avgpool);
  g_test_add_func ("/cuda-ops/dropout", test_dropout);
  g_test_add_func ("/cuda-ops/linear", test_linear);
  g_test_add_func ("/cuda-ops/concat", test_concat);
  g_test_add_func ("/cuda-ops/softmax-xent", test_softmax_xent);
  g_test_add_func ("/cuda-ops/sgd-update", test_sgd_update);
  g_test_add_func ("/cuda-ops/sum-squares", test_sum_squares);
  g_test_add_func ("/cuda-ops/memory", test_memory);
  g_test_add_func ("/cuda-ops/op-list-covered", test_op_list_covered);
  int status = g_test_run ();

  gpu_small_ws->ops->destroy (gpu_small_ws);
  gpu->ops->destroy (gpu);
  ref->ops->destroy (ref);
  return status;
}
