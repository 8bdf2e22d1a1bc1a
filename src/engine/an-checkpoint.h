/* an-checkpoint.h: the run's checkpoint file (ARCHITECTURE.md "Files", docs/FILES.md).
 *
 * Checkpoint: magic "ANCKPT01", a version (2; version 1 files still read), then sections (tag,
 * length, CRC-32, payload): CONF (an_run_config_to_string text), STAT (epoch, batch in the
 * epoch, step, schedule and early-stopping state; with the seed in CONF these are the whole
 * RNG state, as every random number is a function of them: an-rng.h), PARM (parameters, flat
 * logical layout), MOMT (momentum), BEST (the best weights, optional), HIST (the epoch
 * records, field by field, so a resumed run shows its curves), DATA (the unfinished epoch's
 * sums, the model's input and the class names). Written to "PATH.tmp", fsync'd, renamed over
 * PATH, the directory fsync'd: a crash or a full disk leaves the previous checkpoint intact.
 * Every number is little-endian, whatever the host.
 */
#pragma once

#include <glib.h>

#include "an-config.h"
#include "an-schedule.h"
#include "data/an-dataset.h"

G_BEGIN_DECLS

/* One finished epoch: what the epoch loop reports (an-epoch.h) and HIST keeps. */
typedef struct {
  int epoch;
  gint64 step;
  double train_loss, train_acc;
  double val_loss, val_acc, val_top5;
  double lr;
  double best_val_loss;
  int best_epoch;
  int es_counter;     /* early-stopping counter */
  double seconds;     /* this epoch */
  double wall_seconds;
  double data_wait_seconds; /* of this epoch's training steps, time spent waiting for batches */
} AnEpochRecord;

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
  /* For writing, instead of params and momentum: fills out with count floats of the
   * parameters (which = 0) or the momentum (which = 1) from offset on, so the writer holds a
   * few MiB of the model at a time, not two copies (an AlexNet's copy is 217 MiB). */
  gboolean (*fill) (gpointer data, int which, gsize offset, gsize count, float *out,
                    GError **error);
  gpointer fill_data;
  float *best_params;   /* n_params or NULL */
  GArray *epochs;       /* of AnEpochRecord, or NULL (written without HIST) */
  /* the unfinished epoch's running sums, so a mid-epoch resume reports the same epoch loss */
  double ep_loss;
  gint64 ep_correct, ep_seen;
  /* what the classifier needs without the dataset (section DATA) */
  char **class_names;   /* NULL-terminated */
  int in_channels;
  AnInputSpec spec;     /* input size, normalisation (mean/std) */
} AnCheckpoint;

gboolean an_checkpoint_write (const AnCheckpoint *ck, const char *path, GError **error);
/* A truncated, corrupt or foreign file is rejected, naming the file and the section. A
 * version-1 file's history reads when it was written on a 64-bit little-endian host (the
 * layout docs/FILES.md gives); otherwise it reads without its history (epochs NULL). */
AnCheckpoint *an_checkpoint_read (const char *path, GError **error);
/* an_checkpoint_read without the best weights' section (skipped, not read: best_params is
 * NULL), for a run going back to the state the file holds. */
AnCheckpoint *an_checkpoint_read_state (const char *path, GError **error);
void an_checkpoint_free (AnCheckpoint *ck);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnCheckpoint, an_checkpoint_free)

G_END_DECLS
