/* an-snapshot.h: immutable, refcounted copies of a run's weights, feature maps, LRN maps,
 * confusion matrix or parameters, taken on the worker thread at a step boundary and handed
 * to any thread (the window, the classifier) without copying again.
 */
#pragma once

#include <glib.h>

#include "an-config.h"
#include "an-run.h"
#include "data/an-dataset.h"

G_BEGIN_DECLS

typedef enum {
  AN_SNAPSHOT_WEIGHTS,     /* a layer's weights; conv1 split by tower */
  AN_SNAPSHOT_FEATURES,    /* a layer's output for the probe image */
  AN_SNAPSHOT_LRN,         /* conv1/conv2 maps before and after LRN for the probe image */
  AN_SNAPSHOT_CONFUSION,   /* validation confusion matrix */
  AN_SNAPSHOT_PARAMS,      /* every parameter (flat host copy) for classifying */
} AnSnapshotKind;

typedef struct {
  char name[64];  /* "conv1.weight", "relu2", "before", "after" */
  int shape[4];   /* unused dimensions = 1 */
  int tower;      /* -1 = whole layer, 0/1 = that tower's slice */
  float *data;
} AnSnapshotTensor;

/* Immutable once delivered; shared with an_snapshot_ref () / an_snapshot_unref (). */
typedef struct {
  AnSnapshotKind kind;
  char *layer;
  gint64 step;
  int epoch;
  int n_tensors;
  AnSnapshotTensor *tensors;
  /* AN_SNAPSHOT_FEATURES and AN_SNAPSHOT_LRN: the probe image the maps belong to (the one
   * asked for, or the first validation image) */
  AnImage *probe;
  /* AN_SNAPSHOT_LRN: the LRN parameters used for "after" */
  int lrn_size;
  double lrn_alpha, lrn_beta, lrn_k;
  /* AN_SNAPSHOT_CONFUSION: num_classes x num_classes counts, row = truth */
  int num_classes;
  gint64 *confusion;
  /* AN_SNAPSHOT_PARAMS: the run configuration the weights belong to and the model's input */
  AnRunConfig config;
  AnInputSpec input;
} AnSnapshot;

AnSnapshot *an_snapshot_ref (AnSnapshot *s);
void an_snapshot_unref (AnSnapshot *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnSnapshot, an_snapshot_unref)

/* What to take. layer: a layer name, or NULL for the first layer. probe: an image for FEATURES
 * and LRN (owned), NULL = the first validation image. For LRN, size/alpha/beta/k <= 0 mean the
 * model's own. */
typedef struct {
  AnSnapshotKind kind;
  char *layer;
  AnImage *probe;
  int lrn_size;
  double lrn_alpha, lrn_beta, lrn_k;
} AnSnapshotRequest;

AnSnapshotRequest *an_snapshot_request_new (AnSnapshotKind kind, const char *layer,
                                            const AnImage *probe);
void an_snapshot_request_free (AnSnapshotRequest *q);

/* Takes a snapshot of a run (on the thread that owns it); NULL + error when the request does
 * not fit the model (a layer without weights, no LRN layer...). */
AnSnapshot *an_run_snapshot (AnRun *r, const AnSnapshotRequest *q, GError **error);

G_END_DECLS
