/* an-schedule.c: learning-rate schedules and early stopping (an-schedule.h).
 * "plateau" is PyTorch 1.13's ReduceLROnPlateau (mode min, threshold_mode rel), operation for
 * operation so the learning rates are bit-identical; "step" is PyTorch's StepLR; "paper"
 * reuses the plateau rule on the validation error with factor 0.1. Early stopping is the
 * teaching article's rule as ALEXNET.md states it.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <math.h>

#include "an-schedule.h"

/* ReduceLROnPlateau ignores a reduction smaller than this (its eps argument, default). */
#define PLATEAU_MIN_CHANGE 1e-8

void
an_schedule_init (AnScheduleState *s, const AnRunConfig *cfg)
{
  *s = (AnScheduleState) {
    .lr = cfg->lr,
    .best = INFINITY, /* PyTorch's mode_worse for mode min */
    .num_bad_epochs = 0,
    .cooldown_counter = 0,
    .last_epoch = 0,
  };
}

static void
plateau_step (AnScheduleState *s, double metric, double factor, int patience, double threshold,
              int cooldown, double min_lr)
{
  /* NaN is never better, as in Python */
  if (metric < s->best * (1.0 - threshold))
    {
      s->best = metric;
      s->num_bad_epochs = 0;
    }
  else
    s->num_bad_epochs += 1;

  if (s->cooldown_counter > 0)
    {
      s->cooldown_counter -= 1;
      s->num_bad_epochs = 0;
    }

  if (s->num_bad_epochs > patience)
    {
      double new_lr = fmax (s->lr * factor, min_lr);
      if (s->lr - new_lr > PLATEAU_MIN_CHANGE)
        s->lr = new_lr;
      s->cooldown_counter = cooldown;
      s->num_bad_epochs = 0;
    }
}

/* CosineAnnealingLR(T_max = the run's epochs, eta_min = min_lr) in PyTorch 1.13's recursive
 * form, expression for expression: each epoch scales the distance to eta_min by the ratio of
 * two consecutive cosine values, so a rate set by hand keeps decaying from where it was put.
 * The rate reaches eta_min at the last epoch and stays there past it (PyTorch would start a
 * new, rising half-period). A resumed run given more epochs is put back on the longer run's
 * curve (an_schedule_set_epochs). */
static void
cosine_step (AnScheduleState *s, int epoch, int t_max, double eta_min)
{
  if (epoch > t_max || t_max <= 0)
    return;
  s->lr = (1.0 + cos (G_PI * epoch / t_max)) / (1.0 + cos (G_PI * (epoch - 1) / t_max))
          * (s->lr - eta_min) + eta_min;
}

/* The cosine's rate after `done` epochs of the longer run: a finished run would otherwise sit
 * at min_lr for every added epoch. Other schedules do not depend on the run's length. */
void
an_schedule_set_epochs (AnScheduleState *s, const AnRunConfig *cfg, int done, int epochs)
{
  if (cfg->schedule != AN_SCHEDULE_COSINE || epochs == cfg->epochs)
    return;
  if (done >= epochs)
    s->lr = cfg->min_lr;
  else
    s->lr = cfg->min_lr + (cfg->lr - cfg->min_lr) * (1.0 + cos (G_PI * done / epochs)) / 2.0;
}

/* epoch: the epoch that just ended, from 1. The current rate lives in s->lr (not recomputed
 * from cfg->lr), so a rate changed by hand during the run is where the schedule continues. */
double
an_schedule_epoch_end (AnScheduleState *s, const AnRunConfig *cfg, int epoch, double val_loss,
                       double val_error)
{
  s->last_epoch = epoch;
  switch (cfg->schedule)
    {
    case AN_SCHEDULE_CONSTANT:
      break;
    case AN_SCHEDULE_STEP:
      /* StepLR multiplies at every multiple of step_size: lr0 * gamma^(epoch / step_size) */
      if (epoch > 0 && epoch % cfg->step_size == 0)
        s->lr *= cfg->step_gamma;
      break;
    case AN_SCHEDULE_PLATEAU:
      plateau_step (s, val_loss, cfg->plateau_factor, cfg->plateau_patience,
                    cfg->plateau_threshold, cfg->plateau_cooldown, cfg->min_lr);
      break;
    case AN_SCHEDULE_PAPER:
      plateau_step (s, val_error, 0.1, cfg->plateau_patience, cfg->plateau_threshold,
                    cfg->plateau_cooldown, cfg->min_lr);
      break;
    case AN_SCHEDULE_COSINE:
      cosine_step (s, epoch, cfg->epochs, cfg->min_lr);
      break;
    }
  return s->lr;
}

void
an_early_stop_init (AnEarlyStopState *e)
{
  *e = (AnEarlyStopState) {
    .best_score = -INFINITY,
    .counter = 0,
    .stop = FALSE,
    .best_epoch = 0,
    .best_val_loss = INFINITY,
  };
}

/* The first call is recognised by best_score == -inf; a first loss of +inf leaves it there,
 * and the article's rule then takes the next epoch as the best, as it would anyway. */
gboolean
an_early_stop_update (AnEarlyStopState *e, int patience, double delta, int epoch,
                      double val_loss, gboolean *improved)
{
  double score = -val_loss;
  gboolean is_best;

  if (isinf (e->best_score) && e->best_score < 0)
    {
      e->best_score = score;
      is_best = TRUE;
    }
  else if (score < e->best_score + delta)
    {
      e->counter += 1;
      if (e->counter >= patience)
        e->stop = TRUE;
      is_best = FALSE;
    }
  else
    {
      e->best_score = score;
      e->counter = 0;
      is_best = TRUE;
    }

  if (is_best)
    {
      e->best_epoch = epoch;
      e->best_val_loss = val_loss;
    }
  if (improved != NULL)
    *improved = is_best;
  return e->stop;
}
