/* test-fashion-mnist.c: the real Fashion-MNIST files of the Debian package, when installed
 * (suite data-files; skipped otherwise): counts, sizes, class names and label balance.
 * test-fashion-mnist [DIR] reads DIR instead of the package's folder.
 * Absent files are a TAP skip ("1..0 # SKIP reason", exit 0): meson counts a TAP test that
 * exits non-zero as an error, whatever its plan says. */
#define G_LOG_DOMAIN "alexnet-test"
#include "config.h"

#include <stdio.h>

#include "an-dataset.h"

int
main (int argc, char **argv)
{
  const char *dir = argc > 1 ? argv[1] : an_dataset_default_fashion_mnist_dir ();
  g_autofree char *spec = g_strconcat ("fashion-mnist:", dir, NULL);
  g_autofree char *probe = g_build_filename (dir, "train-images-idx3-ubyte.gz", NULL);
  if (!g_file_test (probe, G_FILE_TEST_EXISTS))
    {
      printf ("1..0 # SKIP %s not found (Debian package dataset-fashion-mnist)\n", probe);
      return 0;
    }
  static const char *const names[10] = { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };
  static const struct {
    AnSplit split;
    int count;
  } splits[2] = { { AN_SPLIT_TRAIN, 60000 }, { AN_SPLIT_TEST, 10000 } };
  printf ("1..2\n");
  for (int s = 0; s < 2; s++)
    {
      GError *error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr (AnDataset) ds = an_dataset_load (spec, splits[s].split, 0, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpint (ds->count, ==, splits[s].count);
      g_assert_cmpint (ds->channels, ==, 1);
      g_assert_cmpint (ds->height, ==, 28);
      g_assert_cmpint (ds->width, ==, 28);
      g_assert_cmpint (ds->num_classes, ==, 10);
      for (int k = 0; k < 10; k++)
        g_assert_cmpstr (ds->class_names[k], ==, names[k]);
      /* Fashion-MNIST is balanced: 6000 / 1000 images per class */
      int per_class[10] = { 0 };
      for (int i = 0; i < ds->count; i++)
        per_class[ds->labels[i]]++;
      for (int k = 0; k < 10; k++)
        g_assert_cmpint (per_class[k], ==, splits[s].count / 10);
      printf ("ok %d - %s: %d images in %.2f s\n", s + 1, s ? "test" : "train", ds->count,
              (g_get_monotonic_time () - t0) / 1e6);
    }
  return 0;
}
