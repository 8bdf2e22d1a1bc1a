/* an-run.h: building a run's model, and building or resuming a training run, from a run
 * configuration or a checkpoint.
 *
 * an_run_model_open is the one place where "configuration or checkpoint -> preset -> backends
 * -> model -> parameters" happens: the trainer (an_run_open), `alexnet eval` (an-eval.c) and the
 * classifier (an-classifier.c) all build their model with it, so they compute the same logits
 * from the same weights. AnRun is a training run's whole state on the worker thread: data,
 * splits, batchers, model, files and progress; the epoch loop (an-epoch.h), the snapshots
 * (an-snapshot.h) and the trainer (an-trainer.h) work on it.
 */
#pragma once

#include <glib.h>

#include "an-checkpoint.h"
#include "an-config.h"
#include "an-metrics.h"
#include "an-model.h"
#include "an-schedule.h"
#include "data/an-dataset.h"

G_BEGIN_DECLS

/* A model on its backends. */
typedef struct {
  AnPreset *preset;
  AnBackend *be[2]; /* the towers' backends; be[1] == be[0] with one tower */
  AnModel *model;
} AnRunModel;

typedef struct {
  const AnRunConfig *config; /* preset, LRN convention, dropout, seed, initialisation, placement */
  int num_classes;
  int in_channels;           /* for presets whose input says "data" */
  int batch;
  gboolean training;         /* gradients and momentum */
  /* TRUE: one CPU backend with `threads` threads whatever the configuration's placement (an
   * inference beside a running trainer); FALSE: the configuration's device, towers, threads */
  gboolean cpu;
  int threads;
  /* the weights (n_params of them, checked against the model) or NULL to initialise them from
   * the configuration; momentum NULL: zero */
  const float *params;
  gsize n_params;
  const float *momentum;
  const char *source; /* where the weights come from, for error messages */
} AnRunModelSpec;

/* *note (may be NULL) receives a line about the placement ("no usable GPU..."). */
gboolean an_run_model_open (AnRunModel *rm, const AnRunModelSpec *spec, char **note,
                            GError **error);
void an_run_model_close (AnRunModel *rm);

/* Reads a checkpoint and opens its model for inference on the CPU with its best weights (the
 * last ones when it kept none). Returns the checkpoint (configuration, input, class names). */
AnCheckpoint *an_run_model_open_checkpoint (AnRunModel *rm, const char *path, int batch,
                                            int threads, GError **error);

typedef void (*AnRunLogFunc) (const char *message, gpointer data);

typedef enum {
  AN_GOOD_INITIAL, /* the initial weights (from cfg.init and cfg.seed), momentum zero */
  AN_GOOD_FILE,    /* the checkpoint at good_path */
  AN_GOOD_MEMORY,  /* good_params, good_momentum */
} AnGoodKind;

typedef struct {
  AnRunConfig cfg; /* the run's own copy; the trainer changes live fields between steps */
  AnDataset *train_ds, *test_ds;
  int *perm;
  int *train_idx, *val_idx, *test_idx;
  int n_train, n_val, n_test;
  AnInputSpec spec;
  AnRunModel net;
  AnBackend *ref; /* host-side LRN recomputation for the LRN snapshot, made when first needed */
  AnBatcher *train_b, *val_b, *test_b;
  AnMetrics *metrics;
  char *ckpt_path;
  int classes;

  /* progress */
  int epoch;          /* completed epochs */
  gint64 step;        /* completed steps */
  int batch_in_epoch;
  double wall_base;   /* seconds from earlier sessions of this run */
  GTimer *timer;
  AnScheduleState sched;
  AnEarlyStopState early;
  double lr;
  gsize n_params;
  float *best_params;
  /* The last good state, to which a diverged run goes back (an_run_restore_good): weights,
   * momentum and step at the last epoch end, or at the run's start. Kept where it costs no
   * memory: a new run's initial weights are drawn again from the seed; an epoch end's are in
   * the checkpoint written then, kept by a hard link (good_path) while later checkpoints
   * replace that file; in memory (good_params, good_momentum) when neither can be. */
  AnGoodKind good_kind;
  char *good_path;
  float *good_params, *good_momentum;
  gint64 good_step;
  /* the current epoch's running sums */
  double ep_loss;
  gint64 ep_correct, ep_seen;
  double ep_start;
  double ep_data_wait;
  /* images that could not be decoded: reported through warn (may be NULL), counted per
   * epoch; past 1% of the epoch's training images the epoch stops (AN_EPOCH_BAD_DATA) with
   * bad_data_reason, once per epoch */
  AnRunLogFunc warn;
  gpointer warn_data;
  int ep_bad;
  int bad_data_epoch;
  char *bad_data_reason;
  /* the last validation */
  gint64 *confusion;
  float *probs;
} AnRun;

/* Loads the data, splits it, builds the model and opens the files of a run of cfg, or resumes
 * the run saved in `resume` (weights, momentum, progress, schedule and early-stopping state;
 * the metrics file is continued). log receives progress lines ("Loading...", the placement).
 * On failure the run is left for an_run_close. */
gboolean an_run_open (AnRun *r, const AnRunConfig *cfg, const AnCheckpoint *resume,
                      AnRunLogFunc log, gpointer log_data, GError **error);
void an_run_close (AnRun *r);
/* One line about an open run: its data, split, model, parameters and placement. */
char *an_run_describe (const AnRun *r);
/* Seconds of training since the run began, across resumes. */
double an_run_wall (const AnRun *r);
/* Writes the run's checkpoint (nothing without a checkpoint folder) with the epoch history
 * (AnEpochRecord), then syncs the metrics file; a failure leaves the previous file intact. */
gboolean an_run_write_checkpoint (AnRun *r, GArray *epoch_history, GError **error);

G_END_DECLS
