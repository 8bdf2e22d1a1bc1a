/* fuzz-image.c: libFuzzer target for PNG/JPEG decoding (Exif, CMYK, DCT scaling), then the conversion of whatever
 * decodes into a model input (resize, grey <-> RGB) and the 8-bit resize. */
#include "config.h"

#include "an-dataset-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t len);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t len)
{
  /* a small pixel cap keeps decoding fast and inside the fuzzer's memory limit */
  AnImage *img = an_image_decode (data, len, "fuzz", (guint64) 1 << 20, NULL);
  if (img == NULL)
    return 0;
  AnInputSpec spec = { 0 };
  spec.channels = img->channels == 1 ? 3 : 1;
  spec.height = 32;
  spec.width = 32;
  float out[3 * 32 * 32];
  an_input_from_image (&spec, img->pixels, img->channels, img->height, img->width, out);
  AnImage *small = an_image_resize (img, 7, 5);
  an_image_free (small);
  an_image_free (img);
  /* JPEG's DCT-domain scaling (1/8 to full size, from the short side asked for) */
  img = an_image_decode_scaled (data, len, "fuzz", (guint64) 1 << 20, len > 0 ? data[len - 1] : 0,
                                NULL);
  an_image_free (img);
  return 0;
}
