/* an-epoch.h: the epoch loop of a training run (an-run.h): training steps over one epoch, the
 * evaluation of a split, and the end of an epoch (validation, best weights, early stopping,
 * learning-rate schedule, metrics). The trainer (an-trainer.h) drives it from its thread and
 * takes its commands at the step boundaries the loop offers.
 */
#pragma once

#include <glib.h>

#include "an-run.h"

G_BEGIN_DECLS

/* One training step. */
typedef struct {
  gint64 step;        /* global step, from 1 */
  int epoch;          /* from 1 */
  double epoch_frac;  /* epoch - 1 + fraction done, for x axes */
  double loss;
  double lr;
  double images_per_second;
  double grad_norm;
  double wall_seconds; /* since the run began (continued across resumes) */
} AnStepRecord;

typedef enum {
  AN_EPOCH_DONE,     /* every batch of the epoch trained */
  AN_EPOCH_STOPPED,  /* the boundary hook asked to stop */
  AN_EPOCH_DIVERGED, /* the loss became NaN or infinite; that step was not applied */
  AN_EPOCH_FAILED,   /* a device error (error set) */
  AN_EPOCH_BAD_DATA, /* more than 1% of the epoch's images did not decode: r->bad_data_reason */
} AnEpochOutcome;

typedef struct {
  /* At every step boundary, before the step: FALSE stops the epoch there. */
  gboolean (*boundary) (AnRun *r, gpointer data);
  /* After every step. */
  void (*step) (AnRun *r, const AnStepRecord *rec, gpointer data);
  gpointer data;
} AnEpochHooks;

/* Trains the rest of epoch r->epoch + 1 from batch r->batch_in_epoch. On AN_EPOCH_DIVERGED
 * *bad_loss is the loss of step r->step + 1. */
AnEpochOutcome an_run_train_epoch (AnRun *r, const AnEpochHooks *hooks, double *bad_loss,
                                   GError **error);
/* Ends a trained epoch: validation, best weights (kept even without early stopping), early
 * stopping, the schedule's next rate (*next_lr; the caller applies it) and the metrics row.
 * *stop_early: early stopping ends the run. The caller then writes the checkpoint and calls
 * an_run_keep_good. */
gboolean an_run_end_epoch (AnRun *r, AnEpochRecord *er, gboolean *stop_early, double *next_lr,
                           GError **error);
/* Mean loss, top-1 and top-5 over a batcher's epoch in eval mode; confusion (classes x classes,
 * may be NULL) counts argmax per true class. */
gboolean an_run_evaluate (AnRun *r, AnBatcher *b, double *loss, double *acc, double *top5,
                          gint64 *confusion, GError **error);
/* Makes the state as of now (an epoch's end) the last good one: the checkpoint just written,
 * kept by a hard link, when checkpoint_written and the folder takes links; copies in memory
 * otherwise. */
gboolean an_run_keep_good (AnRun *r, gboolean checkpoint_written, GError **error);
/* Back to the weights, momentum and step of the last good state (after a divergence). */
gboolean an_run_restore_good (AnRun *r, GError **error);

G_END_DECLS
