/* an-pack.c: packed datasets (an-pack.h; the format in docs/FILES.md, "Packed datasets").
 *
 * Layout, little-endian:
 *   0   magic "ANPACK\r\n"        8   version u32           12  channels u32
 *   16  size u32                  20  classes u32           24  train count u32
 *   28  test count u32            32  chunk images u32      36  names bytes u32
 *   40  data offset u64           48  index CRC-32 u32      52  header CRC-32 u32 (bytes 0..51)
 *   56  reserved (0) x 8
 *   64  class names, each NUL-terminated (names bytes in all)
 *       index: one record per image, { label u32, split u32 (0 train, 1 test), offset u64 }
 *       chunk table: one CRC-32 per chunk of `chunk images` images (train then test, in order)
 *       (the index CRC covers names, index and chunk table)
 *       zeros up to the data offset (a multiple of 4096)
 *   data: the images, channels x size x size bytes each, train then test.
 * Nothing is read from the file before it is checked: every count is bounded, every offset
 * and length checked against the file's real size, before anything is allocated from it.
 */
#define G_LOG_DOMAIN "alexnet-data"
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "an-dataset-private.h"
#include "an-error.h"
#include "an-pack.h"
#include "an-pipeline.h"
#include "an-sync.h"

enum {
  INDEX_RECORD = 16,
  DATA_ALIGN = 4096,
};

static guint32
get32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static guint64
get64 (const guint8 *p)
{
  return (guint64) get32 (p) | (guint64) get32 (p + 4) << 32;
}

static void
put32 (guint8 *p, guint32 v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (guint8) (v >> (8 * i));
}

static void
put64 (guint8 *p, guint64 v)
{
  put32 (p, (guint32) v);
  put32 (p + 4, (guint32) (v >> 32));
}

/* zlib's crc32 takes a uInt length: feed it in pieces */
static guint32
crc_update (guint32 crc, const guint8 *p, guint64 len)
{
  while (len > 0)
    {
      uInt n = (uInt) MIN (len, (guint64) 1 << 30);
      crc = (guint32) crc32 (crc, p, n);
      p += n;
      len -= n;
    }
  return crc;
}

static guint32
crc_of (const guint8 *p, guint64 len)
{
  return crc_update ((guint32) crc32 (0L, Z_NULL, 0), p, len);
}

void
an_pack_info_clear (AnPackInfo *info)
{
  g_clear_pointer (&info->class_names, g_strfreev);
  g_clear_pointer (&info->labels, g_free);
}

static gboolean
fail (GError **error, const char *what, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError **error, const char *what, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: %s", what, msg);
  return FALSE;
}

/* The error of a chunk whose pixels do not match its checksum. */
static gboolean
chunk_damaged (GError **error, const char *what, guint64 c, guint64 first, guint64 n)
{
  return fail (error, what, "chunk %" G_GUINT64_FORMAT " checksum: images %" G_GUINT64_FORMAT
               " to %" G_GUINT64_FORMAT " are damaged", c, first, first + n - 1);
}

gboolean
an_pack_parse (const guint8 *data, gsize len, const char *what, gboolean check_pixels,
               AnPackInfo *info, GError **error)
{
  memset (info, 0, sizeof *info);
  if (len < AN_PACK_MAGIC_LEN || memcmp (data, AN_PACK_MAGIC, AN_PACK_MAGIC_LEN) != 0)
    return fail (error, what, "magic: not a packed dataset (its first bytes are not “ANPACK”)");
  if (len < AN_PACK_HEADER_LEN)
    return fail (error, what, "header: truncated (%" G_GSIZE_FORMAT " bytes, the header is %d)",
                 len, AN_PACK_HEADER_LEN);
  guint32 version = get32 (data + 8);
  if (version != AN_PACK_VERSION)
    return fail (error, what, "version: %u, this app reads version %d", version,
                 AN_PACK_VERSION);
  if (crc_of (data, 52) != get32 (data + 52))
    return fail (error, what, "header checksum: does not match the header (the file is damaged)");
  guint32 channels = get32 (data + 12), size = get32 (data + 16), classes = get32 (data + 20);
  guint32 train = get32 (data + 24), test = get32 (data + 28), chunk = get32 (data + 32);
  guint32 names_len = get32 (data + 36);
  guint64 data_offset = get64 (data + 40);
  if (channels != 1 && channels != 3)
    return fail (error, what, "channels: %u (1 or 3)", channels);
  if (size < 1 || size > AN_PACK_MAX_SIZE)
    return fail (error, what, "size: %u (1 to %d)", size, AN_PACK_MAX_SIZE);
  if (classes < 1 || classes > AN_PACK_MAX_CLASSES)
    return fail (error, what, "classes: %u (1 to %d)", classes, AN_PACK_MAX_CLASSES);
  if (train < 1 || (guint64) train + test > G_MAXINT)
    return fail (error, what, "train count: %u with test count %u (1 to %d images in all)",
                 train, test, G_MAXINT);
  if (chunk < 1 || chunk > 1 << 20)
    return fail (error, what, "chunk images: %u (1 to %d)", chunk, 1 << 20);
  guint64 count = (guint64) train + test;
  guint64 n_chunks = (count + chunk - 1) / chunk;
  guint64 image_bytes = (guint64) channels * size * size;
  guint64 meta_end = AN_PACK_HEADER_LEN + (guint64) names_len + count * INDEX_RECORD + n_chunks * 4;
  if (data_offset < meta_end || data_offset > len)
    return fail (error, what, "data offset: %" G_GUINT64_FORMAT " (the index ends at %"
                 G_GUINT64_FORMAT ", the file at %" G_GSIZE_FORMAT ")", data_offset, meta_end,
                 len);
  /* image_bytes <= 3 * 2^24 and count < 2^31: no overflow */
  guint64 expected = data_offset + count * image_bytes;
  if (len < expected)
    return fail (error, what, "file size: truncated (%" G_GSIZE_FORMAT " bytes, the header "
                 "says %" G_GUINT64_FORMAT ")", len, expected);
  if (len > expected)
    return fail (error, what, "file size: %" G_GSIZE_FORMAT " bytes, the header says %"
                 G_GUINT64_FORMAT, len, expected);
  if (crc_of (data + AN_PACK_HEADER_LEN, meta_end - AN_PACK_HEADER_LEN) != get32 (data + 48))
    return fail (error, what, "index checksum: does not match the class names and index");

  /* class names: exactly `classes` non-empty UTF-8 strings */
  const char *names = (const char *) data + AN_PACK_HEADER_LEN;
  GPtrArray *list = g_ptr_array_new_with_free_func (g_free);
  gsize at = 0;
  while (at < names_len && list->len < classes)
    {
      const char *end = memchr (names + at, '\0', names_len - at);
      gsize n = end ? (gsize) (end - (names + at)) : 0;
      if (!end || n == 0 || !g_utf8_validate (names + at, (gssize) n, NULL))
        break;
      g_ptr_array_add (list, g_strndup (names + at, n));
      at += n + 1;
    }
  if (list->len != classes || at != names_len)
    {
      g_ptr_array_free (list, TRUE);
      return fail (error, what, "class names: not %u non-empty UTF-8 names in %u bytes", classes,
                   names_len);
    }
  g_ptr_array_set_free_func (list, NULL);
  g_ptr_array_add (list, NULL);
  info->class_names = (char **) g_ptr_array_free (list, FALSE);

  const guint8 *index = data + AN_PACK_HEADER_LEN + names_len;
  info->labels = g_new (gint32, count);
  for (guint64 i = 0; i < count; i++)
    {
      const guint8 *r = index + i * INDEX_RECORD;
      guint32 label = get32 (r), split = get32 (r + 4);
      guint64 offset = get64 (r + 8);
      if (label >= classes || split != (i >= train) || offset != data_offset + i * image_bytes)
        {
          an_pack_info_clear (info);
          return fail (error, what, "index: image %" G_GUINT64_FORMAT " has label %u, split %u, "
                       "offset %" G_GUINT64_FORMAT " (expected a label below %u, split %d, "
                       "offset %" G_GUINT64_FORMAT ")", i, label, split, offset, classes,
                       i >= train, data_offset + i * image_bytes);
        }
      info->labels[i] = (gint32) label;
    }

  const guint8 *table = index + count * INDEX_RECORD;
  const guint8 *pixels = data + data_offset;
  for (guint64 c = 0; check_pixels && c < n_chunks; c++)
    {
      guint64 first = c * chunk, n = MIN (count - first, (guint64) chunk);
      if (crc_of (pixels + first * image_bytes, n * image_bytes) != get32 (table + 4 * c))
        {
          an_pack_info_clear (info);
          return chunk_damaged (error, what, c, first, n);
        }
    }
  info->chunk_crcs = table;
  info->chunk_images = (int) chunk;
  info->channels = (int) channels;
  info->size = (int) size;
  info->classes = (int) classes;
  info->train_count = (int) train;
  info->test_count = (int) test;
  info->pixels = pixels;
  return TRUE;
}

struct _AnPackChunks {
  char *what;            /* the file, for errors */
  const guint8 *pixels;  /* the file's first image */
  const guint8 *crcs;    /* the chunk table */
  gsize image_bytes;
  int chunk_images, total; /* images per chunk; images in the file */
  int first;             /* this split's first image in the file */
  gint *state;           /* per chunk: 0 not checked yet, 1 good, 2 damaged */
};

enum { CHUNK_UNCHECKED, CHUNK_GOOD, CHUNK_DAMAGED };

gboolean
an_pack_chunks_check (AnPackChunks *chunks, int image, GError **error)
{
  guint64 at = (guint64) chunks->first + image;
  guint64 c = at / chunks->chunk_images, first = c * chunks->chunk_images;
  guint64 n = MIN ((guint64) chunks->total - first, (guint64) chunks->chunk_images);
  gint state = g_atomic_int_get (&chunks->state[c]);

  if (state == CHUNK_UNCHECKED)
    {
      /* two threads may check the same chunk at once: both find the same answer */
      gboolean good = crc_of (chunks->pixels + first * chunks->image_bytes,
                              n * chunks->image_bytes) == get32 (chunks->crcs + 4 * c);
      state = good ? CHUNK_GOOD : CHUNK_DAMAGED;
      g_atomic_int_set (&chunks->state[c], state);
    }
  return state == CHUNK_GOOD || chunk_damaged (error, chunks->what, c, first, n);
}

void
an_pack_chunks_free (AnPackChunks *chunks)
{
  if (chunks == NULL)
    return;
  g_free (chunks->what);
  g_free (chunks->state);
  g_free (chunks);
}

static GMappedFile *
map_packed (const char *path, GError **error)
{
  GError *local = NULL;
  GMappedFile *map = g_mapped_file_new (path, FALSE, &local);
  if (!map)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "%s", local->message);
      g_error_free (local);
    }
  return map;
}

gboolean
an_pack_verify (const char *path, GError **error)
{
  GMappedFile *map = map_packed (path, error);
  AnPackInfo info;
  gboolean ok;

  if (!map)
    return FALSE;
  const guint8 *data = (const guint8 *) g_mapped_file_get_contents (map);
  ok = an_pack_parse (data ? data : (const guint8 *) "", g_mapped_file_get_length (map), path,
                      TRUE, &info, error);
  if (ok)
    an_pack_info_clear (&info);
  g_mapped_file_unref (map);
  return ok;
}

gboolean
an_pack_has_test_split (const char *path)
{
  guint8 head[AN_PACK_HEADER_LEN];
  FILE *f = fopen (path, "rb");
  if (!f)
    return FALSE;
  gboolean ok = fread (head, 1, sizeof head, f) == sizeof head &&
                memcmp (head, AN_PACK_MAGIC, AN_PACK_MAGIC_LEN) == 0;
  fclose (f);
  return ok && get32 (head + 28) > 0;
}

AnDataset *
an_dataset_load_packed (const char *path, AnSplit split, GError **error)
{
  GMappedFile *map = map_packed (path, error);
  if (!map)
    return NULL;
  AnPackInfo info;
  const guint8 *data = (const guint8 *) g_mapped_file_get_contents (map);
  gsize len = g_mapped_file_get_length (map);
  /* the chunks' checksums wait until their images are read: opening an ImageNet-size file
   * would otherwise read all of it first */
  if (!an_pack_parse (data ? data : (const guint8 *) "", len, path, FALSE, &info, error))
    {
      g_mapped_file_unref (map);
      return NULL;
    }
  if (split == AN_SPLIT_TEST && info.test_count == 0)
    {
      an_pack_info_clear (&info);
      g_mapped_file_unref (map);
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "%s: no test split (it was packed from a "
                   "dataset without one)", path);
      return NULL;
    }
  AnDataset *ds = g_new0 (AnDataset, 1);
  g_autofree char *base = g_path_get_basename (path);
  gboolean test = split == AN_SPLIT_TEST;
  gsize image_bytes = (gsize) info.channels * info.size * info.size;
  ds->name = g_strconcat ("packed:", base, NULL);
  ds->count = test ? info.test_count : info.train_count;
  ds->channels = info.channels;
  ds->height = ds->width = info.size;
  ds->num_classes = info.classes;
  ds->class_names = g_steal_pointer (&info.class_names);
  ds->labels = g_memdup2 (info.labels + (test ? info.train_count : 0),
                          (gsize) ds->count * sizeof (gint32));
  ds->pixels = (guint8 *) info.pixels + (test ? (gsize) info.train_count * image_bytes : 0);
  ds->mapping = map;
  AnPackChunks *chunks = g_new0 (AnPackChunks, 1);
  int total = info.train_count + info.test_count;
  chunks->what = g_strdup (path);
  chunks->pixels = info.pixels;
  chunks->crcs = info.chunk_crcs;
  chunks->image_bytes = image_bytes;
  chunks->chunk_images = info.chunk_images;
  chunks->total = total;
  chunks->first = test ? info.train_count : 0;
  chunks->state = g_new0 (gint, (total + info.chunk_images - 1) / info.chunk_images);
  ds->chunks = chunks;
  an_pack_info_clear (&info);
  return ds;
}

/* ---- writing ------------------------------------------------------------------------- */

/* One image of ds as a size x size square of `channels` channels into out. */
static gboolean
pack_image (const AnDataset *ds, int i, int size, int channels, guint8 *out, GError **error)
{
  g_autoptr (AnImage) img = an_dataset_get_image (ds, i, size, error);
  if (!img)
    return FALSE;
  if (img->channels != 1 && img->channels != 3)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: %d channels",
                   ds->paths ? ds->paths[i] : ds->name, img->channels);
      return FALSE;
    }
  g_autoptr (AnImage) sq = an_pipeline_square (img, size);
  gsize plane = (gsize) size * size;
  if (sq->channels == channels)
    memcpy (out, sq->pixels, channels * plane);
  else if (channels == 3)
    for (int c = 0; c < 3; c++)
      memcpy (out + c * plane, sq->pixels, plane);
  else
    for (gsize p = 0; p < plane; p++)
      out[p] = (guint8) CLAMP (0.299 * sq->pixels[p] + 0.587 * sq->pixels[plane + p] +
                               0.114 * sq->pixels[2 * plane + p] + 0.5, 0, 255);
  return TRUE;
}

/* A block of images decoded by several threads. */
typedef struct {
  const AnDataset *ds;
  int first, n, size, channels, stride;
  guint8 *out;
  GError *error; /* the first, by slot */
  int error_slot;
  AnMutex lock;
} Block;

typedef struct {
  Block *block;
  int start;
} BlockWorker;

static gpointer
block_worker (gpointer data)
{
  BlockWorker *w = data;
  Block *b = w->block;
  gsize image_bytes = (gsize) b->channels * b->size * b->size;
  for (int k = w->start; k < b->n; k += b->stride)
    {
      GError *e = NULL;
      if (!pack_image (b->ds, b->first + k, b->size, b->channels, b->out + k * image_bytes, &e))
        {
          an_mutex_lock (&b->lock);
          if (b->error == NULL || k < b->error_slot)
            {
              g_clear_error (&b->error);
              b->error = e;
              b->error_slot = k;
            }
          else
            g_error_free (e);
          an_mutex_unlock (&b->lock);
        }
    }
  return NULL;
}

static gboolean
write_all (FILE *f, const void *p, gsize n, const char *path, GError **error)
{
  if (n > 0 && fwrite (p, 1, n, f) != n)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "cannot write %s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
an_pack_write (const char *data_spec, const char *out_path, int size, int workers,
               AnPackProgressFunc progress, gpointer user_data, GError **error)
{
  g_return_val_if_fail (size >= 1 && size <= AN_PACK_MAX_SIZE, FALSE);
  g_autoptr (AnDataset) train = an_dataset_load (data_spec, AN_SPLIT_TRAIN, size, size, error);
  if (!train)
    return FALSE;
  g_autoptr (AnDataset) test = NULL;
  if (an_dataset_has_test_split (data_spec))
    {
      if (!(test = an_dataset_load (data_spec, AN_SPLIT_TEST, size, size, error)))
        return FALSE;
      gboolean same = test->num_classes == train->num_classes;
      for (int k = 0; same && k < train->num_classes; k++)
        same = g_str_equal (test->class_names[k], train->class_names[k]);
      if (!same)
        {
          g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                       "%s: the test split's classes are not the training split's", data_spec);
          return FALSE;
        }
    }
  if (train->num_classes > AN_PACK_MAX_CLASSES)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: %d classes (at most %d)", data_spec,
                   train->num_classes, AN_PACK_MAX_CLASSES);
      return FALSE;
    }
  int channels = MAX (train->channels, test ? test->channels : 1);
  int n_train = train->count, n_test = test ? test->count : 0;
  guint64 count = (guint64) n_train + n_test;
  guint64 n_chunks = (count + AN_PACK_CHUNK_IMAGES - 1) / AN_PACK_CHUNK_IMAGES;
  gsize image_bytes = (gsize) channels * size * size;

  GByteArray *names = g_byte_array_new ();
  for (int k = 0; k < train->num_classes; k++)
    g_byte_array_append (names, (const guint8 *) train->class_names[k],
                         (guint) strlen (train->class_names[k]) + 1);
  guint64 meta_end = AN_PACK_HEADER_LEN + names->len + count * INDEX_RECORD + n_chunks * 4;
  guint64 data_offset = (meta_end + DATA_ALIGN - 1) / DATA_ALIGN * DATA_ALIGN;
  gsize meta_len = (gsize) (data_offset - AN_PACK_HEADER_LEN);
  g_autofree guint8 *meta = g_malloc0 (meta_len);
  memcpy (meta, names->data, names->len);
  guint8 *index = meta + names->len, *table = index + count * INDEX_RECORD;
  for (guint64 i = 0; i < count; i++)
    {
      gboolean is_test = i >= (guint64) n_train;
      const AnDataset *ds = is_test ? test : train;
      int j = (int) (is_test ? i - n_train : i);
      put32 (index + i * INDEX_RECORD, (guint32) ds->labels[j]);
      put32 (index + i * INDEX_RECORD + 4, is_test);
      put64 (index + i * INDEX_RECORD + 8, data_offset + i * image_bytes);
    }
  guint names_len = names->len;
  g_byte_array_unref (names);

  g_autofree char *tmp = g_strconcat (out_path, ".part", NULL);
  FILE *f = fopen (tmp, "wb");
  if (!f)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "cannot create %s: %s", tmp, g_strerror (errno));
      return FALSE;
    }
  guint8 header[AN_PACK_HEADER_LEN] = { 0 };
  gboolean ok = write_all (f, header, sizeof header, tmp, error) &&
                write_all (f, meta, meta_len, tmp, error);

  if (workers <= 0)
    workers = (int) g_get_num_processors ();
  workers = CLAMP (workers, 1, AN_PACK_CHUNK_IMAGES);
  g_autofree guint8 *block = g_malloc ((gsize) AN_PACK_CHUNK_IMAGES * image_bytes);
  guint64 done = 0;
  for (guint64 c = 0; ok && c < n_chunks; c++)
    {
      guint64 first = c * AN_PACK_CHUNK_IMAGES;
      int n = (int) MIN ((guint64) AN_PACK_CHUNK_IMAGES, count - first);
      /* a chunk may straddle the two splits: decode its two parts in turn */
      int written = 0;
      while (ok && written < n)
        {
          guint64 i = first + written;
          gboolean is_test = i >= (guint64) n_train;
          const AnDataset *ds = is_test ? test : train;
          int j = (int) (is_test ? i - n_train : i);
          int part = is_test ? n - written : (int) MIN ((guint64) (n - written), n_train - i);
          Block b = { ds, j, part, size, channels, MIN (workers, part),
                      block + (gsize) written * image_bytes, NULL, 0 };
          an_mutex_init (&b.lock);
          BlockWorker w[AN_PACK_CHUNK_IMAGES];
          GThread *threads[AN_PACK_CHUNK_IMAGES];
          for (int t = 0; t < b.stride; t++)
            {
              w[t] = (BlockWorker){ &b, t };
              threads[t] = t == 0 ? NULL : g_thread_new ("an-pack", block_worker, &w[t]);
            }
          block_worker (&w[0]);
          for (int t = 1; t < b.stride; t++)
            g_thread_join (threads[t]);
          an_mutex_clear (&b.lock);
          if (b.error)
            {
              g_propagate_error (error, b.error);
              ok = FALSE;
            }
          written += part;
        }
      if (!ok)
        break;
      put32 (table + 4 * c, crc_of (block, (guint64) n * image_bytes));
      ok = write_all (f, block, (gsize) n * image_bytes, tmp, error);
      done += n;
      if (ok && progress)
        progress ((int) done, (int) count, user_data);
    }

  if (ok)
    {
      memcpy (header, AN_PACK_MAGIC, AN_PACK_MAGIC_LEN);
      put32 (header + 8, AN_PACK_VERSION);
      put32 (header + 12, (guint32) channels);
      put32 (header + 16, (guint32) size);
      put32 (header + 20, (guint32) train->num_classes);
      put32 (header + 24, (guint32) n_train);
      put32 (header + 28, (guint32) n_test);
      put32 (header + 32, AN_PACK_CHUNK_IMAGES);
      put32 (header + 36, names_len);
      put64 (header + 40, data_offset);
      put32 (header + 48, crc_of (meta, meta_end - AN_PACK_HEADER_LEN));
      put32 (header + 52, crc_of (header, 52));
      ok = fseeko (f, 0, SEEK_SET) == 0 && write_all (f, header, sizeof header, tmp, error) &&
           write_all (f, meta, meta_len, tmp, error);
      if (!ok && error && !*error)
        g_set_error (error, AN_ERROR, AN_ERROR_IO, "cannot write %s: %s", tmp, g_strerror (errno));
    }
  if (fclose (f) != 0 && ok)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "cannot write %s: %s", tmp, g_strerror (errno));
      ok = FALSE;
    }
  if (ok && rename (tmp, out_path) != 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "cannot rename %s to %s: %s", tmp, out_path,
                   g_strerror (errno));
      ok = FALSE;
    }
  if (!ok)
    remove (tmp);
  return ok;
}
