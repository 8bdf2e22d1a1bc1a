/* an-trainer.c: one training run on one worker thread (ARCHITECTURE.md contract 8).
 *
 * The worker owns the run (an-run.h) and drives its epoch loop (an-epoch.h). Commands reach it
 * under t->lock (pause is a condition variable, stop a flag checked at every step boundary);
 * events leave through pending lists under the same lock and a single idle source on the
 * caller's GMainContext, so the consumer wakes at most once per main-loop iteration whatever
 * the step rate. A divergence pauses the run; resuming restores the last epoch end's weights.
 * After a final state the worker stays to answer snapshot requests until disposal.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-error.h"
#include "an-sync.h"
#include "an-trainer.h"
#include "an-metrics.h"

typedef struct {
  AnLiveKey key;
  double value;
} HyperRequest;

typedef struct {
  AnTrainerState state;
  char *reason;
} StateEvent;

struct _AnTrainer {
  GObject parent_instance;

  AnRunConfig cfg;        /* the run's configuration before it starts */
  AnRunConfig cfg_public; /* a copy for an_trainer_get_config, on the consumer's thread */
  GMainContext *context;
  GThread *thread;
  AnCheckpoint *resume;

  AnMutex lock;
  AnCond cond;
  /* commands */
  gboolean pause_req, stop_req, keep_best, quit;
  GArray *hyper_req;   /* HyperRequest */
  GQueue snap_req;     /* AnSnapshotRequest* */
  /* state */
  AnTrainerState state;
  gboolean final;
  char **class_names;
  int steps_per_epoch;
  GArray *hist_steps;  /* AnStepRecord */
  GArray *hist_epochs; /* AnEpochRecord */
  gboolean have_test;
  AnTestResult test;
  /* pending events */
  gboolean dispatch_pending;
  GPtrArray *ev_logs;   /* char* */
  GPtrArray *ev_warnings; /* char* */
  GArray *ev_changes;   /* AnHyperChange */
  GArray *ev_steps;     /* AnStepRecord */
  GArray *ev_epochs;    /* AnEpochRecord */
  GPtrArray *ev_ckpts;  /* char* */
  GPtrArray *ev_snaps;  /* AnSnapshot* */
  GPtrArray *ev_states; /* StateEvent* */

  /* the properties: what the consumer has been told, only touched on its thread */
  AnTrainerState pub_state;
  char *pub_reason;
  int pub_epoch;
  gint64 pub_step;
  int pub_steps_per_epoch;
  char *last_checkpoint;
};

G_DEFINE_FINAL_TYPE (AnTrainer, an_trainer, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (AnTrainerState, an_trainer_state,
                    G_DEFINE_ENUM_VALUE (AN_TRAINER_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (AN_TRAINER_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (AN_TRAINER_PAUSED, "paused"),
                    G_DEFINE_ENUM_VALUE (AN_TRAINER_FINISHED, "finished"),
                    G_DEFINE_ENUM_VALUE (AN_TRAINER_EARLY_STOPPED, "early-stopped"),
                    G_DEFINE_ENUM_VALUE (AN_TRAINER_STOPPED, "stopped"),
                    G_DEFINE_ENUM_VALUE (AN_TRAINER_DIVERGED, "diverged"),
                    G_DEFINE_ENUM_VALUE (AN_TRAINER_FAILED, "failed"))

enum {
  SIG_STEPS,
  SIG_EPOCH,
  SIG_HYPER,
  SIG_STATE,
  SIG_CHECKPOINT,
  SIG_SNAPSHOT,
  SIG_LOG,
  SIG_WARNING,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_STATE,
  PROP_STATE_REASON,
  PROP_EPOCH,
  PROP_STEP,
  PROP_EPOCHS,
  PROP_STEPS_PER_EPOCH,
  PROP_LAST_CHECKPOINT,
  N_PROPS
};
static GParamSpec *props[N_PROPS];

/* ---- events ------------------------------------------------------------------------------- */

static gboolean
dispatch (gpointer data)
{
  AnTrainer *t = data;
  an_mutex_lock (&t->lock);
  GPtrArray *warnings = t->ev_warnings;
  t->ev_warnings = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *logs = t->ev_logs, *ckpts = t->ev_ckpts, *snaps = t->ev_snaps, *states = t->ev_states;
  GArray *changes = t->ev_changes, *steps = t->ev_steps, *epochs = t->ev_epochs;
  int steps_per_epoch = t->steps_per_epoch;
  t->ev_logs = g_ptr_array_new_with_free_func (g_free);
  t->ev_ckpts = g_ptr_array_new_with_free_func (g_free);
  t->ev_snaps = g_ptr_array_new_with_free_func ((GDestroyNotify) an_snapshot_unref);
  t->ev_states = g_ptr_array_new ();
  t->ev_changes = g_array_new (FALSE, TRUE, sizeof (AnHyperChange));
  t->ev_steps = g_array_new (FALSE, TRUE, sizeof (AnStepRecord));
  t->ev_epochs = g_array_new (FALSE, TRUE, sizeof (AnEpochRecord));
  t->dispatch_pending = FALSE;
  an_mutex_unlock (&t->lock);

  GObject *object = G_OBJECT (t);
  if (steps_per_epoch != t->pub_steps_per_epoch)
    {
      t->pub_steps_per_epoch = steps_per_epoch;
      g_object_notify_by_pspec (object, props[PROP_STEPS_PER_EPOCH]);
    }
  for (guint i = 0; i < logs->len; i++)
    g_signal_emit (t, signals[SIG_LOG], 0, (const char *) logs->pdata[i]);
  for (guint i = 0; i < warnings->len; i++)
    g_signal_emit (t, signals[SIG_WARNING], 0, (const char *) warnings->pdata[i]);
  for (guint i = 0; i < changes->len; i++)
    {
      const AnHyperChange *ch = &g_array_index (changes, AnHyperChange, i);
      an_run_config_set_live (&t->cfg_public, ch->key, ch->new_value);
      g_signal_emit (t, signals[SIG_HYPER], 0, ch);
    }
  if (steps->len > 0)
    {
      g_signal_emit (t, signals[SIG_STEPS], 0, steps);
      t->pub_step = g_array_index (steps, AnStepRecord, steps->len - 1).step;
      g_object_notify_by_pspec (object, props[PROP_STEP]);
    }
  for (guint i = 0; i < epochs->len; i++)
    {
      const AnEpochRecord *er = &g_array_index (epochs, AnEpochRecord, i);
      g_signal_emit (t, signals[SIG_EPOCH], 0, er);
      t->pub_epoch = er->epoch;
      g_object_notify_by_pspec (object, props[PROP_EPOCH]);
    }
  for (guint i = 0; i < ckpts->len; i++)
    {
      g_free (t->last_checkpoint);
      t->last_checkpoint = g_strdup (ckpts->pdata[i]);
      g_signal_emit (t, signals[SIG_CHECKPOINT], 0, (const char *) ckpts->pdata[i]);
      g_object_notify_by_pspec (object, props[PROP_LAST_CHECKPOINT]);
    }
  for (guint i = 0; i < snaps->len; i++)
    g_signal_emit (t, signals[SIG_SNAPSHOT], 0, snaps->pdata[i]);
  for (guint i = 0; i < states->len; i++)
    {
      StateEvent *e = states->pdata[i];
      t->pub_state = e->state;
      g_free (t->pub_reason);
      t->pub_reason = g_strdup (e->reason);
      g_signal_emit (t, signals[SIG_STATE], 0, e->state, e->reason);
      g_object_notify_by_pspec (object, props[PROP_STATE_REASON]);
      g_object_notify_by_pspec (object, props[PROP_STATE]);
      g_free (e->reason);
      g_free (e);
    }
  g_ptr_array_unref (logs);
  g_ptr_array_unref (warnings);
  g_ptr_array_unref (ckpts);
  g_ptr_array_unref (snaps);
  g_ptr_array_unref (states);
  g_array_unref (changes);
  g_array_unref (steps);
  g_array_unref (epochs);
  return G_SOURCE_REMOVE;
}

/* Called with t->lock held. */
static void
schedule_dispatch_locked (AnTrainer *t)
{
  if (t->dispatch_pending)
    return;
  t->dispatch_pending = TRUE;
  GSource *src = g_idle_source_new ();
  g_source_set_priority (src, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback (src, dispatch, g_object_ref (t), g_object_unref);
  g_source_set_static_name (src, "[alexnet-studio] trainer events");
  g_source_attach (src, t->context);
  g_source_unref (src);
}

/* Queues a message for the main thread: a "log" or a "warning" event. */
static void
queue_message (AnTrainer *t, gboolean warning, const char *message)
{
  an_mutex_lock (&t->lock);
  g_ptr_array_add (warning ? t->ev_warnings : t->ev_logs, g_strdup (message));
  schedule_dispatch_locked (t);
  an_mutex_unlock (&t->lock);
}

static void
emit_log (const char *message, gpointer data)
{
  queue_message (data, FALSE, message);
}

static void
emit_warning (const char *message, gpointer data)
{
  queue_message (data, TRUE, message);
}

static void G_GNUC_PRINTF (2, 3)
emit_logf (AnTrainer *t, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  emit_log (msg, t);
}

static gboolean
state_is_final (AnTrainerState s)
{
  return s == AN_TRAINER_FINISHED || s == AN_TRAINER_EARLY_STOPPED || s == AN_TRAINER_STOPPED ||
         s == AN_TRAINER_FAILED;
}

static void
set_state (AnTrainer *t, AnTrainerState s, const char *reason)
{
  an_mutex_lock (&t->lock);
  t->state = s;
  if (state_is_final (s))
    t->final = TRUE;
  StateEvent *e = g_new0 (StateEvent, 1);
  e->state = s;
  e->reason = g_strdup (reason);
  g_ptr_array_add (t->ev_states, e);
  schedule_dispatch_locked (t);
  an_cond_broadcast (&t->cond);
  an_mutex_unlock (&t->lock);
}

/* Writes the run's checkpoint and announces it; a failure (disk full...) leaves the old file. */
static gboolean
write_checkpoint (AnTrainer *t, AnRun *r, GError **error)
{
  if (!r->ckpt_path)
    return TRUE;
  /* No lock while writing (and fsync'ing): the history it reads is appended only by this
   * thread, and the consumer's thread only reads it, so it may keep calling in meanwhile. */
  if (!an_run_write_checkpoint (r, t->hist_epochs, error))
    return FALSE;
  an_mutex_lock (&t->lock);
  g_ptr_array_add (t->ev_ckpts, g_strdup (r->ckpt_path));
  schedule_dispatch_locked (t);
  an_mutex_unlock (&t->lock);
  return TRUE;
}

/* Serves queued snapshot requests. */
static void
serve_snapshots (AnTrainer *t, AnRun *r)
{
  for (;;)
    {
      an_mutex_lock (&t->lock);
      AnSnapshotRequest *q = g_queue_pop_head (&t->snap_req);
      an_mutex_unlock (&t->lock);
      if (!q)
        return;
      g_autoptr (GError) error = NULL;
      AnSnapshot *s = r->net.model ? an_run_snapshot (r, q, &error) : NULL;
      if (s)
        {
          an_mutex_lock (&t->lock);
          g_ptr_array_add (t->ev_snaps, s);
          schedule_dispatch_locked (t);
          an_mutex_unlock (&t->lock);
        }
      else if (error)
        emit_logf (t, "Snapshot not available: %s", error->message);
      an_snapshot_request_free (q);
    }
}

static void
record_change (AnTrainer *t, AnRun *r, AnLiveKey key, double old_value, double new_value,
               gboolean by_schedule)
{
  int per_epoch = r->train_b != NULL ? an_batcher_batches_per_epoch (r->train_b) : 0;
  AnHyperChange ch = { .step = r->step + 1, .key = key, .old_value = old_value,
                       .new_value = new_value, .by_schedule = by_schedule,
                       .epoch_frac = r->epoch + (per_epoch > 0 ? (double) r->batch_in_epoch /
                                                                   per_epoch : 0.0),
                       .wall_seconds = an_run_wall (r) };
  if (r->metrics)
    an_metrics_change (r->metrics, r->step + 1, r->epoch + 1, an_run_wall (r), key, old_value,
                       new_value, NULL);
  an_mutex_lock (&t->lock);
  g_array_append_val (t->ev_changes, ch);
  schedule_dispatch_locked (t);
  an_mutex_unlock (&t->lock);
}

/* Applies queued hyperparameter changes at a step boundary. The learning rate in use is the
 * schedule's (r->lr); the others are the run's configuration. */
static void
apply_hyper (AnTrainer *t, AnRun *r)
{
  an_mutex_lock (&t->lock);
  GArray *req = t->hyper_req;
  t->hyper_req = g_array_new (FALSE, TRUE, sizeof (HyperRequest));
  an_mutex_unlock (&t->lock);
  for (guint i = 0; i < req->len; i++)
    {
      const HyperRequest *h = &g_array_index (req, HyperRequest, i);
      double old;
      if (h->key == AN_LIVE_LR)
        {
          old = r->lr;
          r->lr = r->sched.lr = h->value;
        }
      else
        {
          old = an_run_config_get_live (&r->cfg, h->key);
          an_run_config_set_live (&r->cfg, h->key, h->value);
          if (h->key == AN_LIVE_DROPOUT)
            an_model_set_dropout (r->net.model, h->value);
        }
      if (old != h->value)
        record_change (t, r, h->key, old, h->value, FALSE);
    }
  g_array_unref (req);
}

typedef enum { CMD_NONE, CMD_STOP, CMD_RESTART_EPOCH, CMD_FAILED } Command;

/* Pauses here while asked to (or after divergence, or with a reason of the run's own: the
 * checkpoint is written and the state says why), serving snapshots; returns what to do. */
static Command
check_commands (AnTrainer *t, AnRun *r, gboolean diverged, const char *reason, GError **error)
{
  apply_hyper (t, r);
  serve_snapshots (t, r);
  an_mutex_lock (&t->lock);
  if (reason)
    t->pause_req = TRUE;
  gboolean pause = t->pause_req || diverged;
  gboolean stop = t->stop_req;
  an_mutex_unlock (&t->lock);
  if (stop)
    return CMD_STOP;
  if (!pause)
    return CMD_NONE;

  double lr_at_pause = r->lr;
  if (!diverged)
    {
      g_autoptr (GError) local = NULL;
      if (!write_checkpoint (t, r, &local))
        {
          set_state (t, AN_TRAINER_PAUSED, local->message);
          goto wait;
        }
      set_state (t, AN_TRAINER_PAUSED, reason);
    }
  an_mutex_lock (&t->lock);
  if (diverged)
    t->pause_req = TRUE;
  an_mutex_unlock (&t->lock);
wait:
  g_timer_stop (r->timer);
  for (;;)
    {
      serve_snapshots (t, r);
      apply_hyper (t, r);
      an_mutex_lock (&t->lock);
      if (!t->pause_req || t->stop_req || t->quit)
        {
          stop = t->stop_req || t->quit;
          an_mutex_unlock (&t->lock);
          break;
        }
      if (g_queue_is_empty (&t->snap_req) && t->hyper_req->len == 0)
        an_cond_wait (&t->cond, &t->lock);
      an_mutex_unlock (&t->lock);
    }
  g_timer_continue (r->timer);
  if (stop)
    return CMD_STOP;
  set_state (t, AN_TRAINER_RUNNING, NULL);
  if (diverged)
    {
      /* back to the last good weights; a tenth of the rate unless the user chose one */
      if (!an_run_restore_good (r, error))
        return CMD_FAILED;
      if (r->lr == lr_at_pause)
        {
          double old = r->lr;
          r->lr = r->sched.lr = old / 10;
          record_change (t, r, AN_LIVE_LR, old, r->lr, TRUE);
        }
      return CMD_RESTART_EPOCH;
    }
  return CMD_NONE;
}

/* ---- the epoch loop's hooks --------------------------------------------------------------- */

typedef struct {
  AnTrainer *t;
  GError **error;
} HookData;

static gboolean
at_step_boundary (AnRun *r, gpointer data)
{
  HookData *h = data;
  /* not diverged: the answer is to go on or to stop */
  return check_commands (h->t, r, FALSE, NULL, h->error) == CMD_NONE;
}

static void
step_done (AnRun *r, const AnStepRecord *rec, gpointer data)
{
  AnTrainer *t = ((HookData *) data)->t;
  an_mutex_lock (&t->lock);
  g_array_append_val (t->ev_steps, *rec);
  g_array_append_val (t->hist_steps, *rec);
  schedule_dispatch_locked (t);
  an_mutex_unlock (&t->lock);
}

/* Stopped by the user: the best weights when asked, then the final checkpoint. */
static AnTrainerState
finish_stopped (AnTrainer *t, AnRun *r, char **reason, GError **error)
{
  an_mutex_lock (&t->lock);
  gboolean keep_best = t->keep_best;
  an_mutex_unlock (&t->lock);
  if (keep_best && r->best_params && !an_model_set_params (r->net.model, r->best_params, error))
    return AN_TRAINER_FAILED;
  if (!write_checkpoint (t, r, error))
    return AN_TRAINER_FAILED;
  *reason = g_strdup (keep_best && r->best_params ? "stopped; the best weights are kept"
                                                  : "stopped");
  return AN_TRAINER_STOPPED;
}

static AnTrainerState
train (AnTrainer *t, AnRun *r, char **reason, GError **error)
{
  HookData hd = { t, error };
  AnEpochHooks hooks = { at_step_boundary, step_done, &hd };

  while (r->epoch < r->cfg.epochs)
    {
      double bad_loss = 0;
      AnEpochOutcome outcome = an_run_train_epoch (r, &hooks, &bad_loss, error);
      if (outcome == AN_EPOCH_FAILED)
        return AN_TRAINER_FAILED;
      if (outcome == AN_EPOCH_STOPPED)
        return finish_stopped (t, r, reason, error);
      if (outcome == AN_EPOCH_BAD_DATA)
        {
          switch (check_commands (t, r, FALSE, r->bad_data_reason, error))
            {
            case CMD_STOP:
              return finish_stopped (t, r, reason, error);
            case CMD_FAILED:
              return AN_TRAINER_FAILED;
            case CMD_NONE:
            case CMD_RESTART_EPOCH:
            default:
              continue; /* the epoch goes on from the batch it stopped at */
            }
        }
      if (outcome == AN_EPOCH_DIVERGED)
        {
          g_autofree char *why = g_strdup_printf (
            "loss became %s at step %" G_GINT64_FORMAT " with learning rate %g; resume to "
            "continue from the last good weights with a lower rate",
            isnan (bad_loss) ? "NaN" : "infinite", r->step + 1, r->lr);
          set_state (t, AN_TRAINER_DIVERGED, why);
          emit_logf (t, "Diverged: %s.", why);
          switch (check_commands (t, r, TRUE, NULL, error))
            {
            case CMD_STOP:
              return finish_stopped (t, r, reason, error);
            case CMD_FAILED:
              return AN_TRAINER_FAILED;
            case CMD_NONE:
            case CMD_RESTART_EPOCH:
            default:
              r->batch_in_epoch = 0;
              continue;
            }
        }

      /* the epoch is complete */
      AnEpochRecord er;
      gboolean stop_early = FALSE;
      double next_lr = r->lr;
      if (!an_run_end_epoch (r, &er, &stop_early, &next_lr, error))
        return AN_TRAINER_FAILED;
      an_mutex_lock (&t->lock);
      g_array_append_val (t->ev_epochs, er);
      g_array_append_val (t->hist_epochs, er);
      schedule_dispatch_locked (t);
      an_mutex_unlock (&t->lock);
      if (next_lr != r->lr)
        {
          double old = r->lr;
          r->lr = next_lr;
          /* the schedule's rate for an epoch that will not run is no change anyone saw */
          if (!stop_early && r->epoch < r->cfg.epochs)
            record_change (t, r, AN_LIVE_LR, old, next_lr, TRUE);
        }

      if (stop_early)
        {
          if (r->best_params && !an_model_set_params (r->net.model, r->best_params, error))
            return AN_TRAINER_FAILED;
          if (!write_checkpoint (t, r, error))
            return AN_TRAINER_FAILED;
          *reason = g_strdup_printf ("validation loss has not improved for %d epochs; the best "
                                     "weights (epoch %d) are kept",
                                     r->cfg.patience, r->early.best_epoch);
          return AN_TRAINER_EARLY_STOPPED;
        }
      g_autoptr (GError) local = NULL;
      gboolean written = write_checkpoint (t, r, &local);
      /* this epoch end is where a diverged run comes back to */
      if (!an_run_keep_good (r, written, error))
        return AN_TRAINER_FAILED;
      if (!written)
        {
          /* keep training in memory but tell the user at once: pause until they act */
          set_state (t, AN_TRAINER_PAUSED, local->message);
          an_mutex_lock (&t->lock);
          t->pause_req = TRUE;
          an_mutex_unlock (&t->lock);
        }
    }
  return AN_TRAINER_FINISHED;
}

static gpointer
worker (gpointer data)
{
  AnTrainer *t = data;
  AnRun r = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *reason = NULL;
  AnTrainerState final = AN_TRAINER_FAILED;

  set_state (t, AN_TRAINER_RUNNING, NULL);
  if (an_run_open (&r, &t->cfg, t->resume, emit_log, t, &error))
    {
      r.warn = emit_warning;
      r.warn_data = t;
      an_mutex_lock (&t->lock);
      t->class_names = g_strdupv (r.train_ds->class_names);
      t->steps_per_epoch = an_batcher_batches_per_epoch (r.train_b);
      an_mutex_unlock (&t->lock);
      g_autofree char *summary = an_run_describe (&r);
      emit_log (summary, t);
      final = train (t, &r, &reason, &error);
      if (final != AN_TRAINER_FAILED && r.test_b)
        {
          double loss, acc, top5;
          if (an_run_evaluate (&r, r.test_b, &loss, &acc, &top5, NULL, &error))
            {
              emit_logf (t, "Test set: loss %.4f, top-1 %.4f, top-5 %.4f (%d images).", loss,
                         acc, top5, r.n_test);
              an_mutex_lock (&t->lock);
              t->test = (AnTestResult) { loss, acc, top5, r.n_test };
              t->have_test = TRUE;
              an_mutex_unlock (&t->lock);
              g_autoptr (GError) local = NULL;
              if (r.metrics && !an_metrics_test (r.metrics, r.step, r.epoch, an_run_wall (&r),
                                                 loss, acc, top5, r.n_test, &local))
                emit_logf (t, "%s", local->message);
            }
          else
            final = AN_TRAINER_FAILED;
        }
    }
  if (final == AN_TRAINER_FAILED)
    reason = g_strdup (error ? error->message : "unknown failure");
  set_state (t, final, reason);

  /* stay to answer snapshot requests on the final weights */
  for (;;)
    {
      serve_snapshots (t, &r);
      an_mutex_lock (&t->lock);
      if (t->quit)
        {
          an_mutex_unlock (&t->lock);
          break;
        }
      if (g_queue_is_empty (&t->snap_req))
        an_cond_wait (&t->cond, &t->lock);
      an_mutex_unlock (&t->lock);
    }
  an_run_close (&r);
  return NULL;
}

/* Before the worker starts only: later the consumer's thread updates cfg_public. */
static void
publish_config (AnTrainer *t)
{
  an_run_config_clear (&t->cfg_public);
  an_run_config_copy (&t->cfg_public, &t->cfg);
}

/* ---- the object --------------------------------------------------------------------------- */

static void
an_trainer_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AnTrainer *t = AN_TRAINER (object);
  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, t->pub_state);
      break;
    case PROP_STATE_REASON:
      g_value_set_string (value, t->pub_reason);
      break;
    case PROP_EPOCH:
      g_value_set_int (value, t->pub_epoch);
      break;
    case PROP_STEP:
      g_value_set_int64 (value, t->pub_step);
      break;
    case PROP_EPOCHS:
      g_value_set_int (value, t->cfg_public.epochs);
      break;
    case PROP_STEPS_PER_EPOCH:
      g_value_set_int (value, t->pub_steps_per_epoch);
      break;
    case PROP_LAST_CHECKPOINT:
      g_value_set_string (value, t->last_checkpoint);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
an_trainer_dispose (GObject *object)
{
  AnTrainer *t = AN_TRAINER (object);
  if (t->thread)
    {
      an_mutex_lock (&t->lock);
      t->quit = TRUE;
      t->stop_req = TRUE;
      an_cond_broadcast (&t->cond);
      an_mutex_unlock (&t->lock);
      g_thread_join (g_steal_pointer (&t->thread));
    }
  G_OBJECT_CLASS (an_trainer_parent_class)->dispose (object);
}

static void
an_trainer_finalize (GObject *object)
{
  AnTrainer *t = AN_TRAINER (object);
  an_run_config_clear (&t->cfg);
  an_run_config_clear (&t->cfg_public);
  an_checkpoint_free (t->resume);
  g_array_unref (t->hyper_req);
  g_queue_clear_full (&t->snap_req, (GDestroyNotify) an_snapshot_request_free);
  g_strfreev (t->class_names);
  g_free (t->last_checkpoint);
  g_free (t->pub_reason);
  g_array_unref (t->hist_steps);
  g_array_unref (t->hist_epochs);
  g_ptr_array_unref (t->ev_logs);
  g_ptr_array_unref (t->ev_warnings);
  g_array_unref (t->ev_changes);
  g_array_unref (t->ev_steps);
  g_array_unref (t->ev_epochs);
  g_ptr_array_unref (t->ev_ckpts);
  g_ptr_array_unref (t->ev_snaps);
  for (guint i = 0; i < t->ev_states->len; i++)
    {
      StateEvent *e = t->ev_states->pdata[i];
      g_free (e->reason);
      g_free (e);
    }
  g_ptr_array_unref (t->ev_states);
  g_main_context_unref (t->context);
  an_mutex_clear (&t->lock);
  an_cond_clear (&t->cond);
  G_OBJECT_CLASS (an_trainer_parent_class)->finalize (object);
}

static void
an_trainer_class_init (AnTrainerClass *klass)
{
  GObjectClass *oc = G_OBJECT_CLASS (klass);
  oc->get_property = an_trainer_get_property;
  oc->dispose = an_trainer_dispose;
  oc->finalize = an_trainer_finalize;

  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  props[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, AN_TYPE_TRAINER_STATE,
                                         AN_TRAINER_IDLE, flags);
  props[PROP_STATE_REASON] = g_param_spec_string ("state-reason", NULL, NULL, NULL, flags);
  props[PROP_EPOCH] = g_param_spec_int ("epoch", NULL, NULL, 0, G_MAXINT, 0, flags);
  props[PROP_STEP] = g_param_spec_int64 ("step", NULL, NULL, 0, G_MAXINT64, 0, flags);
  props[PROP_EPOCHS] = g_param_spec_int ("epochs", NULL, NULL, 0, G_MAXINT, 0, flags);
  props[PROP_STEPS_PER_EPOCH] = g_param_spec_int ("steps-per-epoch", NULL, NULL, 0, G_MAXINT, 0,
                                                  flags);
  props[PROP_LAST_CHECKPOINT] = g_param_spec_string ("last-checkpoint", NULL, NULL, NULL, flags);
  g_object_class_install_properties (oc, N_PROPS, props);

  GType type = G_TYPE_FROM_CLASS (klass);
  signals[SIG_STEPS] = g_signal_new ("steps", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_EPOCH] = g_signal_new ("epoch", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_HYPER] = g_signal_new ("hyperparameter-changed", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                     NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_STATE] = g_signal_new ("state-changed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                     NULL, G_TYPE_NONE, 2, AN_TYPE_TRAINER_STATE, G_TYPE_STRING);
  signals[SIG_CHECKPOINT] = g_signal_new ("checkpoint-written", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                          NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIG_SNAPSHOT] = g_signal_new ("snapshot-ready", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                        NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_LOG] = g_signal_new ("log", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIG_WARNING] = g_signal_new ("warning", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
an_trainer_init (AnTrainer *t)
{
  an_mutex_init (&t->lock);
  an_cond_init (&t->cond);
  an_run_config_init (&t->cfg);
  an_run_config_init (&t->cfg_public);
  t->context = g_main_context_ref_thread_default ();
  t->hyper_req = g_array_new (FALSE, TRUE, sizeof (HyperRequest));
  g_queue_init (&t->snap_req);
  t->hist_steps = g_array_new (FALSE, TRUE, sizeof (AnStepRecord));
  t->hist_epochs = g_array_new (FALSE, TRUE, sizeof (AnEpochRecord));
  t->ev_logs = g_ptr_array_new_with_free_func (g_free);
  t->ev_warnings = g_ptr_array_new_with_free_func (g_free);
  t->ev_ckpts = g_ptr_array_new_with_free_func (g_free);
  t->ev_snaps = g_ptr_array_new_with_free_func ((GDestroyNotify) an_snapshot_unref);
  t->ev_states = g_ptr_array_new ();
  t->ev_changes = g_array_new (FALSE, TRUE, sizeof (AnHyperChange));
  t->ev_steps = g_array_new (FALSE, TRUE, sizeof (AnStepRecord));
  t->ev_epochs = g_array_new (FALSE, TRUE, sizeof (AnEpochRecord));
}

AnTrainer *
an_trainer_new (const AnRunConfig *cfg, GError **error)
{
  g_return_val_if_fail (cfg != NULL, NULL);
  if (!an_run_config_validate (cfg, error))
    return NULL;
  AnTrainer *t = g_object_new (AN_TYPE_TRAINER, NULL);
  an_run_config_clear (&t->cfg);
  an_run_config_copy (&t->cfg, cfg);
  publish_config (t);
  return t;
}

AnTrainer *
an_trainer_new_from_checkpoint (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  AnCheckpoint *ck = an_checkpoint_read (path, error);
  if (!ck)
    return NULL;
  AnTrainer *t = an_trainer_new (&ck->config, error);
  if (!t)
    {
      an_checkpoint_free (ck);
      return NULL;
    }
  /* keep writing next to the file we resumed from */
  g_free (t->cfg.checkpoint_dir);
  t->cfg.checkpoint_dir = g_path_get_dirname (path);
  publish_config (t);
  t->resume = ck;
  t->pub_epoch = ck->epoch;
  t->pub_step = ck->step;
  if (ck->epochs)
    g_array_append_vals (t->hist_epochs, ck->epochs->data, ck->epochs->len);
  /* the steps' curves come from the metrics file, when it is still there */
  {
    g_autofree char *mdefault = g_build_filename (t->cfg.checkpoint_dir, "metrics.csv", NULL);
    const char *mpath = t->cfg.metrics_path != NULL ? t->cfg.metrics_path : mdefault;
    g_autoptr (GError) local = NULL;
    g_autoptr (GArray) steps = an_metrics_read_steps (mpath, ck->step, &local);

    if (steps != NULL)
      g_array_append_vals (t->hist_steps, steps->data, steps->len);
    else
      g_debug ("%s: no step history: %s", path, local->message);
  }
  return t;
}

gboolean
an_trainer_set_epochs (AnTrainer *t, int epochs, GError **error)
{
  g_return_val_if_fail (AN_IS_TRAINER (t) && t->thread == NULL, FALSE);
  int done = t->resume ? t->resume->epoch : 0;
  char buf[16];
  g_snprintf (buf, sizeof buf, "%d", epochs);
  AnRunConfig probe;
  an_run_config_init (&probe);
  gboolean ok = an_run_config_set (&probe, "epochs", buf, error);
  an_run_config_clear (&probe);
  if (ok && epochs < done)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "epochs: the run has already completed %d epochs", done);
      ok = FALSE;
    }
  if (ok && t->resume != NULL)
    an_schedule_set_epochs (&t->resume->schedule, &t->cfg, done, epochs);
  if (ok && t->cfg.epochs != epochs)
    {
      t->cfg.epochs = t->cfg_public.epochs = epochs;
      g_object_notify_by_pspec (G_OBJECT (t), props[PROP_EPOCHS]);
    }
  return ok;
}

void
an_trainer_start (AnTrainer *t)
{
  g_return_if_fail (AN_IS_TRAINER (t));
  g_return_if_fail (t->thread == NULL);
  t->thread = g_thread_new ("alexnet-trainer", worker, t);
}

void
an_trainer_pause (AnTrainer *t)
{
  an_mutex_lock (&t->lock);
  t->pause_req = TRUE;
  an_cond_broadcast (&t->cond);
  an_mutex_unlock (&t->lock);
}

void
an_trainer_resume (AnTrainer *t)
{
  an_mutex_lock (&t->lock);
  t->pause_req = FALSE;
  an_cond_broadcast (&t->cond);
  an_mutex_unlock (&t->lock);
}

static void
stop_with (AnTrainer *t, gboolean keep_best)
{
  an_mutex_lock (&t->lock);
  t->stop_req = TRUE;
  t->keep_best = keep_best;
  an_cond_broadcast (&t->cond);
  an_mutex_unlock (&t->lock);
}

void
an_trainer_stop (AnTrainer *t)
{
  stop_with (t, FALSE);
}

void
an_trainer_stop_keep_best (AnTrainer *t)
{
  stop_with (t, TRUE);
}

void
an_trainer_join (AnTrainer *t)
{
  g_return_if_fail (t->thread != NULL);
  an_mutex_lock (&t->lock);
  while (!t->final)
    an_cond_wait (&t->cond, &t->lock);
  an_mutex_unlock (&t->lock);
}

gboolean
an_trainer_set_live (AnTrainer *t, AnLiveKey key, double value, GError **error)
{
  g_return_val_if_fail (AN_IS_TRAINER (t), FALSE);
  if (!an_live_check (key, value, error))
    return FALSE;
  HyperRequest h = { .key = key, .value = value };
  an_mutex_lock (&t->lock);
  g_array_append_val (t->hyper_req, h);
  an_cond_broadcast (&t->cond);
  an_mutex_unlock (&t->lock);
  return TRUE;
}

gboolean
an_trainer_set_hyperparameter (AnTrainer *t, const char *key, double value, GError **error)
{
  AnLiveKey live;
  return an_live_key_from_name (key, &live, error) && an_trainer_set_live (t, live, value, error);
}

static void
queue_snapshot (AnTrainer *t, AnSnapshotRequest *q)
{
  an_mutex_lock (&t->lock);
  g_queue_push_tail (&t->snap_req, q);
  an_cond_broadcast (&t->cond);
  an_mutex_unlock (&t->lock);
}

void
an_trainer_request_snapshot (AnTrainer *t, AnSnapshotKind kind, const char *layer,
                             const AnImage *probe)
{
  queue_snapshot (t, an_snapshot_request_new (kind, layer, probe));
}

void
an_trainer_request_lrn_snapshot (AnTrainer *t, const char *layer, const AnImage *probe, int size,
                                 double alpha, double beta, double k)
{
  AnSnapshotRequest *q = an_snapshot_request_new (AN_SNAPSHOT_LRN, layer, probe);
  q->lrn_size = size;
  q->lrn_alpha = alpha;
  q->lrn_beta = beta;
  q->lrn_k = k;
  queue_snapshot (t, q);
}

AnTrainerState
an_trainer_get_state (AnTrainer *t)
{
  an_mutex_lock (&t->lock);
  AnTrainerState s = t->state;
  an_mutex_unlock (&t->lock);
  return s;
}

const AnRunConfig *
an_trainer_get_config (AnTrainer *t)
{
  return &t->cfg_public;
}

char **
an_trainer_get_class_names (AnTrainer *t)
{
  return t->class_names;
}

int
an_trainer_get_epochs (AnTrainer *t)
{
  return t->cfg_public.epochs;
}

int
an_trainer_get_steps_per_epoch (AnTrainer *t)
{
  an_mutex_lock (&t->lock);
  int n = t->steps_per_epoch;
  an_mutex_unlock (&t->lock);
  return n;
}

gboolean
an_trainer_get_test_result (AnTrainer *t, AnTestResult *out)
{
  gboolean have;

  g_return_val_if_fail (AN_IS_TRAINER (t), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  an_mutex_lock (&t->lock);
  have = t->have_test;
  if (have)
    *out = t->test;
  an_mutex_unlock (&t->lock);
  return have;
}

const char *
an_trainer_get_last_checkpoint (AnTrainer *t)
{
  return t->last_checkpoint;
}

static GArray *
copy_array (AnTrainer *t, GArray *a, gsize elt)
{
  an_mutex_lock (&t->lock);
  GArray *c = g_array_sized_new (FALSE, FALSE, elt, a->len);
  g_array_append_vals (c, a->data, a->len);
  an_mutex_unlock (&t->lock);
  return c;
}

GArray *
an_trainer_get_step_history (AnTrainer *t)
{
  return copy_array (t, t->hist_steps, sizeof (AnStepRecord));
}

GArray *
an_trainer_get_epoch_history (AnTrainer *t)
{
  return copy_array (t, t->hist_epochs, sizeof (AnEpochRecord));
}

const char *
an_trainer_state_to_string (AnTrainerState s)
{
  GEnumClass *klass = g_type_class_ref (AN_TYPE_TRAINER_STATE);
  GEnumValue *v = g_enum_get_value (klass, s);
  const char *nick = v ? v->value_nick : "unknown";
  g_type_class_unref (klass);
  return nick;
}
