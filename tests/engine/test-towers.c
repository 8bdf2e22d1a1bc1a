/* test-towers.c: the two-tower model on two CPU "devices" (explicit transfers) equals the
 * grouped single-device model: initial weights, loss, probabilities, every gradient, and the
 * weights after SGD steps (ARCHITECTURE.md contract 4). Run on the reference and the fast CPU
 * backends, for the golden micro net and alexnet-cifar. */
#include "config.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "an-model.h"
#include "an-rng.h"

typedef AnBackend *(*BackendNew) (void);

static AnBackend *
ref_new (void)
{
  return an_backend_ref_new ();
}

static AnBackend *
cpu_new (void)
{
  return an_backend_cpu_new (0, 2);
}

static double
max_rel_diff (const float *a, const float *b, gsize n)
{
  double worst = 0;
  for (gsize i = 0; i < n; i++)
    {
      g_assert_true (isfinite (a[i]) && isfinite (b[i]));
      double d = fabs ((double) a[i] - b[i]) / (1e-6 + fabs ((double) a[i]));
      worst = MAX (worst, d);
    }
  return worst;
}

static void
check_towers (const char *preset_name, BackendNew make, int in_channels, int batch, double tol)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AnPreset) p = an_preset_load (preset_name, &error);
  g_assert_no_error (error);
  AnBackend *a = make (), *b0 = make (), *b1 = make ();
  AnModelOptions one = { .num_classes = 10, .in_channels = in_channels, .batch = batch,
                         .towers = 1, .devices = { a }, .lrn = AN_LRN_CODE, .dropout = 0.5,
                         .seed = 7, .training = TRUE };
  AnModelOptions two = one;
  two.towers = 2;
  two.devices[0] = b0;
  two.devices[1] = b1;
  AnModel *m1 = an_model_new (p, &one, &error);
  g_assert_no_error (error);
  AnModel *m2 = an_model_new (p, &two, &error);
  g_assert_no_error (error);
  gsize np = an_model_param_total (m1);
  g_assert_cmpuint (np, ==, an_model_param_total (m2));

  /* counter-based initialisation: the same weights whatever the placement */
  g_assert_true (an_model_init_params (m1, AN_INIT_HE, 11, NULL));
  g_assert_true (an_model_init_params (m2, AN_INIT_HE, 11, NULL));
  g_autofree float *w1 = g_new (float, np), *w2 = g_new (float, np);
  g_assert_true (an_model_get_params (m1, w1, NULL));
  g_assert_true (an_model_get_params (m2, w2, NULL));
  g_assert_cmpint (memcmp (w1, w2, np * sizeof (float)), ==, 0);

  int C = p->channels > 0 ? p->channels : in_channels;
  gsize xn = (gsize) batch * C * p->height * p->width;
  g_autofree float *x = g_new (float, xn);
  for (gsize i = 0; i < xn; i++)
    x[i] = (float) an_rng_normal (3, 0, i);
  g_autofree gint32 *y = g_new (gint32, batch);
  for (int i = 0; i < batch; i++)
    y[i] = (i * 7) % 10;

  AnSgdDesc sd = { .rule = AN_SGD_RULE_PYTORCH, .lr = 0.01f, .momentum = 0.9f, .weight_decay = 5e-4f };
  for (int step = 1; step <= 2; step++)
    {
      double l1 = 0;
      g_assert_true (an_model_forward (m1, batch, x, y, TRUE, step, &l1, NULL));
      double l2 = 0;
      g_assert_true (an_model_forward (m2, batch, x, y, TRUE, step, &l2, NULL));
      g_test_message ("%s step %d: loss %.9g vs %.9g", preset_name, step, l1, l2);
      g_assert_true (isfinite (l1));
      g_assert_cmpfloat (fabs (l1 - l2), <=, tol * fabs (l1) + 1e-12);

      g_autofree float *p1 = g_new (float, batch * 10), *p2 = g_new (float, batch * 10);
      g_assert_true (an_model_get_probs (m1, p1, NULL));
      g_assert_true (an_model_get_probs (m2, p2, NULL));
      g_assert_cmpfloat (max_rel_diff (p1, p2, batch * 10), <=, tol);

      g_assert_true (an_model_backward (m1, NULL));
      g_assert_true (an_model_backward (m2, NULL));
      double worst = 0;
      for (int i = 0; i < an_model_n_params (m1); i++)
        {
          int shape[4];
          gsize off;
          an_model_param_shape (m1, i, shape, NULL, &off);
          gsize n = (gsize) shape[0] * shape[1] * shape[2] * shape[3];
          g_autofree float *g1 = g_new (float, n), *g2 = g_new (float, n);
          g_assert_true (an_model_get_grad (m1, i, g1, NULL));
          g_assert_true (an_model_get_grad (m2, i, g2, NULL));
          double norm = 0, diff = 0;
          for (gsize j = 0; j < n; j++)
            {
              norm = MAX (norm, fabs (g1[j]));
              diff = MAX (diff, fabs ((double) g1[j] - g2[j]));
            }
          double rel = diff / (norm + 1e-12);
          worst = MAX (worst, rel);
          if (rel > tol)
            g_error ("%s: gradient of %s differs: %g relative to its largest value", preset_name,
                     an_model_param_name (m1, i), rel);
        }
      g_test_message ("%s step %d: worst gradient difference %.3g (tolerance %.1g)", preset_name,
                      step, worst, tol);
      an_model_sgd_step (m1, &sd);
      an_model_sgd_step (m2, &sd);
    }
  g_assert_true (an_model_get_params (m1, w1, NULL));
  g_assert_true (an_model_get_params (m2, w2, NULL));
  double wd = 0;
  for (gsize i = 0; i < np; i++)
    wd = MAX (wd, fabs ((double) w1[i] - w2[i]));
  g_test_message ("%s: weights after 2 steps differ by at most %.3g", preset_name, wd);
  g_assert_cmpfloat (wd, <=, tol);

  /* the flat vectors in pieces (how checkpoints are written) equal the whole copies, on one
   * tower and on two, for the weights and the momentum */
  {
    AnModel *ms[2] = { m1, m2 };
    g_autofree float *whole = g_new (float, np), *pieces = g_new (float, np);
    gsize piece = np / 7 + 3;

    for (int k = 0; k < 2; k++)
      for (int which = 0; which < 2; which++)
        {
          g_assert_true (which == 0 ? an_model_get_params (ms[k], whole, NULL)
                                    : an_model_get_momentum (ms[k], whole, NULL));
          memset (pieces, 0xff, np * sizeof (float));
          for (gsize off = 0; off < np; off += piece)
            g_assert_true (an_model_get_range (ms[k], which, off, MIN (piece, np - off),
                                               pieces + off, NULL));
          g_assert_cmpmem (whole, np * sizeof (float), pieces, np * sizeof (float));
        }
  }

  an_model_free (m1);
  an_model_free (m2);
  an_backend_free (a);
  an_backend_free (b0);
  an_backend_free (b1);
}

static char *micro_path;

static void
test_micro_ref (void)
{
  check_towers (micro_path, ref_new, 3, 3, 1e-6);
}

static void
test_micro_cpu (void)
{
  check_towers (micro_path, cpu_new, 3, 3, 2e-5);
}

static void
test_cifar_cpu (void)
{
  check_towers ("alexnet-cifar", cpu_new, 3, 2, 2e-4);
}

static void
test_tiny_ref (void)
{
  check_towers ("alexnet-tiny", ref_new, 1, 2, 1e-5);
}

/* 2 x multiply-adds of one image through each conv and linear layer, walking the preset's
 * shapes here (not through the model), 0 for the other layers. */
static double *
preset_flops (const AnPreset *p, int channels)
{
  double *flops = g_new0 (double, p->n_layers);
  int c = p->channels > 0 ? p->channels : channels, h = p->height, w = p->width;

  for (int i = 0; i < p->n_layers; i++)
    {
      const AnLayerSpec *L = &p->layers[i];
      switch (L->kind)
        {
        case AN_LAYER_CONV:
          {
            int oh = (h + 2 * L->p - L->k) / L->s + 1, ow = (w + 2 * L->p - L->k) / L->s + 1;
            flops[i] = 2.0 * L->out * oh * ow * (c / L->groups) * L->k * L->k;
            c = L->out, h = oh, w = ow;
            break;
          }
        case AN_LAYER_MAXPOOL:
          h = (h - L->k) / L->s + 1, w = (w - L->k) / L->s + 1;
          break;
        case AN_LAYER_FLATTEN:
          c = c * h * w, h = w = 1;
          break;
        case AN_LAYER_LINEAR:
          {
            int out = L->out == -1 ? 10 : L->out;
            flops[i] = 2.0 * c * h * w * out;
            c = out, h = w = 1;
            break;
          }
        default:
          break;
        }
    }
  return flops;
}

/* The per-layer profile, on one device and on two (where the towers' halves add up and the
 * transfers show as copies): a row per layer and per other part of a step, the passes
 * counted while profiling is on only, each conv and linear layer's flops as counted from the
 * preset, and the kernel that computes each convolution. */
static void
test_profile (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AnPreset) p = an_preset_load (micro_path, &error);
  g_assert_no_error (error);
  g_autofree double *want = preset_flops (p, 3);
  const char *extra[] = { "loss", "zero gradients", "sgd", "copies" };
  const int batch = 4;
  g_autofree float *x = g_new (float, (gsize) batch * 3 * 16 * 16);
  gint32 y[4] = { 1, 2, 3, 4 };
  AnSgdDesc sd = { .rule = AN_SGD_RULE_PYTORCH, .lr = 0.01f, .momentum = 0.9f };

  for (gsize i = 0; i < (gsize) batch * 3 * 16 * 16; i++)
    x[i] = (float) an_rng_normal (5, 0, i);
  for (int towers = 1; towers <= 2; towers++)
    {
      AnBackend *b0 = cpu_new (), *b1 = cpu_new ();
      AnModelOptions o = { .num_classes = 10, .in_channels = 3, .batch = batch,
                           .towers = towers, .devices = { b0, towers == 2 ? b1 : b0 },
                           .lrn = AN_LRN_CODE, .dropout = 0.5, .seed = 7, .training = TRUE };
      AnModel *m = an_model_new (p, &o, &error);
      int rows, fwd, bwd;
      double total = 0;

      g_assert_no_error (error);
      g_assert_true (an_model_init_params (m, AN_INIT_HE, 11, NULL));
      an_model_set_profiling (m, TRUE);
      for (int step = 0; step < 3; step++)
        {
          if (step == 2)
            an_model_set_profiling (m, FALSE);
          g_assert_true (an_model_forward (m, batch, x, y, TRUE, step, NULL, &error));
          g_assert_true (an_model_backward (m, &error));
          an_model_sgd_step (m, &sd);
        }
      const AnLayerProfile *prof = an_model_profile (m, &rows, &fwd, &bwd);
      g_assert_cmpint (rows, ==, p->n_layers + 4);
      g_assert_cmpint (fwd, ==, 2);
      g_assert_cmpint (bwd, ==, 2);
      for (int i = 0; i < rows; i++)
        {
          const AnLayerProfile *r = &prof[i];

          g_assert_cmpstr (r->name, ==, i < p->n_layers ? p->layers[i].name : extra[i - p->n_layers]);
          g_assert_true (r->forward_seconds >= 0 && r->backward_seconds >= 0);
          total += r->forward_seconds + r->backward_seconds;
          if (i < p->n_layers)
            {
              g_assert_cmpfloat (r->flops, ==, want[i]);
              /* the first layer has no input gradient to compute */
              g_assert_cmpfloat (r->backward_flops, ==, (i == 0 ? 1 : 2) * want[i]);
              g_assert_true ((p->layers[i].kind == AN_LAYER_CONV) == (r->kernel != NULL));
            }
        }
      g_assert_cmpfloat (total, >, 0);
      if (towers == 2)
        g_assert_cmpfloat (prof[p->n_layers + 3].forward_seconds, >, 0);
      an_model_free (m);
      an_backend_free (b0);
      an_backend_free (b1);
    }
}

/* He initialisation, element by element: weight j of tensor i is sqrt(2 / fan_in) times the
 * j-th normal draw of its own counter stream (computed here one at a time, while the model
 * fills the tensors on every core), biases zero; and the largest tensor's spread is He's
 * sqrt(2 / fan_in) within 2% (a statistical check, whatever the generator). */
static void
test_init (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AnPreset) p = an_preset_load ("alexnet-tiny", &error);
  g_assert_no_error (error);
  g_autoptr (AnBackend) be = cpu_new ();
  AnModelOptions o = { .num_classes = 10, .in_channels = 1, .batch = 2, .towers = 1,
                       .devices = { be }, .lrn = AN_LRN_CODE, .seed = 7, .training = TRUE };
  g_autoptr (AnModel) m = an_model_new (p, &o, &error);
  g_assert_no_error (error);
  g_assert_true (an_model_init_params (m, AN_INIT_HE, 11, &error));
  gsize np = an_model_param_total (m);
  g_autofree float *w = g_new (float, np);
  g_assert_true (an_model_get_params (m, w, &error));
  gsize largest = 0;
  double largest_std = 0, largest_sd = 0;
  for (int i = 0; i < an_model_n_params (m); i++)
    {
      int shape[4], ndim;
      gsize offset, count = 1, fan_in = 1;
      an_model_param_shape (m, i, shape, &ndim, &offset);
      for (int d = 0; d < ndim; d++)
        count *= (gsize) shape[d];
      if (ndim == 1) /* a bias */
        {
          for (gsize j = 0; j < count; j++)
            g_assert_cmpfloat (w[offset + j], ==, 0.0f);
          continue;
        }
      for (int d = 1; d < ndim; d++)
        fan_in *= (gsize) shape[d];
      double std = sqrt (2.0 / (double) fan_in);
      guint64 stream = AN_RNG_STREAM (AN_RNG_INIT, i, 0);
      for (gsize j = 0; j < count; j++)
        if (w[offset + j] != (float) (std * an_rng_normal (11, stream, j)))
          g_error ("%s[%" G_GSIZE_FORMAT "] = %g, not the %" G_GSIZE_FORMAT "-th draw",
                   an_model_param_name (m, i), j, w[offset + j], j);
      if (count > largest)
        {
          double sum = 0, sum2 = 0;
          for (gsize j = 0; j < count; j++)
            {
              sum += w[offset + j];
              sum2 += (double) w[offset + j] * w[offset + j];
            }
          largest = count;
          largest_std = std;
          largest_sd = sqrt (sum2 / count - (sum / count) * (sum / count));
        }
    }
  g_assert_cmpuint (largest, >, 100000);
  g_assert_cmpfloat (fabs (largest_sd / largest_std - 1.0), <, 0.02);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  micro_path = g_build_filename (g_getenv ("AN_SOURCE_DIR"), "tests", "golden", "micro.preset", NULL);
  g_test_add_func ("/towers/init", test_init);
  g_test_add_func ("/towers/micro-reference", test_micro_ref);
  g_test_add_func ("/towers/micro-cpu", test_micro_cpu);
  g_test_add_func ("/towers/tiny-reference", test_tiny_ref);
  g_test_add_func ("/towers/cifar-cpu", test_cifar_cpu);
  g_test_add_func ("/towers/profile", test_profile);
  int r = g_test_run ();
  g_free (micro_path);
  return r;
}
