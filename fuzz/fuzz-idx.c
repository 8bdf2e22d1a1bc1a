/* fuzz-idx.c: libFuzzer target for the IDX parsers and the gzip reader.
 * The first byte picks images or labels; the rest is an IDX file, gzip'd or raw. */
#include "config.h"

#include "an-dataset-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t len);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t len)
{
  if (len < 1)
    return 0;
  gboolean labels = data[0] & 1;
  data++;
  len--;
  g_autofree guint8 *inflated = NULL;
  if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b)
    {
      gsize out_len = 0;
      /* a small cap keeps gzip bombs inside the fuzzer's memory limit */
      inflated = an_gunzip (data, len, (gsize) 1 << 24, "fuzz", &out_len, NULL);
      if (inflated == NULL)
        return 0;
      data = inflated;
      len = out_len;
    }
  int count = 0, height = 0, width = 0;
  if (labels)
    {
      gint32 *out = NULL;
      if (an_idx_parse_labels (data, len, "fuzz", 10, &count, &out, NULL))
        g_free (out);
    }
  else
    {
      guint8 *pixels = NULL;
      if (an_idx_parse_images (data, len, "fuzz", &count, &height, &width, &pixels, NULL))
        g_free (pixels);
    }
  return 0;
}
