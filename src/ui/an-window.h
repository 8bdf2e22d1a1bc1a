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
/* Sends one live hyperparameter ("lr", "momentum", "weight_decay", "dropout", "patience"),
 * as the Training page's spin buttons do. */
gboolean an_window_set_live_hyperparameter (AnWindow *self, const char *key, double value,
                                            GError **error);

/* What a drop on the Classify page does: value holds a GdkFileList or a GdkTexture. Returns
 * FALSE (and shows a toast) when there is nothing usable; decoding goes on in a thread. */
gboolean an_window_classify_drop (AnWindow *self, const GValue *value);

/* Widgets and state the tests inspect. */
GtkWidget *an_window_get_loss_chart (AnWindow *self);
GtkWidget *an_window_get_filter_grid (AnWindow *self, int tower);
GtkWidget *an_window_get_classify_image (AnWindow *self);
GtkWidget *an_window_get_page (AnWindow *self, const char *name);
void an_window_show_page (AnWindow *self, const char *name);
/* The text of the last toast (NULL if none yet) and how many predictions are shown. */
const char *an_window_get_last_toast (AnWindow *self);
int an_window_get_n_predictions (AnWindow *self);
/* TRUE while the image on the Classify page waits for its predictions (the model being
 * prepared or the image classified, in a thread). */
gboolean an_window_is_classifying (AnWindow *self);
/* Counts classify-page results (an image decoded and shown, or refused): tests wait on it. */
guint an_window_get_classify_serial (AnWindow *self);

G_END_DECLS
