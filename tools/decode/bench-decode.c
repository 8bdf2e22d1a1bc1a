/* bench-decode: the time to decode a photo-sized JPEG and resize its shorter side to 256, at
 * full size and with libjpeg's DCT-domain scaling (an_image_decode_scaled), one thread.
 * bench-decode [FILE.jpg] [REPEATS]: without a file, a 4000x3000 JPEG (quality 90, a smooth
 * scene with edges and grain) is made in memory; bench-decode --save OUT.jpg writes that one
 * (to time other decoders on the same file). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <jpeglib.h>

#include "an-dataset-private.h"
#include "an-rng.h"

static guint8 *
make_photo (int height, int width, gsize *len)
{
  guint8 *rgb = g_malloc ((gsize) height * width * 3);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      for (int c = 0; c < 3; c++)
        {
          double v = 60 + 40 * c + 80.0 * y / height + 50.0 * x / width;
          if ((x / 250 + y / 250) % 2)
            v -= 40; /* edges every 250 pixels */
          v += 24 * (an_rng_uniform (7, 0, ((guint64) y * width + x) * 3 + c) - 0.5);
          rgb[((gsize) y * width + x) * 3 + c] = (guint8) CLAMP (v, 0, 255);
        }
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  unsigned char *out = NULL;
  unsigned long out_len = 0;
  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_compress (&cinfo);
  jpeg_mem_dest (&cinfo, &out, &out_len);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, 90, TRUE);
  jpeg_start_compress (&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height)
    {
      JSAMPROW row = rgb + (gsize) cinfo.next_scanline * width * 3;
      jpeg_write_scanlines (&cinfo, &row, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  g_free (rgb);
  guint8 *copy = g_memdup2 (out, out_len);
  free (out);
  *len = out_len;
  return copy;
}

/* Decodes (DCT-scaled when min_side > 0), then resizes the shorter side to 256 unless
 * decode_only. */
static double
run (const guint8 *data, gsize len, int min_side, gboolean decode_only, int repeats, int *dh,
     int *dw)
{
  gint64 start = g_get_monotonic_time ();
  for (int r = 0; r < repeats; r++)
    {
      GError *error = NULL;
      AnImage *img = an_image_decode_scaled (data, len, "bench", AN_IMAGE_MAX_PIXELS, min_side,
                                             &error);
      if (img == NULL)
        g_error ("%s", error->message);
      *dh = img->height;
      *dw = img->width;
      if (decode_only)
        {
          an_image_free (img);
          continue;
        }
      int h = img->height <= img->width ? 256 : (int) ((gint64) 256 * img->height / img->width);
      int w = img->height <= img->width ? (int) ((gint64) 256 * img->width / img->height) : 256;
      AnImage *small = an_image_resize (img, h, w);
      an_image_free (small);
      an_image_free (img);
    }
  return (g_get_monotonic_time () - start) / 1000.0 / repeats;
}

int
main (int argc, char **argv)
{
  g_autofree guint8 *data = NULL;
  gsize len = 0;
  if (argc == 3 && g_str_equal (argv[1], "--save"))
    {
      data = make_photo (3000, 4000, &len);
      return g_file_set_contents (argv[2], (const char *) data, (gssize) len, NULL) ? 0 : 1;
    }
  if (argc > 1 && !g_file_get_contents (argv[1], (char **) &data, &len, NULL))
    {
      fprintf (stderr, "bench-decode: cannot read %s\n", argv[1]);
      return 1;
    }
  if (data == NULL)
    data = make_photo (3000, 4000, &len);
  int repeats = argc > 2 ? atoi (argv[2]) : 5;
  int h, w;
  run (data, len, 256, FALSE, 1, &h, &w); /* warm-up */
  double full = run (data, len, 0, FALSE, repeats, &h, &w);
  double full_decode = run (data, len, 0, TRUE, repeats, &h, &w);
  printf ("full-size decode (%dx%d) + resize to 256: %.1f ms/image (decoding %.1f)\n", w, h,
          full, full_decode);
  double scaled = run (data, len, 256, FALSE, repeats, &h, &w);
  double scaled_decode = run (data, len, 256, TRUE, repeats, &h, &w);
  printf ("DCT-scaled decode (%dx%d) + resize to 256: %.1f ms/image (decoding %.1f), %.1fx "
          "faster\n", w, h, scaled, scaled_decode, full / scaled);
  printf ("JPEG: %zu bytes, %d repeats, one thread\n", len, repeats);
  return 0;
}
