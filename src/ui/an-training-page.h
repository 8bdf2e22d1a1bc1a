/* an-training-page.h: the Training page: the progress line, four charts (loss, accuracy,
 * learning rate, gradient norm) and the live hyperparameters. The window routes the trainer's
 * events here. */
#pragma once

#include <adwaita.h>

#include "an-chart.h"
#include "an-run-selector.h"
#include "an-trainer.h"

G_BEGIN_DECLS

#define AN_TYPE_TRAINING_PAGE (an_training_page_get_type ())
G_DECLARE_FINAL_TYPE (AnTrainingPage, an_training_page, AN, TRAINING_PAGE, AdwBin)

/* A new run (or NULL): the charts start a new run and the live rows follow its values. */
void an_training_page_set_trainer (AnTrainingPage *self, AnTrainer *trainer);
void an_training_page_add_steps (AnTrainingPage *self, const GArray *steps);
void an_training_page_add_epoch (AnTrainingPage *self, const AnEpochRecord *e);
void an_training_page_add_change (AnTrainingPage *self, const AnHyperChange *c);
void an_training_page_set_state (AnTrainingPage *self, AnTrainerState state);
void an_training_page_checkpoint_written (AnTrainingPage *self, const char *path);
/* The user asked to pause (stop FALSE) or stop: "Pausing…" / "Stopping…" until the trainer's
 * state says it took hold. */
void an_training_page_request (AnTrainingPage *self, gboolean stop);
/* The run's state in words as the page shows it ("Pausing…", "Paused", "Finished"...). */
const char *an_training_page_get_state_text (AnTrainingPage *self);
AnRunSelector *an_training_page_get_run_selector (AnTrainingPage *self);
/* What the progress line shows: which = "state", "eta", "speed" or "checkpoint" (tests). */
const char *an_training_page_get_text (AnTrainingPage *self, const char *which);

/* The test split's result at the end of the run, under the progress line. */
void an_training_page_show_test_result (AnTrainingPage *self, const AnTestResult *test);
/* The text shown for it ("" before). */
const char *an_training_page_get_result_text (AnTrainingPage *self);

/* chart: "loss", "accuracy", "lr" or "grad"; NULL for another name. */
AnChart *an_training_page_get_chart (AnTrainingPage *self, const char *chart);
/* Whether any chart has data to export. */
gboolean an_training_page_has_data (AnTrainingPage *self);

G_END_DECLS
