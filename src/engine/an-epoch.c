/* an-epoch.c: the epoch loop (an-epoch.h): forward, backward and SGD step per batch, the
 * epoch's running sums, and what happens at an epoch's end.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "an-checkpoint.h"
#include "an-epoch.h"
#include "an-error.h"
#include "an-eval.h"

/* The images the batcher could not decode since the last call: each reported through r->warn
 * and a metrics row, counted in r->ep_bad when counted is TRUE. */
static void
report_bad_images (AnRun *r, AnBatcher *b, gboolean counted)
{
  g_auto (GStrv) bad = an_batcher_take_failures (b);
  if (bad == NULL)
    return;
  for (char **m = bad; *m; m++)
    {
      if (counted)
        r->ep_bad++;
      g_autofree char *line =
        g_strdup_printf ("%s; replaced by another image of its class", *m);
      if (r->warn)
        r->warn (line, r->warn_data);
      else
        g_message ("%s", line);
      if (r->metrics)
        an_metrics_bad_image (r->metrics, r->step, r->epoch + 1, an_run_wall (r), *m,
                              r->ep_bad, NULL);
    }
}

gboolean
an_run_evaluate (AnRun *r, AnBatcher *b, double *loss, double *acc, double *top5,
                 gint64 *confusion, GError **error)
{
  double sum = 0;
  gint64 seen = 0, h1 = 0, h5 = 0;
  gboolean ok = TRUE;

  if (confusion)
    memset (confusion, 0, sizeof (gint64) * r->classes * r->classes);
  an_batcher_start_epoch (b, 0, 0);
  AnBatch *batch;
  while ((batch = an_batcher_next (b)))
    {
      double batch_loss = 0;
      /* a failure still drains the batcher, which must see its epoch through */
      ok = ok &&
           an_model_forward (r->net.model, batch->n, batch->x, batch->labels, FALSE, 0,
                             &batch_loss, error) &&
           an_model_get_probs (r->net.model, r->probs, error);
      if (ok)
        {
          sum += batch_loss * batch->n;
          an_count_hits (r->probs, batch->labels, batch->n, r->classes, &h1, &h5, confusion);
          seen += batch->n;
        }
      an_batcher_release (b, batch);
    }
  report_bad_images (r, b, FALSE);
  *loss = seen ? sum / seen : NAN;
  *acc = seen ? (double) h1 / seen : NAN;
  *top5 = seen ? (double) h5 / seen : NAN;
  return ok;
}

/* One step on one batch; FALSE + error on a device failure, *loss non-finite on divergence
 * (nothing applied then). */
static gboolean
train_step (AnRun *r, AnBatch *batch, double *loss, double *grad_norm, GError **error)
{
  AnModel *m = r->net.model;
  const AnRunConfig *c = &r->cfg;
  AnSgdDesc sd = { .rule = c->rule, .lr = (float) r->lr, .momentum = (float) c->momentum,
                   .weight_decay = (float) c->weight_decay };
  gint64 hits = 0;

  if (!an_model_forward (m, batch->n, batch->x, batch->labels, TRUE, r->step + 1, loss, error))
    return FALSE;
  if (!isfinite (*loss))
    return TRUE;
  if (!an_model_backward (m, error))
    return FALSE;
  *grad_norm = an_model_grad_norm (m);
  an_model_sgd_step (m, &sd);
  if (!an_model_get_probs (m, r->probs, error))
    return FALSE;
  an_count_hits (r->probs, batch->labels, batch->n, r->classes, &hits, NULL, NULL);
  r->ep_correct += hits;
  r->ep_loss += *loss * batch->n;
  r->ep_seen += batch->n;
  r->step++;
  r->batch_in_epoch++;
  return TRUE;
}

AnEpochOutcome
an_run_train_epoch (AnRun *r, const AnEpochHooks *hooks, double *bad_loss, GError **error)
{
  AnBatcher *tb = r->train_b;
  int epoch = r->epoch + 1;

  if (r->batch_in_epoch == 0)
    {
      r->ep_loss = 0;
      r->ep_correct = r->ep_seen = 0;
      r->ep_bad = 0;
    }
  r->ep_start = an_run_wall (r);
  r->ep_data_wait = 0;
  an_batcher_start_epoch (tb, r->epoch, r->batch_in_epoch);
  double t_last = an_run_wall (r);
  for (;;)
    {
      double t_wait = an_run_wall (r);
      AnBatch *batch = an_batcher_next (tb);
      r->ep_data_wait += an_run_wall (r) - t_wait;
      if (!batch)
        break;
      report_bad_images (r, tb, TRUE);
      if ((gint64) r->ep_bad * 100 > r->n_train && r->bad_data_epoch != r->epoch)
        {
          /* this batch is not trained: a resumed run starts with it */
          an_batcher_release (tb, batch);
          r->bad_data_epoch = r->epoch;
          g_free (r->bad_data_reason);
          r->bad_data_reason = g_strdup_printf (
            "%d of the %d training images of epoch %d could not be read (more than 1%%); "
            "each was replaced by another image of its class. Fix or remove the files named "
            "in the warnings (pack a damaged packed file again), then resume",
            r->ep_bad, r->n_train, epoch);
          return AN_EPOCH_BAD_DATA;
        }
      if (!hooks->boundary (r, hooks->data))
        {
          an_batcher_release (tb, batch);
          return AN_EPOCH_STOPPED;
        }
      double loss = 0, gn = 0;
      gboolean ok = train_step (r, batch, &loss, &gn, error);
      int n = batch->n;
      an_batcher_release (tb, batch);
      if (!ok)
        return AN_EPOCH_FAILED;
      if (!isfinite (loss))
        {
          *bad_loss = loss;
          return AN_EPOCH_DIVERGED;
        }

      double now = an_run_wall (r);
      AnStepRecord rec = { .step = r->step, .epoch = epoch, .loss = loss, .lr = r->lr,
                           .grad_norm = gn, .wall_seconds = now,
                           .images_per_second = n / MAX (now - t_last, 1e-9),
                           .epoch_frac = r->epoch + (double) r->batch_in_epoch /
                                                      an_batcher_batches_per_epoch (tb) };
      t_last = now;
      if (r->metrics)
        an_metrics_step (r->metrics, rec.step, epoch, now, rec.lr, loss, gn,
                         rec.images_per_second, NULL);
      hooks->step (r, &rec, hooks->data);
    }
  return AN_EPOCH_DONE;
}

gboolean
an_run_end_epoch (AnRun *r, AnEpochRecord *er, gboolean *stop_early, double *next_lr,
                  GError **error)
{
  const AnRunConfig *c = &r->cfg;
  int epoch = r->epoch + 1;

  *er = (AnEpochRecord){ .epoch = epoch, .step = r->step, .lr = r->lr,
                         .train_loss = r->ep_seen ? r->ep_loss / r->ep_seen : NAN,
                         .train_acc = r->ep_seen ? (double) r->ep_correct / r->ep_seen : NAN,
                         .val_loss = NAN, .val_acc = NAN, .val_top5 = NAN };
  if (r->val_b &&
      !an_run_evaluate (r, r->val_b, &er->val_loss, &er->val_acc, &er->val_top5, r->confusion,
                        error))
    return FALSE;
  r->epoch = epoch;
  r->batch_in_epoch = 0;

  /* the best weights are tracked even without early stopping */
  gboolean improved = FALSE;
  double score_loss = r->val_b ? er->val_loss : er->train_loss;
  gboolean stop_now = an_early_stop_update (&r->early,
                                            c->early_stopping ? c->patience : G_MAXINT,
                                            c->delta, epoch, score_loss, &improved);
  *stop_early = stop_now && c->early_stopping;
  if (improved)
    {
      if (!r->best_params)
        r->best_params = g_new (float, r->n_params);
      if (!an_model_get_params (r->net.model, r->best_params, error))
        return FALSE;
    }
  er->best_val_loss = r->early.best_val_loss;
  er->best_epoch = r->early.best_epoch;
  er->es_counter = r->early.counter;
  *next_lr = an_schedule_epoch_end (&r->sched, c, epoch, score_loss,
                                    r->val_b ? 1.0 - er->val_acc : 1.0 - er->train_acc);
  double now = an_run_wall (r);
  er->seconds = now - r->ep_start;
  er->wall_seconds = now;
  er->data_wait_seconds = r->ep_data_wait;
  if (r->metrics)
    an_metrics_epoch (r->metrics, r->step, epoch, now, r->lr, er->train_loss, er->train_acc,
                      er->val_loss, er->val_acc, er->val_top5, NULL);
  return TRUE;
}

gboolean
an_run_keep_good (AnRun *r, gboolean checkpoint_written, GError **error)
{
  r->good_step = r->step;
  if (checkpoint_written && r->ckpt_path && r->good_path)
    {
      /* the link to the previous one goes first: link() does not replace */
      if (g_unlink (r->good_path) != 0 && errno != ENOENT)
        g_warning ("cannot remove %s: %s", r->good_path, g_strerror (errno));
      if (link (r->ckpt_path, r->good_path) == 0)
        {
          r->good_kind = AN_GOOD_FILE;
          g_clear_pointer (&r->good_params, g_free);
          g_clear_pointer (&r->good_momentum, g_free);
          return TRUE;
        }
    }
  /* no checkpoint folder, a failed write, or a file system without hard links: an earlier
   * epoch end's link is no longer the good state, and may hold a file's room */
  if (r->good_path)
    g_unlink (r->good_path);
  r->good_kind = AN_GOOD_MEMORY;
  if (!r->good_params)
    r->good_params = g_new (float, r->n_params);
  if (!r->good_momentum)
    r->good_momentum = g_new (float, r->n_params);
  return an_model_get_params (r->net.model, r->good_params, error) &&
         an_model_get_momentum (r->net.model, r->good_momentum, error);
}

gboolean
an_run_restore_good (AnRun *r, GError **error)
{
  gboolean ok = FALSE;

  switch (r->good_kind)
    {
    case AN_GOOD_INITIAL:
      ok = an_model_init_params (r->net.model, r->cfg.init, r->cfg.seed, error);
      break;
    case AN_GOOD_FILE:
      {
        g_autoptr (AnCheckpoint) ck = an_checkpoint_read_state (r->good_path, error);
        if (ck && ck->n_params != r->n_params)
          g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                       "%s holds %" G_GSIZE_FORMAT " parameters, the model %" G_GSIZE_FORMAT,
                       r->good_path, ck->n_params, r->n_params);
        else if (ck)
          ok = an_model_set_params (r->net.model, ck->params, error) &&
               an_model_set_momentum (r->net.model, ck->momentum, error);
        break;
      }
    case AN_GOOD_MEMORY:
    default:
      ok = an_model_set_params (r->net.model, r->good_params, error) &&
           an_model_set_momentum (r->net.model, r->good_momentum, error);
      break;
    }
  if (ok)
    r->step = r->good_step;
  return ok;
}
