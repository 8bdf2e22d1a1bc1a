/* test-render.c: the one filter renderer (an-render.h) and the one PNG writer (an-png.h):
 * pixel values worked out by hand from the normalisation rule, values that are not finite,
 * filters that are not RGB, the layout of a bank by tower, cairo's premultiplied pixels, and
 * a write that fails. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <png.h>

#include "an-error.h"
#include "an-png.h"
#include "an-render.h"

static guint8
pixel (const AnImage *img, int c, int y, int x)
{
  return img->pixels[((gsize) c * img->height + y) * img->width + x];
}

/* An RGB filter is normalised over its three channels: min -1 black, max 3 white, 1 halfway. */
static void
test_rgb_filter (void)
{
  const float f[6] = { -1, 3, /* R */ 1, 1, /* G */ 3, -1 /* B */ };
  guint8 rgb[6];

  g_assert_cmpint (an_filter_tile_count (3), ==, 1);
  an_render_filter (f, 3, 1, 2, rgb);
  g_assert_cmpuint (rgb[0], ==, 0);
  g_assert_cmpuint (rgb[1], ==, 128); /* 127.5 rounds to even */
  g_assert_cmpuint (rgb[2], ==, 255);
  g_assert_cmpuint (rgb[3], ==, 255);
  g_assert_cmpuint (rgb[4], ==, 128);
  g_assert_cmpuint (rgb[5], ==, 0);
}

/* NaN and infinities are mid-grey and leave the range to the finite values; a filter of one
 * value is mid-grey too. */
static void
test_not_finite (void)
{
  const float f[4] = { NAN, 0, 1, INFINITY };
  const float flat[3] = { 0.25f, 0.25f, 0.25f };
  const float none[2] = { NAN, -INFINITY };
  guint8 rgb[12];

  an_render_filter (f, 1, 2, 2, rgb);
  for (int c = 0; c < 3; c++)
    {
      g_assert_cmpuint (rgb[0 + c], ==, 128);
      g_assert_cmpuint (rgb[3 + c], ==, 0);
      g_assert_cmpuint (rgb[6 + c], ==, 255);
      g_assert_cmpuint (rgb[9 + c], ==, 128);
    }
  an_render_filter (flat, 3, 1, 1, rgb);
  g_assert_cmpuint (rgb[0], ==, 128);
  g_assert_cmpuint (rgb[1], ==, 128);
  g_assert_cmpuint (rgb[2], ==, 128);
  an_render_filter (none, 1, 1, 2, rgb);
  g_assert_cmpuint (rgb[0], ==, 128);
  g_assert_cmpuint (rgb[3], ==, 128);
}

/* A filter of two input channels is two grey tiles normalised together: the channel of 0s is
 * black, the channel of 2s white (each on its own range, both would be one value). */
static void
test_grey_channels (void)
{
  const float f[4] = { 0, 0, /* channel 0 */ 2, 1 /* channel 1 */ };
  guint8 rgb[12];

  g_assert_cmpint (an_filter_tile_count (2), ==, 2);
  g_assert_cmpint (an_filter_tile_count (1), ==, 1);
  an_render_filter (f, 2, 1, 2, rgb);
  for (int c = 0; c < 3; c++)
    {
      g_assert_cmpuint (rgb[0 + c], ==, 0);
      g_assert_cmpuint (rgb[3 + c], ==, 0);
      g_assert_cmpuint (rgb[6 + c], ==, 255);
      g_assert_cmpuint (rgb[9 + c], ==, 128);
    }
}

/* Four 1x1 RGB filters, two towers, zoom 2: each tower a row of two tiles of 2x2 pixels with
 * 1-pixel gaps (width 2 * 3 + 1 = 7), the towers 8 pixels apart (height 4 + 8 + 4 = 16). */
static void
test_bank_layout (void)
{
  /* filter f is (R, G, B) = (f, 0, -f): normalised, R = 255, G = 128, B = 0 for f > 0 */
  float w[12];
  g_autoptr (AnImage) img = NULL;

  for (int f = 0; f < 4; f++)
    {
      w[3 * f] = f + 1.0f;
      w[3 * f + 1] = 0;
      w[3 * f + 2] = -(f + 1.0f);
    }
  img = an_render_filter_bank (w, 4, 3, 1, 1, 2, 2);
  g_assert_cmpint (img->channels, ==, 3);
  g_assert_cmpint (img->width, ==, 7);
  g_assert_cmpint (img->height, ==, 16);
  for (int f = 0; f < 4; f++)
    {
      int oy = (f / 2) * 12 + 1, ox = 1 + (f % 2) * 3;

      for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++)
          {
            g_assert_cmpuint (pixel (img, 0, oy + dy, ox + dx), ==, 255);
            g_assert_cmpuint (pixel (img, 1, oy + dy, ox + dx), ==, 128);
            g_assert_cmpuint (pixel (img, 2, oy + dy, ox + dx), ==, 0);
          }
    }
  /* the gap between the towers is background */
  g_assert_cmpuint (pixel (img, 0, 8, 1), ==, 40);

  /* two filters of two channels: a filter's two tiles share a row, one filter per row */
  {
    const float g[4] = { 0, 1, /* filter 0 */ 5, 3 /* filter 1 */ };
    g_autoptr (AnImage) grey = an_render_filter_bank (g, 2, 2, 1, 1, 1, 1);

    g_assert_cmpint (grey->width, ==, 5);
    g_assert_cmpint (grey->height, ==, 5);
    g_assert_cmpuint (pixel (grey, 0, 1, 1), ==, 0);
    g_assert_cmpuint (pixel (grey, 0, 1, 3), ==, 255);
    g_assert_cmpuint (pixel (grey, 1, 3, 1), ==, 255);
    g_assert_cmpuint (pixel (grey, 2, 3, 3), ==, 0);
  }
}

static void
test_maps (void)
{
  const float m[8] = { NAN, 0, 1, 4, /* map 0 */ 8, 8, 8, 8 /* map 1 */ };
  g_autoptr (AnImage) own = an_render_maps (m, 2, 2, 2, 1, TRUE);
  g_autoptr (AnImage) shared = an_render_maps (m, 2, 2, 2, 1, FALSE);

  g_assert_cmpint (own->channels, ==, 1);
  g_assert_cmpuint (pixel (own, 0, 1, 1), ==, 128); /* NaN */
  g_assert_cmpuint (pixel (own, 0, 1, 2), ==, 0);
  g_assert_cmpuint (pixel (own, 0, 2, 1), ==, 64); /* 0.25 * 255 */
  g_assert_cmpuint (pixel (own, 0, 2, 2), ==, 255);
  g_assert_cmpuint (pixel (own, 0, 1, 4), ==, 128); /* a map of one value */
  /* on the shared range [0, 8] */
  g_assert_cmpuint (pixel (shared, 0, 2, 2), ==, 128); /* 4 / 8 */
  g_assert_cmpuint (pixel (shared, 0, 1, 4), ==, 255);
}

/* cairo's premultiplied words are written as straight RGBA; libpng reads them back. */
static void
test_png_cairo (void)
{
  /* a = 0x80: r = 0x40 * 255 / 128 = 127.5 -> 128, g = 63.75 -> 64, b = 31.9 -> 32 */
  const guint32 px[2] = { 0x80402010u, 0xff00ff00u };
  g_autofree char *dir = g_dir_make_tmp ("an-render-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "p.png", NULL);
  g_autoptr (GError) error = NULL;
  png_image png = { .version = PNG_IMAGE_VERSION };
  guint8 back[8];

  g_assert_true (an_png_write (path, (const guint8 *) px, 2, 1, 8, AN_PNG_CAIRO_ARGB32,
                               &error));
  g_assert_no_error (error);
  g_assert_true (png_image_begin_read_from_file (&png, path));
  png.format = PNG_FORMAT_RGBA;
  g_assert_cmpuint (png.width, ==, 2);
  g_assert_true (png_image_finish_read (&png, NULL, back, 0, NULL));
  g_assert_cmpuint (back[0], ==, 128);
  g_assert_cmpuint (back[1], ==, 64);
  g_assert_cmpuint (back[2], ==, 32);
  g_assert_cmpuint (back[3], ==, 128);
  g_assert_cmpuint (back[4], ==, 0);
  g_assert_cmpuint (back[5], ==, 255);
  g_assert_cmpuint (back[6], ==, 0);
  g_assert_cmpuint (back[7], ==, 255);
  g_unlink (path);
  g_rmdir (dir);
}

/* A folder that does not exist: the engine's error domain, the path in the message. */
static void
test_png_error (void)
{
  const guint8 grey[4] = { 0, 1, 2, 3 };
  g_autoptr (GError) error = NULL;

  g_assert_false (an_png_write ("/nonexistent-folder/x.png", grey, 2, 2, 2, AN_PNG_GREY,
                                &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/nonexistent-folder/x.png"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/render/rgb-filter", test_rgb_filter);
  g_test_add_func ("/render/not-finite", test_not_finite);
  g_test_add_func ("/render/grey-channels", test_grey_channels);
  g_test_add_func ("/render/bank-layout", test_bank_layout);
  g_test_add_func ("/render/maps", test_maps);
  g_test_add_func ("/render/png-cairo", test_png_cairo);
  g_test_add_func ("/render/png-error", test_png_error);
  return g_test_run ();
}
