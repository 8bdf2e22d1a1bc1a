/* an-dataset-preview.h: what a dataset holds, for a window to show before a run: the image
 * counts of its splits, the image size, the class names and the first image of each of the
 * first classes (subsampled when large). Reads one split at a time and keeps only that. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define AN_DATASET_PREVIEW_MAX_SAMPLES 10

typedef struct {
  int n_train, n_test; /* n_test -1: the dataset has no test split */
  int channels, height, width;
  char **class_names;
  int *class_counts;   /* training images per class */
  int n_samples, sample_h, sample_w;
  int sample_class[AN_DATASET_PREVIEW_MAX_SAMPLES];
  guint8 *samples; /* n_samples x (channels, sample_h, sample_w) */
} AnDatasetPreview;

/* spec as an_dataset_load takes it; samples larger than max_side are subsampled to it
 * (nearest neighbour). Blocking: call it from a thread. */
AnDatasetPreview *an_dataset_preview_load (const char *spec, int max_side,
                                           GCancellable *cancellable, GError **error);
/* Called from the loading thread after each class folder is listed: split (0 training, 1
 * test), class folders listed of all, images found so far. */
typedef void (*AnDatasetPreviewProgress) (int split, int classes_done, int classes_total,
                                          int images, gpointer data);
/* an_dataset_preview_load, reporting progress while a folder is indexed. */
AnDatasetPreview *an_dataset_preview_load_full (const char *spec, int max_side,
                                                AnDatasetPreviewProgress progress,
                                                gpointer progress_data,
                                                GCancellable *cancellable, GError **error);
void an_dataset_preview_free (AnDatasetPreview *p);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnDatasetPreview, an_dataset_preview_free)

G_END_DECLS
