/* an-schedule.h: learning-rate schedules and early stopping, and their state, which every
 * checkpoint saves so that a resumed run continues them exactly.
 */
#pragma once

#include <glib.h>

#include "an-config.h"

G_BEGIN_DECLS

typedef struct {
  double lr;            /* current learning rate (the schedule's output) */
  double best;          /* plateau scheduler: best metric so far */
  int num_bad_epochs;
  int cooldown_counter;
  int last_epoch;
} AnScheduleState;

typedef struct {
  double best_score;    /* -val_loss of the best epoch; -INFINITY before the first call */
  int counter;
  gboolean stop;
  int best_epoch;
  double best_val_loss;
} AnEarlyStopState;

void an_schedule_init (AnScheduleState *s, const AnRunConfig *cfg);
/* Called once per epoch with the validation loss / error; returns the learning rate for the
 * next epoch. */
double an_schedule_epoch_end (AnScheduleState *s, const AnRunConfig *cfg, int epoch,
                              double val_loss, double val_error);
/* A run of cfg->epochs epochs, `done` of them trained, is given `epochs` in all: the schedules
 * that depend on the run's length (cosine) move to the longer run's curve. */
void an_schedule_set_epochs (AnScheduleState *s, const AnRunConfig *cfg, int done, int epochs);

/* Early stopping exactly as ALEXNET.md: score = -val_loss; returns TRUE when the run should
 * stop; *improved says whether this epoch is the new best. */
void an_early_stop_init (AnEarlyStopState *e);
gboolean an_early_stop_update (AnEarlyStopState *e, int patience, double delta, int epoch,
                               double val_loss, gboolean *improved);

G_END_DECLS
