/* test-cifar.c: CIFAR-10 and CIFAR-100 binary files written here, with and without the class
 * name files, and the malformed cases. */
#define G_LOG_DOMAIN "alexnet-test"
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "an-error.h"
#include "data-test-util.h"

enum { RECORD_PIXELS = 3 * 32 * 32 };

/* n records; label byte(s) of record i from label_of (i, field). Image i of the file gets the
 * pattern of global image first + i. */
static void
write_records (const char *dir, const char *name, int first, int n, int label_bytes,
               int (*label_of) (int i, int field))
{
  gsize record = label_bytes + RECORD_PIXELS;
  g_autofree guint8 *data = g_malloc ((gsize) n * record);
  for (int i = 0; i < n; i++)
    {
      guint8 *r = data + (gsize) i * record;
      for (int f = 0; f < label_bytes; f++)
        r[f] = (guint8) label_of (first + i, f);
      for (int c = 0; c < 3; c++)
        for (int y = 0; y < 32; y++)
          for (int x = 0; x < 32; x++)
            r[label_bytes + (c * 32 + y) * 32 + x] = test_pattern (first + i, c, y, x);
    }
  g_autofree char *path = g_build_filename (dir, name, NULL);
  test_write_file (path, data, (gsize) n * record);
}

static int
label10 (int i, int field)
{
  return (i * 7) % 10;
}

static int
label100 (int i, int field)
{
  return field == 0 ? (i * 3) % 20 : (i * 11) % 100;
}

static void
check_pixels (const AnDataset *ds)
{
  for (int i = 0; i < ds->count; i++)
    for (int c = 0; c < 3; c++)
      for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++)
          g_assert_cmpuint (ds->pixels[(gsize) i * RECORD_PIXELS + (c * 32 + y) * 32 + x], ==,
                            test_pattern (i, c, y, x));
}

static void
write_cifar10 (const char *dir)
{
  /* batches of 2, 3, 1, 2, 2 records: 10 training images in order */
  static const int sizes[5] = { 2, 3, 1, 2, 2 };
  int first = 0;
  for (int b = 0; b < 5; b++)
    {
      g_autofree char *name = g_strdup_printf ("data_batch_%d.bin", b + 1);
      write_records (dir, name, first, sizes[b], 1, label10);
      first += sizes[b];
    }
  write_records (dir, "test_batch.bin", 0, 3, 1, label10);
}

static void
test_cifar10 (void)
{
  g_autofree char *dir = test_tmpdir ();
  write_cifar10 (dir);
  g_autofree char *spec = g_strconcat ("cifar10:", dir, NULL);
  GError *error = NULL;
  g_autoptr (AnDataset) train = an_dataset_load (spec, AN_SPLIT_TRAIN, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (train->name, ==, "cifar10");
  g_assert_cmpint (train->count, ==, 10);
  g_assert_cmpint (train->channels, ==, 3);
  g_assert_cmpint (train->height, ==, 32);
  g_assert_cmpint (train->width, ==, 32);
  g_assert_cmpint (train->num_classes, ==, 10);
  g_assert_cmpstr (train->class_names[0], ==, "airplane");
  g_assert_cmpstr (train->class_names[9], ==, "truck");
  for (int i = 0; i < train->count; i++)
    g_assert_cmpint (train->labels[i], ==, label10 (i, 0));
  check_pixels (train);

  g_autoptr (AnDataset) test = an_dataset_load (spec, AN_SPLIT_TEST, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (test->count, ==, 3);
  check_pixels (test);

  /* names from batches.meta.txt when present (blank lines ignored) */
  g_autofree char *meta = g_build_filename (dir, "batches.meta.txt", NULL);
  const char *names = "a0\na1\na2\na3\na4\na5\na6\na7\na8\nlast one  \n\n";
  test_write_file (meta, names, strlen (names));
  g_autoptr (AnDataset) named = an_dataset_load (spec, AN_SPLIT_TEST, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (named->num_classes, ==, 10);
  g_assert_cmpstr (named->class_names[2], ==, "a2");
  g_assert_cmpstr (named->class_names[9], ==, "last one");

  /* fewer names than labels used: label out of range, naming the file and record */
  test_write_file (meta, "x\ny\n", 4);
  g_assert_null (an_dataset_load (spec, AN_SPLIT_TRAIN, 0, 0, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "data_batch_1.bin: record 1 has label 7"));
  g_clear_error (&error);
  test_rmdir (dir);
}

static void
test_cifar10_bad (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *spec = g_strconcat ("cifar10:", dir, NULL);
  GError *error = NULL;

  write_cifar10 (dir);
  g_autofree char *batch3 = g_build_filename (dir, "data_batch_3.bin", NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (batch3, &data, &len, NULL));

  /* truncated: not a multiple of 3073 */
  test_write_file (batch3, data, len - 1);
  g_assert_null (an_dataset_load (spec, AN_SPLIT_TRAIN, 0, 0, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "data_batch_3.bin: 3072 bytes"));
  g_assert_nonnull (strstr (error->message, "3073-byte records"));
  g_clear_error (&error);

  /* empty */
  test_write_file (batch3, data, 0);
  g_assert_null (an_dataset_load (spec, AN_SPLIT_TRAIN, 0, 0, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "empty"));
  g_clear_error (&error);

  /* label byte out of range */
  data[0] = 10;
  test_write_file (batch3, data, len);
  g_assert_null (an_dataset_load (spec, AN_SPLIT_TRAIN, 0, 0, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "data_batch_3.bin: record 0 has label 10"));
  g_clear_error (&error);

  /* missing batch */
  g_assert_true (g_remove (batch3) == 0);
  g_assert_null (an_dataset_load (spec, AN_SPLIT_TRAIN, 0, 0, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_IO);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "data_batch_3.bin"));
  g_clear_error (&error);
  test_rmdir (dir);
}

static void
test_cifar100 (void)
{
  g_autofree char *dir = test_tmpdir ();
  write_records (dir, "train.bin", 0, 7, 2, label100);
  write_records (dir, "test.bin", 0, 2, 2, label100);
  GError *error = NULL;

  g_autofree char *fine_spec = g_strconcat ("cifar100:", dir, NULL);
  g_autoptr (AnDataset) fine = an_dataset_load (fine_spec, AN_SPLIT_TRAIN, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fine->name, ==, "cifar100");
  g_assert_cmpint (fine->count, ==, 7);
  g_assert_cmpint (fine->num_classes, ==, 100);
  g_assert_cmpstr (fine->class_names[0], ==, "apple");
  g_assert_cmpstr (fine->class_names[99], ==, "worm");
  for (int i = 0; i < fine->count; i++)
    g_assert_cmpint (fine->labels[i], ==, label100 (i, 1));
  check_pixels (fine);

  g_autofree char *coarse_spec = g_strconcat ("cifar100-coarse:", dir, NULL);
  g_autoptr (AnDataset) coarse = an_dataset_load (coarse_spec, AN_SPLIT_TEST, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (coarse->name, ==, "cifar100-coarse");
  g_assert_cmpint (coarse->count, ==, 2);
  g_assert_cmpint (coarse->num_classes, ==, 20);
  g_assert_cmpstr (coarse->class_names[19], ==, "vehicles_2");
  for (int i = 0; i < coarse->count; i++)
    g_assert_cmpint (coarse->labels[i], ==, label100 (i, 0));
  check_pixels (coarse);

  /* names files take precedence; 5 coarse names cannot cover label 9 of record 3 */
  g_autofree char *coarse_names = g_build_filename (dir, "coarse_label_names.txt", NULL);
  test_write_file (coarse_names, "c0\nc1\nc2\nc3\nc4\n", 15);
  g_autoptr (AnDataset) few = an_dataset_load (coarse_spec, AN_SPLIT_TRAIN, 0, 0, &error);
  g_assert_null (few);
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "train.bin: record 2 has label 6"));
  g_clear_error (&error);

  /* a CIFAR-10 sized record is not a CIFAR-100 one */
  write_records (dir, "train.bin", 0, 3, 1, label10);
  g_assert_null (an_dataset_load (fine_spec, AN_SPLIT_TRAIN, 0, 0, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "3074-byte records"));
  g_clear_error (&error);
  test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/cifar/cifar10", test_cifar10);
  g_test_add_func ("/data/cifar/cifar10-bad", test_cifar10_bad);
  g_test_add_func ("/data/cifar/cifar100", test_cifar100);
  return g_test_run ();
}
