/* an-checkpoint.c: the checkpoint file (an-checkpoint.h; byte layout in docs/FILES.md).
 * Sections are tag, u64 length, zlib CRC-32, payload, little-endian, closed by an END section
 * so a file cut at a section boundary still reads as truncated. Written to PATH.tmp, fsync,
 * rename, fsync of the folder: a failure anywhere leaves the previous checkpoint as it was.
 * Reading checks every length against the file size before allocating. */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "an-checkpoint.h"
#include "data/an-pipeline.h"
#include "an-error.h"
#include "an-io.h"

#define CHECKPOINT_MAGIC "ANCKPT01"
#define CHECKPOINT_MAGIC_LEN 8
#define CHECKPOINT_VERSION 2u /* 2: HIST field by field; 1: HIST as raw epoch records */
#define SECTION_HEADER_LEN (4 + 8 + 4)
#define STAT_PAYLOAD_LEN 88
#define HIST_HEADER_LEN 8

typedef enum {
  SECTION_CONF,
  SECTION_STAT,
  SECTION_PARM,
  SECTION_MOMT,
  SECTION_BEST,
  SECTION_HIST,
  SECTION_DATA,
  SECTION_END,
  N_SECTIONS,
} SectionId;

static const char section_tags[N_SECTIONS][5] = {
  "CONF", "STAT", "PARM", "MOMT", "BEST", "HIST", "DATA", "END ",
};

/* ---- little-endian encoding ---- */

static void
put_u32 (GByteArray *b, guint32 v)
{
  guint32 le = GUINT32_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &le, 4);
}

static void
put_u64 (GByteArray *b, guint64 v)
{
  guint64 le = GUINT64_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &le, 8);
}

static void
put_f64 (GByteArray *b, double v)
{
  guint64 bits;
  memcpy (&bits, &v, 8);
  put_u64 (b, bits);
}

static guint32
get_u32 (const guint8 *p)
{
  guint32 v;
  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static guint64
get_u64 (const guint8 *p)
{
  guint64 v;
  memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

static double
get_f64 (const guint8 *p)
{
  guint64 bits = get_u64 (p);
  double v;
  memcpy (&v, &bits, 8);
  return v;
}

/* The little-endian bytes of n floats: the array itself on little-endian hosts. */
static const float *
floats_to_le (const float *x, gsize n, float **owned)
{
  *owned = NULL;
  if (G_BYTE_ORDER == G_LITTLE_ENDIAN)
    return x;
  guint32 *copy = g_new (guint32, n);
  memcpy (copy, x, n * sizeof (float));
  for (gsize i = 0; i < n; i++)
    copy[i] = GUINT32_TO_LE (copy[i]);
  *owned = (float *) copy;
  return *owned;
}

static void
floats_from_le (float *x, gsize n)
{
  if (G_BYTE_ORDER == G_LITTLE_ENDIAN)
    return;
  guint32 *u = (guint32 *) x;
  for (gsize i = 0; i < n; i++)
    u[i] = GUINT32_FROM_LE (u[i]);
}

static guint32
crc_of (const void *data, gsize len)
{
  return (guint32) crc32_z (crc32_z (0, Z_NULL, 0), data, len);
}

/* ---- HIST: the epoch records ----
 * Version 2 writes each record as these fields in this order, little-endian, packed (100
 * bytes); a reader takes the fields it knows from a longer record. Version 1 held the raw
 * in-memory records of a 64-bit little-endian build: the same fields at v1_offset (104 bytes,
 * or 96 before data_wait_seconds). */

typedef enum { FIELD_I32, FIELD_I64, FIELD_F64 } FieldType;

static const struct {
  FieldType type;
  gsize offset;     /* in AnEpochRecord */
  guint v1_offset;  /* in a version-1 record */
} hist_fields[] = {
  { FIELD_I32, G_STRUCT_OFFSET (AnEpochRecord, epoch), 0 },
  { FIELD_I64, G_STRUCT_OFFSET (AnEpochRecord, step), 8 },
  { FIELD_F64, G_STRUCT_OFFSET (AnEpochRecord, train_loss), 16 },
  { FIELD_F64, G_STRUCT_OFFSET (AnEpochRecord, train_acc), 24 },
  { FIELD_F64, G_STRUCT_OFFSET (AnEpochRecord, val_loss), 32 },
  { FIELD_F64, G_STRUCT_OFFSET (AnEpochRecord, val_acc), 40 },
  { FIELD_F64, G_STRUCT_OFFSET (AnEpochRecord, val_top5), 48 },
  { FIELD_F64, G_STRUCT_OFFSET (AnEpochRecord, lr), 56 },
  { FIELD_F64, G_STRUCT_OFFSET (AnEpochRecord, best_val_loss), 64 },
  { FIELD_I32, G_STRUCT_OFFSET (AnEpochRecord, best_epoch), 72 },
  { FIELD_I32, G_STRUCT_OFFSET (AnEpochRecord, es_counter), 76 },
  { FIELD_F64, G_STRUCT_OFFSET (AnEpochRecord, seconds), 80 },
  { FIELD_F64, G_STRUCT_OFFSET (AnEpochRecord, wall_seconds), 88 },
  { FIELD_F64, G_STRUCT_OFFSET (AnEpochRecord, data_wait_seconds), 96 },
};

#define HIST_RECORD_LEN 100u
#define HIST_V1_RECORD_LEN 104u
#define HIST_V1_OLD_RECORD_LEN 96u /* without data_wait_seconds */

static guint
field_size (FieldType type)
{
  return type == FIELD_I32 ? 4 : 8;
}

static void
put_record (GByteArray *b, const AnEpochRecord *r)
{
  const guint8 *base = (const guint8 *) r;
  for (gsize f = 0; f < G_N_ELEMENTS (hist_fields); f++)
    {
      const void *field = base + hist_fields[f].offset;
      switch (hist_fields[f].type)
        {
        case FIELD_I32:
          put_u32 (b, (guint32) *(const int *) field);
          break;
        case FIELD_I64:
          put_u64 (b, (guint64) *(const gint64 *) field);
          break;
        case FIELD_F64:
          put_f64 (b, *(const double *) field);
          break;
        }
    }
}

/* The record at p, whose fields start at the version's offsets; fields past len stay 0. */
static void
get_record (AnEpochRecord *r, const guint8 *p, gsize len, gboolean v1)
{
  memset (r, 0, sizeof *r);
  guint8 *base = (guint8 *) r;
  gsize at = 0;
  for (gsize f = 0; f < G_N_ELEMENTS (hist_fields); f++)
    {
      FieldType type = hist_fields[f].type;
      if (v1)
        at = hist_fields[f].v1_offset;
      if (at + field_size (type) > len)
        break;
      void *field = base + hist_fields[f].offset;
      switch (type)
        {
        case FIELD_I32:
          *(int *) field = (int) get_u32 (p + at);
          break;
        case FIELD_I64:
          *(gint64 *) field = (gint64) get_u64 (p + at);
          break;
        case FIELD_F64:
          *(double *) field = get_f64 (p + at);
          break;
        }
      at += field_size (type);
    }
}

/* ---- writing ---- */

static gboolean
write_section (int fd, SectionId id, const void *payload, gsize len)
{
  guint8 header[SECTION_HEADER_LEN];
  guint64 len_le = GUINT64_TO_LE ((guint64) len);
  guint32 crc_le = GUINT32_TO_LE (crc_of (payload, len));
  memcpy (header, section_tags[id], 4);
  memcpy (header + 4, &len_le, 8);
  memcpy (header + 12, &crc_le, 4);
  return an_write_all (fd, header, sizeof header) && an_write_all (fd, payload, len);
}

static gboolean
write_float_section (int fd, SectionId id, const float *x, gsize n)
{
  g_autofree float *owned = NULL;
  const float *le = floats_to_le (x, n, &owned);
  return write_section (fd, id, le, n * sizeof (float));
}

static GByteArray *
encode_stat (const AnCheckpoint *ck)
{
  GByteArray *b = g_byte_array_sized_new (STAT_PAYLOAD_LEN);
  put_u32 (b, (guint32) ck->epoch);
  put_u32 (b, (guint32) ck->batch_in_epoch);
  put_u64 (b, (guint64) ck->step);
  put_f64 (b, ck->wall_seconds);
  put_f64 (b, ck->schedule.lr);
  put_f64 (b, ck->schedule.best);
  put_u32 (b, (guint32) ck->schedule.num_bad_epochs);
  put_u32 (b, (guint32) ck->schedule.cooldown_counter);
  put_u32 (b, (guint32) ck->schedule.last_epoch);
  put_u32 (b, (guint32) ck->early.counter);
  put_f64 (b, ck->early.best_score);
  put_f64 (b, ck->early.best_val_loss);
  put_u32 (b, (guint32) ck->early.best_epoch);
  put_u32 (b, ck->early.stop ? 1u : 0u);
  put_u64 (b, (guint64) ck->n_params);
  g_assert (b->len == STAT_PAYLOAD_LEN);
  return b;
}

static GByteArray *
encode_hist (const AnCheckpoint *ck)
{
  GByteArray *b =
    g_byte_array_sized_new (HIST_HEADER_LEN + ck->epochs->len * HIST_RECORD_LEN);
  put_u32 (b, HIST_RECORD_LEN);
  put_u32 (b, ck->epochs->len);
  for (guint i = 0; i < ck->epochs->len; i++)
    put_record (b, &g_array_index (ck->epochs, AnEpochRecord, i));
  g_assert (b->len == HIST_HEADER_LEN + ck->epochs->len * HIST_RECORD_LEN);
  return b;
}

/* DATA: "key=value" lines: the unfinished epoch's sums, the model's input and the class
 * names (escaped as C strings), so a classifier needs no dataset. */
static char *
encode_data (const AnCheckpoint *ck)
{
  GString *s = g_string_new (NULL);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  const AnInputSpec *in = &ck->spec;
  g_string_append_printf (s, "ep_loss=%s\n", g_ascii_dtostr (buf, sizeof buf, ck->ep_loss));
  g_string_append_printf (s, "ep_correct=%" G_GINT64_FORMAT "\nep_seen=%" G_GINT64_FORMAT "\n",
                          ck->ep_correct, ck->ep_seen);
  g_string_append_printf (s, "in_channels=%d\ninput=%d %d %d\nnormalize=%d\n", ck->in_channels,
                          in->channels, in->height, in->width, in->normalize);
  g_string_append_printf (s, "pipeline=%s\n", an_pipeline_to_string (in->pipeline));
  const float *vals[] = { in->mean, in->std, in->pca_eigval, in->pca_eigvec[0] };
  const char *names[] = { "mean", "std", "pca_eigval", "pca_eigvec" };
  for (int v = 0; v < 4; v++)
    {
      g_string_append_printf (s, "%s=", names[v]);
      for (int i = 0; i < (v == 3 ? 9 : 3); i++)
        g_string_append_printf (s, "%s%s", i ? " " : "", g_ascii_dtostr (buf, sizeof buf, vals[v][i]));
      g_string_append_c (s, '\n');
    }
  for (int i = 0; ck->class_names && ck->class_names[i]; i++)
    {
      g_autofree char *esc = g_strescape (ck->class_names[i], NULL);
      g_string_append_printf (s, "class=%s\n", esc);
    }
  return g_string_free (s, FALSE);
}

static gboolean
parse_floats (const char *text, float *out, int n)
{
  char *end = (char *) text;
  for (int i = 0; i < n; i++)
    {
      const char *start = end;
      out[i] = (float) g_ascii_strtod (start, &end);
      if (end == start)
        return FALSE;
    }
  return *end == '\0';
}

static gboolean
decode_data (AnCheckpoint *ck, const guint8 *p, gsize len, const char *path, GError **error)
{
  g_autofree char *text = g_strndup ((const char *) p, len);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *classes = g_ptr_array_new ();
  AnInputSpec *in = &ck->spec;
  gboolean ok = TRUE;
  int bad = 0;
  /* checkpoints from before pipelines had names were trained with pad-crop */
  in->pipeline = AN_PIPELINE_PAD_CROP;
  for (int i = 0; lines[i] && ok; i++)
    {
      char *l = lines[i];
      if (*l == '\0')
        continue;
      char *eq = strchr (l, '=');
      if (!eq)
        {
          ok = FALSE, bad = i + 1;
          break;
        }
      *eq = '\0';
      const char *v = eq + 1;
      if (g_str_equal (l, "ep_loss"))
        ck->ep_loss = g_ascii_strtod (v, NULL);
      else if (g_str_equal (l, "ep_correct"))
        ck->ep_correct = g_ascii_strtoll (v, NULL, 10);
      else if (g_str_equal (l, "ep_seen"))
        ck->ep_seen = g_ascii_strtoll (v, NULL, 10);
      else if (g_str_equal (l, "in_channels"))
        ck->in_channels = (int) g_ascii_strtoll (v, NULL, 10);
      else if (g_str_equal (l, "input"))
        ok = sscanf (v, "%d %d %d", &in->channels, &in->height, &in->width) == 3 &&
             in->channels >= 0 && in->channels <= 3 && in->height >= 0 && in->width >= 0 &&
             in->height <= 4096 && in->width <= 4096;
      else if (g_str_equal (l, "normalize"))
        in->normalize = (int) g_ascii_strtoll (v, NULL, 10);
      else if (g_str_equal (l, "pipeline"))
        {
          ok = FALSE;
          for (int k = 0; an_pipeline_names[k]; k++)
            if (g_str_equal (v, an_pipeline_names[k]))
              in->pipeline = k, ok = TRUE;
        }
      else if (g_str_equal (l, "mean"))
        ok = parse_floats (v, in->mean, 3);
      else if (g_str_equal (l, "std"))
        ok = parse_floats (v, in->std, 3);
      else if (g_str_equal (l, "pca_eigval"))
        ok = parse_floats (v, in->pca_eigval, 3);
      else if (g_str_equal (l, "pca_eigvec"))
        ok = parse_floats (v, in->pca_eigvec[0], 9);
      else if (g_str_equal (l, "class"))
        g_ptr_array_add (classes, g_strcompress (v));
      if (!ok)
        bad = i + 1;
    }
  g_ptr_array_add (classes, NULL);
  ck->class_names = (char **) g_ptr_array_free (classes, FALSE);
  if (!ok)
    g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "checkpoint “%s”: section DATA line %d is invalid",
                 path, bad);
  return ok;
}

/* A float section filled piece by piece through ck->fill: its header first with the checksum
 * left at zero, then the pieces, then the checksum written into the header. */
static gboolean
write_filled_section (int fd, const AnCheckpoint *ck, int which, float *buf, gsize chunk,
                      GError **fill_error)
{
  SectionId id = which == 0 ? SECTION_PARM : SECTION_MOMT;
  guint8 header[SECTION_HEADER_LEN] = { 0 };
  guint64 len_le = GUINT64_TO_LE ((guint64) ck->n_params * sizeof (float));
  uLong crc = crc32_z (0, Z_NULL, 0);
  off_t at = lseek (fd, 0, SEEK_CUR);

  memcpy (header, section_tags[id], 4);
  memcpy (header + 4, &len_le, 8);
  if (at < 0 || !an_write_all (fd, header, sizeof header))
    return FALSE;
  for (gsize off = 0; off < ck->n_params; off += chunk)
    {
      gsize n = MIN (chunk, ck->n_params - off);
      g_autofree float *owned = NULL;
      const float *le;

      if (!ck->fill (ck->fill_data, which, off, n, buf, fill_error))
        return FALSE;
      le = floats_to_le (buf, n, &owned);
      crc = crc32_z (crc, (const Bytef *) le, n * sizeof (float));
      if (!an_write_all (fd, le, n * sizeof (float)))
        return FALSE;
    }
  {
    guint32 crc_le = GUINT32_TO_LE ((guint32) crc);
    return pwrite (fd, &crc_le, 4, at + 12) == 4;
  }
}

/* The parameters, then the momentum: from ck's arrays, or through ck->fill in pieces of 1 Mi
 * floats. A fill failure is returned in fill_error (errno is then meaningless). */
static gboolean
write_model_sections (int fd, const AnCheckpoint *ck, GError **fill_error)
{
  const gsize chunk = (gsize) 1 << 20;
  g_autofree float *buf = NULL;

  if (ck->fill == NULL)
    return write_float_section (fd, SECTION_PARM, ck->params, ck->n_params)
           && write_float_section (fd, SECTION_MOMT, ck->momentum, ck->n_params);
  buf = g_new (float, MIN (chunk, MAX (ck->n_params, 1)));
  return write_filled_section (fd, ck, 0, buf, chunk, fill_error)
         && write_filled_section (fd, ck, 1, buf, chunk, fill_error);
}

static gboolean
write_sections (int fd, const AnCheckpoint *ck, GError **fill_error)
{
  guint8 header[CHECKPOINT_MAGIC_LEN + 4];
  guint32 version_le = GUINT32_TO_LE (CHECKPOINT_VERSION);
  memcpy (header, CHECKPOINT_MAGIC, CHECKPOINT_MAGIC_LEN);
  memcpy (header + CHECKPOINT_MAGIC_LEN, &version_le, 4);
  if (!an_write_all (fd, header, sizeof header))
    return FALSE;

  g_autofree char *conf = an_run_config_to_string (&ck->config);
  g_autoptr (GByteArray) stat = encode_stat (ck);
  if (!write_section (fd, SECTION_CONF, conf, strlen (conf))
      || !write_section (fd, SECTION_STAT, stat->data, stat->len)
      || !write_model_sections (fd, ck, fill_error))
    return FALSE;
  if (ck->best_params != NULL
      && !write_float_section (fd, SECTION_BEST, ck->best_params, ck->n_params))
    return FALSE;
  if (ck->epochs != NULL)
    {
      g_autoptr (GByteArray) hist = encode_hist (ck);
      if (!write_section (fd, SECTION_HIST, hist->data, hist->len))
        return FALSE;
    }
  g_autofree char *data = encode_data (ck);
  if (!write_section (fd, SECTION_DATA, data, strlen (data)))
    return FALSE;
  return write_section (fd, SECTION_END, "", 0);
}

/* Makes the rename durable. Filesystems that cannot sync a directory say EINVAL: nothing more
 * can be done there. */
static gboolean
sync_directory_of (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  int rc = fsync (fd);
  int saved = errno;
  close (fd);
  errno = saved;
  return rc == 0 || errno == EINVAL;
}

gboolean
an_checkpoint_write (const AnCheckpoint *ck, const char *path, GError **error)
{
  if ((ck->n_params > 0 && ck->fill == NULL && (ck->params == NULL || ck->momentum == NULL))
      || (ck->epochs != NULL && g_array_get_element_size (ck->epochs) != sizeof (AnEpochRecord)))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "cannot write checkpoint “%s”: parameters, momentum or history missing or "
                   "of the wrong size", path);
      return FALSE;
    }

  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
  int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "cannot create checkpoint “%s”: %s", tmp,
                   g_strerror (saved));
      return FALSE;
    }

  GError *fill_error = NULL;
  gboolean ok = write_sections (fd, ck, &fill_error) && fsync (fd) == 0;
  int saved = errno;
  if (fill_error != NULL)
    {
      close (fd);
      unlink (tmp);
      g_propagate_prefixed_error (error, fill_error,
                                  "cannot write checkpoint “%s” (the previous checkpoint is "
                                  "unchanged): ", path);
      return FALSE;
    }
  if (close (fd) != 0 && ok)
    {
      ok = FALSE;
      saved = errno;
    }
  if (ok && rename (tmp, path) != 0)
    {
      ok = FALSE;
      saved = errno;
    }
  if (!ok)
    {
      unlink (tmp);
      g_set_error (error, AN_ERROR, AN_ERROR_IO,
                   "cannot write checkpoint “%s”: %s (the previous checkpoint is unchanged)",
                   path, g_strerror (saved));
      return FALSE;
    }
  if (!sync_directory_of (path))
    {
      saved = errno;
      g_set_error (error, AN_ERROR, AN_ERROR_IO,
                   "checkpoint “%s” written, but its folder could not be synced to disk: %s",
                   path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* ---- reading ---- */

typedef struct {
  const char *path;
  int fd;
  guint64 size;   /* of the file */
  guint64 offset; /* of the next byte to read */
  gboolean skip_best; /* the BEST section's payload is skipped */
} Reader;

static gboolean
read_exact (Reader *r, void *data, gsize len, GError **error)
{
  guint8 *p = data;
  gsize left = len;
  while (left > 0)
    {
      gssize n = read (r->fd, p, MIN (left, (gsize) 1 << 30));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;
          if (n == 0)
            g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                         "checkpoint “%s” is truncated at byte %" G_GUINT64_FORMAT, r->path,
                         r->offset);
          else
            g_set_error (error, AN_ERROR, AN_ERROR_IO, "cannot read checkpoint “%s”: %s",
                         r->path, g_strerror (saved));
          return FALSE;
        }
      p += n;
      left -= (gsize) n;
      r->offset += (guint64) n;
    }
  return TRUE;
}

static char *
printable_tag (const guint8 *tag)
{
  char s[5];
  for (int i = 0; i < 4; i++)
    s[i] = g_ascii_isprint (tag[i]) ? (char) tag[i] : '?';
  s[4] = '\0';
  return g_strdup (s);
}

static SectionId
section_id (const guint8 *tag)
{
  for (int i = 0; i < N_SECTIONS; i++)
    if (memcmp (tag, section_tags[i], 4) == 0)
      return (SectionId) i;
  return N_SECTIONS;
}

static gboolean
decode_stat (AnCheckpoint *ck, const guint8 *p, gsize len, const char *path, GError **error)
{
  if (len != STAT_PAYLOAD_LEN)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "checkpoint “%s”: section STAT has %" G_GSIZE_FORMAT " bytes, expected %d",
                   path, len, STAT_PAYLOAD_LEN);
      return FALSE;
    }
  ck->epoch = (int) get_u32 (p + 0);
  ck->batch_in_epoch = (int) get_u32 (p + 4);
  ck->step = (gint64) get_u64 (p + 8);
  ck->wall_seconds = get_f64 (p + 16);
  ck->schedule.lr = get_f64 (p + 24);
  ck->schedule.best = get_f64 (p + 32);
  ck->schedule.num_bad_epochs = (int) get_u32 (p + 40);
  ck->schedule.cooldown_counter = (int) get_u32 (p + 44);
  ck->schedule.last_epoch = (int) get_u32 (p + 48);
  ck->early.counter = (int) get_u32 (p + 52);
  ck->early.best_score = get_f64 (p + 56);
  ck->early.best_val_loss = get_f64 (p + 64);
  ck->early.best_epoch = (int) get_u32 (p + 72);
  ck->early.stop = get_u32 (p + 76) != 0;
  guint64 n_params = get_u64 (p + 80);
  if (n_params > G_MAXSIZE / sizeof (float))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "checkpoint “%s”: section STAT claims %" G_GUINT64_FORMAT " parameters",
                   path, n_params);
      return FALSE;
    }
  ck->n_params = (gsize) n_params;
  return TRUE;
}

/* Version 2: records of at least HIST_RECORD_LEN bytes. Version 1: raw records of a 64-bit
 * little-endian build; another record size came from another kind of host, and the run
 * resumes without its earlier curves (the metrics CSV still has them). */
static gboolean
decode_hist (AnCheckpoint *ck, const guint8 *p, gsize len, guint32 version, const char *path,
             GError **error)
{
  if (len < HIST_HEADER_LEN)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "checkpoint “%s”: section HIST is too short", path);
      return FALSE;
    }
  guint32 size = get_u32 (p);
  guint32 count = get_u32 (p + 4);
  if ((guint64) size * count != len - HIST_HEADER_LEN)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "checkpoint “%s”: section HIST says %u records of %u bytes but holds %"
                   G_GSIZE_FORMAT " bytes", path, count, size, len - HIST_HEADER_LEN);
      return FALSE;
    }
  gboolean v1 = version == 1;
  if (v1 && size != HIST_V1_RECORD_LEN && size != HIST_V1_OLD_RECORD_LEN)
    return TRUE;
  if (!v1 && size < HIST_RECORD_LEN)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "checkpoint “%s”: section HIST has records of %u bytes, at least %u expected",
                   path, size, HIST_RECORD_LEN);
      return FALSE;
    }
  ck->epochs = g_array_sized_new (FALSE, FALSE, sizeof (AnEpochRecord), count);
  g_array_set_size (ck->epochs, count);
  for (guint32 i = 0; i < count; i++)
    get_record (&g_array_index (ck->epochs, AnEpochRecord, i),
                p + HIST_HEADER_LEN + (gsize) i * size, size, v1);
  return TRUE;
}

static gboolean
check_float_section (SectionId id, guint64 len, gsize n_params, const char *path,
                     GError **error)
{
  if (len != (guint64) n_params * sizeof (float))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "checkpoint “%s”: section %s holds %" G_GUINT64_FORMAT " bytes, but STAT "
                   "says %" G_GSIZE_FORMAT " parameters (%" G_GUINT64_FORMAT " bytes)", path,
                   section_tags[id], len, n_params, (guint64) n_params * sizeof (float));
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_sections (Reader *r, AnCheckpoint *ck, guint32 version, GError **error)
{
  gboolean seen[N_SECTIONS] = { FALSE };

  while (!seen[SECTION_END])
    {
      guint8 header[SECTION_HEADER_LEN];
      if (r->size - r->offset < SECTION_HEADER_LEN)
        {
          g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                       "checkpoint “%s” is truncated: it ends at byte %" G_GUINT64_FORMAT
                       " before its END section", r->path, r->size);
          return FALSE;
        }
      if (!read_exact (r, header, sizeof header, error))
        return FALSE;
      g_autofree char *tag = printable_tag (header);
      SectionId id = section_id (header);
      guint64 len = get_u64 (header + 4);
      guint32 crc = get_u32 (header + 12);
      guint64 left = r->size - r->offset;

      if (len > left)
        {
          g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                       "checkpoint “%s” is truncated: section %s needs %" G_GUINT64_FORMAT
                       " bytes, %" G_GUINT64_FORMAT " remain", r->path, tag, len, left);
          return FALSE;
        }
      if (id == N_SECTIONS)
        {
          /* a flipped tag byte of an optional section must not pass for a valid file */
          g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                       "checkpoint “%s”: unknown section “%s” at byte %" G_GUINT64_FORMAT,
                       r->path, tag, r->offset - SECTION_HEADER_LEN);
          return FALSE;
        }
      if (seen[id])
        {
          g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                       "checkpoint “%s”: section %s appears twice", r->path, tag);
          return FALSE;
        }
      if ((id == SECTION_PARM || id == SECTION_MOMT || id == SECTION_BEST)
          && (!seen[SECTION_STAT]
              || !check_float_section (id, len, ck->n_params, r->path, error)))
        {
          if (!seen[SECTION_STAT])
            g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                         "checkpoint “%s”: section %s comes before STAT", r->path, tag);
          return FALSE;
        }

      if (id == SECTION_BEST && r->skip_best)
        {
          if (lseek (r->fd, (off_t) len, SEEK_CUR) < 0)
            {
              int saved = errno;
              g_set_error (error, AN_ERROR, AN_ERROR_IO, "cannot read checkpoint “%s”: %s",
                           r->path, g_strerror (saved));
              return FALSE;
            }
          r->offset += len;
          seen[id] = TRUE;
          continue;
        }
      guint8 *payload = g_try_malloc (MAX (len, 1));
      if (payload == NULL)
        {
          g_set_error (error, AN_ERROR, AN_ERROR_NO_MEMORY,
                       "checkpoint “%s”: no memory for section %s (%" G_GUINT64_FORMAT
                       " bytes)", r->path, tag, len);
          return FALSE;
        }
      if (!read_exact (r, payload, len, error))
        {
          g_free (payload);
          return FALSE;
        }
      if (crc_of (payload, len) != crc)
        {
          g_set_error (error, AN_ERROR, AN_ERROR_CHECKSUM,
                       "checkpoint “%s”: section %s is corrupt (checksum mismatch)", r->path,
                       tag);
          g_free (payload);
          return FALSE;
        }

      gboolean ok = TRUE;
      switch (id)
        {
        case SECTION_CONF:
          {
            g_autofree char *text = g_strndup ((const char *) payload, len);
            g_autoptr (GError) local = NULL;
            ok = an_run_config_from_string (&ck->config, text, &local);
            if (!ok)
              g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "checkpoint “%s”: section CONF: %s",
                           r->path, local->message);
            break;
          }
        case SECTION_STAT:
          ok = decode_stat (ck, payload, len, r->path, error);
          break;
        case SECTION_PARM:
        case SECTION_MOMT:
        case SECTION_BEST:
          {
            float *x = (float *) payload;
            floats_from_le (x, ck->n_params);
            float **slot = id == SECTION_PARM ? &ck->params
                           : id == SECTION_MOMT ? &ck->momentum
                                                : &ck->best_params;
            *slot = x;
            payload = NULL;
            break;
          }
        case SECTION_HIST:
          ok = decode_hist (ck, payload, len, version, r->path, error);
          break;
        case SECTION_DATA:
          ok = decode_data (ck, payload, len, r->path, error);
          break;
        case SECTION_END:
          if (len != 0)
            {
              g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                           "checkpoint “%s”: section END is not empty", r->path);
              ok = FALSE;
            }
          break;
        case N_SECTIONS:
          g_assert_not_reached ();
        }
      g_free (payload);
      if (!ok)
        return FALSE;
      seen[id] = TRUE;
    }

  if (r->offset != r->size)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "checkpoint “%s”: %" G_GUINT64_FORMAT " unexpected bytes after the END "
                   "section", r->path, r->size - r->offset);
      return FALSE;
    }
  for (int i = SECTION_CONF; i <= SECTION_MOMT; i++)
    if (!seen[i])
      {
        g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                     "checkpoint “%s”: section %s is missing", r->path, section_tags[i]);
        return FALSE;
      }
  return TRUE;
}

static AnCheckpoint *
checkpoint_read (const char *path, gboolean skip_best, GError **error)
{
  Reader r = { .path = path, .fd = open (path, O_RDONLY | O_CLOEXEC), .skip_best = skip_best };
  if (r.fd < 0)
    {
      int saved = errno;
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "cannot open checkpoint “%s”: %s", path,
                   g_strerror (saved));
      return NULL;
    }
  struct stat st;
  if (fstat (r.fd, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "cannot read checkpoint “%s”: %s", path,
                   g_strerror (saved));
      close (r.fd);
      return NULL;
    }
  r.size = (guint64) st.st_size;

  guint8 header[CHECKPOINT_MAGIC_LEN + 4];
  if (r.size < sizeof header || !read_exact (&r, header, sizeof header, NULL)
      || memcmp (header, CHECKPOINT_MAGIC, CHECKPOINT_MAGIC_LEN) != 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "“%s” is not an AlexNet Studio checkpoint", path);
      close (r.fd);
      return NULL;
    }
  guint32 version = get_u32 (header + CHECKPOINT_MAGIC_LEN);
  if (version < 1 || version > CHECKPOINT_VERSION)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "checkpoint “%s” has format version %u; this build reads versions 1 to %u",
                   path, version, CHECKPOINT_VERSION);
      close (r.fd);
      return NULL;
    }

  AnCheckpoint *ck = g_new0 (AnCheckpoint, 1);
  an_run_config_init (&ck->config);
  gboolean ok = read_sections (&r, ck, version, error);
  close (r.fd);
  if (!ok)
    {
      an_checkpoint_free (ck);
      return NULL;
    }
  return ck;
}

AnCheckpoint *
an_checkpoint_read (const char *path, GError **error)
{
  return checkpoint_read (path, FALSE, error);
}

AnCheckpoint *
an_checkpoint_read_state (const char *path, GError **error)
{
  return checkpoint_read (path, TRUE, error);
}

void
an_checkpoint_free (AnCheckpoint *ck)
{
  if (ck == NULL)
    return;
  an_run_config_clear (&ck->config);
  g_free (ck->params);
  g_free (ck->momentum);
  g_free (ck->best_params);
  if (ck->epochs != NULL)
    g_array_unref (ck->epochs);
  g_strfreev (ck->class_names);
  g_free (ck);
}
