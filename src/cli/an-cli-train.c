/* an-cli-train.c: `alexnet train`: a run from the configuration's options (or continued from
 * a checkpoint), its progress on the terminal, Ctrl-C writing a checkpoint before it stops.
 * A consumer of the same trainer events as the window (ARCHITECTURE.md contract 8).
 */
#define G_LOG_DOMAIN "alexnet"
#include "config.h"

#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "an-cli-commands.h"
#include "an-trainer.h"

typedef struct {
  GMainLoop *loop;
  AnTrainer *trainer;
  gboolean tty, quiet;
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
on_warning (AnTrainer *t, const char *msg, TrainUi *ui)
{
  /* shown even with --quiet: a file that cannot be read needs the user */
  fprintf (stderr, "%salexnet: warning: %s\n", ui->tty ? "\r\033[K" : "", msg);
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
             ui->tty ? "\r\033[K" : "", an_live_key_name (c->key), c->old_value, c->new_value,
             c->step, c->by_schedule ? " (schedule)" : "");
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
          /* the run paused itself: a checkpoint could not be written, or too many images
           * did not decode */
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

static int
run_train (AnCliArgs *args)
{
  AnRunConfig *cfg = an_cli_args_config (args);
  const char *resume = an_cli_args_text (args, "resume");
  g_autoptr (GError) error = NULL;
  g_autoptr (AnTrainer) t = NULL;

  if (!resume && !cfg->checkpoint_dir)
    {
      /* every run keeps its checkpoint and metrics somewhere the user can find them */
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
      g_autofree char *leaf = g_strdup_printf ("%s-%s", cfg->model, stamp);
      cfg->checkpoint_dir =
        g_build_filename (g_get_user_data_dir (), "alexnet-studio", "runs", leaf, NULL);
    }

  t = resume ? an_trainer_new_from_checkpoint (resume, &error) : an_trainer_new (cfg, &error);
  if (!t)
    return an_cli_fail (error);
  /* --resume F --epochs N continues the run up to N epochs in all */
  if (resume && an_cli_args_given (args, "epochs") &&
      !an_trainer_set_epochs (t, cfg->epochs, &error))
    return an_cli_usage ("--epochs: %s", error->message);

  TrainUi ui = { .loop = g_main_loop_new (NULL, FALSE), .trainer = t,
                 .tty = isatty (STDERR_FILENO) && isatty (STDOUT_FILENO),
                 .quiet = an_cli_args_flag (args, "quiet"), .epochs = an_trainer_get_epochs (t),
                 .final = AN_TRAINER_FAILED, .last_print = -1e9 };
  g_signal_connect (t, "log", G_CALLBACK (on_log), &ui);
  g_signal_connect (t, "warning", G_CALLBACK (on_warning), &ui);
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

static const AnCliField train_fields[] = {
  { "checkpoint_dir", "a new folder in ~/.local/share/alexnet-studio/runs" },
  { "metrics_path", "metrics.csv in the checkpoint folder" },
  { NULL },
};

static const AnCliOption train_options[] = {
  { "resume", 0, AN_CLI_TEXT, "FILE", .help = "continue the run saved in a checkpoint (the "
    "other options but --epochs are the checkpoint's); with --epochs N, up to N epochs in all" },
  { "quiet", 0, AN_CLI_FLAG, .help = "print only warnings, errors and the outcome" },
  { NULL },
};

const AnCliCommand an_cli_train = {
  .name = "train",
  .summary = "train a model (with no options: alexnet-tiny on Fashion-MNIST, checkpoints in a "
             "new folder of ~/.local/share/alexnet-studio/runs)",
  .every_field = TRUE,
  .recipe = TRUE,
  .fields = train_fields,
  .options = train_options,
  .run = run_train,
};
