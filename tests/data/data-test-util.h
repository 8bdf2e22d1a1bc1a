/* data-test-util.h: helpers for the dataset tests: a scratch directory and small files in
 * the formats the readers take (IDX, CIFAR, JPEG), written independently of the readers. */
#pragma once

#include <glib.h>

#include "an-dataset-private.h"

/* A new empty directory under the system temporary one; removed by test_rmdir. */
char *test_tmpdir (void);
void test_rmdir (const char *dir);

void test_write_file (const char *path, const void *data, gsize len);
/* Writes data gzip'd (zlib's gzip writer). */
void test_write_gzip (const char *path, const void *data, gsize len);

/* IDX bytes: header (magic, count, dims) then the body given. */
GByteArray *test_idx_images (guint32 magic, guint32 count, guint32 rows, guint32 cols,
                             const guint8 *pixels, gsize pixels_len);
GByteArray *test_idx_labels (guint32 magic, guint32 count, const guint8 *labels, gsize len);

/* A JPEG of an 8-bit CHW image (channels 1 or 3) at the quality given. */
void test_write_jpeg (const AnImage *img, const char *path, int quality);

/* A deterministic test pattern: pixel (c, y, x) of image i. */
guint8 test_pattern (int i, int c, int y, int x);
