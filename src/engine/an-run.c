/* an-run.c: a run's model from a configuration or a checkpoint, shared by the trainer, `alexnet
 * eval` and the classifier; a training run's setup, resumption and checkpoint (an-run.h).
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "an-epoch.h"
#include "an-error.h"
#include "an-placement.h"
#include "an-run.h"
#include "data/an-pipeline.h"

#define CHECKPOINT_NAME "checkpoint.ankpt"
/* a hard link to the checkpoint of the last epoch end while the run is open (an-run.h) */
#define GOOD_NAME ".last-good.ankpt"

void
an_run_model_close (AnRunModel *rm)
{
  g_clear_pointer (&rm->model, an_model_free);
  if (rm->be[0] != NULL)
    an_backends_close (rm->be);
  g_clear_pointer (&rm->preset, an_preset_free);
}

gboolean
an_run_model_open (AnRunModel *rm, const AnRunModelSpec *spec, char **note, GError **error)
{
  const AnRunConfig *c = spec->config;
  int towers = spec->cpu ? 1 : c->towers;

  memset (rm, 0, sizeof *rm);
  if (spec->num_classes < 1)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: the weights come without class names",
                   spec->source ? spec->source : c->model);
      return FALSE;
    }
  if (!(rm->preset = an_preset_load (c->model, error)))
    return FALSE;
  if (spec->cpu)
    rm->be[0] = rm->be[1] = an_backend_cpu_new (0, spec->threads);
  else if (!an_backends_open (c->device, towers, c->threads, rm->be, note, error))
    goto fail;

  AnModelOptions mo = { .num_classes = spec->num_classes, .in_channels = spec->in_channels,
                        .batch = spec->batch, .towers = towers,
                        .devices = { rm->be[0], rm->be[1] }, .lrn = c->lrn,
                        .dropout = c->dropout, .seed = c->seed, .training = spec->training };
  if (!(rm->model = an_model_new (rm->preset, &mo, error)))
    goto fail;
  if (spec->params == NULL)
    {
      if (!an_model_init_params (rm->model, c->init, c->seed, error))
        goto fail;
      return TRUE;
    }
  if (an_model_param_total (rm->model) != spec->n_params)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "%s holds %" G_GSIZE_FORMAT " parameters, model %s with %d classes needs %"
                   G_GSIZE_FORMAT, spec->source ? spec->source : "the weights", spec->n_params,
                   rm->preset->name, spec->num_classes, an_model_param_total (rm->model));
      goto fail;
    }
  if (!an_model_set_params (rm->model, spec->params, error) ||
      (spec->momentum && !an_model_set_momentum (rm->model, spec->momentum, error)))
    goto fail;
  return TRUE;

fail:
  an_run_model_close (rm);
  return FALSE;
}

AnCheckpoint *
an_run_model_open_checkpoint (AnRunModel *rm, const char *path, int batch, int threads,
                              GError **error)
{
  AnCheckpoint *ck = an_checkpoint_read (path, error);

  memset (rm, 0, sizeof *rm);
  if (!ck)
    return NULL;
  /* the best weights when the run kept them: what early stopping promises */
  AnRunModelSpec spec = {
    .config = &ck->config,
    .num_classes = ck->class_names ? (int) g_strv_length (ck->class_names) : 0,
    .in_channels = ck->in_channels,
    .batch = batch,
    .cpu = TRUE,
    .threads = threads,
    .params = ck->best_params ? ck->best_params : ck->params,
    .n_params = ck->n_params,
    .source = path,
  };
  if (!an_run_model_open (rm, &spec, NULL, error))
    {
      an_checkpoint_free (ck);
      return NULL;
    }
  return ck;
}

/* ---- a training run ---- */

static void G_GNUC_PRINTF (3, 4)
run_log (AnRunLogFunc log, gpointer data, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (log)
    log (msg, data);
}

double
an_run_wall (const AnRun *r)
{
  return r->wall_base + g_timer_elapsed (r->timer, NULL);
}

void
an_run_close (AnRun *r)
{
  an_batcher_free (r->train_b);
  an_batcher_free (r->val_b);
  an_batcher_free (r->test_b);
  an_run_model_close (&r->net);
  an_backend_free (r->ref);
  an_dataset_free (r->train_ds);
  an_dataset_free (r->test_ds);
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
  if (r->good_path)
    g_unlink (r->good_path);
  g_free (r->good_path);
  g_free (r->confusion);
  g_free (r->probs);
  g_free (r->bad_data_reason);
  an_run_config_clear (&r->cfg);
  memset (r, 0, sizeof *r);
}

/* The datasets, the train / validation / test split and the model's input. */
static gboolean
open_data (AnRun *r, const AnPreset *preset, AnRunLogFunc log, gpointer log_data,
           GError **error)
{
  const AnRunConfig *c = &r->cfg;

  r->spec = (AnInputSpec){ .channels = preset->channels, .height = preset->height,
                           .width = preset->width, .normalize = c->normalize,
                           .flip = c->augment_flip, .crop = c->augment_crop,
                           .pca = c->augment_pca, .pca_std = (float) c->pca_std };
  r->spec.pipeline = an_pipeline_resolve (c->pipeline, &r->spec,
                                          an_pipeline_image_files (c->data));
  run_log (log, log_data, "Loading %s...", c->data);
  if (!(r->train_ds = an_dataset_load (c->data, AN_SPLIT_TRAIN, preset->height, preset->width,
                                       error)))
    return FALSE;
  if (an_dataset_has_test_split (c->data))
    {
      g_autoptr (GError) local = NULL;
      r->test_ds = an_dataset_load (c->data, AN_SPLIT_TEST, preset->height, preset->width,
                                    &local);
      if (!r->test_ds)
        run_log (log, log_data, "No test set: %s", local->message);
      else if (!g_strv_equal ((const char *const *) r->test_ds->class_names,
                              (const char *const *) r->train_ds->class_names))
        {
          g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                       "%s: the test split's classes (%d) are not the training split's (%d): "
                       "both need the same class folders", c->data, r->test_ds->num_classes,
                       r->train_ds->num_classes);
          return FALSE;
        }
    }
  AnDataset *ds = r->train_ds;
  r->classes = ds->num_classes;

  int n = ds->count;
  r->n_val = c->val_size > 0 ? c->val_size : (int) llround (n * c->val_fraction);
  if (r->n_val >= n)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "val_size: %d validation images leave none of the %d for training", r->n_val,
                   n);
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

  if (r->spec.channels <= 0)
    r->spec.channels = ds->channels;
  int needed = an_pipeline_min_short_side (r->spec.pipeline, &r->spec);
  if (ds->mapping != NULL && MIN (ds->height, ds->width) < needed)
    run_log (log, log_data, "%s holds %dx%d images, smaller than the %d the %s pipeline starts "
             "from: they are enlarged (alexnet pack --size %d keeps them sharp)", ds->name,
             ds->height, ds->width, needed, an_pipeline_to_string (r->spec.pipeline), needed);
  /* a streamed folder is sampled from its files (an_input_spec_fit): only when the run uses
   * what the fit gives, since a sample of large photos takes seconds to decode */
  if (ds->pixels != NULL || c->normalize == AN_NORMALIZE_MEAN_STD || c->augment_pca)
    an_input_spec_fit (&r->spec, ds, r->train_idx, r->n_train);
  else
    for (int i = 0; i < 3; i++)
      {
        r->spec.mean[i] = 0.5f; /* unused: the normalisation is (x - 0.5) / 0.5 */
        r->spec.std[i] = 0.5f;
      }
  return TRUE;
}

/* The checkpoint path and the metrics file (continued after the checkpoint's step). */
static gboolean
open_files (AnRun *r, gboolean resumed, GError **error)
{
  const AnRunConfig *c = &r->cfg;

  if (c->checkpoint_dir)
    {
      if (g_mkdir_with_parents (c->checkpoint_dir, 0755) != 0)
        {
          g_set_error (error, AN_ERROR, AN_ERROR_IO, "cannot create checkpoint folder %s: %s",
                       c->checkpoint_dir, g_strerror (errno));
          return FALSE;
        }
      r->ckpt_path = g_build_filename (c->checkpoint_dir, CHECKPOINT_NAME, NULL);
      /* one left by a run that was killed: the last good state of no run now */
      r->good_path = g_build_filename (c->checkpoint_dir, GOOD_NAME, NULL);
      if (g_unlink (r->good_path) != 0 && errno != ENOENT)
        g_warning ("cannot remove %s: %s", r->good_path, g_strerror (errno));
    }
  const char *mpath = c->metrics_path;
  g_autofree char *mdefault = NULL;
  if (!mpath && c->checkpoint_dir)
    mpath = mdefault = g_build_filename (c->checkpoint_dir, "metrics.csv", NULL);
  if (mpath)
    {
      gboolean append = resumed && g_file_test (mpath, G_FILE_TEST_EXISTS);
      if (append && !an_metrics_truncate_after (mpath, r->step, error))
        return FALSE;
      if (!(r->metrics = an_metrics_open (mpath, c, append, error)))
        return FALSE;
    }
  return TRUE;
}

gboolean
an_run_open (AnRun *r, const AnRunConfig *cfg, const AnCheckpoint *resume, AnRunLogFunc log,
             gpointer log_data, GError **error)
{
  memset (r, 0, sizeof *r);
  r->bad_data_epoch = -1;
  an_run_config_copy (&r->cfg, cfg);
  r->timer = g_timer_new ();
  AnRunConfig *c = &r->cfg;

  g_autoptr (AnPreset) preset = an_preset_load (c->model, error);
  if (!preset || !open_data (r, preset, log, log_data, error))
    return FALSE;

  g_autofree char *note = NULL;
  AnRunModelSpec spec = {
    .config = c,
    .num_classes = r->classes,
    .in_channels = r->spec.channels,
    .batch = c->batch,
    .training = TRUE,
    .params = resume ? resume->params : NULL,
    .n_params = resume ? resume->n_params : 0,
    .momentum = resume ? resume->momentum : NULL,
    .source = "the checkpoint",
  };
  if (!an_run_model_open (&r->net, &spec, &note, error))
    return FALSE;
  if (note)
    run_log (log, log_data, "%s", note);
  r->n_params = an_model_param_total (r->net.model);
  r->confusion = g_new0 (gint64, (gsize) r->classes * r->classes);
  r->probs = g_new (float, (gsize) c->batch * r->classes);

  an_schedule_init (&r->sched, c);
  an_early_stop_init (&r->early);
  r->lr = c->lr;
  if (resume)
    {
      r->epoch = resume->epoch;
      r->step = resume->step;
      r->batch_in_epoch = resume->batch_in_epoch;
      r->wall_base = resume->wall_seconds;
      r->sched = resume->schedule;
      r->early = resume->early;
      r->lr = resume->schedule.lr;
      if (resume->best_params)
        r->best_params = g_memdup2 (resume->best_params, r->n_params * sizeof (float));
      r->ep_loss = resume->ep_loss;
      r->ep_correct = resume->ep_correct;
      r->ep_seen = resume->ep_seen;
    }
  /* the state to go back to until the first epoch end: a new run's initial weights are drawn
   * again when needed; a resumed run's are copied */
  r->good_step = r->step;
  r->good_kind = AN_GOOD_INITIAL;
  if (resume)
    {
      r->good_kind = AN_GOOD_MEMORY;
      r->good_params = g_new (float, r->n_params);
      r->good_momentum = g_new (float, r->n_params);
      if (!an_model_get_params (r->net.model, r->good_params, error) ||
          !an_model_get_momentum (r->net.model, r->good_momentum, error))
        return FALSE;
    }

  AnDataset *ds = r->train_ds;
  r->train_b = an_batcher_new (ds, r->train_idx, r->n_train, &r->spec, c->batch, TRUE, c->seed,
                               3, c->workers);
  if (r->n_val > 0)
    r->val_b = an_batcher_new (ds, r->val_idx, r->n_val, &r->spec, c->batch, FALSE, c->seed, 2,
                               c->workers);
  if (r->test_ds)
    r->test_b = an_batcher_new (r->test_ds, r->test_idx, r->n_test, &r->spec, c->batch, FALSE,
                                c->seed, 2, c->workers);
  if (!open_files (r, resume != NULL, error))
    return FALSE;

  return TRUE;
}

char *
an_run_describe (const AnRun *r)
{
  return g_strdup_printf ("%s: %d training, %d validation, %d test images, %d classes; model %s "
                          "(%" G_GSIZE_FORMAT " parameters) on %s%s.",
                          r->train_ds->name, r->n_train, r->n_val, r->n_test, r->classes,
                          r->net.preset->name, r->n_params, r->net.be[0]->ops->name,
                          r->cfg.towers == 2 ? ", two towers" : "");
}

/* The checkpoint writer's source: the model's parameters, then its momentum. */
static gboolean
fill_from_model (gpointer data, int which, gsize offset, gsize count, float *out,
                 GError **error)
{
  return an_model_get_range (data, which, offset, count, out, error);
}

gboolean
an_run_write_checkpoint (AnRun *r, GArray *epoch_history, GError **error)
{
  if (!r->ckpt_path)
    return TRUE;
  AnCheckpoint ck = {
    .config = r->cfg, /* borrowed: not freed */
    .epoch = r->epoch,
    .step = r->step,
    .batch_in_epoch = r->batch_in_epoch,
    .wall_seconds = an_run_wall (r),
    .schedule = r->sched,
    .early = r->early,
    .n_params = r->n_params,
    .best_params = r->best_params,
    .epochs = epoch_history,
    .ep_loss = r->ep_loss,
    .ep_correct = r->ep_correct,
    .ep_seen = r->ep_seen,
    .class_names = r->train_ds->class_names,
    .in_channels = r->spec.channels,
    .spec = r->spec,
  };
  ck.schedule.lr = r->lr;
  ck.fill = fill_from_model;
  ck.fill_data = r->net.model;
  return an_checkpoint_write (&ck, r->ckpt_path, error) &&
         (!r->metrics || an_metrics_sync (r->metrics, error));
}
