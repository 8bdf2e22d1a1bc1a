#define G_LOG_DOMAIN "alexnet-data"
#include "config.h"

/* an-dataset-preview.c: a dataset's counts, size, classes and one sample per class. A folder
 * is only indexed: its counts come from the listing, and only the samples are decoded. */

#include <string.h>

#include "an-dataset-preview.h"
#include "an-dataset-private.h"

void
an_dataset_preview_free (AnDatasetPreview *p)
{
  if (p == NULL)
    return;
  g_strfreev (p->class_names);
  g_free (p->class_counts);
  g_free (p->samples);
  g_free (p);
}

/* Sample c: class c's first image at the sample size, with the preview's channels. */
static gboolean
streamed_sample (const AnDataset *ds, AnDatasetPreview *p, int c, guint8 *dst)
{
  int i = ds->class_start[c];
  g_autoptr (AnImage) img =
    an_dataset_get_image (ds, i, MAX (p->sample_h, p->sample_w), NULL);
  if (img == NULL || (img->channels != 1 && img->channels != 3))
    return FALSE; /* training reports it; the preview shows the classes it can */
  g_autoptr (AnImage) small = an_image_resize (img, p->sample_h, p->sample_w);
  gsize plane = (gsize) p->sample_h * p->sample_w;
  for (int ch = 0; ch < p->channels; ch++)
    memcpy (dst + ch * plane, small->pixels + (small->channels == 1 ? 0 : ch) * plane, plane);
  return TRUE;
}

/* The first image of each of the first classes, nearest-neighbour subsampled when it is
 * larger than max_side (an in-memory dataset), or decoded and resized to the nominal size
 * brought within max_side (a streamed one: only these few images are decoded). */
static AnDatasetPreview *
preview_new (const AnDataset *ds, int max_side)
{
  AnDatasetPreview *p = g_new0 (AnDatasetPreview, 1);
  int side = MAX (ds->height, ds->width);
  gsize image = (gsize) ds->channels * ds->height * ds->width;
  gsize sample;

  p->n_train = ds->count;
  p->channels = ds->channels;
  p->height = ds->height;
  p->width = ds->width;
  p->class_names = g_strdupv (ds->class_names);
  p->class_counts = g_new0 (int, ds->num_classes);
  for (int i = 0; i < ds->count; i++)
    p->class_counts[ds->labels[i]]++;
  p->sample_h = side > max_side ? MAX (1, ds->height * max_side / side) : ds->height;
  p->sample_w = side > max_side ? MAX (1, ds->width * max_side / side) : ds->width;
  sample = (gsize) ds->channels * p->sample_h * p->sample_w;
  p->samples = g_malloc (sample * AN_DATASET_PREVIEW_MAX_SAMPLES);

  for (int c = 0; c < MIN (ds->num_classes, AN_DATASET_PREVIEW_MAX_SAMPLES); c++)
    {
      guint8 *dst = p->samples + (gsize) p->n_samples * sample;
      if (ds->pixels == NULL)
        {
          if (streamed_sample (ds, p, c, dst))
            p->sample_class[p->n_samples++] = c;
          continue;
        }
      for (int i = 0; i < ds->count; i++)
        {
          const guint8 *src = ds->pixels + (gsize) i * image;

          if (ds->labels[i] != c || !an_dataset_check_image (ds, i, NULL))
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
    }
  return p;
}

/* Index progress of the training split, then of the test split. */
typedef struct {
  AnDatasetPreviewProgress func;
  gpointer data;
  int split;
} Progress;

static void
on_index_progress (int classes_done, int classes_total, int images, gpointer data)
{
  Progress *pr = data;
  pr->func (pr->split, classes_done, classes_total, images, pr->data);
}

/* A split of the dataset, through the folder indexer (with progress) for folders. */
static AnDataset *
load_split (const char *spec, AnSplit split, Progress *pr, GCancellable *cancellable,
            GError **error)
{
  if (!g_str_has_prefix (spec, "folder:") || spec[strlen ("folder:")] == '\0')
    return an_dataset_load (spec, split, 0, 0, error);
  pr->split = split;
  return an_dataset_index_folder (spec + strlen ("folder:"), split, 0, 0,
                                  pr->func ? on_index_progress : NULL, pr, cancellable, error);
}

AnDatasetPreview *
an_dataset_preview_load (const char *spec, int max_side, GCancellable *cancellable,
                         GError **error)
{
  return an_dataset_preview_load_full (spec, max_side, NULL, NULL, cancellable, error);
}

AnDatasetPreview *
an_dataset_preview_load_full (const char *spec, int max_side,
                              AnDatasetPreviewProgress progress, gpointer progress_data,
                              GCancellable *cancellable, GError **error)
{
  Progress pr = { progress, progress_data, 0 };
  g_autoptr (AnDataset) train = NULL;
  g_autoptr (AnDataset) test = NULL;
  g_autoptr (AnDatasetPreview) p = NULL;

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (max_side > 0, NULL);

  train = load_split (spec, AN_SPLIT_TRAIN, &pr, cancellable, error);
  if (train == NULL)
    return NULL;
  p = preview_new (train, max_side);
  /* freed before the test split is read: one split in memory at a time */
  g_clear_pointer (&train, an_dataset_free);
  p->n_test = -1;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (an_dataset_has_test_split (spec))
    {
      test = load_split (spec, AN_SPLIT_TEST, &pr, cancellable, error);
      if (test == NULL)
        return NULL;
      p->n_test = test->count;
    }
  return g_steal_pointer (&p);
}
