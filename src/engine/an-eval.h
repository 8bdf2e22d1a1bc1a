/* an-eval.h: what the command line does with a finished checkpoint: evaluate it on a dataset,
 * and draw its filters or a probe image's feature maps (an-render.h). */
#pragma once

#include <glib.h>

#include "data/an-dataset.h"

G_BEGIN_DECLS

typedef struct {
  int count, classes;
  double loss, top1, top5;
  gint64 *confusion;  /* classes x classes, row = true class */
  char **class_names;
  /* images that could not be decoded, each replaced by another of its class ("PATH: why"),
   * NULL-terminated; NULL when none */
  char **bad_images;
} AnEvalResult;

/* Evaluates the checkpoint's best weights (or its last ones when it has none) on the test set
 * of data_spec (NULL: the run's own dataset); a dataset without a test set (image folders) is
 * evaluated on the run's validation split. ten_crop averages the softmax over the four corner
 * crops, the centre crop and their mirror images of the input padded by 4 pixels. */
gboolean an_evaluate_checkpoint (const char *path, const char *data_spec, int threads,
                                 gboolean ten_crop, AnEvalResult *out, GError **error);
void an_eval_result_clear (AnEvalResult *r);

/* The one top-k count: adds to *top1 / *top5 (top5 may be NULL) the rows of probs (n, classes)
 * whose label is ranked first / in the first five, ties going to the lower class index, and to
 * confusion (classes x classes, row = label; may be NULL) each row's argmax. */
void an_count_hits (const float *probs, const gint32 *labels, int n, int classes, gint64 *top1,
                    gint64 *top5, gint64 *confusion);

/* A checkpoint's convolution layer's filters, drawn by an_render_filter_bank (an-render.h):
 * RGB tiles for 3 input channels, else a grey tile per channel, each filter normalised to its
 * own range, the towers of a two-tower preset in separate blocks. */
AnImage *an_render_filters (const char *checkpoint, const char *layer, int zoom, GError **error);
/* Every channel of a layer's output for one image, on one shared grey scale (an_render_maps). */
AnImage *an_render_feature_maps (const char *checkpoint, const char *layer, const AnImage *probe,
                                 int zoom, GError **error);

G_END_DECLS
