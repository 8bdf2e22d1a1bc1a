/* test-trainer.c: the trainer end to end on CIFAR-format files the test writes: it learns;
 * pause / resume / set-lr / stop / snapshots from the main thread, also while it steps;
 * save -> resume == never stopped (bit for bit); kill -9 mid-epoch then resume; a full disk at
 * the second checkpoint keeps the first; NaN loss pauses as "diverged"; early stopping and
 * ReduceLROnPlateau act when they should; its properties and state enum notify as events
 * arrive; an unknown live key is refused by name; the trainer, `alexnet eval` and the
 * classifier compute the same probabilities from one checkpoint. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "an-blas.h"
#include "an-checkpoint.h"
#include "an-classifier.h"
#include "an-epoch.h"
#include "data/an-dataset.h"
#include "an-error.h"
#include "an-eval.h"
#include "an-trainer.h"
#include "synth-data.h"

static char *tmp_root;
static pid_t spawn_child (const char *mode, const char *dir);
static char *learn_dir, *noise_dir;

typedef struct {
  GArray *steps;  /* AnStepRecord */
  GArray *epochs; /* AnEpochRecord */
  GArray *changes;
  GArray *states; /* int */
  GPtrArray *reasons;
  int checkpoints;
  AnTrainerState last;
} Events;

static void
on_steps (AnTrainer *t, GArray *a, Events *e)
{
  g_array_append_vals (e->steps, a->data, a->len);
}
static void
on_epoch (AnTrainer *t, const AnEpochRecord *r, Events *e)
{
  g_array_append_vals (e->epochs, r, 1);
}
static void
on_change (AnTrainer *t, const AnHyperChange *c, Events *e)
{
  g_array_append_vals (e->changes, c, 1);
}
static void
on_state (AnTrainer *t, int s, const char *reason, Events *e)
{
  g_array_append_val (e->states, s);
  g_ptr_array_add (e->reasons, g_strdup (reason ? reason : ""));
  e->last = s;
}
static void
on_ckpt (AnTrainer *t, const char *path, Events *e)
{
  e->checkpoints++;
}

static Events *
events_new (AnTrainer *t)
{
  Events *e = g_new0 (Events, 1);
  e->steps = g_array_new (FALSE, TRUE, sizeof (AnStepRecord));
  e->epochs = g_array_new (FALSE, TRUE, sizeof (AnEpochRecord));
  e->changes = g_array_new (FALSE, TRUE, sizeof (AnHyperChange));
  e->states = g_array_new (FALSE, TRUE, sizeof (int));
  e->reasons = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (t, "steps", G_CALLBACK (on_steps), e);
  g_signal_connect (t, "epoch", G_CALLBACK (on_epoch), e);
  g_signal_connect (t, "hyperparameter-changed", G_CALLBACK (on_change), e);
  g_signal_connect (t, "state-changed", G_CALLBACK (on_state), e);
  g_signal_connect (t, "checkpoint-written", G_CALLBACK (on_ckpt), e);
  return e;
}

static void
events_free (Events *e)
{
  g_array_unref (e->steps);
  g_array_unref (e->epochs);
  g_array_unref (e->changes);
  g_array_unref (e->states);
  g_ptr_array_unref (e->reasons);
  g_free (e);
}

static gboolean
is_final (AnTrainerState s)
{
  return s == AN_TRAINER_FINISHED || s == AN_TRAINER_EARLY_STOPPED || s == AN_TRAINER_STOPPED ||
         s == AN_TRAINER_FAILED;
}

/* Runs the main loop until cond or a generous time limit (a hang fails the test). */
#define ITERATE_UNTIL(cond)                                                                     \
  G_STMT_START                                                                                  \
  {                                                                                             \
    gint64 _end = g_get_monotonic_time () + 300 * G_USEC_PER_SEC;                               \
    while (!(cond))                                                                             \
      {                                                                                         \
        g_main_context_iteration (NULL, FALSE);                                                 \
        g_usleep (1000);                                                                        \
        if (g_get_monotonic_time () > _end)                                                     \
          g_error ("timed out waiting for: %s", #cond);                                         \
      }                                                                                         \
  }                                                                                             \
  G_STMT_END

static void
base_config (AnRunConfig *c, const char *data_dir, const char *ckpt_dir)
{
  an_run_config_init (c);
  g_free (c->model);
  c->model = g_strdup ("alexnet-tiny");
  g_free (c->data);
  c->data = g_strdup_printf ("cifar10:%s", data_dir);
  c->train_size = 300;
  c->val_size = 100;
  c->batch = 50;
  c->epochs = 2;
  c->threads = 2;
  c->seed = 3;
  c->augment_flip = TRUE;
  c->checkpoint_dir = ckpt_dir ? g_strdup (ckpt_dir) : NULL;
}

static char *
fresh_dir (const char *name)
{
  char *d = g_build_filename (tmp_root, name, NULL);
  g_mkdir_with_parents (d, 0755);
  return d;
}

/* Trains to the end; returns the events. */
static Events *
train_to_end (const AnRunConfig *c, AnTrainer **out)
{
  g_autoptr (GError) error = NULL;
  AnTrainer *t = an_trainer_new (c, &error);
  g_assert_no_error (error);
  Events *e = events_new (t);
  an_trainer_start (t);
  ITERATE_UNTIL (is_final (e->last));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (out)
    *out = t;
  else
    g_object_unref (t);
  return e;
}

static void
test_learns (void)
{
  AnRunConfig c;
  base_config (&c, learn_dir, NULL);
  c.epochs = 4;
  c.lr = 0.05;
  an_run_config_set (&c, "schedule", "cosine", NULL);
  AnTrainer *t = NULL;
  AnTestResult test;
  Events *e = train_to_end (&c, &t);
  g_assert_cmpint (e->last, ==, AN_TRAINER_FINISHED);
  /* the cosine rate changes at the start of epochs 2..4, and no change is announced for the
   * epoch after the last, which never runs */
  g_assert_cmpuint (e->changes->len, ==, 3);
  for (guint i = 0; i < e->changes->len; i++)
    {
      const AnHyperChange *ch = &g_array_index (e->changes, AnHyperChange, i);
      g_assert_true (ch->by_schedule);
      g_assert_cmpint (ch->step, ==, 6 * (int) (i + 1) + 1);
    }
  /* the test split, evaluated once at the end: every test image, shares in [0, 1] */
  g_assert_true (an_trainer_get_test_result (t, &test));
  g_test_message ("test set: loss %.4f, top-1 %.3f, top-5 %.3f, %d images", test.loss,
                  test.top1, test.top5, test.n_images);
  g_assert_cmpint (test.n_images, ==, 50); /* synth_cifar_write (learn_dir, 80, 50...) */
  g_assert_true (isfinite (test.loss));
  g_assert_cmpfloat (test.top1, >=, 0.0);
  g_assert_cmpfloat (test.top1, <=, test.top5);
  g_assert_cmpfloat (test.top5, <=, 1.0);
  g_object_unref (t);
  g_assert_cmpuint (e->epochs->len, ==, 4);
  const AnEpochRecord *last = &g_array_index (e->epochs, AnEpochRecord, 3);
  g_test_message ("after 4 epochs: val loss %.4f, top-1 %.3f, top-5 %.3f (chance 0.1)",
                  last->val_loss, last->val_acc, last->val_top5);
  g_assert_cmpfloat (last->val_acc, >, 0.6);
  g_assert_cmpfloat (last->val_top5, >=, last->val_acc);
  g_assert_cmpuint (e->steps->len, ==, 4 * 6);
  const AnStepRecord *s0 = &g_array_index (e->steps, AnStepRecord, 0);
  g_assert_cmpint (s0->step, ==, 1);
  g_assert_true (isfinite (s0->loss) && s0->grad_norm > 0 && s0->images_per_second > 0);
  events_free (e);
  an_run_config_clear (&c);
}

static void
test_commands (void)
{
  g_autofree char *dir = fresh_dir ("commands");
  AnRunConfig c;
  base_config (&c, learn_dir, dir);
  c.epochs = 50;
  g_autoptr (GError) error = NULL;
  g_autoptr (AnTrainer) t = an_trainer_new (&c, &error);
  g_assert_no_error (error);
  Events *e = events_new (t);
  an_trainer_start (t);
  ITERATE_UNTIL (e->steps->len >= 2);

  an_trainer_pause (t);
  ITERATE_UNTIL (e->last == AN_TRAINER_PAUSED);
  g_assert_cmpint (an_trainer_get_state (t), ==, AN_TRAINER_PAUSED);
  g_assert_cmpint (e->checkpoints, >=, 1); /* a pause writes a checkpoint */
  guint steps_at_pause = e->steps->len;
  g_usleep (200000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (e->steps->len, ==, steps_at_pause); /* paused means no steps */

  g_assert_false (an_trainer_set_hyperparameter (t, "batch", 10, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (an_trainer_set_hyperparameter (t, "lr", -1, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (an_trainer_set_hyperparameter (t, "lr", 0.005, &error));
  g_assert_true (an_trainer_set_hyperparameter (t, "momentum", 0.5, &error));
  ITERATE_UNTIL (e->changes->len >= 2);
  const AnHyperChange *ch = &g_array_index (e->changes, AnHyperChange, 0);
  g_assert_cmpint (ch->key, ==, AN_LIVE_LR);
  g_assert_cmpstr (an_live_key_name (ch->key), ==, "lr");
  g_assert_cmpfloat (ch->new_value, ==, 0.005);
  g_assert_cmpint (ch->step, ==, (gint64) steps_at_pause + 1);
  g_assert_cmpfloat (an_trainer_get_config (t)->momentum, ==, 0.5);

  an_trainer_resume (t);
  ITERATE_UNTIL (e->steps->len >= steps_at_pause + 2);
  const AnStepRecord *after = &g_array_index (e->steps, AnStepRecord, steps_at_pause);
  g_assert_cmpfloat (after->lr, ==, 0.005); /* the change reached the trainer */

  an_trainer_stop (t);
  ITERATE_UNTIL (is_final (e->last));
  g_assert_cmpint (e->last, ==, AN_TRAINER_STOPPED);
  g_autofree char *ck = g_build_filename (dir, "checkpoint.ankpt", NULL);
  g_assert_true (g_file_test (ck, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (an_trainer_get_last_checkpoint (t), ==, ck);

  events_free (e);
  an_run_config_clear (&c);
}

static void
count_snapshot (AnTrainer *t, AnSnapshot *s, int *n)
{
  g_assert_cmpint (s->n_tensors, ==, 2);
  (*n)++;
}

/* Rate changes, snapshot requests, pauses and resumes from the main thread while the worker is
 * between or inside steps, many times over (this is the test the ThreadSanitizer build runs):
 * every change is announced once, in order, and the steps from its first step on use it. */
static void
test_commands_while_running (void)
{
  g_autofree char *dir = fresh_dir ("running");
  AnRunConfig c;
  base_config (&c, learn_dir, dir);
  c.epochs = 50;
  c.schedule = AN_SCHEDULE_CONSTANT;
  g_autoptr (GError) error = NULL;
  g_autoptr (AnTrainer) t = an_trainer_new (&c, &error);
  g_assert_no_error (error);
  Events *e = events_new (t);
  int n_snapshots = 0;
  g_signal_connect (t, "snapshot-ready", G_CALLBACK (count_snapshot), &n_snapshots);
  an_trainer_start (t);
  ITERATE_UNTIL (e->steps->len >= 1);

  enum { N_CHANGES = 12 };
  for (int i = 0; i < N_CHANGES; i++)
    {
      guint steps_before = e->steps->len;
      g_assert_true (an_trainer_set_hyperparameter (t, "lr", 0.001 * (i + 1), &error));
      g_assert_no_error (error);
      an_trainer_request_snapshot (t, AN_SNAPSHOT_WEIGHTS, "conv1", NULL);
      g_assert_cmpint (an_trainer_get_config (t)->batch, ==, 50); /* read while it runs */
      if (i % 4 == 3)
        {
          an_trainer_pause (t);
          ITERATE_UNTIL (e->last == AN_TRAINER_PAUSED);
          an_trainer_resume (t);
        }
      ITERATE_UNTIL (e->changes->len >= (guint) i + 1 && e->steps->len > steps_before);
    }
  an_trainer_stop_keep_best (t);
  ITERATE_UNTIL (is_final (e->last));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (e->last, ==, AN_TRAINER_STOPPED);
  g_assert_cmpint (n_snapshots, ==, N_CHANGES);

  g_assert_cmpuint (e->changes->len, ==, N_CHANGES);
  for (guint i = 0; i < e->changes->len; i++)
    {
      const AnHyperChange *ch = &g_array_index (e->changes, AnHyperChange, i);
      g_assert_false (ch->by_schedule);
      g_assert_cmpfloat (ch->new_value, ==, 0.001 * (i + 1));
      gint64 until = G_MAXINT64;
      if (i + 1 < e->changes->len)
        {
          until = g_array_index (e->changes, AnHyperChange, i + 1).step;
          g_assert_cmpint (until, >=, ch->step); /* two changes may share a step boundary */
        }
      for (guint k = 0; k < e->steps->len; k++)
        {
          const AnStepRecord *r = &g_array_index (e->steps, AnStepRecord, k);
          if (r->step >= ch->step && r->step < until)
            g_assert_cmpfloat (r->lr, ==, ch->new_value);
        }
      /* The change says where it took effect on the charts' x axes: at the boundary after
       * step - 1 (its epoch fraction) and before step ch->step ended (time). The window
       * receives the change before those steps' records, so it cannot take them from there. */
      g_assert_cmpint (ch->step, >=, 2);
      {
        const AnStepRecord *before = &g_array_index (e->steps, AnStepRecord, ch->step - 2);
        g_assert_cmpfloat (fabs (ch->epoch_frac - before->epoch_frac), <, 1e-12);
        g_assert_cmpfloat (ch->wall_seconds, >=, before->wall_seconds);
        /* the last change may meet the stop before its first step runs */
        if (ch->step <= (gint64) e->steps->len)
          g_assert_cmpfloat (ch->wall_seconds, <=,
                             g_array_index (e->steps, AnStepRecord, ch->step - 1).wall_seconds);
      }
    }
  /* the step numbers arrive in order, none lost to the coalescing */
  for (guint k = 0; k < e->steps->len; k++)
    g_assert_cmpint (g_array_index (e->steps, AnStepRecord, k).step, ==, (gint64) k + 1);
  events_free (e);
  an_run_config_clear (&c);
}

static void
on_snapshot (AnTrainer *t, AnSnapshot *s, AnSnapshot **out)
{
  *out = an_snapshot_ref (s);
}

static void
test_snapshots (void)
{
  AnRunConfig c;
  base_config (&c, learn_dir, NULL);
  c.epochs = 1;
  AnTrainer *t = NULL;
  Events *e = train_to_end (&c, &t);
  AnSnapshot *s = NULL;
  g_signal_connect (t, "snapshot-ready", G_CALLBACK (on_snapshot), &s);

  an_trainer_request_snapshot (t, AN_SNAPSHOT_WEIGHTS, "conv1", NULL);
  ITERATE_UNTIL (s != NULL);
  g_assert_cmpint (s->n_tensors, ==, 2); /* alexnet-tiny's conv1: two towers of 16 kernels */
  g_assert_cmpint (s->tensors[0].shape[0], ==, 16);
  g_assert_cmpint (s->tensors[0].shape[1], ==, 3);
  g_assert_cmpint (s->tensors[0].shape[2], ==, 5);
  g_assert_cmpint (s->tensors[1].tower, ==, 1);
  g_clear_pointer (&s, an_snapshot_unref);

  an_trainer_request_snapshot (t, AN_SNAPSHOT_FEATURES, "relu2", NULL);
  ITERATE_UNTIL (s != NULL);
  g_assert_cmpint (s->tensors[0].shape[1], ==, 96);
  /* the probe image comes along: the first validation image, as stored */
  g_assert_nonnull (s->probe);
  g_assert_cmpint (s->probe->channels, ==, 3);
  g_assert_cmpint (s->probe->height, ==, 32);
  g_assert_cmpint (s->tensors[0].shape[2], ==, 15);
  g_clear_pointer (&s, an_snapshot_unref);

  /* LRN with the model's parameters reproduces the model's own LRN output */
  an_trainer_request_lrn_snapshot (t, "conv1", NULL, 0, 0, 0, 0);
  ITERATE_UNTIL (s != NULL);
  AnSnapshot *lrn = g_steal_pointer (&s);
  an_trainer_request_snapshot (t, AN_SNAPSHOT_FEATURES, "lrn1", NULL);
  ITERATE_UNTIL (s != NULL);
  g_assert_cmpint (lrn->n_tensors, ==, 2);
  gsize n = (gsize) lrn->tensors[1].shape[1] * lrn->tensors[1].shape[2] * lrn->tensors[1].shape[3];
  double worst = 0, change = 0;
  for (gsize i = 0; i < n; i++)
    {
      worst = MAX (worst, fabs (lrn->tensors[1].data[i] - s->tensors[0].data[i]));
      change = MAX (change, fabs (lrn->tensors[1].data[i] - lrn->tensors[0].data[i]));
    }
  g_test_message ("LRN explorer vs model: %.3g; LRN changed maps by up to %.3g", worst, change);
  g_assert_cmpfloat (worst, <=, 1e-5);
  g_assert_cmpfloat (change, >, 0);
  g_clear_pointer (&s, an_snapshot_unref);
  /* a much stronger normalisation shrinks the maps */
  an_trainer_request_lrn_snapshot (t, "lrn1", NULL, 5, 10.0, 0.75, 2.0);
  ITERATE_UNTIL (s != NULL);
  double sum_strong = 0, sum_default = 0;
  for (gsize i = 0; i < n; i++)
    sum_strong += fabs (s->tensors[1].data[i]), sum_default += fabs (lrn->tensors[1].data[i]);
  g_assert_cmpfloat (sum_strong, <, sum_default);
  g_clear_pointer (&s, an_snapshot_unref);
  an_snapshot_unref (lrn);

  an_trainer_request_snapshot (t, AN_SNAPSHOT_CONFUSION, NULL, NULL);
  ITERATE_UNTIL (s != NULL);
  gint64 total = 0;
  for (int i = 0; i < s->num_classes * s->num_classes; i++)
    total += s->confusion[i];
  g_assert_cmpint (total, ==, 100);
  g_clear_pointer (&s, an_snapshot_unref);

  /* classify with the live weights */
  an_trainer_request_snapshot (t, AN_SNAPSHOT_PARAMS, NULL, NULL);
  ITERATE_UNTIL (s != NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AnClassifier) cl = an_classifier_new_from_snapshot (s, an_trainer_get_class_names (t), &error);
  g_assert_no_error (error);
  g_autofree char *png = g_build_filename (tmp_root, "probe.png", NULL);
  g_assert_true (synth_png_write (png, 3, &error));
  g_autoptr (AnImage) img = an_image_load (png, &error);
  g_assert_no_error (error);
  AnPrediction pred[5];
  int np = 0;
  g_assert_true (an_classifier_classify (cl, img, 5, pred, &np, &error));
  g_assert_cmpint (np, ==, 5);
  g_assert_cmpfloat (pred[0].probability, >=, pred[1].probability);
  g_assert_cmpstr (pred[0].name, ==, an_trainer_get_class_names (t)[pred[0].label]);
  g_clear_pointer (&s, an_snapshot_unref);

  g_object_unref (t);
  events_free (e);
  an_run_config_clear (&c);
}

static void
assert_same_losses (GArray *a, GArray *b, gint64 from_step)
{
  int compared = 0;
  for (guint i = 0; i < b->len; i++)
    {
      const AnStepRecord *rb = &g_array_index (b, AnStepRecord, i);
      if (rb->step < from_step)
        continue;
      g_assert_cmpint (rb->step, <=, (gint64) a->len);
      const AnStepRecord *ra = &g_array_index (a, AnStepRecord, rb->step - 1);
      g_assert_cmpint (ra->step, ==, rb->step);
      if (memcmp (&ra->loss, &rb->loss, sizeof (double)) != 0)
        g_error ("step %" G_GINT64_FORMAT ": resumed loss %.17g != uninterrupted %.17g", rb->step,
                 rb->loss, ra->loss);
      compared++;
    }
  g_test_message ("%d resumed step losses identical bit for bit", compared);
  g_assert_cmpint (compared, >, 0);
}

static GArray *reference_steps; /* the uninterrupted run of base_config (noise data) */

static GArray *
uninterrupted (void)
{
  if (!reference_steps)
    {
      AnRunConfig c;
      base_config (&c, learn_dir, NULL);
      c.epochs = 3;
      Events *e = train_to_end (&c, NULL);
      reference_steps = g_array_ref (e->steps);
      events_free (e);
      an_run_config_clear (&c);
    }
  return reference_steps;
}

static void
test_resume_bit_exact (void)
{
  GArray *ref = uninterrupted ();
  g_autofree char *dir = fresh_dir ("resume");
  AnRunConfig c;
  base_config (&c, learn_dir, dir);
  c.epochs = 3;
  g_autoptr (GError) error = NULL;
  AnTrainer *t = an_trainer_new (&c, &error);
  Events *e = events_new (t);
  an_trainer_start (t);
  ITERATE_UNTIL (e->steps->len >= 8); /* in the middle of the second epoch */
  an_trainer_stop (t);
  ITERATE_UNTIL (is_final (e->last));
  gint64 stopped_at = g_array_index (e->steps, AnStepRecord, e->steps->len - 1).step;
  g_object_unref (t);
  events_free (e);

  g_autofree char *ck = g_build_filename (dir, "checkpoint.ankpt", NULL);
  t = an_trainer_new_from_checkpoint (ck, &error);
  g_assert_no_error (error);
  e = events_new (t);
  an_trainer_start (t);
  ITERATE_UNTIL (is_final (e->last));
  g_assert_cmpint (e->last, ==, AN_TRAINER_FINISHED);
  g_assert_cmpint (g_array_index (e->steps, AnStepRecord, 0).step, ==, stopped_at + 1);
  assert_same_losses (ref, e->steps, stopped_at + 1);
  /* the resumed run shows the whole history */
  g_autoptr (GArray) hist = an_trainer_get_epoch_history (t);
  g_assert_cmpuint (hist->len, ==, 3);
  /* the metrics file was continued, not restarted */
  g_autofree char *csv = NULL;
  g_autofree char *mpath = g_build_filename (dir, "metrics.csv", NULL);
  g_assert_true (g_file_get_contents (mpath, &csv, NULL, NULL));
  g_assert_nonnull (strstr (csv, "\nstep,1,"));
  g_assert_nonnull (strstr (csv, "\nstep,18,"));
  g_object_unref (t);
  events_free (e);
  an_run_config_clear (&c);
}

/* Trains the 2-epoch run of `schedule` in dir to its end and resumes it with `epochs`. */
static AnTrainer *
finished_then_extended (const char *dir, AnScheduleKind schedule, int epochs)
{
  AnRunConfig c;
  base_config (&c, learn_dir, dir);
  c.schedule = schedule;
  c.epochs = 2;
  Events *e = train_to_end (&c, NULL);
  g_assert_cmpint (e->last, ==, AN_TRAINER_FINISHED);
  an_run_config_clear (&c);
  g_autofree char *ck = g_build_filename (dir, "checkpoint.ankpt", NULL);
  g_autoptr (GError) error = NULL;
  AnTrainer *t = an_trainer_new_from_checkpoint (ck, &error);
  g_assert_no_error (error);
  /* the opened run's curves: its steps as it reported them, read back from its metrics file */
  g_autoptr (GArray) hist = an_trainer_get_step_history (t);
  g_assert_cmpuint (hist->len, ==, e->steps->len);
  for (guint i = 0; i < hist->len; i++)
    {
      const AnStepRecord *a = &g_array_index (e->steps, AnStepRecord, i);
      const AnStepRecord *b = &g_array_index (hist, AnStepRecord, i);
      g_assert_cmpint (b->step, ==, a->step);
      g_assert_cmpint (b->epoch, ==, a->epoch);
      g_assert_cmpfloat (fabs (b->epoch_frac - a->epoch_frac), <, 1e-12);
      g_assert_cmpfloat (fabs (b->loss - a->loss), <=, 1e-8 * fabs (a->loss));
      g_assert_cmpfloat (fabs (b->lr - a->lr), <=, 1e-8 * a->lr);
      g_assert_cmpfloat (fabs (b->wall_seconds - a->wall_seconds), <=, 1e-6 * a->wall_seconds);
    }
  events_free (e);
  g_assert_false (an_trainer_set_epochs (t, 1, &error)); /* fewer than done: refused */
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (an_trainer_set_epochs (t, epochs, &error));
  return t;
}

/* A finished 2-epoch run continued to 3 epochs equals a 3-epoch run (for a schedule that does
 * not depend on the run's length); a cosine run continued to 4 epochs picks up the 4-epoch
 * curve at its half-way point instead of staying at the minimum rate. */
/* A folder dataset written here: 10 classes of 12 PNGs, each class a bright bar at its own
 * height on a pattern that differs from image to image. */
static char *
write_folder (void)
{
  char *root = fresh_dir ("folder");

  for (int k = 0; k < 10; k++)
    for (int i = 0; i < 12; i++)
      {
        g_autofree char *cls = g_strdup_printf ("%s/class-%d", root, k);
        g_autofree char *path = g_strdup_printf ("%s/%02d.png", cls, i);
        g_autoptr (AnImage) img = an_image_new (3, 32, 32);
        g_autoptr (GError) error = NULL;

        g_mkdir_with_parents (cls, 0755);
        for (int c = 0; c < 3; c++)
          for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
              img->pixels[(c * 32 + y) * 32 + x] =
                (guint8) (y / 3 == k ? 250 : (x * 7 + y * 13 + i * 29 + c * 41 + k * 3) % 120);
        if (!an_image_save_png (img, path, &error))
          g_error ("%s", error->message);
      }
  return root;
}

/* A streamed folder, stopped in the middle of its second epoch and resumed: the resumed steps
 * are bit-identical to an uninterrupted run's, with two decoding workers on both sides. */
static void
test_resume_folder (void)
{
  g_autofree char *root = write_folder ();
  g_autofree char *dir = fresh_dir ("resume-folder");
  g_autofree char *ck = g_build_filename (dir, "checkpoint.ankpt", NULL);
  g_autoptr (GError) error = NULL;
  AnRunConfig c;
  Events *ref, *e;
  AnTrainer *t;
  gint64 stopped_at;

  base_config (&c, learn_dir, NULL);
  g_free (c.data);
  c.data = g_strdup_printf ("folder:%s", root);
  c.train_size = 96;
  c.val_size = 24;
  c.batch = 16;
  c.epochs = 3;
  c.workers = 2;
  ref = train_to_end (&c, NULL);
  g_assert_cmpint (ref->last, ==, AN_TRAINER_FINISHED);
  g_assert_cmpuint (ref->steps->len, ==, 3 * 6);

  c.checkpoint_dir = g_strdup (dir);
  t = an_trainer_new (&c, &error);
  g_assert_no_error (error);
  e = events_new (t);
  an_trainer_start (t);
  ITERATE_UNTIL (e->steps->len >= 8); /* in the middle of the second epoch */
  an_trainer_stop (t);
  ITERATE_UNTIL (is_final (e->last));
  stopped_at = g_array_index (e->steps, AnStepRecord, e->steps->len - 1).step;
  g_object_unref (t);
  events_free (e);
  g_test_message ("folder run stopped at step %" G_GINT64_FORMAT, stopped_at);
  g_assert_cmpint (stopped_at % 6, !=, 0);

  t = an_trainer_new_from_checkpoint (ck, &error);
  g_assert_no_error (error);
  e = events_new (t);
  an_trainer_start (t);
  ITERATE_UNTIL (is_final (e->last));
  g_assert_cmpint (e->last, ==, AN_TRAINER_FINISHED);
  g_assert_cmpint (g_array_index (e->steps, AnStepRecord, 0).step, ==, stopped_at + 1);
  assert_same_losses (ref->steps, e->steps, stopped_at + 1);
  g_object_unref (t);
  events_free (e);
  events_free (ref);
  an_run_config_clear (&c);
}

static void
test_extend_epochs (void)
{
  AnRunConfig c;
  base_config (&c, learn_dir, NULL);
  c.schedule = AN_SCHEDULE_PLATEAU;
  c.epochs = 3;
  Events *ref = train_to_end (&c, NULL);

  g_autofree char *dir = fresh_dir ("extend");
  AnTrainer *t = finished_then_extended (dir, AN_SCHEDULE_PLATEAU, 3);
  Events *e = events_new (t);
  an_trainer_start (t);
  ITERATE_UNTIL (is_final (e->last));
  g_assert_cmpint (e->last, ==, AN_TRAINER_FINISHED);
  g_assert_cmpint (g_array_index (e->steps, AnStepRecord, 0).step, ==, 13);
  assert_same_losses (ref->steps, e->steps, 13);
  g_object_unref (t);
  events_free (e);
  events_free (ref);

  g_autofree char *cos_dir = fresh_dir ("extend-cosine");
  t = finished_then_extended (cos_dir, AN_SCHEDULE_COSINE, 4);
  e = events_new (t);
  an_trainer_start (t);
  ITERATE_UNTIL (is_final (e->last));
  g_assert_cmpint (e->last, ==, AN_TRAINER_FINISHED);
  g_assert_cmpuint (e->steps->len, ==, 12);
  /* lr(e) = min + (lr0 - min) (1 + cos (pi e / 4)) / 2: epoch 3 trains at lr(2), epoch 4 at lr(3) */
  double lr0 = c.lr, lo = c.min_lr;
  double want3 = lo + (lr0 - lo) * 0.5, want4 = lo + (lr0 - lo) * (1 - sqrt (0.5)) / 2;
  double lr3 = g_array_index (e->steps, AnStepRecord, 0).lr;
  double lr4 = g_array_index (e->steps, AnStepRecord, 11).lr;
  g_test_message ("extended cosine run: epoch 3 at %g (want %g), epoch 4 at %g (want %g)", lr3,
                  want3, lr4, want4);
  g_assert_cmpfloat_with_epsilon (lr3, want3, 1e-15);
  g_assert_cmpfloat_with_epsilon (lr4, want4, 1e-12);
  g_object_unref (t);
  events_free (e);
  an_run_config_clear (&c);
}

static void
test_kill9_resume (void)
{
  GArray *ref = uninterrupted ();
  g_autofree char *dir = fresh_dir ("kill9");
  g_autofree char *ck = g_build_filename (dir, "checkpoint.ankpt", NULL);
  pid_t pid = spawn_child ("kill9", dir);
  int status;
  g_assert_cmpint (waitpid (pid, &status, WUNTRACED), ==, pid);
  g_assert_true (WIFSTOPPED (status));
  kill (pid, SIGKILL);
  waitpid (pid, &status, 0);
  g_assert_true (WIFSIGNALED (status));

  g_autoptr (GError) error = NULL;
  AnTrainer *t = an_trainer_new_from_checkpoint (ck, &error);
  g_assert_no_error (error);
  Events *e = events_new (t);
  an_trainer_start (t);
  ITERATE_UNTIL (is_final (e->last));
  g_assert_cmpint (e->last, ==, AN_TRAINER_FINISHED);
  /* at most the current epoch was lost: the resumed run starts at the first step of epoch 2 */
  gint64 first = g_array_index (e->steps, AnStepRecord, 0).step;
  g_test_message ("resumed after kill -9 at step %" G_GINT64_FORMAT, first);
  g_assert_cmpint (first, ==, 7);
  assert_same_losses (ref, e->steps, first);
  g_object_unref (t);
  events_free (e);
}

static void
on_ckpt_limit (AnTrainer *t, const char *path, gpointer data)
{
  /* after the first checkpoint the "disk" fills up: files may grow no further */
  static gboolean once;
  if (once)
    return;
  once = TRUE;
  g_autofree char *copy = g_strconcat (path, ".first", NULL);
  g_autofree char *bytes = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (copy, bytes, len, NULL));
  struct rlimit rl = { .rlim_cur = len / 2, .rlim_max = RLIM_INFINITY };
  setrlimit (RLIMIT_FSIZE, &rl);
}

/* The children run in a fresh process (exec, not a bare fork: OpenMP and the worker threads
 * are not fork-safe). */
static int
child_main (const char *mode, const char *dir, const char *data_dir)
{
  learn_dir = g_strdup (data_dir);
  tmp_root = g_path_get_dirname (dir);
  AnRunConfig c;
  base_config (&c, learn_dir, dir);
  c.epochs = 3;
  if (g_str_equal (mode, "kill9"))
    {
      AnTrainer *t = an_trainer_new (&c, NULL);
      Events *e = events_new (t);
      an_trainer_start (t);
      /* the checkpoint of epoch 1, then some steps of epoch 2: then wait to be killed */
      ITERATE_UNTIL (e->epochs->len >= 1 && e->steps->len >= 9);
      kill (getpid (), SIGSTOP);
      return 0;
    }
  signal (SIGXFSZ, SIG_IGN);
  c.metrics_path = g_build_filename (tmp_root, "diskfull-metrics.csv", NULL);
  AnTrainer *t = an_trainer_new (&c, NULL);
  Events *e = events_new (t);
  g_signal_connect (t, "checkpoint-written", G_CALLBACK (on_ckpt_limit), NULL);
  an_trainer_start (t);
  /* the second epoch's checkpoint fails: the run pauses and says why */
  ITERATE_UNTIL (e->last == AN_TRAINER_PAUSED || is_final (e->last));
  const char *reason = e->reasons->pdata[e->reasons->len - 1];
  int ok = e->last == AN_TRAINER_PAUSED && strstr (reason, "checkpoint.ankpt") != NULL;
  if (!ok)
    g_printerr ("state %d reason '%s'\n", e->last, reason);
  an_trainer_stop (t);
  ITERATE_UNTIL (is_final (e->last));
  g_object_unref (t);
  events_free (e);
  an_run_config_clear (&c);
  return ok ? 0 : 1;
}

static char *self_exe;

static pid_t
spawn_child (const char *mode, const char *dir)
{
  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      execl (self_exe, self_exe, "--child", mode, dir, learn_dir, (char *) NULL);
      _exit (127);
    }
  return pid;
}

static void
test_disk_full (void)
{
  g_autofree char *dir = fresh_dir ("diskfull");
  g_autofree char *ck = g_build_filename (dir, "checkpoint.ankpt", NULL);
  g_autofree char *first = g_strconcat (ck, ".first", NULL);
  pid_t pid = spawn_child ("diskfull", dir);
  int status;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  /* the first checkpoint survived untouched and still loads */
  g_autofree char *a = NULL, *b = NULL;
  gsize la, lb;
  g_assert_true (g_file_get_contents (ck, &a, &la, NULL));
  g_assert_true (g_file_get_contents (first, &b, &lb, NULL));
  g_assert_cmpuint (la, ==, lb);
  g_assert_cmpint (memcmp (a, b, la), ==, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (AnCheckpoint) c = an_checkpoint_read (ck, &error);
  g_assert_no_error (error);
  g_assert_cmpint (c->epoch, ==, 1);
}

static void
test_diverged (void)
{
  AnRunConfig c;
  base_config (&c, learn_dir, NULL);
  c.lr = 10; /* far too high: the loss overflows */
  c.momentum = 0.99;
  c.epochs = 3;
  g_autoptr (GError) error = NULL;
  g_autoptr (AnTrainer) t = an_trainer_new (&c, &error);
  Events *e = events_new (t);
  an_trainer_start (t);
  ITERATE_UNTIL (e->last == AN_TRAINER_DIVERGED || is_final (e->last));
  g_assert_cmpint (e->last, ==, AN_TRAINER_DIVERGED);
  const char *reason = e->reasons->pdata[e->reasons->len - 1];
  g_test_message ("%s", reason);
  g_assert_nonnull (strstr (reason, "learning rate 10"));
  /* resuming goes back to the last good weights at a tenth of the rate */
  an_trainer_resume (t);
  ITERATE_UNTIL (e->changes->len >= 1);
  const AnHyperChange *ch = &g_array_index (e->changes, AnHyperChange, 0);
  g_assert_cmpint (ch->key, ==, AN_LIVE_LR);
  g_assert_cmpstr (an_live_key_name (ch->key), ==, "lr");
  g_assert_cmpfloat (fabs (ch->new_value - 1.0), <, 1e-12);
  an_trainer_stop (t);
  ITERATE_UNTIL (is_final (e->last));
  events_free (e);
  an_run_config_clear (&c);
}

/* Step hook of the good-state test: stops the epoch after *data more steps. */
static gboolean
stop_after (AnRun *r, gpointer data)
{
  int *left = data;
  return (*left)-- > 0;
}

static void
no_step (AnRun *r, const AnStepRecord *rec, gpointer data)
{
}

/* The weights and momentum of r's model. */
static void
get_state (AnRun *r, float *w, float *v)
{
  g_assert_true (an_model_get_params (r->net.model, w, NULL));
  g_assert_true (an_model_get_momentum (r->net.model, v, NULL));
}

static void
train_steps (AnRun *r, int steps)
{
  AnEpochHooks hooks = { stop_after, no_step, &steps };
  double bad = 0;
  g_assert_cmpint (an_run_train_epoch (r, &hooks, &bad, NULL), ==, AN_EPOCH_STOPPED);
}

/* Where a diverged run goes back to, without holding copies in memory where it need not: the
 * initial state (drawn again from the seed), an epoch end's checkpoint (a hard link that a
 * later checkpoint does not touch), copies when the checkpoint was not written; each restored
 * exactly, with its step, and the link gone when the run closes. */
static void
test_good_state (void)
{
  g_autofree char *dir = fresh_dir ("good-state");
  g_autofree char *ck = g_build_filename (dir, "checkpoint.ankpt", NULL);
  AnRunConfig c;
  base_config (&c, learn_dir, dir);
  c.momentum = 0.9;
  g_autoptr (GError) error = NULL;
  AnRun r;
  g_assert_true (an_run_open (&r, &c, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  gsize n = r.n_params;
  g_autofree float *w0 = g_new (float, n), *v0 = g_new (float, n);
  g_autofree float *w = g_new (float, n), *v = g_new (float, n);
  g_autoptr (GArray) history = g_array_new (FALSE, FALSE, sizeof (AnEpochRecord));

  /* before the first epoch end: the initial state, no copy held */
  get_state (&r, w0, v0);
  g_assert_cmpint (r.good_kind, ==, AN_GOOD_INITIAL);
  g_assert_null (r.good_params);
  train_steps (&r, 2);
  g_assert_cmpint (r.step, ==, 2);
  get_state (&r, w, v);
  g_assert_true (memcmp (w, w0, n * sizeof (float)) != 0);
  g_assert_true (an_run_restore_good (&r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r.step, ==, 0);
  get_state (&r, w, v);
  g_assert_cmpmem (w, n * sizeof (float), w0, n * sizeof (float));
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (v[i], ==, 0.0f);

  /* a whole epoch, its end and its checkpoint: kept by a hard link */
  r.batch_in_epoch = 0;
  double bad = 0;
  AnEpochHooks hooks = { NULL, no_step, NULL };
  int forever = G_MAXINT;
  hooks.boundary = stop_after;
  hooks.data = &forever;
  g_assert_cmpint (an_run_train_epoch (&r, &hooks, &bad, &error), ==, AN_EPOCH_DONE);
  AnEpochRecord er;
  gboolean stop_early = FALSE;
  double next_lr = 0;
  g_assert_true (an_run_end_epoch (&r, &er, &stop_early, &next_lr, &error));
  g_assert_true (an_run_write_checkpoint (&r, history, &error));
  g_assert_true (an_run_keep_good (&r, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r.good_kind, ==, AN_GOOD_FILE);
  g_assert_null (r.good_params);
  GStatBuf a, b;
  g_assert_cmpint (g_stat (ck, &a), ==, 0);
  g_assert_cmpint (g_stat (r.good_path, &b), ==, 0);
  g_assert_true (a.st_ino == b.st_ino);
  gint64 step1 = r.step;
  g_autofree float *w1 = g_new (float, n), *v1 = g_new (float, n);
  get_state (&r, w1, v1);

  /* on into the next epoch, a checkpoint written there (a pause), then back */
  train_steps (&r, 2);
  g_assert_true (an_run_write_checkpoint (&r, history, &error));
  g_assert_cmpint (g_stat (ck, &a), ==, 0);
  g_assert_true (a.st_ino != b.st_ino);
  get_state (&r, w, v);
  g_assert_true (memcmp (w, w1, n * sizeof (float)) != 0);
  g_assert_true (an_run_restore_good (&r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r.step, ==, step1);
  get_state (&r, w, v);
  g_assert_cmpmem (w, n * sizeof (float), w1, n * sizeof (float));
  g_assert_cmpmem (v, n * sizeof (float), v1, n * sizeof (float));

  /* the link deleted under the open run: the restore fails naming it, the weights untouched */
  g_assert_true (an_run_keep_good (&r, TRUE, &error));
  g_assert_cmpint (g_unlink (r.good_path), ==, 0);
  get_state (&r, w, v);
  g_assert_false (an_run_restore_good (&r, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_IO);
  g_assert_nonnull (strstr (error->message, r.good_path));
  g_clear_error (&error);
  g_autofree float *wk = g_new (float, n), *vk = g_new (float, n);
  get_state (&r, wk, vk);
  g_assert_cmpmem (wk, n * sizeof (float), w, n * sizeof (float));

  /* a checkpoint that could not be written: copies in memory, the link dropped */
  g_assert_true (an_run_keep_good (&r, TRUE, &error));
  g_assert_true (g_file_test (r.good_path, G_FILE_TEST_EXISTS));
  train_steps (&r, 1);
  gint64 step2 = r.step;
  g_autofree float *w2 = g_new (float, n), *v2 = g_new (float, n);
  get_state (&r, w2, v2);
  g_assert_true (an_run_keep_good (&r, FALSE, &error));
  g_assert_cmpint (r.good_kind, ==, AN_GOOD_MEMORY);
  g_assert_false (g_file_test (r.good_path, G_FILE_TEST_EXISTS));
  train_steps (&r, 2);
  g_assert_true (an_run_restore_good (&r, &error));
  g_assert_cmpint (r.step, ==, step2);
  get_state (&r, w, v);
  g_assert_cmpmem (w, n * sizeof (float), w2, n * sizeof (float));
  g_assert_cmpmem (v, n * sizeof (float), v2, n * sizeof (float));

  g_autofree char *good = g_strdup (r.good_path);
  an_run_close (&r);
  g_assert_false (g_file_test (good, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (ck, G_FILE_TEST_EXISTS));
  an_run_config_clear (&c);
}

static void
test_early_stopping_and_plateau (void)
{
  /* random labels: the validation loss cannot keep improving */
  AnRunConfig c;
  base_config (&c, noise_dir, NULL);
  c.epochs = 12;
  c.patience = 2;
  c.lr = 0.02;
  c.schedule = AN_SCHEDULE_PLATEAU;
  c.plateau_patience = 0;
  Events *e = train_to_end (&c, NULL);
  g_assert_cmpint (e->last, ==, AN_TRAINER_EARLY_STOPPED);
  g_assert_cmpuint (e->epochs->len, <, 12);
  /* the rule of ALEXNET.md, recomputed here from the reported validation losses */
  double best = -INFINITY;
  int counter = 0, stop_epoch = -1;
  for (guint i = 0; i < e->epochs->len && stop_epoch < 0; i++)
    {
      double score = -g_array_index (e->epochs, AnEpochRecord, i).val_loss;
      if (i == 0)
        best = score;
      else if (score < best + 0)
        {
          if (++counter >= c.patience)
            stop_epoch = (int) i + 1;
        }
      else
        best = score, counter = 0;
    }
  g_test_message ("stopped after epoch %u; recomputed %d", e->epochs->len, stop_epoch);
  g_assert_cmpint (stop_epoch, ==, (int) e->epochs->len);

  /* ReduceLROnPlateau (patience 0, factor 0.5, rel threshold 1e-4): every epoch whose loss is
   * not below best * (1 - 1e-4) halves the rate for the next epoch, recomputed here */
  double pbest = INFINITY, lr = c.lr;
  guint changes = 0;
  for (guint i = 0; i < e->epochs->len; i++)
    {
      const AnEpochRecord *r = &g_array_index (e->epochs, AnEpochRecord, i);
      g_assert_cmpfloat (fabs (r->lr - lr), <=, 1e-12 * lr);
      if (r->val_loss < pbest * (1 - 1e-4))
        pbest = r->val_loss;
      else
        {
          double nl = MAX (lr * 0.5, c.min_lr);
          /* a halving after the last epoch changes no epoch's rate and is not announced */
          if (lr - nl > 1e-8)
            lr = nl, changes += i + 1 < e->epochs->len;
        }
    }
  guint by_schedule = 0;
  for (guint i = 0; i < e->changes->len; i++)
    by_schedule += g_array_index (e->changes, AnHyperChange, i).by_schedule;
  g_test_message ("plateau halved the rate %u times", by_schedule);
  g_assert_cmpuint (changes, >=, 1);
  g_assert_cmpuint (by_schedule, ==, changes);
  events_free (e);
  an_run_config_clear (&c);
}

static void
on_notify_state (GObject *object, GParamSpec *pspec, GArray *states)
{
  AnTrainerState s;
  g_object_get (object, "state", &s, NULL);
  g_array_append_val (states, s);
}

static void
count_notify (GObject *object, GParamSpec *pspec, int *n)
{
  (*n)++;
}

/* The state is a registered enum, the state-changed signal carries it, and the properties
 * follow the events as they are delivered, with a notify for each change. */
static void
test_properties (void)
{
  g_autofree char *dir = fresh_dir ("properties");
  g_autofree char *ck = g_build_filename (dir, "checkpoint.ankpt", NULL);
  AnRunConfig c;
  base_config (&c, learn_dir, dir);
  c.epochs = 1;
  g_autoptr (GError) error = NULL;
  g_autoptr (AnTrainer) t = an_trainer_new (&c, &error);
  g_assert_no_error (error);

  g_assert_true (G_TYPE_IS_ENUM (AN_TYPE_TRAINER_STATE));
  GEnumClass *klass = g_type_class_ref (AN_TYPE_TRAINER_STATE);
  g_assert_cmpint (g_enum_get_value_by_nick (klass, "early-stopped")->value, ==,
                   AN_TRAINER_EARLY_STOPPED);
  g_assert_cmpuint (klass->n_values, ==, AN_TRAINER_FAILED + 1);
  g_type_class_unref (klass);
  g_assert_cmpstr (an_trainer_state_to_string (AN_TRAINER_DIVERGED), ==, "diverged");
  GSignalQuery query;
  g_signal_query (g_signal_lookup ("state-changed", AN_TYPE_TRAINER), &query);
  g_assert_cmpuint (query.n_params, ==, 2);
  g_assert_true (query.param_types[0] == AN_TYPE_TRAINER_STATE);

  AnTrainerState state = AN_TRAINER_FAILED;
  int epoch = -1, epochs = 0, steps_per_epoch = -1;
  gint64 step = -1;
  g_autofree char *last = NULL;
  g_object_get (t, "state", &state, "epoch", &epoch, "step", &step, "epochs", &epochs,
                "steps-per-epoch", &steps_per_epoch, "last-checkpoint", &last, NULL);
  g_assert_cmpint (state, ==, AN_TRAINER_IDLE);
  g_assert_cmpint (epoch, ==, 0);
  g_assert_cmpint (step, ==, 0);
  g_assert_cmpint (epochs, ==, 1);
  g_assert_cmpint (steps_per_epoch, ==, 0);
  g_assert_null (last);

  int epochs_notified = 0, step_notified = 0, checkpoint_notified = 0;
  g_signal_connect (t, "notify::epochs", G_CALLBACK (count_notify), &epochs_notified);
  g_assert_true (an_trainer_set_epochs (t, 2, &error));
  g_assert_cmpint (epochs_notified, ==, 1);
  g_object_get (t, "epochs", &epochs, NULL);
  g_assert_cmpint (epochs, ==, 2);

  g_autoptr (GArray) states = g_array_new (FALSE, FALSE, sizeof (AnTrainerState));
  g_signal_connect (t, "notify::state", G_CALLBACK (on_notify_state), states);
  g_signal_connect (t, "notify::step", G_CALLBACK (count_notify), &step_notified);
  g_signal_connect (t, "notify::last-checkpoint", G_CALLBACK (count_notify),
                    &checkpoint_notified);
  Events *e = events_new (t);
  an_trainer_start (t);
  ITERATE_UNTIL (is_final (e->last));
  while (g_main_context_iteration (NULL, FALSE))
    ;

  /* one notify per state change, in order, each with the new value */
  g_assert_cmpuint (states->len, ==, e->states->len);
  for (guint i = 0; i < states->len; i++)
    g_assert_cmpint (g_array_index (states, AnTrainerState, i), ==,
                     g_array_index (e->states, int, i));
  g_assert_cmpint (g_array_index (states, AnTrainerState, 0), ==, AN_TRAINER_RUNNING);
  g_assert_cmpint (g_array_index (states, AnTrainerState, states->len - 1), ==,
                   AN_TRAINER_FINISHED);
  g_assert_cmpint (step_notified, >=, 1);
  g_assert_cmpint (checkpoint_notified, ==, e->checkpoints);

  g_clear_pointer (&last, g_free);
  g_object_get (t, "state", &state, "epoch", &epoch, "step", &step, "steps-per-epoch",
                &steps_per_epoch, "last-checkpoint", &last, NULL);
  g_assert_cmpint (state, ==, AN_TRAINER_FINISHED);
  g_assert_cmpint (epoch, ==, 2);
  g_assert_cmpint (steps_per_epoch, ==, 300 / 50);
  g_assert_cmpint (step, ==, g_array_index (e->steps, AnStepRecord, e->steps->len - 1).step);
  g_assert_cmpint (step, ==, 2 * steps_per_epoch);
  g_assert_cmpstr (last, ==, ck);
  events_free (e);
  an_run_config_clear (&c);
}

/* Only the live keys change during a run; anything else is refused with its name, and a live
 * key's value gets its field's range check. */
static void
test_unknown_live_key (void)
{
  AnRunConfig c;
  base_config (&c, learn_dir, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AnTrainer) t = an_trainer_new (&c, &error);
  g_assert_no_error (error);

  g_assert_false (an_trainer_set_hyperparameter (t, "patiense", 3, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "patiense"));
  g_clear_error (&error);
  g_assert_false (an_trainer_set_hyperparameter (t, "", 3, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (an_trainer_set_hyperparameter (t, "patience", 2.5, &error));
  g_assert_nonnull (strstr (error->message, "patience"));
  g_clear_error (&error);
  g_assert_false (an_trainer_set_live (t, AN_LIVE_DROPOUT, 1.0, &error));
  g_assert_nonnull (strstr (error->message, "dropout"));
  g_clear_error (&error);
  g_assert_true (an_trainer_set_hyperparameter (t, "patience", 3, &error));
  g_assert_no_error (error);
  an_run_config_clear (&c);
}

/* mean -log p[label] and top-1 hits of the classifier over a dataset's images, and the
 * probabilities of image 0 */
static void
classify_all (AnClassifier *cl, const AnDataset *ds, double *loss, int *hits, float *probs0)
{
  int classes = an_classifier_num_classes (cl);
  g_autofree AnPrediction *pred = g_new (AnPrediction, classes);
  gsize isz = (gsize) ds->channels * ds->height * ds->width;
  double sum = 0;
  *hits = 0;
  for (int i = 0; i < ds->count; i++)
    {
      g_autoptr (AnImage) img = an_image_new (ds->channels, ds->height, ds->width);
      g_autoptr (GError) error = NULL;
      int n = 0;
      memcpy (img->pixels, ds->pixels + isz * i, isz);
      g_assert_true (an_classifier_classify (cl, img, classes, pred, &n, &error));
      g_assert_cmpint (n, ==, classes);
      for (int k = 0; k < n; k++)
        {
          if (pred[k].label == ds->labels[i])
            sum += -log (MAX (pred[k].probability, 1e-30));
          if (i == 0)
            probs0[pred[k].label] = (float) pred[k].probability;
        }
      *hits += pred[0].label == ds->labels[i];
    }
  *loss = sum / ds->count;
}

/* One checkpoint, three consumers that build their model with an_run_model_open: `alexnet
 * eval` (batches of 100), the classifier (one image at a time) and the resumed trainer (a
 * feature-map snapshot of the last layer, the logits) give the same probabilities. */
static void
test_one_run_builder (void)
{
  g_autofree char *dir = fresh_dir ("builder");
  g_autofree char *ck = g_build_filename (dir, "checkpoint.ankpt", NULL);
  AnRunConfig c;
  base_config (&c, learn_dir, dir);
  c.epochs = 3;
  c.lr = 0.05;
  Events *e = train_to_end (&c, NULL);
  g_assert_cmpint (e->last, ==, AN_TRAINER_FINISHED);
  /* eval and the classifier take the best weights, a resumed trainer the last ones: the same
   * here, as the last epoch is the best */
  g_assert_cmpint (g_array_index (e->epochs, AnEpochRecord, 2).best_epoch, ==, 3);
  events_free (e);

  g_autoptr (GError) error = NULL;
  g_autoptr (AnDataset) test = an_dataset_load (c.data, AN_SPLIT_TEST, 32, 32, &error);
  g_assert_no_error (error);
  AnEvalResult ev;
  g_assert_true (an_evaluate_checkpoint (ck, NULL, 2, FALSE, &ev, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ev.count, ==, test->count);

  g_autoptr (AnClassifier) cl = an_classifier_new_from_checkpoint (ck, &error);
  g_assert_no_error (error);
  double loss = 0;
  int hits = 0;
  float probs0[10] = { 0 };
  g_assert_cmpint (an_classifier_num_classes (cl), ==, 10);
  classify_all (cl, test, &loss, &hits, probs0);
  g_test_message ("eval: loss %.7f top-1 %.4f; classifier: loss %.7f top-1 %.4f", ev.loss,
                  ev.top1, loss, (double) hits / test->count);
  /* the same weights and graph; batches of 100 and of 1 only reorder the GEMMs' sums */
  g_assert_cmpfloat_with_epsilon (ev.loss, loss, 1e-5);
  g_assert_cmpfloat (ev.top1, ==, (double) hits / test->count);
  an_eval_result_clear (&ev);

  g_autoptr (AnTrainer) t = an_trainer_new_from_checkpoint (ck, &error);
  g_assert_no_error (error);
  AnSnapshot *s = NULL;
  g_signal_connect (t, "snapshot-ready", G_CALLBACK (on_snapshot), &s);
  Events *e2 = events_new (t);
  an_trainer_start (t);
  ITERATE_UNTIL (is_final (e2->last));
  g_assert_cmpint (e2->last, ==, AN_TRAINER_FINISHED);
  g_autoptr (AnImage) probe = an_image_new (test->channels, test->height, test->width);
  memcpy (probe->pixels, test->pixels, (gsize) test->channels * test->height * test->width);
  an_trainer_request_snapshot (t, AN_SNAPSHOT_FEATURES, "fc8", probe);
  ITERATE_UNTIL (s != NULL);
  g_assert_cmpint (s->tensors[0].shape[1], ==, 10);
  const float *logits = s->tensors[0].data;
  double zmax = logits[0], z = 0, worst = 0;
  for (int k = 1; k < 10; k++)
    zmax = MAX (zmax, logits[k]);
  for (int k = 0; k < 10; k++)
    z += exp (logits[k] - zmax);
  for (int k = 0; k < 10; k++)
    worst = MAX (worst, fabs (exp (logits[k] - zmax) / z - probs0[k]));
  g_test_message ("trainer vs classifier, image 0: largest probability difference %.3g", worst);
  g_assert_cmpfloat (worst, <=, 1e-5);
  an_snapshot_unref (s);
  events_free (e2);
  an_run_config_clear (&c);
}

static void
test_bad_config (void)
{
  AnRunConfig c;
  base_config (&c, learn_dir, NULL);
  c.batch = 0;
  g_autoptr (GError) error = NULL;
  g_assert_null (an_trainer_new (&c, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "batch"));
  g_clear_error (&error);
  c.batch = 10;
  g_free (c.data);
  c.data = g_strdup ("cifar10:/nonexistent-dataset");
  AnTrainer *t = an_trainer_new (&c, &error);
  g_assert_no_error (error);
  Events *e = events_new (t);
  an_trainer_start (t);
  ITERATE_UNTIL (is_final (e->last));
  g_assert_cmpint (e->last, ==, AN_TRAINER_FAILED);
  g_assert_nonnull (strstr (e->reasons->pdata[e->reasons->len - 1], "/nonexistent-dataset"));
  g_object_unref (t);
  events_free (e);
  an_run_config_clear (&c);
}

int
main (int argc, char **argv)
{
  an_blas_select_kernel (argv); /* as the application does */
  if (argc == 5 && g_str_equal (argv[1], "--child"))
    return child_main (argv[2], argv[3], argv[4]);
  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_test_init (&argc, &argv, NULL);
  tmp_root = g_dir_make_tmp ("an-trainer-XXXXXX", NULL);
  learn_dir = g_build_filename (tmp_root, "learn", NULL);
  noise_dir = g_build_filename (tmp_root, "noise", NULL);
  g_autoptr (GError) error = NULL;
  if (!synth_cifar_write (learn_dir, 80, 50, TRUE, 1, &error) ||
      !synth_cifar_write (noise_dir, 80, 50, FALSE, 2, &error))
    g_error ("cannot write test data: %s", error ? error->message : "?");

  g_test_add_func ("/trainer/learns", test_learns);
  g_test_add_func ("/trainer/commands", test_commands);
  g_test_add_func ("/trainer/commands-while-running", test_commands_while_running);
  g_test_add_func ("/trainer/snapshots", test_snapshots);
  g_test_add_func ("/trainer/resume-bit-exact", test_resume_bit_exact);
  g_test_add_func ("/trainer/resume-folder", test_resume_folder);
  g_test_add_func ("/trainer/kill9-resume", test_kill9_resume);
  g_test_add_func ("/trainer/extend-epochs", test_extend_epochs);
  g_test_add_func ("/trainer/disk-full", test_disk_full);
  g_test_add_func ("/trainer/diverged", test_diverged);
  g_test_add_func ("/trainer/good-state", test_good_state);
  g_test_add_func ("/trainer/early-stopping-plateau", test_early_stopping_and_plateau);
  g_test_add_func ("/trainer/bad-config", test_bad_config);
  g_test_add_func ("/trainer/properties", test_properties);
  g_test_add_func ("/trainer/unknown-live-key", test_unknown_live_key);
  g_test_add_func ("/trainer/one-run-builder", test_one_run_builder);
  int r = g_test_run ();
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp_root);
  if (system (cmd) != 0)
    g_printerr ("could not remove %s\n", tmp_root);
  return r;
}
