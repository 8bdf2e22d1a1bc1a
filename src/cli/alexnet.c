/* alexnet.c: the `alexnet` command: train, eval, classify, bench, filters, info.
 *
 * A consumer of the same trainer events as the window (ARCHITECTURE.md contract 8). Usage
 * errors print one line and exit 2; failures exit 1.
 */
#define G_LOG_DOMAIN "alexnet"
#include "config.h"

#include <cblas.h>
#include <glib-unix.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "an-blas.h"
#include "an-checkpoint.h"
#include "an-classifier.h"
#include "an-error.h"
#include "an-eval.h"
#include "an-model.h"
#include "an-placement.h"
#include "an-trainer.h"

#define EXIT_USAGE 2

/* Prints one line and gives the usage exit status; callers return it after freeing. */
static int G_GNUC_PRINTF (1, 2)
usage (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("alexnet: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputs (" (see 'alexnet help')\n", stderr);
  va_end (ap);
  return EXIT_USAGE;
}

static int
fail (GError *error)
{
  fprintf (stderr, "alexnet: %s\n", error ? error->message : "failed");
  return 1;
}

/* The option whose value was missing (the last argument), for the caller's message. */
static const char *missing_value;

/* --name VALUE or --name=VALUE; returns the value or NULL when argv[*i] is not that option.
 * A missing value returns "" and sets missing_value. */
static const char *
opt_value (int argc, char **argv, int *i, const char *name)
{
  const char *a = argv[*i];
  size_t n = strlen (name);
  if (strncmp (a, name, n) != 0)
    return NULL;
  if (a[n] == '=')
    return a + n + 1;
  if (a[n] != '\0')
    return NULL;
  if (*i + 1 >= argc)
    {
      missing_value = name;
      return "";
    }
  return argv[++*i];
}

static gboolean
parse_int_opt (const char *v, int min, int max, int *out)
{
  char *end;
  long x = strtol (v, &end, 10);
  if (*v == '\0' || *end != '\0' || x < min || x > max)
    return FALSE;
  *out = (int) x;
  return TRUE;
}

/* parses an integer option into var, or returns the usage status from the calling function */
#define INT_OPT(name, v, min, max, var)                                                         \
  G_STMT_START                                                                                  \
  {                                                                                             \
    if (missing_value)                                                                          \
      return usage ("option %s needs a value", missing_value);                                 \
    if (!parse_int_opt ((v), (min), (max), &(var)))                                            \
      return usage ("%s: '%s' is not a whole number in [%d, %d]", (name), (v), (min), (max)); \
  }                                                                                             \
  G_STMT_END

/* ---- train -------------------------------------------------------------------------------- */

typedef struct {
  GMainLoop *loop;
  AnTrainer *trainer;
  gboolean tty, quiet, json;
  int epochs;
  AnTrainerState final;
  gboolean checkpoint_failed;
  double last_print;
  int sigints;
} TrainUi;

static void
on_log (AnTrainer *t, const char *msg, TrainUi *ui)
{
  if (!ui->quiet)
    fprintf (ui->tty ? stderr : stdout, "%s%s\n", ui->tty ? "\r\033[K" : "", msg);
}

static void
on_steps (AnTrainer *t, GArray *steps, TrainUi *ui)
{
  if (ui->quiet || steps->len == 0)
    return;
  const AnStepRecord *r = &g_array_index (steps, AnStepRecord, steps->len - 1);
  double frac = r->epoch_frac - (r->epoch - 1);
  if (ui->tty)
    {
      char bar[31];
      int fill = (int) (frac * 30 + 0.5);
      for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
      bar[30] = '\0';
      fprintf (stderr, "\r\033[Kepoch %d/%d [%s] %3.0f%% step %" G_GINT64_FORMAT
               "  loss %.4f  lr %.3g  %.0f img/s", r->epoch, ui->epochs, bar, frac * 100,
               r->step, r->loss, r->lr, r->images_per_second);
      fflush (stderr);
    }
  else if (r->wall_seconds - ui->last_print >= 10)
    {
      ui->last_print = r->wall_seconds;
      printf ("epoch %d/%d step %" G_GINT64_FORMAT " (%.0f%%) loss %.4f lr %.3g %.0f img/s\n",
              r->epoch, ui->epochs, r->step, frac * 100, r->loss, r->lr, r->images_per_second);
      fflush (stdout);
    }
}

static void
on_epoch (AnTrainer *t, const AnEpochRecord *e, TrainUi *ui)
{
  if (ui->quiet)
    return;
  fprintf (ui->tty ? stderr : stdout,
           "%sepoch %d/%d: train loss %.4f acc %.4f | val loss %.4f top-1 %.4f top-5 %.4f | "
           "lr %.3g | %.1f s (data wait %.1f%%)%s\n",
           ui->tty ? "\r\033[K" : "", e->epoch, ui->epochs, e->train_loss, e->train_acc,
           e->val_loss, e->val_acc, e->val_top5, e->lr, e->seconds,
           100.0 * e->data_wait_seconds / MAX (e->seconds, 1e-9),
           e->best_epoch == e->epoch ? " (best)" : "");
  fflush (ui->tty ? stderr : stdout);
}

static void
on_hyper (AnTrainer *t, const AnHyperChange *c, TrainUi *ui)
{
  if (!ui->quiet)
    fprintf (ui->tty ? stderr : stdout, "%s%s: %g -> %g from step %" G_GINT64_FORMAT "%s\n",
             ui->tty ? "\r\033[K" : "", an_live_key_name (c->key), c->old_value, c->new_value, c->step,
             c->by_schedule ? " (schedule)" : "");
}

static void
on_checkpoint (AnTrainer *t, const char *path, TrainUi *ui)
{
  if (!ui->quiet && !ui->tty)
    printf ("checkpoint written: %s\n", path);
}

static void
on_state (AnTrainer *t, int state, const char *reason, TrainUi *ui)
{
  switch ((AnTrainerState) state)
    {
    case AN_TRAINER_PAUSED:
      if (reason)
        {
          /* the run paused itself because a checkpoint could not be written */
          fprintf (stderr, "%salexnet: %s\n", ui->tty ? "\r\033[K" : "", reason);
          ui->checkpoint_failed = TRUE;
          an_trainer_stop (t);
        }
      return;
    case AN_TRAINER_DIVERGED:
      fprintf (stderr, "%salexnet: diverged: %s\n", ui->tty ? "\r\033[K" : "", reason);
      /* the command line cannot ask: resume from the last good weights at a tenth of the rate */
      an_trainer_resume (t);
      return;
    case AN_TRAINER_FINISHED:
    case AN_TRAINER_EARLY_STOPPED:
    case AN_TRAINER_STOPPED:
    case AN_TRAINER_FAILED:
      ui->final = state;
      if (reason || state != AN_TRAINER_FINISHED)
        fprintf (state == AN_TRAINER_FAILED ? stderr : (ui->tty ? stderr : stdout), "%s%s%s%s%s\n",
                 ui->tty ? "\r\033[K" : "", state == AN_TRAINER_FAILED ? "alexnet: " : "",
                 an_trainer_state_to_string (state), reason ? ": " : "", reason ? reason : "");
      else
        fprintf (ui->tty ? stderr : stdout, "%sfinished\n", ui->tty ? "\r\033[K" : "");
      if (an_trainer_get_last_checkpoint (t) && !ui->quiet)
        fprintf (ui->tty ? stderr : stdout, "checkpoint: %s\n", an_trainer_get_last_checkpoint (t));
      g_main_loop_quit (ui->loop);
      return;
    case AN_TRAINER_IDLE:
    case AN_TRAINER_RUNNING:
    default:
      return;
    }
}

static gboolean
on_sigint (gpointer data)
{
  TrainUi *ui = data;
  if (++ui->sigints > 1)
    {
      fprintf (stderr, "\nalexnet: interrupted again: leaving without a final checkpoint\n");
      exit (130);
    }
  fprintf (stderr, "\n%salexnet: stopping: writing a checkpoint (Ctrl-C again to leave at once)\n",
           ui->tty ? "\r\033[K" : "");
  an_trainer_stop (ui->trainer);
  return G_SOURCE_CONTINUE;
}

/* command-line spelling -> configuration key */
static const struct {
  const char *opt, *key;
} train_opts[] = {
  { "--model", "model" },           { "--data", "data" },
  { "--epochs", "epochs" },         { "--batch", "batch" },
  { "--lr", "lr" },                 { "--momentum", "momentum" },
  { "--weight-decay", "weight_decay" }, { "--dropout", "dropout" },
  { "--schedule", "schedule" },     { "--patience", "patience" },
  { "--seed", "seed" },             { "--threads", "threads" },
  { "--towers", "towers" },         { "--checkpoint-dir", "checkpoint_dir" },
  { "--metrics", "metrics_path" },  { "--train-size", "train_size" },
  { "--val-size", "val_size" },     { "--test-size", "test_size" },
  { "--device", "device" },         { "--init", "init" },
  { "--lrn", "lrn" },               { "--rule", "rule" },
  { "--early-stopping", "early_stopping" }, { "--delta", "delta" },
  { "--normalize", "normalize" },   { "--flip", "augment_flip" },
  { "--crop", "augment_crop" },     { "--pca", "augment_pca" },
  { "--min-lr", "min_lr" },         { "--factor", "plateau_factor" },
  { "--step-size", "step_size" },   { "--gamma", "step_gamma" },
};

static int
cmd_train (int argc, char **argv)
{
  AnRunConfig cfg;
  an_run_config_init (&cfg);
  const char *resume = NULL;
  int epochs_given = 0;
  gboolean quiet = FALSE;
  g_autoptr (GError) error = NULL;

  g_autofree char *bad = NULL; /* the usage message, once something is wrong */

  /* a recipe first, so that explicit options override it */
  for (int i = 1; i < argc && !bad; i++)
    {
      const char *v = opt_value (argc, argv, &i, "--recipe");
      if (v && !an_run_config_apply_recipe (&cfg, v, &error))
        bad = g_strdup_printf ("--recipe: %s", error->message);
    }
  for (int i = 1; i < argc && !bad; i++)
    {
      const char *v;
      if (opt_value (argc, argv, &i, "--recipe"))
        continue;
      if ((v = opt_value (argc, argv, &i, "--resume")))
        {
          resume = v;
          continue;
        }
      if (g_str_equal (argv[i], "--quiet"))
        {
          quiet = TRUE;
          continue;
        }
      gboolean matched = FALSE;
      for (guint k = 0; k < G_N_ELEMENTS (train_opts) && !matched; k++)
        if ((v = opt_value (argc, argv, &i, train_opts[k].opt)))
          {
            matched = TRUE;
            if (missing_value)
              bad = g_strdup_printf ("option %s needs a value", missing_value);
            else if (!an_run_config_set (&cfg, train_opts[k].key, v, &error))
              bad = g_strdup_printf ("%s: %s", train_opts[k].opt, error->message);
            else if (g_str_equal (train_opts[k].key, "epochs"))
              epochs_given = cfg.epochs;
          }
      if (!matched)
        bad = g_strdup_printf ("train: unknown option '%s'", argv[i]);
    }
  if (!bad && missing_value)
    bad = g_strdup_printf ("option %s needs a value", missing_value);
  if (!bad && !an_run_config_validate (&cfg, &error))
    bad = g_strdup (error->message);
  if (bad)
    {
      an_run_config_clear (&cfg);
      return usage ("%s", bad);
    }
  if (!resume && !cfg.checkpoint_dir)
    {
      /* every run keeps its checkpoint and metrics somewhere the user can find them */
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
      g_autofree char *leaf = g_strdup_printf ("%s-%s", cfg.model, stamp);
      cfg.checkpoint_dir = g_build_filename (g_get_user_data_dir (), "alexnet-studio", "runs", leaf, NULL);
    }

  g_autoptr (AnTrainer) t = resume ? an_trainer_new_from_checkpoint (resume, &error)
                                   : an_trainer_new (&cfg, &error);
  an_run_config_clear (&cfg);
  if (!t)
    return fail (error);
  /* --resume F --epochs N continues the run up to N epochs in all */
  if (resume && epochs_given && !an_trainer_set_epochs (t, epochs_given, &error))
    return usage ("--epochs: %s", error->message);

  TrainUi ui = { .loop = g_main_loop_new (NULL, FALSE), .trainer = t,
                 .tty = isatty (STDERR_FILENO) && isatty (STDOUT_FILENO), .quiet = quiet,
                 .epochs = an_trainer_get_epochs (t), .final = AN_TRAINER_FAILED,
                 .last_print = -1e9 };
  g_signal_connect (t, "log", G_CALLBACK (on_log), &ui);
  g_signal_connect (t, "steps", G_CALLBACK (on_steps), &ui);
  g_signal_connect (t, "epoch", G_CALLBACK (on_epoch), &ui);
  g_signal_connect (t, "hyperparameter-changed", G_CALLBACK (on_hyper), &ui);
  g_signal_connect (t, "checkpoint-written", G_CALLBACK (on_checkpoint), &ui);
  g_signal_connect (t, "state-changed", G_CALLBACK (on_state), &ui);
  guint sig = g_unix_signal_add (SIGINT, on_sigint, &ui);
  guint sigterm = g_unix_signal_add (SIGTERM, on_sigint, &ui);
  an_trainer_start (t);
  g_main_loop_run (ui.loop);
  g_source_remove (sig);
  g_source_remove (sigterm);
  g_main_loop_unref (ui.loop);
  if (ui.checkpoint_failed)
    return 1;
  return ui.final == AN_TRAINER_FAILED ? 1 : 0;
}

/* ---- eval / classify ---------------------------------------------------------------------- */

static int
cmd_eval (int argc, char **argv)
{
  const char *ckpt = NULL, *data = NULL;
  gboolean json = FALSE, ten_crop = FALSE;
  int threads = 0;
  for (int i = 1; i < argc; i++)
    {
      const char *v;
      if ((v = opt_value (argc, argv, &i, "--checkpoint")))
        ckpt = v;
      else if ((v = opt_value (argc, argv, &i, "--data")))
        data = v;
      else if ((v = opt_value (argc, argv, &i, "--threads")))
        INT_OPT ("--threads", v, 0, 1024, threads);
      else if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--ten-crop"))
        ten_crop = TRUE;
      else
        return usage ("eval: unknown option '%s'", argv[i]);
    }
  if (missing_value)
    return usage ("option %s needs a value", missing_value);
  if (!ckpt)
    return usage ("eval needs --checkpoint FILE");
  g_autoptr (GError) error = NULL;
  AnEvalResult r;
  if (!an_evaluate_checkpoint (ckpt, data, threads, ten_crop, &r, &error))
    return fail (error);
  int k = r.classes;
  if (json)
    {
      printf ("{\"images\": %d, \"loss\": %.6f, \"top1\": %.6f, \"top5\": %.6f, \"classes\": [",
              r.count, r.loss, r.top1, r.top5);
      for (int i = 0; i < k; i++)
        {
          g_autofree char *esc = g_strescape (r.class_names[i], NULL);
          printf ("%s\"%s\"", i ? ", " : "", esc);
        }
      printf ("], \"confusion\": [");
      for (int i = 0; i < k; i++)
        {
          printf ("%s[", i ? ", " : "");
          for (int j = 0; j < k; j++)
            printf ("%s%" G_GINT64_FORMAT, j ? ", " : "", r.confusion[i * k + j]);
          printf ("]");
        }
      printf ("]}\n");
    }
  else
    {
      printf ("%d images: loss %.4f, top-1 %.4f, top-5 %.4f\n", r.count, r.loss, r.top1, r.top5);
      printf ("confusion matrix (rows: true class, columns: predicted)\n");
      for (int i = 0; i < k; i++)
        {
          printf ("%-14.14s", r.class_names[i]);
          for (int j = 0; j < k && k <= 20; j++)
            printf (" %5" G_GINT64_FORMAT, r.confusion[i * k + j]);
          printf ("\n");
        }
    }
  an_eval_result_clear (&r);
  return 0;
}

static int
cmd_classify (int argc, char **argv)
{
  const char *ckpt = NULL;
  gboolean json = FALSE;
  int top = 5;
  g_autoptr (GPtrArray) images = g_ptr_array_new ();
  for (int i = 1; i < argc; i++)
    {
      const char *v;
      if ((v = opt_value (argc, argv, &i, "--checkpoint")))
        ckpt = v;
      else if ((v = opt_value (argc, argv, &i, "--top")))
        INT_OPT ("--top", v, 1, 1000, top);
      else if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (argv[i][0] == '-' && argv[i][1] != '\0')
        return usage ("classify: unknown option '%s'", argv[i]);
      else
        g_ptr_array_add (images, argv[i]);
    }
  if (missing_value)
    return usage ("option %s needs a value", missing_value);
  if (!ckpt || images->len == 0)
    return usage ("classify needs --checkpoint FILE and at least one image");
  g_autoptr (GError) error = NULL;
  g_autoptr (AnClassifier) c = an_classifier_new_from_checkpoint (ckpt, &error);
  if (!c)
    return fail (error);
  int status = 0;
  if (json)
    printf ("[");
  AnPrediction *pred = g_new (AnPrediction, top);
  for (guint i = 0; i < images->len; i++)
    {
      const char *path = images->pdata[i];
      g_autoptr (GError) local = NULL;
      g_autoptr (AnImage) img = an_image_load (path, &local);
      int n = 0;
      if (!img || !an_classifier_classify (c, img, top, pred, &n, &local))
        {
          fprintf (stderr, "alexnet: %s\n", local->message);
          status = 1;
          continue;
        }
      g_autofree char *esc = g_strescape (path, NULL);
      if (json)
        printf ("%s{\"image\": \"%s\", \"top\": [", i ? ", " : "", esc);
      else
        printf ("%s\n", path);
      for (int k = 0; k < n; k++)
        {
          g_autofree char *name = g_strescape (pred[k].name, NULL);
          if (json)
            printf ("%s{\"label\": %d, \"name\": \"%s\", \"probability\": %.6f}", k ? ", " : "",
                    pred[k].label, name, pred[k].probability);
          else
            printf ("  %6.2f%%  %s\n", pred[k].probability * 100, pred[k].name);
        }
      if (json)
        printf ("]}");
    }
  if (json)
    printf ("]\n");
  g_free (pred);
  return status;
}

/* ---- filters ------------------------------------------------------------------------------ */

static int
cmd_filters (int argc, char **argv)
{
  const char *ckpt = NULL, *layer = "conv1", *out = NULL, *image = NULL;
  int zoom = 4;
  for (int i = 1; i < argc; i++)
    {
      const char *v;
      if ((v = opt_value (argc, argv, &i, "--checkpoint")))
        ckpt = v;
      else if ((v = opt_value (argc, argv, &i, "--layer")))
        layer = v;
      else if ((v = opt_value (argc, argv, &i, "--image")))
        image = v;
      else if ((v = opt_value (argc, argv, &i, "--zoom")))
        INT_OPT ("--zoom", v, 1, 64, zoom);
      else if ((v = opt_value (argc, argv, &i, "-o")) || (v = opt_value (argc, argv, &i, "--output")))
        out = v;
      else
        return usage ("filters: unknown option '%s'", argv[i]);
    }
  if (missing_value)
    return usage ("option %s needs a value", missing_value);
  if (!ckpt || !out)
    return usage ("filters needs --checkpoint FILE and -o OUT.png");
  g_autoptr (GError) error = NULL;
  g_autoptr (AnImage) probe = NULL;
  if (image && !(probe = an_image_load (image, &error)))
    return fail (error);
  g_autoptr (AnImage) grid = image ? an_render_feature_maps (ckpt, layer, probe, zoom, &error)
                                   : an_render_filters (ckpt, layer, zoom, &error);
  if (!grid || !an_image_save_png (grid, out, &error))
    return fail (error);
  printf ("%s: %dx%d\n", out, grid->width, grid->height);
  return 0;
}

/* ---- bench -------------------------------------------------------------------------------- */

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

static int
cmd_bench (int argc, char **argv)
{
  const char *model = "alexnet-tiny", *device = "cpu";
  int batch = 128, steps = 10, threads = 0, classes = 0, towers = 1, channels = 3;
  gboolean json = FALSE;
  for (int i = 1; i < argc; i++)
    {
      const char *v;
      if ((v = opt_value (argc, argv, &i, "--model")))
        model = v;
      else if ((v = opt_value (argc, argv, &i, "--batch")))
        INT_OPT ("--batch", v, 1, 65536, batch);
      else if ((v = opt_value (argc, argv, &i, "--steps")))
        INT_OPT ("--steps", v, 1, 100000, steps);
      else if ((v = opt_value (argc, argv, &i, "--threads")))
        INT_OPT ("--threads", v, 0, 1024, threads);
      else if ((v = opt_value (argc, argv, &i, "--classes")))
        INT_OPT ("--classes", v, 1, 100000, classes);
      else if ((v = opt_value (argc, argv, &i, "--channels")))
        INT_OPT ("--channels", v, 1, 3, channels);
      else if ((v = opt_value (argc, argv, &i, "--towers")))
        INT_OPT ("--towers", v, 1, 2, towers);
      else if ((v = opt_value (argc, argv, &i, "--device")))
        device = v;
      else if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else
        return usage ("bench: unknown option '%s'", argv[i]);
    }
  if (missing_value)
    return usage ("option %s needs a value", missing_value);
  g_autoptr (GError) error = NULL;
  g_autoptr (AnPreset) preset = an_preset_load (model, &error);
  if (!preset)
    return fail (error);
  if (classes == 0)
    classes = preset->height >= 200 ? 1000 : 10;

  if (!g_str_equal (device, "cpu") && !g_str_equal (device, "auto") &&
      !g_str_has_prefix (device, "cuda"))
    return usage ("--device: '%s' is not cpu, auto, cuda, cuda:N or cuda:N,M", device);
  AnBackend *be[2];
  g_autofree char *note = NULL;
  if (!an_backends_open (device, towers, threads, be, &note, &error))
    return fail (error);
  if (note && !json)
    printf ("%s\n", note);

  AnModelOptions mo = { .num_classes = classes, .in_channels = channels, .batch = batch,
                        .towers = towers, .devices = { be[0], be[1] },
                        .lrn = AN_LRN_CODE, .dropout = 0.5, .seed = 1, .training = TRUE };
  AnModel *m = an_model_new (preset, &mo, &error);
  if (!m)
    {
      an_backends_close (be);
      return fail (error);
    }
  if (!an_model_init_params (m, AN_INIT_HE, 1, &error))
    return fail (error);
  int c = preset->channels > 0 ? preset->channels : channels;
  gsize in_count = (gsize) batch * c * preset->height * preset->width;
  float *x = g_new (float, in_count);
  gint32 *labels = g_new (gint32, batch);
  for (gsize i = 0; i < in_count; i++)
    x[i] = (float) ((i * 2654435761u) % 1000) / 500.0f - 1.0f;
  for (int i = 0; i < batch; i++)
    labels[i] = i % classes;
  AnSgdDesc sd = { .rule = AN_SGD_RULE_PYTORCH, .lr = 0.001f, .momentum = 0.9f, .weight_decay = 5e-4f };

  double *tt = g_new (double, steps), *ti = g_new (double, steps);
  for (int s = -2; s < steps; s++) /* two warm-up steps */
    {
      gint64 t0 = g_get_monotonic_time ();
      if (!an_model_forward (m, batch, x, labels, TRUE, s + 3, NULL, &error) ||
          !an_model_backward (m, &error))
        return fail (error);
      an_model_sgd_step (m, &sd);
      if (!an_model_sync (m, &error))
        return fail (error);
      if (s >= 0)
        tt[s] = (g_get_monotonic_time () - t0) / 1e6;
    }
  for (int s = -1; s < steps; s++)
    {
      gint64 t0 = g_get_monotonic_time ();
      if (!an_model_forward (m, batch, x, NULL, FALSE, 0, NULL, &error) ||
          !an_model_sync (m, &error))
        return fail (error);
      if (s >= 0)
        ti[s] = (g_get_monotonic_time () - t0) / 1e6;
    }
  double train_ips = batch / median (tt, steps), infer_ips = batch / median (ti, steps);
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  double rss = ru.ru_maxrss / 1024.0;
  gint64 params = (gint64) an_model_param_total (m);
  int nthreads = openblas_get_num_threads ();
  if (json)
    printf ("{\"model\": \"%s\", \"device\": \"%s\", \"batch\": %d, \"steps\": %d, \"threads\": %d, "
            "\"towers\": %d, \"params\": %" G_GINT64_FORMAT ", \"train_images_per_second\": %.2f, "
            "\"infer_images_per_second\": %.2f, \"train_step_ms\": %.3f, \"peak_rss_mib\": %.1f}\n",
            model, be[0]->ops->name, batch, steps, nthreads, towers, params, train_ips, infer_ips,
            1000 * batch / train_ips, rss);
  else
    printf ("%s on %s (%d threads), batch %d, %d steps (median):\n"
            "  training   %8.1f images/s  (%.1f ms/step)\n"
            "  inference  %8.1f images/s\n"
            "  peak memory %.1f MiB\n",
            model, be[0]->ops->name, nthreads, batch, steps, train_ips, 1000 * batch / train_ips,
            infer_ips, rss);
  g_free (tt);
  g_free (ti);
  g_free (x);
  g_free (labels);
  an_model_free (m);
  an_backends_close (be);
  return 0;
}

/* ---- info --------------------------------------------------------------------------------- */

static int
cmd_info (int argc, char **argv)
{
  printf ("AlexNet Studio %s\n", PACKAGE_VERSION);
  printf ("BLAS: %s, %s kernels, %d threads (%u cores)\n", openblas_get_config (),
          an_blas_kernel_name (), openblas_get_num_threads (), g_get_num_processors ());
  g_autofree char *why = NULL;
  int n = an_cuda_device_count (&why);
  if (n > 0)
    printf ("CUDA: %d device%s\n", n, n == 1 ? "" : "s");
  else
    printf ("CUDA: not available (%s)\n", why ? why : "no device");
  printf ("Presets:\n");
  g_auto (GStrv) names = an_preset_list ();
  for (int i = 0; names[i]; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (AnPreset) p = an_preset_load (names[i], &error);
      if (!p)
        {
          printf ("  %-16s error: %s\n", names[i], error->message);
          continue;
        }
      int classes = p->height >= 200 ? 1000 : 10;
      gint64 count = an_preset_param_count (p, classes, NULL);
      g_autofree char *in = p->channels > 0 ? g_strdup_printf ("%d", p->channels) : g_strdup ("C");
      printf ("  %-16s %sx%dx%d, %" G_GINT64_FORMAT " parameters with %d classes%s\n", p->name,
              in, p->height, p->width, count, classes, p->towers == 2 ? ", two towers" : "");
    }
  return 0;
}

static void
print_help (FILE *f)
{
  fprintf (f,
           "Usage: alexnet COMMAND [OPTIONS]\n\n"
           "Commands:\n"
           "  train     train a model (no options: alexnet-tiny on Fashion-MNIST)\n"
           "            --model M --data SPEC --epochs N --batch B --lr X --momentum X\n"
           "            --weight-decay X --dropout P --schedule constant|step|plateau|paper|cosine\n"
           "            --patience N --seed N --threads N --towers 1|2 --device cpu|auto|cuda[:N[,M]]\n"
           "            --init he|paper|he-fc --lrn code|paper --rule pytorch|paper\n"
           "            --recipe default|paper|article --checkpoint-dir D\n"
           "            --resume FILE [--epochs N]  continue a saved run, up to N epochs in all\n"
           "            --metrics FILE.csv --train-size N --val-size N --test-size N --quiet\n"
           "            SPEC: fashion-mnist[:DIR], mnist:DIR, cifar10:DIR, cifar100:DIR, folder:DIR\n"
           "  eval      --checkpoint F [--data SPEC] [--ten-crop] [--json]\n"
           "  classify  --checkpoint F IMAGE... [--top K] [--json]\n"
           "  filters   --checkpoint F [--layer conv1] [--image IMG] [--zoom Z] -o OUT.png\n"
           "  bench     --model M --batch B --steps N [--threads T] [--device D] [--towers 1|2] [--json]\n"
           "  info      version, BLAS, CUDA, presets\n");
}

int
main (int argc, char **argv)
{
  an_blas_select_kernel (argv);
  if (argc < 2)
    return cmd_train (1, argv);
  const char *cmd = argv[1];
  int sub_argc = argc - 1;
  char **sub_argv = argv + 1;
  if (g_str_equal (cmd, "train"))
    return cmd_train (sub_argc, sub_argv);
  if (g_str_equal (cmd, "eval"))
    return cmd_eval (sub_argc, sub_argv);
  if (g_str_equal (cmd, "classify"))
    return cmd_classify (sub_argc, sub_argv);
  if (g_str_equal (cmd, "filters"))
    return cmd_filters (sub_argc, sub_argv);
  if (g_str_equal (cmd, "bench"))
    return cmd_bench (sub_argc, sub_argv);
  if (g_str_equal (cmd, "info"))
    return cmd_info (sub_argc, sub_argv);
  if (g_str_equal (cmd, "help") || g_str_equal (cmd, "--help") || g_str_equal (cmd, "-h"))
    {
      print_help (stdout);
      return 0;
    }
  if (g_str_equal (cmd, "--version"))
    {
      printf ("alexnet %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (cmd[0] == '-')
    return cmd_train (argc, argv);
  return usage ("unknown command '%s'", cmd);
}
