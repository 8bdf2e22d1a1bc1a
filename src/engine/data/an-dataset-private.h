/* an-dataset-private.h: the in-memory parsers behind the dataset readers, shared by the
 * readers, the tests and the fuzz targets. None of them touches the file system; "what" is the
 * name used in error messages (usually the file's path).
 */
#pragma once

#include <gio/gio.h>

#include "an-dataset.h"

G_BEGIN_DECLS

/* Decompressed files larger than this are refused (the biggest IDX set, EMNIST, is ~0.7 GiB). */
#define AN_DATA_MAX_BYTES ((gsize) 1 << 30)
/* Images with more pixels than this are refused before their pixels are allocated. */
#define AN_IMAGE_MAX_PIXELS ((guint64) 1 << 26)

/* Maps a whole file read-only; AN_ERROR_IO naming the path when it cannot, or when it is
 * larger than max_len. */
GMappedFile *an_data_map_file (const char *path, gsize max_len, GError **error);

/* Inflates a gzip stream (concatenated members allowed), refusing output over max_len. */
guint8 *an_gunzip (const guint8 *data, gsize len, gsize max_len, const char *what,
                   gsize *out_len, GError **error);

/* IDX (LeCun's MNIST format): big-endian magic 0x00000803 + count, rows, cols + pixels. */
gboolean an_idx_parse_images (const guint8 *data, gsize len, const char *what, int *count,
                              int *height, int *width, guint8 **pixels, GError **error);
/* Magic 0x00000801 + count + one byte per label, each below num_classes. */
gboolean an_idx_parse_labels (const guint8 *data, gsize len, const char *what, int num_classes,
                              int *count, gint32 **labels, GError **error);

/* CIFAR binary: records of label_bytes label bytes then 3072 pixel bytes (3x32x32, CHW). */
#define AN_CIFAR_SIDE 32
#define AN_CIFAR_PIXELS (3 * AN_CIFAR_SIDE * AN_CIFAR_SIDE)
gboolean an_cifar_count_records (gsize len, int label_bytes, const char *what, int *count,
                                 GError **error);
/* Fills count records' pixels and the label at byte label_field (< label_bytes) of each. */
gboolean an_cifar_parse_records (const guint8 *data, gsize len, const char *what,
                                 int label_bytes, int label_field, int num_classes,
                                 guint8 *pixels, gint32 *labels, GError **error);

/* An image from memory, refusing images over max_pixels before decoding them. PNG and JPEG
 * through libpng and libjpeg; WebP, BMP, GIF (first frame), TIFF and ICO through gdk-pixbuf's
 * loaders, their size checked from the header first. JPEGs are turned upright by their Exif
 * orientation (TIFFs by theirs), and CMYK/YCCK ones converted to RGB. */
AnImage *an_image_decode (const guint8 *data, gsize len, const char *what, guint64 max_pixels,
                          GError **error);
/* an_image_decode, with JPEGs decoded at the smallest DCT scale of 1/8, 2/8, ..., 7/8 whose
 * shorter side is still at least min_short_side (full size when none is, or when
 * min_short_side is 0).
 * Other formats decode at full size. */
AnImage *an_image_decode_scaled (const guint8 *data, gsize len, const char *what,
                                 guint64 max_pixels, int min_short_side, GError **error);
/* TRUE when the file name's extension is one of a format an_image_decode reads. */
gboolean an_image_name_supported (const char *name);
/* Resizes an 8-bit CHW image with an_resample_plane, rounding to 8 bits. */
AnImage *an_image_resize (const AnImage *img, int height, int width);
/* Resamples one 8-bit plane (sh x sw) to dh x dw floats in 0..255: separable, across then
 * down, with Pillow's "bilinear" filter: a triangle at half-pixel centres whose support
 * widens with the shrink factor, so shrinking averages every source pixel (no aliasing) and
 * enlarging is plain bilinear (PyTorch's align_corners=False). */
void an_resample_plane (const guint8 *src, int sh, int sw, float *dst, int dh, int dw);
/* The oh x ow window at (y0, x0) of an_resample_plane's dh x dw output, into dst (oh x ow),
 * computing only that window: bit-identical to the same window of the whole. */
void an_resample_window (const guint8 *src, int sh, int sw, int dh, int dw, int y0, int x0,
                         int oh, int ow, float *dst);
/* The (oh, ow) window at (y0, x0) of an_image_resize (img, height, width), computed alone. */
AnImage *an_image_resize_window (const AnImage *img, int height, int width, int y0, int x0,
                                 int oh, int ow);

/* an_input_from_image split in its two halves: the conversion to [0, 1] units at the spec's
 * size, and the normalisation; augmentation happens between them. */
void an_input_to_unit (const AnInputSpec *spec, const guint8 *pixels, int channels, int height,
                       int width, float *out);
void an_input_normalize (const AnInputSpec *spec, float *x);
/* TRUE when an image of (height, width) is padded, not resized, to the spec's size. */
gboolean an_input_pads (int src_height, int src_width, int dst_height, int dst_width);

/* Fisher-Yates over perm[0..n) driven by (seed, stream): perm is permuted in place. */
void an_shuffle (guint64 seed, guint64 stream, int n, int *perm);

/* The readers behind an_dataset_load. */
typedef enum {
  AN_CIFAR_10,
  AN_CIFAR_100_FINE,
  AN_CIFAR_100_COARSE,
} AnCifarKind;

AnDataset *an_dataset_load_idx (const char *dir, const char *name,
                                const char *const *class_names, AnSplit split, GError **error);
AnDataset *an_dataset_load_cifar (const char *dir, AnCifarKind kind, AnSplit split,
                                  GError **error);
AnDataset *an_dataset_load_folder (const char *dir, AnSplit split, int height, int width,
                                   GError **error);
/* an_dataset_load_folder, reporting after each class folder listed (classes done of total,
 * images found so far) and stopping when cancelled. */
typedef void (*AnIndexProgress) (int classes_done, int classes_total, int images,
                                 gpointer data);
AnDataset *an_dataset_index_folder (const char *dir, AnSplit split, int height, int width,
                                    AnIndexProgress progress, gpointer progress_data,
                                    GCancellable *cancellable, GError **error);
/* The folder holding a folder dataset's split: dir, or dir/train or dir/test (then also
 * returned in *owned, to free) when both exist. NULL + error for the test split of a folder
 * without one. */
const char *an_folder_split_root (const char *dir, AnSplit split, char **owned,
                                  GError **error);
/* an_image_load with an_image_decode_scaled's min_short_side. */
AnImage *an_image_load_scaled (const char *path, int min_short_side, GError **error);
/* One class name per non-empty line (trailing white space dropped); NULL without an error when
 * the file does not exist. */
char **an_read_class_names (const char *path, GError **error);

G_END_DECLS
