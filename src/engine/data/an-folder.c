/* an-folder.c: "folder:DIR" datasets, one sub-folder of images per class, as an index.
 * Classes are the sub-folders sorted by name (byte order), images sorted by file name.
 * DIR/train and DIR/test, when both exist, hold the two splits; otherwise DIR is the training
 * split and there is no test split. Indexing lists the folders (no image is opened but the
 * first of each class, at 1/8 scale, for the colour); images are decoded when a batch needs
 * them, at their own size. The first image of any class in colour makes the dataset RGB.
 */
#define G_LOG_DOMAIN "alexnet-data"
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "an-dataset-private.h"
#include "an-error.h"

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The entries of dir (no hidden ones) that are directories (want_dirs) or image files,
 * sorted by name. The entry's type comes from the directory listing when the file system
 * gives it, so a class folder of 10^6 files is listed without a stat per file. */
static GPtrArray *
list_sorted (const char *dir, gboolean want_dirs, GError **error)
{
  DIR *d = opendir (dir);
  if (d == NULL)
    {
      int err = errno;
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "%s: cannot open the folder: %s", dir,
                   g_strerror (err));
      return NULL;
    }
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  struct dirent *e;
  while ((e = readdir (d)) != NULL)
    {
      const char *name = e->d_name;
      if (name[0] == '.')
        continue;
      if (!want_dirs && !an_image_name_supported (name))
        continue;
      gboolean is_dir;
      if (e->d_type == DT_DIR)
        is_dir = TRUE;
      else if (e->d_type == DT_REG)
        is_dir = FALSE;
      else
        {
          /* unknown type or a symbolic link: follow it */
          g_autofree char *path = g_build_filename (dir, name, NULL);
          is_dir = g_file_test (path, G_FILE_TEST_IS_DIR);
        }
      if (want_dirs == is_dir)
        g_ptr_array_add (names, g_strdup (name));
    }
  closedir (d);
  g_ptr_array_sort (names, compare_names);
  return names;
}

const char *
an_folder_split_root (const char *dir, AnSplit split, char **owned, GError **error)
{
  g_autofree char *train_dir = g_build_filename (dir, "train", NULL);
  g_autofree char *test_dir = g_build_filename (dir, "test", NULL);
  gboolean has_splits = g_file_test (train_dir, G_FILE_TEST_IS_DIR) &&
                        g_file_test (test_dir, G_FILE_TEST_IS_DIR);
  *owned = NULL;
  if (has_splits)
    return *owned = g_strdup (split == AN_SPLIT_TEST ? test_dir : train_dir);
  if (split == AN_SPLIT_TEST)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_IO,
                   "%s: no test split (a folder dataset with one needs train/ and test/ "
                   "sub-folders)", dir);
      return NULL;
    }
  return dir;
}

AnDataset *
an_dataset_index_folder (const char *dir, AnSplit split, int height, int width,
                         AnIndexProgress progress, gpointer progress_data,
                         GCancellable *cancellable, GError **error)
{
  g_autofree char *owned = NULL;
  const char *root = an_folder_split_root (dir, split, &owned, error);
  if (root == NULL)
    return NULL;

  g_autoptr (GPtrArray) classes = list_sorted (root, TRUE, error);
  if (classes == NULL)
    return NULL;
  if (classes->len == 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: no class sub-folders", root);
      return NULL;
    }

  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) labels = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autofree int *class_start = g_new0 (int, classes->len + 1);
  int channels = 1;
  for (guint k = 0; k < classes->len; k++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
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
      if (paths->len + files->len > G_MAXINT / 2)
        {
          g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: too many images", root);
          return NULL;
        }
      class_start[k] = (int) paths->len;
      for (guint i = 0; i < files->len; i++)
        {
          gint32 label = (gint32) k;
          g_ptr_array_add (paths, g_build_filename (class_dir, files->pdata[i], NULL));
          g_array_append_val (labels, label);
        }
      /* the colour of the class's first image (decoded small), and the nominal size from
       * the very first one when none was asked for */
      gboolean sized = height > 0 && width > 0;
      g_autoptr (AnImage) first =
        an_image_load_scaled (paths->pdata[class_start[k]], sized ? 1 : 0, error);
      if (first == NULL)
        return NULL;
      if (!sized)
        {
          height = first->height;
          width = first->width;
        }
      if (first->channels >= 3)
        channels = 3;
      if (progress)
        progress ((int) k + 1, (int) classes->len, (int) paths->len, progress_data);
    }
  class_start[classes->len] = (int) paths->len;

  g_autoptr (AnDataset) ds = g_new0 (AnDataset, 1);
  g_autofree char *base = g_path_get_basename (dir);
  ds->name = g_strconcat ("folder:", base, NULL);
  ds->count = (int) paths->len;
  ds->channels = channels;
  ds->height = height;
  ds->width = width;
  ds->num_classes = (int) classes->len;
  g_ptr_array_add (classes, NULL);
  ds->class_names = g_strdupv ((char **) classes->pdata);
  g_ptr_array_add (paths, NULL);
  ds->paths = (char **) g_ptr_array_free (g_steal_pointer (&paths), FALSE);
  ds->labels = (gint32 *) g_array_free (g_steal_pointer (&labels), FALSE);
  ds->class_start = g_steal_pointer (&class_start);
  return g_steal_pointer (&ds);
}

AnDataset *
an_dataset_load_folder (const char *dir, AnSplit split, int height, int width, GError **error)
{
  return an_dataset_index_folder (dir, split, height, width, NULL, NULL, NULL, error);
}
