/* fuzz-image.c: libFuzzer target for image decoding: PNG, JPEG (Exif orientation, CMYK/YCCK,
 * DCT-domain scaling) and the gdk-pixbuf formats (WebP, BMP, GIF, TIFF, ICO...), then the
 * conversion of whatever decodes into a model input (resize, grey <-> RGB) and the resize. */
#include "config.h"

#include <stdlib.h>

#include "an-dataset-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t len);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t len)
{
  /* a small pixel cap keeps an input well inside the fuzzer's time and memory limits (the
   * resampler's loops are slow under coverage instrumentation: a 42x19789 JPEG took 12 s) */
  const guint64 cap = (guint64) 1 << 18;
  GError *error = NULL;
  AnImage *img = an_image_decode (data, len, "fuzz", cap, &error);
  if (img == NULL)
    {
      /* every failure says why, naming the input */
      if (error == NULL || !g_str_has_prefix (error->message, "fuzz"))
        abort ();
      g_error_free (error);
      return 0;
    }
  if (error != NULL || (img->channels != 1 && img->channels != 3) ||
      (guint64) img->height * img->width > cap)
    abort ();
  AnInputSpec spec = { 0 };
  spec.channels = img->channels == 1 ? 3 : 1;
  spec.height = 32;
  spec.width = 32;
  float out[3 * 32 * 32];
  an_input_from_image (&spec, img->pixels, img->channels, img->height, img->width, out);
  AnImage *small = an_image_resize (img, 7, 5);
  an_image_free (small);

  /* DCT-domain scaling, the short side asked for from the last byte: never larger than the
   * full-size decode, and never below an eighth of it */
  int min_side = len > 0 ? data[len - 1] : 0;
  AnImage *scaled = an_image_decode_scaled (data, len, "fuzz", cap, min_side, &error);
  if (scaled != NULL &&
      (scaled->height > img->height || scaled->width > img->width ||
       scaled->height * 8 < img->height || scaled->width * 8 < img->width))
    abort ();
  g_clear_error (&error);
  an_image_free (scaled);
  an_image_free (img);
  return 0;
}
