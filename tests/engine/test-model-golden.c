/* test-model-golden.c: the whole micro AlexNet (LRN, groups, dropout, two towers) against
 * PyTorch in float64 (tests/golden/model-micro.bin, tools/torch_golden.py): logits, loss,
 * every gradient, the losses of 10 SGD steps with momentum and weight decay under both SGD
 * rules (the paper's with a learning-rate change), the final weights, and eval-mode logits.
 * Run on the reference backend, the fast CPU backend, and two CPU devices as two towers. */
#include "config.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "an-model.h"
#include "an-test-golden.h"

typedef enum { PLACE_REF, PLACE_CPU, PLACE_CPU_TOWERS } Placement;

static const char *const place_names[] = { "reference", "cpu", "cpu, two towers" };

typedef struct {
  AnBackend *be[2];
  AnModel *m;
  AnPreset *p;
} Net;

static void
net_open (Net *n, Placement where)
{
  g_autofree char *path = an_test_source_path ("tests/golden/micro.preset");
  g_autoptr (GError) error = NULL;
  n->p = an_preset_load (path, &error);
  g_assert_no_error (error);
  n->be[0] = where == PLACE_REF ? an_backend_ref_new () : an_backend_cpu_new (0, 2);
  n->be[1] = where == PLACE_CPU_TOWERS ? an_backend_cpu_new (1, 2) : NULL;
  AnModelOptions mo = { .num_classes = 10, .batch = 4, .towers = where == PLACE_CPU_TOWERS ? 2 : 1,
                        .devices = { n->be[0], n->be[1] }, .lrn = AN_LRN_CODE, .dropout = 0.5,
                        .seed = 1234, .training = TRUE };
  n->m = an_model_new (n->p, &mo, &error);
  g_assert_no_error (error);
}

static void
net_close (Net *n)
{
  an_model_free (n->m);
  an_backend_free (n->be[0]);
  an_backend_free (n->be[1]);
  an_preset_free (n->p);
}

/* Loads the params of the given prefix ("params." / "final.") into a flat host vector. */
static float *
golden_params (AnModel *m, const AnGolden *g, const char *prefix)
{
  float *flat = g_new (float, an_model_param_total (m));
  for (int i = 0; i < an_model_n_params (m); i++)
    {
      int shape[4];
      gsize off;
      an_model_param_shape (m, i, shape, NULL, &off);
      gsize count = (gsize) shape[0] * shape[1] * shape[2] * shape[3];
      g_autofree char *name = g_strconcat (prefix, an_model_param_name (m, i), NULL);
      const AnGoldenTensor *t = an_test_golden_get (g, name, count);
      for (gsize j = 0; j < count; j++)
        flat[off + j] = (float) t->data[j];
    }
  return flat;
}

/* max |a - b| / max |b|, printed */
static double
scaled_error (const char *what, const float *a, const double *b, gsize n)
{
  double diff = 0, scale = 0;
  for (gsize i = 0; i < n; i++)
    {
      g_assert_true (isfinite (a[i]));
      diff = MAX (diff, fabs (a[i] - b[i]));
      scale = MAX (scale, fabs (b[i]));
    }
  double e = diff / MAX (scale, 1e-30);
  g_test_message ("  %-22s scaled error %.2e", what, e);
  return e;
}

static void
batch (const AnGolden *g, int s, float *x, gint32 *y)
{
  const AnGoldenTensor *tx = an_test_golden_get (g, "x", 10 * 4 * 3 * 16 * 16);
  const AnGoldenTensor *ty = an_test_golden_get (g, "labels", 40);
  for (int i = 0; i < 4 * 3 * 16 * 16; i++)
    x[i] = (float) tx->data[(gsize) s * 4 * 3 * 16 * 16 + i];
  for (int i = 0; i < 4; i++)
    y[i] = (gint32) ty->data[s * 4 + i];
}

static void
check_placement (gconstpointer data)
{
  Placement where = GPOINTER_TO_INT (data);
  /* float32 against float64 truth: one step 1e-5 of the largest value, the trajectory 1e-4 */
  const double tol_step = 1e-5, tol_traj = 1e-4;
  g_test_message ("%s:", place_names[where]);
  g_autoptr (AnGolden) g = an_test_golden_open ("model-micro.bin");
  Net n;
  net_open (&n, where);
  g_autofree float *init = golden_params (n.m, g, "params.");
  float x[4 * 3 * 16 * 16];
  gint32 y[4];

  /* eval-mode logits with the initial weights */
  g_assert_true (an_model_set_params (n.m, init, NULL));
  batch (g, 0, x, y);
  g_assert_true (an_model_forward (n.m, 4, x, y, FALSE, 0, NULL, NULL));
  int shape[4];
  float *logits = NULL;
  g_assert_true (an_model_get_activation (n.m, "fc8", shape, &logits, NULL));
  g_assert_cmpfloat (scaled_error ("eval.logits", logits, an_test_golden_get (g, "eval.logits", 40)->data, 40), <=, tol_step);
  g_free (logits);

  /* step 1: training-mode logits, loss, every gradient */
  double loss = 0;
  g_assert_true (an_model_forward (n.m, 4, x, y, TRUE, 1, &loss, NULL));
  g_assert_true (an_model_get_activation (n.m, "fc8", shape, &logits, NULL));
  g_assert_cmpfloat (scaled_error ("step1.logits", logits, an_test_golden_get (g, "step1.logits", 40)->data, 40), <=, tol_step);
  g_free (logits);
  double want = an_test_golden_scalar (g, "step1.loss");
  g_test_message ("  step1.loss %.9f vs %.9f", loss, want);
  g_assert_cmpfloat (fabs (loss - want), <=, tol_step * fabs (want));
  g_assert_true (an_model_backward (n.m, NULL));
  for (int i = 0; i < an_model_n_params (n.m); i++)
    {
      an_model_param_shape (n.m, i, shape, NULL, NULL);
      gsize count = (gsize) shape[0] * shape[1] * shape[2] * shape[3];
      g_autofree float *grad = g_new (float, count);
      g_assert_true (an_model_get_grad (n.m, i, grad, NULL));
      g_autofree char *name = g_strconcat ("step1.grad.", an_model_param_name (n.m, i), NULL);
      g_assert_cmpfloat (scaled_error (name, grad, an_test_golden_get (g, name, count)->data, count), <=, tol_step);
    }

  /* 10 SGD steps, both rules */
  for (int rule = 0; rule < 2; rule++)
    {
      g_assert_true (an_model_set_params (n.m, init, NULL));
      g_autofree float *zeros = g_new0 (float, an_model_param_total (n.m));
      g_assert_true (an_model_set_momentum (n.m, zeros, NULL));
      const AnGoldenTensor *losses = an_test_golden_get (g, rule ? "losses_paper" : "losses", 10);
      double worst = 0;
      for (int s = 1; s <= 10; s++)
        {
          batch (g, s - 1, x, y);
          double l = 0;
          g_assert_true (an_model_forward (n.m, 4, x, y, TRUE, s, &l, NULL));
          worst = MAX (worst, fabs (l - losses->data[s - 1]) / fabs (losses->data[s - 1]));
          g_assert_true (an_model_backward (n.m, NULL));
          AnSgdDesc sd = { .rule = rule ? AN_SGD_RULE_PAPER : AN_SGD_RULE_PYTORCH,
                           .lr = rule && s > 5 ? 0.005f : 0.01f, .momentum = 0.9f,
                           .weight_decay = 5e-4f };
          an_model_sgd_step (n.m, &sd);
        }
      g_test_message ("  %s: 10 losses, worst relative error %.2e", rule ? "paper rule" : "pytorch rule", worst);
      g_assert_cmpfloat (worst, <=, tol_traj);
      g_autofree float *final = golden_params (n.m, g, rule ? "final_paper." : "final.");
      g_autofree float *got = g_new (float, an_model_param_total (n.m));
      g_assert_true (an_model_get_params (n.m, got, NULL));
      double diff = 0, scale = 0;
      for (gsize i = 0; i < an_model_param_total (n.m); i++)
        diff = MAX (diff, fabs (got[i] - final[i])), scale = MAX (scale, fabs (final[i]));
      g_test_message ("  final weights: scaled error %.2e", diff / scale);
      g_assert_cmpfloat (diff / scale, <=, tol_traj);
    }
  net_close (&n);
}

/* A NaN in the input gives a non-finite loss (which the trainer reports as divergence), not a
 * crash, and the next finite batch computes normally again. */
static void
test_nan_input (void)
{
  g_autoptr (AnGolden) g = an_test_golden_open ("model-micro.bin");
  Net n;
  net_open (&n, PLACE_CPU);
  g_autofree float *init = golden_params (n.m, g, "params.");
  g_assert_true (an_model_set_params (n.m, init, NULL));
  float x[4 * 3 * 16 * 16];
  gint32 y[4];
  batch (g, 0, x, y);
  x[100] = NAN;
  double bad = 0;
  g_assert_true (an_model_forward (n.m, 4, x, y, TRUE, 1, &bad, NULL));
  g_assert_false (isfinite (bad));
  batch (g, 0, x, y);
  double good = 0;
  g_assert_true (an_model_forward (n.m, 4, x, y, TRUE, 1, &good, NULL));
  g_assert_cmpfloat (fabs (good - an_test_golden_scalar (g, "step1.loss")), <=, 1e-5 * good);
  net_close (&n);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/model-golden/reference", GINT_TO_POINTER (PLACE_REF), check_placement);
  g_test_add_data_func ("/model-golden/cpu", GINT_TO_POINTER (PLACE_CPU), check_placement);
  g_test_add_data_func ("/model-golden/cpu-two-towers", GINT_TO_POINTER (PLACE_CPU_TOWERS), check_placement);
  g_test_add_func ("/model-golden/nan-input", test_nan_input);
  return g_test_run ();
}
