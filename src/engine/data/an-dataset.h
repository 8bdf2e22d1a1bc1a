/* an-dataset.h: datasets held in memory as 8-bit images, and the batch pipeline.
 *
 * Readers: Fashion-MNIST / MNIST IDX (gzip'd or not), CIFAR-10 and CIFAR-100 binary, image
 * folders (one sub-folder per class, PNG/JPEG). Every size read from a header is checked
 * against the file's real size before anything is allocated; errors name the file and field.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  AN_SPLIT_TRAIN = 0, /* the training files (train + validation are cut from these) */
  AN_SPLIT_TEST = 1,
} AnSplit;

typedef struct {
  char *name;          /* "fashion-mnist", "cifar10", "folder:Flowers" */
  int count;
  int channels;        /* 1 or 3 */
  int height, width;
  int num_classes;
  char **class_names;  /* num_classes strings, NULL-terminated */
  guint8 *pixels;      /* count x (channels, height, width), CHW order */
  gint32 *labels;      /* count */
} AnDataset;

/* spec: "fashion-mnist[:DIR]", "mnist:DIR", "cifar10:DIR", "cifar100:DIR" (fine labels),
 * "cifar100-coarse:DIR", "folder:DIR". Folders are decoded at (height, width) when both > 0
 * (bilinear), else at the first image's size. */
AnDataset *an_dataset_load (const char *spec, AnSplit split, int height, int width,
                            GError **error);
/* As an_dataset_load, but a folder's images have their shorter side resized to size and the
 * centre size x size square kept (an_pipeline_square); other datasets keep their own size. */
AnDataset *an_dataset_load_square (const char *spec, AnSplit split, int size, GError **error);
void an_dataset_free (AnDataset *ds);
/* The default Fashion-MNIST location (the Debian package's). */
const char *an_dataset_default_fashion_mnist_dir (void);

/* One image of any size decoded to 8-bit RGB or grey (PNG, JPEG, and through gdk-pixbuf's
 * loaders WebP, BMP, GIF, TIFF, ICO; see an_image_formats). */
typedef struct {
  int channels, height, width;
  guint8 *pixels; /* CHW */
} AnImage;

AnImage *an_image_load (const char *path, GError **error);
AnImage *an_image_from_bytes (const guint8 *data, gsize len, const char *what, GError **error);
AnImage *an_image_new (int channels, int height, int width);
/* The formats an_image_load reads here, for messages: "PNG, JPEG, WEBP, BMP, ..." (free it). */
char *an_image_formats (void);
void an_image_free (AnImage *img);
/* Writes an 8-bit PNG (channels 1, 3 or 4; CHW input). */
gboolean an_image_save_png (const AnImage *img, const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnDataset, an_dataset_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnImage, an_image_free)

/* How images become the model's input tensor. */
typedef struct {
  int channels, height, width;  /* the model's input */
  int normalize;                /* AnNormalize */
  float mean[3], std[3];        /* used with AN_NORMALIZE_MEAN_STD */
  gboolean flip, crop, pca;     /* augmentation (training only) */
  float pca_std;
  float pca_eigval[3], pca_eigvec[3][3]; /* eigvec[i] is the i-th eigenvector (RGB) */
  int pipeline;                 /* AnPipeline (an-pipeline.h): the geometry of crops and flips */
} AnInputSpec;

/* Converts one 8-bit image to a (channels, height, width) float tensor: grey <-> RGB, pad when
 * the image is a little smaller than the input (28 -> 32: centred, zeros), bilinear resize
 * otherwise, then normalisation. No augmentation. */
void an_input_from_image (const AnInputSpec *spec, const guint8 *pixels, int channels,
                          int height, int width, float *out);
/* Per-channel mean/std and the RGB covariance eigen-decomposition of the given images. */
void an_input_spec_fit (AnInputSpec *spec, const AnDataset *ds, const int *indices, int count);

/* Seeded train/validation split of n training images: a permutation, the first n_train are
 * training and the next n_val validation. */
void an_split_indices (guint64 seed, int n, int *perm);

typedef struct {
  int n;          /* images in this batch (the last one may be short) */
  int epoch, index; /* which batch of which epoch */
  float *x;       /* (n, C, H, W) */
  gint32 *labels; /* n */
} AnBatch;

/* A background thread preparing batches ahead of the model, with bounded memory (depth
 * batches in flight). Shuffles indices per epoch (train) with the counter-based RNG; applies
 * the augmentation of spec when train is TRUE. */
typedef struct _AnBatcher AnBatcher;

AnBatcher *an_batcher_new (const AnDataset *ds, const int *indices, int count,
                           const AnInputSpec *spec, int batch, gboolean train, guint64 seed,
                           int depth);
/* Starts producing the batches of epoch (0-based), beginning at batch start_index. */
void an_batcher_start_epoch (AnBatcher *b, int epoch, int start_index);
/* Next batch of the current epoch, or NULL at its end. Give it back with an_batcher_release. */
AnBatch *an_batcher_next (AnBatcher *b);
void an_batcher_release (AnBatcher *b, AnBatch *batch);
int an_batcher_batches_per_epoch (AnBatcher *b);
void an_batcher_free (AnBatcher *b);

G_END_DECLS
