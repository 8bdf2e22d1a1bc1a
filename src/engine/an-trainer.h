/* an-trainer.h: one training run on one worker thread (ARCHITECTURE.md contract 8).
 *
 * Commands go in from any thread; events come out as GObject signals emitted on the
 * GMainContext that was the thread-default when the trainer was created, coalesced: the
 * worker appends to pending lists under a mutex and schedules at most one idle, so a fast
 * model never floods the main loop. Big data travels in immutable refcounted AnSnapshots.
 * The GTK window and the command line are two consumers of these same signals.
 */
#pragma once

#include <glib-object.h>

#include "an-config.h"
#include "data/an-dataset.h"

G_BEGIN_DECLS

typedef enum {
  AN_TRAINER_IDLE = 0,    /* created, not started */
  AN_TRAINER_RUNNING,
  AN_TRAINER_PAUSED,      /* at a step boundary, state kept */
  AN_TRAINER_FINISHED,    /* all epochs done */
  AN_TRAINER_EARLY_STOPPED,
  AN_TRAINER_STOPPED,     /* by the user */
  AN_TRAINER_DIVERGED,    /* NaN/Inf loss: paused, resumable from the last good checkpoint */
  AN_TRAINER_FAILED,      /* an error (message in the state-changed signal) */
} AnTrainerState;

/* One training step ("steps" signal: a GArray of these, in order). */
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

/* One finished epoch ("epoch" signal). */
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

/* A hyperparameter changed ("hyperparameter-changed" signal). */
typedef struct {
  gint64 step;        /* first step that uses the new value */
  char key[32];       /* "lr", "momentum", "weight_decay", "dropout", "patience" */
  double old_value, new_value;
  gboolean by_schedule; /* TRUE when the LR schedule did it */
} AnHyperChange;

typedef enum {
  AN_SNAPSHOT_WEIGHTS,     /* a layer's weights; conv1 split by tower */
  AN_SNAPSHOT_FEATURES,    /* a layer's output for the probe image */
  AN_SNAPSHOT_LRN,         /* conv1/conv2 maps before and after LRN for the probe image */
  AN_SNAPSHOT_CONFUSION,   /* validation confusion matrix */
  AN_SNAPSHOT_PARAMS,      /* every parameter (flat host copy) for classifying */
} AnSnapshotKind;

typedef struct {
  char name[64];  /* "conv1.weight", "relu2", "before", "after" */
  int shape[4];   /* unused dimensions = 1 */
  int tower;      /* -1 = whole layer, 0/1 = that tower's slice */
  float *data;
} AnSnapshotTensor;

/* Immutable once delivered; shared with an_snapshot_ref () / an_snapshot_unref (). */
typedef struct {
  AnSnapshotKind kind;
  char *layer;
  gint64 step;
  int epoch;
  int n_tensors;
  AnSnapshotTensor *tensors;
  /* AN_SNAPSHOT_FEATURES and AN_SNAPSHOT_LRN: the probe image the maps belong to (the one
   * asked for, or the first validation image) */
  AnImage *probe;
  /* AN_SNAPSHOT_LRN: the LRN parameters used for "after" */
  int lrn_size;
  double lrn_alpha, lrn_beta, lrn_k;
  /* AN_SNAPSHOT_CONFUSION: num_classes x num_classes counts, row = truth */
  int num_classes;
  gint64 *confusion;
  /* AN_SNAPSHOT_PARAMS: the run configuration the weights belong to and the model's input */
  AnRunConfig config;
  AnInputSpec input;
} AnSnapshot;

AnSnapshot *an_snapshot_ref (AnSnapshot *s);
void an_snapshot_unref (AnSnapshot *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnSnapshot, an_snapshot_unref)

#define AN_TYPE_TRAINER (an_trainer_get_type ())
G_DECLARE_FINAL_TYPE (AnTrainer, an_trainer, AN, TRAINER, GObject)

/* Signals:
 *   "steps"                  (GArray *of AnStepRecord)
 *   "epoch"                  (const AnEpochRecord *)
 *   "hyperparameter-changed" (const AnHyperChange *)
 *   "state-changed"          (AnTrainerState state, const char *reason)  reason may be NULL
 *   "checkpoint-written"     (const char *path)
 *   "snapshot-ready"         (AnSnapshot *)
 *   "log"                    (const char *message)   informational lines (data loaded...)
 */

/* Validates cfg; the run starts with an_trainer_start. */
AnTrainer *an_trainer_new (const AnRunConfig *cfg, GError **error);
/* Resumes the run saved in a checkpoint file (configuration, weights, optimizer, schedule,
 * early-stopping and RNG state); the metrics file is continued. */
AnTrainer *an_trainer_new_from_checkpoint (const char *path, GError **error);

/* Before start: trains up to `epochs` epochs in all (a resumed run continues for longer;
 * the run is the same as one that was given that many epochs from the start, except with the
 * cosine schedule, whose remaining epochs follow the longer run's curve from the current one). */
gboolean an_trainer_set_epochs (AnTrainer *t, int epochs, GError **error);

void an_trainer_start (AnTrainer *t);
void an_trainer_pause (AnTrainer *t);
void an_trainer_resume (AnTrainer *t);
void an_trainer_stop (AnTrainer *t);
/* Stops and restores the best weights (by validation loss) before the final checkpoint. */
void an_trainer_stop_keep_best (AnTrainer *t);
/* Blocks until the worker thread has ended (after a final state). */
void an_trainer_join (AnTrainer *t);

/* key: "lr", "momentum", "weight_decay", "dropout", "patience"; applied at the next step and
 * announced by "hyperparameter-changed". FALSE + error for other keys and bad values. */
gboolean an_trainer_set_hyperparameter (AnTrainer *t, const char *key, double value,
                                        GError **error);

/* Asks for a snapshot; it arrives by "snapshot-ready" at the next step boundary (or at once
 * when paused or finished). layer: a layer name, or NULL for conv1 / all. probe: an image for
 * FEATURES and LRN (copied), NULL = the first validation image. For LRN, size/alpha/beta/k
 * <= 0 mean the model's own. */
void an_trainer_request_snapshot (AnTrainer *t, AnSnapshotKind kind, const char *layer,
                                  const AnImage *probe);
void an_trainer_request_lrn_snapshot (AnTrainer *t, const char *layer, const AnImage *probe,
                                      int size, double alpha, double beta, double k);

AnTrainerState an_trainer_get_state (AnTrainer *t);
const AnRunConfig *an_trainer_get_config (AnTrainer *t);
/* Dataset facts once loaded (valid after the first "log" or "steps" signal); may be NULL. */
char **an_trainer_get_class_names (AnTrainer *t);
int an_trainer_get_epochs (AnTrainer *t);
int an_trainer_get_steps_per_epoch (AnTrainer *t);
/* The last checkpoint announced by "checkpoint-written" (NULL if none); call it on the thread
 * that receives the signals. */
const char *an_trainer_get_last_checkpoint (AnTrainer *t);
/* History so far (for a resumed run's curves): copies. */
GArray *an_trainer_get_step_history (AnTrainer *t);  /* of AnStepRecord */
GArray *an_trainer_get_epoch_history (AnTrainer *t); /* of AnEpochRecord */

const char *an_trainer_state_to_string (AnTrainerState s);

/* Classifying with a checkpoint or with the weights of a running trainer. */
typedef struct {
  int label;
  const char *name; /* owned by the classifier */
  double probability;
} AnPrediction;

typedef struct _AnClassifier AnClassifier;

AnClassifier *an_classifier_new_from_checkpoint (const char *path, GError **error);
/* From an AN_SNAPSHOT_PARAMS snapshot of a running or paused trainer (any thread). */
AnClassifier *an_classifier_new_from_snapshot (AnSnapshot *params, char **class_names,
                                               GError **error);
/* Top-k of one image of any size (resized/converted to the model's input). */
gboolean an_classifier_classify (AnClassifier *c, const AnImage *img, int k, AnPrediction *out,
                                 int *n_out, GError **error);
int an_classifier_num_classes (AnClassifier *c);
void an_classifier_free (AnClassifier *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnClassifier, an_classifier_free)

G_END_DECLS
