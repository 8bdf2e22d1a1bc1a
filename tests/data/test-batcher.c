/* test-batcher.c: the background batch pipeline: every image once per epoch, seeded order,
 * resume mid-epoch, flips, crops and PCA colour jitter checked against images and random
 * numbers computed here from the documented an-rng.h streams. */
#define G_LOG_DOMAIN "alexnet-test"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-config.h"
#include "an-rng.h"
#include "data-test-util.h"

enum { SEED = 1234 };

/* count images whose label is their index, so a batch tells which images it holds */
static AnDataset *
indexed_dataset (int count, int channels, int height, int width)
{
  AnDataset *ds = g_new0 (AnDataset, 1);
  ds->name = g_strdup ("indexed");
  ds->count = count;
  ds->channels = channels;
  ds->height = height;
  ds->width = width;
  ds->num_classes = count;
  ds->class_names = g_new0 (char *, count + 1);
  for (int i = 0; i < count; i++)
    ds->class_names[i] = g_strdup_printf ("%d", i);
  gsize size = (gsize) channels * height * width;
  ds->pixels = g_new (guint8, count * size);
  ds->labels = g_new (gint32, count);
  for (int i = 0; i < count; i++)
    {
      ds->labels[i] = i;
      for (int c = 0; c < channels; c++)
        for (int y = 0; y < height; y++)
          for (int x = 0; x < width; x++)
            ds->pixels[i * size + ((gsize) c * height + y) * width + x] =
              (guint8) (test_pattern (i, c, y, x) | 1); /* never 0: tells image from padding */
    }
  return ds;
}

static AnInputSpec
spec_for (const AnDataset *ds)
{
  AnInputSpec spec = { 0 };
  spec.channels = ds->channels;
  spec.height = ds->height;
  spec.width = ds->width;
  spec.normalize = AN_NORMALIZE_HALF;
  return spec;
}

/* The un-augmented input of image i. */
static float *
plain_input (const AnDataset *ds, const AnInputSpec *spec, int i)
{
  gsize size = (gsize) ds->channels * ds->height * ds->width;
  AnInputSpec plain = *spec;
  plain.flip = plain.crop = plain.pca = FALSE;
  float *x = g_new (float, (gsize) spec->channels * spec->height * spec->width);
  an_input_from_image (&plain, ds->pixels + i * size, ds->channels, ds->height, ds->width, x);
  return x;
}

static void
expected_order (int epoch, int n, int *order)
{
  for (int i = 0; i < n; i++)
    order[i] = i;
  for (int i = n - 1; i > 0; i--)
    {
      int j = (int) (an_rng_u64 (SEED, AN_RNG_STREAM (AN_RNG_SHUFFLE, 0, epoch), i) %
                     (guint64) (i + 1));
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
}

static void
test_every_image_once (void)
{
  enum { N = 37, BATCH = 8 };
  g_autoptr (AnDataset) ds = indexed_dataset (N, 1, 4, 5);
  AnInputSpec spec = spec_for (ds);
  gsize input = 20;
  AnBatcher *b = an_batcher_new (ds, NULL, N, &spec, BATCH, TRUE, SEED, 3, 2);
  g_assert_cmpint (an_batcher_batches_per_epoch (b), ==, 5);
  GHashTable *buffers = g_hash_table_new (NULL, NULL);
  int first_epoch[N];
  for (int epoch = 0; epoch < 3; epoch++)
    {
      int order[N], want[N], seen = 0;
      expected_order (epoch, N, want);
      an_batcher_start_epoch (b, epoch, 0);
      AnBatch *batch;
      while ((batch = an_batcher_next (b)) != NULL)
        {
          g_assert_cmpint (batch->epoch, ==, epoch);
          g_assert_cmpint (batch->index, ==, seen / BATCH);
          g_assert_cmpint (batch->n, ==, MIN (BATCH, N - seen));
          g_hash_table_add (buffers, batch->x);
          for (int k = 0; k < batch->n; k++)
            {
              int i = batch->labels[k];
              order[seen++] = i;
              g_autofree float *x = plain_input (ds, &spec, i);
              g_assert_cmpmem (batch->x + k * input, input * sizeof (float), x,
                               input * sizeof (float));
            }
          an_batcher_release (b, batch);
        }
      g_assert_cmpint (seen, ==, N);
      g_assert_cmpmem (order, sizeof order, want, sizeof want);
      if (epoch == 0)
        memcpy (first_epoch, order, sizeof order);
      else
        g_assert_true (memcmp (order, first_epoch, sizeof order) != 0);
    }
  /* the same depth buffers, over and over */
  g_assert_cmpuint (g_hash_table_size (buffers), <=, 3);
  g_hash_table_unref (buffers);
  an_batcher_free (b);
}

static void
test_eval_order (void)
{
  g_autoptr (AnDataset) ds = indexed_dataset (20, 3, 3, 3);
  AnInputSpec spec = spec_for (ds);
  spec.flip = spec.crop = spec.pca = TRUE; /* ignored when not training */
  spec.pca_std = 0.1f;
  spec.pca_eigval[0] = 1;
  spec.pca_eigvec[0][0] = 1;
  const int indices[7] = { 19, 3, 3, 0, 7, 11, 2 };
  AnBatcher *b = an_batcher_new (ds, indices, 7, &spec, 3, FALSE, SEED, 2, 2);
  for (int epoch = 0; epoch < 2; epoch++)
    {
      an_batcher_start_epoch (b, epoch, 0);
      int seen = 0;
      AnBatch *batch;
      while ((batch = an_batcher_next (b)) != NULL)
        {
          for (int k = 0; k < batch->n; k++, seen++)
            {
              g_assert_cmpint (batch->labels[k], ==, indices[seen]);
              g_autofree float *x = plain_input (ds, &spec, indices[seen]);
              g_assert_cmpmem (batch->x + k * 27, 27 * sizeof (float), x, 27 * sizeof (float));
            }
          an_batcher_release (b, batch);
        }
      g_assert_cmpint (seen, ==, 7);
    }
  an_batcher_free (b);
}

/* All batches of an epoch, flattened: x then labels. */
static GByteArray *
run_epoch (AnBatcher *b, int epoch, int start, gsize input)
{
  GByteArray *all = g_byte_array_new ();
  an_batcher_start_epoch (b, epoch, start);
  AnBatch *batch;
  while ((batch = an_batcher_next (b)) != NULL)
    {
      g_byte_array_append (all, (guint8 *) batch->x, batch->n * input * sizeof (float));
      g_byte_array_append (all, (guint8 *) batch->labels, batch->n * sizeof (gint32));
      an_batcher_release (b, batch);
    }
  return all;
}

static void
test_deterministic_and_resume (void)
{
  enum { N = 50, BATCH = 7 };
  g_autoptr (AnDataset) ds = indexed_dataset (N, 3, 6, 6);
  AnInputSpec spec = spec_for (ds);
  spec.flip = spec.crop = spec.pca = TRUE;
  spec.pca_std = 0.1f;
  for (int i = 0; i < 3; i++)
    {
      spec.pca_eigval[i] = 0.3f / (i + 1);
      spec.pca_eigvec[i][i] = 1;
    }
  gsize input = 3 * 36;
  gsize batch_bytes = BATCH * (input * sizeof (float) + sizeof (gint32));
  AnBatcher *a = an_batcher_new (ds, NULL, N, &spec, BATCH, TRUE, SEED, 2, 1);
  AnBatcher *b = an_batcher_new (ds, NULL, N, &spec, BATCH, TRUE, SEED, 4, 3);
  AnBatcher *other_seed = an_batcher_new (ds, NULL, N, &spec, BATCH, TRUE, SEED + 1, 2, 2);
  g_autoptr (GByteArray) a1 = run_epoch (a, 1, 0, input);
  g_autoptr (GByteArray) b1 = run_epoch (b, 1, 0, input);
  g_autoptr (GByteArray) o1 = run_epoch (other_seed, 1, 0, input);
  g_assert_cmpmem (a1->data, a1->len, b1->data, b1->len);
  g_assert_true (memcmp (a1->data, o1->data, a1->len) != 0);

  /* a run resumed at batch 3 of epoch 1 sees the rest of epoch 1 unchanged */
  g_autoptr (GByteArray) resumed = run_epoch (b, 1, 3, input);
  g_assert_cmpuint (resumed->len, ==, a1->len - 3 * batch_bytes);
  g_assert_cmpmem (resumed->data, resumed->len, a1->data + 3 * batch_bytes, resumed->len);

  /* restarting while batches are queued and one is held: the new epoch, from its start */
  an_batcher_start_epoch (a, 0, 0);
  AnBatch *held = an_batcher_next (a);
  g_assert_nonnull (held);
  g_usleep (1000);
  an_batcher_start_epoch (a, 1, 0);
  AnBatch *first = an_batcher_next (a);
  g_assert_cmpint (first->epoch, ==, 1);
  g_assert_cmpint (first->index, ==, 0);
  g_assert_cmpmem (first->x, BATCH * input * sizeof (float), a1->data,
                   BATCH * input * sizeof (float));
  an_batcher_release (a, held);
  an_batcher_release (a, first);

  an_batcher_free (a);
  an_batcher_free (b);
  an_batcher_free (other_seed);
}

static void
test_flip (void)
{
  enum { N = 40, H = 3, W = 5 };
  g_autoptr (AnDataset) ds = indexed_dataset (N, 3, H, W);
  AnInputSpec spec = spec_for (ds);
  spec.flip = TRUE;
  AnBatcher *b = an_batcher_new (ds, NULL, N, &spec, 16, TRUE, SEED, 2, 2);
  int flipped = 0;
  for (int epoch = 0; epoch < 2; epoch++)
    {
      an_batcher_start_epoch (b, epoch, 0);
      AnBatch *batch;
      while ((batch = an_batcher_next (b)) != NULL)
        {
          for (int k = 0; k < batch->n; k++)
            {
              int i = batch->labels[k];
              g_autofree float *x = plain_input (ds, &spec, i);
              gboolean want = an_rng_uniform (SEED, AN_RNG_STREAM (AN_RNG_AUGMENT, 0, epoch),
                                              4 * (guint64) i + 2) < 0.5f;
              const float *got = batch->x + k * 3 * H * W;
              for (int c = 0; c < 3; c++)
                for (int y = 0; y < H; y++)
                  for (int xx = 0; xx < W; xx++)
                    g_assert_cmpfloat (got[(c * H + y) * W + xx], ==,
                                       x[(c * H + y) * W + (want ? W - 1 - xx : xx)]);
              flipped += want;
            }
          an_batcher_release (b, batch);
        }
    }
  g_test_message ("flipped %d of %d (p = 0.5)", flipped, 2 * N);
  g_assert_cmpint (flipped, >, 20);
  g_assert_cmpint (flipped, <, 60);
  an_batcher_free (b);
}

static void
test_crop (void)
{
  enum { N = 30, H = 6, W = 7, PAD = 4 };
  g_autoptr (AnDataset) ds = indexed_dataset (N, 1, H, W);
  AnInputSpec spec = spec_for (ds);
  spec.crop = TRUE;
  AnBatcher *b = an_batcher_new (ds, NULL, N, &spec, 8, TRUE, SEED, 2, 2);
  an_batcher_start_epoch (b, 5, 0);
  AnBatch *batch;
  int offsets_seen[2 * PAD + 1] = { 0 };
  while ((batch = an_batcher_next (b)) != NULL)
    {
      for (int k = 0; k < batch->n; k++)
        {
          int i = batch->labels[k];
          g_autofree float *x = plain_input (ds, &spec, i);
          guint64 stream = AN_RNG_STREAM (AN_RNG_AUGMENT, 0, 5);
          int oy = (int) (an_rng_uniform (SEED, stream, 4 * (guint64) i) * (2 * PAD + 1));
          int ox = (int) (an_rng_uniform (SEED, stream, 4 * (guint64) i + 1) * (2 * PAD + 1));
          offsets_seen[ox]++;
          for (int y = 0; y < H; y++)
            for (int xx = 0; xx < W; xx++)
              {
                /* window (oy, ox) of the input padded by 4 with zeros (black: -1 normalised) */
                int sy = y + oy - PAD, sx = xx + ox - PAD;
                float want = sy >= 0 && sy < H && sx >= 0 && sx < W ? x[sy * W + sx] : -1.0f;
                g_assert_cmpfloat (batch->x[k * H * W + y * W + xx], ==, want);
              }
        }
      an_batcher_release (b, batch);
    }
  int distinct = 0;
  for (int o = 0; o <= 2 * PAD; o++)
    distinct += offsets_seen[o] > 0;
  g_assert_cmpint (distinct, >=, 5);
  an_batcher_free (b);
}

static void
test_pca (void)
{
  /* a known covariance: orthonormal eigenvectors (a rotation) and eigenvalues */
  enum { N = 400, H = 2, W = 2 };
  g_autoptr (AnDataset) ds = indexed_dataset (N, 3, H, W);
  AnInputSpec spec = spec_for (ds);
  spec.pca = TRUE;
  spec.pca_std = 0.1f;
  const float s = (float) G_SQRT2 / 2;
  const float vec[3][3] = { { s, s, 0 }, { -s, s, 0 }, { 0, 0, 1 } };
  const float val[3] = { 0.5f, 0.2f, 0.05f };
  memcpy (spec.pca_eigvec, vec, sizeof vec);
  memcpy (spec.pca_eigval, val, sizeof val);
  AnBatcher *b = an_batcher_new (ds, NULL, N, &spec, 64, TRUE, SEED, 2, 2);
  an_batcher_start_epoch (b, 2, 0);
  double worst = 0, sumsq[3] = { 0 };
  AnBatch *batch;
  while ((batch = an_batcher_next (b)) != NULL)
    {
      for (int k = 0; k < batch->n; k++)
        {
          int i = batch->labels[k];
          g_autofree float *x = plain_input (ds, &spec, i);
          double shift[3] = { 0 };
          for (int e = 0; e < 3; e++)
            {
              double alpha = 0.1 * an_rng_normal (SEED, AN_RNG_STREAM (AN_RNG_AUGMENT, 1, 2),
                                                  3 * (guint64) i + e);
              for (int c = 0; c < 3; c++)
                shift[c] += alpha * val[e] * vec[e][c];
            }
          /* the shift is in [0, 1] units; (x - 0.5) / 0.5 doubles it */
          double measured[3] = { 0 };
          for (int c = 0; c < 3; c++)
            for (int p = 0; p < H * W; p++)
              {
                double d = (batch->x[k * 3 * H * W + c * H * W + p] - x[c * H * W + p]) / 2.0;
                worst = MAX (worst, fabs (d - shift[c]));
                measured[c] += d / (H * W);
              }
          /* projected on eigenvector e, the shift is alpha_e * lambda_e */
          for (int e = 0; e < 3; e++)
            {
              double proj = 0;
              for (int c = 0; c < 3; c++)
                proj += measured[c] * vec[e][c];
              sumsq[e] += proj * proj / N;
            }
        }
      an_batcher_release (b, batch);
    }
  g_test_message ("PCA shift: max error %.3g (tolerance 1e-6)", worst);
  g_assert_cmpfloat (worst, <=, 1e-6);
  /* over 400 images the spread along p_e is pca_std * lambda_e, within 15% (sampling error
   * of a standard deviation from 400 normals is ~3.5%) */
  for (int e = 0; e < 3; e++)
    {
      double sd = sqrt (sumsq[e]), want = 0.1 * val[e];
      g_test_message ("PCA along p_%d: std %.5f, expected %.5f", e, sd, want);
      g_assert_cmpfloat (fabs (sd / want - 1), <, 0.15);
    }
  an_batcher_free (b);
}

static void
test_free_mid_epoch (void)
{
  g_autoptr (AnDataset) ds = indexed_dataset (64, 3, 24, 24);
  AnInputSpec spec = spec_for (ds);
  spec.height = spec.width = 96; /* resized: the producer is busy when we free */
  AnBatcher *never_started = an_batcher_new (ds, NULL, 64, &spec, 8, TRUE, SEED, 2, 2);
  an_batcher_free (never_started);

  for (int hold = 0; hold <= 1; hold++)
    {
      AnBatcher *b = an_batcher_new (ds, NULL, 64, &spec, 8, TRUE, SEED, 3, 2);
      an_batcher_start_epoch (b, 0, 0);
      AnBatch *batch = an_batcher_next (b);
      g_assert_nonnull (batch);
      if (!hold)
        an_batcher_release (b, batch);
      an_batcher_free (b);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/batcher/every-image-once", test_every_image_once);
  g_test_add_func ("/data/batcher/eval-order", test_eval_order);
  g_test_add_func ("/data/batcher/deterministic-and-resume", test_deterministic_and_resume);
  g_test_add_func ("/data/batcher/flip", test_flip);
  g_test_add_func ("/data/batcher/crop", test_crop);
  g_test_add_func ("/data/batcher/pca", test_pca);
  g_test_add_func ("/data/batcher/free-mid-epoch", test_free_mid_epoch);
  return g_test_run ();
}
