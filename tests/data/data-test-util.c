/* data-test-util.c: scratch directories and hand-written dataset files for the data tests.
 * The writers here share no code with the readers under test. */
#define G_LOG_DOMAIN "alexnet-test"
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <jpeglib.h>
#include <zlib.h>

#include "data-test-util.h"

char *
test_tmpdir (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("an-data-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

void
test_rmdir (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return;
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        test_rmdir (path);
      else
        g_unlink (path);
    }
  g_dir_close (d);
  g_rmdir (dir);
}

void
test_write_file (const char *path, const void *data, gsize len)
{
  GError *error = NULL;
  g_file_set_contents (path, data, (gssize) len, &error);
  g_assert_no_error (error);
}

void
test_write_gzip (const char *path, const void *data, gsize len)
{
  gzFile f = gzopen (path, "wb");
  g_assert_nonnull (f);
  g_assert_cmpint (gzwrite (f, data, (unsigned) len), ==, (int) len);
  g_assert_cmpint (gzclose (f), ==, Z_OK);
}

static void
append_be32 (GByteArray *a, guint32 v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };
  g_byte_array_append (a, b, 4);
}

GByteArray *
test_idx_images (guint32 magic, guint32 count, guint32 rows, guint32 cols,
                 const guint8 *pixels, gsize pixels_len)
{
  GByteArray *a = g_byte_array_new ();
  append_be32 (a, magic);
  append_be32 (a, count);
  append_be32 (a, rows);
  append_be32 (a, cols);
  g_byte_array_append (a, pixels, (guint) pixels_len);
  return a;
}

GByteArray *
test_idx_labels (guint32 magic, guint32 count, const guint8 *labels, gsize len)
{
  GByteArray *a = g_byte_array_new ();
  append_be32 (a, magic);
  append_be32 (a, count);
  g_byte_array_append (a, labels, (guint) len);
  return a;
}

void
test_write_jpeg (const AnImage *img, const char *path, int quality)
{
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  FILE *f = fopen (path, "wb");
  g_assert_nonnull (f);
  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_compress (&cinfo);
  jpeg_stdio_dest (&cinfo, f);
  cinfo.image_width = img->width;
  cinfo.image_height = img->height;
  cinfo.input_components = img->channels;
  cinfo.in_color_space = img->channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, quality, TRUE);
  jpeg_start_compress (&cinfo, TRUE);
  gsize plane = (gsize) img->height * img->width;
  g_autofree guint8 *row = g_new (guint8, (gsize) img->width * img->channels);
  while (cinfo.next_scanline < cinfo.image_height)
    {
      int y = (int) cinfo.next_scanline;
      for (int x = 0; x < img->width; x++)
        for (int c = 0; c < img->channels; c++)
          row[x * img->channels + c] = img->pixels[c * plane + (gsize) y * img->width + x];
      JSAMPROW r = row;
      jpeg_write_scanlines (&cinfo, &r, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  fclose (f);
}

guint8
test_pattern (int i, int c, int y, int x)
{
  return (guint8) ((i * 37 + c * 101 + y * 13 + x * 7 + (x * y) % 11) & 0xff);
}
