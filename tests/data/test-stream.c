/* test-stream.c: folder datasets streamed through the batcher's worker pool. The test writes
 * a few hundred small images of different sizes (PNG and JPEG) and checks that:
 *   - batches are bit-identical with 1, 2 and 4 workers, augmentation on;
 *   - a batcher started mid-epoch gives the rest of the epoch an uninterrupted one gives;
 *   - each evaluation slot is the image decoded on its own (an_image_load_scaled, at the
 *     pipeline's DCT scale) and converted
 *     with an_input_from_image;
 *   - a file deleted and another truncated after indexing are each replaced by the next image
 *     of their class, counted and named, the epoch still full.
 */
#define G_LOG_DOMAIN "alexnet-test"
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "an-config.h"
#include "an-pipeline.h"
#include "data-test-util.h"

enum { SEED = 99, CLASSES = 3, PER_CLASS = 100, N = CLASSES * PER_CLASS, BATCH = 16 };
enum { H = 20, W = 24 };

static char *root;

static AnImage *
image_for (int i, int height, int width)
{
  AnImage *img = an_image_new (3, height, width);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < height; y++)
      for (int x = 0; x < width; x++)
        img->pixels[((gsize) c * height + y) * width + x] = test_pattern (i, c, y, x);
  return img;
}

/* PER_CLASS images per class, sizes 16..47 x 16..47, every fifth a JPEG. */
static void
write_folder (void)
{
  root = test_tmpdir ();
  for (int k = 0; k < CLASSES; k++)
    {
      g_autofree char *name = g_strdup_printf ("class%d", k);
      g_autofree char *dir = g_build_filename (root, name, NULL);
      g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
      for (int j = 0; j < PER_CLASS; j++)
        {
          int i = k * PER_CLASS + j;
          g_autoptr (AnImage) img = image_for (i, 16 + (i * 7) % 32, 16 + (i * 13) % 32);
          g_autofree char *file = g_strdup_printf ("%03d.%s", j, j % 5 == 0 ? "jpg" : "png");
          g_autofree char *path = g_build_filename (dir, file, NULL);
          GError *error = NULL;
          if (j % 5 == 0)
            test_write_jpeg (img, path, 90);
          else
            g_assert_true (an_image_save_png (img, path, &error));
          g_assert_no_error (error);
        }
    }
}

static AnDataset *
load (void)
{
  g_autofree char *spec = g_strconcat ("folder:", root, NULL);
  GError *error = NULL;
  AnDataset *ds = an_dataset_load (spec, AN_SPLIT_TRAIN, H, W, &error);
  g_assert_no_error (error);
  g_assert_null (ds->pixels);
  g_assert_cmpint (ds->count, ==, N);
  g_assert_cmpint (ds->channels, ==, 3);
  return ds;
}

static AnInputSpec
train_spec (void)
{
  AnInputSpec spec = { .channels = 3, .height = H, .width = W,
                       .normalize = AN_NORMALIZE_HALF, .flip = TRUE, .crop = TRUE,
                       .pca = TRUE, .pca_std = 0.1f };
  for (int i = 0; i < 3; i++)
    {
      spec.pca_eigval[i] = 0.2f / (i + 1);
      spec.pca_eigvec[i][i] = 1;
    }
  return spec;
}

/* Every batch of epoch from start_index on: x then labels, concatenated. */
static GByteArray *
run_epoch (AnBatcher *b, int epoch, int start_index)
{
  gsize input = 3 * H * W;
  GByteArray *out = g_byte_array_new ();
  an_batcher_start_epoch (b, epoch, start_index);
  AnBatch *batch;
  int index = start_index;
  while ((batch = an_batcher_next (b)) != NULL)
    {
      g_assert_cmpint (batch->epoch, ==, epoch);
      g_assert_cmpint (batch->index, ==, index++);
      g_byte_array_append (out, (const guint8 *) batch->x, batch->n * input * sizeof (float));
      g_byte_array_append (out, (const guint8 *) batch->labels, batch->n * sizeof (gint32));
      an_batcher_release (b, batch);
    }
  return out;
}

static void
test_workers_and_resume (void)
{
  g_autoptr (AnDataset) ds = load ();
  AnInputSpec spec = train_spec ();
  gsize batch_bytes = BATCH * (3 * H * W * sizeof (float) + sizeof (gint32));
  AnBatcher *one = an_batcher_new (ds, NULL, N, &spec, BATCH, TRUE, SEED, 3, 1);
  g_autoptr (GByteArray) ref = run_epoch (one, 2, 0);
  g_assert_cmpuint (ref->len, ==, N * (3 * H * W * sizeof (float) + sizeof (gint32)));
  for (int workers = 2; workers <= 4; workers += 2)
    {
      AnBatcher *many = an_batcher_new (ds, NULL, N, &spec, BATCH, TRUE, SEED, 3, workers);
      g_autoptr (GByteArray) got = run_epoch (many, 2, 0);
      g_test_message ("%d workers: %u bytes", workers, got->len);
      g_assert_cmpmem (got->data, got->len, ref->data, ref->len);
      /* resumed at batch 7 of epoch 2: the rest of the uninterrupted epoch */
      g_autoptr (GByteArray) resumed = run_epoch (many, 2, 7);
      g_assert_cmpmem (resumed->data, resumed->len, ref->data + 7 * batch_bytes,
                       ref->len - 7 * batch_bytes);
      an_batcher_free (many);
    }
  /* another epoch is another order and other augmentation */
  g_autoptr (GByteArray) next = run_epoch (one, 3, 0);
  g_assert_true (memcmp (next->data, ref->data, MIN (next->len, ref->len)) != 0);
  /* restarting while a batch is held and others are being filled */
  an_batcher_start_epoch (one, 0, 0);
  AnBatch *held = an_batcher_next (one);
  an_batcher_start_epoch (one, 2, 0);
  AnBatch *first = an_batcher_next (one);
  g_assert_cmpint (first->epoch, ==, 2);
  g_assert_cmpint (first->index, ==, 0);
  g_assert_cmpmem (first->x, BATCH * 3 * H * W * sizeof (float), ref->data,
                   BATCH * 3 * H * W * sizeof (float));
  an_batcher_release (one, held);
  an_batcher_release (one, first);
  an_batcher_free (one);
}

/* The evaluation input of file path, decoded on its own. */
static void
expected_input (const AnInputSpec *spec, const char *path, float *x)
{
  GError *error = NULL;
  g_autoptr (AnImage) img =
    an_image_load_scaled (path, an_pipeline_min_short_side (spec->pipeline, spec), &error);
  g_assert_no_error (error);
  an_input_from_image (spec, img->pixels, img->channels, img->height, img->width, x);
}

static void
test_eval_matches_files_and_bad_files (void)
{
  g_autoptr (AnDataset) ds = load ();
  AnInputSpec spec = train_spec ();
  spec.flip = spec.crop = spec.pca = FALSE;
  gsize input = 3 * H * W;
  g_autofree float *want = g_new (float, input);

  /* break two files after indexing: one deleted, one truncated to half */
  int deleted = 5, truncated = PER_CLASS + 10; /* both JPEGs */
  g_autofree char *deleted_path = g_strdup (ds->paths[deleted]);
  g_autofree char *truncated_path = g_strdup (ds->paths[truncated]);
  g_assert_cmpint (g_unlink (deleted_path), ==, 0);
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (truncated_path, &bytes, &len, NULL));
  test_write_file (truncated_path, bytes, len / 2);

  for (int workers = 1; workers <= 3; workers += 2)
    {
      AnBatcher *b = an_batcher_new (ds, NULL, N, &spec, BATCH, FALSE, SEED, 2, workers);
      an_batcher_start_epoch (b, 0, 0);
      AnBatch *batch;
      int seen = 0;
      while ((batch = an_batcher_next (b)) != NULL)
        {
          for (int k = 0; k < batch->n; k++)
            {
              int i = batch->index * BATCH + k; /* evaluation: dataset order */
              int source = i == deleted || i == truncated ? i + 1 : i;
              g_assert_cmpint (batch->labels[k], ==, i / PER_CLASS);
              expected_input (&spec, ds->paths[source], want);
              g_assert_cmpmem (batch->x + k * input, input * sizeof (float), want,
                               input * sizeof (float));
            }
          seen += batch->n;
          an_batcher_release (b, batch);
        }
      g_assert_cmpint (seen, ==, N);
      g_assert_cmpint (an_batcher_epoch_failures (b), ==, 2);
      g_auto (GStrv) failures = an_batcher_take_failures (b);
      g_assert_nonnull (failures);
      g_assert_cmpuint (g_strv_length (failures), ==, 2);
      g_autofree char *all = g_strjoinv ("\n", failures);
      g_test_message ("%s", all);
      g_assert_nonnull (strstr (all, deleted_path));
      g_assert_nonnull (strstr (all, truncated_path));
      g_assert_null (an_batcher_take_failures (b));
      an_batcher_free (b);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  write_folder ();
  g_test_add_func ("/data/stream/workers-and-resume", test_workers_and_resume);
  g_test_add_func ("/data/stream/eval-and-bad-files", test_eval_matches_files_and_bad_files);
  int rc = g_test_run ();
  test_rmdir (root);
  return rc;
}
