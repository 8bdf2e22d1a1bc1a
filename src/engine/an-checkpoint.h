/* an-checkpoint.h: the run's checkpoint file (ARCHITECTURE.md "Files", docs/FILES.md).
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
#include "an-schedule.h"
#include "data/an-dataset.h"

G_BEGIN_DECLS

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
  GArray *epochs;       /* of AnEpochRecord (an-epoch.h) or NULL; opaque bytes here */
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

G_END_DECLS
