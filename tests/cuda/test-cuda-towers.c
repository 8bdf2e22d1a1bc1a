/* test-cuda-towers.c: the two-tower model on {cuda:0, cuda:0} (two streams) equals the CPU
 * single-device model (contract 4): the same loss, probabilities and every parameter gradient
 * for tests/golden/micro.preset, then the same loss after an SGD step; and the GPU run repeated
 * gives the same bits (contract 6). Exits 77 (skip) without a CUDA device.
 */
#define G_LOG_DOMAIN "test-cuda-towers"
#include "config.h"

#include <math.h>

#include "an-backend.h"
#include "an-model.h"
#include "an-rng.h"

enum { BATCH = 4, CLASSES = 5 };

/* Scaled error max |a - b| / max(1, max |b|) allowed between the GPU towers and the CPU: the
 * GEMMs sum in other orders; across ~6 layers that stays well below this. */
#define TOL_TOWERS 1e-4

static double
scaled_error (const float *got, const float *want, gsize count)
{
  double worst = 0.0, scale = 1.0;
  for (gsize i = 0; i < count; i++)
    {
      if (!isfinite (got[i]) || !isfinite (want[i]))
        return INFINITY;
      worst = MAX (worst, fabs ((double) got[i] - (double) want[i]));
      scale = MAX (scale, fabs ((double) want[i]));
    }
  return worst / scale;
}

static AnModel *
model_new (const AnPreset *preset, int towers, AnBackend *d0, AnBackend *d1)
{
  GError *error = NULL;
  AnModelOptions mo = { .num_classes = CLASSES, .in_channels = 3, .batch = BATCH,
                        .towers = towers, .devices = { d0, d1 }, .lrn = AN_LRN_CODE,
                        .dropout = 0.5, .seed = 11, .training = TRUE };
  AnModel *m = an_model_new (preset, &mo, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

static gsize
param_count (AnModel *m, int i)
{
  int shape[4], ndim;
  gsize offset;
  an_model_param_shape (m, i, shape, &ndim, &offset);
  return (gsize) shape[0] * shape[1] * shape[2] * shape[3];
}

/* forward (training, so dropout is on) + backward; returns the loss */
static double
step (AnModel *m, const float *x, const gint32 *labels)
{
  GError *error = NULL;
  double loss = 0;
  g_assert_true (an_model_forward (m, BATCH, x, labels, TRUE, 1, &loss, NULL));
  g_assert_true (an_model_backward (m, NULL));
  g_assert_true (an_model_sync (m, &error));
  g_assert_no_error (error);
  return loss;
}

static void
test_towers_equal_cpu (void)
{
  GError *error = NULL;
  char *path = g_build_filename (g_getenv ("AN_SOURCE_DIR"), "tests", "golden", "micro.preset",
                                 NULL);
  AnPreset *preset = an_preset_load (path, &error);
  g_assert_no_error (error);

  AnBackend *cpu = an_backend_cpu_new (0, 2);
  AnBackend *gpu0 = an_backend_cuda_new (0, &error);
  g_assert_no_error (error);
  AnBackend *gpu1 = an_backend_cuda_new (0, &error); /* same device, its own stream */
  g_assert_no_error (error);

  AnModel *single = model_new (preset, 1, cpu, cpu);
  AnModel *towers = model_new (preset, 2, gpu0, gpu1);
  g_assert_true (an_model_init_params (single, AN_INIT_PAPER, 5, NULL));
  gsize total = an_model_param_total (single);
  g_assert_cmpuint (an_model_param_total (towers), ==, total);
  float *params = g_new (float, total);
  g_assert_true (an_model_get_params (single, params, NULL));
  g_assert_true (an_model_set_params (towers, params, NULL));

  gsize in_count = (gsize) BATCH * 3 * 16 * 16;
  float *x = g_new (float, in_count);
  for (gsize i = 0; i < in_count; i++)
    x[i] = 2.0f * an_rng_uniform (3, 0, i) - 1.0f;
  gint32 labels[BATCH] = { 0, 3, 1, 4 };

  double loss_cpu = step (single, x, labels);
  double loss_gpu = step (towers, x, labels);
  double rel = fabs (loss_gpu - loss_cpu) / fabs (loss_cpu);
  g_test_message ("loss: cpu %.9g, cuda towers %.9g, relative error %.3g (tolerance 1e-5)",
                  loss_cpu, loss_gpu, rel);
  g_assert_cmpfloat (rel, <=, 1e-5);

  float *want = g_new (float, BATCH * CLASSES), *got = g_new (float, BATCH * CLASSES);
  g_assert_true (an_model_get_probs (single, want, NULL));
  g_assert_true (an_model_get_probs (towers, got, NULL));
  double err = scaled_error (got, want, BATCH * CLASSES);
  g_test_message ("probabilities: scaled error %.3g (tolerance %.0e)", err, TOL_TOWERS);
  g_assert_cmpfloat (err, <=, TOL_TOWERS);
  g_free (want);
  g_free (got);

  int n_params = an_model_n_params (single);
  g_assert_cmpint (an_model_n_params (towers), ==, n_params);
  float **grads_gpu = g_new0 (float *, n_params);
  for (int i = 0; i < n_params; i++)
    {
      gsize count = param_count (single, i);
      float *g_cpu = g_new (float, count);
      grads_gpu[i] = g_new (float, count);
      g_assert_true (an_model_get_grad (single, i, g_cpu, NULL));
      g_assert_true (an_model_get_grad (towers, i, grads_gpu[i], NULL));
      err = scaled_error (grads_gpu[i], g_cpu, count);
      g_test_message ("gradient %-12s scaled error %.3g (tolerance %.0e)",
                      an_model_param_name (single, i), err, TOL_TOWERS);
      g_assert_cmpfloat (err, <=, TOL_TOWERS);
      g_free (g_cpu);
    }

  /* the same step again on the GPU towers: bit-identical gradients */
  double loss_again = step (towers, x, labels);
  g_assert_cmpmem (&loss_again, sizeof loss_again, &loss_gpu, sizeof loss_gpu);
  for (int i = 0; i < n_params; i++)
    {
      gsize count = param_count (towers, i);
      float *again = g_new (float, count);
      g_assert_true (an_model_get_grad (towers, i, again, NULL));
      g_assert_cmpmem (again, count * sizeof (float), grads_gpu[i], count * sizeof (float));
      g_free (again);
      g_free (grads_gpu[i]);
    }
  g_free (grads_gpu);
  g_test_message ("cuda towers repeated: loss and every gradient bit-identical");

  /* one SGD step on both, then the losses still agree */
  AnSgdDesc sd = { .rule = AN_SGD_RULE_PYTORCH, .lr = 0.05f, .momentum = 0.9f,
                   .weight_decay = 5e-4f };
  an_model_sgd_step (single, &sd);
  an_model_sgd_step (towers, &sd);
  loss_cpu = step (single, x, labels);
  loss_gpu = step (towers, x, labels);
  rel = fabs (loss_gpu - loss_cpu) / fabs (loss_cpu);
  g_test_message ("loss after an SGD step: cpu %.9g, cuda towers %.9g, relative error %.3g",
                  loss_cpu, loss_gpu, rel);
  g_assert_cmpfloat (rel, <=, 1e-5);

  g_free (x);
  g_free (params);
  an_model_free (towers);
  an_model_free (single);
  an_backend_free (gpu1);
  an_backend_free (gpu0);
  an_backend_free (cpu);
  an_preset_free (preset);
  g_free (path);
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
  g_test_add_func ("/cuda-towers/equal-cpu", test_towers_equal_cpu);
  return g_test_run ();
}
