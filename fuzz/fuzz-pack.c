/* fuzz-pack.c: libFuzzer target for the packed-dataset parser (an_pack_parse).
 * The first byte picks the mode: even, the bytes as they are (the checks of magic, version,
 * header checksum and sizes); odd, the same bytes with their three kinds of checksum
 * recomputed first where the header's fields let them be found, so that the fuzzer also
 * reaches the class names, the index and the pixels behind the checksums. */
#include "config.h"

#include <string.h>
#include <zlib.h>

#include "an-pack.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t len);

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static void
set32 (guint8 *p, guint32 v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (guint8) (v >> (8 * i));
}

static guint32
crc (const guint8 *p, guint64 n)
{
  return (guint32) crc32 (crc32 (0L, Z_NULL, 0), p, (uInt) n);
}

/* Recomputes the chunk, index and header checksums of d in place where they can be found. */
static void
fix_checksums (guint8 *d, gsize len)
{
  if (len < AN_PACK_HEADER_LEN)
    return;
  guint64 channels = le32 (d + 12), size = le32 (d + 16);
  guint64 count = (guint64) le32 (d + 24) + le32 (d + 28), chunk = le32 (d + 32);
  guint64 names = le32 (d + 36), offset = (guint64) le32 (d + 40) | (guint64) le32 (d + 44) << 32;
  if (chunk > 0 && count < len && size <= AN_PACK_MAX_SIZE && channels <= 3 && offset <= len)
    {
      guint64 n_chunks = (count + chunk - 1) / chunk, image = channels * size * size;
      guint64 meta_end = AN_PACK_HEADER_LEN + names + count * 16 + n_chunks * 4;
      if (meta_end <= offset && offset + count * image <= len)
        {
          guint8 *table = d + meta_end - n_chunks * 4;
          for (guint64 c = 0; c < n_chunks; c++)
            {
              guint64 first = c * chunk, n = MIN (count - first, chunk);
              set32 (table + 4 * c, crc (d + offset + first * image, n * image));
            }
          set32 (d + 48, crc (d + AN_PACK_HEADER_LEN, meta_end - AN_PACK_HEADER_LEN));
        }
    }
  set32 (d + 52, crc (d, 52));
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t len)
{
  if (len < 1)
    return 0;
  gboolean fix = data[0] & 1;
  data++;
  len--;
  guint8 *copy = g_malloc (MAX (len, 1));
  memcpy (copy, data, len);
  if (fix)
    fix_checksums (copy, len);
  AnPackInfo info;
  GError *error = NULL;
  if (!an_pack_parse (copy, len, "fuzz", TRUE, &info, &error))
    {
      /* a refusal names the file and a field */
      g_assert (error != NULL && g_str_has_prefix (error->message, "fuzz: "));
      g_error_free (error);
    }
  else
    {
      /* every pixel and label handed out must be readable */
      guint64 sum = 0, n = (guint64) info.train_count + info.test_count;
      guint64 bytes = n * info.channels * info.size * info.size;
      for (guint64 i = 0; i < bytes; i++)
        sum += info.pixels[i];
      for (guint64 i = 0; i < n; i++)
        sum += (guint64) info.labels[i];
      g_assert (g_strv_length (info.class_names) == (guint) info.classes);
      (void) sum;
      an_pack_info_clear (&info);
    }
  g_free (copy);
  return 0;
}
