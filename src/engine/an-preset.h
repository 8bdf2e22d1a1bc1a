/* an-preset.h: model presets, human-readable text files (ARCHITECTURE.md contract 10), and the
 * shapes of the model a preset describes.
 *
 * A preset lists the single-device layers in order; built-in presets are compiled in as a
 * GResource (resources/models), user presets live in $XDG_DATA_HOME/alexnet-studio/models.
 */
#pragma once

#include <glib.h>

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
/* The single-device model's shapes, inferred once for the model builder and the parameter
 * count: what each layer gives per image and the logical shape of its parameters. */
typedef struct {
  int c, h, w;     /* the layer's output per image */
  int weight[4];   /* conv (OC, C/groups, K, K), linear (OUT, IN) */
  int weight_ndim; /* 0 for layers without parameters */
  int bias;        /* bias length */
} AnLayerShape;

/* shapes[n_layers] for num_classes classes and in_channels input channels (used when the
 * preset's input says "data"); FALSE + an error naming the file, the line and the layer when
 * the shapes do not work. */
gboolean an_preset_shapes (const AnPreset *p, int num_classes, int in_channels,
                           AnLayerShape *shapes, GError **error);
/* Parameter count for num_classes outputs (one input channel where the input says "data"),
 * or -1 with error when the shapes do not work. */
gint64 an_preset_param_count (const AnPreset *p, int num_classes, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnPreset, an_preset_free)

G_END_DECLS
