/* an-model.h: the model graph built from a preset (an-preset.h).
 *
 * A preset lists the single-device layers in order. Built with towers = 2 (presets that
 * declare "towers 2"), every layer is split in two halves along its output channels, one per
 * tower/device: layers with groups=2 read their own tower, the others read both towers through
 * explicit transfer + concat nodes (contract 4). Parameters keep their logical, single-device
 * layout on the host (conv weight (OC, IC/g, KH, KW), linear (OUT, IN)); each tower holds a
 * contiguous slice of every tensor, so checkpoints do not depend on the placement.
 */
#pragma once

#include <glib.h>

#include "an-backend.h"
#include "an-config.h"
#include "an-preset.h"

G_BEGIN_DECLS

typedef struct _AnModel AnModel;

typedef struct {
  int num_classes;
  int in_channels;      /* for presets whose input says "data" (the dataset's channels) */
  int batch;            /* largest batch the buffers hold */
  int towers;           /* 1 or 2 */
  AnBackend *devices[2]; /* tower 0 and tower 1 (the same pointer, or devices[1] NULL, for one) */
  AnLrnConvention lrn;
  double dropout;       /* p for dropout layers that do not set their own */
  guint64 seed;         /* dropout masks */
  gboolean training;    /* allocate gradients and momentum (FALSE: inference only) */
} AnModelOptions;

AnModel *an_model_new (const AnPreset *preset, const AnModelOptions *opts, GError **error);
void an_model_free (AnModel *m);

/* Logical parameter tensors, in a fixed order (conv1.weight, conv1.bias, ...). */
int an_model_n_params (AnModel *m);
const char *an_model_param_name (AnModel *m, int i);
/* shape (up to 4 dims, unused = 1) and offset of tensor i in the flat host layout */
void an_model_param_shape (AnModel *m, int i, int shape[4], int *ndim, gsize *offset);
gsize an_model_param_total (AnModel *m);

/* Functions that move memory to or from a device return FALSE + the device's error. */
gboolean an_model_init_params (AnModel *m, AnInit init, guint64 seed, GError **error);
/* Whole flat host copies: parameters, or SGD momentum buffers. */
gboolean an_model_get_params (AnModel *m, float *host, GError **error);
gboolean an_model_set_params (AnModel *m, const float *host, GError **error);
/* One logical tensor (towers joined). */
gboolean an_model_get_param (AnModel *m, int i, float *host, GError **error);
int an_model_find_param (AnModel *m, const char *name);
gboolean an_model_get_momentum (AnModel *m, float *host, GError **error);
/* count floats of the flat vector an_model_get_params (which = 0) or an_model_get_momentum
 * (which = 1) would give, from offset on: a checkpoint is written in pieces this way, without a
 * whole copy of the model. */
gboolean an_model_get_range (AnModel *m, int which, gsize offset, gsize count, float *host,
                             GError **error);
gboolean an_model_set_momentum (AnModel *m, const float *host, GError **error);

/* x (n, C, H, W) and labels (n) are host memory; n <= batch. *loss (may be NULL) receives the
 * mean loss (labels non-NULL) or 0. training selects dropout; step picks the dropout masks. */
gboolean an_model_forward (AnModel *m, int n, const float *x, const gint32 *labels,
                           gboolean training, guint64 step, double *loss, GError **error);
/* Gradients of the last forward's loss (zeroes them first). */
gboolean an_model_backward (AnModel *m, GError **error);
void an_model_sgd_step (AnModel *m, const AnSgdDesc *d);
/* Changes p of the dropout layers that use the run's p (live hyperparameter). */
void an_model_set_dropout (AnModel *m, double p);
double an_model_grad_norm (AnModel *m);
/* Copies of the last forward's probabilities (n, classes) / gradient of tensor i. */
gboolean an_model_get_probs (AnModel *m, float *host, GError **error);
gboolean an_model_get_grad (AnModel *m, int i, float *host, GError **error);
gboolean an_model_sync (AnModel *m, GError **error);

/* Activations for the UI: layer names with an output, in order, and the last forward's output
 * of one (whole tensor, towers joined along channels). */
char **an_model_layer_names (AnModel *m);
gboolean an_model_get_activation (AnModel *m, const char *layer, int shape[4], float **host,
                                  GError **error);
int an_model_num_classes (AnModel *m);
const AnPreset *an_model_preset (AnModel *m);

/* Where the time goes, layer by layer (`alexnet bench --profile`). One row per preset layer,
 * then the rest of a step: the loss, zeroing the gradients, the optimizer, and the copies
 * between devices and towers. Seconds are summed over the passes since profiling was turned
 * on; a row's share of one pass is seconds / passes. */
typedef struct {
  const char *name;        /* the layer's name, or "loss", "zero gradients", "sgd", "copies" */
  const char *kind;        /* "conv", "relu", "lrn", ... for layers; the name for the others */
  double forward_seconds;  /* loss: its forward part; sgd and zeroing count as backward */
  double backward_seconds;
  double flops;            /* one image's forward pass: 2 x multiply-adds (conv and linear) */
  double backward_flops;   /* and its backward: twice that, once without an input gradient */
  const char *kernel;      /* what computes it where known ("jit:avx512_core", "im2col+sgemm") */
} AnLayerProfile;

/* Turns profiling on (clearing the sums) or off (keeping them). While on, every node waits for its device
 * after it runs (->sync), so the time lands on the node that spent it; a GPU runs slower. */
void an_model_set_profiling (AnModel *m, gboolean on);
/* The rows (n_rows of them, owned by the model; NULL before profiling was first turned on) and
 * the number of forward and backward passes they sum. */
const AnLayerProfile *an_model_profile (AnModel *m, int *n_rows, int *forward_passes,
                                        int *backward_passes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnModel, an_model_free)

G_END_DECLS
