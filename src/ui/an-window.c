#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-window.c: AnWindow's core: the template, the run (one AnTrainer at a time) and the
 * dispatch of its signals to the pages. The trainer's signals arrive on the main context,
 * already coalesced, so handlers only copy numbers into widgets; snapshots are requested on
 * a timer while running and whenever the visible page needs fresh data.
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

void
an_window_toast (AnWindow *self, const char *format, ...)
{
  va_list args;
  AdwToast *toast;

  g_free (self->last_toast);
  va_start (args, format);
  self->last_toast = g_strdup_vprintf (format, args);
  va_end (args);
  g_message ("%s", self->last_toast);
  if (self->toasts == NULL) /* closed: the message is all there is */
    return;

  toast = adw_toast_new (self->last_toast);
  adw_toast_set_timeout (toast, 6);
  g_ptr_array_add (self->toasts, g_object_ref (toast));
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (on_toast_dismissed), self,
                           G_CONNECT_SWAPPED);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
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

typedef struct {
  AnWindow *self;
  AnFileChosenFunc callback;
} ChooseData;

static void
on_chooser_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  ChooseData *data = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        data->callback (data->self, file);
    }
  g_object_unref (data->self);
  g_free (data);
  g_object_unref (dialog);
}

/* The one place that opens a file chooser (GtkFileChooserNative: the portal in a sandbox). */
void
an_window_choose_file (AnWindow *self, GtkFileChooserAction action, const char *title,
                       const char *accept, const char *suggested_name, AnFileFilter filter,
                       AnFileChosenFunc callback)
{
  GtkFileChooserNative *native;
  GtkFileFilter *f;
  ChooseData *data;

  native = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, accept, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  if (suggested_name != NULL)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), suggested_name);

  switch (filter)
    {
    case AN_FILE_FILTER_IMAGES:
      f = gtk_file_filter_new ();
      gtk_file_filter_set_name (f, _("Images"));
      /* the formats the engine decodes: PNG, JPEG and gdk-pixbuf's (WebP, BMP, GIF...) */
      gtk_file_filter_add_pixbuf_formats (f);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), f);
      g_object_unref (f);
      break;
    case AN_FILE_FILTER_CHECKPOINTS:
      f = gtk_file_filter_new ();
      gtk_file_filter_set_name (f, _("Checkpoints"));
      gtk_file_filter_add_suffix (f, "ckpt");
      gtk_file_filter_add_suffix (f, "anckpt");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), f);
      g_object_unref (f);
      f = gtk_file_filter_new ();
      gtk_file_filter_set_name (f, _("All files"));
      gtk_file_filter_add_pattern (f, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), f);
      g_object_unref (f);
      break;
    case AN_FILE_FILTER_PNG:
      f = gtk_file_filter_new ();
      gtk_file_filter_set_name (f, _("PNG image"));
      gtk_file_filter_add_suffix (f, "png");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), f);
      g_object_unref (f);
      break;
    case AN_FILE_FILTER_CSV:
      f = gtk_file_filter_new ();
      gtk_file_filter_set_name (f, _("CSV table"));
      gtk_file_filter_add_suffix (f, "csv");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), f);
      g_object_unref (f);
      break;
    case AN_FILE_FILTER_NONE:
    default:
      break;
    }

  data = g_new0 (ChooseData, 1);
  data->self = g_object_ref (self);
  data->callback = callback;
  g_signal_connect (native, "response", G_CALLBACK (on_chooser_response), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

const char *
an_window_visible_page (AnWindow *self)
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

GtkWidget *
an_window_get_loss_chart (AnWindow *self)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->loss_chart);
}

GtkWidget *
an_window_get_filter_grid (AnWindow *self, int tower)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), NULL);
  g_return_val_if_fail (tower == 0 || tower == 1, NULL);
  return GTK_WIDGET (self->filter_grid[tower]);
}

GtkWidget *
an_window_get_probe_grid (AnWindow *self, const char *page)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), NULL);
  g_return_val_if_fail (g_strcmp0 (page, "features") == 0 || g_strcmp0 (page, "lrn") == 0, NULL);
  return GTK_WIDGET (g_str_equal (page, "lrn") ? self->lrn_probe_grid : self->probe_grid);
}

static gboolean
state_is_active (AnTrainerState s)
{
  return s == AN_TRAINER_RUNNING || s == AN_TRAINER_PAUSED || s == AN_TRAINER_DIVERGED;
}

static gboolean
on_snapshot_timeout (gpointer user_data)
{
  an_window_views_request (AN_WINDOW (user_data));
  return G_SOURCE_CONTINUE;
}

static void
update_state_label (AnWindow *self)
{
  const char *text;

  switch (self->state)
    {
    case AN_TRAINER_RUNNING: text = _("Training"); break;
    case AN_TRAINER_PAUSED: text = _("Paused"); break;
    case AN_TRAINER_FINISHED: text = _("Finished"); break;
    case AN_TRAINER_EARLY_STOPPED: text = _("Stopped early"); break;
    case AN_TRAINER_STOPPED: text = _("Stopped"); break;
    case AN_TRAINER_DIVERGED: text = _("Diverged"); break;
    case AN_TRAINER_FAILED: text = _("Failed"); break;
    case AN_TRAINER_IDLE:
    default:
      text = self->trainer != NULL ? _("Ready") : "";
      break;
    }
  gtk_label_set_text (self->state_label, text);
}

static void
on_steps (AnTrainer *trainer, GArray *steps, AnWindow *self)
{
  an_window_training_add_steps (self, steps);
}

static void
on_epoch (AnTrainer *trainer, const AnEpochRecord *e, AnWindow *self)
{
  an_window_training_add_epoch (self, e);
  /* The confusion matrix belongs to the epoch just validated; filters move every epoch. */
  an_trainer_request_snapshot (trainer, AN_SNAPSHOT_CONFUSION, NULL, NULL);
  an_window_views_request (self);
}

static void
on_hyperparameter_changed (AnTrainer *trainer, const AnHyperChange *c, AnWindow *self)
{
  an_window_training_add_change (self, c);
}

static void
on_checkpoint_written (AnTrainer *trainer, const char *path, AnWindow *self)
{
  an_window_update_actions (self);
}

static void
on_snapshot_ready (AnTrainer *trainer, AnSnapshot *snapshot, AnWindow *self)
{
  switch (snapshot->kind)
    {
    case AN_SNAPSHOT_CONFUSION:
    case AN_SNAPSHOT_PARAMS:
      an_window_classify_on_snapshot (self, snapshot);
      break;
    case AN_SNAPSHOT_WEIGHTS:
    case AN_SNAPSHOT_FEATURES:
    case AN_SNAPSHOT_LRN:
    default:
      an_window_views_on_snapshot (self, snapshot);
      break;
    }
}

static void
on_log (AnTrainer *trainer, const char *message, AnWindow *self)
{
  g_info ("%s", message);
}

static void
on_state_changed (AnTrainer *trainer, AnTrainerState state, const char *reason, AnWindow *self)
{
  AnTrainerState old = self->state;

  self->state = state;
  update_state_label (self);
  an_window_update_actions (self);
  an_window_setup_set_locked (self, state_is_active (state));

  if (state == AN_TRAINER_RUNNING && self->snapshot_timeout == 0)
    self->snapshot_timeout =
      g_timeout_add_seconds (g_settings_get_int (self->settings, "snapshot-interval"),
                             on_snapshot_timeout, self);
  else if (state != AN_TRAINER_RUNNING)
    g_clear_handle_id (&self->snapshot_timeout, g_source_remove);
  if (state != AN_TRAINER_RUNNING)
    {
      /* Paused or over: the views show the final weights (delivered at once). */
      an_window_views_request (self);
    }

  switch (state)
    {
    case AN_TRAINER_FINISHED:
      {
        const AnEpochRecord *last = self->epochs->len > 0
          ? &g_array_index (self->epochs, AnEpochRecord, self->epochs->len - 1) : NULL;

        an_trainer_request_snapshot (trainer, AN_SNAPSHOT_CONFUSION, NULL, NULL);
        if (last != NULL)
          an_window_toast (self, _("Training finished: %.1f%% validation accuracy"),
                           100.0 * last->val_acc);
        else
          an_window_toast (self, _("Training finished"));
        break;
      }
    case AN_TRAINER_EARLY_STOPPED:
      {
        const AnEpochRecord *last = self->epochs->len > 0
          ? &g_array_index (self->epochs, AnEpochRecord, self->epochs->len - 1) : NULL;

        an_window_toast (self, _("Stopped early: no improvement since epoch %d"),
                         last != NULL ? last->best_epoch : 0);
        break;
      }
    case AN_TRAINER_DIVERGED:
      an_window_toast (self, _("The loss diverged. Lower the learning rate, then resume from "
                               "the last good checkpoint."));
      break;
    case AN_TRAINER_FAILED:
      an_window_toast (self, _("Training failed: %s"), reason != NULL ? reason : _("unknown error"));
      break;
    case AN_TRAINER_STOPPED:
      if (old != AN_TRAINER_STOPPED)
        an_window_toast (self, _("Training stopped"));
      break;
    case AN_TRAINER_IDLE:
    case AN_TRAINER_RUNNING:
    case AN_TRAINER_PAUSED:
    default:
      break;
    }
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
  g_array_set_size (self->epochs, 0);
  self->have_step = FALSE;
  an_window_training_new_run (self);
  an_window_classify_new_run (self);

  g_signal_connect_object (trainer, "steps", G_CALLBACK (on_steps), self, 0);
  g_signal_connect_object (trainer, "epoch", G_CALLBACK (on_epoch), self, 0);
  g_signal_connect_object (trainer, "hyperparameter-changed",
                           G_CALLBACK (on_hyperparameter_changed), self, 0);
  g_signal_connect_object (trainer, "state-changed", G_CALLBACK (on_state_changed), self, 0);
  g_signal_connect_object (trainer, "checkpoint-written", G_CALLBACK (on_checkpoint_written),
                           self, 0);
  g_signal_connect_object (trainer, "snapshot-ready", G_CALLBACK (on_snapshot_ready), self, 0);
  g_signal_connect_object (trainer, "log", G_CALLBACK (on_log), self, 0);

  steps = an_trainer_get_step_history (trainer);
  epochs = an_trainer_get_epoch_history (trainer);
  if (steps != NULL && steps->len > 0)
    an_window_training_add_steps (self, steps);
  for (guint i = 0; epochs != NULL && i < epochs->len; i++)
    an_window_training_add_epoch (self, &g_array_index (epochs, AnEpochRecord, i));

  an_window_set_run_config (self, an_trainer_get_config (trainer));
  an_window_training_sync_live (self);
  update_state_label (self);
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

  an_window_get_run_config (self, &cfg);
  g_free (cfg.checkpoint_dir);
  cfg.checkpoint_dir = new_run_dir ();
  if (g_mkdir_with_parents (cfg.checkpoint_dir, 0700) != 0)
    {
      an_window_toast (self, _("Cannot create the run folder “%s”: %s"), cfg.checkpoint_dir,
                       g_strerror (errno));
      an_run_config_clear (&cfg);
      return;
    }
  trainer = an_trainer_new (&cfg, &error);
  an_run_config_clear (&cfg);
  if (trainer == NULL)
    {
      an_window_toast (self, _("Invalid settings: %s"), error->message);
      return;
    }
  an_window_adopt_trainer (self, trainer);
  an_window_show_page (self, "training");
  an_trainer_start (trainer);
}

static void
on_visible_page_changed (AnWindow *self)
{
  if (self->trainer != NULL)
    an_window_views_request (self);
}

static void
an_window_dispose (GObject *object)
{
  AnWindow *self = AN_WINDOW (object);

  release_trainer (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  an_window_training_dispose (self);
  an_window_views_dispose (self);
  an_window_classify_dispose (self);
  an_window_setup_dispose (self);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->toasts, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), AN_TYPE_WINDOW);
  G_OBJECT_CLASS (an_window_parent_class)->dispose (object);
}

static void
an_window_finalize (GObject *object)
{
  AnWindow *self = AN_WINDOW (object);

  g_clear_pointer (&self->epochs, g_array_unref);
  g_clear_object (&self->cancellable);
  g_free (self->last_toast);
  G_OBJECT_CLASS (an_window_parent_class)->finalize (object);
}

static void
an_window_class_init (AnWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = an_window_dispose;
  object_class->finalize = an_window_finalize;

  g_type_ensure (AN_TYPE_CHART);
  g_type_ensure (AN_TYPE_TILE_GRID);
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
  BIND (setup_box);
  BIND (preset_row);
  BIND (preset_details_row);
  BIND (dataset_row);
  BIND (folder_row);
  BIND (dataset_info_row);
  BIND (dataset_spinner);
  BIND (dataset_samples_row);
  BIND (dataset_samples_box);
  BIND (progress_bar);
  BIND (epoch_label);
  BIND (step_label);
  BIND (speed_label);
  BIND (eta_label);
  BIND (x_axis_dropdown);
  BIND (log_scale_check);
  BIND (smoothing_scale);
  BIND (chart_grid);
  BIND (live_group);
  BIND (filters_title);
  BIND (zoom_spin);
  BIND (filters_box);
  BIND (probe_box);
  BIND (probe_label);
  BIND (enlarged_label);
  BIND (maps_label);
  BIND (layer_dropdown);
  BIND (maps_box);
  BIND (lrn_group);
  BIND (lrn_layer_row);
  BIND (lrn_grid);
  BIND (lrn_side_box);
  BIND (classify_stack);
  BIND (classify_image_box);
  BIND (top5_box);
  BIND (confusion_box);
  BIND (confusion_label);
  BIND (classify_busy_box);
  BIND (classify_spinner);
  BIND (classify_busy_label);
#undef BIND

  an_window_setup_class_init (widget_class);
  an_window_views_class_init (widget_class);
  an_window_classify_class_init (widget_class);
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
  self->epochs = g_array_new (FALSE, FALSE, sizeof (AnEpochRecord));
  self->cancellable = g_cancellable_new ();
  self->toasts = g_ptr_array_new_with_free_func (g_object_unref);

  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized",
                   G_SETTINGS_BIND_DEFAULT);

  an_window_training_init (self);
  an_window_views_init (self);
  an_window_classify_init (self);
  an_window_setup_init (self); /* last: choosing the preset fills the other pages' pickers */

  g_signal_connect_object (self->stack, "notify::visible-child-name",
                           G_CALLBACK (on_visible_page_changed), self, G_CONNECT_SWAPPED);
  update_state_label (self);
  an_window_update_actions (self);
}
