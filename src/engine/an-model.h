/* an-model.h: presets (text files, contract 10) and the model graph built from them.
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

G_BEGIN_DECLS

typedef enum {
  AN_LAYER_CONV,
  AN_LAYER_RELU,
  AN_LAYER_LRN,
  AN_LAYER_MAXPOOL,
  AN_LAYER_AVGPOOL, /* adaptive average pooling */
  AN_LAYER_DROPOUT,
  AN_LAYER_FLATTEN,
  AN_LAYER_LINEAR,
} AnLayerKind;

typedef struct {
  AnLayerKind kind;
  char *name;      /* "conv1", "relu1"... unique */
  int out;         /* conv kernels / linear outputs; -1 = number of classes */
  int k, s, p;     /* conv / pool kernel, stride, padding */
  int groups;      /* conv groups, LRN channel groups */
  int size;        /* LRN */
  double alpha, beta, lrn_k;
  double p_drop;   /* dropout: -1 = the run's dropout p */
  int oh, ow;      /* adaptive pool output */
  double bias_init_paper; /* bias value under the paper's initialisation (1 or 0) */
  int line;        /* line in the preset file */
} AnLayerSpec;

typedef struct {
  char *name;
  char *description;
  char *path;          /* file it came from, or "resource://..." */
  int channels, height, width;
  int towers;          /* 1, or 2 when the preset can run as two towers */
  gboolean grey_to_rgb; /* replicate grey images to 3 channels */
  int n_layers;
  AnLayerSpec *layers;
} AnPreset;

/* name_or_path: a built-in name (alexnet-2012, alexnet-tv, alexnet-cifar, alexnet-tiny), the
 * name of a user preset in $XDG_DATA_HOME/alexnet-studio/models, or a file path. Errors give
 * the file, the line and the field. */
AnPreset *an_preset_load (const char *name_or_path, GError **error);
AnPreset *an_preset_parse (const char *text, const char *filename, GError **error);
void an_preset_free (AnPreset *p);
/* Built-in and user preset names, NULL-terminated. */
char **an_preset_list (void);
/* Parameter count for num_classes outputs, or -1 with error when the shapes do not work. */
gint64 an_preset_param_count (const AnPreset *p, int num_classes, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnPreset, an_preset_free)

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

void an_model_init_params (AnModel *m, AnInit init, guint64 seed);
/* Whole flat host copies: parameters, or SGD momentum buffers. */
void an_model_get_params (AnModel *m, float *host);
void an_model_set_params (AnModel *m, const float *host);
/* One logical tensor (towers joined). */
void an_model_get_param (AnModel *m, int i, float *host);
int an_model_find_param (AnModel *m, const char *name);
void an_model_get_momentum (AnModel *m, float *host);
void an_model_set_momentum (AnModel *m, const float *host);

/* x (n, C, H, W) and labels (n) are host memory; n <= batch. Returns the mean loss (labels
 * non-NULL) or 0. training selects dropout; step picks the dropout masks. */
double an_model_forward (AnModel *m, int n, const float *x, const gint32 *labels,
                         gboolean training, guint64 step);
/* Gradients of the last forward's loss (zeroes them first). */
void an_model_backward (AnModel *m);
void an_model_sgd_step (AnModel *m, const AnSgdDesc *d);
/* Changes p of the dropout layers that use the run's p (live hyperparameter). */
void an_model_set_dropout (AnModel *m, double p);
double an_model_grad_norm (AnModel *m);
/* Copies of the last forward's probabilities (n, classes) / gradient of tensor i. */
void an_model_get_probs (AnModel *m, float *host);
void an_model_get_grad (AnModel *m, int i, float *host);
gboolean an_model_sync (AnModel *m, GError **error);

/* Activations for the UI: layer names with an output, in order, and the last forward's output
 * of one (whole tensor, towers joined along channels). */
char **an_model_layer_names (AnModel *m);
gboolean an_model_get_activation (AnModel *m, const char *layer, int shape[4], float **host,
                                  GError **error);
int an_model_num_classes (AnModel *m);
const AnPreset *an_model_preset (AnModel *m);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnModel, an_model_free)

G_END_DECLS
