/* test-decode.c: JPEG decoding beyond the plain case: DCT-domain scaling
 * (an_image_decode_scaled), Exif orientation, CMYK and YCCK files. The JPEGs are written here
 * with libjpeg, the Exif block byte by byte. */
#define G_LOG_DOMAIN "alexnet-test"
#include "config.h"

#include <stdio.h>

#include <jpeglib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "an-error.h"
#include "data-test-util.h"

/* A JPEG in memory: width x height pixels of `components` interleaved samples in in_space,
 * stored in jpeg_space, with an optional APP1 payload. */
static GBytes *
jpeg_bytes (const guint8 *samples, int components, J_COLOR_SPACE in_space,
            J_COLOR_SPACE jpeg_space, int height, int width, int quality, const guint8 *app1,
            gsize app1_len)
{
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  unsigned char *out = NULL;
  unsigned long out_len = 0;
  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_compress (&cinfo);
  jpeg_mem_dest (&cinfo, &out, &out_len);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = components;
  cinfo.in_color_space = in_space;
  jpeg_set_defaults (&cinfo);
  jpeg_set_colorspace (&cinfo, jpeg_space);
  jpeg_set_quality (&cinfo, quality, TRUE);
  jpeg_start_compress (&cinfo, TRUE);
  if (app1 != NULL)
    jpeg_write_marker (&cinfo, JPEG_APP0 + 1, app1, (unsigned) app1_len);
  while (cinfo.next_scanline < cinfo.image_height)
    {
      JSAMPROW row = (JSAMPROW) samples + (gsize) cinfo.next_scanline * width * components;
      jpeg_write_scanlines (&cinfo, &row, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  GBytes *bytes = g_bytes_new (out, out_len);
  free (out);
  return bytes;
}

static AnImage *
decode (GBytes *bytes, int min_short_side, GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  return an_image_decode_scaled (data, len, "test.jpg", AN_IMAGE_MAX_PIXELS, min_short_side,
                                 error);
}

/* A smooth RGB ramp, interleaved. */
static guint8 *
ramp (int height, int width)
{
  guint8 *px = g_new (guint8, (gsize) height * width * 3);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      for (int c = 0; c < 3; c++)
        px[((gsize) y * width + x) * 3 + c] =
          (guint8) (10 + 40 * c + 120.0 * (y + 0.5) / height * (c == 1 ? 0.3 : 1.0) +
                    45.0 * (x + 0.5) / width);
  return px;
}

static void
test_scaled (void)
{
  struct {
    int height, width, min_short_side;
    int num; /* the scale expected, in eighths: the smallest power-of-two one that fits */
  } cases[] = {
    { 600, 800, 0, 8 },   { 600, 800, 256, 4 },  { 600, 800, 300, 4 }, { 600, 800, 301, 8 },
    { 600, 800, 150, 2 }, { 600, 800, 151, 4 },  { 600, 800, 75, 1 },  { 600, 800, 1, 1 },
    { 601, 801, 76, 1 },  { 601, 801, 77, 2 },   { 800, 600, 256, 4 }, { 600, 800, 601, 8 },
    { 600, 800, 10000, 8 },
  };
  for (gsize k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      int h = cases[k].height, w = cases[k].width;
      g_autofree guint8 *px = ramp (h, w);
      g_autoptr (GBytes) bytes = jpeg_bytes (px, 3, JCS_RGB, JCS_YCbCr, h, w, 95, NULL, 0);
      GError *error = NULL;
      g_autoptr (AnImage) img = decode (bytes, cases[k].min_short_side, &error);
      g_assert_no_error (error);
      /* libjpeg's output size: ceil (side * num / 8) */
      int want_h = (h * cases[k].num + 7) / 8, want_w = (w * cases[k].num + 7) / 8;
      g_test_message ("%dx%d, shorter side >= %d: %dx%d", w, h, cases[k].min_short_side,
                      img->width, img->height);
      g_assert_cmpint (img->channels, ==, 3);
      g_assert_cmpint (img->height, ==, want_h);
      g_assert_cmpint (img->width, ==, want_w);
      /* the scaled picture is the picture: each output pixel is near the mean of the source
       * block it covers (the ramp is smooth, so a few levels) */
      int worst = 0;
      int block = 8 / cases[k].num;
      for (int y = 0; y + 1 < img->height; y += 7)
        for (int x = 0; x + 1 < img->width; x += 5)
          for (int c = 0; c < 3; c++)
            {
              double sum = 0;
              int n = 0;
              for (int dy = 0; dy < block && y * block + dy < h; dy++)
                for (int dx = 0; dx < block && x * block + dx < w; dx++, n++)
                  sum += px[((gsize) (y * block + dy) * w + x * block + dx) * 3 + c];
              int got = img->pixels[((gsize) c * img->height + y) * img->width + x];
              worst = MAX (worst, (int) fabs (got - sum / n));
            }
      g_assert_cmpint (worst, <=, 4);
    }

  /* PNG has no DCT scaling: full size whatever min_short_side */
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "x.png", NULL);
  g_autoptr (AnImage) png = an_image_new (3, 40, 50);
  GError *error = NULL;
  g_assert_true (an_image_save_png (png, path, &error));
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_autoptr (AnImage) back =
    an_image_decode_scaled ((const guint8 *) data, len, "x.png", AN_IMAGE_MAX_PIXELS, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->height, ==, 40);
  g_assert_cmpint (back->width, ==, 50);
  test_rmdir (dir);

  /* the pixel cap applies to the stored size, scaled or not */
  g_autofree guint8 *px = ramp (64, 64);
  g_autoptr (GBytes) bytes = jpeg_bytes (px, 3, JCS_RGB, JCS_YCbCr, 64, 64, 90, NULL, 0);
  gsize blen;
  const guint8 *bdata = g_bytes_get_data (bytes, &blen);
  g_assert_null (an_image_decode_scaled (bdata, blen, "big.jpg", 64 * 64 - 1, 8, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "big.jpg: image size 64x64 out of range"));
  g_clear_error (&error);
}

/* An APP1 Exif payload whose IFD0 holds a Make entry, then Orientation = value, in the byte
 * order given; extra bytes of padding at the end. */
static GByteArray *
exif_block (gboolean little, guint16 orientation)
{
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, (const guint8 *) "Exif\0\0", 6);
#define PUT16(v)                                                                  \
  do                                                                              \
    {                                                                             \
      guint8 two[2] = { little ? (v) & 0xff : (v) >> 8, little ? (v) >> 8 : (v) & 0xff }; \
      g_byte_array_append (b, two, 2);                                            \
    }                                                                             \
  while (0)
#define PUT32(v)                                                                  \
  do                                                                              \
    {                                                                             \
      guint32 v32 = (v);                                                          \
      if (little)                                                                 \
        {                                                                         \
          PUT16 (v32 & 0xffff);                                                   \
          PUT16 (v32 >> 16);                                                      \
        }                                                                         \
      else                                                                        \
        {                                                                         \
          PUT16 (v32 >> 16);                                                      \
          PUT16 (v32 & 0xffff);                                                   \
        }                                                                         \
    }                                                                             \
  while (0)
  g_byte_array_append (b, (const guint8 *) (little ? "II" : "MM"), 2);
  PUT16 (42);
  PUT32 (8); /* IFD0 right after the header */
  PUT16 (2); /* two entries */
  PUT16 (0x010f); /* Make, ASCII, 4 bytes inline */
  PUT16 (2);
  PUT32 (4);
  g_byte_array_append (b, (const guint8 *) "abc", 4);
  PUT16 (0x0112); /* Orientation, SHORT, 1 */
  PUT16 (3);
  PUT32 (1);
  PUT16 (orientation);
  PUT16 (0);
  PUT32 (0); /* no IFD1 */
#undef PUT32
#undef PUT16
  return b;
}

static void
test_exif_orientation (void)
{
  /* The upright picture: Hv x Wv, a ramp with different slopes down and across, so that
   * every flip and turn gives a different image. */
  enum { Hv = 16, Wv = 24 };
  /* EXIF 2.3, tag 0x0112: for each value, the visual side that the stored image's 0th row
   * shows and the side its 0th column shows. */
  static const char *const sides[9][2] = {
    { NULL, NULL },         { "top", "left" },   { "top", "right" },
    { "bottom", "right" },  { "bottom", "left" }, { "left", "top" },
    { "right", "top" },     { "right", "bottom" }, { "left", "bottom" },
  };
  for (int channels = 1; channels <= 3; channels += 2)
    for (int orientation = 1; orientation <= 8; orientation++)
      for (int little = 0; little <= 1; little++)
        {
          const char *row0 = sides[orientation][0], *col0 = sides[orientation][1];
          gboolean rows_across = g_str_equal (row0, "top") || g_str_equal (row0, "bottom");
          int sh = rows_across ? Hv : Wv, sw = rows_across ? Wv : Hv;
          g_autofree guint8 *stored = g_new (guint8, (gsize) sh * sw * channels);
          for (int r = 0; r < sh; r++)
            for (int c = 0; c < sw; c++)
              {
                int vy, vx;
                if (rows_across)
                  {
                    vy = g_str_equal (row0, "top") ? r : Hv - 1 - r;
                    vx = g_str_equal (col0, "left") ? c : Wv - 1 - c;
                  }
                else
                  {
                    vx = g_str_equal (row0, "left") ? r : Wv - 1 - r;
                    vy = g_str_equal (col0, "top") ? c : Hv - 1 - c;
                  }
                for (int k = 0; k < channels; k++)
                  stored[((gsize) r * sw + c) * channels + k] =
                    (guint8) (10 + 30 * k + 7 * vy + 3 * vx);
              }
          g_autoptr (GByteArray) exif = exif_block (little, (guint16) orientation);
          g_autoptr (GBytes) bytes =
            jpeg_bytes (stored, channels, channels == 1 ? JCS_GRAYSCALE : JCS_RGB,
                        channels == 1 ? JCS_GRAYSCALE : JCS_YCbCr, sh, sw, 100, exif->data,
                        exif->len);
          GError *error = NULL;
          g_autoptr (AnImage) img = decode (bytes, 0, &error);
          g_assert_no_error (error);
          g_assert_cmpint (img->channels, ==, channels);
          g_assert_cmpint (img->height, ==, Hv);
          g_assert_cmpint (img->width, ==, Wv);
          int worst = 0;
          for (int k = 0; k < channels; k++)
            for (int y = 0; y < Hv; y++)
              for (int x = 0; x < Wv; x++)
                worst = MAX (worst, abs (img->pixels[((gsize) k * Hv + y) * Wv + x] -
                                         (10 + 30 * k + 7 * y + 3 * x)));
          g_test_message ("orientation %d (%s-endian, %d channel(s)): max error %d", orientation,
                          little ? "little" : "big", channels, worst);
          g_assert_cmpint (worst, <=, 4);

          /* with DCT scaling too: halved, still upright */
          if (orientation == 6 && little)
            {
              g_autoptr (AnImage) half = decode (bytes, Hv / 2, &error);
              g_assert_no_error (error);
              g_assert_cmpint (half->height, ==, Hv / 2);
              g_assert_cmpint (half->width, ==, Wv / 2);
              int a = half->pixels[0], b = half->pixels[(gsize) (Hv / 2 - 1) * (Wv / 2)];
              g_assert_cmpint (a, <, b); /* brighter downwards, as the upright ramp */
            }
        }
}

static void
test_exif_malformed (void)
{
  /* Orientation out of range, a truncated IFD, an IFD offset past the end, an entry count
   * larger than the block, a wrong type, a bad byte-order mark: all read as upright. */
  enum { H = 8, W = 16 };
  guint8 stored[H * W];
  for (int i = 0; i < H * W; i++)
    stored[i] = (guint8) (40 + 8 * (i / W) + 5 * (i % W));
  for (int variant = 0; variant < 7; variant++)
    {
      g_autoptr (GByteArray) exif = exif_block (TRUE, 6);
      switch (variant)
        {
        case 0: exif->data[6 + 8 + 2 + 12 + 8] = 9; break;  /* orientation 9 */
        case 1: g_byte_array_set_size (exif, 6 + 8 + 2 + 12 + 6); break; /* cut mid-entry */
        case 2: exif->data[6 + 4] = 0xf0; break;            /* IFD0 offset 0xf0 */
        case 3: exif->data[6 + 4 + 3] = 0x80; break;        /* IFD0 offset 2^31 + 8 */
        case 4: exif->data[6 + 8] = 0xff; exif->data[6 + 9] = 0xff; /* 65535 entries */
          g_byte_array_set_size (exif, 6 + 8 + 2 + 12 + 6);
          break;
        case 5: exif->data[6 + 8 + 2 + 12 + 2] = 4; break;  /* Orientation as LONG */
        default: exif->data[6] = 'X'; break;                /* no byte-order mark */
        }
      g_autoptr (GBytes) bytes =
        jpeg_bytes (stored, 1, JCS_GRAYSCALE, JCS_GRAYSCALE, H, W, 100, exif->data, exif->len);
      GError *error = NULL;
      g_autoptr (AnImage) img = decode (bytes, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpint (img->height, ==, H);
      g_assert_cmpint (img->width, ==, W);
      for (int i = 0; i < H * W; i++)
        g_assert_cmpint (abs (img->pixels[i] - stored[i]), <=, 3);
    }
}

static void
test_cmyk (void)
{
  /* Four flat 16x16 blocks of CMYK inks, stored inverted as Photoshop does (0 = full ink).
   * Expected RGB: (1 - C)(1 - K), in 0..255 units. */
  enum { S = 32 };
  static const double inks[4][4] = {
    { 0.0, 0.0, 0.0, 0.0 }, /* white paper */
    { 1.0, 0.0, 0.0, 0.0 }, /* cyan */
    { 0.2, 0.5, 0.9, 0.1 },
    { 0.0, 0.0, 0.0, 0.6 }, /* grey from black ink only */
  };
  guint8 stored[S * S * 4];
  for (int y = 0; y < S; y++)
    for (int x = 0; x < S; x++)
      for (int k = 0; k < 4; k++)
        stored[(y * S + x) * 4 + k] =
          (guint8) lround (255 * (1 - inks[(y / 16) * 2 + x / 16][k]));
  const J_COLOR_SPACE spaces[2] = { JCS_CMYK, JCS_YCCK };
  for (int s = 0; s < 2; s++)
    {
      g_autoptr (GBytes) bytes =
        jpeg_bytes (stored, 4, JCS_CMYK, spaces[s], S, S, 100, NULL, 0);
      GError *error = NULL;
      g_autoptr (AnImage) img = decode (bytes, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpint (img->channels, ==, 3);
      g_assert_cmpint (img->height, ==, S);
      g_assert_cmpint (img->width, ==, S);
      /* away from the blocks' edges: YCCK's chroma is subsampled, then upsampled smoothly */
      int worst = 0;
      for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++)
          {
            if (abs (y % 16 - 8) > 5 || abs (x % 16 - 8) > 5)
              continue;
            const double *ink = inks[(y / 16) * 2 + x / 16];
            for (int c = 0; c < 3; c++)
              {
                double want = 255 * (1 - ink[c]) * (1 - ink[3]);
                worst = MAX (worst, (int) ceil (fabs (
                                      img->pixels[((gsize) c * S + y) * S + x] - want)));
              }
          }
      g_test_message ("%s: max error %d levels", s == 0 ? "CMYK" : "YCCK", worst);
      g_assert_cmpint (worst, <=, 3);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/decode/scaled", test_scaled);
  g_test_add_func ("/data/decode/exif-orientation", test_exif_orientation);
  g_test_add_func ("/data/decode/exif-malformed", test_exif_malformed);
  g_test_add_func ("/data/decode/cmyk", test_cmyk);
  return g_test_run ();
}
