#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-window-actions.c: the window's actions. Buttons and menu items only name an action, so
 * an_window_update_actions, run on every trainer state change, is the one place that decides
 * what can be done now.
 */

#include <glib/gi18n.h>

#include "an-chart-data.h"
#include "an-window-private.h"

static gboolean
is_final (AnTrainerState s)
{
  return s == AN_TRAINER_FINISHED || s == AN_TRAINER_EARLY_STOPPED || s == AN_TRAINER_STOPPED
         || s == AN_TRAINER_FAILED;
}

void
an_window_update_actions (AnWindow *self)
{
  GtkWidget *w = GTK_WIDGET (self);
  AnTrainerState s = self->trainer ? an_trainer_get_state (self->trainer) : AN_TRAINER_IDLE;
  gboolean have = self->trainer != NULL;
  gboolean running = have && s == AN_TRAINER_RUNNING;
  gboolean held = have && (s == AN_TRAINER_PAUSED || s == AN_TRAINER_DIVERGED);
  const char *ckpt = have ? an_trainer_get_last_checkpoint (self->trainer) : NULL;

  gtk_widget_action_set_enabled (w, "win.start", !have || s == AN_TRAINER_IDLE || is_final (s));
  gtk_widget_action_set_enabled (w, "win.pause", running);
  gtk_widget_action_set_enabled (w, "win.resume", held);
  gtk_widget_action_set_enabled (w, "win.stop", running || held);
  gtk_widget_action_set_enabled (w, "win.stop-keep-best", running || held);
  gtk_widget_action_set_enabled (w, "win.open-checkpoint", !running && !held);
  gtk_widget_action_set_enabled (w, "win.save-checkpoint", ckpt != NULL);
  an_window_export_update_actions (self);

  /* One of pause / resume at a time, in the same place. */
  gtk_widget_set_visible (GTK_WIDGET (self->pause_button), !held);
  gtk_widget_set_visible (GTK_WIDGET (self->resume_button), held);
}

static void
action_start (GtkWidget *widget, const char *name, GVariant *param)
{
  an_window_start_run (AN_WINDOW (widget));
}

static void
action_pause (GtkWidget *widget, const char *name, GVariant *param)
{
  AnWindow *self = AN_WINDOW (widget);

  an_trainer_pause (self->trainer);
  an_training_page_request (self->training_page, FALSE);
  an_window_update_state_label (self);
}

static void
action_resume (GtkWidget *widget, const char *name, GVariant *param)
{
  AnWindow *self = AN_WINDOW (widget);

  an_trainer_resume (self->trainer);
}

static void
on_stop_response (AdwMessageDialog *dialog, const char *response, AnWindow *self)
{
  AnTrainerState s = self->trainer ? an_trainer_get_state (self->trainer) : AN_TRAINER_IDLE;

  /* the run may have ended while the dialog was open */
  if (s != AN_TRAINER_RUNNING && s != AN_TRAINER_PAUSED && s != AN_TRAINER_DIVERGED)
    return;
  if (g_str_equal (response, "stop"))
    an_trainer_stop (self->trainer);
  else if (g_str_equal (response, "keep-best"))
    an_trainer_stop_keep_best (self->trainer);
  else
    return;
  an_training_page_request (self->training_page, TRUE);
  an_window_update_state_label (self);
}

/* Stops at once, or asks first when the run has trained longer than the confirm-stop-after
 * setting (Ctrl+. is next to Ctrl+, and a long run is worth a question). */
static void
action_stop (GtkWidget *widget, const char *name, GVariant *param)
{
  AnWindow *self = AN_WINDOW (widget);
  int ask_after = g_settings_get_int (self->settings, "confirm-stop-after");
  g_autofree char *trained = NULL;
  GtkWidget *dialog;

  if (self->run_seconds < ask_after)
    {
      an_trainer_stop (self->trainer);
      an_training_page_request (self->training_page, TRUE);
      an_window_update_state_label (self);
      return;
    }
  trained = an_chart_format_time (self->run_seconds);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Stop Training?"), NULL);
  /* Translators: %s is a duration, "12:05" */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("This run has trained for %s. Stopping ends it; it cannot "
                                    "be resumed from where it is, only from its last "
                                    "checkpoint."),
                                  trained);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Keep Training"),
                                    "keep-best", _("Stop and Keep _Best"), "stop", _("_Stop"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "stop",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_stop_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
action_stop_keep_best (GtkWidget *widget, const char *name, GVariant *param)
{
  AnWindow *self = AN_WINDOW (widget);

  an_trainer_stop_keep_best (self->trainer);
  an_training_page_request (self->training_page, TRUE);
  an_window_update_state_label (self);
}

/* What File > Open Checkpoint does with the chosen file: the run, its curves and its weights
 * for Classify; FALSE (and a toast) when the file cannot be read. */
gboolean
an_window_open_checkpoint (AnWindow *self, const char *path)
{
  g_autoptr (GError) error = NULL;
  AnTrainer *trainer;

  g_return_val_if_fail (AN_IS_WINDOW (self), FALSE);

  trainer = an_trainer_new_from_checkpoint (path, &error);
  if (trainer == NULL)
    {
      an_toast (GTK_WIDGET (self), _("Cannot open the checkpoint: %s"), error->message);
      return FALSE;
    }
  an_window_adopt_trainer (self, trainer);
  an_classify_page_use_checkpoint (self->classify_page, path);
  an_window_show_page (self, "training");
  an_toast (GTK_WIDGET (self), _("Checkpoint opened: train to continue the run"));
  return TRUE;
}

static void
on_checkpoint_chosen (AnWindow *self, GFile *file)
{
  g_autofree char *path = g_file_get_path (file);

  if (path == NULL)
    {
      an_toast (GTK_WIDGET (self), _("The checkpoint must be on this computer"));
      return;
    }
  an_window_open_checkpoint (self, path);
}

static void
action_open_checkpoint (GtkWidget *widget, const char *name, GVariant *param)
{
  an_choose_file (widget, GTK_FILE_CHOOSER_ACTION_OPEN, _("Open a Checkpoint"), _("_Open"),
                  NULL, AN_FILE_FILTER_CHECKPOINTS, (AnFileChosenFunc) on_checkpoint_chosen,
                  widget);
}

static void
on_checkpoint_copied (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AnWindow *self = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_file_copy_finish (G_FILE (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        an_toast (GTK_WIDGET (self), _("Cannot save the checkpoint: %s"), error->message);
    }
  else
    an_toast (GTK_WIDGET (self), _("Checkpoint saved"));
  g_object_unref (self);
}

static void
on_save_checkpoint_chosen (AnWindow *self, GFile *file)
{
  const char *last = self->trainer ? an_trainer_get_last_checkpoint (self->trainer) : NULL;
  g_autoptr (GFile) source = NULL;

  if (last == NULL)
    {
      an_toast (GTK_WIDGET (self), _("No checkpoint has been written yet"));
      return;
    }
  /* A copy, so the run keeps writing its own file; checkpoints can be large: async. */
  source = g_file_new_for_path (last);
  g_file_copy_async (source, file, G_FILE_COPY_OVERWRITE, G_PRIORITY_DEFAULT, self->cancellable,
                     NULL, NULL, on_checkpoint_copied, g_object_ref (self));
}

static void
action_save_checkpoint (GtkWidget *widget, const char *name, GVariant *param)
{
  an_choose_file (widget, GTK_FILE_CHOOSER_ACTION_SAVE, _("Save the Checkpoint"), _("_Save"),
                  "checkpoint.ankpt", AN_FILE_FILTER_CHECKPOINTS,
                  (AnFileChosenFunc) on_save_checkpoint_chosen, widget);
}

void
an_window_actions_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.start", NULL, action_start);
  gtk_widget_class_install_action (widget_class, "win.pause", NULL, action_pause);
  gtk_widget_class_install_action (widget_class, "win.resume", NULL, action_resume);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, action_stop);
  gtk_widget_class_install_action (widget_class, "win.stop-keep-best", NULL,
                                   action_stop_keep_best);
  gtk_widget_class_install_action (widget_class, "win.open-checkpoint", NULL,
                                   action_open_checkpoint);
  gtk_widget_class_install_action (widget_class, "win.save-checkpoint", NULL,
                                   action_save_checkpoint);
}
