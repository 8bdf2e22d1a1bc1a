/* test-pipeline.c: the input pipelines by name (an-pipeline.h). Crop positions against
 * tests/golden/pipeline.txt (torchvision's own crop code fed the app's random numbers, written
 * by tools/pipeline_golden.py); crop contents against images whose pixel values are their own
 * coordinates; which pipeline auto picks; the smallest decode size; the window of the resize
 * computed alone giving the numbers of the whole. */
#define G_LOG_DOMAIN "alexnet-test"
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "an-config.h"
#include "an-dataset-private.h"
#include "an-pipeline.h"

static AnPipeline
pipeline_by_name (const char *name)
{
  for (int k = 0; an_pipeline_names[k]; k++)
    if (g_str_equal (an_pipeline_names[k], name))
      return k;
  g_error ("unknown pipeline %s", name);
}

static AnInputSpec
spec_of (int channels, int H, int W)
{
  AnInputSpec spec = { 0 };
  spec.channels = channels;
  spec.height = H;
  spec.width = W;
  spec.normalize = AN_NORMALIZE_HALF;
  spec.flip = spec.crop = TRUE;
  return spec;
}

static void
test_golden_geometry (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("AN_SOURCE_DIR"), "tests", "golden",
                                            "pipeline.txt", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  int checked = 0, per_pipeline[4] = { 0 }, fallbacks = 0;
  for (int i = 0; lines[i]; i++)
    {
      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      char name[32];
      int H, W, h, w, train, view, epoch, image, e[7];
      guint64 seed;
      int n = sscanf (lines[i], "%31s %d %d %d %d %d %d %" G_GUINT64_FORMAT " %d %d -> %d %d %d %d %d %d %d",
                      name, &H, &W, &h, &w, &train, &view, &seed, &epoch, &image, &e[0], &e[1],
                      &e[2], &e[3], &e[4], &e[5], &e[6]);
      g_assert_cmpint (n, ==, 17);
      AnPipeline p = pipeline_by_name (name);
      AnInputSpec spec = spec_of (3, H, W);
      AnPipelineGeometry g;
      an_pipeline_geometry (p, &spec, h, w, train, seed, epoch, image, view, &g);
      int got[7] = { g.base_h, g.base_w, g.y, g.x, g.crop_h, g.crop_w, g.flip };
      for (int k = 0; k < 7; k++)
        if (got[k] != e[k])
          g_error ("%s: field %d is %d, torchvision's %d", lines[i], k, got[k], e[k]);
      /* every crop lies in its image, but for pad-crop's border */
      if (p != AN_PIPELINE_PAD_CROP)
        {
          g_assert_true (g.y >= 0 && g.x >= 0);
          g_assert_cmpint (g.y + g.crop_h, <=, g.base_h);
          g_assert_cmpint (g.x + g.crop_w, <=, g.base_w);
        }
      if (p == AN_PIPELINE_TORCHVISION && train && h == 40 && w == 1000)
        fallbacks++;
      per_pipeline[p]++;
      checked++;
    }
  g_assert_cmpint (checked, >, 500);
  g_assert_cmpint (per_pipeline[AN_PIPELINE_PAD_CROP], >, 50);
  g_assert_cmpint (per_pipeline[AN_PIPELINE_PAPER], >, 200);
  g_assert_cmpint (per_pipeline[AN_PIPELINE_TORCHVISION], >, 200);
  g_assert_cmpint (fallbacks, >, 0);
  g_test_message ("%d crop positions as torchvision's", checked);
}

/* an RGB image whose red is its x - x0 (clamped), green its y - y0, blue 77 */
static guint8 *
coordinate_image (int h, int w, int x0, int y0)
{
  guint8 *px = g_new (guint8, (gsize) 3 * h * w);
  gsize plane = (gsize) h * w;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        px[(gsize) y * w + x] = (guint8) CLAMP (x - x0, 0, 255);
        px[plane + (gsize) y * w + x] = (guint8) CLAMP (y - y0, 0, 255);
        px[2 * plane + (gsize) y * w + x] = 77;
      }
  return px;
}

/* the 8-bit value behind a (x - 0.5) / 0.5 normalised input */
static double
level (const float *out, int c, int H, int W, int y, int x)
{
  return (out[((gsize) c * H + y) * W + x] + 1.0) / 2.0 * 255.0;
}

/* paper: an image of 256x300 is not resized; its centre square starts at x = 22, where the red
 * values start at 0, so every output pixel names the source pixel it came from */
static void
test_paper_content (void)
{
  int h = 256, w = 300, H = 227, W = 227;
  g_autofree guint8 *px = coordinate_image (h, w, 22, 0);
  AnInputSpec spec = spec_of (3, H, W);
  g_autofree float *out = g_new (float, 3 * H * W);
  int flips = 0, moves = 0;
  for (int round = 0; round < 20 + AN_PIPELINE_VIEWS; round++)
    {
      gboolean train = round < 20;
      int view = train ? 0 : round - 20, epoch = round % 3, image = round * 7;
      AnPipelineGeometry g;
      an_pipeline_geometry (AN_PIPELINE_PAPER, &spec, h, w, train, 9, epoch, image, view, &g);
      an_pipeline_sample (AN_PIPELINE_PAPER, &spec, px, 3, h, w, train, 9, epoch, image, view,
                          out);
      g_assert_cmpint (g.base_h, ==, 256);
      g_assert_cmpint (g.base_w, ==, 300);
      flips += g.flip;
      moves += g.y != 14 || g.x != 22 + 14;
      for (int y = 0; y < H; y += 7)
        for (int x = 0; x < W; x += 5)
          {
            int sx = g.x + (g.flip ? W - 1 - x : x), sy = g.y + y;
            g_assert_cmpfloat (fabs (level (out, 0, H, W, y, x) - (sx - 22)), <, 1e-3);
            g_assert_cmpfloat (fabs (level (out, 1, H, W, y, x) - sy), <, 1e-3);
            g_assert_cmpfloat (fabs (level (out, 2, H, W, y, x) - 77), <, 1e-3);
          }
      if (!train && view == AN_PIPELINE_VIEW_CENTRE)
        g_assert_true (g.y == 14 && g.x == 22 + 14 && !g.flip);
    }
  g_assert_cmpint (flips, >, 5);
  g_assert_cmpint (moves, >, 15);
}

/* Sample i of n taken from a ramp 0, 1, ... of m samples by the documented resampler
 * (docs/DATA.md): a triangle stretched by the shrink factor at half-pixel centres. */
static double
resampled_ramp (int i, int m, int n)
{
  double scale = (double) m / n, stretch = MAX (scale, 1.0), c = (i + 0.5) * scale;
  double sum = 0, wsum = 0;
  for (int j = 0; j < m; j++)
    {
      double t = fabs ((j + 0.5 - c) / stretch), wt = t < 1 ? 1 - t : 0;
      sum += wt * j;
      wsum += wt;
    }
  return sum / wsum;
}

/* torchvision: a random resized crop of a coordinate image is that image's window resampled:
 * each output pixel is the resampled ramp of the crop, offset by the crop's corner */
static void
test_torchvision_content (void)
{
  int h = 256, w = 256, H = 224, W = 224;
  g_autofree guint8 *px = coordinate_image (h, w, 0, 0);
  AnInputSpec spec = spec_of (3, H, W);
  g_autofree float *out = g_new (float, 3 * H * W);
  gboolean saw_small = FALSE, saw_wide = FALSE;
  for (int image = 0; image < 12; image++)
    {
      AnPipelineGeometry g;
      an_pipeline_geometry (AN_PIPELINE_TORCHVISION, &spec, h, w, TRUE, 5, 1, image, 0, &g);
      an_pipeline_sample (AN_PIPELINE_TORCHVISION, &spec, px, 3, h, w, TRUE, 5, 1, image, 0, out);
      g_assert_true (g.base_h == h && g.base_w == w);
      saw_small |= g.crop_h < H / 2;
      saw_wide |= g.crop_w > g.crop_h * 1.1;
      for (int y = 0; y < H; y += 9)
        for (int x = 0; x < W; x += 9)
          {
            int ox = g.flip ? W - 1 - x : x;
            double ex = g.x + resampled_ramp (ox, g.crop_w, W);
            double ey = g.y + resampled_ramp (y, g.crop_h, H);
            g_assert_cmpfloat (fabs (level (out, 0, H, W, y, x) - ex), <, 0.01);
            g_assert_cmpfloat (fabs (level (out, 1, H, W, y, x) - ey), <, 0.01);
          }
    }
  g_assert_true (saw_small);
  g_assert_true (saw_wide);
}

/* torchvision's evaluation and paper's views of a 512x600 image: resized to 256x300 (its
 * 2x2 blocks are flat and ramp up by one, so halving it keeps the ramp but within a quarter
 * level at its ends), then cropped */
static void
test_resized_views (void)
{
  int h = 512, w = 600, H = 224, W = 224;
  g_autofree guint8 *px = g_new (guint8, (gsize) 3 * h * w);
  gsize plane = (gsize) h * w;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        px[(gsize) y * w + x] = (guint8) CLAMP (x / 2 - 22, 0, 255);
        px[plane + (gsize) y * w + x] = (guint8) (y / 2);
        px[2 * plane + (gsize) y * w + x] = 9;
      }
  AnInputSpec spec = spec_of (3, H, W);
  g_autofree float *out = g_new (float, 3 * H * W);
  AnPipeline ps[] = { AN_PIPELINE_PAPER, AN_PIPELINE_TORCHVISION };
  for (int k = 0; k < 2; k++)
    for (int view = 0; view < AN_PIPELINE_VIEWS; view++)
      {
        AnPipelineGeometry g;
        an_pipeline_geometry (ps[k], &spec, h, w, FALSE, 1, 0, 0, view, &g);
        an_pipeline_sample (ps[k], &spec, px, 3, h, w, FALSE, 1, 0, 0, view, out);
        g_assert_true (g.base_h == 256 && g.base_w == 300);
        for (int y = 0; y < H; y += 11)
          for (int x = 0; x < W; x += 11)
            {
              int sx = g.x + (g.flip ? W - 1 - x : x), sy = g.y + y;
              g_assert_cmpfloat (fabs (level (out, 0, H, W, y, x) - CLAMP (sx - 22, 0, 255)), <, 0.25);
              g_assert_cmpfloat (fabs (level (out, 1, H, W, y, x) - sy), <, 0.25);
            }
      }
}

/* pad-crop through the pipeline: the batcher's behaviour (black border when training, edge
 * values for the ten views) */
static void
test_pad_crop_content (void)
{
  int h = 32, w = 32;
  g_autofree guint8 *px = coordinate_image (h, w, -1, -1); /* values 1..32: never black */
  AnInputSpec spec = spec_of (3, 32, 32);
  float out[3 * 32 * 32];
  for (int round = 0; round < 30; round++)
    {
      gboolean train = round < 20;
      int view = round % 10;
      AnPipelineGeometry g;
      an_pipeline_geometry (AN_PIPELINE_PAD_CROP, &spec, h, w, train, 3, 0, round, view, &g);
      an_pipeline_sample (AN_PIPELINE_PAD_CROP, &spec, px, 3, h, w, train, 3, 0, round, view, out);
      g_assert_cmpint (g.zero_pad, ==, train);
      for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++)
          {
            int sx = g.x + (g.flip ? 31 - x : x), sy = g.y + y;
            gboolean inside = sx >= 0 && sx < 32 && sy >= 0 && sy < 32;
            double er = inside || !train ? CLAMP (sx, 0, 31) + 1 : 0;
            double eg = inside || !train ? CLAMP (sy, 0, 31) + 1 : 0;
            g_assert_cmpfloat (fabs (level (out, 0, 32, 32, y, x) - er), <, 1e-3);
            g_assert_cmpfloat (fabs (level (out, 1, 32, 32, y, x) - eg), <, 1e-3);
          }
    }
}

/* grey models take the luma of colour images, whichever pipeline */
static void
test_grey_output (void)
{
  int h = 256, w = 256;
  g_autofree guint8 *px = g_new (guint8, 3 * h * w);
  memset (px, 200, (gsize) h * w);
  memset (px + h * w, 100, (gsize) h * w);
  memset (px + 2 * h * w, 0, (gsize) h * w);
  AnInputSpec spec = spec_of (1, 227, 227);
  g_autofree float *out = g_new (float, 227 * 227);
  for (AnPipeline p = AN_PIPELINE_PAD_CROP; p <= AN_PIPELINE_TORCHVISION; p++)
    {
      an_pipeline_sample (p, &spec, px, 3, h, w, FALSE, 0, 0, 0, AN_PIPELINE_VIEW_CENTRE, out);
      double luma = 0.299 * 200 + 0.587 * 100;
      g_assert_cmpfloat (fabs (level (out, 0, 227, 227, 100, 100) - luma), <, 1e-2);
    }
}

static void
test_deterministic (void)
{
  int h = 300, w = 280;
  g_autofree guint8 *px = coordinate_image (h, w, 0, 0);
  AnInputSpec spec = spec_of (3, 224, 224);
  spec.pca = TRUE;
  spec.pca_std = 0.1f;
  spec.pca_eigval[0] = 0.2f;
  spec.pca_eigvec[0][0] = spec.pca_eigvec[0][1] = spec.pca_eigvec[0][2] = 0.577f;
  gsize n = 3 * 224 * 224;
  g_autofree float *a = g_new (float, n);
  g_autofree float *b = g_new (float, n);
  for (AnPipeline p = AN_PIPELINE_PAD_CROP; p <= AN_PIPELINE_TORCHVISION; p++)
    {
      an_pipeline_sample (p, &spec, px, 3, h, w, TRUE, 11, 2, 5, 0, a);
      an_pipeline_sample (p, &spec, px, 3, h, w, TRUE, 11, 0, 9, 0, b);
      an_pipeline_sample (p, &spec, px, 3, h, w, TRUE, 11, 2, 5, 0, b);
      g_assert_cmpmem (a, n * sizeof (float), b, n * sizeof (float));
      an_pipeline_sample (p, &spec, px, 3, h, w, TRUE, 11, 3, 5, 0, b);
      g_assert_true (memcmp (a, b, n * sizeof (float)) != 0);
    }
}

static void
test_resolve_and_sizes (void)
{
  AnInputSpec big = spec_of (3, 227, 227), tv = spec_of (3, 224, 224), small = spec_of (1, 32, 32);
  g_assert_cmpint (an_pipeline_resolve (AN_PIPELINE_AUTO, &big, TRUE), ==, AN_PIPELINE_PAPER);
  g_assert_cmpint (an_pipeline_resolve (AN_PIPELINE_AUTO, &big, FALSE), ==, AN_PIPELINE_PAD_CROP);
  g_assert_cmpint (an_pipeline_resolve (AN_PIPELINE_AUTO, &small, TRUE), ==, AN_PIPELINE_PAD_CROP);
  g_assert_cmpint (an_pipeline_resolve (AN_PIPELINE_TORCHVISION, &small, FALSE), ==,
                   AN_PIPELINE_TORCHVISION);
  g_assert_cmpint (an_pipeline_min_short_side (AN_PIPELINE_PAPER, &big), ==, 256);
  g_assert_cmpint (an_pipeline_min_short_side (AN_PIPELINE_TORCHVISION, &tv), ==, 256);
  g_assert_cmpint (an_pipeline_min_short_side (AN_PIPELINE_PAD_CROP, &small), ==, 32);
  g_assert_cmpint (an_pipeline_min_short_side (AN_PIPELINE_PAD_CROP, &big), ==, 227);
  g_assert_cmpint (an_pipeline_min_short_side (AN_PIPELINE_AUTO, &big), ==, 256);
  g_assert_cmpint (an_pipeline_min_short_side (AN_PIPELINE_AUTO, &small), ==, 32);
  AnInputSpec huge = spec_of (3, 299, 299);
  g_assert_cmpint (an_pipeline_min_short_side (AN_PIPELINE_PAPER, &huge), ==, 299);
  g_assert_cmpstr (an_pipeline_to_string (AN_PIPELINE_TORCHVISION), ==, "torchvision");
}

/* the offline step: shorter side to 256, the centre square */
static void
test_square (void)
{
  g_autoptr (AnImage) img = an_image_new (3, 128, 200);
  gsize plane = 128 * 200;
  for (int y = 0; y < 128; y++)
    for (int x = 0; x < 200; x++)
      {
        img->pixels[y * 200 + x] = (guint8) (x / 2 + (x >= 100 ? 20 : 0));
        img->pixels[plane + y * 200 + x] = 50;
        img->pixels[2 * plane + y * 200 + x] = 60;
      }
  g_autoptr (AnImage) sq = an_pipeline_square (img, 256);
  g_assert_true (sq->channels == 3 && sq->height == 256 && sq->width == 256);
  /* 128x200 -> 256x400, centre from x = 72: source column 36 + x / 2 */
  g_autoptr (AnImage) big = an_image_resize (img, 256, 400);
  for (int y = 0; y < 256; y += 17)
    for (int x = 0; x < 256; x++)
      g_assert_cmpint (sq->pixels[y * 256 + x], ==, big->pixels[y * 400 + 72 + x]);
  g_assert_cmpint (sq->pixels[256 * 256 + 5], ==, 50);
  g_autoptr (AnImage) same = an_pipeline_square (sq, 256);
  g_assert_cmpmem (same->pixels, 3 * 256 * 256, sq->pixels, 3 * 256 * 256);
}

/* The paper's pipeline and torchvision's evaluation resize only the window their crop keeps:
 * the same numbers, to the bit, as a sample of the image resized whole beforehand (which the
 * pipeline then only crops). */
static void
test_window_resize_exact (void)
{
  static const int sizes[][2] = { { 375, 500 }, { 500, 375 }, { 282, 375 }, { 200, 300 } };
  for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      int h = sizes[s][0], w = sizes[s][1];
      g_autoptr (AnImage) img = an_image_new (3, h, w);
      for (int c = 0; c < 3; c++)
        for (int y = 0; y < h; y++)
          for (int x = 0; x < w; x++)
            img->pixels[((gsize) c * h + y) * w + x] =
              (guint8) (c * 71 + y * 13 + x * 29 + (x * y + (int) s) % 17);
      for (int p = 0; p < 2; p++)
        {
          AnPipeline pipeline = p == 0 ? AN_PIPELINE_PAPER : AN_PIPELINE_TORCHVISION;
          AnInputSpec spec = spec_of (3, 227, 227);
          spec.pca = TRUE;
          spec.pca_std = 0.1f;
          for (int i = 0; i < 3; i++)
            {
              spec.pca_eigval[i] = 0.2f / (i + 1);
              spec.pca_eigvec[i][i] = 1.0f;
            }
          gsize n = 3 * 227 * 227;
          g_autofree float *got = g_new (float, n), *want = g_new (float, n);
          for (int image = 0; image < 6; image++)
            {
              gboolean train = pipeline == AN_PIPELINE_PAPER && image % 2 == 0;
              int view = image % AN_PIPELINE_VIEWS;
              AnPipelineGeometry g;
              an_pipeline_geometry (pipeline, &spec, h, w, train, 11, 2, image, view, &g);
              g_assert_true (g.base_h != h || g.base_w != w);
              g_autoptr (AnImage) base = an_image_resize (img, g.base_h, g.base_w);
              an_pipeline_sample (pipeline, &spec, img->pixels, 3, h, w, train, 11, 2, image,
                                  view, got);
              an_pipeline_sample (pipeline, &spec, base->pixels, 3, g.base_h, g.base_w, train,
                                  11, 2, image, view, want);
              g_assert_cmpmem (got, n * sizeof (float), want, n * sizeof (float));
            }
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/pipeline/golden-geometry", test_golden_geometry);
  g_test_add_func ("/data/pipeline/paper-content", test_paper_content);
  g_test_add_func ("/data/pipeline/torchvision-content", test_torchvision_content);
  g_test_add_func ("/data/pipeline/resized-views", test_resized_views);
  g_test_add_func ("/data/pipeline/pad-crop-content", test_pad_crop_content);
  g_test_add_func ("/data/pipeline/grey-output", test_grey_output);
  g_test_add_func ("/data/pipeline/deterministic", test_deterministic);
  g_test_add_func ("/data/pipeline/resolve-and-sizes", test_resolve_and_sizes);
  g_test_add_func ("/data/pipeline/square", test_square);
  g_test_add_func ("/data/pipeline/window-resize-exact", test_window_resize_exact);
  return g_test_run ();
}
