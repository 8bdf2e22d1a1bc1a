/* fuzz-seeds.c: writes small valid inputs for the fuzz targets (a starting corpus), so a
 * short fuzzing run reaches past the headers: fuzz-seeds DIR makes DIR/{idx,cifar,image}. */
#include "config.h"

#include <glib/gstdio.h>
#include <jpeglib.h>
#include <png.h>
#include <stdio.h>
#include <zlib.h>

static void
write_bytes (const char *dir, const char *name, const void *data, gsize len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_file_set_contents (path, data, (gssize) len, NULL);
}

static void
idx_seeds (const char *dir)
{
  /* selector byte + header + 2 images of 3x2 / 2 labels */
  static const guint8 images[] = { 0, 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2,
                                   1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
  static const guint8 labels[] = { 1, 0, 0, 8, 1, 0, 0, 0, 2, 9, 3 };
  write_bytes (dir, "images", images, sizeof images);
  write_bytes (dir, "labels", labels, sizeof labels);
  for (int k = 0; k < 2; k++)
    {
      const guint8 *src = k ? labels : images;
      gsize len = k ? sizeof labels : sizeof images;
      guint8 out[256];
      z_stream z = { 0 };
      deflateInit2 (&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
      z.next_in = (Bytef *) src + 1;
      z.avail_in = (uInt) len - 1;
      out[0] = src[0];
      z.next_out = out + 1;
      z.avail_out = sizeof out - 1;
      deflate (&z, Z_FINISH);
      write_bytes (dir, k ? "labels.gz" : "images.gz", out, 1 + z.total_out);
      deflateEnd (&z);
    }
}

static void
cifar_seeds (const char *dir)
{
  for (int mode = 0; mode < 3; mode++)
    {
      int label_bytes = mode == 0 ? 1 : 2;
      gsize len = 1 + 2 * (label_bytes + 3072);
      g_autofree guint8 *data = g_malloc0 (len);
      data[0] = (guint8) mode;
      for (gsize i = 1; i < len; i++)
        data[i] = (guint8) (i * 7 % 10);
      g_autofree char *name = g_strdup_printf ("mode%d", mode);
      write_bytes (dir, name, data, len);
    }
}

static void
png_seed (const char *dir, const char *name, png_uint_32 format, int interlace)
{
  enum { W = 9, H = 7 };
  guint8 pixels[H * W * 8];
  for (gsize i = 0; i < sizeof pixels; i++)
    pixels[i] = (guint8) (i * 13);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  if (!interlace)
    {
      png_image png = { 0 };
      png.version = PNG_IMAGE_VERSION;
      png.width = W;
      png.height = H;
      png.format = format;
      guint8 colormap[4 * 3] = { 255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9 };
      if (format & PNG_FORMAT_FLAG_COLORMAP)
        {
          png.colormap_entries = 4;
          for (gsize i = 0; i < sizeof pixels; i++)
            pixels[i] &= 3;
        }
      png_image_write_to_file (&png, path, FALSE, pixels, 0, colormap);
      return;
    }
  /* the simplified writer cannot interlace: the classic API does */
  FILE *f = fopen (path, "wb");
  png_structp w = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (w);
  png_init_io (w, f);
  png_set_IHDR (w, info, W, H, 16, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_ADAM7,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (w, info);
  png_bytep rows[H];
  for (int y = 0; y < H; y++)
    rows[y] = pixels + (gsize) y * W * 6;
  png_write_image (w, rows);
  png_write_end (w, info);
  png_destroy_write_struct (&w, &info);
  fclose (f);
}

static void
jpeg_seed (const char *dir, const char *name, int components, gboolean progressive)
{
  enum { W = 16, H = 12 };
  g_autofree char *path = g_build_filename (dir, name, NULL);
  FILE *f = fopen (path, "wb");
  struct jpeg_compress_struct c;
  struct jpeg_error_mgr err;
  c.err = jpeg_std_error (&err);
  jpeg_create_compress (&c);
  jpeg_stdio_dest (&c, f);
  c.image_width = W;
  c.image_height = H;
  c.input_components = components;
  c.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults (&c);
  jpeg_set_quality (&c, 75, TRUE);
  if (progressive)
    jpeg_simple_progression (&c);
  jpeg_start_compress (&c, TRUE);
  guint8 row[W * 3];
  while (c.next_scanline < H)
    {
      for (int i = 0; i < W * components; i++)
        row[i] = (guint8) (i * 5 + c.next_scanline * 17);
      JSAMPROW r = row;
      jpeg_write_scanlines (&c, &r, 1);
    }
  jpeg_finish_compress (&c);
  jpeg_destroy_compress (&c);
  fclose (f);
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      fprintf (stderr, "usage: %s DIR\n", argv[0]);
      return 2;
    }
  g_autofree char *idx = g_build_filename (argv[1], "idx", NULL);
  g_autofree char *cifar = g_build_filename (argv[1], "cifar", NULL);
  g_autofree char *image = g_build_filename (argv[1], "image", NULL);
  g_mkdir_with_parents (idx, 0755);
  g_mkdir_with_parents (cifar, 0755);
  g_mkdir_with_parents (image, 0755);
  idx_seeds (idx);
  cifar_seeds (cifar);
  png_seed (image, "grey.png", PNG_FORMAT_GRAY, 0);
  png_seed (image, "ga.png", PNG_FORMAT_GA, 0);
  png_seed (image, "rgb.png", PNG_FORMAT_RGB, 0);
  png_seed (image, "rgba.png", PNG_FORMAT_RGBA, 0);
  png_seed (image, "palette.png", PNG_FORMAT_RGB_COLORMAP, 0);
  png_seed (image, "rgb16-interlaced.png", 0, 1);
  jpeg_seed (image, "grey.jpg", 1, FALSE);
  jpeg_seed (image, "rgb.jpg", 3, FALSE);
  jpeg_seed (image, "progressive.jpg", 3, TRUE);
  return 0;
}
