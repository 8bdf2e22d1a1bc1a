/* an-cli-bench.c: `alexnet bench`: training and inference speed of a preset on a placement,
 * from synthetic batches (two warm-up steps, then the median of the timed ones), and the
 * process's peak memory.
 */
#define G_LOG_DOMAIN "alexnet"
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "an-cli-commands.h"
#include "an-model.h"
#include "an-placement.h"

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *v, int n)
{
  qsort (v, n, sizeof (double), cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

typedef struct {
  double train_ips, infer_ips, rss_mib;
  gint64 params;
} BenchResult;

/* Times `steps` training steps and inference passes of m on batches of synthetic images. */
static gboolean
time_model (AnModel *m, const AnPreset *preset, int batch, int steps, int classes,
            int channels, BenchResult *r, GError **error)
{
  int c = preset->channels > 0 ? preset->channels : channels;
  gsize in_count = (gsize) batch * c * preset->height * preset->width;
  g_autofree float *x = g_new (float, in_count);
  g_autofree gint32 *labels = g_new (gint32, batch);
  g_autofree double *tt = g_new (double, steps);
  g_autofree double *ti = g_new (double, steps);
  AnSgdDesc sd = { .rule = AN_SGD_RULE_PYTORCH, .lr = 0.001f, .momentum = 0.9f,
                   .weight_decay = 5e-4f };
  struct rusage ru;

  for (gsize i = 0; i < in_count; i++)
    x[i] = (float) ((i * 2654435761u) % 1000) / 500.0f - 1.0f;
  for (int i = 0; i < batch; i++)
    labels[i] = i % classes;
  for (int s = -2; s < steps; s++) /* two warm-up steps */
    {
      gint64 t0 = g_get_monotonic_time ();
      if (!an_model_forward (m, batch, x, labels, TRUE, s + 3, NULL, error) ||
          !an_model_backward (m, error))
        return FALSE;
      an_model_sgd_step (m, &sd);
      if (!an_model_sync (m, error))
        return FALSE;
      if (s >= 0)
        tt[s] = (g_get_monotonic_time () - t0) / 1e6;
    }
  for (int s = -1; s < steps; s++)
    {
      gint64 t0 = g_get_monotonic_time ();
      if (!an_model_forward (m, batch, x, NULL, FALSE, 0, NULL, error) ||
          !an_model_sync (m, error))
        return FALSE;
      if (s >= 0)
        ti[s] = (g_get_monotonic_time () - t0) / 1e6;
    }
  r->train_ips = batch / median (tt, steps);
  r->infer_ips = batch / median (ti, steps);
  getrusage (RUSAGE_SELF, &ru);
  r->rss_mib = ru.ru_maxrss / 1024.0;
  r->params = (gint64) an_model_param_total (m);
  return TRUE;
}

static void
print_json (const char *model, AnBackend *be, int threads, int batch, int steps, int towers,
            const BenchResult *r)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  an_cli_json_string (b, "model", model);
  an_cli_json_string (b, "device", be->ops->name);
  an_cli_json_int (b, "batch", batch);
  an_cli_json_int (b, "steps", steps);
  /* the CPU backend's threads; a GPU's have no such count */
  if (threads > 0)
    an_cli_json_int (b, "threads", threads);
  else
    an_cli_json_string (b, "threads", NULL);
  an_cli_json_int (b, "towers", towers);
  an_cli_json_int (b, "params", r->params);
  an_cli_json_number (b, "train_images_per_second", r->train_ips);
  an_cli_json_number (b, "infer_images_per_second", r->infer_ips);
  an_cli_json_number (b, "train_step_ms", 1000 * batch / r->train_ips);
  an_cli_json_number (b, "peak_rss_mib", r->rss_mib);
  json_builder_end_object (b);
  an_cli_json_print (b);
}

static int
run_bench (AnCliArgs *args)
{
  const AnRunConfig *cfg = an_cli_args_config (args);
  int steps = an_cli_args_int (args, "steps");
  int classes = an_cli_args_int (args, "classes");
  int channels = an_cli_args_int (args, "channels");
  gboolean json = an_cli_args_flag (args, "json");
  g_autoptr (GError) error = NULL;
  g_autoptr (AnPreset) preset = an_preset_load (cfg->model, &error);
  g_autofree char *note = NULL;
  AnBackend *be[2];
  AnModel *m;
  BenchResult r;
  gboolean ok;
  int threads;

  if (!preset)
    return an_cli_fail (error);
  if (classes == 0)
    classes = preset->height >= 200 ? 1000 : 10;
  if (!an_backends_open (cfg->device, cfg->towers, cfg->threads, be, &note, &error))
    return an_cli_fail (error);
  if (note && !json)
    printf ("%s\n", note);

  AnModelOptions mo = { .num_classes = classes, .in_channels = channels, .batch = cfg->batch,
                        .towers = cfg->towers, .devices = { be[0], be[1] },
                        .lrn = AN_LRN_CODE, .dropout = 0.5, .seed = 1, .training = TRUE };
  if (!(m = an_model_new (preset, &mo, &error)))
    {
      an_backends_close (be);
      return an_cli_fail (error);
    }
  ok = an_model_init_params (m, AN_INIT_HE, 1, &error) &&
       time_model (m, preset, cfg->batch, steps, classes, channels, &r, &error);
  threads = an_backend_cpu_get_threads (be[0]);
  if (ok && json)
    print_json (cfg->model, be[0], threads, cfg->batch, steps, cfg->towers, &r);
  else if (ok)
    {
      g_autofree char *on = threads > 0 ? g_strdup_printf ("%s (%d threads)", be[0]->ops->name,
                                                           threads)
                                        : g_strdup (be[0]->ops->name);

      printf ("%s on %s, batch %d, %d steps (median):\n"
              "  training   %8.1f images/s  (%.1f ms/step)\n"
              "  inference  %8.1f images/s\n"
              "  peak memory %.1f MiB\n",
              cfg->model, on, cfg->batch, steps, r.train_ips, 1000 * cfg->batch / r.train_ips,
              r.infer_ips, r.rss_mib);
    }
  an_model_free (m);
  an_backends_close (be);
  return ok ? 0 : an_cli_fail (error);
}

static const AnCliField bench_fields[] = {
  { "model", NULL },
  { "batch", NULL },
  { "device", NULL },
  { "towers", NULL },
  { "threads", NULL },
  { NULL },
};

static const AnCliOption bench_options[] = {
  { "steps", 0, AN_CLI_INT, "N", 1, 100000, 10, .help = "timed steps (after two warm-up steps)" },
  { "classes", 0, AN_CLI_INT, "N", 0, 100000, 0,
    .help = "outputs of the last layer; 0 = 1000 for ImageNet-sized inputs, else 10" },
  { "channels", 0, AN_CLI_INT, "C", 1, 3, 3,
    .help = "input channels, for presets whose input takes the dataset's" },
  { "json", 0, AN_CLI_FLAG, .help = "print the result as one line of JSON" },
  { NULL },
};

const AnCliCommand an_cli_bench = {
  .name = "bench",
  .summary = "images per second of training and inference on synthetic batches, and peak memory",
  .fields = bench_fields,
  .options = bench_options,
  .run = run_bench,
};
