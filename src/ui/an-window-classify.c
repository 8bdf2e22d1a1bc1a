#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-window-classify.c: the Classify page. Images come by drag and drop (files or image
 * data) or from a file chooser; files are decoded in a GTask thread, never on the main
 * loop. The classifier is built from the running trainer's parameters (a PARAMS snapshot,
 * refreshed when training has moved on) or from an opened checkpoint.
 */

#include <glib/gi18n.h>

#include "an-window-private.h"

#define TOP_K 5

guint
an_window_get_classify_serial (AnWindow *self)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), 0);
  return self->classify_serial;
}

int
an_window_get_n_predictions (AnWindow *self)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), 0);
  return self->n_predictions;
}

GtkWidget *
an_window_get_classify_image (AnWindow *self)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->classify_grid);
}

static void
show_predictions (AnWindow *self, const AnPrediction *p, int n)
{
  self->n_predictions = n;
  for (int i = 0; i < TOP_K; i++)
    {
      gtk_widget_set_visible (self->top5_rows[i], i < n);
      if (i < n)
        {
          g_autofree char *percent = g_strdup_printf ("%.1f%%", 100.0 * p[i].probability);
          g_autofree char *number = g_strdup_printf ("%d", p[i].label);
          const char *name = p[i].name != NULL ? p[i].name : number;
          /* Translators: accessible text of a prediction bar: class and probability */
          g_autofree char *description = g_strdup_printf (_("%s: %s"), name, percent);

          gtk_label_set_text (self->top5_names[i], name);
          gtk_label_set_text (self->top5_values[i], percent);
          gtk_level_bar_set_value (self->top5_bars[i], p[i].probability);
          gtk_accessible_update_property (GTK_ACCESSIBLE (self->top5_bars[i]),
                                          GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
        }
    }
}

static gboolean
classifier_is_current (AnWindow *self)
{
  if (self->classifier == NULL)
    return FALSE;
  return self->classifier_step < 0 || !self->have_step
         || self->classifier_step == self->last_step.step;
}

static void
classify_now (AnWindow *self)
{
  AnPrediction p[TOP_K];
  int n = 0;
  g_autoptr (GError) error = NULL;

  if (!an_classifier_classify (self->classifier, self->classify_image, TOP_K, p, &n, &error))
    {
      an_window_toast (self, _("Cannot classify this image: %s"), error->message);
      n = 0;
    }
  show_predictions (self, p, n);
  self->classify_serial++;
}

static void
classify_refresh (AnWindow *self)
{
  gboolean running = self->trainer != NULL
                     && an_trainer_get_state (self->trainer) != AN_TRAINER_IDLE;

  if (self->classify_image == NULL)
    return;
  if (classifier_is_current (self) || (self->classifier != NULL && !running))
    {
      classify_now (self);
      return;
    }
  if (running)
    {
      self->waiting_params = TRUE;
      an_trainer_request_snapshot (self->trainer, AN_SNAPSHOT_PARAMS, NULL, NULL);
      return;
    }
  show_predictions (self, NULL, 0);
  an_window_toast (self, _("Train a model or open a checkpoint to classify images"));
  self->classify_serial++;
}

static void
show_image (AnWindow *self, AnImage *img)
{
  g_clear_pointer (&self->classify_image, an_image_free);
  self->classify_image = img;
  an_tile_grid_set_image (self->classify_grid, img->pixels, img->channels, img->height,
                          img->width);
  gtk_stack_set_visible_child_name (self->classify_stack, "image");
  classify_refresh (self);
}

static void
decode_file_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autofree char *path = g_file_get_path (file);
  g_autoptr (GError) error = NULL;
  AnImage *img;

  if (path != NULL)
    img = an_image_load (path, &error);
  else
    {
      g_autofree char *data = NULL;
      g_autofree char *uri = g_file_get_uri (file);
      gsize len = 0;

      img = g_file_load_contents (file, cancellable, &data, &len, NULL, &error)
              ? an_image_from_bytes ((const guint8 *) data, len, uri, &error)
              : NULL;
    }
  if (img == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, img, (GDestroyNotify) an_image_free);
}

void
an_window_load_image_async (AnWindow *self, GFile *file, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, self->cancellable, callback, user_data);

  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, decode_file_thread);
}

AnImage *
an_window_load_image_finish (AnWindow *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_file_decoded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AnWindow *self = AN_WINDOW (source);
  GFile *file = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  AnImage *img = an_window_load_image_finish (self, result, &error);

  if (img == NULL)
    {
      g_autofree char *name = g_file_get_basename (file);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          an_window_toast (self, _("“%s” is not an image AlexNet Studio can read: %s"), name,
                           error->message);
          self->classify_serial++;
        }
      return;
    }
  show_image (self, img);
}

static void
decode_file (AnWindow *self, GFile *file)
{
  an_window_load_image_async (self, file, on_file_decoded, NULL);
}

/* Image data dropped from another application: GTK has already decoded it. */
static AnImage *
image_from_texture (GdkTexture *texture)
{
  int w = gdk_texture_get_width (texture);
  int h = gdk_texture_get_height (texture);
  gsize stride = (gsize) w * 4;
  g_autofree guint8 *argb = g_malloc (stride * h);
  AnImage *img = an_image_new (3, h, w);
  gsize plane = (gsize) w * h;

  /* CAIRO_FORMAT_ARGB32 layout: native-endian 0xAARRGGBB words, premultiplied. Images with
   * transparency are composed over white, as a viewer would show them. */
  gdk_texture_download (texture, argb, stride);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 px = ((guint32 *) (argb + y * stride))[x];
        guint a = px >> 24;
        guint rgb[3] = { px >> 16 & 0xff, px >> 8 & 0xff, px & 0xff };

        for (int c = 0; c < 3; c++)
          img->pixels[c * plane + (gsize) y * w + x] = (guint8) MIN (255u, rgb[c] + (255u - a));
      }
  return img;
}

gboolean
an_window_classify_drop (AnWindow *self, const GValue *value)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), FALSE);

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));

      if (files == NULL)
        {
          an_window_toast (self, _("Nothing to classify was dropped"));
          self->classify_serial++;
          g_slist_free (files);
          return FALSE;
        }
      decode_file (self, files->data);
      g_slist_free (files);
      return TRUE;
    }
  if (G_VALUE_HOLDS (value, GDK_TYPE_TEXTURE) && g_value_get_object (value) != NULL)
    {
      show_image (self, image_from_texture (g_value_get_object (value)));
      return TRUE;
    }
  an_window_toast (self, _("Only image files and image data can be classified"));
  self->classify_serial++;
  return FALSE;
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, AnWindow *self)
{
  return an_window_classify_drop (self, value);
}

static void
on_image_chosen (AnWindow *self, GFile *file)
{
  decode_file (self, file);
}

static void
on_open_image (AnWindow *self)
{
  an_window_choose_file (self, GTK_FILE_CHOOSER_ACTION_OPEN, _("Open an Image"), _("_Open"),
                         NULL, AN_FILE_FILTER_IMAGES, on_image_chosen);
}

void
an_window_classify_on_snapshot (AnWindow *self, AnSnapshot *snapshot)
{
  char **names = self->trainer ? an_trainer_get_class_names (self->trainer) : NULL;
  g_autoptr (GError) error = NULL;

  if (snapshot->kind == AN_SNAPSHOT_CONFUSION)
    {
      g_autofree char *text = NULL;
      double acc;

      an_confusion_view_set (self->confusion_view, snapshot->num_classes, snapshot->confusion,
                             (const char *const *) names);
      acc = an_confusion_view_get_accuracy (self->confusion_view);
      /* Translators: above the confusion matrix */
      text = g_strdup_printf (_("Validation accuracy %.1f%% after epoch %d. Rows: true class; "
                                "columns: predicted class."),
                              100.0 * acc, snapshot->epoch);
      gtk_label_set_text (self->confusion_label, text);
      return;
    }
  if (snapshot->kind != AN_SNAPSHOT_PARAMS || !self->waiting_params)
    return;
  self->waiting_params = FALSE;
  g_clear_pointer (&self->classifier, an_classifier_free);
  self->classifier = an_classifier_new_from_snapshot (snapshot, names, &error);
  if (self->classifier == NULL)
    {
      an_window_toast (self, _("Cannot classify with these weights: %s"), error->message);
      self->classify_serial++;
      return;
    }
  self->classifier_step = snapshot->step;
  if (self->classify_image != NULL)
    classify_now (self);
}

void
an_window_classify_use_checkpoint (AnWindow *self, const char *path)
{
  g_autoptr (GError) error = NULL;
  AnClassifier *c = an_classifier_new_from_checkpoint (path, &error);

  if (c == NULL)
    {
      an_window_toast (self, _("Cannot classify with this checkpoint: %s"), error->message);
      return;
    }
  g_clear_pointer (&self->classifier, an_classifier_free);
  self->classifier = c;
  self->classifier_step = -1;
  if (self->classify_image != NULL)
    classify_now (self);
}

void
an_window_classify_new_run (AnWindow *self)
{
  g_clear_pointer (&self->classifier, an_classifier_free);
  self->waiting_params = FALSE;
  an_confusion_view_set (self->confusion_view, 0, NULL, NULL);
}

void
an_window_classify_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, on_open_image);
}

void
an_window_classify_init (AnWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, GDK_TYPE_TEXTURE };

  gtk_drop_target_set_gtypes (target, types, G_N_ELEMENTS (types));
  g_signal_connect_object (target, "drop", G_CALLBACK (on_drop), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->classify_stack), GTK_EVENT_CONTROLLER (target));

  self->classify_grid = AN_TILE_GRID (an_tile_grid_new ());
  an_tile_grid_set_zoom (self->classify_grid, 0);
  gtk_widget_set_vexpand (GTK_WIDGET (self->classify_grid), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->classify_grid),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Image to classify"), -1);
  gtk_box_append (self->classify_image_box, GTK_WIDGET (self->classify_grid));

  for (int i = 0; i < TOP_K; i++)
    {
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

      self->top5_names[i] = GTK_LABEL (gtk_label_new (""));
      gtk_label_set_xalign (self->top5_names[i], 0);
      gtk_label_set_width_chars (self->top5_names[i], 16);
      gtk_label_set_ellipsize (self->top5_names[i], PANGO_ELLIPSIZE_END);
      self->top5_bars[i] = GTK_LEVEL_BAR (gtk_level_bar_new_for_interval (0.0, 1.0));
      gtk_widget_set_hexpand (GTK_WIDGET (self->top5_bars[i]), TRUE);
      gtk_widget_set_valign (GTK_WIDGET (self->top5_bars[i]), GTK_ALIGN_CENTER);
      gtk_level_bar_remove_offset_value (self->top5_bars[i], GTK_LEVEL_BAR_OFFSET_LOW);
      gtk_level_bar_remove_offset_value (self->top5_bars[i], GTK_LEVEL_BAR_OFFSET_HIGH);
      gtk_level_bar_remove_offset_value (self->top5_bars[i], GTK_LEVEL_BAR_OFFSET_FULL);
      self->top5_values[i] = GTK_LABEL (gtk_label_new (""));
      gtk_label_set_width_chars (self->top5_values[i], 7);
      gtk_label_set_xalign (self->top5_values[i], 1);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (self->top5_bars[i]),
                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->top5_names[i],
                                      NULL, -1);
      gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->top5_names[i]));
      gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->top5_bars[i]));
      gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->top5_values[i]));
      gtk_box_append (self->top5_box, row);
      gtk_widget_set_visible (row, FALSE);
      self->top5_rows[i] = row;
    }

  self->confusion_view = AN_CONFUSION_VIEW (an_confusion_view_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->confusion_view), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->confusion_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Validation confusion matrix"), -1);
  gtk_box_append (self->confusion_box, GTK_WIDGET (self->confusion_view));
}

void
an_window_classify_dispose (AnWindow *self)
{
  g_clear_pointer (&self->classifier, an_classifier_free);
  g_clear_pointer (&self->classify_image, an_image_free);
}
