/* an-pack.h: packed datasets (`alexnet pack`, "packed:FILE"): a dataset's images decoded once,
 * their shorter side resized to one size and the centre square kept (the paper's offline
 * step), stored as 8-bit CHW in one file with an index and per-chunk CRC-32 checksums, read
 * back by mapping the file. The format is in docs/FILES.md ("Packed datasets").
 */
#pragma once

#include "an-dataset.h"

G_BEGIN_DECLS

#define AN_PACK_MAGIC "ANPACK\r\n"
#define AN_PACK_MAGIC_LEN 8
#define AN_PACK_VERSION 1
#define AN_PACK_HEADER_LEN 64
#define AN_PACK_MAX_SIZE 4096
#define AN_PACK_MAX_CLASSES 65536
#define AN_PACK_DEFAULT_SIZE 256
#define AN_PACK_CHUNK_IMAGES 64

/* What a packed file holds, its arrays pointing into the parsed bytes or owned as noted. */
typedef struct {
  int channels, size, classes;
  int train_count, test_count;
  char **class_names;    /* owned, NULL-terminated */
  gint32 *labels;        /* owned, train_count + test_count */
  const guint8 *pixels;  /* train then test images, channels x size x size each */
  const guint8 *chunk_crcs; /* the chunk table: one little-endian CRC-32 per chunk */
  int chunk_images;
} AnPackInfo;

void an_pack_info_clear (AnPackInfo *info);

/* Checks a packed file in memory: header, class names, index and, when check_pixels, every
 * chunk's checksum (a full read of the file). Errors (AN_ERROR_FORMAT) name what (the file)
 * and the field at fault. */
gboolean an_pack_parse (const guint8 *data, gsize len, const char *what, gboolean check_pixels,
                        AnPackInfo *info, GError **error);

/* The chunks of a loaded packed split, each checked against its checksum the first time one
 * of its images is read (an_dataset_check_image), from any thread. */
typedef struct _AnPackChunks AnPackChunks;
gboolean an_pack_chunks_check (AnPackChunks *chunks, int image, GError **error);
void an_pack_chunks_free (AnPackChunks *chunks);

/* "packed:FILE": the file mapped, its header, names and index checked; the split's images
 * point into the mapping and each chunk's checksum is checked when it is first read, so a
 * file of any size opens at once. */
AnDataset *an_dataset_load_packed (const char *path, AnSplit split, GError **error);
/* Whether the packed file's header announces test images (FALSE when it cannot be read: the
 * loading then says why). */
gboolean an_pack_has_test_split (const char *path);

/* Every check of an_pack_parse on the file, the checksums of all its chunks included. */
gboolean an_pack_verify (const char *path, GError **error);

/* Called after each image written (done of total). */
typedef void (*AnPackProgressFunc) (int done, int total, gpointer user_data);

/* Writes data_spec's images (its training split, then its test split when it has one) to
 * out_path as squares of size, decoding with `workers` threads (<= 0: one per core). The file
 * is written next to out_path and renamed over it once complete. */
gboolean an_pack_write (const char *data_spec, const char *out_path, int size, int workers,
                        AnPackProgressFunc progress, gpointer user_data, GError **error);

G_END_DECLS
