/* test-all-ops.c: every op of the op list (AN_OP_LIST) on every backend, over many shapes,
 * against the reference backend. Every op is called through AN_TEST_OP, and the test fails
 * when an op of the list has no case or a backend's table lacks one. Inputs come from the
 * counter RNG; every buffer has guard bytes on both sides (checked after each op); forward
 * outputs start as NaN so an element left unwritten fails; gradients start at known values so
 * the += contract is checked; a NaN anywhere fails; each op runs twice per backend and must
 * give bit-identical results. Backend memory is only touched through ->upload and ->download,
 * so a GPU backend runs the same code.
 */
#define G_LOG_DOMAIN "alexnet-test"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-backend.h"
#include "an-error.h"
#include "an-placement.h"
#include "an-rng.h"
#include "an-test-util.h"

#define GUARD_BYTES 64
#define TEST_SEED 20120903u

/* the ops the cases have called, on any backend */
static gboolean covered[AN_OP_COUNT];

/* ---- buffers with guards on one backend ---- */

typedef enum {
  OUT_OVERWRITTEN, /* a forward output: starts as NaN */
  OUT_ACCUMULATED, /* a gradient: starts at known values, the op adds */
} OutputKind;

typedef struct {
  guint8 *base;  /* backend memory: guard, data, guard */
  size_t bytes;  /* data bytes */
  const char *name;
  gboolean is_output;
  gboolean is_int;
} Buffer;

typedef struct {
  const char *name;
  gboolean is_int;
  size_t count;
  float *f;     /* host copies after the op */
  int32_t *i;
} Result;

/* One execution of one case on one backend. */
typedef struct {
  AnBackend *be;
  GArray *bufs;    /* Buffer */
  GArray *results; /* Result */
  GString *failures;
  uint64_t stream; /* next RNG stream for inputs */
} Run;

static guint8
guard_byte (size_t i)
{
  return (guint8) (0xA5 ^ (i * 37));
}

static void *
run_buffer (Run *run, const char *name, size_t bytes, const void *host, gboolean is_output,
            gboolean is_int)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *stage = g_malloc (bytes + 2 * GUARD_BYTES);
  Buffer buf = { NULL, bytes, name, is_output, is_int };

  buf.base = run->be->ops->alloc (run->be, bytes + 2 * GUARD_BYTES, &error);
  g_assert_no_error (error);
  for (size_t i = 0; i < GUARD_BYTES; i++)
    stage[i] = stage[GUARD_BYTES + bytes + i] = guard_byte (i);
  memcpy (stage + GUARD_BYTES, host, bytes);
  an_test_upload (run->be, buf.base, stage, bytes + 2 * GUARD_BYTES);
  g_array_append_val (run->bufs, buf);
  return buf.base + GUARD_BYTES;
}

/* values uniform in [lo, hi) from the counter RNG, a fresh stream per tensor */
static float *
run_input (Run *run, size_t count, float lo, float hi)
{
  g_autofree float *host = g_new (float, MAX (count, 1));
  uint64_t stream = run->stream++;

  for (size_t i = 0; i < count; i++)
    host[i] = lo + (hi - lo) * an_rng_uniform (TEST_SEED, stream, i);
  return run_buffer (run, "input", count * sizeof (float), host, FALSE, FALSE);
}

static int32_t *
run_labels (Run *run, int n, int k)
{
  g_autofree int32_t *host = g_new (int32_t, n);
  uint64_t stream = run->stream++;

  for (int i = 0; i < n; i++)
    host[i] = (int32_t) (an_rng_u64 (TEST_SEED, stream, i) % (uint64_t) k);
  return run_buffer (run, "labels", n * sizeof (int32_t), host, FALSE, TRUE);
}

static float *
run_output (Run *run, const char *name, size_t count, OutputKind kind)
{
  g_autofree float *host = g_new (float, MAX (count, 1));
  uint64_t stream = run->stream++;

  for (size_t i = 0; i < count; i++)
    host[i] = kind == OUT_OVERWRITTEN ? NAN : an_rng_uniform (TEST_SEED, stream, i) - 0.5f;
  return run_buffer (run, name, count * sizeof (float), host, TRUE, FALSE);
}

static int32_t *
run_output_int (Run *run, const char *name, size_t count)
{
  g_autofree int32_t *host = g_new (int32_t, MAX (count, 1));

  for (size_t i = 0; i < count; i++)
    host[i] = -7;
  return run_buffer (run, name, count * sizeof (int32_t), host, TRUE, TRUE);
}

static void
run_scalar (Run *run, const char *name, double value)
{
  /* compared as its float rounding: the tolerances are far above float's resolution */
  Result r = { name, FALSE, 1, g_new (float, 1), NULL };

  r.f[0] = (float) value;
  g_array_append_val (run->results, r);
  if (isnan (value))
    g_string_append_printf (run->failures, "  %s: scalar %s is NaN\n", run->be->ops->name, name);
}

/* Downloads every output and checks every guard; frees the buffers. */
static void
run_finish (Run *run)
{
  g_autoptr (GError) error = NULL;

  if (!run->be->ops->sync (run->be, &error))
    g_string_append_printf (run->failures, "  %s: sync failed: %s\n", run->be->ops->name,
                            error->message);
  for (guint b = 0; b < run->bufs->len; b++)
    {
      Buffer *buf = &g_array_index (run->bufs, Buffer, b);
      g_autofree guint8 *stage = g_malloc (buf->bytes + 2 * GUARD_BYTES);

      an_test_download (run->be, stage, buf->base, buf->bytes + 2 * GUARD_BYTES);
      for (size_t i = 0; i < GUARD_BYTES; i++)
        if (stage[i] != guard_byte (i) || stage[GUARD_BYTES + buf->bytes + i] != guard_byte (i))
          {
            g_string_append_printf (run->failures, "  %s: guard bytes of %s overwritten\n",
                                    run->be->ops->name, buf->name);
            break;
          }
      if (buf->is_output)
        {
          Result r = { buf->name, buf->is_int, buf->bytes / 4, NULL, NULL };

          if (buf->is_int)
            r.i = g_memdup2 (stage + GUARD_BYTES, buf->bytes);
          else
            {
              r.f = g_memdup2 (stage + GUARD_BYTES, buf->bytes);
              for (size_t i = 0; i < r.count; i++)
                if (isnan (r.f[i]))
                  {
                    g_string_append_printf (run->failures, "  %s: %s[%zu] is NaN\n",
                                            run->be->ops->name, buf->name, i);
                    break;
                  }
            }
          g_array_append_val (run->results, r);
        }
      run->be->ops->free (run->be, buf->base);
    }
  g_array_set_size (run->bufs, 0);
}

static void
result_clear (gpointer data)
{
  Result *r = data;

  g_free (r->f);
  g_free (r->i);
}

/* ---- the cases ---- */

typedef enum {
  OP_CONV,
  OP_RELU,
  OP_LRN,
  OP_MAXPOOL,
  OP_AVGPOOL,
  OP_DROPOUT,
  OP_LINEAR,
  OP_CONCAT,
  OP_SOFTMAX_XENT,
  OP_SGD,
  OP_SUM_SQUARES,
  OP_COUNT
} OpKind;

static const char *const op_names[OP_COUNT] = {
  "conv2d", "relu", "lrn", "maxpool", "avgpool", "dropout", "linear", "concat",
  "softmax_xent", "sgd", "sum_squares",
};

/* Largest |backend - reference| / max(1, max |reference|) allowed, per op. Conv and linear
 * add up to a few thousand products in another order than the reference (GEMM blocking, and
 * on a GPU fused multiply-adds); LRN, pooling, softmax and SGD are a handful of float
 * operations per element (powf and expf may differ from the reference's by an ulp or two);
 * the rest copy, select or multiply once and must match exactly. */
static const double op_tolerance[OP_COUNT] = {
  [OP_CONV] = 1e-4,       [OP_RELU] = 0,          [OP_LRN] = 1e-5,
  [OP_MAXPOOL] = 0,       [OP_AVGPOOL] = 1e-5,    [OP_DROPOUT] = 0,
  [OP_LINEAR] = 1e-4,     [OP_CONCAT] = 0,        [OP_SOFTMAX_XENT] = 1e-5,
  [OP_SGD] = 1e-5,        [OP_SUM_SQUARES] = 1e-6,
};

typedef struct {
  OpKind op;
  const char *label;
  AnConvDesc conv;
  AnLrnDesc lrn;
  AnPoolDesc pool;
  AnAdaptivePoolDesc avg;
  AnDropoutDesc drop;
  AnLinearDesc lin;
  AnSgdDesc sgd;
  int n, k, c2, off, c1, hw; /* concat (n, cy = c2, offset, cx = c1, hw), softmax (n, k) */
  size_t count;              /* relu, sgd, sum_squares */
  gboolean no_dx;            /* a first layer: backward asked for dw and db only */
} Case;

#define CONV(lbl, N, C, H, W, OC, KH, KW, SH, SW, PH, PW, G, NODX)                              \
  { .op = OP_CONV, .label = lbl, .no_dx = NODX,                                                 \
    .conv = { N, C, H, W, OC, KH, KW, SH, SW, PH, PW, G, 0, 0 } }
#define LRN(lbl, N, C, H, W, SIZE, G, ALPHA, BETA, K)                                           \
  { .op = OP_LRN, .label = lbl, .lrn = { N, C, H, W, SIZE, G, ALPHA, BETA, K } }
#define POOL(lbl, N, C, H, W, KH, KW, SH, SW)                                                   \
  { .op = OP_MAXPOOL, .label = lbl, .pool = { N, C, H, W, KH, KW, SH, SW, 0, 0 } }
#define AVG(lbl, N, C, H, W, OH, OW)                                                            \
  { .op = OP_AVGPOOL, .label = lbl, .avg = { N, C, H, W, OH, OW } }
#define DROP(lbl, N, COLS, TOTAL, OFF, P)                                                       \
  { .op = OP_DROPOUT, .label = lbl,                                                             \
    .drop = { N, COLS, TOTAL, OFF, P, TEST_SEED, AN_RNG_STREAM (AN_RNG_DROPOUT, 6, 11) } }
#define LIN(lbl, N, IN, OUT, NODX)                                                              \
  { .op = OP_LINEAR, .label = lbl, .no_dx = NODX, .lin = { N, IN, OUT } }

static Case cases[] = {
  CONV ("3x3 pad 1", 2, 3, 7, 9, 4, 3, 3, 1, 1, 1, 1, 1, FALSE),
  CONV ("groups 2 stride 2", 1, 4, 8, 8, 6, 3, 3, 2, 2, 0, 0, 2, FALSE),
  CONV ("groups 3 3x2 kernel", 3, 6, 5, 7, 9, 3, 2, 2, 1, 1, 0, 3, FALSE),
  CONV ("1x1", 2, 8, 6, 5, 5, 1, 1, 1, 1, 0, 0, 1, FALSE),
  CONV ("11x11 stride 4 no dx", 1, 3, 23, 25, 8, 11, 11, 4, 4, 2, 2, 1, TRUE),
  CONV ("pad > kernel/2", 2, 2, 4, 4, 3, 3, 3, 1, 1, 2, 2, 1, FALSE),
  CONV ("wide image", 2, 2, 66, 66, 3, 3, 3, 1, 1, 1, 1, 1, FALSE),
  CONV ("batch in several chunks", 5, 3, 32, 32, 4, 5, 5, 1, 1, 2, 2, 1, FALSE),
  CONV ("chunks groups 2 stride 2", 7, 4, 40, 40, 6, 3, 3, 2, 2, 1, 1, 2, FALSE),
  CONV ("alexnet-2012 conv2", 1, 96, 27, 27, 256, 5, 5, 1, 1, 2, 2, 2, FALSE),
  CONV ("alexnet-cifar conv2", 2, 64, 15, 15, 192, 5, 5, 1, 1, 2, 2, 2, FALSE),
  { .op = OP_RELU, .label = "1003", .count = 1003 },
  LRN ("size 5", 2, 7, 3, 5, 5, 1, 0.5f, 0.75f, 2.0f),
  LRN ("size 5 groups 2", 1, 12, 4, 4, 5, 2, 0.3f, 0.75f, 1.0f),
  LRN ("size 3 groups 3", 2, 9, 2, 3, 3, 3, 0.2f, 0.6f, 2.0f),
  LRN ("even size 4", 1, 6, 5, 3, 4, 1, 0.4f, 0.75f, 2.0f),
  LRN ("alexnet conv1 grouped", 1, 96, 27, 27, 5, 2, 1e-4f, 0.75f, 2.0f),
  POOL ("3/2 7x7", 2, 3, 7, 7, 3, 3, 2, 2),
  POOL ("2/2 6x5 floor", 1, 2, 6, 5, 2, 2, 2, 2),
  POOL ("3x2 stride 1x2", 1, 2, 5, 6, 3, 2, 1, 2),
  POOL ("3/2 27x27", 2, 4, 27, 27, 3, 3, 2, 2),
  AVG ("7x5 to 3x2", 2, 3, 7, 5, 3, 2),
  AVG ("5x5 to 6x6", 1, 2, 5, 5, 6, 6),
  AVG ("13x13 to 6x6", 2, 4, 13, 13, 6, 6),
  DROP ("second tower p 0.5", 3, 10, 20, 10, 0.5f),
  DROP ("whole p 0.3", 4, 33, 33, 0, 0.3f),
  DROP ("p 0", 2, 5, 5, 0, 0.0f),
  LIN ("n 1", 1, 7, 5, FALSE),
  LIN ("n 4 odd", 4, 33, 17, FALSE),
  LIN ("n 3 no dx", 3, 300, 100, TRUE),
  { .op = OP_CONCAT, .label = "middle", .n = 2, .c2 = 7, .off = 3, .c1 = 4, .hw = 5 },
  { .op = OP_CONCAT, .label = "first", .n = 3, .c2 = 4, .off = 0, .c1 = 1, .hw = 9 },
  { .op = OP_SOFTMAX_XENT, .label = "n 1 k 3", .n = 1, .k = 3 },
  { .op = OP_SOFTMAX_XENT, .label = "n 5 k 10", .n = 5, .k = 10 },
  { .op = OP_SOFTMAX_XENT, .label = "n 2 k 1000", .n = 2, .k = 1000 },
  { .op = OP_SGD, .label = "pytorch", .count = 1000,
    .sgd = { AN_SGD_RULE_PYTORCH, 0.01f, 0.9f, 5e-4f } },
  { .op = OP_SGD, .label = "paper", .count = 37, .sgd = { AN_SGD_RULE_PAPER, 0.01f, 0.9f, 5e-4f } },
  { .op = OP_SUM_SQUARES, .label = "1", .count = 1 },
  { .op = OP_SUM_SQUARES, .label = "70001", .count = 70001 },
};

static void
run_case (Run *run, const Case *tc)
{
  AnBackend *be = run->be;

  switch (tc->op)
    {
    case OP_CONV:
      {
        const AnConvDesc *d = &tc->conv;
        size_t xs = (size_t) d->n * d->c * d->h * d->w, ys = (size_t) d->n * d->oc * d->oh * d->ow;
        size_t ws = (size_t) d->oc * (d->c / d->groups) * d->kh * d->kw;
        float *x = run_input (run, xs, -1, 1), *w = run_input (run, ws, -0.5f, 0.5f);
        float *b = run_input (run, d->oc, -1, 1), *dy = run_input (run, ys, -1, 1);
        float *y = run_output (run, "y", ys, OUT_OVERWRITTEN);
        float *dx = tc->no_dx ? NULL : run_output (run, "dx", xs, OUT_ACCUMULATED);
        float *dw = run_output (run, "dw", ws, OUT_ACCUMULATED);
        float *db = run_output (run, "db", d->oc, OUT_ACCUMULATED);

        AN_TEST_OP (covered, be, conv2d_forward, d, y, x, w, b);
        AN_TEST_OP (covered, be, conv2d_backward, d, dx, dw, db, dy, x, w);
        break;
      }
    case OP_RELU:
      {
        /* a quarter of the inputs exactly 0: the kink */
        float *x = run_input (run, tc->count, -1, 1), *dy = run_input (run, tc->count, -1, 1);
        float *y = run_output (run, "y", tc->count, OUT_OVERWRITTEN);
        float *dx = run_output (run, "dx", tc->count, OUT_ACCUMULATED);
        g_autofree float *zeros = g_new0 (float, tc->count / 4);

        an_test_upload (be, x, zeros, tc->count / 4 * sizeof (float));
        AN_TEST_OP (covered, be, relu_forward, tc->count, y, x);
        AN_TEST_OP (covered, be, relu_backward, tc->count, dx, dy, y);
        break;
      }
    case OP_LRN:
      {
        const AnLrnDesc *d = &tc->lrn;
        size_t s = (size_t) d->n * d->c * d->h * d->w;
        float *x = run_input (run, s, -2, 2), *dy = run_input (run, s, -1, 1);
        float *y = run_output (run, "y", s, OUT_OVERWRITTEN);
        float *scale = run_output (run, "scale", s, OUT_OVERWRITTEN);
        float *dx = run_output (run, "dx", s, OUT_ACCUMULATED);

        AN_TEST_OP (covered, be, lrn_forward, d, y, scale, x);
        AN_TEST_OP (covered, be, lrn_backward, d, dx, dy, x, y, scale);
        break;
      }
    case OP_MAXPOOL:
      {
        const AnPoolDesc *d = &tc->pool;
        size_t xs = (size_t) d->n * d->c * d->h * d->w, ys = (size_t) d->n * d->c * d->oh * d->ow;
        float *x = run_input (run, xs, -1, 1), *dy = run_input (run, ys, -1, 1);
        float *y = run_output (run, "y", ys, OUT_OVERWRITTEN);
        int32_t *argmax = run_output_int (run, "argmax", ys);
        float *dx = run_output (run, "dx", xs, OUT_ACCUMULATED);

        AN_TEST_OP (covered, be, maxpool_forward, d, y, argmax, x);
        AN_TEST_OP (covered, be, maxpool_backward, d, dx, dy, argmax);
        break;
      }
    case OP_AVGPOOL:
      {
        const AnAdaptivePoolDesc *d = &tc->avg;
        size_t xs = (size_t) d->n * d->c * d->h * d->w, ys = (size_t) d->n * d->c * d->oh * d->ow;
        float *x = run_input (run, xs, -1, 1), *dy = run_input (run, ys, -1, 1);
        float *y = run_output (run, "y", ys, OUT_OVERWRITTEN);
        float *dx = run_output (run, "dx", xs, OUT_ACCUMULATED);

        AN_TEST_OP (covered, be, avgpool_forward, d, y, x);
        AN_TEST_OP (covered, be, avgpool_backward, d, dx, dy);
        break;
      }
    case OP_DROPOUT:
      {
        const AnDropoutDesc *d = &tc->drop;
        size_t s = (size_t) d->n * d->cols;
        float *x = run_input (run, s, -1, 1), *dy = run_input (run, s, -1, 1);
        float *y = run_output (run, "y", s, OUT_OVERWRITTEN);
        float *mask = run_output (run, "mask", s, OUT_OVERWRITTEN);
        float *dx = run_output (run, "dx", s, OUT_ACCUMULATED);

        AN_TEST_OP (covered, be, dropout_forward, d, y, mask, x);
        AN_TEST_OP (covered, be, dropout_backward, s, dx, dy, mask);
        break;
      }
    case OP_LINEAR:
      {
        const AnLinearDesc *d = &tc->lin;
        size_t xs = (size_t) d->n * d->in, ys = (size_t) d->n * d->out;
        size_t ws = (size_t) d->out * d->in;
        float *x = run_input (run, xs, -1, 1), *w = run_input (run, ws, -0.5f, 0.5f);
        float *b = run_input (run, d->out, -1, 1), *dy = run_input (run, ys, -1, 1);
        float *y = run_output (run, "y", ys, OUT_OVERWRITTEN);
        float *dx = tc->no_dx ? NULL : run_output (run, "dx", xs, OUT_ACCUMULATED);
        float *dw = run_output (run, "dw", ws, OUT_ACCUMULATED);
        float *db = run_output (run, "db", d->out, OUT_ACCUMULATED);

        AN_TEST_OP (covered, be, linear_forward, d, y, x, w, b);
        AN_TEST_OP (covered, be, linear_backward, d, dx, dw, db, dy, x, w);
        break;
      }
    case OP_CONCAT:
      {
        size_t xs = (size_t) tc->n * tc->c1 * tc->hw, ys = (size_t) tc->n * tc->c2 * tc->hw;
        float *x = run_input (run, xs, -1, 1), *dy = run_input (run, ys, -1, 1);
        /* channels outside [off, off + c1) are not this input's: they keep their values */
        float *y = run_output (run, "y", ys, OUT_ACCUMULATED);
        float *dx = run_output (run, "dx", xs, OUT_ACCUMULATED);

        AN_TEST_OP (covered, be, concat_forward, tc->n, tc->c2, tc->off, tc->c1, tc->hw, y, x);
        AN_TEST_OP (covered, be, concat_backward, tc->n, tc->c2, tc->off, tc->c1, tc->hw, dx, dy);
        break;
      }
    case OP_SOFTMAX_XENT:
      {
        size_t s = (size_t) tc->n * tc->k;
        /* logits up to +-40: exp overflows without the max shift */
        float *z = run_input (run, s, -40, 40);
        int32_t *labels = run_labels (run, tc->n, tc->k);
        float *probs = run_output (run, "probs", s, OUT_OVERWRITTEN);
        float *dz = run_output (run, "dlogits", s, OUT_ACCUMULATED);
        double loss = AN_TEST_OP (covered, be, softmax_xent_forward, tc->n, tc->k, probs, z, labels);

        AN_TEST_OP (covered, be, softmax_xent_backward, tc->n, tc->k, dz, probs, labels);
        run_scalar (run, "loss", loss);
        break;
      }
    case OP_SGD:
      {
        float *g = run_input (run, tc->count, -1, 1);
        float *w = run_output (run, "w", tc->count, OUT_ACCUMULATED);
        float *v = run_output (run, "v", tc->count, OUT_ACCUMULATED);

        /* two steps, so the second sees the first's momentum */
        AN_TEST_OP (covered, be, sgd_update, &tc->sgd, tc->count, w, v, g);
        AN_TEST_OP (covered, be, sgd_update, &tc->sgd, tc->count, w, v, g);
        break;
      }
    case OP_SUM_SQUARES:
      {
        float *x = run_input (run, tc->count, -3, 3);

        run_scalar (run, "sum", AN_TEST_OP (covered, be, sum_squares, tc->count, x));
        break;
      }
    case OP_COUNT:
    default:
      g_assert_not_reached ();
    }
  run_finish (run);
}

static Run *
run_new (AnBackend *be, GString *failures)
{
  Run *run = g_new0 (Run, 1);

  run->be = be;
  run->bufs = g_array_new (FALSE, FALSE, sizeof (Buffer));
  run->results = g_array_new (FALSE, FALSE, sizeof (Result));
  g_array_set_clear_func (run->results, result_clear);
  run->failures = failures;
  run->stream = 1;
  return run;
}

static void
run_free (Run *run)
{
  g_array_unref (run->bufs);
  g_array_unref (run->results);
  g_free (run);
}

/* Worst |got - want| / max(1, max |want|) over all outputs; integer outputs must match. */
static double
compare_results (const Run *got, const Run *want, const char *what, GString *failures)
{
  double worst = 0.0;

  g_assert_cmpuint (got->results->len, ==, want->results->len);
  for (guint k = 0; k < want->results->len; k++)
    {
      const Result *g = &g_array_index (got->results, Result, k);
      const Result *w = &g_array_index (want->results, Result, k);
      double magnitude = 1.0, err = 0.0;

      g_assert_cmpuint (g->count, ==, w->count);
      if (w->is_int)
        {
          for (size_t i = 0; i < w->count; i++)
            if (g->i[i] != w->i[i])
              {
                g_string_append_printf (failures, "  %s: %s[%zu] = %d, reference %d\n", what,
                                        w->name, i, g->i[i], w->i[i]);
                return INFINITY;
              }
          continue;
        }
      for (size_t i = 0; i < w->count; i++)
        magnitude = MAX (magnitude, fabs (w->f[i]));
      for (size_t i = 0; i < w->count; i++)
        {
          double e = fabs ((double) g->f[i] - w->f[i]) / magnitude;
          if (isnan (e))
            e = INFINITY;
          err = MAX (err, e);
        }
      worst = MAX (worst, err);
    }
  return worst;
}

/* Bit-identical, NaN patterns included. */
static gboolean
results_identical (const Run *a, const Run *b)
{
  for (guint k = 0; k < a->results->len; k++)
    {
      const Result *ra = &g_array_index (a->results, Result, k);
      const Result *rb = &g_array_index (b->results, Result, k);

      if (memcmp (ra->is_int ? (void *) ra->i : (void *) ra->f,
                  rb->is_int ? (void *) rb->i : (void *) rb->f, ra->count * 4) != 0)
        return FALSE;
    }
  return TRUE;
}

typedef struct {
  char *name;
  AnBackend *be;
  double worst[OP_COUNT];
} Candidate;

static void
test_all_ops (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AnBackend) ref = an_backend_ref_new ();
  g_autoptr (GString) failures = g_string_new (NULL);
  GPtrArray *candidates = g_ptr_array_new ();
  AnBackend *cuda;
  double start = g_get_monotonic_time ();

  for (int threads = 1; threads <= 2; threads++)
    {
      Candidate *c = g_new0 (Candidate, 1);
      c->name = g_strdup_printf ("cpu/%d thread%s", threads, threads > 1 ? "s" : "");
      c->be = an_backend_cpu_new (0, threads);
      g_ptr_array_add (candidates, c);
    }
  {
    /* the CPU backend's other convolution path: oneDNN's where it has a kernel, im2col here */
    Candidate *c = g_new0 (Candidate, 1);
    c->name = g_strdup ("cpu/im2col");
    c->be = an_backend_cpu_new (0, 2);
    an_backend_cpu_set_kernels (c->be, AN_CPU_KERNELS_BLAS);
    g_ptr_array_add (candidates, c);
  }
  cuda = an_backend_cuda_new (0, &error);
  if (cuda)
    {
      Candidate *c = g_new0 (Candidate, 1);
      c->name = g_strdup ("cuda:0");
      c->be = cuda;
      g_ptr_array_add (candidates, c);
    }
  else
    g_test_message ("cuda: skipped (%s)", error->message);

  /* every backend implements every op of the list */
  g_clear_error (&error);
  if (!an_backend_ops_check (ref->ops, &error))
    g_string_append_printf (failures, "  %s\n", error->message);
  g_clear_error (&error);
  for (guint k = candidates->len; k-- > 0;)
    {
      Candidate *c = g_ptr_array_index (candidates, k);
      if (an_backend_ops_check (c->be->ops, &error))
        continue;
      /* a backend with a hole in its table fails here rather than crash in a case */
      g_string_append_printf (failures, "  %s\n", error->message);
      g_clear_error (&error);
      an_backend_free (c->be);
      g_free (c->name);
      g_free (c);
      g_ptr_array_remove_index (candidates, k);
    }

  for (size_t t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      Case *tc = &cases[t];
      g_autoptr (GString) case_failures = g_string_new (NULL);
      Run *want = run_new (ref, case_failures);
      GError *desc_error = NULL;

      if ((tc->op == OP_CONV && !an_conv_desc_init (&tc->conv, &desc_error)) ||
          (tc->op == OP_MAXPOOL && !an_pool_desc_init (&tc->pool, &desc_error)) ||
          (tc->op == OP_LRN && !an_lrn_desc_check (&tc->lrn, &desc_error)))
        g_error ("case %s %s: %s", op_names[tc->op], tc->label, desc_error->message);

      run_case (want, tc);
      for (guint k = 0; k < candidates->len; k++)
        {
          Candidate *c = g_ptr_array_index (candidates, k);
          Run *first = run_new (c->be, case_failures), *second = run_new (c->be, case_failures);
          g_autofree char *what = g_strdup_printf ("%s %s (%s)", op_names[tc->op], tc->label,
                                                   c->name);
          double err;

          if (tc->op == OP_CONV && g_str_has_prefix (c->name, "cpu"))
            g_test_message ("conv2d %s on %s: %s", tc->label, c->name,
                            an_backend_cpu_conv_kernel (c->be, &tc->conv));
          run_case (first, tc);
          run_case (second, tc);
          err = compare_results (first, want, what, case_failures);
          c->worst[tc->op] = MAX (c->worst[tc->op], err);
          if (!(err <= op_tolerance[tc->op]))
            g_string_append_printf (case_failures, "  %s: error %.3g > tolerance %.3g\n", what,
                                    err, op_tolerance[tc->op]);
          if (!results_identical (first, second))
            g_string_append_printf (case_failures, "  %s: two runs differ\n", what);
          run_free (first);
          run_free (second);
        }
      run_free (want);
      if (case_failures->len > 0)
        {
          g_printerr ("FAIL %s %s\n%s", op_names[tc->op], tc->label, case_failures->str);
          g_string_append (failures, case_failures->str);
        }
    }

  for (guint k = 0; k < candidates->len; k++)
    {
      Candidate *c = g_ptr_array_index (candidates, k);

      for (int op = 0; op < OP_COUNT; op++)
        g_test_message ("%-13s %-12s worst error %.3g (tolerance %.3g)", c->name, op_names[op],
                        c->worst[op], op_tolerance[op]);
      an_backend_free (c->be);
      g_free (c->name);
      g_free (c);
    }
  g_ptr_array_unref (candidates);
  g_test_message ("%zu cases in %.1f s", G_N_ELEMENTS (cases),
                  (g_get_monotonic_time () - start) / 1e6);
  /* every op of the list has a case */
  g_autofree char *missing = an_test_ops_missing (covered);
  if (missing)
    g_string_append_printf (failures, "  no case calls %s\n", missing);
  if (failures->len > 0)
    g_test_fail_printf ("%s", failures->str);
}

/* The CPU backend takes oneDNN's JIT convolutions where the build has oneDNN and the processor
 * has the vector instructions they need, so the all-ops cases above test the path that runs;
 * forced to im2col it says so. */
static void
test_cpu_kernels (void)
{
  g_autoptr (AnBackend) cpu = an_backend_cpu_new (0, 2);
  AnConvDesc d = { 8, 64, 15, 15, 192, 5, 5, 1, 1, 2, 2, 2, 0, 0 }; /* alexnet-cifar conv2 */
  gboolean vector_isa = FALSE;

  g_assert_true (an_conv_desc_init (&d, NULL));
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init ();
  vector_isa = __builtin_cpu_supports ("avx2") || __builtin_cpu_supports ("avx512f");
#endif
  if (HAVE_DNNL && vector_isa)
    {
      const char *kernel = an_backend_cpu_conv_kernel (cpu, &d);
      g_assert_true (g_str_has_prefix (kernel, "jit") || g_str_has_prefix (kernel, "brg"));
    }
  else
    g_assert_cmpstr (an_backend_cpu_conv_kernel (cpu, &d), ==, "im2col+sgemm");
  an_backend_cpu_set_kernels (cpu, AN_CPU_KERNELS_BLAS);
  g_assert_cmpstr (an_backend_cpu_conv_kernel (cpu, &d), ==, "im2col+sgemm");
}

/* Host -> reference -> cpu (staged through the host) -> a second cpu "device" (peer copy)
 * -> host must give back the same bytes. */
static void
test_transfer (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AnBackend) ref = an_backend_ref_new ();
  g_autoptr (AnBackend) cpu0 = an_backend_cpu_new (0, 1);
  g_autoptr (AnBackend) cpu1 = an_backend_cpu_new (1, 2);
  const size_t count = 4099;
  g_autofree float *host = g_new (float, count), *back = g_new0 (float, count);
  float *a, *b, *c;

  for (size_t i = 0; i < count; i++)
    host[i] = an_rng_uniform (TEST_SEED, 99, i);
  a = ref->ops->alloc (ref, count * sizeof (float), &error);
  g_assert_no_error (error);
  b = cpu0->ops->alloc (cpu0, count * sizeof (float), &error);
  g_assert_no_error (error);
  c = cpu1->ops->alloc (cpu1, count * sizeof (float), &error);
  g_assert_no_error (error);

  an_test_upload (ref, a, host, count * sizeof (float));
  g_assert_true (an_backend_transfer (cpu0, b, ref, a, count * sizeof (float), &error));
  g_assert_true (an_backend_transfer (cpu1, c, cpu0, b, count * sizeof (float), &error));
  g_assert_no_error (error);
  an_test_download (cpu1, back, c, count * sizeof (float));
  g_assert_cmpmem (back, count * sizeof (float), host, count * sizeof (float));

  ref->ops->free (ref, a);
  cpu0->ops->free (cpu0, b);
  cpu1->ops->free (cpu1, c);
}

/* A NaN reaching ReLU or max pooling comes out as NaN on every backend (as in PyTorch): a
 * diverging model must not be hidden by a layer that drops it. */
static void
check_nan_propagates (AnBackend *be, const char *name)
{
  g_autoptr (GError) error = NULL;
  /* one 4x4 plane, NaN at (1, 2); 2x2 pooling windows of stride 2 */
  float host[16], out[16];
  for (int i = 0; i < 16; i++)
    host[i] = (float) (i % 5) - 1.0f;
  host[6] = NAN;
  float *x = be->ops->alloc (be, sizeof host, &error);
  float *y = be->ops->alloc (be, sizeof host, &error);
  int32_t *am = be->ops->alloc (be, 4 * sizeof (int32_t), &error);
  g_assert_no_error (error);
  an_test_upload (be, x, host, sizeof host);
  be->ops->relu_forward (be, 16, y, x);
  an_test_download (be, out, y, sizeof out);
  g_assert_true (isnan (out[6]));
  g_assert_cmpfloat (out[0], ==, 0.0f);
  AnPoolDesc pd = { .n = 1, .c = 1, .h = 4, .w = 4, .kh = 2, .kw = 2, .sh = 2, .sw = 2 };
  g_assert_true (an_pool_desc_init (&pd, NULL));
  be->ops->maxpool_forward (be, &pd, y, am, x);
  an_test_download (be, out, y, 4 * sizeof (float));
  g_test_message ("%s: maxpool of a window holding NaN gives %g", name, out[1]);
  g_assert_true (isnan (out[1]));     /* the window of (1, 2) */
  g_assert_false (isnan (out[0]));
  be->ops->free (be, x);
  be->ops->free (be, y);
  be->ops->free (be, am);
}

static void
test_nan (void)
{
  g_autoptr (AnBackend) ref = an_backend_ref_new ();
  g_autoptr (AnBackend) cpu = an_backend_cpu_new (0, 2);
  check_nan_propagates (ref, "reference");
  check_nan_propagates (cpu, "cpu");
  g_autoptr (AnBackend) cuda = an_backend_cuda_new (0, NULL);
  if (cuda)
    check_nan_propagates (cuda, "cuda");
}

/* The two checks that keep the op list complete fail when an op is missing: a table with one
 * op left NULL, and a case list that never calls one. */
static void
test_op_list_checks (void)
{
  g_autoptr (AnBackend) cpu = an_backend_cpu_new (0, 1);
  AnBackendOps broken = *cpu->ops;
  g_autoptr (GError) error = NULL;
  gboolean all[AN_OP_COUNT];

  g_assert_true (an_backend_ops_check (cpu->ops, &error));
  g_assert_no_error (error);
  for (int op = 0; op < AN_OP_COUNT; op++)
    g_assert_true (an_backend_ops_has (cpu->ops, op));

  broken.lrn_backward = NULL;
  g_assert_false (an_backend_ops_has (&broken, AN_OP_LRN_BACKWARD));
  g_assert_true (an_backend_ops_has (&broken, AN_OP_LRN_FORWARD));
  g_assert_false (an_backend_ops_check (&broken, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "lrn_backward"));
  g_assert_null (strstr (error->message, "lrn_forward"));
  g_assert_cmpstr (an_op_name (AN_OP_LRN_BACKWARD), ==, "lrn_backward");
  g_assert_cmpstr (an_op_family (AN_OP_LRN_BACKWARD), ==, "lrn");

  for (int op = 0; op < AN_OP_COUNT; op++)
    all[op] = TRUE;
  g_assert_null (an_test_ops_missing (all));
  all[AN_OP_SUM_SQUARES] = FALSE;
  g_autofree char *missing = an_test_ops_missing (all);
  g_assert_cmpstr (missing, ==, "sum_squares");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/backends/op-list-checks", test_op_list_checks);
  g_test_add_func ("/backends/nan-propagates", test_nan);
  g_test_add_func ("/backends/all-ops", test_all_ops);
  g_test_add_func ("/backends/transfer", test_transfer);
  g_test_add_func ("/backends/cpu-kernels", test_cpu_kernels);
  return g_test_run ();
}
