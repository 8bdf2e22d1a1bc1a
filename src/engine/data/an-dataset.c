/* an-dataset.c: dataset specs ("fashion-mnist[:DIR]", "cifar10:DIR", "folder:DIR"...) and
 * the IDX reader on top of the in-memory parser of an-idx.c.
 * A dataset is count 8-bit CHW images plus int32 labels, all in memory.
 */
#define G_LOG_DOMAIN "alexnet-data"
#include "config.h"

#include <string.h>

#include "an-dataset-private.h"
#include "an-error.h"
#include "an-pack.h"

static const char *const fashion_mnist_names[] = {
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot", NULL,
};

static const char *const mnist_names[] = {
  "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", NULL,
};

const char *
an_dataset_default_fashion_mnist_dir (void)
{
  return "/usr/share/datasets/fashion-mnist";
}

void
an_dataset_free (AnDataset *ds)
{
  if (ds == NULL)
    return;
  g_free (ds->name);
  g_strfreev (ds->class_names);
  an_pack_chunks_free (ds->chunks);
  if (ds->mapping)
    g_mapped_file_unref (ds->mapping);
  else
    g_free (ds->pixels);
  g_free (ds->labels);
  g_strfreev (ds->paths);
  g_free (ds->class_start);
  g_free (ds);
}

gboolean
an_dataset_has_test_split (const char *spec)
{
  if (g_str_has_prefix (spec, "packed:"))
    return an_pack_has_test_split (spec + strlen ("packed:"));
  if (!g_str_has_prefix (spec, "folder:"))
    return TRUE;
  g_autofree char *owned = NULL;
  return an_folder_split_root (spec + strlen ("folder:"), AN_SPLIT_TEST, &owned, NULL) != NULL;
}

AnImage *
an_dataset_get_image (const AnDataset *ds, int i, int min_short_side, GError **error)
{
  g_return_val_if_fail (ds != NULL && i >= 0 && i < ds->count, NULL);
  if (ds->paths != NULL)
    {
      AnImage *img = an_image_load_scaled (ds->paths[i], min_short_side, error);
      /* alpha dropped: planes are CHW, so the colour ones come first */
      if (img != NULL && (img->channels == 2 || img->channels == 4))
        img->channels--;
      return img;
    }
  if (!an_dataset_check_image (ds, i, error))
    return NULL;
  AnImage *img = an_image_new (ds->channels, ds->height, ds->width);
  gsize size = (gsize) ds->channels * ds->height * ds->width;
  memcpy (img->pixels, ds->pixels + (gsize) i * size, size);
  return img;
}

gboolean
an_dataset_check_image (const AnDataset *ds, int i, GError **error)
{
  g_return_val_if_fail (ds != NULL && i >= 0 && i < ds->count, FALSE);
  return ds->chunks == NULL || an_pack_chunks_check (ds->chunks, i, error);
}

int
an_dataset_same_class (const AnDataset *ds, int i, int attempt)
{
  g_return_val_if_fail (ds != NULL && i >= 0 && i < ds->count, i);
  if (ds->class_start != NULL)
    {
      int k = ds->labels[i];
      int first = ds->class_start[k], n = ds->class_start[k + 1] - first;
      return first + (int) (((gint64) (i - first) + attempt) % n);
    }
  /* in memory: scan for the attempt-th next image with the same label */
  int found = 0;
  for (int step = 1; step < ds->count; step++)
    {
      int j = (int) (((gint64) i + step) % ds->count);
      if (ds->labels[j] == ds->labels[i] && ++found == attempt)
        return j;
    }
  return i;
}

char **
an_read_class_names (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  GError *local = NULL;
  if (!g_file_get_contents (path, &text, &len, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_error_free (local);
          return NULL;
        }
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "%s", local->message);
      g_error_free (local);
      return NULL;
    }
  if (!g_utf8_validate (text, len, NULL))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: class names are not UTF-8", path);
      return NULL;
    }
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *names = g_ptr_array_new ();
  for (char **l = lines; *l != NULL; l++)
    {
      g_strchomp (*l);
      if (**l != '\0')
        g_ptr_array_add (names, g_strdup (*l));
    }
  if (names->len == 0)
    {
      g_ptr_array_free (names, TRUE);
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: no class names in the file", path);
      return NULL;
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

/* dir/base.gz when it exists, else dir/base. */
static char *
find_idx_file (const char *dir, const char *base)
{
  g_autofree char *gz = g_strconcat (base, ".gz", NULL);
  char *path = g_build_filename (dir, gz, NULL);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return path;
  g_free (path);
  return g_build_filename (dir, base, NULL);
}

/* The file's bytes, inflated when they start with the gzip magic. */
static guint8 *
read_maybe_gzip (const char *path, gsize *len, GError **error)
{
  GMappedFile *file = an_data_map_file (path, AN_DATA_MAX_BYTES, error);
  if (file == NULL)
    return NULL;
  const guint8 *data = (const guint8 *) g_mapped_file_get_contents (file);
  gsize size = g_mapped_file_get_length (file);
  guint8 *out;
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
    out = an_gunzip (data, size, AN_DATA_MAX_BYTES, path, len, error);
  else
    {
      out = g_try_malloc (MAX (size, 1));
      if (out == NULL)
        g_set_error (error, AN_ERROR, AN_ERROR_NO_MEMORY, "%s: out of memory", path);
      else if (size > 0)
        memcpy (out, data, size);
      *len = size;
    }
  g_mapped_file_unref (file);
  return out;
}

AnDataset *
an_dataset_load_idx (const char *dir, const char *name, const char *const *class_names,
                     AnSplit split, GError **error)
{
  const char *prefix = split == AN_SPLIT_TEST ? "t10k" : "train";
  g_autofree char *images_base = g_strconcat (prefix, "-images-idx3-ubyte", NULL);
  g_autofree char *labels_base = g_strconcat (prefix, "-labels-idx1-ubyte", NULL);
  g_autofree char *images_path = find_idx_file (dir, images_base);
  g_autofree char *labels_path = find_idx_file (dir, labels_base);
  int num_classes = (int) g_strv_length ((char **) class_names);

  gsize len = 0;
  g_autofree guint8 *raw = read_maybe_gzip (labels_path, &len, error);
  if (raw == NULL)
    return NULL;
  g_autoptr (AnDataset) ds = g_new0 (AnDataset, 1);
  int label_count = 0;
  if (!an_idx_parse_labels (raw, len, labels_path, num_classes, &label_count, &ds->labels, error))
    return NULL;
  g_clear_pointer (&raw, g_free);

  raw = read_maybe_gzip (images_path, &len, error);
  if (raw == NULL)
    return NULL;
  if (!an_idx_parse_images (raw, len, images_path, &ds->count, &ds->height, &ds->width,
                            &ds->pixels, error))
    return NULL;
  if (ds->count != label_count)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s has %d images but %s has %d labels",
                   images_path, ds->count, labels_path, label_count);
      return NULL;
    }
  ds->name = g_strdup (name);
  ds->channels = 1;
  ds->num_classes = num_classes;
  ds->class_names = g_strdupv ((char **) class_names);
  return g_steal_pointer (&ds);
}

AnDataset *
an_dataset_load (const char *spec, AnSplit split, int height, int width, GError **error)
{
  g_return_val_if_fail (spec != NULL, NULL);
  const char *colon = strchr (spec, ':');
  g_autofree char *kind = colon ? g_strndup (spec, colon - spec) : g_strdup (spec);
  const char *dir = colon ? colon + 1 : NULL;
  if (dir != NULL && *dir == '\0')
    dir = NULL;

  if (strcmp (kind, "fashion-mnist") == 0)
    return an_dataset_load_idx (dir ? dir : an_dataset_default_fashion_mnist_dir (),
                                "fashion-mnist", fashion_mnist_names, split, error);

  static const struct {
    const char *kind;
    int cifar; /* AnCifarKind, or -1 */
  } with_dir[] = {
    { "mnist", -1 },
    { "cifar10", AN_CIFAR_10 },
    { "cifar100", AN_CIFAR_100_FINE },
    { "cifar100-coarse", AN_CIFAR_100_COARSE },
    { "folder", -1 },
    { "packed", -1 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (with_dir); i++)
    {
      if (strcmp (kind, with_dir[i].kind) != 0)
        continue;
      if (dir == NULL)
        {
          gboolean file = strcmp (kind, "packed") == 0;
          g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                       "dataset \"%s\": %s needs a %s (%s:%s)", spec, kind,
                       file ? "file" : "directory", kind, file ? "FILE" : "DIR");
          return NULL;
        }
      if (strcmp (kind, "mnist") == 0)
        return an_dataset_load_idx (dir, "mnist", mnist_names, split, error);
      if (strcmp (kind, "folder") == 0)
        return an_dataset_load_folder (dir, split, height, width, error);
      if (strcmp (kind, "packed") == 0)
        return an_dataset_load_packed (dir, split, error);
      return an_dataset_load_cifar (dir, (AnCifarKind) with_dir[i].cifar, split, error);
    }
  g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
               "unknown dataset \"%s\" (fashion-mnist[:DIR], mnist:DIR, cifar10:DIR, "
               "cifar100:DIR, cifar100-coarse:DIR, folder:DIR or packed:FILE)", spec);
  return NULL;
}
