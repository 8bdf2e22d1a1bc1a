/* test-pack.c: packed datasets (an-pack.h). The test writes a small folder with train/ and
 * test/ splits (PNG and JPEG of several sizes and shapes, one grey), packs it and checks:
 *   - counts, labels, class names and each stored square against the folder's own images
 *     (decoded and squared here, an_pipeline_square);
 *   - a training epoch of the paper's pipeline is bit-identical from the packed file and from
 *     the folder (packing changes nothing the model sees);
 *   - damaged copies are refused at loading with the file and the field named: magic,
 *     version, size, channels (header checksum fixed up), header / index checksums, a
 *     truncated file, trailing bytes; a file without a test split asked for one;
 *   - a damaged chunk of pixels opens (chunks are checked when first read, so a large file
 *     opens at once) and is then refused image by image: an_dataset_get_image fails naming
 *     the file and the chunk, the batcher reports each of its images once and replaces it
 *     with an image of its class from a sound chunk, an_pack_verify refuses the file.
 */
#define G_LOG_DOMAIN "alexnet-test"
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <zlib.h>

#include "an-config.h"
#include "an-error.h"
#include "an-pack.h"
#include "an-pipeline.h"
#include "data-test-util.h"

enum { CLASSES = 3, TRAIN_PER_CLASS = 30, TEST_PER_CLASS = 5, SIZE = 256, BATCH = 8 };

static char *root, *packed;

static AnImage *
image_for (int i, int channels, int height, int width)
{
  AnImage *img = an_image_new (channels, height, width);
  for (int c = 0; c < channels; c++)
    for (int y = 0; y < height; y++)
      for (int x = 0; x < width; x++)
        img->pixels[((gsize) c * height + y) * width + x] = test_pattern (i, c, y, x);
  return img;
}

static void
write_split (const char *split, int per_class, int salt)
{
  for (int k = 0; k < CLASSES; k++)
    {
      g_autofree char *name = g_strdup_printf ("class %d", k);
      g_autofree char *dir = g_build_filename (root, split, name, NULL);
      g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
      for (int j = 0; j < per_class; j++)
        {
          int i = salt + k * per_class + j;
          int h = 40 + (i * 37) % 300, w = 40 + (i * 53) % 300;
          g_autoptr (AnImage) img = image_for (i, i % 11 == 3 ? 1 : 3, h, w);
          g_autofree char *file = g_strdup_printf ("%03d.%s", j, j % 3 == 0 ? "jpg" : "png");
          g_autofree char *path = g_build_filename (dir, file, NULL);
          GError *error = NULL;
          if (j % 3 == 0)
            test_write_jpeg (img, path, 90);
          else
            g_assert_true (an_image_save_png (img, path, &error));
          g_assert_no_error (error);
        }
    }
}

static AnDataset *
load (const char *spec, AnSplit split)
{
  GError *error = NULL;
  AnDataset *ds = an_dataset_load (spec, split, 0, 0, &error);
  g_assert_no_error (error);
  return ds;
}

static void
test_contents (void)
{
  g_autofree char *folder = g_strconcat ("folder:", root, NULL);
  g_autofree char *spec = g_strconcat ("packed:", packed, NULL);
  g_assert_true (an_dataset_has_test_split (spec));
  for (AnSplit split = AN_SPLIT_TRAIN; split <= AN_SPLIT_TEST; split++)
    {
      g_autoptr (AnDataset) f = load (folder, split);
      g_autoptr (AnDataset) p = load (spec, split);
      g_assert_cmpint (p->count, ==, CLASSES * (split == AN_SPLIT_TRAIN ? TRAIN_PER_CLASS
                                                                        : TEST_PER_CLASS));
      g_assert_cmpint (p->count, ==, f->count);
      g_assert_cmpint (p->channels, ==, 3);
      g_assert_cmpint (p->height, ==, SIZE);
      g_assert_cmpint (p->width, ==, SIZE);
      g_assert_cmpint (p->num_classes, ==, CLASSES);
      g_assert_cmpstr (p->class_names[1], ==, "class 1");
      g_assert_nonnull (p->mapping);
      gsize bytes = 3 * SIZE * SIZE;
      for (int i = 0; i < p->count; i++)
        {
          g_assert_cmpint (p->labels[i], ==, f->labels[i]);
          g_autoptr (AnImage) img = an_dataset_get_image (f, i, SIZE, NULL);
          g_autoptr (AnImage) sq = an_pipeline_square (img, SIZE);
          if (sq->channels == 1)
            for (int c = 0; c < 3; c++)
              g_assert_cmpmem (p->pixels + i * bytes + c * SIZE * SIZE, SIZE * SIZE, sq->pixels,
                               SIZE * SIZE);
          else
            g_assert_cmpmem (p->pixels + i * bytes, bytes, sq->pixels, bytes);
        }
    }
}

static GByteArray *
epoch_bytes (const AnDataset *ds, const AnInputSpec *spec)
{
  AnBatcher *b = an_batcher_new (ds, NULL, ds->count, spec, BATCH, TRUE, 5, 3, 2);
  gsize input = (gsize) spec->channels * spec->height * spec->width;
  GByteArray *out = g_byte_array_new ();
  an_batcher_start_epoch (b, 1, 0);
  AnBatch *batch;
  while ((batch = an_batcher_next (b)) != NULL)
    {
      g_byte_array_append (out, (const guint8 *) batch->x, batch->n * input * sizeof (float));
      g_byte_array_append (out, (const guint8 *) batch->labels, batch->n * sizeof (gint32));
      an_batcher_release (b, batch);
    }
  an_batcher_free (b);
  return out;
}

/* the paper's pipeline sees the same tensors from the packed file as from the files */
static void
test_same_batches_as_folder (void)
{
  g_autofree char *folder = g_strconcat ("folder:", root, NULL);
  g_autofree char *spec = g_strconcat ("packed:", packed, NULL);
  g_autoptr (AnDataset) f = load (folder, AN_SPLIT_TRAIN);
  g_autoptr (AnDataset) p = load (spec, AN_SPLIT_TRAIN);
  AnInputSpec in = { .channels = 3, .height = 227, .width = 227,
                     .normalize = AN_NORMALIZE_HALF, .flip = TRUE, .pca = TRUE, .pca_std = 0.1f,
                     .pipeline = AN_PIPELINE_PAPER };
  for (int i = 0; i < 3; i++)
    {
      in.pca_eigval[i] = 0.1f / (i + 1);
      in.pca_eigvec[i][i] = 1;
    }
  g_autoptr (GByteArray) a = epoch_bytes (f, &in);
  g_autoptr (GByteArray) b = epoch_bytes (p, &in);
  g_assert_cmpmem (a->data, a->len, b->data, b->len);
}

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static void
set32 (guint8 *p, guint32 v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (guint8) (v >> (8 * i));
}

/* the header checksum of bytes 0..51, recomputed */
static void
fix_header (guint8 *d)
{
  set32 (d + 52, (guint32) crc32 (crc32 (0, Z_NULL, 0), d, 52));
}

/* A damaged copy of the packed file must fail to load, naming the file and the field. */
static void
expect_refused (const guint8 *bytes, gsize len, const char *field)
{
  g_autofree char *path = g_build_filename (root, "damaged.anpack", NULL);
  test_write_file (path, bytes, len);
  g_autofree char *spec = g_strconcat ("packed:", path, NULL);
  GError *error = NULL;
  AnDataset *ds = an_dataset_load (spec, AN_SPLIT_TRAIN, 0, 0, &error);
  g_assert_null (ds);
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, field));
  g_error_free (error);
}

static char *
write_damaged (const guint8 *bytes, gsize len)
{
  char *path = g_build_filename (root, "damaged-chunk.anpack", NULL);
  test_write_file (path, bytes, len);
  return path;
}

/* The full check refuses the file, naming it and the field. */
static void
expect_verify_fails (const char *path, const char *field)
{
  GError *error = NULL;
  g_assert_false (an_pack_verify (path, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, field));
  g_error_free (error);
}

/* Chunk 0 (images 0 to 63: classes 0 and 1 whole, the first 4 of class 2) damaged. */
static void
expect_damaged_chunk (const guint8 *bytes, gsize len)
{
  g_autofree char *path = write_damaged (bytes, len);
  g_autofree char *spec = g_strconcat ("packed:", path, NULL);
  GError *error = NULL;
  g_autoptr (AnDataset) ds = an_dataset_load (spec, AN_SPLIT_TRAIN, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ds->count, ==, CLASSES * TRAIN_PER_CLASS);

  g_assert_null (an_dataset_get_image (ds, 5, 0, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, "chunk 0 checksum: images 0 to 63 are damaged"));
  g_clear_error (&error);
  g_assert_false (an_dataset_check_image (ds, 63, NULL));
  g_assert_true (an_dataset_check_image (ds, 64, NULL));
  g_autoptr (AnImage) sound = an_dataset_get_image (ds, 70, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sound);

  /* an epoch in order, no augmentation: every image of chunk 0 reported once; class 2's
   * images there (60 to 63) replaced by the next of their class outside it (64 on) */
  AnInputSpec in = { .channels = 3, .height = 32, .width = 32,
                     .normalize = AN_NORMALIZE_HALF, .pipeline = AN_PIPELINE_PAD_CROP };
  gsize input = (gsize) in.channels * in.height * in.width;
  g_autofree float *x = g_new (float, (gsize) ds->count * input);
  AnBatcher *b = an_batcher_new (ds, NULL, ds->count, &in, BATCH, FALSE, 5, 3, 2);
  an_batcher_start_epoch (b, 0, 0);
  AnBatch *batch;
  int at = 0;
  while ((batch = an_batcher_next (b)) != NULL)
    {
      memcpy (x + (gsize) at * input, batch->x, batch->n * input * sizeof (float));
      at += batch->n;
      an_batcher_release (b, batch);
    }
  g_assert_cmpint (at, ==, ds->count);
  g_assert_cmpint (an_batcher_epoch_failures (b), ==, 64);
  g_auto (GStrv) failures = an_batcher_take_failures (b);
  g_assert_cmpuint (g_strv_length (failures), ==, 64);
  for (guint i = 0; failures[i]; i++)
    g_assert_nonnull (strstr (failures[i], "chunk 0 checksum"));
  an_batcher_free (b);
  g_assert_cmpint (ds->labels[60], ==, 2);
  g_assert_cmpint (ds->labels[64], ==, 2);
  for (int i = 60; i < 64; i++)
    g_assert_cmpmem (x + (gsize) i * input, input * sizeof (float), x + (gsize) 64 * input,
                     input * sizeof (float));
  /* and image 64 is its own pixels, not a black replacement */
  g_autoptr (AnImage) img64 = an_dataset_get_image (ds, 64, 0, NULL);
  g_autofree float *want = g_new (float, input);
  an_input_from_image (&in, img64->pixels, img64->channels, img64->height, img64->width, want);
  g_assert_cmpmem (x + (gsize) 64 * input, input * sizeof (float), want, input * sizeof (float));

  expect_verify_fails (path, "chunk 0 checksum");
}

/* The last chunk, which holds the test images, damaged: the test split opens, its images in
 * that chunk are refused, the training split's in other chunks are not. */
static void
expect_damaged_test_chunk (const guint8 *bytes, gsize len)
{
  g_autofree char *path = write_damaged (bytes, len);
  g_autofree char *spec = g_strconcat ("packed:", path, NULL);
  GError *error = NULL;
  g_autoptr (AnDataset) test = an_dataset_load (spec, AN_SPLIT_TEST, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (test->count, ==, CLASSES * TEST_PER_CLASS);
  g_assert_null (an_dataset_get_image (test, test->count - 1, 0, &error));
  g_assert_nonnull (strstr (error->message, "chunk 1 checksum: images 64 to 104 are damaged"));
  g_clear_error (&error);
  g_autoptr (AnDataset) train = an_dataset_load (spec, AN_SPLIT_TRAIN, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_true (an_dataset_check_image (train, 0, NULL));
  g_assert_false (an_dataset_check_image (train, 64, NULL));
  expect_verify_fails (path, "chunk 1 checksum");
}

static void
test_damaged (void)
{
  g_autofree guint8 *orig = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (packed, (char **) &orig, &len, NULL));
  g_autofree guint8 *d = g_malloc (len + 1);
  guint32 data_offset = le32 (orig + 40);

#define FRESH() memcpy (d, orig, len)
  FRESH ();
  d[0] = 'X';
  expect_refused (d, len, "magic");
  FRESH ();
  set32 (d + 8, 2);
  expect_refused (d, len, "version: 2");
  FRESH ();
  set32 (d + 16, 0);
  fix_header (d);
  expect_refused (d, len, "size: 0");
  FRESH ();
  set32 (d + 16, 128);
  fix_header (d);
  expect_refused (d, len, "file size");
  FRESH ();
  set32 (d + 12, 2);
  fix_header (d);
  expect_refused (d, len, "channels: 2");
  FRESH ();
  d[20] ^= 1;
  expect_refused (d, len, "header checksum");
  FRESH ();
  d[64 + 2] ^= 1; /* a class name */
  expect_refused (d, len, "index checksum");
  FRESH ();
  d[data_offset + 12345] ^= 0x10;
  expect_damaged_chunk (d, len);
  FRESH ();
  d[len - 1] ^= 0x10; /* the last chunk: the test images */
  expect_damaged_test_chunk (d, len);
  FRESH ();
  expect_refused (d, len - 1000, "file size: truncated");
  expect_refused (d, 30, "header: truncated");
  d[len] = 0;
  expect_refused (d, len + 1, "file size");
#undef FRESH
}

static void
test_without_test_split (void)
{
  /* the train/ folder alone: no test split */
  g_autofree char *train_dir = g_build_filename (root, "train", NULL);
  g_autofree char *folder = g_strconcat ("folder:", train_dir, NULL);
  g_autofree char *path = g_build_filename (root, "train-only.anpack", NULL);
  GError *error = NULL;
  g_assert_true (an_pack_write (folder, path, 32, 1, NULL, NULL, &error));
  g_assert_no_error (error);
  g_autofree char *spec = g_strconcat ("packed:", path, NULL);
  g_assert_false (an_dataset_has_test_split (spec));
  g_autoptr (AnDataset) ds = load (spec, AN_SPLIT_TRAIN);
  g_assert_cmpint (ds->count, ==, CLASSES * TRAIN_PER_CLASS);
  g_assert_cmpint (ds->height, ==, 32);
  g_assert_null (an_dataset_load (spec, AN_SPLIT_TEST, 0, 0, &error));
  g_assert_nonnull (strstr (error->message, "no test split"));
  g_clear_error (&error);
  /* a missing file: an I/O error naming it */
  g_autofree char *missing = g_strconcat ("packed:", root, "/none.anpack", NULL);
  g_assert_null (an_dataset_load (missing, AN_SPLIT_TRAIN, 0, 0, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "none.anpack"));
  g_clear_error (&error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  root = test_tmpdir ();
  write_split ("train", TRAIN_PER_CLASS, 0);
  write_split ("test", TEST_PER_CLASS, 1000);
  packed = g_build_filename (root, "set.anpack", NULL);
  g_autofree char *folder = g_strconcat ("folder:", root, NULL);
  GError *error = NULL;
  g_assert_true (an_pack_write (folder, packed, SIZE, 2, NULL, NULL, &error));
  g_assert_no_error (error);

  g_test_add_func ("/data/pack/contents", test_contents);
  g_test_add_func ("/data/pack/same-batches-as-folder", test_same_batches_as_folder);
  g_test_add_func ("/data/pack/damaged", test_damaged);
  g_test_add_func ("/data/pack/without-test-split", test_without_test_split);
  int rc = g_test_run ();
  test_rmdir (root);
  g_free (root);
  g_free (packed);
  return rc;
}
