/* an-trainer.h: one training run on one worker thread (ARCHITECTURE.md contract 8).
 *
 * Commands go in from any thread; events come out as GObject signals emitted on the
 * GMainContext that was the thread-default when the trainer was created, coalesced: the
 * worker appends to pending lists under a mutex and schedules at most one idle, so a fast
 * model never floods the main loop. Big data travels in immutable refcounted AnSnapshots.
 * The GTK window and the command line are two consumers of these same signals. The run itself
 * is built by an-run.h, trained by an-epoch.h and observed through an-snapshot.h.
 */
#pragma once

#include <glib-object.h>

#include "an-config.h"
#include "an-epoch.h"
#include "an-snapshot.h"
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

#define AN_TYPE_TRAINER_STATE (an_trainer_state_get_type ())
GType an_trainer_state_get_type (void);

/* A hyperparameter changed ("hyperparameter-changed" signal). */
typedef struct {
  gint64 step;        /* first step that uses the new value */
  AnLiveKey key;      /* an_live_key_name () names it */
  double old_value, new_value;
  gboolean by_schedule; /* TRUE when the LR schedule did it */
  /* Where the change took effect, on the x axes of AnStepRecord: the fractional epoch of the
   * step boundary (that of step - 1's record) and the run's seconds when it was applied. The
   * event may arrive before the records of the steps that preceded it, so a consumer must not
   * take these from the last record it has seen. */
  double epoch_frac;
  double wall_seconds;
} AnHyperChange;

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
 *   "warning"                (const char *message)   something the user should see: an image
 *                                                    that could not be decoded ("PATH: why;
 *                                                    replaced by..."); a run
 *                                                    pausing itself over them says why in
 *                                                    "state-changed"
 *
 * Properties (read-only; notify is emitted on the consumer's main context as the events are
 * delivered, so they always agree with the signals received so far):
 *   "state"            AnTrainerState (AN_TYPE_TRAINER_STATE)
 *   "state-reason"     string, the reason of the last state change (may be NULL)
 *   "epoch"            int, completed epochs
 *   "step"             int64, completed steps
 *   "epochs"           int, epochs in all
 *   "steps-per-epoch"  int, once the data is loaded (0 before)
 *   "last-checkpoint"  string, the last checkpoint written (NULL before)
 */

/* The test split's result, evaluated once when training ends. */
typedef struct {
  double loss, top1, top5;
  int n_images;
} AnTestResult;

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

/* Applied at the next step and announced by "hyperparameter-changed". FALSE + error for a
 * value out of the field's range. */
gboolean an_trainer_set_live (AnTrainer *t, AnLiveKey key, double value, GError **error);
/* The same by name ("lr", "momentum", "weight_decay", "dropout", "patience"); an unknown name
 * is an error naming it. */
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

/* The worker's state now, from any thread (the "state" property is the state delivered to
 * the consumer so far). */
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

/* The test split's result once training has ended (set before the final "state-changed" is
 * delivered); FALSE before, when the data has no test split, or when the run failed. */
gboolean an_trainer_get_test_result (AnTrainer *t, AnTestResult *out);
const char *an_trainer_state_to_string (AnTrainerState s);

G_END_DECLS
