/* fuzz-cifar.c: libFuzzer target for the CIFAR record parser.
 * The first byte picks CIFAR-10 (1 label byte) or CIFAR-100 (2, coarse or fine). */
#include "config.h"

#include "an-dataset-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t len);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t len)
{
  if (len < 1)
    return 0;
  int mode = data[0] % 3;
  int label_bytes = mode == 0 ? 1 : 2, field = mode == 2 ? 1 : 0;
  int num_classes = mode == 0 ? 10 : mode == 1 ? 20 : 100;
  data++;
  len--;
  int count = 0;
  if (!an_cifar_count_records (len, label_bytes, "fuzz", &count, NULL))
    return 0;
  guint8 *pixels = g_malloc ((gsize) count * AN_CIFAR_PIXELS);
  gint32 *labels = g_new (gint32, count);
  an_cifar_parse_records (data, len, "fuzz", label_bytes, field, num_classes, pixels, labels,
                          NULL);
  g_free (pixels);
  g_free (labels);
  return 0;
}
