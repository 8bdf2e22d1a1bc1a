/* an-folder.c: "folder:DIR" datasets, one sub-folder of PNG/JPEG images per class.
 * Classes are the sub-folders sorted by name (byte order), images sorted by file name.
 * DIR/train and DIR/test, when both exist, hold the two splits; otherwise DIR is the training
 * split and there is no test split. Images are resized to one size (or, square > 0, their
 * shorter side to square and the centre square x square kept); any colour image makes the
 * whole dataset RGB.
 */
#define G_LOG_DOMAIN "alexnet-data"
#include "config.h"

#include <string.h>

#include "an-dataset-private.h"
#include "an-error.h"
#include "an-pipeline.h"

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The entries of dir (no hidden ones) that are directories (want_dirs) or image files,
 * sorted by name. */
static GPtrArray *
list_sorted (const char *dir, gboolean want_dirs, GError **error)
{
  GError *local = NULL;
  GDir *d = g_dir_open (dir, 0, &local);
  if (d == NULL)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "%s", local->message);
      g_error_free (local);
      return NULL;
    }
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (name[0] == '.')
        continue;
      g_autofree char *path = g_build_filename (dir, name, NULL);
      gboolean is_dir = g_file_test (path, G_FILE_TEST_IS_DIR);
      if (want_dirs ? is_dir : (!is_dir && an_image_name_supported (name)))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_dir_close (d);
  g_ptr_array_sort (names, compare_names);
  return names;
}

AnDataset *
an_dataset_load_folder (const char *dir, AnSplit split, int height, int width, int square,
                        GError **error)
{
  if (square > 0)
    height = width = square;
  g_autofree char *train_dir = g_build_filename (dir, "train", NULL);
  g_autofree char *test_dir = g_build_filename (dir, "test", NULL);
  gboolean has_splits = g_file_test (train_dir, G_FILE_TEST_IS_DIR) &&
                        g_file_test (test_dir, G_FILE_TEST_IS_DIR);
  const char *root = dir;
  if (has_splits)
    root = split == AN_SPLIT_TEST ? test_dir : train_dir;
  else if (split == AN_SPLIT_TEST)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_IO,
                   "%s: no test split (a folder dataset with one needs train/ and test/ "
                   "sub-folders)", dir);
      return NULL;
    }

  g_autoptr (GPtrArray) classes = list_sorted (root, TRUE, error);
  if (classes == NULL)
    return NULL;
  if (classes->len == 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: no class sub-folders", root);
      return NULL;
    }

  g_autoptr (GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) an_image_free);
  g_autoptr (GArray) labels = g_array_new (FALSE, FALSE, sizeof (gint32));
  int channels = 1;
  for (guint k = 0; k < classes->len; k++)
    {
      g_autofree char *class_dir = g_build_filename (root, classes->pdata[k], NULL);
      g_autoptr (GPtrArray) files = list_sorted (class_dir, FALSE, error);
      if (files == NULL)
        return NULL;
      if (files->len == 0)
        {
          g_autofree char *formats = an_image_formats ();
          g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                       "%s: empty class folder (no image files: %s)", class_dir, formats);
          return NULL;
        }
      for (guint i = 0; i < files->len; i++)
        {
          g_autofree char *path = g_build_filename (class_dir, files->pdata[i], NULL);
          AnImage *img = an_image_load (path, error);
          if (img == NULL)
            return NULL;
          if (height <= 0 || width <= 0)
            {
              height = img->height;
              width = img->width;
            }
          if (img->height != height || img->width != width)
            {
              AnImage *resized = square > 0 ? an_pipeline_square (img, square)
                                            : an_image_resize (img, height, width);
              an_image_free (img);
              img = resized;
            }
          channels = MAX (channels, img->channels);
          gint32 label = (gint32) k;
          g_ptr_array_add (images, img);
          g_array_append_val (labels, label);
        }
    }
  if (images->len > G_MAXINT || (guint64) images->len * 3 * height * width > G_MAXSIZE / 2)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: too many images", root);
      return NULL;
    }

  g_autoptr (AnDataset) ds = g_new0 (AnDataset, 1);
  g_autofree char *base = g_path_get_basename (dir);
  ds->name = g_strconcat ("folder:", base, NULL);
  ds->count = (int) images->len;
  ds->channels = channels;
  ds->height = height;
  ds->width = width;
  ds->num_classes = (int) classes->len;
  g_ptr_array_add (classes, NULL);
  ds->class_names = g_strdupv ((char **) classes->pdata);
  gsize plane = (gsize) height * width;
  ds->pixels = g_try_malloc ((gsize) ds->count * channels * plane);
  if (ds->pixels == NULL)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_NO_MEMORY, "%s: out of memory for %d images", root,
                   ds->count);
      return NULL;
    }
  for (int i = 0; i < ds->count; i++)
    {
      const AnImage *img = images->pdata[i];
      guint8 *dst = ds->pixels + (gsize) i * channels * plane;
      /* grey images in an RGB dataset: the grey plane three times */
      for (int c = 0; c < channels; c++)
        memcpy (dst + c * plane, img->pixels + (img->channels == 1 ? 0 : c) * plane, plane);
      g_clear_pointer (&images->pdata[i], an_image_free);
    }
  ds->labels = (gint32 *) g_array_free (g_steal_pointer (&labels), FALSE);
  return g_steal_pointer (&ds);
}
