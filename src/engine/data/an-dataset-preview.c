#define G_LOG_DOMAIN "alexnet-data"
#include "config.h"

/* an-dataset-preview.c: a dataset's counts, size, classes and one sample per class. */

#include <string.h>

#include "an-dataset-preview.h"
#include "an-dataset.h"

void
an_dataset_preview_free (AnDatasetPreview *p)
{
  if (p == NULL)
    return;
  g_strfreev (p->class_names);
  g_free (p->samples);
  g_free (p);
}

/* The first image of each of the first classes, nearest-neighbour subsampled when it is
 * larger than max_side. */
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
  p->sample_h = side > max_side ? MAX (1, ds->height * max_side / side) : ds->height;
  p->sample_w = side > max_side ? MAX (1, ds->width * max_side / side) : ds->width;
  sample = (gsize) ds->channels * p->sample_h * p->sample_w;
  p->samples = g_malloc (sample * AN_DATASET_PREVIEW_MAX_SAMPLES);

  for (int c = 0; c < MIN (ds->num_classes, AN_DATASET_PREVIEW_MAX_SAMPLES); c++)
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

AnDatasetPreview *
an_dataset_preview_load (const char *spec, int max_side, GCancellable *cancellable,
                         GError **error)
{
  g_autoptr (AnDataset) train = NULL;
  g_autoptr (AnDataset) test = NULL;
  g_autoptr (AnDatasetPreview) p = NULL;

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (max_side > 0, NULL);

  train = an_dataset_load (spec, AN_SPLIT_TRAIN, 0, 0, error);
  if (train == NULL)
    return NULL;
  p = preview_new (train, max_side);
  /* freed before the test split is read: one split in memory at a time */
  g_clear_pointer (&train, an_dataset_free);
  p->n_test = -1;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (has_test_split (spec))
    {
      test = an_dataset_load (spec, AN_SPLIT_TEST, 0, 0, error);
      if (test == NULL)
        return NULL;
      p->n_test = test->count;
    }
  return g_steal_pointer (&p);
}
