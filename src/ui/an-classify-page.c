#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-classify-page.c: the Classify page. Images come by drag and drop (files or image
 * data) or from a file chooser. Nothing heavy runs on the main loop: files are decoded,
 * classifiers built (a model plus a copy of up to 61 million parameters) and images
 * classified in GTask threads. Each task owns references to what it reads; its result is
 * applied on the main thread only when no newer task of its kind was started since (a
 * generation number) and the window has not been closed (the window's cancellable).
 */

#include <glib/gi18n.h>

#include "an-classifier.h"
#include "an-classify-page.h"
#include "an-confusion-view.h"
#include "an-ui-util.h"

#define TOP_K 5

typedef struct _AnClassifierRef AnClassifierRef;
typedef struct _AnImageRef AnImageRef;

struct _AnClassifyPage {
  AdwBin parent_instance;

  /* from the template */
  GtkStack *classify_stack;
  GtkBox *classify_image_box, *top5_box, *confusion_box;
  GtkBox *classify_busy_box;
  GtkSpinner *classify_spinner;
  GtkLabel *classify_busy_label;
  GtkLabel *confusion_label;
  GtkLabel *weights_label;
  GtkButton *refresh_button;

  AnTileGrid *classify_grid;
  AnConfusionView *confusion_view;
  GtkWidget *top5_rows[TOP_K];
  GtkLabel *top5_names[TOP_K], *top5_values[TOP_K];
  GtkLevelBar *top5_bars[TOP_K];

  AnTrainer *trainer;
  gboolean stale; /* an epoch ended or the run stopped since the classifier was built */
  gint64 shown_step; /* the step of the weights of the predictions shown; -1: a checkpoint's */

  /* results of tasks older than the last one started are dropped */
  AnClassifierRef *classifier;
  AnImageRef *classify_image;
  gboolean waiting_params;   /* a PARAMS snapshot was asked for */
  gboolean build_pending;    /* a classifier is being built */
  gboolean classify_pending; /* the image is being classified */
  guint build_generation, classify_generation;
  GCancellable *cancellable; /* cancelled when the page goes */
  int n_predictions;
  guint classify_serial;
};

G_DEFINE_FINAL_TYPE (AnClassifyPage, an_classify_page, ADW_TYPE_BIN)

/* A classifier shared by the page and the threads that use it. an_classifier_classify keeps
 * its input and output buffers in the classifier, hence the lock: one image at a time. */
struct _AnClassifierRef {
  GMutex lock;
  AnClassifier *classifier;
  gint64 step; /* the step its weights come from; -1: from a checkpoint */
};

/* An image that is never changed once decoded, shared with the tasks that classify it. */
struct _AnImageRef {
  AnImage *image;
};

static void
classifier_ref_clear (gpointer data)
{
  AnClassifierRef *ref = data;

  an_classifier_free (ref->classifier);
  g_mutex_clear (&ref->lock);
}

static AnClassifierRef *
classifier_ref_new (AnClassifier *classifier, gint64 step)
{
  AnClassifierRef *ref = g_atomic_rc_box_new0 (AnClassifierRef);

  g_mutex_init (&ref->lock);
  ref->classifier = classifier;
  ref->step = step;
  return ref;
}

static void
an_classifier_ref_unref (AnClassifierRef *ref)
{
  g_atomic_rc_box_release_full (ref, classifier_ref_clear);
}

static void
image_ref_clear (gpointer data)
{
  an_image_free (((AnImageRef *) data)->image);
}

static AnImageRef *
image_ref_new (AnImage *image)
{
  AnImageRef *ref = g_atomic_rc_box_new0 (AnImageRef);

  ref->image = image;
  return ref;
}

static void
an_image_ref_unref (AnImageRef *ref)
{
  g_atomic_rc_box_release_full (ref, image_ref_clear);
}

guint
an_classify_page_get_serial (AnClassifyPage *self)
{
  g_return_val_if_fail (AN_IS_CLASSIFY_PAGE (self), 0);
  return self->classify_serial;
}

int
an_classify_page_get_n_predictions (AnClassifyPage *self)
{
  g_return_val_if_fail (AN_IS_CLASSIFY_PAGE (self), 0);
  return self->n_predictions;
}

AnTileGrid *
an_classify_page_get_image (AnClassifyPage *self)
{
  g_return_val_if_fail (AN_IS_CLASSIFY_PAGE (self), NULL);
  return self->classify_grid;
}

static void
show_predictions (AnClassifyPage *self, const AnPrediction *p, int n)
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

gboolean
an_classify_page_is_busy (AnClassifyPage *self)
{
  g_return_val_if_fail (AN_IS_CLASSIFY_PAGE (self), FALSE);
  return self->waiting_params || self->build_pending || self->classify_pending;
}

static void
update_busy (AnClassifyPage *self)
{
  gboolean preparing = self->waiting_params || self->build_pending;
  gboolean busy = preparing || self->classify_pending;

  gtk_label_set_text (self->classify_busy_label,
                      preparing && self->classifier == NULL ? _("Preparing the model…")
                      : preparing ? _("Fetching the latest weights…")
                                  : _("Classifying…"));
  gtk_widget_set_visible (GTK_WIDGET (self->classify_busy_box), busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_button),
                            self->trainer != NULL && self->classify_image != NULL && !preparing
                              && an_trainer_get_state (self->trainer) != AN_TRAINER_IDLE);
  gtk_spinner_set_spinning (self->classify_spinner, busy);
}

typedef struct {
  guint generation;
  AnClassifierRef *classifier;
  AnImageRef *image;
} ClassifyJob;

static void
classify_job_free (gpointer data)
{
  ClassifyJob *job = data;

  an_classifier_ref_unref (job->classifier);
  an_image_ref_unref (job->image);
  g_free (job);
}

/* The predictions with their own copies of the class names, which belong to the classifier. */
typedef struct {
  int n;
  AnPrediction p[TOP_K];
  char *names[TOP_K];
} ClassifyResult;

static void
classify_result_free (gpointer data)
{
  ClassifyResult *r = data;

  for (int i = 0; i < r->n; i++)
    g_free (r->names[i]);
  g_free (r);
}

static void
classify_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ClassifyJob *job = task_data;
  ClassifyResult *r = g_new0 (ClassifyResult, 1);
  g_autoptr (GError) error = NULL;
  gboolean ok;

  g_mutex_lock (&job->classifier->lock);
  ok = an_classifier_classify (job->classifier->classifier, job->image->image, TOP_K, r->p, &r->n,
                               &error);
  for (int i = 0; ok && i < r->n; i++)
    {
      r->names[i] = g_strdup (r->p[i].name);
      r->p[i].name = r->names[i];
    }
  g_mutex_unlock (&job->classifier->lock);
  if (!ok)
    {
      classify_result_free (r);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, r, classify_result_free);
}

static void
on_classified (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AnClassifyPage *self = AN_CLASSIFY_PAGE (source);
  ClassifyJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  ClassifyResult *r = g_task_propagate_pointer (G_TASK (result), &error);

  /* the window is closed, or a newer image or model is on its way */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || job->generation != self->classify_generation)
    {
      g_clear_pointer (&r, classify_result_free);
      return;
    }
  self->classify_pending = FALSE;
  update_busy (self);
  if (r == NULL)
    {
      an_toast (GTK_WIDGET (self), _("Cannot classify this image: %s"), error->message);
      show_predictions (self, NULL, 0);
    }
  else
    {
      g_autofree char *text = NULL;

      show_predictions (self, r->p, r->n);
      self->shown_step = job->classifier->step;
      if (self->shown_step < 0)
        text = g_strdup (_("By the weights of the opened checkpoint"));
      else
        /* Translators: under the top-5 bars: the training step the weights come from */
        text = g_strdup_printf (_("By the weights of step %lld"), (long long) self->shown_step);
      gtk_label_set_text (self->weights_label, text);
    }
  g_clear_pointer (&r, classify_result_free);
  self->classify_serial++;
}

static void
classify_start (AnClassifyPage *self)
{
  g_autoptr (GTask) task = g_task_new (self, self->cancellable, on_classified, NULL);
  ClassifyJob *job = g_new0 (ClassifyJob, 1);

  job->generation = ++self->classify_generation;
  job->classifier = g_atomic_rc_box_acquire (self->classifier);
  job->image = g_atomic_rc_box_acquire (self->classify_image);
  g_task_set_task_data (task, job, classify_job_free);
  g_task_set_source_tag (task, classify_start);
  self->classify_pending = TRUE;
  update_busy (self);
  g_task_run_in_thread (task, classify_thread);
}

typedef struct {
  guint generation;
  AnSnapshot *params; /* these weights, or the checkpoint's */
  char **class_names;
  char *checkpoint;
} BuildJob;

static void
build_job_free (gpointer data)
{
  BuildJob *job = data;

  g_clear_pointer (&job->params, an_snapshot_unref);
  g_strfreev (job->class_names);
  g_free (job->checkpoint);
  g_free (job);
}

static void
build_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  BuildJob *job = task_data;
  g_autoptr (GError) error = NULL;
  AnClassifier *c;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (job->checkpoint != NULL)
    c = an_classifier_new_from_checkpoint (job->checkpoint, &error);
  else
    c = an_classifier_new_from_snapshot (job->params, job->class_names, &error);
  if (c == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, classifier_ref_new (c, job->checkpoint ? -1 : job->params->step),
                         (GDestroyNotify) an_classifier_ref_unref);
}

static void
on_classifier_built (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AnClassifyPage *self = AN_CLASSIFY_PAGE (source);
  BuildJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  AnClassifierRef *ref = g_task_propagate_pointer (G_TASK (result), &error);

  /* the window is closed, or a new run or checkpoint has replaced these weights */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || job->generation != self->build_generation)
    {
      g_clear_pointer (&ref, an_classifier_ref_unref);
      return;
    }
  self->build_pending = FALSE;
  update_busy (self);
  if (ref == NULL)
    {
      if (job->checkpoint != NULL)
        an_toast (GTK_WIDGET (self), _("Cannot classify with this checkpoint: %s"), error->message);
      else
        an_toast (GTK_WIDGET (self), _("Cannot classify with these weights: %s"), error->message);
      self->classify_serial++;
      return;
    }
  g_clear_pointer (&self->classifier, an_classifier_ref_unref);
  self->classifier = ref;
  self->stale = FALSE;
  if (self->classify_image != NULL)
    classify_start (self);
}

/* Takes job; any build still running is forgotten. */
static void
build_start (AnClassifyPage *self, BuildJob *job)
{
  g_autoptr (GTask) task = g_task_new (self, self->cancellable, on_classifier_built, NULL);

  job->generation = ++self->build_generation;
  g_task_set_task_data (task, job, build_job_free);
  g_task_set_source_tag (task, build_start);
  self->build_pending = TRUE;
  update_busy (self);
  g_task_run_in_thread (task, build_thread);
}

static gboolean
training_started (AnClassifyPage *self)
{
  return self->trainer != NULL && an_trainer_get_state (self->trainer) != AN_TRAINER_IDLE;
}

/* Asks the trainer for its newest weights (once; they arrive at the next step boundary). */
static void
refresh_weights (AnClassifyPage *self)
{
  if (!training_started (self) || self->waiting_params || self->build_pending)
    return;
  self->waiting_params = TRUE;
  an_trainer_request_snapshot (self->trainer, AN_SNAPSHOT_PARAMS, NULL, NULL);
  update_busy (self);
}

/* The image on the page, classified by the newest classifier there is (at once when there is
 * one); weights newer than an epoch ago are fetched first only when there are none. */
static void
classify_refresh (AnClassifyPage *self)
{
  if (self->classify_image == NULL)
    return;
  if (self->classifier != NULL)
    classify_start (self);
  if (self->classifier == NULL || self->stale)
    refresh_weights (self);
  if (self->classifier != NULL || self->waiting_params || self->build_pending)
    return;
  an_toast (GTK_WIDGET (self), _("Train a model or open a checkpoint to classify images"));
  self->classify_serial++;
}

static void
show_image (AnClassifyPage *self, AnImage *img)
{
  g_clear_pointer (&self->classify_image, an_image_ref_unref);
  self->classify_image = image_ref_new (img);
  an_tile_grid_set_image (self->classify_grid, img->pixels, img->channels, img->height,
                          img->width);
  gtk_stack_set_visible_child_name (self->classify_stack, "image");
  /* never the previous image's results under this one */
  show_predictions (self, NULL, 0);
  classify_refresh (self);
  update_busy (self);
}

static void
on_file_decoded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AnClassifyPage *self = AN_CLASSIFY_PAGE (source);
  GFile *file = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  AnImage *img = an_load_image_finish (result, &error);

  if (img == NULL)
    {
      g_autofree char *name = g_file_get_basename (file);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          an_toast (GTK_WIDGET (self), _("“%s” is not an image AlexNet Studio can read: %s"), name,
                           error->message);
          self->classify_serial++;
        }
      return;
    }
  show_image (self, img);
}

static void
decode_file (AnClassifyPage *self, GFile *file)
{
  an_load_image_async (self, file, self->cancellable, on_file_decoded, NULL);
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
an_classify_page_drop (AnClassifyPage *self, const GValue *value)
{
  g_return_val_if_fail (AN_IS_CLASSIFY_PAGE (self), FALSE);

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));

      if (files == NULL)
        {
          an_toast (GTK_WIDGET (self), _("Nothing to classify was dropped"));
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
  an_toast (GTK_WIDGET (self), _("Only image files and image data can be classified"));
  self->classify_serial++;
  return FALSE;
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, AnClassifyPage *self)
{
  return an_classify_page_drop (self, value);
}

static void
on_image_chosen (AnClassifyPage *self, GFile *file)
{
  decode_file (self, file);
}

static void
on_open_image (AnClassifyPage *self)
{
  an_choose_file (GTK_WIDGET (self), GTK_FILE_CHOOSER_ACTION_OPEN, _("Open an Image"),
                  _("_Open"), NULL, AN_FILE_FILTER_IMAGES, (AnFileChosenFunc) on_image_chosen,
                  self);
}

void
an_classify_page_show (AnClassifyPage *self, AnSnapshot *snapshot)
{
  char **names = self->trainer ? an_trainer_get_class_names (self->trainer) : NULL;

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
  {
    BuildJob *job = g_new0 (BuildJob, 1);

    job->params = an_snapshot_ref (snapshot);
    job->class_names = g_strdupv (names);
    build_start (self, job);
  }
}

void
an_classify_page_use_checkpoint (AnClassifyPage *self, const char *path)
{
  BuildJob *job = g_new0 (BuildJob, 1);

  g_clear_pointer (&self->classifier, an_classifier_ref_unref);
  self->waiting_params = FALSE;
  job->checkpoint = g_strdup (path);
  build_start (self, job);
}

void
an_classify_page_weights_changed (AnClassifyPage *self)
{
  g_return_if_fail (AN_IS_CLASSIFY_PAGE (self));

  self->stale = TRUE;
  if (self->classify_image != NULL)
    classify_refresh (self);
}

gint64
an_classify_page_get_weights_step (AnClassifyPage *self)
{
  g_return_val_if_fail (AN_IS_CLASSIFY_PAGE (self), 0);
  return self->shown_step;
}

static void
on_refresh (AnClassifyPage *self)
{
  self->stale = TRUE;
  refresh_weights (self);
}

void
an_classify_page_set_trainer (AnClassifyPage *self, AnTrainer *trainer)
{
  g_return_if_fail (AN_IS_CLASSIFY_PAGE (self));

  g_set_object (&self->trainer, trainer);
  self->stale = FALSE;
  self->shown_step = 0;
  gtk_label_set_text (self->weights_label, "");
  /* whatever is being built or classified belongs to the previous run */
  g_clear_pointer (&self->classifier, an_classifier_ref_unref);
  self->build_generation++;
  self->classify_generation++;
  self->waiting_params = self->build_pending = self->classify_pending = FALSE;
  update_busy (self);
  an_confusion_view_set (self->confusion_view, 0, NULL, NULL);
}

static void
an_classify_page_dispose (GObject *object)
{
  AnClassifyPage *self = AN_CLASSIFY_PAGE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->trainer);
  /* tasks still running hold their own references */
  g_clear_pointer (&self->classifier, an_classifier_ref_unref);
  g_clear_pointer (&self->classify_image, an_image_ref_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), AN_TYPE_CLASSIFY_PAGE);
  G_OBJECT_CLASS (an_classify_page_parent_class)->dispose (object);
}

static void
an_classify_page_finalize (GObject *object)
{
  AnClassifyPage *self = AN_CLASSIFY_PAGE (object);

  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (an_classify_page_parent_class)->finalize (object);
}

static void
an_classify_page_class_init (AnClassifyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = an_classify_page_dispose;
  object_class->finalize = an_classify_page_finalize;
  gtk_widget_class_set_template_from_resource (
    widget_class, "/org/alexnetstudio/AlexNetStudio/an-classify-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, AnClassifyPage, name)
  BIND (classify_stack);
  BIND (classify_image_box);
  BIND (top5_box);
  BIND (confusion_box);
  BIND (classify_busy_box);
  BIND (classify_spinner);
  BIND (classify_busy_label);
  BIND (confusion_label);
  BIND (weights_label);
  BIND (refresh_button);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_refresh);
  gtk_widget_class_bind_template_callback (widget_class, on_open_image);
}

static void
an_classify_page_init (AnClassifyPage *self)
{
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, GDK_TYPE_TEXTURE };

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

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

