/* an-idx.c: MNIST / Fashion-MNIST IDX files, gzip'd or raw.
 * Big-endian 32-bit magic (0x00000803 images, 0x00000801 labels) and dimensions, then one
 * byte per pixel or label. Every count in a header is checked against the bytes actually
 * present (after decompression) before anything is allocated from it.
 */
#define G_LOG_DOMAIN "alexnet-data"
#include "config.h"

#include <string.h>
#include <zlib.h>

#include "an-dataset-private.h"
#include "an-error.h"

enum {
  IDX_MAGIC_IMAGES = 0x00000803, /* unsigned byte, 3 dimensions */
  IDX_MAGIC_LABELS = 0x00000801, /* unsigned byte, 1 dimension */
  IDX_MAX_SIDE = 1 << 15,
};

GMappedFile *
an_data_map_file (const char *path, gsize max_len, GError **error)
{
  GError *local = NULL;
  GMappedFile *file = g_mapped_file_new (path, FALSE, &local);
  if (file == NULL)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "%s", local->message);
      g_error_free (local);
      return NULL;
    }
  if (g_mapped_file_get_length (file) > max_len)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: %" G_GSIZE_FORMAT
                   " bytes, more than the %" G_GSIZE_FORMAT " a dataset file may have",
                   path, g_mapped_file_get_length (file), max_len);
      g_mapped_file_unref (file);
      return NULL;
    }
  return file;
}

guint8 *
an_gunzip (const guint8 *data, gsize len, gsize max_len, const char *what, gsize *out_len,
           GError **error)
{
  z_stream z = { 0 };
  if (inflateInit2 (&z, 16 + MAX_WBITS) != Z_OK)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_NO_MEMORY, "%s: cannot start zlib", what);
      return NULL;
    }
  /* Grow geometrically from a guess; the cap, not the (untrusted) gzip trailer, bounds it. */
  gsize cap = MIN (max_len, MAX ((gsize) 1 << 16, len * 4));
  guint8 *out = g_try_malloc (cap);
  gsize used = 0;
  gsize consumed = 0;
  int rc = Z_OK;
  if (out == NULL)
    goto no_memory;

  while (TRUE)
    {
      if (used == cap)
        {
          if (cap == max_len)
            {
              g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                           "%s: decompresses to more than %" G_GSIZE_FORMAT " bytes", what,
                           max_len);
              goto fail;
            }
          cap = cap > max_len / 2 ? max_len : cap * 2;
          guint8 *bigger = g_try_realloc (out, cap);
          if (bigger == NULL)
            goto no_memory;
          out = bigger;
        }
      /* zlib's counters are 32-bit: feed it at most 1 GiB at a time. */
      z.next_in = (Bytef *) data + consumed;
      z.avail_in = (uInt) MIN (len - consumed, (gsize) 1 << 30);
      z.next_out = out + used;
      z.avail_out = (uInt) MIN (cap - used, (gsize) 1 << 30);
      uInt in_before = z.avail_in, out_before = z.avail_out;
      rc = inflate (&z, Z_NO_FLUSH);
      consumed += in_before - z.avail_in;
      used += out_before - z.avail_out;
      if (rc == Z_STREAM_END)
        {
          /* Another gzip member may follow (gzip concatenates); trailing zeros are padding. */
          gsize rest = len - consumed;
          if (rest >= 2 && data[consumed] == 0x1f && data[consumed + 1] == 0x8b)
            {
              inflateReset (&z);
              continue;
            }
          break;
        }
      if (rc == Z_BUF_ERROR && z.avail_in == 0 && consumed == len)
        {
          g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                       "%s: truncated gzip stream (ends after %" G_GSIZE_FORMAT
                       " decompressed bytes)", what, used);
          goto fail;
        }
      if (rc != Z_OK && rc != Z_BUF_ERROR)
        {
          g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: corrupt gzip data at byte %"
                       G_GSIZE_FORMAT ": %s", what, consumed, z.msg ? z.msg : "inflate failed");
          goto fail;
        }
    }
  inflateEnd (&z);
  *out_len = used;
  return out;

no_memory:
  g_set_error (error, AN_ERROR, AN_ERROR_NO_MEMORY, "%s: out of memory decompressing", what);
fail:
  inflateEnd (&z);
  g_free (out);
  return NULL;
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static gboolean
check_magic (const guint8 *data, gsize len, const char *what, guint32 want, gsize header,
             GError **error)
{
  if (len < header)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "%s: truncated: %" G_GSIZE_FORMAT " bytes, shorter than the %" G_GSIZE_FORMAT
                   "-byte IDX header", what, len, header);
      return FALSE;
    }
  guint32 magic = read_be32 (data);
  if (magic != want)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "%s: wrong magic 0x%08x, expected 0x%08x (IDX %s)", what, magic, want,
                   want == IDX_MAGIC_IMAGES ? "images" : "labels");
      return FALSE;
    }
  return TRUE;
}

gboolean
an_idx_parse_images (const guint8 *data, gsize len, const char *what, int *count, int *height,
                     int *width, guint8 **pixels, GError **error)
{
  const gsize header = 16;
  if (!check_magic (data, len, what, IDX_MAGIC_IMAGES, header, error))
    return FALSE;
  guint32 n = read_be32 (data + 4), rows = read_be32 (data + 8), cols = read_be32 (data + 12);
  if (n == 0 || n > G_MAXINT)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: image count %u out of range", what, n);
      return FALSE;
    }
  if (rows == 0 || cols == 0 || rows > IDX_MAX_SIDE || cols > IDX_MAX_SIDE)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "%s: image size %ux%u out of range (1..%d)", what, rows, cols, IDX_MAX_SIDE);
      return FALSE;
    }
  /* rows * cols < 2^30 and n < 2^31, so the product fits in 64 bits. */
  guint64 want = (guint64) n * rows * cols;
  if (want != len - header)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "%s: header says %u images of %ux%u (%" G_GUINT64_FORMAT " bytes) but the "
                   "file holds %" G_GSIZE_FORMAT " bytes of pixels%s", what, n, rows, cols, want,
                   len - header, want > len - header ? " (truncated)" : "");
      return FALSE;
    }
  guint8 *copy = g_try_malloc (want);
  if (copy == NULL)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_NO_MEMORY, "%s: out of memory for %" G_GUINT64_FORMAT
                   " bytes of pixels", what, want);
      return FALSE;
    }
  memcpy (copy, data + header, want);
  *count = (int) n;
  *height = (int) rows;
  *width = (int) cols;
  *pixels = copy;
  return TRUE;
}

gboolean
an_idx_parse_labels (const guint8 *data, gsize len, const char *what, int num_classes,
                     int *count, gint32 **labels, GError **error)
{
  const gsize header = 8;
  if (!check_magic (data, len, what, IDX_MAGIC_LABELS, header, error))
    return FALSE;
  guint32 n = read_be32 (data + 4);
  if (n == 0 || n > G_MAXINT)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: label count %u out of range", what, n);
      return FALSE;
    }
  if (n != len - header)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "%s: header says %u labels but the file holds %" G_GSIZE_FORMAT "%s", what, n,
                   len - header, n > len - header ? " (truncated)" : "");
      return FALSE;
    }
  for (guint32 i = 0; i < n; i++)
    if (data[header + i] >= num_classes)
      {
        g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                     "%s: label %u of record %u is out of range (0..%d)", what,
                     data[header + i], i, num_classes - 1);
        return FALSE;
      }
  gint32 *out = g_try_new (gint32, n);
  if (out == NULL)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_NO_MEMORY, "%s: out of memory for %u labels", what, n);
      return FALSE;
    }
  for (guint32 i = 0; i < n; i++)
    out[i] = data[header + i];
  *count = (int) n;
  *labels = out;
  return TRUE;
}
