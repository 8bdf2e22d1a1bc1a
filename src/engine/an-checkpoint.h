/* an-checkpoint.h: the run's checkpoint file and metrics file (ARCHITECTURE.md "Files").
 *
 * Checkpoint: magic "ANCKPT01", a version, then sections (tag, length, CRC-32, payload):
 * CONF (an_run_config_to_string text), STAT (epoch, step, RNG counters, schedule and
 * early-stopping state), PARM (parameters, flat logical layout), MOMT (momentum), BEST (the
 * best weights, optional), HIST (epoch records, so a resumed run shows its curves). Written to
 * "PATH.tmp", fsync'd, renamed over PATH, the directory fsync'd: a crash or a full disk leaves
 * the previous checkpoint intact. Little-endian float32 throughout.
 */
#pragma once

#include <glib.h>

#include "an-config.h"
#include "data/an-dataset.h"

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

typedef struct {
  AnRunConfig config;
  int epoch;            /* completed epochs */
  gint64 step;          /* completed steps */
  int batch_in_epoch;   /* batches done in the current (unfinished) epoch; 0 at a boundary */
  double wall_seconds;
  AnScheduleState schedule;
  AnEarlyStopState early;
  gsize n_params;
  float *params;        /* n_params */
  float *momentum;      /* n_params */
  float *best_params;   /* n_params or NULL */
  GArray *epochs;       /* of AnEpochRecord (an-trainer.h) or NULL; opaque bytes here */
  gsize epoch_record_size;
  /* the unfinished epoch's running sums, so a mid-epoch resume reports the same epoch loss */
  double ep_loss;
  gint64 ep_correct, ep_seen;
  /* what the classifier needs without the dataset (section DATA) */
  char **class_names;   /* NULL-terminated */
  int in_channels;
  AnInputSpec spec;     /* input size, normalisation (mean/std) */
} AnCheckpoint;

gboolean an_checkpoint_write (const AnCheckpoint *ck, const char *path, GError **error);
/* A truncated, corrupt or foreign file is rejected, naming the file and the section. */
AnCheckpoint *an_checkpoint_read (const char *path, gsize epoch_record_size, GError **error);
void an_checkpoint_free (AnCheckpoint *ck);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnCheckpoint, an_checkpoint_free)

/* Schedules (an-schedule.c). Called once per epoch with the validation loss / error. */
void an_schedule_init (AnScheduleState *s, const AnRunConfig *cfg);
/* Returns the learning rate for the next epoch. */
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

/* Metrics CSV: a header block of "# key=value" configuration lines, then one column-header
 * line, then rows. kind is "step", "epoch" or "change". Every row is flushed and fdatasync'd
 * at epoch ends, so kill -9 loses at most the current epoch's step rows. */
typedef struct _AnMetrics AnMetrics;
AnMetrics *an_metrics_open (const char *path, const AnRunConfig *cfg, gboolean append,
                            GError **error);
gboolean an_metrics_step (AnMetrics *m, gint64 step, int epoch, double wall, double lr,
                          double loss, double grad_norm, double images_per_second, GError **error);
gboolean an_metrics_epoch (AnMetrics *m, gint64 step, int epoch, double wall, double lr,
                           double train_loss, double train_acc, double val_loss, double val_acc,
                           double val_top5, GError **error);
gboolean an_metrics_change (AnMetrics *m, gint64 step, int epoch, double wall, const char *key,
                            double old_value, double new_value, GError **error);
gboolean an_metrics_sync (AnMetrics *m, GError **error);
/* Drops step rows after the given step (a resumed run continues from its checkpoint). */
gboolean an_metrics_truncate_after (const char *path, gint64 step, GError **error);
void an_metrics_close (AnMetrics *m);

G_END_DECLS
