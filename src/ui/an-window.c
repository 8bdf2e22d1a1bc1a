#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-window.c: AnWindow places the six pages (each a widget with its own template), holds
 * the run (one AnTrainer at a time), hands it to the pages and routes its events to them.
 * The trainer's signals arrive on the main context, already coalesced, so the pages only copy
 * numbers into widgets; snapshots are requested on a timer while running and whenever the
 * visible page needs fresh data. Pages reach the window only through its actions (win.toast)
 * and their own signals.
 */

#include <errno.h>
#include <glib/gi18n.h>

#include "an-window-private.h"

G_DEFINE_FINAL_TYPE (AnWindow, an_window, ADW_TYPE_APPLICATION_WINDOW)

AnWindow *
an_window_new (GtkApplication *app)
{
  return g_object_new (AN_TYPE_WINDOW, "application", app, NULL);
}

static void
on_toast_dismissed (AnWindow *self, AdwToast *toast)
{
  if (self->toasts != NULL)
    g_ptr_array_remove (self->toasts, toast);
}

static void
show_toast (AnWindow *self, const char *text)
{
  AdwToast *toast;

  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
  g_debug ("%s", text);
  if (self->toasts == NULL) /* closed: the message is all there is */
    return;

  toast = adw_toast_new (self->last_toast);
  adw_toast_set_timeout (toast, 6);
  g_ptr_array_add (self->toasts, g_object_ref (toast));
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (on_toast_dismissed), self,
                           G_CONNECT_SWAPPED);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void show_toast_printf (AnWindow *self, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
show_toast_printf (AnWindow *self, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  show_toast (self, text);
}

static void
action_toast (GtkWidget *widget, const char *name, GVariant *param)
{
  show_toast (AN_WINDOW (widget), g_variant_get_string (param, NULL));
}

void
an_window_dismiss_toasts (AnWindow *self)
{
  g_autoptr (GPtrArray) toasts = NULL;

  g_return_if_fail (AN_IS_WINDOW (self));

  toasts = g_steal_pointer (&self->toasts);
  self->toasts = g_ptr_array_new_with_free_func (g_object_unref);
  /* Newest first: libadwaita 1.2 crashes when the toast on screen goes first and the queued
   * ones are dismissed while it brings the next one in. */
  for (guint i = toasts->len; i-- > 0;)
    adw_toast_dismiss (g_ptr_array_index (toasts, i));
}

const char *
an_window_get_last_toast (AnWindow *self)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), NULL);
  return self->last_toast;
}

AnTrainerState
an_window_get_state (AnWindow *self)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), AN_TRAINER_IDLE);
  return self->state;
}

const char *
an_window_get_last_warning (AnWindow *self)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), NULL);
  return self->last_warning;
}

static const char *
visible_page (AnWindow *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->stack);

  return name != NULL ? name : "";
}

GtkWidget *
an_window_get_page (AnWindow *self, const char *name)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), NULL);
  return adw_view_stack_get_child_by_name (self->stack, name);
}

void
an_window_show_page (AnWindow *self, const char *name)
{
  g_return_if_fail (AN_IS_WINDOW (self));
  adw_view_stack_set_visible_child_name (self->stack, name);
}

AnTrainer *
an_window_get_trainer (AnWindow *self)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), NULL);
  return self->trainer;
}

void
an_window_get_run_config (AnWindow *self, AnRunConfig *cfg)
{
  g_return_if_fail (AN_IS_WINDOW (self));
  an_setup_page_get_run_config (self->setup_page, cfg);
}

void
an_window_set_run_config (AnWindow *self, const AnRunConfig *cfg)
{
  g_return_if_fail (AN_IS_WINDOW (self));
  an_setup_page_set_run_config (self->setup_page, cfg);
}

gboolean
an_window_set_live_hyperparameter (AnWindow *self, const char *key, double value,
                                   GError **error)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), FALSE);

  if (self->trainer == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("There is no run to change"));
      return FALSE;
    }
  return an_trainer_set_hyperparameter (self->trainer, key, value, error);
}

/* Widgets and state the tests inspect: the pages' own. */

GtkWidget *
an_window_get_loss_chart (AnWindow *self)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), NULL);
  return GTK_WIDGET (an_training_page_get_chart (self->training_page, "loss"));
}

GtkWidget *
an_window_get_filter_grid (AnWindow *self, int tower)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), NULL);
  return GTK_WIDGET (an_filters_page_get_grid (self->filters_page, tower));
}

GtkWidget *
an_window_get_probe_grid (AnWindow *self, const char *page)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), NULL);
  g_return_val_if_fail (g_strcmp0 (page, "features") == 0 || g_strcmp0 (page, "lrn") == 0, NULL);
  return g_str_equal (page, "lrn") ? GTK_WIDGET (an_lrn_page_get_probe_grid (self->lrn_page))
                                   : GTK_WIDGET (an_maps_page_get_probe_grid (self->maps_page));
}

GtkWidget *
an_window_get_classify_image (AnWindow *self)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), NULL);
  return GTK_WIDGET (an_classify_page_get_image (self->classify_page));
}

gboolean
an_window_classify_drop (AnWindow *self, const GValue *value)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), FALSE);
  return an_classify_page_drop (self->classify_page, value);
}

int
an_window_get_n_predictions (AnWindow *self)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), 0);
  return an_classify_page_get_n_predictions (self->classify_page);
}

gboolean
an_window_is_classifying (AnWindow *self)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), FALSE);
  return an_classify_page_is_busy (self->classify_page);
}

gint64
an_window_get_classify_weights_step (AnWindow *self)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), 0);
  return an_classify_page_get_weights_step (self->classify_page);
}

guint
an_window_get_classify_serial (AnWindow *self)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), 0);
  return an_classify_page_get_serial (self->classify_page);
}

gboolean
an_window_get_dataset_preview (AnWindow *self, int *n_train, int *n_test, int *n_samples)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), FALSE);
  return an_setup_page_get_dataset_preview (self->setup_page, n_train, n_test, n_samples);
}

GtkWidget *
an_window_get_dataset_info_row (AnWindow *self)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), NULL);
  return an_setup_page_get_dataset_info_row (self->setup_page);
}

GtkWidget *
an_window_get_dataset_sample (AnWindow *self, int i)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), NULL);
  return an_setup_page_get_dataset_sample (self->setup_page, i);
}

static gboolean
state_is_active (AnTrainerState s)
{
  return s == AN_TRAINER_RUNNING || s == AN_TRAINER_PAUSED || s == AN_TRAINER_DIVERGED;
}

/* Snapshots for what is on screen: the filters always (they are cheap and the Filters page
 * is often the one watched), the maps of the visible maps' page. */
static void
request_views (AnWindow *self)
{
  const char *page = visible_page (self);

  if (self->trainer == NULL)
    return;
  an_trainer_request_snapshot (self->trainer, AN_SNAPSHOT_WEIGHTS, "conv1", NULL);
  if (g_str_equal (page, "features"))
    an_maps_page_request (self->maps_page);
  else if (g_str_equal (page, "lrn"))
    an_lrn_page_request (self->lrn_page);
}

static gboolean
state_is_final (AnTrainerState s)
{
  return s == AN_TRAINER_FINISHED || s == AN_TRAINER_EARLY_STOPPED || s == AN_TRAINER_STOPPED
         || s == AN_TRAINER_FAILED;
}

static gboolean
on_snapshot_timeout (gpointer user_data)
{
  request_views (AN_WINDOW (user_data));
  return G_SOURCE_CONTINUE;
}

/* The header's state: the Training page's words ("Pausing…" included), in a label of fixed
 * width so that the view switcher does not move as they change. */
void
an_window_update_state_label (AnWindow *self)
{
  gtk_label_set_text (self->state_label,
                      self->trainer != NULL
                        ? an_training_page_get_state_text (self->training_page) : "");
}

static void
on_steps (AnTrainer *trainer, GArray *steps, AnWindow *self)
{
  an_training_page_add_steps (self->training_page, steps);
  if (steps->len > 0)
    self->run_seconds = g_array_index (steps, AnStepRecord, steps->len - 1).wall_seconds;
  an_window_update_state_label (self); /* "Starting…" becomes "Training" */
}

static void
on_epoch (AnTrainer *trainer, const AnEpochRecord *e, AnWindow *self)
{
  an_training_page_add_epoch (self->training_page, e);
  /* The confusion matrix belongs to the epoch just validated; filters move every epoch. */
  an_trainer_request_snapshot (trainer, AN_SNAPSHOT_CONFUSION, NULL, NULL);
  an_classify_page_weights_changed (self->classify_page);
  request_views (self);
}

static void
on_hyperparameter_changed (AnTrainer *trainer, const AnHyperChange *c, AnWindow *self)
{
  an_training_page_add_change (self->training_page, c);
}

static void
on_checkpoint_written (AnTrainer *trainer, const char *path, AnWindow *self)
{
  an_training_page_checkpoint_written (self->training_page, path);
  an_window_update_actions (self);
}

static void
on_snapshot_ready (AnTrainer *trainer, AnSnapshot *snapshot, AnWindow *self)
{
  switch (snapshot->kind)
    {
    case AN_SNAPSHOT_CONFUSION:
    case AN_SNAPSHOT_PARAMS:
      an_classify_page_show (self->classify_page, snapshot);
      break;
    case AN_SNAPSHOT_WEIGHTS:
      an_filters_page_show (self->filters_page, snapshot);
      break;
    case AN_SNAPSHOT_FEATURES:
      an_maps_page_show (self->maps_page, snapshot);
      break;
    case AN_SNAPSHOT_LRN:
      an_lrn_page_show (self->lrn_page, snapshot);
      break;
    default:
      break;
    }
  an_window_export_update_actions (self); /* the grids may have filled */
}

static void
on_log (AnTrainer *trainer, const char *message, AnWindow *self)
{
  g_info ("%s", message);
}

/* Images that did not decode: the first few each in a toast, then one toast for the rest (the
 * metrics file names them all). */
#define WARNING_TOASTS 3

static void
on_warning (AnTrainer *trainer, const char *message, AnWindow *self)
{
  g_debug ("%s", message);
  g_free (self->last_warning);
  self->last_warning = g_strdup (message);
  self->warnings++;
  if (self->warnings <= WARNING_TOASTS)
    show_toast (self, message);
  else if (self->warnings == WARNING_TOASTS + 1)
    show_toast_printf (self, "%s",
                       _("More images could not be read; the metrics file names them all"));
}

/* The last epoch of the run, or FALSE when there is none. */
static gboolean
last_epoch (AnWindow *self, AnEpochRecord *out)
{
  g_autoptr (GArray) epochs = an_trainer_get_epoch_history (self->trainer);

  if (epochs == NULL || epochs->len == 0)
    return FALSE;
  *out = g_array_index (epochs, AnEpochRecord, epochs->len - 1);
  return TRUE;
}

static void
on_state_changed (AnTrainer *trainer, AnTrainerState state, const char *reason, AnWindow *self)
{
  AnTrainerState old = self->state;
  AnEpochRecord last;
  AnTestResult test;

  self->state = state;
  an_training_page_set_state (self->training_page, state);
  an_window_update_state_label (self);
  an_window_update_actions (self);
  an_setup_page_set_locked (self->setup_page, state_is_active (state));
  if (an_trainer_get_test_result (trainer, &test))
    an_training_page_show_test_result (self->training_page, &test);

  if (state == AN_TRAINER_RUNNING && self->snapshot_timeout == 0)
    self->snapshot_timeout =
      g_timeout_add_seconds (g_settings_get_int (self->settings, "snapshot-interval"),
                             on_snapshot_timeout, self);
  else if (state != AN_TRAINER_RUNNING)
    g_clear_handle_id (&self->snapshot_timeout, g_source_remove);
  if (state != AN_TRAINER_RUNNING)
    {
      /* Paused or over: the views show the final weights (delivered at once). */
      request_views (self);
    }
  if (state_is_final (state))
    an_classify_page_weights_changed (self->classify_page);

  switch (state)
    {
    case AN_TRAINER_FINISHED:
      an_trainer_request_snapshot (trainer, AN_SNAPSHOT_CONFUSION, NULL, NULL);
      if (last_epoch (self, &last) && an_trainer_get_test_result (trainer, &test))
        show_toast_printf (self, _("Training finished: %.1f%% validation accuracy, %.1f%% on "
                                   "the test set"),
                           100.0 * last.val_acc, 100.0 * test.top1);
      else if (last_epoch (self, &last))
        show_toast_printf (self, _("Training finished: %.1f%% validation accuracy"),
                           100.0 * last.val_acc);
      else
        show_toast_printf (self, "%s", _("Training finished"));
      break;
    case AN_TRAINER_EARLY_STOPPED:
      show_toast_printf (self, _("Stopped early: no improvement since epoch %d"),
                         last_epoch (self, &last) ? last.best_epoch : 0);
      break;
    case AN_TRAINER_DIVERGED:
      show_toast_printf (self, "%s",
                         _("The loss diverged. Lower the learning rate, then resume from the "
                           "last good checkpoint."));
      break;
    case AN_TRAINER_FAILED:
      show_toast_printf (self, _("Training failed: %s"),
                         reason != NULL ? reason : _("unknown error"));
      break;
    case AN_TRAINER_STOPPED:
      if (old != AN_TRAINER_STOPPED)
        show_toast_printf (self, "%s", _("Training stopped"));
      break;
    case AN_TRAINER_IDLE:
    case AN_TRAINER_PAUSED:
      /* the run paused itself (a checkpoint not written, images that do not decode) */
      if (reason != NULL)
        show_toast_printf (self, _("Training paused: %s"), reason);
      break;
    case AN_TRAINER_RUNNING:
    default:
      break;
    }
}

static void
set_pages_trainer (AnWindow *self, AnTrainer *trainer)
{
  an_training_page_set_trainer (self->training_page, trainer);
  an_maps_page_set_trainer (self->maps_page, trainer);
  an_lrn_page_set_trainer (self->lrn_page, trainer);
  an_classify_page_set_trainer (self->classify_page, trainer);
}

static void
release_trainer (AnWindow *self)
{
  if (self->trainer == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->trainer, self);
  if (state_is_active (an_trainer_get_state (self->trainer)))
    an_trainer_stop (self->trainer);
  if (an_trainer_get_state (self->trainer) != AN_TRAINER_IDLE)
    an_trainer_join (self->trainer);
  g_clear_object (&self->trainer);
  g_clear_handle_id (&self->snapshot_timeout, g_source_remove);
}

/* Takes ownership of trainer: a new run, or one resumed from a checkpoint (its history is
 * drawn first). */
void
an_window_adopt_trainer (AnWindow *self, AnTrainer *trainer)
{
  g_autoptr (GArray) steps = NULL;
  g_autoptr (GArray) epochs = NULL;

  release_trainer (self);
  self->trainer = trainer;
  self->state = an_trainer_get_state (trainer);
  self->run_seconds = 0;
  set_pages_trainer (self, trainer);

  g_signal_connect_object (trainer, "steps", G_CALLBACK (on_steps), self, 0);
  g_signal_connect_object (trainer, "epoch", G_CALLBACK (on_epoch), self, 0);
  g_signal_connect_object (trainer, "hyperparameter-changed",
                           G_CALLBACK (on_hyperparameter_changed), self, 0);
  g_signal_connect_object (trainer, "state-changed", G_CALLBACK (on_state_changed), self, 0);
  g_signal_connect_object (trainer, "checkpoint-written", G_CALLBACK (on_checkpoint_written),
                           self, 0);
  g_signal_connect_object (trainer, "snapshot-ready", G_CALLBACK (on_snapshot_ready), self, 0);
  g_signal_connect_object (trainer, "log", G_CALLBACK (on_log), self, 0);
  g_signal_connect_object (trainer, "warning", G_CALLBACK (on_warning), self, 0);
  self->warnings = 0;
  g_clear_pointer (&self->last_warning, g_free);

  steps = an_trainer_get_step_history (trainer);
  epochs = an_trainer_get_epoch_history (trainer);
  if (steps != NULL && steps->len > 0)
    on_steps (trainer, steps, self);
  for (guint i = 0; epochs != NULL && i < epochs->len; i++)
    an_training_page_add_epoch (self->training_page, &g_array_index (epochs, AnEpochRecord, i));

  an_setup_page_set_run_config (self->setup_page, an_trainer_get_config (trainer));
  an_window_update_state_label (self);
  an_window_update_actions (self);
}

static char *
new_run_dir (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *base = g_build_filename (g_get_user_cache_dir (), "alexnet-studio", "runs",
                                            stamp, NULL);
  char *dir = g_strdup (base);

  /* Two runs started within a second get their own folders. */
  for (int i = 2; g_file_test (dir, G_FILE_TEST_EXISTS); i++)
    {
      g_free (dir);
      dir = g_strdup_printf ("%s-%d", base, i);
    }
  return dir;
}

void
an_window_start_run (AnWindow *self)
{
  AnRunConfig cfg;
  g_autoptr (GError) error = NULL;
  AnTrainer *trainer;

  if (self->trainer != NULL && an_trainer_get_state (self->trainer) == AN_TRAINER_IDLE)
    {
      an_trainer_start (self->trainer);
      return;
    }

  an_setup_page_get_run_config (self->setup_page, &cfg);
  g_free (cfg.checkpoint_dir);
  cfg.checkpoint_dir = new_run_dir ();
  if (g_mkdir_with_parents (cfg.checkpoint_dir, 0700) != 0)
    {
      show_toast_printf (self, _("Cannot create the run folder “%s”: %s"), cfg.checkpoint_dir,
                         g_strerror (errno));
      an_run_config_clear (&cfg);
      return;
    }
  trainer = an_trainer_new (&cfg, &error);
  an_run_config_clear (&cfg);
  if (trainer == NULL)
    {
      show_toast_printf (self, _("Invalid settings: %s"), error->message);
      return;
    }
  an_window_adopt_trainer (self, trainer);
  an_window_show_page (self, "training");
  an_trainer_start (trainer);
}

static void
on_visible_page_changed (AnWindow *self)
{
  request_views (self);
}

static void
on_preset_changed (AnWindow *self)
{
  const AnPreset *preset = an_setup_page_get_preset (self->setup_page);

  an_maps_page_set_preset (self->maps_page, preset);
  an_lrn_page_set_preset (self->lrn_page, preset);
}

static void
on_probe_changed (AnWindow *self)
{
  an_lrn_page_set_probe (self->lrn_page, an_maps_page_get_probe (self->maps_page));
  request_views (self);
}

static void
an_window_dispose (GObject *object)
{
  AnWindow *self = AN_WINDOW (object);

  release_trainer (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->toasts, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), AN_TYPE_WINDOW);
  G_OBJECT_CLASS (an_window_parent_class)->dispose (object);
}

static void
an_window_finalize (GObject *object)
{
  AnWindow *self = AN_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_free (self->last_toast);
  g_free (self->last_warning);
  G_OBJECT_CLASS (an_window_parent_class)->finalize (object);
}

static void
an_window_class_init (AnWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = an_window_dispose;
  object_class->finalize = an_window_finalize;

  g_type_ensure (AN_TYPE_SETUP_PAGE);
  g_type_ensure (AN_TYPE_TRAINING_PAGE);
  g_type_ensure (AN_TYPE_FILTERS_PAGE);
  g_type_ensure (AN_TYPE_MAPS_PAGE);
  g_type_ensure (AN_TYPE_LRN_PAGE);
  g_type_ensure (AN_TYPE_CLASSIFY_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/alexnetstudio/AlexNetStudio/an-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, AnWindow, name)
  BIND (toast_overlay);
  BIND (start_button);
  BIND (pause_button);
  BIND (resume_button);
  BIND (stop_button);
  BIND (state_label);
  BIND (stack);
  BIND (switcher_title);
  BIND (switcher_bar);
  BIND (setup_page);
  BIND (training_page);
  BIND (filters_page);
  BIND (maps_page);
  BIND (lrn_page);
  BIND (classify_page);
#undef BIND

  /* The pages' way to tell the user something (an_toast). */
  gtk_widget_class_install_action (widget_class, "win.toast", "s", action_toast);
  an_window_actions_class_init (widget_class);
  an_window_export_class_init (widget_class);
}

static void
an_window_init (AnWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* GtkApplication adds the resource icons for its windows; a window made without one (the
   * tests) needs them too for the page icons. */
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gtk_widget_get_display (
                                      GTK_WIDGET (self))),
                                    "/org/alexnetstudio/AlexNetStudio/icons");

  self->settings = g_settings_new (APP_ID);
  self->cancellable = g_cancellable_new ();
  self->toasts = g_ptr_array_new_with_free_func (g_object_unref);

  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized",
                   G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_object (self->setup_page, "preset-changed", G_CALLBACK (on_preset_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->maps_page, "probe-changed", G_CALLBACK (on_probe_changed), self,
                           G_CONNECT_SWAPPED);
  on_preset_changed (self);
  g_signal_connect_object (self->stack, "notify::visible-child-name",
                           G_CALLBACK (on_visible_page_changed), self, G_CONNECT_SWAPPED);
  an_window_update_state_label (self);
  an_window_update_actions (self);
}
