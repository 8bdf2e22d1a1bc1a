/* an-dataset.h: datasets of 8-bit images, and the batch pipeline.
 *
 * Readers: Fashion-MNIST / MNIST IDX (gzip'd or not), CIFAR-10 and CIFAR-100 binary, held in
 * memory; image folders (one sub-folder per class), held as an index of file paths whose
 * images are decoded when a batch needs them. Every size read from a header is checked
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
  guint8 *pixels;      /* count x (channels, height, width), CHW order; NULL when streamed */
  gint32 *labels;      /* count */
  /* Streamed datasets (folder:) only, else NULL: the count image files, sorted by class then
   * name, and the first image of each class (num_classes + 1 offsets). Their images are
   * decoded on demand (an_dataset_get_image) at any size; height and width are then the size
   * asked for at loading (or the first image's), channels 3 when the first image of any class
   * is in colour. */
  char **paths;
  int *class_start;
  /* Packed datasets (packed:) only, else NULL: the mapped file pixels point into, and its
   * chunks' checksums, each checked when the chunk is first read (an_dataset_check_image). */
  GMappedFile *mapping;
  struct _AnPackChunks *chunks;
} AnDataset;

/* spec: "fashion-mnist[:DIR]", "mnist:DIR", "cifar10:DIR", "cifar100:DIR" (fine labels),
 * "cifar100-coarse:DIR", "folder:DIR", "packed:FILE" (an-pack.h). Folders are indexed (listed, not decoded); their
 * nominal size is (height, width) when both > 0, else the first image's. */
AnDataset *an_dataset_load (const char *spec, AnSplit split, int height, int width,
                            GError **error);
void an_dataset_free (AnDataset *ds);
/* FALSE for a folder dataset without DIR/train and DIR/test (its only split is the training
 * one); TRUE for the other kinds, which all have a test split. */
gboolean an_dataset_has_test_split (const char *spec);
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

/* Image i as 8-bit CHW: a copy of the in-memory pixels, or the file decoded at its own size
 * (a JPEG at the smallest DCT scale whose shorter side is still >= min_short_side; 0: full
 * size). An error names the file when it cannot be read or decoded. */
AnImage *an_dataset_get_image (const AnDataset *ds, int i, int min_short_side, GError **error);
/* FALSE + an error naming the file and chunk when in-memory image i lies in a packed file's
 * damaged chunk (checked the first time the chunk is read); TRUE for any other image. Readers
 * of ds->pixels call it first. */
gboolean an_dataset_check_image (const AnDataset *ds, int i, GError **error);
/* Another image of the same class as image i, the attempt-th (1, 2, ...) after it in the
 * class's order, wrapping; i itself when the class has one image. For replacing an image that
 * cannot be decoded. */
int an_dataset_same_class (const AnDataset *ds, int i, int attempt);

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
/* Per-channel mean/std and the RGB covariance eigen-decomposition of the given images (of
 * AN_INPUT_FIT_SAMPLES of them spread evenly when the dataset is streamed or packed). */
#define AN_INPUT_FIT_SAMPLES 500
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

/* A pool of worker threads preparing batches ahead of the model, with bounded memory (depth
 * batches in flight, whatever the dataset's size). Shuffles indices per epoch (train) with
 * the counter-based RNG; applies the augmentation of spec when train is TRUE. Every image's
 * tensor is a function of (seed, epoch, image index) only, so batches are the same whatever
 * the number of workers (<= 0: one per core). */
typedef struct _AnBatcher AnBatcher;

AnBatcher *an_batcher_new (const AnDataset *ds, const int *indices, int count,
                           const AnInputSpec *spec, int batch, gboolean train, guint64 seed,
                           int depth, int workers);
/* The images that could not be decoded since the last call, each replaced by another of its
 * class: "PATH: why" strings (NULL-terminated, free with g_strfreev), NULL when none. */
char **an_batcher_take_failures (AnBatcher *b);
/* Images replaced so far in the current epoch (those of batches already made). */
int an_batcher_epoch_failures (AnBatcher *b);
/* Starts producing the batches of epoch (0-based), beginning at batch start_index. */
void an_batcher_start_epoch (AnBatcher *b, int epoch, int start_index);
/* Next batch of the current epoch, or NULL at its end. Give it back with an_batcher_release. */
AnBatch *an_batcher_next (AnBatcher *b);
void an_batcher_release (AnBatcher *b, AnBatch *batch);
int an_batcher_batches_per_epoch (AnBatcher *b);
void an_batcher_free (AnBatcher *b);

G_END_DECLS
