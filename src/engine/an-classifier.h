/* an-classifier.h: the top-k classes of one image, with the weights of a checkpoint or of a
 * running trainer. An inference-only model (batch 1, no gradients) on its own CPU backend,
 * built by an_run_model_open as the trainer's and `alexnet eval`'s are, so it can run on any
 * thread while training goes on.
 */
#pragma once

#include <glib.h>

#include "an-snapshot.h"
#include "data/an-dataset.h"

G_BEGIN_DECLS

typedef struct {
  int label;
  const char *name; /* owned by the classifier */
  double probability;
} AnPrediction;

typedef struct _AnClassifier AnClassifier;

AnClassifier *an_classifier_new_from_checkpoint (const char *path, GError **error);
/* From an AN_SNAPSHOT_PARAMS snapshot of a running or paused trainer (any thread). */
AnClassifier *an_classifier_new_from_snapshot (AnSnapshot *params, char **class_names,
                                               GError **error);
/* Top-k of one image of any size (resized/converted to the model's input), most probable
 * first, ties to the lower class index. */
gboolean an_classifier_classify (AnClassifier *c, const AnImage *img, int k, AnPrediction *out,
                                 int *n_out, GError **error);
int an_classifier_num_classes (AnClassifier *c);
void an_classifier_free (AnClassifier *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnClassifier, an_classifier_free)

G_END_DECLS
