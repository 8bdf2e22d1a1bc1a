/* test-decode.c: JPEG decoding beyond the plain case: DCT-domain scaling
 * (an_image_decode_scaled), Exif orientation, CMYK and YCCK files; then the formats read through
 * gdk-pixbuf (BMP, TIFF, ICO, WebP written by gdk-pixbuf's own savers, GIF byte by byte). The
 * JPEGs are written here with libjpeg, the Exif block byte by byte. */
#define G_LOG_DOMAIN "alexnet-test"
#include "config.h"

#include <stdio.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
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

/* The rule: the smallest M of 1..7 whose scaled shorter side ceil (side * M / 8) is still at
 * least min_short_side, else 8 (full size); 8 when min_short_side is 0. */
static int
scale_rule (int height, int width, int min_short_side)
{
  int side = MIN (height, width);
  for (int m = 1; m < 8 && min_short_side > 0; m++)
    if ((side * m + 7) / 8 >= min_short_side)
      return m;
  return 8;
}

static void
test_scaled (void)
{
  struct {
    int height, width, min_short_side;
    int num; /* the scale expected, in eighths, worked out by hand */
  } cases[] = {
    { 600, 800, 0, 8 },   { 600, 800, 256, 4 },  { 600, 800, 300, 4 }, { 600, 800, 301, 5 },
    { 600, 800, 150, 2 }, { 600, 800, 151, 3 },  { 600, 800, 75, 1 },  { 600, 800, 1, 1 },
    { 601, 801, 76, 1 },  { 601, 801, 77, 2 },   { 800, 600, 256, 4 }, { 600, 800, 601, 8 },
    { 600, 800, 10000, 8 }, { 600, 800, 525, 7 }, { 600, 800, 526, 8 },
    /* photo-sized: 6/8 gives 282 rows for the paper's 256, 5/8 235 rows for 227 */
    { 375, 500, 256, 6 }, { 500, 375, 256, 6 }, { 375, 500, 227, 5 }, { 375, 500, 236, 6 },
    { 480, 640, 256, 5 }, { 333, 500, 256, 7 }, { 290, 400, 256, 8 },
  };
  for (gsize k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      int h = cases[k].height, w = cases[k].width, num = cases[k].num;
      g_assert_cmpint (scale_rule (h, w, cases[k].min_short_side), ==, num);
      g_autofree guint8 *px = ramp (h, w);
      g_autoptr (GBytes) bytes = jpeg_bytes (px, 3, JCS_RGB, JCS_YCbCr, h, w, 95, NULL, 0);
      GError *error = NULL;
      g_autoptr (AnImage) img = decode (bytes, cases[k].min_short_side, &error);
      g_assert_no_error (error);
      /* libjpeg's output size: ceil (side * num / 8) */
      int want_h = (h * num + 7) / 8, want_w = (w * num + 7) / 8;
      g_test_message ("%dx%d, shorter side >= %d: %dx%d", w, h, cases[k].min_short_side,
                      img->width, img->height);
      g_assert_cmpint (img->channels, ==, 3);
      g_assert_cmpint (img->height, ==, want_h);
      g_assert_cmpint (img->width, ==, want_w);
      /* the scaled picture is the picture: each output pixel is near the mean of the source
       * pixels it covers, [y * 8 / num, (y + 1) * 8 / num) (the ramp is smooth, so a few
       * levels) */
      int worst = 0;
      for (int y = 0; y + 1 < img->height; y += 7)
        for (int x = 0; x + 1 < img->width; x += 5)
          for (int c = 0; c < 3; c++)
            {
              int y0 = y * 8 / num, y1 = MIN (h, ((y + 1) * 8 + num - 1) / num);
              int x0 = x * 8 / num, x1 = MIN (w, ((x + 1) * 8 + num - 1) / num);
              double sum = 0;
              int n = 0;
              for (int sy = y0; sy < y1; sy++)
                for (int sx = x0; sx < x1; sx++, n++)
                  sum += px[((gsize) sy * w + sx) * 3 + c];
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
        case 5: exif->data[6 + 8 + 2 + 12 + 2] = 2; break;  /* Orientation as ASCII */
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

/* ---- formats through gdk-pixbuf ---- */

static gboolean
pixbuf_format (const char *name, gboolean writable)
{
  gboolean found = FALSE;
  GSList *formats = gdk_pixbuf_get_formats ();
  for (GSList *l = formats; l != NULL; l = l->next)
    {
      g_autofree char *n = gdk_pixbuf_format_get_name (l->data);
      if (g_str_equal (n, name) && (!writable || gdk_pixbuf_format_is_writable (l->data)))
        found = TRUE;
    }
  g_slist_free (formats);
  return found;
}

static void
test_pixbuf_format (gconstpointer data)
{
  const char *name = data;
  if (!pixbuf_format (name, TRUE))
    {
      g_autofree char *why = g_strdup_printf ("no gdk-pixbuf loader/saver for %s", name);
      g_test_skip (why);
      return;
    }
  /* RGB, or RGBA for ICO (its alpha kept exactly) */
  gboolean alpha = g_str_equal (name, "ico");
  int n = alpha ? 4 : 3;
  enum { H = 24, W = 32 };
  g_autofree guint8 *px = g_new (guint8, H * W * n);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      for (int c = 0; c < n; c++)
        px[(y * W + x) * n + c] =
          c == 3 ? (guint8) (255 - 6 * x) : (guint8) (10 + 40 * c + 3 * y + 2 * x);
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new_from_data (
    px, GDK_COLORSPACE_RGB, alpha, 8, W, H, W * n, NULL, NULL);
  gchar *buffer = NULL;
  gsize len = 0;
  GError *error = NULL;
  gboolean lossy = g_str_equal (name, "webp");
  if (lossy)
    gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &len, name, &error, "quality", "100", NULL);
  else
    gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &len, name, &error, NULL);
  g_assert_no_error (error);
  g_autofree char *what = g_strdup_printf ("x.%s", name);
  g_autoptr (AnImage) img = an_image_decode_scaled ((const guint8 *) buffer, len, what,
                                                    AN_IMAGE_MAX_PIXELS, 8, &error);
  g_assert_no_error (error);
  g_assert_cmpint (img->channels, ==, 3);
  g_assert_cmpint (img->height, ==, H);
  g_assert_cmpint (img->width, ==, W);
  int worst = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      for (int c = 0; c < 3; c++)
        {
          const guint8 *p = px + (y * W + x) * n;
          /* alpha composited on black: c * a / 255 */
          double want = alpha ? p[c] * p[3] / 255.0 : p[c];
          int got = img->pixels[((gsize) c * H + y) * W + x];
          worst = MAX (worst, (int) ceil (fabs (got - want) - 0.5));
        }
  g_test_message ("%s: %zu bytes, max error %d levels", name, len, worst);
  g_assert_cmpint (worst, <=, lossy ? 8 : 0);

  /* the pixel cap is applied from the header; a truncated file is named with its format */
  g_assert_null (an_image_decode ((const guint8 *) buffer, len, what, H * W - 1, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_test_message ("capped: %s", error->message);
  g_assert_nonnull (strstr (error->message, "image size 32x24 out of range"));
  g_clear_error (&error);
  g_assert_null (an_image_decode ((const guint8 *) buffer, len / 2, what, AN_IMAGE_MAX_PIXELS,
                                  &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_test_message ("truncated: %s", error->message);
  g_assert_true (g_str_has_prefix (error->message, what));
  g_clear_error (&error);
  g_free (buffer);
}

static void
test_pixbuf_grey (void)
{
  if (!pixbuf_format ("bmp", TRUE))
    {
      g_test_skip ("no gdk-pixbuf BMP loader/saver");
      return;
    }
  /* gdk-pixbuf has no grey layout: an image whose three channels agree comes back grey */
  enum { H = 5, W = 7 };
  guint8 px[H * W * 3];
  for (int i = 0; i < H * W; i++)
    px[3 * i] = px[3 * i + 1] = px[3 * i + 2] = (guint8) (i * 7);
  g_autoptr (GdkPixbuf) pixbuf =
    gdk_pixbuf_new_from_data (px, GDK_COLORSPACE_RGB, FALSE, 8, W, H, W * 3, NULL, NULL);
  gchar *buffer = NULL;
  gsize len = 0;
  GError *error = NULL;
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &len, "bmp", &error, NULL));
  g_autoptr (AnImage) img = an_image_from_bytes ((const guint8 *) buffer, len, "g.bmp", &error);
  g_assert_no_error (error);
  g_assert_cmpint (img->channels, ==, 1);
  for (int i = 0; i < H * W; i++)
    g_assert_cmpint (img->pixels[i], ==, i * 7);
  g_free (buffer);
}

/* GIF's LZW codes, packed least significant bit first. */
typedef struct {
  GByteArray *out;
  guint32 bits;
  int count;
} BitWriter;

static void
put_code (BitWriter *w, guint32 code, int width)
{
  w->bits |= code << w->count;
  w->count += width;
  while (w->count >= 8)
    {
      guint8 b = w->bits & 0xff;
      g_byte_array_append (w->out, &b, 1);
      w->bits >>= 8;
      w->count -= 8;
    }
}

/* One frame of 4-colour indices, LZW-coded without compression: with a minimum code size of
 * 2 the codes are 3 bits, and a clear code (4) after every two pixels keeps the decoder's
 * table below 8 entries, so the width never grows. */
static void
gif_frame (GByteArray *gif, const guint8 *index, int height, int width)
{
  static const guint8 descriptor[] = { 0x2c, 0, 0, 0, 0 };
  g_byte_array_append (gif, descriptor, sizeof descriptor);
  guint8 size[5] = { width & 0xff, width >> 8, height & 0xff, height >> 8, 0 };
  g_byte_array_append (gif, size, 5);
  guint8 min_code = 2;
  g_byte_array_append (gif, &min_code, 1);
  BitWriter w = { g_byte_array_new (), 0, 0 };
  for (int i = 0; i < height * width; i++)
    {
      if (i % 2 == 0)
        put_code (&w, 4, 3);
      put_code (&w, index[i], 3);
    }
  put_code (&w, 5, 3); /* end of information */
  put_code (&w, 0, 7); /* flush */
  for (guint at = 0; at < w.out->len; at += 255)
    {
      guint8 n = (guint8) MIN (255u, w.out->len - at);
      g_byte_array_append (gif, &n, 1);
      g_byte_array_append (gif, w.out->data + at, n);
    }
  guint8 end = 0;
  g_byte_array_append (gif, &end, 1);
  g_byte_array_unref (w.out);
}

static void
test_gif (void)
{
  if (!pixbuf_format ("gif", FALSE))
    {
      g_test_skip ("no gdk-pixbuf GIF loader");
      return;
    }
  enum { H = 6, W = 10 };
  static const guint8 palette[4][3] = {
    { 0, 0, 0 }, { 250, 10, 10 }, { 10, 200, 30 }, { 40, 50, 240 },
  };
  g_autoptr (GByteArray) gif = g_byte_array_new ();
  g_byte_array_append (gif, (const guint8 *) "GIF89a", 6);
  guint8 screen[7] = { W, 0, H, 0, 0x81 /* global table of 4 colours */, 0, 0 };
  g_byte_array_append (gif, screen, 7);
  g_byte_array_append (gif, &palette[0][0], sizeof palette);
  guint8 first[H * W], second[H * W];
  for (int i = 0; i < H * W; i++)
    {
      first[i] = (guint8) (1 + (i / W + i % W) % 3);
      second[i] = 0;
    }
  /* two frames, each with a graphic control block (delay 0.1 s): an animation */
  static const guint8 control[] = { 0x21, 0xf9, 4, 0, 10, 0, 0, 0 };
  g_byte_array_append (gif, control, sizeof control);
  gif_frame (gif, first, H, W);
  g_byte_array_append (gif, control, sizeof control);
  gif_frame (gif, second, H, W);
  guint8 trailer = 0x3b;
  g_byte_array_append (gif, &trailer, 1);
  GError *error = NULL;
  g_autoptr (AnImage) img = an_image_from_bytes (gif->data, gif->len, "anim.gif", &error);
  g_assert_no_error (error);
  g_assert_cmpint (img->channels, ==, 3);
  g_assert_cmpint (img->height, ==, H);
  g_assert_cmpint (img->width, ==, W);
  for (int i = 0; i < H * W; i++)
    for (int c = 0; c < 3; c++)
      g_assert_cmpint (img->pixels[c * H * W + i], ==, palette[first[i]][c]);
  /* cut inside the first frame's pixels (header, palette, control, descriptor: 43 bytes) */
  g_assert_null (an_image_from_bytes (gif->data, 50, "cut.gif", &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "cut.gif: unreadable GIF image"));
  g_clear_error (&error);
}

static void
test_vector_refused (void)
{
  static const char svg[] = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
                            "width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\"/>"
                            "</svg>\n";
  GError *error = NULL;
  g_assert_null (an_image_from_bytes ((const guint8 *) svg, sizeof svg - 1, "logo.svg", &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "logo.svg: not an image in a format"));
  g_clear_error (&error);
}

static void
test_bad_headers (void)
{
  /* headers that gdk-pixbuf's loaders would allocate from before announcing a size: refused
   * from the header, naming the file */
  guint8 bmp[64] = { 'B', 'M' };
  bmp[10] = 54; /* pixel data offset */
  bmp[14] = 40; /* BITMAPINFOHEADER */
  bmp[18] = 0x00, bmp[19] = 0x80; /* 32768 x 32768 */
  bmp[22] = 0x00, bmp[23] = 0x80;
  bmp[26] = 1, bmp[28] = 24;
  GError *error = NULL;
  g_assert_null (an_image_from_bytes (bmp, sizeof bmp, "huge.bmp", &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "huge.bmp: image size 32768x32768 out of range"));
  g_clear_error (&error);
  bmp[14] = 0x28, bmp[17] = 0xff; /* an info header of 4 GiB */
  g_assert_null (an_image_from_bytes (bmp, sizeof bmp, "odd.bmp", &error));
  g_assert_nonnull (strstr (error->message, "odd.bmp: unreadable BMP image: unknown header"));
  g_clear_error (&error);
  bmp[17] = 0, bmp[10] = 0xff, bmp[13] = 0x7f; /* pixels past the end */
  g_assert_null (an_image_from_bytes (bmp, sizeof bmp, "cut.bmp", &error));
  g_assert_nonnull (strstr (error->message, "cut.bmp: unreadable BMP image: pixel data past"));
  g_clear_error (&error);

  guint8 gif[32] = { 'G', 'I', 'F', '8', '9', 'a', 0xff, 0xff, 0xff, 0xff };
  g_assert_null (an_image_from_bytes (gif, sizeof gif, "huge.gif", &error));
  g_assert_nonnull (strstr (error->message, "huge.gif: image size 65535x65535 out of range"));
  g_clear_error (&error);

  /* a VP8X WebP canvas of 16384 x 16384 */
  guint8 webp[40] = { 'R', 'I', 'F', 'F', 32, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'X' };
  webp[24] = 0xff, webp[25] = 0x3f, webp[27] = 0xff, webp[28] = 0x3f;
  g_assert_null (an_image_from_bytes (webp, sizeof webp, "huge.webp", &error));
  g_assert_nonnull (strstr (error->message, "huge.webp: image size 16384x16384 out of range"));
  g_clear_error (&error);

  /* a TIFF whose IFD0 says 40000 x 30000 (LONG width, SHORT length) */
  static const guint8 tiff[] = { 'I', 'I', 42, 0, 8, 0, 0, 0, 2, 0,
                                 0, 1, 4, 0, 1, 0, 0, 0, 0x40, 0x9c, 0, 0,
                                 1, 1, 3, 0, 1, 0, 0, 0, 0x30, 0x75, 0, 0,
                                 0, 0, 0, 0 };
  g_assert_null (an_image_from_bytes (tiff, sizeof tiff, "huge.tif", &error));
  g_assert_nonnull (strstr (error->message, "huge.tif: image size 40000x30000 out of range"));
  g_clear_error (&error);
}

static void
test_names (void)
{
  const char *const yes[] = { "a.png", "b.JPG", "c.jpeg", "d.Jpe", "dir.v2/e.png" };
  for (gsize i = 0; i < G_N_ELEMENTS (yes); i++)
    g_assert_true (an_image_name_supported (yes[i]));
  const char *const no[] = { "notes.txt", "noext", "trailing.", "png", "f.png.txt", "g.svg" };
  for (gsize i = 0; i < G_N_ELEMENTS (no); i++)
    g_assert_false (an_image_name_supported (no[i]));
  /* the loaders' own extensions, where the loader is there */
  const char *const loaded[][2] = { { "webp", "h.WebP" }, { "bmp", "i.bmp" }, { "gif", "j.gif" },
                                    { "tiff", "k.tif" }, { "tiff", "l.TIFF" } };
  for (gsize i = 0; i < G_N_ELEMENTS (loaded); i++)
    g_assert_cmpint (an_image_name_supported (loaded[i][1]), ==,
                     pixbuf_format (loaded[i][0], FALSE));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/decode/scaled", test_scaled);
  g_test_add_func ("/data/decode/exif-orientation", test_exif_orientation);
  g_test_add_func ("/data/decode/exif-malformed", test_exif_malformed);
  g_test_add_func ("/data/decode/cmyk", test_cmyk);
  static const char *const formats[] = { "bmp", "tiff", "ico", "webp" };
  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *path = g_strdup_printf ("/data/decode/pixbuf/%s", formats[i]);
      g_test_add_data_func (path, formats[i], test_pixbuf_format);
    }
  g_test_add_func ("/data/decode/pixbuf/grey", test_pixbuf_grey);
  g_test_add_func ("/data/decode/pixbuf/gif", test_gif);
  g_test_add_func ("/data/decode/pixbuf/vector-refused", test_vector_refused);
  g_test_add_func ("/data/decode/names", test_names);
  g_test_add_func ("/data/decode/pixbuf/bad-headers", test_bad_headers);
  return g_test_run ();
}
