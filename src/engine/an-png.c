/* an-png.c: PNG files (an-png.h), through libpng's simplified API into memory, then written
 * with GLib's consistent file replacement. */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <png.h>
#include <string.h>

#include "an-error.h"
#include "an-png.h"

/* cairo's premultiplied native-endian words to straight RGBA bytes */
static guint8 *
cairo_to_rgba (const guint8 *pixels, int width, int height, gsize stride)
{
  guint8 *out = g_malloc ((gsize) width * height * 4);

  for (int y = 0; y < height; y++)
    {
      const guint32 *row = (const guint32 *) (gconstpointer) (pixels + y * stride);
      guint8 *o = out + (gsize) y * width * 4;

      for (int x = 0; x < width; x++, o += 4)
        {
          guint32 p = row[x];
          guint a = p >> 24;
          guint rgb[3] = { (p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff };

          for (int c = 0; c < 3; c++)
            o[c] = a == 0 ? 0 : (guint8) MIN ((rgb[c] * 255 + a / 2) / a, 255);
          o[3] = (guint8) a;
        }
    }
  return out;
}

gboolean
an_png_write (const char *path, const guint8 *pixels, int width, int height, gsize stride,
              AnPngFormat format, GError **error)
{
  static const png_uint_32 png_formats[] = {
    [AN_PNG_GREY] = PNG_FORMAT_GRAY,
    [AN_PNG_GREY_ALPHA] = PNG_FORMAT_GA,
    [AN_PNG_RGB] = PNG_FORMAT_RGB,
    [AN_PNG_RGBA] = PNG_FORMAT_RGBA,
    [AN_PNG_CAIRO_ARGB32] = PNG_FORMAT_RGBA,
  };
  png_image png = { 0 };
  g_autofree guint8 *rgba = NULL;
  g_autofree guint8 *data = NULL;
  png_alloc_size_t size = 0;
  g_autoptr (GError) local = NULL;

  g_return_val_if_fail (path != NULL && pixels != NULL, FALSE);
  g_return_val_if_fail (width > 0 && height > 0 && (guint) format <= AN_PNG_CAIRO_ARGB32, FALSE);

  if (format == AN_PNG_CAIRO_ARGB32)
    {
      rgba = cairo_to_rgba (pixels, width, height, stride);
      pixels = rgba;
      stride = (gsize) width * 4;
    }
  png.version = PNG_IMAGE_VERSION;
  png.width = (png_uint_32) width;
  png.height = (png_uint_32) height;
  png.format = png_formats[format];
  /* the first call measures, the second writes */
  if (png_image_write_to_memory (&png, NULL, &size, FALSE, pixels, (png_int_32) stride, NULL))
    {
      data = g_malloc (size);
      if (!png_image_write_to_memory (&png, data, &size, FALSE, pixels, (png_int_32) stride,
                                      NULL))
        size = 0;
    }
  if (data == NULL || size == 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "%s: cannot write PNG: %s", path, png.message);
      png_image_free (&png);
      return FALSE;
    }
  if (!g_file_set_contents_full (path, (const char *) data, (gssize) size,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0666, &local))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "%s: cannot write PNG: %s", path,
                   local->message);
      return FALSE;
    }
  return TRUE;
}
