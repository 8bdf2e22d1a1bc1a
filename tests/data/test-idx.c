/* test-idx.c: the IDX readers (Fashion-MNIST / MNIST layout) on small files written here,
 * gzip'd and raw, and every malformed-file case the reader must refuse. */
#define G_LOG_DOMAIN "alexnet-test"
#include "config.h"

#include <string.h>

#include "an-error.h"
#include "data-test-util.h"

enum { N = 5, ROWS = 4, COLS = 3 };

static const guint8 good_labels[N] = { 3, 0, 9, 1, 7 };

static void
write_set (const char *dir, const char *prefix, gboolean gzip, GByteArray *images,
           GByteArray *labels)
{
  g_autofree char *img_base = g_strdup_printf ("%s-images-idx3-ubyte%s", prefix, gzip ? ".gz" : "");
  g_autofree char *lab_base = g_strdup_printf ("%s-labels-idx1-ubyte%s", prefix, gzip ? ".gz" : "");
  g_autofree char *img_path = g_build_filename (dir, img_base, NULL);
  g_autofree char *lab_path = g_build_filename (dir, lab_base, NULL);
  void (*write) (const char *, const void *, gsize) = gzip ? test_write_gzip : test_write_file;
  write (img_path, images->data, images->len);
  write (lab_path, labels->data, labels->len);
  g_byte_array_unref (images);
  g_byte_array_unref (labels);
}

static void
good_pixels (guint8 *pixels, int n)
{
  for (int i = 0; i < n; i++)
    for (int y = 0; y < ROWS; y++)
      for (int x = 0; x < COLS; x++)
        pixels[(i * ROWS + y) * COLS + x] = test_pattern (i, 0, y, x);
}

static void
check_round_trip (gboolean gzip)
{
  g_autofree char *dir = test_tmpdir ();
  guint8 pixels[N * ROWS * COLS];
  good_pixels (pixels, N);
  write_set (dir, "train", gzip, test_idx_images (0x803, N, ROWS, COLS, pixels, sizeof pixels),
             test_idx_labels (0x801, N, good_labels, N));
  write_set (dir, "t10k", gzip, test_idx_images (0x803, 2, ROWS, COLS, pixels, 2 * ROWS * COLS),
             test_idx_labels (0x801, 2, good_labels, 2));

  GError *error = NULL;
  g_autofree char *spec = g_strconcat ("fashion-mnist:", dir, NULL);
  g_autoptr (AnDataset) ds = an_dataset_load (spec, AN_SPLIT_TRAIN, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ds->name, ==, "fashion-mnist");
  g_assert_cmpint (ds->count, ==, N);
  g_assert_cmpint (ds->channels, ==, 1);
  g_assert_cmpint (ds->height, ==, ROWS);
  g_assert_cmpint (ds->width, ==, COLS);
  g_assert_cmpint (ds->num_classes, ==, 10);
  g_assert_cmpstr (ds->class_names[0], ==, "T-shirt/top");
  g_assert_cmpstr (ds->class_names[9], ==, "Ankle boot");
  g_assert_null (ds->class_names[10]);
  g_assert_cmpmem (ds->pixels, sizeof pixels, pixels, sizeof pixels);
  for (int i = 0; i < N; i++)
    g_assert_cmpint (ds->labels[i], ==, good_labels[i]);

  g_autofree char *mnist = g_strconcat ("mnist:", dir, NULL);
  g_autoptr (AnDataset) test = an_dataset_load (mnist, AN_SPLIT_TEST, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (test->name, ==, "mnist");
  g_assert_cmpint (test->count, ==, 2);
  g_assert_cmpstr (test->class_names[3], ==, "3");
  g_assert_cmpint (test->labels[1], ==, good_labels[1]);
  test_rmdir (dir);
}

static void
test_round_trip_gzip (void)
{
  check_round_trip (TRUE);
}

static void
test_round_trip_raw (void)
{
  check_round_trip (FALSE);
}

/* Loads train from dir and checks the error's code and that its message holds every word. */
static void
expect_error (const char *dir, int code, const char *must_contain_1, const char *must_contain_2)
{
  GError *error = NULL;
  g_autofree char *spec = g_strconcat ("mnist:", dir, NULL);
  AnDataset *ds = an_dataset_load (spec, AN_SPLIT_TRAIN, 0, 0, &error);
  g_assert_null (ds);
  g_assert_error (error, AN_ERROR, code);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, must_contain_1));
  if (must_contain_2)
    g_assert_nonnull (strstr (error->message, must_contain_2));
  g_error_free (error);
}

typedef enum {
  BAD_TRUNCATED_PIXELS,
  BAD_TRAILING_PIXELS,
  BAD_IMAGE_MAGIC,
  BAD_LABEL_MAGIC,
  BAD_COUNTS_DIFFER,
  BAD_OVERFLOW_DIMS,
  BAD_ZERO_DIMS,
  BAD_LABEL_RANGE,
  BAD_SHORT_HEADER,
  BAD_LABELS_TRUNCATED,
} BadCase;

static void
write_bad (const char *dir, BadCase bad, gboolean gzip)
{
  guint8 pixels[N * ROWS * COLS];
  guint8 labels[N];
  good_pixels (pixels, N);
  memcpy (labels, good_labels, N);
  guint32 img_magic = 0x803, lab_magic = 0x801, img_count = N, lab_count = N;
  guint32 rows = ROWS, cols = COLS;
  gsize pix_len = sizeof pixels, lab_len = N;
  switch (bad)
    {
    case BAD_TRUNCATED_PIXELS: pix_len -= 5; break;
    case BAD_TRAILING_PIXELS: img_count = N - 1; break;
    case BAD_IMAGE_MAGIC: img_magic = 0x801; break;
    case BAD_LABEL_MAGIC: lab_magic = 0x08030000; break;
    case BAD_COUNTS_DIFFER: lab_count = N - 1; lab_len = N - 1; break;
    case BAD_OVERFLOW_DIMS: rows = 0xffffffffu; cols = 0xffffffffu; img_count = 0x7fffffff; break;
    case BAD_ZERO_DIMS: rows = 0; break;
    case BAD_LABEL_RANGE: labels[2] = 10; break;
    case BAD_SHORT_HEADER: break;
    case BAD_LABELS_TRUNCATED: lab_len = N - 2; break;
    }
  GByteArray *img = test_idx_images (img_magic, img_count, rows, cols, pixels, pix_len);
  if (bad == BAD_SHORT_HEADER)
    g_byte_array_set_size (img, 10);
  write_set (dir, "train", gzip, img, test_idx_labels (lab_magic, lab_count, labels, lab_len));
}

static void
test_bad_files (void)
{
  static const struct {
    BadCase bad;
    const char *file, *words;
  } cases[] = {
    { BAD_TRUNCATED_PIXELS, "train-images", "truncated" },
    { BAD_TRAILING_PIXELS, "train-images", "header says 4 images" },
    { BAD_IMAGE_MAGIC, "train-images", "wrong magic 0x00000801" },
    { BAD_LABEL_MAGIC, "train-labels", "wrong magic 0x08030000" },
    { BAD_COUNTS_DIFFER, "train-images", "5 images but" },
    { BAD_OVERFLOW_DIMS, "train-images", "out of range" },
    { BAD_ZERO_DIMS, "train-images", "out of range" },
    { BAD_LABEL_RANGE, "train-labels", "label 10 of record 2" },
    { BAD_SHORT_HEADER, "train-images", "16-byte IDX header" },
    { BAD_LABELS_TRUNCATED, "train-labels", "truncated" },
  };
  for (int gzip = 0; gzip <= 1; gzip++)
    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree char *dir = test_tmpdir ();
        write_bad (dir, cases[i].bad, gzip);
        expect_error (dir, AN_ERROR_FORMAT, cases[i].file, cases[i].words);
        test_rmdir (dir);
      }
}

static void
test_missing_and_corrupt_gzip (void)
{
  g_autofree char *dir = test_tmpdir ();
  expect_error (dir, AN_ERROR_IO, "train-labels-idx1-ubyte", NULL);

  guint8 pixels[N * ROWS * COLS];
  good_pixels (pixels, N);
  write_set (dir, "train", TRUE, test_idx_images (0x803, N, ROWS, COLS, pixels, sizeof pixels),
             test_idx_labels (0x801, N, good_labels, N));
  g_autofree char *path = g_build_filename (dir, "train-images-idx3-ubyte.gz", NULL);
  g_autofree char *gz = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &gz, &len, NULL));

  /* cut in the middle of the deflate stream */
  test_write_file (path, gz, len / 2);
  expect_error (dir, AN_ERROR_FORMAT, "train-images-idx3-ubyte.gz", "truncated gzip");
  /* damage the deflate data itself (bytes after the 10-byte gzip header) */
  for (gsize i = 10; i < len - 8; i++)
    gz[i] ^= 0x5a;
  test_write_file (path, gz, len);
  expect_error (dir, AN_ERROR_FORMAT, "train-images-idx3-ubyte.gz", "gzip");
  test_rmdir (dir);
}

static void
test_gunzip_cap (void)
{
  /* 1 MiB of zeros compresses to ~1 KiB: the cap must stop it, whatever the header says */
  gsize big = 1 << 20;
  g_autofree guint8 *zeros = g_malloc0 (big);
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "zeros.gz", NULL);
  test_write_gzip (path, zeros, big);
  g_autofree char *gz = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &gz, &len, NULL));
  GError *error = NULL;
  gsize out_len = 0;
  guint8 *out = an_gunzip ((const guint8 *) gz, len, big / 2, "zeros.gz", &out_len, &error);
  g_assert_null (out);
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "decompresses to more than"));
  g_clear_error (&error);
  out = an_gunzip ((const guint8 *) gz, len, big, "zeros.gz", &out_len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (out_len, ==, big);
  g_assert_cmpmem (out, out_len, zeros, big);
  g_free (out);
  test_rmdir (dir);
}

static void
test_bad_spec (void)
{
  GError *error = NULL;
  g_assert_null (an_dataset_load ("imagenet:/x", AN_SPLIT_TRAIN, 0, 0, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (an_dataset_load ("cifar10", AN_SPLIT_TRAIN, 0, 0, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "cifar10:DIR"));
  g_clear_error (&error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/idx/round-trip-gzip", test_round_trip_gzip);
  g_test_add_func ("/data/idx/round-trip-raw", test_round_trip_raw);
  g_test_add_func ("/data/idx/bad-files", test_bad_files);
  g_test_add_func ("/data/idx/missing-and-corrupt-gzip", test_missing_and_corrupt_gzip);
  g_test_add_func ("/data/idx/gunzip-cap", test_gunzip_cap);
  g_test_add_func ("/data/idx/bad-spec", test_bad_spec);
  return g_test_run ();
}
