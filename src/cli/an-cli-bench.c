/* an-cli-bench.c: `alexnet bench`: training and inference speed of a preset on a placement,
 * from synthetic batches (two warm-up steps, then the median of the timed ones), and the
 * process's peak memory; with --profile, the time of every layer from profiled steps of their
 * own after the timed ones (which the profile would slow). With --data, the input pipeline
 * alone instead: a dataset's images through the batcher's workers, as training sees them.
 */
#define G_LOG_DOMAIN "alexnet"
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "an-cli-commands.h"
#include "an-model.h"
#include "an-placement.h"
#include "an-preset.h"
#include "data/an-dataset.h"
#include "data/an-pipeline.h"

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

/* One training step on the synthetic batch, to its end on the device. */
static gboolean
train_step (AnModel *m, int batch, const float *x, const gint32 *labels, guint64 step,
            const AnSgdDesc *sd, GError **error)
{
  if (!an_model_forward (m, batch, x, labels, TRUE, step, NULL, error) ||
      !an_model_backward (m, error))
    return FALSE;
  an_model_sgd_step (m, sd);
  return an_model_sync (m, error);
}

/* Times `steps` training steps and inference passes of m on batches of synthetic images. */
static gboolean
time_model (AnModel *m, const AnPreset *preset, int batch, int steps, int classes,
            int channels, gboolean profile, BenchResult *r, GError **error)
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
      if (!train_step (m, batch, x, labels, s + 3, &sd, error))
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
  if (profile)
    {
      an_model_set_profiling (m, TRUE);
      for (int s = 0; s < steps; s++)
        if (!train_step (m, batch, x, labels, s + 3, &sd, error))
          return FALSE;
      an_model_set_profiling (m, FALSE);
    }
  getrusage (RUSAGE_SELF, &ru);
  r->rss_mib = ru.ru_maxrss / 1024.0;
  r->params = (gint64) an_model_param_total (m);
  return TRUE;
}

/* The profile per training step: milliseconds forward and backward, GFLOP/s where the layer
 * multiplies, the kernel where known; then the sum. */
static void
print_profile (AnModel *m, int batch, double step_ms)
{
  int rows, fwd, bwd;
  const AnLayerProfile *p = an_model_profile (m, &rows, &fwd, &bwd);
  double sum_f = 0, sum_b = 0, flops_f = 0, flops_b = 0;

  printf ("\nProfile, per training step (%d profiled steps; each op waits for its device):\n"
          "  %-15s %-8s %9s %9s %9s %9s  %s\n",
          MIN (fwd, bwd), "layer", "kind", "fwd ms", "bwd ms", "fwd GF/s", "bwd GF/s", "kernel");
  for (int i = 0; i < rows; i++)
    {
      double f = fwd > 0 ? p[i].forward_seconds / fwd : 0;
      double b = bwd > 0 ? p[i].backward_seconds / bwd : 0;
      char gf[16] = "", gb[16] = "";

      sum_f += f;
      sum_b += b;
      flops_f += p[i].flops * batch;
      flops_b += p[i].backward_flops * batch;
      if (p[i].flops > 0 && f > 0)
        g_snprintf (gf, sizeof gf, "%.1f", p[i].flops * batch / f / 1e9);
      if (p[i].backward_flops > 0 && b > 0)
        g_snprintf (gb, sizeof gb, "%.1f", p[i].backward_flops * batch / b / 1e9);
      printf ("  %-15s %-8s %9.2f %9.2f %9s %9s  %s\n", p[i].name,
              g_str_equal (p[i].kind, p[i].name) ? "" : p[i].kind, 1e3 * f, 1e3 * b, gf, gb,
              p[i].kernel ? p[i].kernel : "");
    }
  printf ("  %-15s %-8s %9.2f %9.2f %9.1f %9.1f  (%.1f ms in all; the timed steps' median "
          "%.1f ms)\n",
          "total", "", 1e3 * sum_f, 1e3 * sum_b, sum_f > 0 ? flops_f / sum_f / 1e9 : 0,
          sum_b > 0 ? flops_b / sum_b / 1e9 : 0, 1e3 * (sum_f + sum_b), step_ms);
}

/* The profile as a JSON array: one object per row, seconds per step. */
static void
json_profile (JsonBuilder *b, AnModel *m)
{
  int rows, fwd, bwd;
  const AnLayerProfile *p = an_model_profile (m, &rows, &fwd, &bwd);

  json_builder_set_member_name (b, "profile");
  json_builder_begin_array (b);
  for (int i = 0; i < rows; i++)
    {
      json_builder_begin_object (b);
      an_cli_json_string (b, "layer", p[i].name);
      an_cli_json_string (b, "kind", p[i].kind);
      an_cli_json_number (b, "forward_ms", fwd > 0 ? 1e3 * p[i].forward_seconds / fwd : 0);
      an_cli_json_number (b, "backward_ms", bwd > 0 ? 1e3 * p[i].backward_seconds / bwd : 0);
      an_cli_json_number (b, "flops_per_image", p[i].flops);
      an_cli_json_string (b, "kernel", p[i].kernel);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
print_json (const char *model, AnBackend *be, int threads, int batch, int steps, int towers,
            const BenchResult *r, AnModel *profiled)
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
  if (profiled)
    json_profile (b, profiled);
  json_builder_end_object (b);
  an_cli_json_print (b);
}

static double
peak_rss_mib (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

/* The input pipeline alone: the training images of cfg->data through the batcher (the
 * training pipeline and augmentation of cfg, cfg->workers workers, depth 3 as a run uses),
 * one epoch or `batches` batches; the index is built first and timed on its own. */
static int
bench_data (const AnRunConfig *cfg, const AnPreset *preset, int batches, gboolean json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTimer) timer = g_timer_new ();
  g_autoptr (AnDataset) ds = an_dataset_load (cfg->data, AN_SPLIT_TRAIN, preset->height,
                                              preset->width, &error);
  if (!ds)
    return an_cli_fail (error);
  double index_s = g_timer_elapsed (timer, NULL);

  AnInputSpec spec = { .channels = preset->channels > 0 ? preset->channels : ds->channels,
                       .height = preset->height, .width = preset->width,
                       .normalize = cfg->normalize, .flip = cfg->augment_flip,
                       .crop = cfg->augment_crop, .pca = cfg->augment_pca,
                       .pca_std = (float) cfg->pca_std };
  spec.pipeline = an_pipeline_resolve (cfg->pipeline, &spec, an_pipeline_image_files (cfg->data));
  for (int i = 0; i < 3; i++)
    {
      spec.mean[i] = 0.5f;
      spec.std[i] = 0.25f;
      spec.pca_eigval[i] = 0.01f;
      spec.pca_eigvec[i][i] = 1.0f; /* the work of the jitter, not a fitted one */
    }
  int workers = cfg->workers > 0 ? cfg->workers : (int) g_get_num_processors ();
  AnBatcher *b = an_batcher_new (ds, NULL, ds->count, &spec, cfg->batch, TRUE, cfg->seed, 3,
                                 workers);
  int per_epoch = an_batcher_batches_per_epoch (b);
  if (batches <= 0 || batches > per_epoch)
    batches = per_epoch;
  g_timer_start (timer);
  an_batcher_start_epoch (b, 0, 0);
  gint64 images = 0;
  for (int i = 0; i < batches; i++)
    {
      AnBatch *batch = an_batcher_next (b);
      if (!batch)
        break;
      images += batch->n;
      an_batcher_release (b, batch);
    }
  double seconds = g_timer_elapsed (timer, NULL);
  g_auto (GStrv) bad = an_batcher_take_failures (b);
  an_batcher_free (b);
  for (char **m = bad; m && *m; m++)
    fprintf (stderr, "alexnet: warning: %s; replaced by another image of its class\n", *m);
  double ips = images / MAX (seconds, 1e-9);
  if (json)
    {
      g_autoptr (JsonBuilder) jb = json_builder_new ();
      json_builder_begin_object (jb);
      an_cli_json_string (jb, "model", cfg->model);
      an_cli_json_string (jb, "data", cfg->data);
      an_cli_json_string (jb, "pipeline", an_pipeline_to_string (spec.pipeline));
      an_cli_json_int (jb, "batch", cfg->batch);
      an_cli_json_int (jb, "workers", workers);
      an_cli_json_int (jb, "dataset_images", ds->count);
      an_cli_json_int (jb, "data_images", images);
      an_cli_json_number (jb, "index_seconds", index_s);
      an_cli_json_number (jb, "data_seconds", seconds);
      an_cli_json_number (jb, "data_images_per_second", ips);
      an_cli_json_number (jb, "peak_rss_mib", peak_rss_mib ());
      json_builder_end_object (jb);
      an_cli_json_print (jb);
    }
  else
    printf ("%s for %s (%s pipeline), batch %d, %d workers:\n"
            "  index      %8.2f s for %d images\n"
            "  decoding   %8.1f images/s  (%" G_GINT64_FORMAT " images in %.2f s)\n"
            "  peak memory %.1f MiB\n",
            cfg->data, cfg->model, an_pipeline_to_string (spec.pipeline), cfg->batch, workers,
            index_s, ds->count, ips, images, seconds, peak_rss_mib ());
  return 0;
}

static int
run_bench (AnCliArgs *args)
{
  const AnRunConfig *cfg = an_cli_args_config (args);
  int steps = an_cli_args_int (args, "steps");
  int classes = an_cli_args_int (args, "classes");
  int channels = an_cli_args_int (args, "channels");
  gboolean json = an_cli_args_flag (args, "json");
  gboolean profile = an_cli_args_flag (args, "profile");
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
  if (an_cli_args_given (args, "data"))
    return bench_data (cfg, preset, an_cli_args_given (args, "steps") ? steps : 0, json);
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
       time_model (m, preset, cfg->batch, steps, classes, channels, profile, &r, &error);
  threads = an_backend_cpu_get_threads (be[0]);
  if (ok && json)
    print_json (cfg->model, be[0], threads, cfg->batch, steps, cfg->towers, &r,
                profile ? m : NULL);
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
      if (profile)
        print_profile (m, cfg->batch, 1000 * cfg->batch / r.train_ips);
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
  { "data", "none: synthetic batches through the model; given: the input pipeline alone" },
  { "workers", NULL },
  { "pipeline", NULL },
  { "augment_flip", NULL },
  { "augment_crop", NULL },
  { "augment_pca", NULL },
  { "seed", NULL },
  { NULL },
};

static const AnCliOption bench_options[] = {
  { "steps", 0, AN_CLI_INT, "N", 1, 100000, 10,
    .help = "timed steps (after two warm-up steps); with --data, batches (default: one epoch)" },
  { "classes", 0, AN_CLI_INT, "N", 0, 100000, 0,
    .help = "outputs of the last layer; 0 = 1000 for ImageNet-sized inputs, else 10" },
  { "channels", 0, AN_CLI_INT, "C", 1, 3, 3,
    .help = "input channels, for presets whose input takes the dataset's" },
  { "json", 0, AN_CLI_FLAG, .help = "print the result as one line of JSON" },
  { "profile", 0, AN_CLI_FLAG,
    .help = "time every layer, forward and backward, in profiled steps after the timed ones" },
  { NULL },
};

const AnCliCommand an_cli_bench = {
  .name = "bench",
  .summary = "images per second of training and inference on synthetic batches, or of the "
             "input pipeline alone (--data), and peak memory",
  .fields = bench_fields,
  .options = bench_options,
  .run = run_bench,
};
