/* an-png.h: writing PNG files, for the engine's pictures (an-render.h, an_image_save_png) and
 * the window's exports (charts, tile grids): one writer, one error domain (AN_ERROR).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  AN_PNG_GREY,          /* 1 byte per pixel */
  AN_PNG_GREY_ALPHA,    /* 2 bytes, grey and alpha */
  AN_PNG_RGB,           /* 3 bytes, R G B */
  AN_PNG_RGBA,          /* 4 bytes, R G B A, alpha not premultiplied */
  AN_PNG_CAIRO_ARGB32,  /* cairo's CAIRO_FORMAT_ARGB32: a native-endian 32-bit word per pixel,
                           0xAARRGGBB with the colour premultiplied by alpha */
} AnPngFormat;

/* Writes height rows of width pixels, row r at pixels + r * stride bytes, to path as 8-bit
 * PNG: through a temporary file renamed over path, so a failure leaves an older file whole.
 * FALSE + an AN_ERROR_IO error naming path and the reason. */
gboolean an_png_write (const char *path, const guint8 *pixels, int width, int height,
                       gsize stride, AnPngFormat format, GError **error);

G_END_DECLS
