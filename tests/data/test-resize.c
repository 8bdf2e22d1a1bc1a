/* test-resize.c: the antialiased resampler (an_image_resize, an_resample_plane, and the model
 * input conversion built on it) against Pillow's bilinear resize (tests/golden/resize.bin,
 * written by tools/resize_golden.py), photo-sized shrinks that must not alias, and windows of
 * a resize computed alone (an_resample_window) bit-identical to the same window of the whole. */
#define G_LOG_DOMAIN "alexnet-test"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-config.h"
#include "an-test-golden.h"
#include "data-test-util.h"

static void
test_pillow (void)
{
  g_autoptr (AnGolden) golden = an_test_golden_open ("resize.bin");
  unsigned count = 0;
  const char *const *names = an_golden_names (golden, &count);
  int cases = 0;
  for (unsigned i = 0; i < count; i++)
    {
      if (!g_str_has_suffix (names[i], ".src"))
        continue;
      g_autofree char *stem = g_strndup (names[i], strlen (names[i]) - 4);
      g_autofree char *out_name = g_strconcat (stem, ".out", NULL);
      const AnGoldenTensor *src = an_test_golden_get (golden, names[i], 0);
      const AnGoldenTensor *want = an_test_golden_get (golden, out_name, 0);
      g_assert_cmpuint (src->ndim, ==, 3);
      g_assert_cmpuint (want->ndim, ==, 3);
      g_autoptr (AnImage) img = an_image_new ((int) src->dims[0], (int) src->dims[1],
                                              (int) src->dims[2]);
      for (size_t k = 0; k < src->count; k++)
        img->pixels[k] = (guint8) src->data[k];
      g_autoptr (AnImage) out = an_image_resize (img, (int) want->dims[1], (int) want->dims[2]);
      int worst = 0, off = 0;
      for (size_t k = 0; k < want->count; k++)
        {
          int d = abs ((int) out->pixels[k] - (int) want->data[k]);
          worst = MAX (worst, d);
          off += d != 0;
        }
      g_test_message ("%s: %ux%ux%u -> %ux%u: max difference %d, %d of %zu pixels differ", stem,
                      src->dims[0], src->dims[1], src->dims[2], want->dims[1], want->dims[2],
                      worst, off, want->count);
      g_assert_cmpint (worst, <=, 1);
      cases++;
    }
  g_assert_cmpint (cases, >=, 6);
}

/* A 1-pixel checkerboard (0/255) of a photo's size, channels planes. */
static AnImage *
checkerboard (int channels, int height, int width)
{
  AnImage *img = an_image_new (channels, height, width);
  for (int c = 0; c < channels; c++)
    for (int y = 0; y < height; y++)
      for (int x = 0; x < width; x++)
        img->pixels[((gsize) c * height + y) * width + x] = (x + y) % 2 ? 255 : 0;
  return img;
}

static void
test_no_aliasing (void)
{
  /* 4000x3000 to 256x341 and to 32x32: every output pixel averages many source ones, so the
   * checkerboard becomes flat grey (127.5). Sampling 2x2 taps would give 0, 255 or 127. */
  g_autoptr (AnImage) board = checkerboard (1, 3000, 4000);
  const int sizes[2][2] = { { 256, 341 }, { 32, 32 } };
  for (int s = 0; s < 2; s++)
    {
      g_autoptr (AnImage) small = an_image_resize (board, sizes[s][0], sizes[s][1]);
      int lo = 255, hi = 0;
      for (gsize i = 0; i < (gsize) sizes[s][0] * sizes[s][1]; i++)
        {
          lo = MIN (lo, small->pixels[i]);
          hi = MAX (hi, small->pixels[i]);
        }
      g_test_message ("checkerboard 4000x3000 -> %dx%d: values %d..%d", sizes[s][1],
                      sizes[s][0], lo, hi);
      g_assert_cmpint (lo, >=, 126);
      g_assert_cmpint (hi, <=, 129);
    }

  /* noise keeps its mean, and loses its variance as the average of ~12x12 pixels would */
  g_autoptr (AnImage) noise = an_image_new (1, 3000, 4000);
  guint32 state = 12345;
  double sum = 0;
  gsize n = (gsize) 3000 * 4000;
  for (gsize i = 0; i < n; i++)
    {
      state = 1664525u * state + 1013904223u;
      sum += noise->pixels[i] = (guint8) (state >> 24);
    }
  g_autoptr (AnImage) small = an_image_resize (noise, 256, 341);
  double mean = 0, var = 0;
  gsize m = (gsize) 256 * 341;
  for (gsize i = 0; i < m; i++)
    mean += small->pixels[i];
  mean /= m;
  for (gsize i = 0; i < m; i++)
    var += (small->pixels[i] - mean) * (small->pixels[i] - mean);
  double sd = sqrt (var / m);
  g_test_message ("noise: mean %.2f -> %.2f, sd 73.9 -> %.2f", sum / n, mean, sd);
  g_assert_cmpfloat (fabs (mean - sum / n), <, 0.5);
  /* the triangle filter over ~23x23 source pixels keeps well under a tenth of the spread */
  g_assert_cmpfloat (sd, <, 7.0);
}

static void
test_input_no_aliasing (void)
{
  /* the model input of a dropped photo (Classify) is resampled the same way: a colour
   * checkerboard to 3x227x227 is flat 0.5 in [0, 1] units, and 1x227x227 (luma) too */
  g_autoptr (AnImage) board = checkerboard (3, 1500, 2000);
  for (int channels = 1; channels <= 3; channels += 2)
    {
      AnInputSpec spec = { 0 };
      spec.channels = channels;
      spec.height = 227;
      spec.width = 227;
      g_autofree float *x = g_new (float, (gsize) channels * 227 * 227);
      an_input_to_unit (&spec, board->pixels, 3, board->height, board->width, x);
      float lo = 1, hi = 0;
      for (gsize i = 0; i < (gsize) channels * 227 * 227; i++)
        {
          lo = MIN (lo, x[i]);
          hi = MAX (hi, x[i]);
        }
      g_test_message ("input %d channel(s): %.4f..%.4f", channels, lo, hi);
      g_assert_cmpfloat (lo, >, 0.49f);
      g_assert_cmpfloat (hi, <, 0.51f);
    }
}

/* A window computed alone is the same window of the whole resize, to the bit: shrinking,
 * enlarging and mixed, windows at every edge and inside, one pixel up to the whole. */
static void
test_window (void)
{
  static const int sizes[][4] = {
    /* sh, sw, dh, dw */
    { 282, 375, 256, 340 }, /* a 500x375 photo at 6/8, to the paper's 256 */
    { 375, 500, 256, 341 }, { 128, 200, 256, 400 }, { 300, 97, 45, 200 }, { 7, 9, 5, 13 },
    { 1, 40, 3, 17 },
  };
  for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      int sh = sizes[s][0], sw = sizes[s][1], dh = sizes[s][2], dw = sizes[s][3];
      g_autofree guint8 *src = g_new (guint8, (gsize) sh * sw);
      for (int i = 0; i < sh * sw; i++)
        src[i] = test_pattern (3, 0, i / sw, i % sw) ^ (guint8) (i * 37);
      g_autofree float *whole = g_new (float, (gsize) dh * dw);
      an_resample_plane (src, sh, sw, whole, dh, dw);
      int windows[][4] = {
        /* y0, x0, oh, ow */
        { 0, 0, dh, dw }, { 0, 0, 1, 1 }, { dh - 1, dw - 1, 1, 1 }, { 0, 0, dh / 2 + 1, dw },
        { dh / 3, dw / 4, dh - dh / 3, dw / 2 + 1 }, { dh / 2, dw / 2, (dh + 1) / 2, (dw + 1) / 2 },
        { (dh - MIN (dh, 227)) / 2, (dw - MIN (dw, 227)) / 2, MIN (dh, 227), MIN (dw, 227) },
      };
      for (gsize k = 0; k < G_N_ELEMENTS (windows); k++)
        {
          int y0 = windows[k][0], x0 = windows[k][1], oh = windows[k][2], ow = windows[k][3];
          g_autofree float *part = g_new (float, (gsize) oh * ow);
          an_resample_window (src, sh, sw, dh, dw, y0, x0, oh, ow, part);
          for (int y = 0; y < oh; y++)
            g_assert_cmpmem (part + (gsize) y * ow, ow * sizeof (float),
                             whole + (gsize) (y0 + y) * dw + x0, ow * sizeof (float));
        }
      /* and the 8-bit image version */
      AnImage img = { 1, sh, sw, src };
      g_autoptr (AnImage) full = an_image_resize (&img, dh, dw);
      int y0 = dh / 3, x0 = dw / 5, oh = dh - dh / 3, ow = dw - dw / 5 - (dw > 1);
      g_autoptr (AnImage) part = an_image_resize_window (&img, dh, dw, y0, x0, oh, ow);
      for (int y = 0; y < oh; y++)
        g_assert_cmpmem (part->pixels + (gsize) y * ow, ow,
                         full->pixels + (gsize) (y0 + y) * dw + x0, ow);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/resize/pillow", test_pillow);
  g_test_add_func ("/data/resize/no-aliasing", test_no_aliasing);
  g_test_add_func ("/data/resize/input-no-aliasing", test_input_no_aliasing);
  g_test_add_func ("/data/resize/window", test_window);
  return g_test_run ();
}
