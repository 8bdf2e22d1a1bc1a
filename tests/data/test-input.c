/* test-input.c: images to model inputs (pad/resize rule, grey <-> RGB, normalisation), the
 * fitted statistics (mean, std, RGB covariance eigen-decomposition) and the seeded split.
 * Expected values come from direct double-precision computations written here. */
#define G_LOG_DOMAIN "alexnet-test"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-config.h"
#include "an-rng.h"
#include "data-test-util.h"

static AnInputSpec
make_spec (int channels, int height, int width, AnNormalize normalize)
{
  AnInputSpec spec = { 0 };
  spec.channels = channels;
  spec.height = height;
  spec.width = width;
  spec.normalize = normalize;
  return spec;
}

static void
test_pad_rule (void)
{
  g_assert_true (an_input_pads (28, 28, 32, 32));   /* 4 <= 28 / 4 */
  g_assert_true (an_input_pads (32, 32, 32, 32));
  g_assert_true (an_input_pads (28, 32, 32, 32));
  g_assert_false (an_input_pads (24, 24, 32, 32));  /* 8 > 6 */
  g_assert_false (an_input_pads (32, 32, 224, 224));
  g_assert_false (an_input_pads (33, 32, 32, 32));  /* larger: resized down */
  g_assert_false (an_input_pads (28, 28, 32, 40));  /* one side too far: resize both */
}

static void
test_pad_values (void)
{
  /* Fashion-MNIST 28x28 grey into 1x32x32, (x/255 - 0.5) / 0.5: border -1, image centred */
  guint8 pixels[28 * 28];
  for (int p = 0; p < 28 * 28; p++)
    pixels[p] = test_pattern (0, 0, p / 28, p % 28);
  AnInputSpec spec = make_spec (1, 32, 32, AN_NORMALIZE_HALF);
  float out[32 * 32];
  an_input_from_image (&spec, pixels, 1, 28, 28, out);
  double worst = 0;
  for (int y = 0; y < 32; y++)
    for (int x = 0; x < 32; x++)
      {
        gboolean inside = y >= 2 && y < 30 && x >= 2 && x < 30;
        double want = inside ? (pixels[(y - 2) * 28 + x - 2] / 255.0 - 0.5) / 0.5 : -1.0;
        worst = MAX (worst, fabs (out[y * 32 + x] - want));
      }
  g_test_message ("pad: max error %.3g (tolerance 1e-6)", worst);
  g_assert_cmpfloat (worst, <=, 1e-6);

  /* odd difference, 5 -> 6: the extra row and column go bottom and right */
  guint8 white[5 * 5];
  memset (white, 255, sizeof white);
  AnInputSpec odd = make_spec (1, 6, 6, AN_NORMALIZE_HALF);
  float small[36];
  an_input_from_image (&odd, white, 1, 5, 5, small);
  for (int y = 0; y < 6; y++)
    for (int x = 0; x < 6; x++)
      g_assert_cmpfloat (small[y * 6 + x], ==, y < 5 && x < 5 ? 1.0f : -1.0f);
}

/* Bilinear at half-pixel centres, straight from the definition, in double. */
static double
bilinear_ref (const guint8 *plane, int h, int w, int H, int W, int y, int x)
{
  double sy = MAX ((y + 0.5) * h / H - 0.5, 0.0), sx = MAX ((x + 0.5) * w / W - 0.5, 0.0);
  int y0 = MIN ((int) floor (sy), h - 1), x0 = MIN ((int) floor (sx), w - 1);
  int y1 = MIN (y0 + 1, h - 1), x1 = MIN (x0 + 1, w - 1);
  double fy = sy - y0, fx = sx - x0;
  return (1 - fy) * ((1 - fx) * plane[y0 * w + x0] + fx * plane[y0 * w + x1]) +
         fy * ((1 - fx) * plane[y1 * w + x0] + fx * plane[y1 * w + x1]);
}

static void
test_resize_and_channels (void)
{
  /* 3x5x7 RGB to 3x16x12 (resize), and to 1x16x12 (luma) */
  enum { h = 5, w = 7, H = 16, W = 12 };
  guint8 pixels[3 * h * w];
  for (int c = 0; c < 3; c++)
    for (int p = 0; p < h * w; p++)
      pixels[c * h * w + p] = test_pattern (4, c, p / w, p % w);
  AnInputSpec rgb = make_spec (3, H, W, AN_NORMALIZE_HALF);
  float out[3 * H * W];
  an_input_from_image (&rgb, pixels, 3, h, w, out);
  double worst = 0;
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++)
        {
          double v = bilinear_ref (pixels + c * h * w, h, w, H, W, y, x) / 255.0;
          worst = MAX (worst, fabs (out[(c * H + y) * W + x] - (v - 0.5) / 0.5));
        }
  g_test_message ("resize RGB: max error %.3g (tolerance 1e-5)", worst);
  g_assert_cmpfloat (worst, <=, 1e-5);

  AnInputSpec grey = make_spec (1, H, W, AN_NORMALIZE_HALF);
  float g[H * W];
  an_input_from_image (&grey, pixels, 3, h, w, g);
  worst = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        double v = (0.299 * bilinear_ref (pixels, h, w, H, W, y, x) +
                    0.587 * bilinear_ref (pixels + h * w, h, w, H, W, y, x) +
                    0.114 * bilinear_ref (pixels + 2 * h * w, h, w, H, W, y, x)) / 255.0;
        worst = MAX (worst, fabs (g[y * W + x] - (v - 0.5) / 0.5));
      }
  g_test_message ("resize RGB -> grey: max error %.3g (tolerance 1e-5)", worst);
  g_assert_cmpfloat (worst, <=, 1e-5);

  /* grey to RGB at the same size: three equal planes */
  AnInputSpec three = make_spec (3, h, w, AN_NORMALIZE_HALF);
  float rep[3 * h * w];
  an_input_from_image (&three, pixels, 1, h, w, rep);
  for (int p = 0; p < h * w; p++)
    for (int c = 0; c < 3; c++)
      g_assert_cmpfloat (fabs (rep[c * h * w + p] - (pixels[p] / 255.0 - 0.5) / 0.5), <=, 1e-6);
}

static void
test_normalize (void)
{
  guint8 pixels[3] = { 0, 255, 51 }; /* 1x1 RGB */
  AnInputSpec half = make_spec (3, 1, 1, AN_NORMALIZE_HALF);
  float out[3];
  an_input_from_image (&half, pixels, 3, 1, 1, out);
  g_assert_cmpfloat (fabs (out[0] - -1.0), <=, 1e-6);
  g_assert_cmpfloat (fabs (out[1] - 1.0), <=, 1e-6);
  g_assert_cmpfloat (fabs (out[2] - -0.6), <=, 1e-6);

  AnInputSpec ms = make_spec (3, 1, 1, AN_NORMALIZE_MEAN_STD);
  const float mean[3] = { 0.1f, 0.2f, 0.3f }, std[3] = { 0.5f, 0.25f, 2.0f };
  memcpy (ms.mean, mean, sizeof mean);
  memcpy (ms.std, std, sizeof std);
  an_input_from_image (&ms, pixels, 3, 1, 1, out);
  const double want[3] = { (0.0 - 0.1) / 0.5, (1.0 - 0.2) / 0.25, (0.2 - 0.3) / 2.0 };
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat (fabs (out[c] - want[c]), <=, 1e-6);
}

static AnDataset *
pattern_dataset (int count, int channels, int height, int width)
{
  AnDataset *ds = g_new0 (AnDataset, 1);
  ds->name = g_strdup ("pattern");
  ds->count = count;
  ds->channels = channels;
  ds->height = height;
  ds->width = width;
  ds->num_classes = 3;
  ds->class_names = g_strsplit ("a b c", " ", -1);
  ds->pixels = g_new (guint8, (gsize) count * channels * height * width);
  ds->labels = g_new (gint32, count);
  gsize plane = (gsize) height * width;
  for (int i = 0; i < count; i++)
    {
      ds->labels[i] = i % 3;
      for (int c = 0; c < channels; c++)
        for (int y = 0; y < height; y++)
          for (int x = 0; x < width; x++)
            /* colour channels correlated so the covariance has a clear first component */
            ds->pixels[((gsize) i * channels + c) * plane + y * width + x] =
              (guint8) ((test_pattern (i, 0, y, x) * (c + 2) / 4 + test_pattern (i, c, x, y) / 4) & 0xff);
    }
  return ds;
}

static void
test_fit (void)
{
  enum { N = 6, H = 5, W = 4 };
  g_autoptr (AnDataset) ds = pattern_dataset (N, 3, H, W);
  const int indices[4] = { 5, 1, 2, 4 };
  AnInputSpec spec = make_spec (3, H, W, AN_NORMALIZE_MEAN_STD);
  an_input_spec_fit (&spec, ds, indices, 4);

  /* two-pass statistics over the chosen images, in double */
  double mean[3] = { 0 }, cov[3][3] = { { 0 } };
  int total = 4 * H * W;
  for (int k = 0; k < 4; k++)
    for (int p = 0; p < H * W; p++)
      for (int c = 0; c < 3; c++)
        mean[c] += ds->pixels[(indices[k] * 3 + c) * H * W + p] / 255.0 / total;
  for (int k = 0; k < 4; k++)
    for (int p = 0; p < H * W; p++)
      for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
          cov[a][b] += (ds->pixels[(indices[k] * 3 + a) * H * W + p] / 255.0 - mean[a]) *
                       (ds->pixels[(indices[k] * 3 + b) * H * W + p] / 255.0 - mean[b]) / total;
  double worst = 0;
  for (int c = 0; c < 3; c++)
    {
      worst = MAX (worst, fabs (spec.mean[c] - mean[c]));
      worst = MAX (worst, fabs (spec.std[c] - sqrt (cov[c][c])));
    }
  g_test_message ("fit mean/std: max error %.3g (tolerance 1e-5)", worst);
  g_assert_cmpfloat (worst, <=, 1e-5);

  /* eigenpairs: cov v = lambda v, unit and orthogonal, in descending order, trace preserved */
  double residual = 0, ortho = 0;
  for (int i = 0; i < 3; i++)
    {
      for (int a = 0; a < 3; a++)
        {
          double cv = 0;
          for (int b = 0; b < 3; b++)
            cv += cov[a][b] * spec.pca_eigvec[i][b];
          residual = MAX (residual, fabs (cv - spec.pca_eigval[i] * spec.pca_eigvec[i][a]));
        }
      for (int j = 0; j < 3; j++)
        {
          double dot = 0;
          for (int a = 0; a < 3; a++)
            dot += spec.pca_eigvec[i][a] * spec.pca_eigvec[j][a];
          ortho = MAX (ortho, fabs (dot - (i == j)));
        }
    }
  g_test_message ("eigen: residual %.3g, orthonormality %.3g (tolerance 1e-5); eigenvalues "
                  "%.5f %.5f %.5f", residual, ortho, spec.pca_eigval[0], spec.pca_eigval[1],
                  spec.pca_eigval[2]);
  g_assert_cmpfloat (residual, <=, 1e-5);
  g_assert_cmpfloat (ortho, <=, 1e-5);
  g_assert_cmpfloat (spec.pca_eigval[0], >=, spec.pca_eigval[1]);
  g_assert_cmpfloat (spec.pca_eigval[1], >=, spec.pca_eigval[2]);
  g_assert_cmpfloat (spec.pca_eigval[2], >=, 0);
  g_assert_cmpfloat (fabs (spec.pca_eigval[0] + spec.pca_eigval[1] + spec.pca_eigval[2] -
                           (cov[0][0] + cov[1][1] + cov[2][2])), <=, 1e-5);
}

static void
test_fit_padded_grey (void)
{
  /* the statistics are those of the converted input: 2x2 grey ones padded into 3x3 */
  AnDataset ds = { 0 };
  guint8 pixels[4] = { 255, 255, 255, 255 };
  ds.count = 1;
  ds.channels = 1;
  ds.height = ds.width = 2;
  ds.pixels = pixels;
  AnInputSpec spec = make_spec (1, 2, 3, AN_NORMALIZE_MEAN_STD);
  /* 2x2 -> 2x3: one zero column (1 <= 2 / 4 fails: 1 > 0), so it is resized, all ones */
  an_input_spec_fit (&spec, &ds, NULL, 1);
  g_assert_cmpfloat (fabs (spec.mean[0] - 1.0), <=, 1e-6);
  g_assert_cmpfloat (spec.std[0], ==, 1.0f); /* constant: only centred */
  guint8 big[16 * 16];
  memset (big, 255, sizeof big);
  ds.height = ds.width = 16;
  ds.pixels = big;
  AnInputSpec padded = make_spec (1, 20, 20, AN_NORMALIZE_MEAN_STD);
  an_input_spec_fit (&padded, &ds, NULL, 1);
  double m = 256.0 / 400.0, var = m - m * m;
  g_assert_cmpfloat (fabs (padded.mean[0] - m), <=, 1e-6);
  g_assert_cmpfloat (fabs (padded.std[0] - sqrt (var)), <=, 1e-6);
  g_assert_cmpfloat (fabs (padded.pca_eigval[0] - var), <=, 1e-6);
  g_assert_cmpfloat (padded.pca_eigvec[0][0], ==, 1.0f);
}

static void
test_split (void)
{
  enum { N = 1000 };
  g_autofree int *a = g_new (int, N);
  g_autofree int *b = g_new (int, N);
  g_autofree int *c = g_new (int, N);
  g_autofree guint8 *seen = g_new0 (guint8, N);
  an_split_indices (42, N, a);
  an_split_indices (42, N, b);
  an_split_indices (43, N, c);
  int fixed = 0, same_as_other_seed = 0;
  for (int i = 0; i < N; i++)
    {
      g_assert_cmpint (a[i], >=, 0);
      g_assert_cmpint (a[i], <, N);
      g_assert_cmpuint (seen[a[i]]++, ==, 0);
      g_assert_cmpint (a[i], ==, b[i]);
      fixed += a[i] == i;
      same_as_other_seed += a[i] == c[i];
    }
  /* a random permutation has ~1 fixed point; two seeds agree on ~1 position */
  g_test_message ("split: %d fixed points, %d positions shared with seed 43", fixed,
                  same_as_other_seed);
  g_assert_cmpint (fixed, <, 10);
  g_assert_cmpint (same_as_other_seed, <, 10);

  /* the same Fisher-Yates, written out here from the an-rng.h contract */
  int want[N];
  for (int i = 0; i < N; i++)
    want[i] = i;
  for (int i = N - 1; i > 0; i--)
    {
      int j = (int) (an_rng_u64 (42, AN_RNG_STREAM (AN_RNG_SPLIT, 0, 0), i) % (guint64) (i + 1));
      int t = want[i];
      want[i] = want[j];
      want[j] = t;
    }
  g_assert_cmpmem (a, N * sizeof (int), want, sizeof want);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/input/pad-rule", test_pad_rule);
  g_test_add_func ("/data/input/pad-values", test_pad_values);
  g_test_add_func ("/data/input/resize-and-channels", test_resize_and_channels);
  g_test_add_func ("/data/input/normalize", test_normalize);
  g_test_add_func ("/data/input/fit", test_fit);
  g_test_add_func ("/data/input/fit-padded-grey", test_fit_padded_grey);
  g_test_add_func ("/data/input/split", test_split);
  return g_test_run ();
}
