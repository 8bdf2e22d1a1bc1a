/* an-cifar.c: CIFAR-10 and CIFAR-100, binary version.
 * CIFAR-10: data_batch_1..5.bin / test_batch.bin, records of 1 label byte + 3072 pixel bytes;
 * CIFAR-100: train.bin / test.bin, records of coarse and fine label bytes + 3072 pixel bytes.
 * Pixels are 1024 R, 1024 G, 1024 B bytes (rows of 32): already our CHW order.
 */
#define G_LOG_DOMAIN "alexnet-data"
#include "config.h"

#include <string.h>

#include "an-dataset-private.h"
#include "an-error.h"

static const char *const cifar10_names[] = {
  "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck", NULL,
};

static const char *const cifar100_coarse_names[] = {
  "aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables",
  "household_electrical_devices", "household_furniture", "insects", "large_carnivores",
  "large_man-made_outdoor_things", "large_natural_outdoor_scenes",
  "large_omnivores_and_herbivores", "medium_mammals", "non-insect_invertebrates", "people",
  "reptiles", "small_mammals", "trees", "vehicles_1", "vehicles_2", NULL,
};

static const char *const cifar100_fine_names[] = {
  "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle",
  "bottle", "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle",
  "caterpillar", "cattle", "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch",
  "crab", "crocodile", "cup", "dinosaur", "dolphin", "elephant", "flatfish", "forest", "fox",
  "girl", "hamster", "house", "kangaroo", "keyboard", "lamp", "lawn_mower", "leopard", "lion",
  "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain", "mouse", "mushroom",
  "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
  "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road",
  "rocket", "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake",
  "spider", "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank",
  "telephone", "television", "tiger", "tractor", "train", "trout", "tulip", "turtle",
  "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm", NULL,
};

gboolean
an_cifar_count_records (gsize len, int label_bytes, const char *what, int *count,
                        GError **error)
{
  gsize record = (gsize) label_bytes + AN_CIFAR_PIXELS;
  if (len == 0 || len % record != 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "%s: %" G_GSIZE_FORMAT " bytes is not a whole number of %" G_GSIZE_FORMAT
                   "-byte records%s", what, len, record, len == 0 ? " (empty)" : " (truncated?)");
      return FALSE;
    }
  if (len / record > G_MAXINT)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: too many records", what);
      return FALSE;
    }
  *count = (int) (len / record);
  return TRUE;
}

gboolean
an_cifar_parse_records (const guint8 *data, gsize len, const char *what, int label_bytes,
                        int label_field, int num_classes, guint8 *pixels, gint32 *labels,
                        GError **error)
{
  int count = 0;
  if (!an_cifar_count_records (len, label_bytes, what, &count, error))
    return FALSE;
  gsize record = (gsize) label_bytes + AN_CIFAR_PIXELS;
  for (int i = 0; i < count; i++)
    {
      const guint8 *r = data + (gsize) i * record;
      if (r[label_field] >= num_classes)
        {
          g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                       "%s: record %d has label %u, out of range (0..%d)", what, i,
                       r[label_field], num_classes - 1);
          return FALSE;
        }
      labels[i] = r[label_field];
      memcpy (pixels + (gsize) i * AN_CIFAR_PIXELS, r + label_bytes, AN_CIFAR_PIXELS);
    }
  return TRUE;
}

AnDataset *
an_dataset_load_cifar (const char *dir, AnCifarKind kind, AnSplit split, GError **error)
{
  const char *names_file;
  const char *const *default_names;
  const char *name;
  int label_bytes, label_field;
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  switch (kind)
    {
    case AN_CIFAR_10:
      name = "cifar10";
      names_file = "batches.meta.txt";
      default_names = cifar10_names;
      label_bytes = 1;
      label_field = 0;
      if (split == AN_SPLIT_TEST)
        g_ptr_array_add (paths, g_build_filename (dir, "test_batch.bin", NULL));
      else
        for (int i = 1; i <= 5; i++)
          {
            g_autofree char *base = g_strdup_printf ("data_batch_%d.bin", i);
            g_ptr_array_add (paths, g_build_filename (dir, base, NULL));
          }
      break;
    case AN_CIFAR_100_FINE:
    case AN_CIFAR_100_COARSE:
      {
        gboolean fine = kind == AN_CIFAR_100_FINE;
        name = fine ? "cifar100" : "cifar100-coarse";
        names_file = fine ? "fine_label_names.txt" : "coarse_label_names.txt";
        default_names = fine ? cifar100_fine_names : cifar100_coarse_names;
        label_bytes = 2;
        label_field = fine ? 1 : 0;
        g_ptr_array_add (paths, g_build_filename (dir, split == AN_SPLIT_TEST ? "test.bin"
                                                                              : "train.bin",
                                                  NULL));
        break;
      }
    default:
      g_assert_not_reached ();
    }

  g_autoptr (AnDataset) ds = g_new0 (AnDataset, 1);
  g_autofree char *names_path = g_build_filename (dir, names_file, NULL);
  GError *local = NULL;
  ds->class_names = an_read_class_names (names_path, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      g_ptr_array_free (paths, TRUE);
      return NULL;
    }
  if (ds->class_names == NULL)
    ds->class_names = g_strdupv ((char **) default_names);
  ds->num_classes = (int) g_strv_length (ds->class_names);
  if (ds->num_classes > 256)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "%s: %d class names, more than a label byte can address", names_path,
                   ds->num_classes);
      g_ptr_array_free (paths, TRUE);
      return NULL;
    }

  /* Map every file and check its size first, so one allocation fits them all. */
  GMappedFile **files = g_new0 (GMappedFile *, paths->len);
  int *counts = g_new0 (int, paths->len);
  gboolean ok = TRUE;
  gint64 total = 0;
  for (guint i = 0; ok && i < paths->len; i++)
    {
      const char *path = paths->pdata[i];
      files[i] = an_data_map_file (path, AN_DATA_MAX_BYTES, error);
      ok = files[i] != NULL &&
           an_cifar_count_records (g_mapped_file_get_length (files[i]), label_bytes, path,
                                   &counts[i], error);
      total += counts[i];
    }
  if (ok && total > G_MAXINT)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: more than %d images", dir, G_MAXINT);
      ok = FALSE;
    }
  if (ok)
    {
      ds->count = (int) total;
      ds->pixels = g_try_malloc ((gsize) total * AN_CIFAR_PIXELS);
      ds->labels = g_try_new (gint32, total);
      if (ds->pixels == NULL || ds->labels == NULL)
        {
          g_set_error (error, AN_ERROR, AN_ERROR_NO_MEMORY, "%s: out of memory for %d images",
                       dir, ds->count);
          ok = FALSE;
        }
    }
  gsize at = 0;
  for (guint i = 0; ok && i < paths->len; i++)
    {
      ok = an_cifar_parse_records ((const guint8 *) g_mapped_file_get_contents (files[i]),
                                   g_mapped_file_get_length (files[i]), paths->pdata[i],
                                   label_bytes, label_field, ds->num_classes,
                                   ds->pixels + at * AN_CIFAR_PIXELS, ds->labels + at, error);
      at += counts[i];
    }
  for (guint i = 0; i < paths->len; i++)
    if (files[i] != NULL)
      g_mapped_file_unref (files[i]);
  g_free (files);
  g_free (counts);
  g_ptr_array_free (paths, TRUE);
  if (!ok)
    return NULL;
  ds->name = g_strdup (name);
  ds->channels = 3;
  ds->height = ds->width = AN_CIFAR_SIDE;
  return g_steal_pointer (&ds);
}
