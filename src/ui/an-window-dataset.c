#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-window-dataset.c: the Setup page's dataset preview: image counts, size, class names and
 * the first image of each class. Datasets are read in a GTask thread that keeps only those
 * and frees the rest; a result is applied on the main thread only when no other dataset was
 * chosen meanwhile (a serial number) and the window is still open (its cancellable).
 */

#include <glib/gi18n.h>
#include <string.h>

#include "an-window-private.h"

#define MAX_SAMPLES 10
/* Samples larger than this (image folders) are subsampled to it: the row shows thumbnails. */
#define SAMPLE_MAX_SIDE 64
/* Samples are drawn at least this large, in whole screen pixels per image pixel. */
#define SAMPLE_TARGET_SIDE 56

typedef struct {
  int n_train, n_test; /* n_test -1: the dataset has no test split */
  int channels, height, width;
  GStrv class_names;
  int n_samples, sample_h, sample_w;
  int sample_class[MAX_SAMPLES];
  guint8 *samples; /* n_samples x (channels, sample_h, sample_w) */
} Preview;

typedef struct {
  char *spec;
  guint serial;
} PreviewJob;

static void
preview_free (gpointer data)
{
  Preview *p = data;

  g_strfreev (p->class_names);
  g_free (p->samples);
  g_free (p);
}

static void
preview_job_free (gpointer data)
{
  PreviewJob *job = data;

  g_free (job->spec);
  g_free (job);
}

/* The first image of each of the first MAX_SAMPLES classes, nearest-neighbour subsampled when
 * it is larger than SAMPLE_MAX_SIDE. */
static Preview *
preview_new (const AnDataset *ds)
{
  Preview *p = g_new0 (Preview, 1);
  int side = MAX (ds->height, ds->width);
  gsize image = (gsize) ds->channels * ds->height * ds->width;
  gsize sample;

  p->n_train = ds->count;
  p->channels = ds->channels;
  p->height = ds->height;
  p->width = ds->width;
  p->class_names = g_strdupv (ds->class_names);
  p->sample_h = side > SAMPLE_MAX_SIDE ? MAX (1, ds->height * SAMPLE_MAX_SIDE / side) : ds->height;
  p->sample_w = side > SAMPLE_MAX_SIDE ? MAX (1, ds->width * SAMPLE_MAX_SIDE / side) : ds->width;
  sample = (gsize) ds->channels * p->sample_h * p->sample_w;
  p->samples = g_malloc (sample * MAX_SAMPLES);

  for (int c = 0; c < MIN (ds->num_classes, MAX_SAMPLES); c++)
    for (int i = 0; i < ds->count; i++)
      {
        const guint8 *src = ds->pixels + (gsize) i * image;
        guint8 *dst = p->samples + (gsize) p->n_samples * sample;

        if (ds->labels[i] != c)
          continue;
        for (int ch = 0; ch < ds->channels; ch++)
          for (int y = 0; y < p->sample_h; y++)
            for (int x = 0; x < p->sample_w; x++)
              dst[((gsize) ch * p->sample_h + y) * p->sample_w + x] =
                src[((gsize) ch * ds->height + y * ds->height / p->sample_h) * ds->width
                    + x * ds->width / p->sample_w];
        p->sample_class[p->n_samples++] = c;
        break;
      }
  return p;
}

/* The folder reader's layout: a test split only when DIR/train and DIR/test both exist. */
static gboolean
has_test_split (const char *spec)
{
  g_autofree char *train = NULL;
  g_autofree char *test = NULL;

  if (!g_str_has_prefix (spec, "folder:"))
    return TRUE;
  train = g_build_filename (spec + strlen ("folder:"), "train", NULL);
  test = g_build_filename (spec + strlen ("folder:"), "test", NULL);
  return g_file_test (train, G_FILE_TEST_IS_DIR) && g_file_test (test, G_FILE_TEST_IS_DIR);
}

static void
preview_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  PreviewJob *job = task_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (AnDataset) train = an_dataset_load (job->spec, AN_SPLIT_TRAIN, 0, 0, &error);
  g_autoptr (AnDataset) test = NULL;
  Preview *p;

  if (train == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  p = preview_new (train);
  /* freed before the test split is read: one split in memory at a time */
  g_clear_pointer (&train, an_dataset_free);
  p->n_test = -1;
  if (!g_cancellable_is_cancelled (cancellable) && has_test_split (job->spec))
    {
      test = an_dataset_load (job->spec, AN_SPLIT_TEST, 0, 0, &error);
      if (test == NULL)
        {
          preview_free (p);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      p->n_test = test->count;
    }
  g_task_return_pointer (task, p, preview_free);
}

static void
clear_samples (AnWindow *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->dataset_samples_box))) != NULL)
    gtk_flow_box_remove (self->dataset_samples_box, child);
  self->dataset_n_samples = 0;
  gtk_widget_set_visible (self->dataset_samples_row, FALSE);
}

static void
set_loading (AnWindow *self, gboolean loading)
{
  self->dataset_loading = loading;
  gtk_widget_set_visible (GTK_WIDGET (self->dataset_spinner), loading);
  gtk_spinner_set_spinning (self->dataset_spinner, loading);
}

static void
show_samples (AnWindow *self, const Preview *p)
{
  gsize sample = (gsize) p->channels * p->sample_h * p->sample_w;
  int zoom = MAX (1, (SAMPLE_TARGET_SIDE + MAX (p->sample_h, p->sample_w) - 1)
                       / MAX (p->sample_h, p->sample_w));

  for (int i = 0; i < p->n_samples; i++)
    {
      GtkWidget *tile = an_tile_grid_new ();
      const char *name = p->class_names[p->sample_class[i]];

      an_tile_grid_set_zoom (AN_TILE_GRID (tile), zoom);
      an_tile_grid_set_image (AN_TILE_GRID (tile), p->samples + (gsize) i * sample, p->channels,
                              p->sample_h, p->sample_w);
      gtk_widget_set_halign (tile, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (tile, name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (tile), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                      -1);
      gtk_flow_box_append (self->dataset_samples_box, tile);
      /* pictures to look at, not controls: keyboard focus goes past them */
      gtk_widget_set_focusable (gtk_widget_get_parent (tile), FALSE);
    }
  self->dataset_n_samples = p->n_samples;
  gtk_widget_set_visible (self->dataset_samples_row, p->n_samples > 0);
}

static void
show_preview (AnWindow *self, const Preview *p)
{
  g_autoptr (GString) title = g_string_new (NULL);
  g_autoptr (GString) subtitle = g_string_new (NULL);
  g_autofree char *names = g_strjoinv (", ", p->class_names);
  int n_classes = (int) g_strv_length (p->class_names);

  /* Translators: the number of images in the training split */
  g_string_append_printf (title, ngettext ("%'d training image", "%'d training images",
                                           p->n_train),
                          p->n_train);
  g_string_append (title, " · ");
  if (p->n_test >= 0)
    /* Translators: the number of images in the test split */
    g_string_append_printf (title, ngettext ("%'d test image", "%'d test images", p->n_test),
                            p->n_test);
  else
    g_string_append (title, _("no test split"));

  g_string_append_printf (subtitle,
                          p->channels == 3
                            /* Translators: image size in pixels, width × height */
                            ? _("%d×%d pixels, colour")
                            : _("%d×%d pixels, grey"),
                          p->width, p->height);
  g_string_append (subtitle, " · ");
  /* Translators: %d classes, then %s lists their names */
  g_string_append_printf (subtitle, ngettext ("%d class: %s", "%d classes: %s", n_classes),
                          n_classes, names);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->dataset_info_row), title->str);
  adw_action_row_set_subtitle (self->dataset_info_row, subtitle->str);
  self->dataset_n_train = p->n_train;
  self->dataset_n_test = p->n_test;
  show_samples (self, p);
}

static void
on_preview_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AnWindow *self = AN_WINDOW (source);
  PreviewJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  Preview *p = g_task_propagate_pointer (G_TASK (result), &error);

  /* the window is closed, or another dataset was chosen since */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || job->serial != self->dataset_serial)
    {
      g_clear_pointer (&p, preview_free);
      return;
    }
  set_loading (self, FALSE);
  if (p == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->dataset_info_row),
                                     _("Cannot read this dataset"));
      adw_action_row_set_subtitle (self->dataset_info_row, error->message);
      an_window_toast (self, _("Cannot read the dataset: %s"), error->message);
      return;
    }
  show_preview (self, p);
  preview_free (p);
}

void
an_window_dataset_preview (AnWindow *self, const char *spec)
{
  g_autoptr (GTask) task = NULL;
  PreviewJob *job;

  self->dataset_serial++;
  self->dataset_n_train = self->dataset_n_test = -1;
  clear_samples (self);
  if (spec == NULL)
    {
      set_loading (self, FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->dataset_info_row),
                                     _("No folder chosen"));
      adw_action_row_set_subtitle (self->dataset_info_row,
                                   _("Choose the folder that holds the dataset’s files"));
      return;
    }

  set_loading (self, TRUE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->dataset_info_row),
                                 _("Reading the dataset…"));
  adw_action_row_set_subtitle (self->dataset_info_row, "");
  job = g_new0 (PreviewJob, 1);
  job->spec = g_strdup (spec);
  job->serial = self->dataset_serial;
  task = g_task_new (self, self->cancellable, on_preview_loaded, NULL);
  g_task_set_task_data (task, job, preview_job_free);
  g_task_set_source_tag (task, an_window_dataset_preview);
  g_task_run_in_thread (task, preview_thread);
}

gboolean
an_window_get_dataset_preview (AnWindow *self, int *n_train, int *n_test, int *n_samples)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), FALSE);

  if (n_train != NULL)
    *n_train = self->dataset_n_train;
  if (n_test != NULL)
    *n_test = self->dataset_n_test;
  if (n_samples != NULL)
    *n_samples = self->dataset_n_samples;
  return !self->dataset_loading;
}

GtkWidget *
an_window_get_dataset_info_row (AnWindow *self)
{
  g_return_val_if_fail (AN_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->dataset_info_row);
}

GtkWidget *
an_window_get_dataset_sample (AnWindow *self, int i)
{
  GtkFlowBoxChild *child;

  g_return_val_if_fail (AN_IS_WINDOW (self), NULL);

  child = gtk_flow_box_get_child_at_index (self->dataset_samples_box, i);
  return child != NULL ? gtk_flow_box_child_get_child (child) : NULL;
}
