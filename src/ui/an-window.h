/* an-window.h: the main window: set up a run, watch it train, look inside the network. */
#pragma once

#include <adwaita.h>

#include "an-config.h"
#include "an-trainer.h"

G_BEGIN_DECLS

#define AN_TYPE_WINDOW (an_window_get_type ())
G_DECLARE_FINAL_TYPE (AnWindow, an_window, AN, WINDOW, AdwApplicationWindow)

AnWindow *an_window_new (GtkApplication *app);

/* The run configuration the Setup page describes (caller clears it) / shows. */
void an_window_get_run_config (AnWindow *self, AnRunConfig *cfg);
void an_window_set_run_config (AnWindow *self, const AnRunConfig *cfg);

/* The current run, or NULL. */
AnTrainer *an_window_get_trainer (AnWindow *self);
/* The run's state as the window last showed it (the trainer's own may be ahead). */
AnTrainerState an_window_get_state (AnWindow *self);
gboolean an_window_open_checkpoint (AnWindow *self, const char *path);
/* Sends one live hyperparameter ("lr", "momentum", "weight_decay", "dropout", "patience"),
 * as the Training page's spin buttons do. */
gboolean an_window_set_live_hyperparameter (AnWindow *self, const char *key, double value,
                                            GError **error);

/* What a drop on the Classify page does: value holds a GdkFileList or a GdkTexture. Returns
 * FALSE (and shows a toast) when there is nothing usable; decoding goes on in a thread. */
gboolean an_window_classify_drop (AnWindow *self, const GValue *value);

/* Exports, as the export menu and buttons write them (without a file chooser). chart: "loss",
 * "accuracy", "lr" or "grad"; a chart's PNG has its legend. The CSV holds every series of
 * every chart (run,series,step,epoch,seconds,value). */
gboolean an_window_export_chart_png (AnWindow *self, const char *chart, const char *path,
                                     GError **error);
gboolean an_window_export_csv (AnWindow *self, const char *path, GError **error);
gboolean an_window_export_filters_png (AnWindow *self, const char *path, GError **error);
gboolean an_window_export_maps_png (AnWindow *self, const char *path, GError **error);
/* Into an existing folder: loss.png, accuracy.png, learning-rate.png, gradient-norm.png,
 * training.csv, and filters.png / feature-maps.png once there are some. Returns the number of
 * files written, -1 on error. */
int an_window_export_all (AnWindow *self, const char *folder, GError **error);

/* Widgets and state the tests inspect. */
GtkWidget *an_window_get_loss_chart (AnWindow *self);
GtkWidget *an_window_get_filter_grid (AnWindow *self, int tower);
GtkWidget *an_window_get_classify_image (AnWindow *self);
/* The probe image shown on page "features" or "lrn" (the one the maps were computed for). */
GtkWidget *an_window_get_probe_grid (AnWindow *self, const char *page);
GtkWidget *an_window_get_page (AnWindow *self, const char *name);
void an_window_show_page (AnWindow *self, const char *name);
/* The text of the last toast (NULL if none yet) and how many predictions are shown. */
const char *an_window_get_last_toast (AnWindow *self);
/* The trainer's last warning (an image that did not decode), NULL if none in this run. */
const char *an_window_get_last_warning (AnWindow *self);
/* Dismisses every toast shown or waiting (before a screenshot). */
void an_window_dismiss_toasts (AnWindow *self);
int an_window_get_n_predictions (AnWindow *self);
/* TRUE while the image on the Classify page waits for its predictions (the model being
 * prepared or the image classified, in a thread). */
gboolean an_window_is_classifying (AnWindow *self);
/* The Setup page's dataset preview: FALSE while the dataset is being read; the image counts
 * of its training and test splits (-1 when unknown: not read, unreadable, no test split) and
 * the number of sample images shown. */
gboolean an_window_get_dataset_preview (AnWindow *self, int *n_train, int *n_test,
                                        int *n_samples);
/* The row with the counts (or the error), and the sample image of the i-th class or NULL. */
GtkWidget *an_window_get_dataset_info_row (AnWindow *self);
GtkWidget *an_window_get_dataset_sample (AnWindow *self, int i);
/* Counts classify-page results (an image decoded and shown, or refused): tests wait on it. */
guint an_window_get_classify_serial (AnWindow *self);
/* The training step of the weights behind the predictions shown (-1: a checkpoint's; 0: none). */
gint64 an_window_get_classify_weights_step (AnWindow *self);

G_END_DECLS
