/* an-trainer.c: one training run on one worker thread (ARCHITECTURE.md contract 8).
 *
 * The worker owns the model, the batchers and the files. Commands reach it under t->lock
 * (pause is a condition variable, stop a flag checked at every step boundary); events leave
 * through pending lists under the same lock and a single idle source on the caller's
 * GMainContext, so the consumer wakes at most once per main-loop iteration whatever the step
 * rate. After a final state the worker stays to answer snapshot requests until disposal.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "an-checkpoint.h"
#include "an-error.h"
#include "an-model.h"
#include "an-rng.h"
#include "an-sync.h"
#include "an-trainer.h"

#define CHECKPOINT_NAME "checkpoint.ankpt"

typedef struct {
  char key[32];
  double value;
} HyperRequest;

typedef struct {
  AnSnapshotKind kind;
  char *layer;
  AnImage *probe;
  int lrn_size;
  double lrn_alpha, lrn_beta, lrn_k;
} SnapRequest;

typedef struct {
  AnTrainerState state;
  char *reason;
} StateEvent;

struct _AnTrainer {
  GObject parent_instance;

  AnRunConfig cfg;        /* the worker's; live fields change between steps */
  AnRunConfig cfg_public; /* a copy for an_trainer_get_config, under lock */
  GMainContext *context;
  GThread *thread;
  AnCheckpoint *resume;

  AnMutex lock;
  AnCond cond;
  /* commands */
  gboolean pause_req, stop_req, keep_best, quit;
  GArray *hyper_req;   /* HyperRequest */
  GQueue snap_req;     /* SnapRequest* */
  /* state */
  AnTrainerState state;
  gboolean final;
  char **class_names;
  int steps_per_epoch;
  char *last_checkpoint;
  GArray *hist_steps;  /* AnStepRecord */
  GArray *hist_epochs; /* AnEpochRecord */
  /* pending events */
  gboolean dispatch_pending;
  GPtrArray *ev_logs;   /* char* */
  GArray *ev_changes;   /* AnHyperChange */
  GArray *ev_steps;     /* AnStepRecord */
  GArray *ev_epochs;    /* AnEpochRecord */
  GPtrArray *ev_ckpts;  /* char* */
  GPtrArray *ev_snaps;  /* AnSnapshot* */
  GPtrArray *ev_states; /* StateEvent* */
};

G_DEFINE_FINAL_TYPE (AnTrainer, an_trainer, G_TYPE_OBJECT)

enum {
  SIG_STEPS,
  SIG_EPOCH,
  SIG_HYPER,
  SIG_STATE,
  SIG_CHECKPOINT,
  SIG_SNAPSHOT,
  SIG_LOG,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* ---- snapshots ---------------------------------------------------------------------------- */

static void
snapshot_clear (AnSnapshot *s)
{
  for (int i = 0; i < s->n_tensors; i++)
    g_free (s->tensors[i].data);
  g_free (s->tensors);
  g_free (s->layer);
  g_free (s->confusion);
  an_image_free (s->probe);
  an_run_config_clear (&s->config);
}

/* The public struct behind its reference count (an-sync.h, visible to ThreadSanitizer). */
typedef struct {
  AnRef ref;
  AnSnapshot snap;
} SnapshotBox;

#define SNAPSHOT_BOX(s) ((SnapshotBox *) ((char *) (s) - G_STRUCT_OFFSET (SnapshotBox, snap)))

AnSnapshot *
an_snapshot_ref (AnSnapshot *s)
{
  an_ref_inc (&SNAPSHOT_BOX (s)->ref);
  return s;
}

void
an_snapshot_unref (AnSnapshot *s)
{
  SnapshotBox *box = SNAPSHOT_BOX (s);
  if (an_ref_dec (&box->ref))
    {
      snapshot_clear (s);
      g_free (box);
    }
}

static AnSnapshot *
snapshot_new (AnSnapshotKind kind, const char *layer, int n_tensors)
{
  SnapshotBox *box = g_new0 (SnapshotBox, 1);
  an_ref_init (&box->ref);
  AnSnapshot *s = &box->snap;
  s->kind = kind;
  s->layer = g_strdup (layer);
  s->n_tensors = n_tensors;
  s->tensors = g_new0 (AnSnapshotTensor, MAX (n_tensors, 1));
  an_run_config_init (&s->config);
  return s;
}

static void
snap_request_free (SnapRequest *r)
{
  g_free (r->layer);
  an_image_free (r->probe);
  g_free (r);
}

/* ---- events ------------------------------------------------------------------------------- */

static void
config_set_live (AnRunConfig *c, const char *key, double v)
{
  if (g_str_equal (key, "lr"))
    c->lr = v;
  else if (g_str_equal (key, "momentum"))
    c->momentum = v;
  else if (g_str_equal (key, "weight_decay"))
    c->weight_decay = v;
  else if (g_str_equal (key, "dropout"))
    c->dropout = v;
  else if (g_str_equal (key, "patience"))
    c->patience = (int) v;
}

static gboolean
dispatch (gpointer data)
{
  AnTrainer *t = data;
  an_mutex_lock (&t->lock);
  GPtrArray *logs = t->ev_logs, *ckpts = t->ev_ckpts, *snaps = t->ev_snaps, *states = t->ev_states;
  GArray *changes = t->ev_changes, *steps = t->ev_steps, *epochs = t->ev_epochs;
  t->ev_logs = g_ptr_array_new_with_free_func (g_free);
  t->ev_ckpts = g_ptr_array_new_with_free_func (g_free);
  t->ev_snaps = g_ptr_array_new_with_free_func ((GDestroyNotify) an_snapshot_unref);
  t->ev_states = g_ptr_array_new ();
  t->ev_changes = g_array_new (FALSE, TRUE, sizeof (AnHyperChange));
  t->ev_steps = g_array_new (FALSE, TRUE, sizeof (AnStepRecord));
  t->ev_epochs = g_array_new (FALSE, TRUE, sizeof (AnEpochRecord));
  t->dispatch_pending = FALSE;
  an_mutex_unlock (&t->lock);

  for (guint i = 0; i < logs->len; i++)
    g_signal_emit (t, signals[SIG_LOG], 0, (const char *) logs->pdata[i]);
  for (guint i = 0; i < changes->len; i++)
    {
      const AnHyperChange *ch = &g_array_index (changes, AnHyperChange, i);
      /* cfg_public is only touched on this (the consumer's) thread once the run started */
      config_set_live (&t->cfg_public, ch->key, ch->new_value);
      g_signal_emit (t, signals[SIG_HYPER], 0, ch);
    }
  if (steps->len > 0)
    g_signal_emit (t, signals[SIG_STEPS], 0, steps);
  for (guint i = 0; i < epochs->len; i++)
    g_signal_emit (t, signals[SIG_EPOCH], 0, &g_array_index (epochs, AnEpochRecord, i));
  for (guint i = 0; i < ckpts->len; i++)
    {
      /* like cfg_public, only touched on the consumer's thread */
      g_free (t->last_checkpoint);
      t->last_checkpoint = g_strdup (ckpts->pdata[i]);
      g_signal_emit (t, signals[SIG_CHECKPOINT], 0, (const char *) ckpts->pdata[i]);
    }
  for (guint i = 0; i < snaps->len; i++)
    g_signal_emit (t, signals[SIG_SNAPSHOT], 0, snaps->pdata[i]);
  for (guint i = 0; i < states->len; i++)
    {
      StateEvent *e = states->pdata[i];
      g_signal_emit (t, signals[SIG_STATE], 0, (int) e->state, e->reason);
      g_free (e->reason);
      g_free (e);
    }
  g_ptr_array_unref (logs);
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

static void G_GNUC_PRINTF (2, 3)
emit_log (AnTrainer *t, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  an_mutex_lock (&t->lock);
  g_ptr_array_add (t->ev_logs, msg);
  schedule_dispatch_locked (t);
  an_mutex_unlock (&t->lock);
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

static AnImage *image_copy (const AnImage *img);

/* ---- the run ------------------------------------------------------------------------------ */

typedef struct {
  AnPreset *preset;
  AnDataset *train_ds, *test_ds;
  int *perm;
  int *train_idx, *val_idx, *test_idx;
  int n_train, n_val, n_test;
  AnInputSpec spec;
  AnBackend *be[2];
  AnBackend *ref; /* host-side LRN recomputation for the LRN explorer */
  AnModel *model;
  AnBatcher *train_b, *val_b, *test_b;
  AnMetrics *metrics;
  char *ckpt_path;
  int classes;

  /* progress */
  int epoch;          /* completed epochs */
  gint64 step;        /* completed steps */
  int batch_in_epoch;
  double wall_base;   /* seconds from earlier sessions of this run */
  GTimer *timer;
  AnScheduleState sched;
  AnEarlyStopState early;
  double lr;
  gsize n_params;
  float *best_params;
  float *good_params, *good_momentum; /* at the last epoch end, for divergence recovery */
  gint64 good_step;
  /* current epoch accumulators */
  double ep_loss;
  gint64 ep_correct, ep_seen;
  double ep_start;
  double ep_data_wait;
  /* last validation */
  gint64 *confusion;
  float *probs;
} Run;

static double
run_wall (Run *r)
{
  return r->wall_base + g_timer_elapsed (r->timer, NULL);
}

static void
run_clear (Run *r)
{
  an_batcher_free (r->train_b);
  an_batcher_free (r->val_b);
  an_batcher_free (r->test_b);
  an_model_free (r->model);
  an_backends_close (r->be);
  an_backend_free (r->ref);
  an_dataset_free (r->train_ds);
  an_dataset_free (r->test_ds);
  an_preset_free (r->preset);
  an_metrics_close (r->metrics);
  if (r->timer)
    g_timer_destroy (r->timer);
  g_free (r->perm);
  g_free (r->train_idx);
  g_free (r->val_idx);
  g_free (r->test_idx);
  g_free (r->ckpt_path);
  g_free (r->best_params);
  g_free (r->good_params);
  g_free (r->good_momentum);
  g_free (r->confusion);
  g_free (r->probs);
}

static gboolean
run_setup (AnTrainer *t, Run *r, GError **error)
{
  AnRunConfig *c = &t->cfg;
  r->timer = g_timer_new ();
  if (!(r->preset = an_preset_load (c->model, error)))
    return FALSE;
  emit_log (t, "Loading %s...", c->data);
  if (!(r->train_ds = an_dataset_load (c->data, AN_SPLIT_TRAIN, r->preset->height, r->preset->width, error)))
    return FALSE;
  if (!g_str_has_prefix (c->data, "folder:"))
    {
      g_autoptr (GError) local = NULL;
      r->test_ds = an_dataset_load (c->data, AN_SPLIT_TEST, r->preset->height, r->preset->width, &local);
      if (!r->test_ds)
        emit_log (t, "No test set: %s", local->message);
    }
  AnDataset *ds = r->train_ds;
  r->classes = ds->num_classes;

  int n = ds->count;
  r->n_val = c->val_size > 0 ? c->val_size : (int) llround (n * c->val_fraction);
  if (r->n_val >= n)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "val_size: %d validation images leave none of the %d for training", r->n_val, n);
      return FALSE;
    }
  r->n_train = n - r->n_val;
  if (c->train_size > 0 && c->train_size < r->n_train)
    r->n_train = c->train_size;
  r->perm = g_new (int, n);
  an_split_indices (c->seed, n, r->perm);
  r->train_idx = g_memdup2 (r->perm, sizeof (int) * r->n_train);
  r->val_idx = g_memdup2 (r->perm + (n - r->n_val), sizeof (int) * MAX (r->n_val, 1));
  if (r->test_ds)
    {
      r->n_test = c->test_size > 0 ? MIN (c->test_size, r->test_ds->count) : r->test_ds->count;
      r->test_idx = g_new (int, r->n_test);
      for (int i = 0; i < r->n_test; i++)
        r->test_idx[i] = i;
    }

  r->spec = (AnInputSpec){ .channels = r->preset->channels > 0 ? r->preset->channels : ds->channels,
                           .height = r->preset->height, .width = r->preset->width,
                           .normalize = c->normalize, .flip = c->augment_flip,
                           .crop = c->augment_crop, .pca = c->augment_pca,
                           .pca_std = (float) c->pca_std };
  an_input_spec_fit (&r->spec, ds, r->train_idx, r->n_train);

  g_autofree char *note = NULL;
  if (!an_backends_open (c->device, c->towers, c->threads, r->be, &note, error))
    return FALSE;
  if (note)
    emit_log (t, "%s", note);
  r->ref = an_backend_ref_new ();

  AnModelOptions mo = { .num_classes = r->classes, .in_channels = r->spec.channels,
                        .batch = c->batch, .towers = c->towers,
                        .devices = { r->be[0], r->be[1] }, .lrn = c->lrn, .dropout = c->dropout,
                        .seed = c->seed, .training = TRUE };
  if (!(r->model = an_model_new (r->preset, &mo, error)))
    return FALSE;
  r->n_params = an_model_param_total (r->model);
  r->confusion = g_new0 (gint64, (gsize) r->classes * r->classes);
  r->probs = g_new (float, (gsize) c->batch * r->classes);

  an_schedule_init (&r->sched, c);
  an_early_stop_init (&r->early);
  r->lr = c->lr;
  if (t->resume)
    {
      AnCheckpoint *ck = t->resume;
      if (ck->n_params != r->n_params)
        {
          g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                       "checkpoint has %" G_GSIZE_FORMAT " parameters, model %s with %d classes "
                       "has %" G_GSIZE_FORMAT, ck->n_params, c->model, r->classes, r->n_params);
          return FALSE;
        }
      an_model_set_params (r->model, ck->params);
      an_model_set_momentum (r->model, ck->momentum);
      r->epoch = ck->epoch;
      r->step = ck->step;
      r->batch_in_epoch = ck->batch_in_epoch;
      r->wall_base = ck->wall_seconds;
      r->sched = ck->schedule;
      r->early = ck->early;
      r->lr = ck->schedule.lr;
      if (ck->best_params)
        r->best_params = g_memdup2 (ck->best_params, r->n_params * sizeof (float));
      r->ep_loss = ck->ep_loss;
      r->ep_correct = ck->ep_correct;
      r->ep_seen = ck->ep_seen;
      an_mutex_lock (&t->lock);
      if (ck->epochs)
        g_array_append_vals (t->hist_epochs, ck->epochs->data, ck->epochs->len);
      an_mutex_unlock (&t->lock);
    }
  else
    an_model_init_params (r->model, c->init, c->seed);
  r->good_params = g_new (float, r->n_params);
  r->good_momentum = g_new (float, r->n_params);
  an_model_get_params (r->model, r->good_params);
  an_model_get_momentum (r->model, r->good_momentum);
  r->good_step = r->step;

  r->train_b = an_batcher_new (ds, r->train_idx, r->n_train, &r->spec, c->batch, TRUE, c->seed, 3);
  if (r->n_val > 0)
    r->val_b = an_batcher_new (ds, r->val_idx, r->n_val, &r->spec, c->batch, FALSE, c->seed, 2);
  if (r->test_ds)
    r->test_b = an_batcher_new (r->test_ds, r->test_idx, r->n_test, &r->spec, c->batch, FALSE, c->seed, 2);

  if (c->checkpoint_dir)
    {
      if (g_mkdir_with_parents (c->checkpoint_dir, 0755) != 0)
        {
          g_set_error (error, AN_ERROR, AN_ERROR_IO, "cannot create checkpoint folder %s: %s",
                       c->checkpoint_dir, g_strerror (errno));
          return FALSE;
        }
      r->ckpt_path = g_build_filename (c->checkpoint_dir, CHECKPOINT_NAME, NULL);
    }
  const char *mpath = c->metrics_path;
  g_autofree char *mdefault = NULL;
  if (!mpath && c->checkpoint_dir)
    mpath = mdefault = g_build_filename (c->checkpoint_dir, "metrics.csv", NULL);
  if (mpath)
    {
      gboolean append = t->resume != NULL && g_file_test (mpath, G_FILE_TEST_EXISTS);
      if (append && !an_metrics_truncate_after (mpath, r->step, error))
        return FALSE;
      if (!(r->metrics = an_metrics_open (mpath, c, append, error)))
        return FALSE;
    }

  an_mutex_lock (&t->lock);
  t->class_names = g_strdupv (ds->class_names);
  t->steps_per_epoch = an_batcher_batches_per_epoch (r->train_b);
  an_mutex_unlock (&t->lock);
  g_autofree char *where = g_strdup_printf ("%s%s", r->be[0]->ops->name,
                                            c->towers == 2 ? ", two towers" : "");
  emit_log (t, "%s: %d training, %d validation, %d test images, %d classes; model %s "
            "(%" G_GSIZE_FORMAT " parameters) on %s.",
            ds->name, r->n_train, r->n_val, r->n_test, r->classes, r->preset->name, r->n_params,
            where);
  return TRUE;
}

static void
fill_checkpoint (AnTrainer *t, Run *r, AnCheckpoint *ck)
{
  memset (ck, 0, sizeof *ck);
  ck->config = t->cfg; /* borrowed: not freed */
  ck->epoch = r->epoch;
  ck->step = r->step;
  ck->batch_in_epoch = r->batch_in_epoch;
  ck->wall_seconds = run_wall (r);
  ck->schedule = r->sched;
  ck->schedule.lr = r->lr;
  ck->early = r->early;
  ck->n_params = r->n_params;
  ck->params = g_new (float, r->n_params);
  ck->momentum = g_new (float, r->n_params);
  an_model_get_params (r->model, ck->params);
  an_model_get_momentum (r->model, ck->momentum);
  ck->best_params = r->best_params;
  ck->epochs = t->hist_epochs;
  ck->epoch_record_size = sizeof (AnEpochRecord);
  ck->ep_loss = r->ep_loss;
  ck->ep_correct = r->ep_correct;
  ck->ep_seen = r->ep_seen;
  ck->class_names = r->train_ds->class_names;
  ck->in_channels = r->spec.channels;
  ck->spec = r->spec;
}

/* Writes the checkpoint; a failure (disk full...) is reported and leaves the old file. */
static gboolean
write_checkpoint (AnTrainer *t, Run *r, GError **error)
{
  if (!r->ckpt_path)
    return TRUE;
  AnCheckpoint ck;
  fill_checkpoint (t, r, &ck);
  /* No lock while writing (and fsync'ing): the history it reads is appended only by this
   * thread, and the consumer's thread only reads it, so it may keep calling in meanwhile. */
  gboolean ok = an_checkpoint_write (&ck, r->ckpt_path, error);
  g_free (ck.params);
  g_free (ck.momentum);
  if (ok && r->metrics)
    ok = an_metrics_sync (r->metrics, error);
  if (ok)
    {
      an_mutex_lock (&t->lock);
      g_ptr_array_add (t->ev_ckpts, g_strdup (r->ckpt_path));
      schedule_dispatch_locked (t);
      an_mutex_unlock (&t->lock);
    }
  return ok;
}

/* The model input for a probe image; returns a copy of the image used (the first validation
 * image when probe is NULL). */
static AnImage *
input_from_probe (Run *r, const AnImage *probe, float *x)
{
  AnImage *used;
  if (probe)
    used = image_copy (probe);
  else
    {
      const AnDataset *ds = r->train_ds;
      gsize isz = (gsize) ds->channels * ds->height * ds->width;
      used = an_image_new (ds->channels, ds->height, ds->width);
      memcpy (used->pixels, ds->pixels + isz * r->val_idx[0], isz);
    }
  an_input_from_image (&r->spec, used->pixels, used->channels, used->height, used->width, x);
  return used;
}

static void
tensor_from_activation (AnSnapshotTensor *st, const char *name, int shape[4], float *data)
{
  g_strlcpy (st->name, name, sizeof st->name);
  memcpy (st->shape, shape, sizeof st->shape);
  st->tower = -1;
  st->data = data;
}

static int
layer_index (const AnPreset *p, const char *name)
{
  for (int i = 0; i < p->n_layers; i++)
    if (g_str_equal (p->layers[i].name, name))
      return i;
  return -1;
}

static AnSnapshot *
make_snapshot (AnTrainer *t, Run *r, SnapRequest *q, GError **error)
{
  const AnPreset *p = r->preset;
  AnSnapshot *s = NULL;
  switch (q->kind)
    {
    case AN_SNAPSHOT_WEIGHTS:
      {
        const char *layer = q->layer ? q->layer : p->layers[0].name;
        g_autofree char *pname = g_strconcat (layer, ".weight", NULL);
        int pi = an_model_find_param (r->model, pname);
        if (pi < 0)
          {
            g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                         "layer '%s' of %s has no weights", layer, p->name);
            return NULL;
          }
        int shape[4], ndim;
        gsize off;
        an_model_param_shape (r->model, pi, shape, &ndim, &off);
        gsize count = (gsize) shape[0] * shape[1] * shape[2] * shape[3];
        g_autofree float *w = g_new (float, count);
        an_model_get_param (r->model, pi, w);
        int towers = p->towers == 2 && shape[0] % 2 == 0 ? 2 : 1;
        s = snapshot_new (q->kind, layer, towers);
        gsize per = count / towers;
        for (int k = 0; k < towers; k++)
          {
            AnSnapshotTensor *st = &s->tensors[k];
            g_strlcpy (st->name, pname, sizeof st->name);
            memcpy (st->shape, shape, sizeof st->shape);
            st->shape[0] = shape[0] / towers;
            st->tower = towers == 2 ? k : -1;
            st->data = g_memdup2 (w + per * k, per * sizeof (float));
          }
        break;
      }
    case AN_SNAPSHOT_FEATURES:
    case AN_SNAPSHOT_LRN:
      {
        g_autofree float *x = g_new (float, (gsize) r->spec.channels * r->spec.height * r->spec.width);
        g_autoptr (AnImage) used = input_from_probe (r, q->probe, x);
        an_model_forward (r->model, 1, x, NULL, FALSE, 0);
        if (q->kind == AN_SNAPSHOT_FEATURES)
          {
            const char *layer = q->layer ? q->layer : p->layers[0].name;
            int shape[4];
            float *data;
            if (!an_model_get_activation (r->model, layer, shape, &data, error))
              return NULL;
            s = snapshot_new (q->kind, layer, 1);
            tensor_from_activation (&s->tensors[0], layer, shape, data);
            s->probe = g_steal_pointer (&used);
            break;
          }
        /* the LRN layer itself or the first LRN after the named layer */
        int li = layer_index (p, q->layer ? q->layer : p->layers[0].name);
        while (li >= 0 && li < p->n_layers && p->layers[li].kind != AN_LAYER_LRN)
          li++;
        if (li < 1 || li >= p->n_layers)
          {
            g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                         "model %s has no LRN layer at or after '%s'", p->name,
                         q->layer ? q->layer : p->layers[0].name);
            return NULL;
          }
        const AnLayerSpec *L = &p->layers[li];
        int shape[4];
        float *before;
        if (!an_model_get_activation (r->model, p->layers[li - 1].name, shape, &before, error))
          return NULL;
        s = snapshot_new (q->kind, L->name, 2);
        s->lrn_size = q->lrn_size > 0 ? q->lrn_size : L->size;
        s->lrn_alpha = q->lrn_alpha > 0 ? q->lrn_alpha : L->alpha;
        s->lrn_beta = q->lrn_beta > 0 ? q->lrn_beta : L->beta;
        s->lrn_k = q->lrn_k > 0 ? q->lrn_k : L->lrn_k;
        gsize count = (gsize) shape[0] * shape[1] * shape[2] * shape[3];
        float *after = g_new (float, count);
        g_autofree float *scale = g_new (float, count);
        AnLrnDesc d = { .n = shape[0], .c = shape[1], .h = shape[2], .w = shape[3],
                        .size = s->lrn_size, .groups = L->groups,
                        .alpha = (float) (t->cfg.lrn == AN_LRN_CODE ? s->lrn_alpha / s->lrn_size : s->lrn_alpha),
                        .beta = (float) s->lrn_beta, .k = (float) s->lrn_k };
        if (!an_lrn_desc_check (&d, error))
          {
            g_free (before);
            g_free (after);
            an_snapshot_unref (s);
            return NULL;
          }
        r->ref->ops->lrn_forward (r->ref, &d, after, scale, before);
        tensor_from_activation (&s->tensors[0], "before", shape, before);
        tensor_from_activation (&s->tensors[1], "after", shape, after);
        s->probe = g_steal_pointer (&used);
        break;
      }
    case AN_SNAPSHOT_CONFUSION:
      s = snapshot_new (q->kind, NULL, 0);
      s->num_classes = r->classes;
      s->confusion = g_memdup2 (r->confusion, sizeof (gint64) * r->classes * r->classes);
      break;
    case AN_SNAPSHOT_PARAMS:
    default:
      {
        s = snapshot_new (AN_SNAPSHOT_PARAMS, NULL, 1);
        AnSnapshotTensor *st = &s->tensors[0];
        g_strlcpy (st->name, "params", sizeof st->name);
        st->shape[0] = (int) r->n_params;
        st->shape[1] = st->shape[2] = st->shape[3] = 1;
        st->tower = -1;
        st->data = g_new (float, r->n_params);
        an_model_get_params (r->model, st->data);
        an_run_config_clear (&s->config);
        an_run_config_copy (&s->config, &t->cfg);
        s->num_classes = r->classes;
        s->input = r->spec;
        break;
      }
    }
  s->step = r->step;
  s->epoch = r->epoch;
  return s;
}

/* Serves queued snapshot requests. */
static void
serve_snapshots (AnTrainer *t, Run *r)
{
  for (;;)
    {
      an_mutex_lock (&t->lock);
      SnapRequest *q = g_queue_pop_head (&t->snap_req);
      an_mutex_unlock (&t->lock);
      if (!q)
        return;
      g_autoptr (GError) error = NULL;
      AnSnapshot *s = r->model ? make_snapshot (t, r, q, &error) : NULL;
      if (s)
        {
          an_mutex_lock (&t->lock);
          g_ptr_array_add (t->ev_snaps, s);
          schedule_dispatch_locked (t);
          an_mutex_unlock (&t->lock);
        }
      else if (error)
        emit_log (t, "Snapshot not available: %s", error->message);
      snap_request_free (q);
    }
}

static void
record_change (AnTrainer *t, Run *r, const char *key, double old_value, double new_value,
               gboolean by_schedule)
{
  AnHyperChange ch = { .step = r->step + 1, .old_value = old_value, .new_value = new_value,
                       .by_schedule = by_schedule };
  g_strlcpy (ch.key, key, sizeof ch.key);
  if (r->metrics)
    an_metrics_change (r->metrics, r->step + 1, r->epoch + 1, run_wall (r), key, old_value,
                       new_value, NULL);
  an_mutex_lock (&t->lock);
  g_array_append_val (t->ev_changes, ch);
  schedule_dispatch_locked (t);
  an_mutex_unlock (&t->lock);
}

/* Applies queued hyperparameter changes at a step boundary. */
static void
apply_hyper (AnTrainer *t, Run *r)
{
  an_mutex_lock (&t->lock);
  GArray *req = t->hyper_req;
  t->hyper_req = g_array_new (FALSE, TRUE, sizeof (HyperRequest));
  an_mutex_unlock (&t->lock);
  for (guint i = 0; i < req->len; i++)
    {
      HyperRequest *h = &g_array_index (req, HyperRequest, i);
      double old;
      if (g_str_equal (h->key, "lr"))
        old = r->lr, r->lr = h->value, r->sched.lr = h->value;
      else if (g_str_equal (h->key, "momentum"))
        old = t->cfg.momentum, t->cfg.momentum = h->value;
      else if (g_str_equal (h->key, "weight_decay"))
        old = t->cfg.weight_decay, t->cfg.weight_decay = h->value;
      else if (g_str_equal (h->key, "dropout"))
        old = t->cfg.dropout, t->cfg.dropout = h->value, an_model_set_dropout (r->model, h->value);
      else
        old = t->cfg.patience, t->cfg.patience = (int) h->value;
      if (old != h->value)
        record_change (t, r, h->key, old, h->value, FALSE);
    }
  g_array_unref (req);
}

typedef enum { CMD_NONE, CMD_STOP, CMD_RESTART_EPOCH } Command;

/* Pauses here while asked to (or after divergence), serving snapshots; returns what to do. */
static Command
check_commands (AnTrainer *t, Run *r, gboolean diverged)
{
  apply_hyper (t, r);
  serve_snapshots (t, r);
  an_mutex_lock (&t->lock);
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
      g_autoptr (GError) error = NULL;
      if (!write_checkpoint (t, r, &error))
        {
          set_state (t, AN_TRAINER_PAUSED, error->message);
          goto wait;
        }
      set_state (t, AN_TRAINER_PAUSED, NULL);
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
      an_model_set_params (r->model, r->good_params);
      an_model_set_momentum (r->model, r->good_momentum);
      r->step = r->good_step;
      if (r->lr == lr_at_pause)
        {
          double old = r->lr;
          r->lr = r->sched.lr = old / 10;
          record_change (t, r, "lr", old, r->lr, TRUE);
        }
      return CMD_RESTART_EPOCH;
    }
  return CMD_NONE;
}

/* Top-1/top-5 hits of n rows of probabilities. */
static void
count_hits (const float *probs, const gint32 *labels, int n, int k, gint64 *top1, gint64 *top5,
            gint64 *confusion)
{
  for (int i = 0; i < n; i++)
    {
      const float *p = probs + (gsize) i * k;
      float pl = p[labels[i]];
      int better = 0, arg = 0;
      for (int j = 0; j < k; j++)
        {
          if (p[j] > pl || (p[j] == pl && j < labels[i]))
            better++;
          if (p[j] > p[arg])
            arg = j;
        }
      *top1 += better == 0;
      if (top5)
        *top5 += better < 5;
      if (confusion)
        confusion[(gsize) labels[i] * k + arg]++;
    }
}

/* Mean loss, top-1 and top-5 over a batcher's epoch in eval mode. */
static void
evaluate (Run *r, AnBatcher *b, double *loss, double *acc, double *top5, gint64 *confusion)
{
  double sum = 0;
  gint64 seen = 0, h1 = 0, h5 = 0;
  if (confusion)
    memset (confusion, 0, sizeof (gint64) * r->classes * r->classes);
  an_batcher_start_epoch (b, 0, 0);
  AnBatch *batch;
  while ((batch = an_batcher_next (b)))
    {
      sum += an_model_forward (r->model, batch->n, batch->x, batch->labels, FALSE, 0) * batch->n;
      an_model_get_probs (r->model, r->probs);
      count_hits (r->probs, batch->labels, batch->n, r->classes, &h1, &h5, confusion);
      seen += batch->n;
      an_batcher_release (b, batch);
    }
  *loss = seen ? sum / seen : NAN;
  *acc = seen ? (double) h1 / seen : NAN;
  *top5 = seen ? (double) h5 / seen : NAN;
}

static AnTrainerState
train (AnTrainer *t, Run *r, char **reason, GError **error)
{
  AnRunConfig *c = &t->cfg;
  AnBatcher *tb = r->train_b;
  gboolean stopped = FALSE;

  while (r->epoch < c->epochs && !stopped)
    {
      int epoch = r->epoch + 1;
      if (r->batch_in_epoch == 0)
        {
          r->ep_loss = 0;
          r->ep_correct = r->ep_seen = 0;
        }
      r->ep_start = run_wall (r);
      r->ep_data_wait = 0;
      an_batcher_start_epoch (tb, r->epoch, r->batch_in_epoch);
      gboolean restart = FALSE;
      AnBatch *batch;
      double t_last = run_wall (r);
      for (;;)
        {
          double t_wait = run_wall (r);
          batch = an_batcher_next (tb);
          r->ep_data_wait += run_wall (r) - t_wait;
          if (!batch)
            break;
          Command cmd = check_commands (t, r, FALSE);
          if (cmd == CMD_STOP)
            {
              an_batcher_release (tb, batch);
              stopped = TRUE;
              break;
            }
          double loss = an_model_forward (r->model, batch->n, batch->x, batch->labels, TRUE, r->step + 1);
          if (!isfinite (loss))
            {
              an_batcher_release (tb, batch);
              g_autofree char *why = g_strdup_printf (
                "loss became %s at step %" G_GINT64_FORMAT " with learning rate %g; resume to "
                "continue from the last good weights with a lower rate",
                isnan (loss) ? "NaN" : "infinite", r->step + 1, r->lr);
              set_state (t, AN_TRAINER_DIVERGED, why);
              emit_log (t, "Diverged: %s.", why);
              cmd = check_commands (t, r, TRUE);
              if (cmd == CMD_STOP)
                stopped = TRUE;
              restart = cmd == CMD_RESTART_EPOCH;
              break;
            }
          an_model_backward (r->model);
          double gn = an_model_grad_norm (r->model);
          AnSgdDesc sd = { .rule = c->rule, .lr = (float) r->lr, .momentum = (float) c->momentum,
                           .weight_decay = (float) c->weight_decay };
          an_model_sgd_step (r->model, &sd);
          an_model_get_probs (r->model, r->probs);
          gint64 hits = 0;
          count_hits (r->probs, batch->labels, batch->n, r->classes, &hits, NULL, NULL);
          r->ep_correct += hits;
          r->ep_loss += loss * batch->n;
          r->ep_seen += batch->n;
          r->step++;
          r->batch_in_epoch++;

          double now = run_wall (r);
          AnStepRecord rec = { .step = r->step, .epoch = epoch, .loss = loss, .lr = r->lr,
                               .grad_norm = gn, .wall_seconds = now,
                               .images_per_second = batch->n / MAX (now - t_last, 1e-9),
                               .epoch_frac = r->epoch + (double) r->batch_in_epoch /
                                                          an_batcher_batches_per_epoch (tb) };
          t_last = now;
          an_batcher_release (tb, batch);
          if (r->metrics)
            an_metrics_step (r->metrics, rec.step, epoch, now, rec.lr, loss, gn,
                             rec.images_per_second, NULL);
          an_mutex_lock (&t->lock);
          g_array_append_val (t->ev_steps, rec);
          g_array_append_val (t->hist_steps, rec);
          schedule_dispatch_locked (t);
          an_mutex_unlock (&t->lock);
        }
      if (restart)
        {
          r->batch_in_epoch = 0;
          continue;
        }
      if (stopped)
        break;

      /* the epoch is complete */
      AnEpochRecord er = { .epoch = epoch, .step = r->step, .lr = r->lr,
                           .train_loss = r->ep_seen ? r->ep_loss / r->ep_seen : NAN,
                           .train_acc = r->ep_seen ? (double) r->ep_correct / r->ep_seen : NAN,
                           .val_loss = NAN, .val_acc = NAN, .val_top5 = NAN };
      if (r->val_b)
        evaluate (r, r->val_b, &er.val_loss, &er.val_acc, &er.val_top5, r->confusion);
      r->epoch = epoch;
      r->batch_in_epoch = 0;

      /* the best weights are tracked even without early stopping */
      gboolean improved = FALSE;
      double score_loss = r->val_b ? er.val_loss : er.train_loss;
      gboolean stop_now = an_early_stop_update (&r->early, c->early_stopping ? c->patience : G_MAXINT,
                                                c->delta, epoch, score_loss, &improved);
      stop_now = stop_now && c->early_stopping;
      if (improved)
        {
          if (!r->best_params)
            r->best_params = g_new (float, r->n_params);
          an_model_get_params (r->model, r->best_params);
        }
      er.best_val_loss = r->early.best_val_loss;
      er.best_epoch = r->early.best_epoch;
      er.es_counter = r->early.counter;
      double new_lr = an_schedule_epoch_end (&r->sched, c, epoch, score_loss,
                                             r->val_b ? 1.0 - er.val_acc : 1.0 - er.train_acc);
      double now = run_wall (r);
      er.seconds = now - r->ep_start;
      er.wall_seconds = now;
      er.data_wait_seconds = r->ep_data_wait;
      if (r->metrics)
        an_metrics_epoch (r->metrics, r->step, epoch, now, r->lr, er.train_loss, er.train_acc,
                          er.val_loss, er.val_acc, er.val_top5, NULL);
      an_mutex_lock (&t->lock);
      g_array_append_val (t->ev_epochs, er);
      g_array_append_val (t->hist_epochs, er);
      schedule_dispatch_locked (t);
      an_mutex_unlock (&t->lock);
      if (new_lr != r->lr)
        {
          double old = r->lr;
          r->lr = new_lr;
          record_change (t, r, "lr", old, new_lr, TRUE);
        }
      an_model_get_params (r->model, r->good_params);
      an_model_get_momentum (r->model, r->good_momentum);
      r->good_step = r->step;

      if (stop_now)
        {
          if (r->best_params)
            an_model_set_params (r->model, r->best_params);
          if (!write_checkpoint (t, r, error))
            return AN_TRAINER_FAILED;
          *reason = g_strdup_printf ("validation loss has not improved for %d epochs; the best "
                                     "weights (epoch %d) are kept", c->patience, r->early.best_epoch);
          return AN_TRAINER_EARLY_STOPPED;
        }
      if (!write_checkpoint (t, r, error))
        {
          /* keep training in memory but tell the user at once: pause until they act */
          set_state (t, AN_TRAINER_PAUSED, (*error)->message);
          g_clear_error (error);
          an_mutex_lock (&t->lock);
          t->pause_req = TRUE;
          an_mutex_unlock (&t->lock);
        }
    }

  if (stopped)
    {
      gboolean keep_best;
      an_mutex_lock (&t->lock);
      keep_best = t->keep_best;
      an_mutex_unlock (&t->lock);
      if (keep_best && r->best_params)
        an_model_set_params (r->model, r->best_params);
      if (!write_checkpoint (t, r, error))
        return AN_TRAINER_FAILED;
      *reason = g_strdup (keep_best && r->best_params ? "stopped; the best weights are kept" : "stopped");
      return AN_TRAINER_STOPPED;
    }
  return AN_TRAINER_FINISHED;
}

static gpointer
worker (gpointer data)
{
  AnTrainer *t = data;
  Run r = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *reason = NULL;
  AnTrainerState final = AN_TRAINER_FAILED;

  set_state (t, AN_TRAINER_RUNNING, NULL);
  if (run_setup (t, &r, &error))
    {
      final = train (t, &r, &reason, &error);
      if (final != AN_TRAINER_FAILED && r.test_b)
        {
          double loss, acc, top5;
          evaluate (&r, r.test_b, &loss, &acc, &top5, NULL);
          emit_log (t, "Test set: loss %.4f, top-1 %.4f, top-5 %.4f (%d images).", loss, acc,
                    top5, r.n_test);
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
  run_clear (&r);
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
  g_queue_clear_full (&t->snap_req, (GDestroyNotify) snap_request_free);
  g_strfreev (t->class_names);
  g_free (t->last_checkpoint);
  g_array_unref (t->hist_steps);
  g_array_unref (t->hist_epochs);
  g_ptr_array_unref (t->ev_logs);
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
  oc->dispose = an_trainer_dispose;
  oc->finalize = an_trainer_finalize;
  GType type = G_TYPE_FROM_CLASS (klass);
  signals[SIG_STEPS] = g_signal_new ("steps", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_EPOCH] = g_signal_new ("epoch", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_HYPER] = g_signal_new ("hyperparameter-changed", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                     NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_STATE] = g_signal_new ("state-changed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                     NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
  signals[SIG_CHECKPOINT] = g_signal_new ("checkpoint-written", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                          NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIG_SNAPSHOT] = g_signal_new ("snapshot-ready", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                        NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_LOG] = g_signal_new ("log", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
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
  AnCheckpoint *ck = an_checkpoint_read (path, sizeof (AnEpochRecord), error);
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
  if (ok)
    t->cfg.epochs = t->cfg_public.epochs = epochs;
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
an_trainer_set_hyperparameter (AnTrainer *t, const char *key, double value, GError **error)
{
  static const char *const keys[] = { "lr", "momentum", "weight_decay", "dropout", "patience" };
  gboolean known = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    known |= g_str_equal (key, keys[i]);
  if (!known)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "'%s' cannot be changed during a run (lr, momentum, weight_decay, dropout, "
                   "patience can)", key);
      return FALSE;
    }
  /* the configuration's own range check */
  AnRunConfig probe;
  an_run_config_init (&probe);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  if (g_str_equal (key, "patience"))
    g_snprintf (buf, sizeof buf, "%d", (int) value);
  else
    g_ascii_dtostr (buf, sizeof buf, value);
  gboolean ok = (!g_str_equal (key, "patience") || value == floor (value)) &&
                an_run_config_set (&probe, key, buf, error);
  an_run_config_clear (&probe);
  if (!ok)
    {
      if (error && !*error)
        g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT, "patience: %g is not a whole number", value);
      return FALSE;
    }
  HyperRequest h = { .value = value };
  g_strlcpy (h.key, key, sizeof h.key);
  an_mutex_lock (&t->lock);
  g_array_append_val (t->hyper_req, h);
  an_cond_broadcast (&t->cond);
  an_mutex_unlock (&t->lock);
  return TRUE;
}

static void
queue_snapshot (AnTrainer *t, SnapRequest *q)
{
  an_mutex_lock (&t->lock);
  g_queue_push_tail (&t->snap_req, q);
  an_cond_broadcast (&t->cond);
  an_mutex_unlock (&t->lock);
}

static AnImage *
image_copy (const AnImage *img)
{
  if (!img)
    return NULL;
  AnImage *c = an_image_new (img->channels, img->height, img->width);
  memcpy (c->pixels, img->pixels, (gsize) img->channels * img->height * img->width);
  return c;
}

void
an_trainer_request_snapshot (AnTrainer *t, AnSnapshotKind kind, const char *layer,
                             const AnImage *probe)
{
  SnapRequest *q = g_new0 (SnapRequest, 1);
  q->kind = kind;
  q->layer = g_strdup (layer);
  q->probe = image_copy (probe);
  queue_snapshot (t, q);
}

void
an_trainer_request_lrn_snapshot (AnTrainer *t, const char *layer, const AnImage *probe, int size,
                                 double alpha, double beta, double k)
{
  SnapRequest *q = g_new0 (SnapRequest, 1);
  q->kind = AN_SNAPSHOT_LRN;
  q->layer = g_strdup (layer);
  q->probe = image_copy (probe);
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
  static const char *const names[] = { "idle", "running", "paused", "finished",
                                       "early-stopped", "stopped", "diverged", "failed" };
  return (guint) s < G_N_ELEMENTS (names) ? names[s] : "unknown";
}
