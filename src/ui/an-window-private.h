/* an-window-private.h: AnWindow's state, shared by the files that implement its pages:
 * an-window.c (the run and its signals), -setup.c, -dataset.c, -training.c, -views.c (filters, feature
 * maps, LRN), -classify.c, -actions.c and -export.c. */
#pragma once

#include "an-chart.h"
#include "an-confusion-view.h"
#include "an-histogram.h"
#include "an-preset.h"
#include "an-tile-grid.h"
#include "an-window.h"

G_BEGIN_DECLS

typedef enum {
  AN_FILE_FILTER_NONE = 0,
  AN_FILE_FILTER_IMAGES,
  AN_FILE_FILTER_CHECKPOINTS,
  AN_FILE_FILTER_PNG,
  AN_FILE_FILTER_CSV,
} AnFileFilter;

typedef void (*AnFileChosenFunc) (AnWindow *self, GFile *file);

/* Shared with classifying threads (an-window-classify.c); g_atomic_rc_box references. */
typedef struct _AnClassifierRef AnClassifierRef;
typedef struct _AnImageRef AnImageRef;
void an_classifier_ref_unref (AnClassifierRef *ref);
void an_image_ref_unref (AnImageRef *ref);

struct _AnWindow {
  AdwApplicationWindow parent_instance;

  /* from the template */
  AdwToastOverlay *toast_overlay;
  GtkButton *start_button, *pause_button, *resume_button, *stop_button;
  GtkLabel *state_label;
  AdwViewStack *stack;
  GtkBox *setup_box;
  AdwComboRow *preset_row;
  AdwActionRow *preset_details_row;
  AdwComboRow *dataset_row;
  AdwActionRow *folder_row;
  AdwActionRow *dataset_info_row;
  GtkSpinner *dataset_spinner;
  GtkWidget *dataset_samples_row;
  GtkFlowBox *dataset_samples_box;
  GtkProgressBar *progress_bar;
  GtkLabel *epoch_label, *step_label, *speed_label, *eta_label;
  GtkDropDown *x_axis_dropdown;
  GtkCheckButton *log_scale_check;
  GtkScale *smoothing_scale;
  GtkGrid *chart_grid;
  AdwPreferencesGroup *live_group;
  GtkLabel *filters_title;
  GtkSpinButton *zoom_spin;
  GtkBox *filters_box;
  GtkBox *probe_box;
  GtkLabel *probe_label, *enlarged_label, *maps_label;
  GtkDropDown *layer_dropdown;
  GtkBox *maps_box;
  AdwPreferencesGroup *lrn_group;
  AdwComboRow *lrn_layer_row;
  GtkGrid *lrn_grid;
  GtkStack *classify_stack;
  GtkBox *classify_image_box, *top5_box, *confusion_box;
  GtkBox *classify_busy_box;
  GtkSpinner *classify_spinner;
  GtkLabel *classify_busy_label;
  GtkLabel *confusion_label;

  /* built in code */
  GSettings *settings;
  GPtrArray *setup_rows; /* of SetupRow* (an-window-setup.c) */
  GStrv preset_names;
  AnPreset *preset;      /* the selected preset */
  char *dataset_folder;
  /* the dataset preview: a result is applied only when its serial is still the latest */
  guint dataset_serial;
  gboolean dataset_loading;
  int dataset_n_train, dataset_n_test; /* -1: unknown (loading, failed; no test split) */
  int dataset_n_samples;

  AnChart *loss_chart, *acc_chart, *lr_chart, *grad_chart;
  guint loss_raw, loss_smooth, loss_val, acc_train, acc_val, acc_top5, lr_series, grad_series;
  GHashTable *live_spins; /* key -> GtkSpinButton */
  GHashTable *live_pending; /* key -> source id of the debounce */
  gboolean live_syncing;    /* spin values set from the trainer: do not send them back */

  GtkWidget *tower_box[2];
  AnTileGrid *filter_grid[2];
  GtkLabel *tower_label[2], *colour_label[2];
  AnTileGrid *probe_grid, *maps_grid, *enlarged_grid;
  GtkLabel *probe_caption;
  AnTileGrid *lrn_probe_grid;
  GtkLabel *lrn_probe_caption;
  GtkBox *lrn_side_box;
  AnTileGrid *lrn_before, *lrn_after, *lrn_diff;
  AnHistogram *lrn_hist;
  GtkLabel *lrn_info;
  GtkAdjustment *lrn_size, *lrn_alpha, *lrn_beta, *lrn_k;
  guint lrn_debounce;
  gboolean lrn_custom;   /* the sliders were moved: send their values, not the model's */
  gboolean lrn_syncing;  /* sliders set from the preset */

  AnTileGrid *classify_grid;
  AnConfusionView *confusion_view;
  GtkWidget *top5_rows[5];
  GtkLabel *top5_names[5], *top5_values[5];
  GtkLevelBar *top5_bars[5];

  /* the run */
  AnTrainer *trainer;
  AnTrainerState state;
  GArray *epochs; /* of AnEpochRecord, this run */
  AnStepRecord last_step;
  gboolean have_step;
  gint64 total_steps;
  guint snapshot_timeout;
  AnImage *probe; /* NULL: the first validation image */
  AnSnapshot *features;
  int enlarged_channel;
  const char *export_chart; /* the chart a file is being chosen for (static string) */

  /* classifying: results of tasks older than the last one started are dropped */
  AnClassifierRef *classifier;
  AnImageRef *classify_image;
  gboolean waiting_params;   /* a PARAMS snapshot was asked for */
  gboolean build_pending;    /* a classifier is being built */
  gboolean classify_pending; /* the image is being classified */
  guint build_generation, classify_generation;
  GCancellable *cancellable; /* cancelled when the window is closed */
  char *last_toast;
  GPtrArray *toasts; /* shown or queued, not yet dismissed */
  int n_predictions;
  guint classify_serial;
};

void an_window_toast (AnWindow *self, const char *format, ...) G_GNUC_PRINTF (2, 3);
void an_window_choose_file (AnWindow *self, GtkFileChooserAction action, const char *title,
                            const char *accept, const char *suggested_name, AnFileFilter filter,
                            AnFileChosenFunc callback);
void an_window_start_run (AnWindow *self);
void an_window_adopt_trainer (AnWindow *self, AnTrainer *trainer);
const char *an_window_visible_page (AnWindow *self);

void an_window_setup_class_init (GtkWidgetClass *widget_class);
void an_window_setup_init (AnWindow *self);
void an_window_setup_set_locked (AnWindow *self, gboolean locked);
void an_window_setup_dispose (AnWindow *self);

/* Reads the dataset spec ("fashion-mnist", "cifar10:DIR"...) in a thread and shows what it
 * holds under the Dataset row; NULL: a folder is needed and none is chosen. */
void an_window_dataset_preview (AnWindow *self, const char *spec);

void an_window_training_init (AnWindow *self);
void an_window_training_new_run (AnWindow *self);
void an_window_training_add_steps (AnWindow *self, const GArray *steps);
void an_window_training_add_epoch (AnWindow *self, const AnEpochRecord *e);
void an_window_training_add_change (AnWindow *self, const AnHyperChange *c);
void an_window_training_sync_live (AnWindow *self);
void an_window_training_dispose (AnWindow *self);

void an_window_views_class_init (GtkWidgetClass *widget_class);
void an_window_views_init (AnWindow *self);
void an_window_views_set_preset (AnWindow *self, const AnPreset *preset);
void an_window_views_request (AnWindow *self);
void an_window_views_on_snapshot (AnWindow *self, AnSnapshot *snapshot);
void an_window_views_dispose (AnWindow *self);

/* Decodes an image file (an_image_load's formats) in a thread (an-window-classify.c). */
void an_window_load_image_async (AnWindow *self, GFile *file, GAsyncReadyCallback callback,
                                 gpointer user_data);
AnImage *an_window_load_image_finish (AnWindow *self, GAsyncResult *result, GError **error);

void an_window_classify_class_init (GtkWidgetClass *widget_class);
void an_window_classify_init (AnWindow *self);
void an_window_classify_on_snapshot (AnWindow *self, AnSnapshot *snapshot);
void an_window_classify_use_checkpoint (AnWindow *self, const char *path);
void an_window_classify_new_run (AnWindow *self);
void an_window_classify_dispose (AnWindow *self);

void an_window_actions_class_init (GtkWidgetClass *widget_class);
void an_window_update_actions (AnWindow *self);

void an_window_export_class_init (GtkWidgetClass *widget_class);
void an_window_export_update_actions (AnWindow *self);

G_END_DECLS
