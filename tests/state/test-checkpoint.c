/* test-checkpoint.c: the checkpoint file: every field round-trips; truncated, corrupted,
 * foreign and empty files are rejected with the file and section named; a full disk (a write
 * failing with EFBIG under RLIMIT_FSIZE) and an unwritable folder leave the previous checkpoint
 * readable and unchanged; version-1 files (HIST as raw records) still read. The section walk
 * and the HIST offsets here read docs/FILES.md's layout independently.
 */
#define G_LOG_DOMAIN "test-checkpoint"
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <glib/gstdio.h>

#include "an-checkpoint.h"
#include "an-test-util.h"
#include "an-error.h"
#include "data/an-pipeline.h"

#define FILE_HEADER_LEN 12
#define SECTION_HEADER_LEN 16

/* HIST's record in version 2: these fields, little-endian, packed (docs/FILES.md). */
#define HIST_RECORD_LEN 100

static guint32
le_u32 (const guint8 *p)
{
  guint32 v;
  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static guint64
le_u64 (const guint8 *p)
{
  guint64 v;
  memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

static double
le_f64 (const guint8 *p)
{
  guint64 bits = le_u64 (p);
  double v;
  memcpy (&v, &bits, 8);
  return v;
}

static AnCheckpoint *
make_checkpoint (gsize n_params, gboolean with_best, gboolean with_hist)
{
  AnCheckpoint *ck = g_new0 (AnCheckpoint, 1);
  an_run_config_init (&ck->config);
  g_autoptr (GError) error = NULL;
  g_assert_true (an_run_config_set (&ck->config, "model", "alexnet-cifar", &error));
  g_assert_true (an_run_config_set (&ck->config, "lr", "0.0123", &error));
  g_assert_true (an_run_config_set (&ck->config, "checkpoint_dir", "runs/x", &error));
  g_assert_true (an_run_config_set (&ck->config, "schedule", "paper", &error));
  ck->epoch = 17;
  ck->step = G_GINT64_CONSTANT (123456789012);
  ck->batch_in_epoch = 42;
  ck->wall_seconds = 3601.25;
  ck->schedule = (AnScheduleState) { .lr = 0.00123, .best = 0.4321, .num_bad_epochs = 2,
                                     .cooldown_counter = 1, .last_epoch = 17 };
  ck->early = (AnEarlyStopState) { .best_score = -0.4321, .counter = 3, .stop = TRUE,
                                   .best_epoch = 14, .best_val_loss = 0.4321 };
  ck->n_params = n_params;
  ck->params = g_new (float, n_params);
  ck->momentum = g_new (float, n_params);
  for (gsize i = 0; i < n_params; i++)
    {
      ck->params[i] = (float) sin ((double) i) * 0.1f;
      ck->momentum[i] = (float) i * -1e-3f;
    }
  if (n_params > 0)
    ck->params[0] = -0.0f;
  if (with_best)
    {
      ck->best_params = g_new (float, n_params);
      for (gsize i = 0; i < n_params; i++)
        ck->best_params[i] = (float) cos ((double) i);
    }
  if (with_hist)
    {
      ck->epochs = g_array_new (FALSE, TRUE, sizeof (AnEpochRecord));
      for (int e = 1; e <= 17; e++)
        {
          AnEpochRecord r;
          memset (&r, 0, sizeof r); /* padding too: the bytes are compared */
          r.epoch = e;
          r.step = G_GINT64_CONSTANT (10000000000) * e;
          r.train_loss = 1.0 / e;
          r.train_acc = 1.0 - 1.0 / (e + 1);
          r.val_loss = 2.0 / e;
          r.val_acc = 0.5 + 0.01 * e;
          r.val_top5 = 0.75 + 0.01 * e;
          r.lr = 0.1 / e;
          r.best_val_loss = e == 1 ? INFINITY : 2.0 / e;
          r.best_epoch = e - 1;
          r.es_counter = -e;
          r.seconds = 1.5 * e;
          r.wall_seconds = 2.5 * e;
          r.data_wait_seconds = 0.125 * e;
          g_array_append_val (ck->epochs, r);
        }
    }
  return ck;
}

static void
assert_same_checkpoint (const AnCheckpoint *a, const AnCheckpoint *b)
{
  g_autofree char *ca = an_run_config_to_string (&a->config);
  g_autofree char *cb = an_run_config_to_string (&b->config);
  g_assert_cmpstr (ca, ==, cb);
  g_assert_cmpint (a->epoch, ==, b->epoch);
  g_assert_cmpint (a->step, ==, b->step);
  g_assert_cmpint (a->batch_in_epoch, ==, b->batch_in_epoch);
  g_assert_cmpfloat (a->wall_seconds, ==, b->wall_seconds);
  g_assert_cmpfloat (a->schedule.lr, ==, b->schedule.lr);
  g_assert_cmpfloat (a->schedule.best, ==, b->schedule.best);
  g_assert_cmpint (a->schedule.num_bad_epochs, ==, b->schedule.num_bad_epochs);
  g_assert_cmpint (a->schedule.cooldown_counter, ==, b->schedule.cooldown_counter);
  g_assert_cmpint (a->schedule.last_epoch, ==, b->schedule.last_epoch);
  g_assert_cmpfloat (a->early.best_score, ==, b->early.best_score);
  g_assert_cmpint (a->early.counter, ==, b->early.counter);
  g_assert_cmpint (a->early.stop, ==, b->early.stop);
  g_assert_cmpint (a->early.best_epoch, ==, b->early.best_epoch);
  g_assert_cmpfloat (a->early.best_val_loss, ==, b->early.best_val_loss);
  g_assert_cmpuint (a->n_params, ==, b->n_params);
  /* bit patterns, so -0.0 and every last bit count */
  g_assert_cmpmem (a->params, a->n_params * 4, b->params, b->n_params * 4);
  g_assert_cmpmem (a->momentum, a->n_params * 4, b->momentum, b->n_params * 4);
  g_assert_cmpint (a->best_params == NULL, ==, b->best_params == NULL);
  if (a->best_params != NULL)
    g_assert_cmpmem (a->best_params, a->n_params * 4, b->best_params, b->n_params * 4);
  g_assert_cmpint (a->epochs == NULL, ==, b->epochs == NULL);
  if (a->epochs != NULL)
    g_assert_cmpmem (a->epochs->data, a->epochs->len * sizeof (AnEpochRecord), b->epochs->data,
                     b->epochs->len * sizeof (AnEpochRecord));
}

static void
write_or_die (const AnCheckpoint *ck, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (an_checkpoint_write (ck, path, &error));
  g_assert_no_error (error);
}

static void
test_round_trip (void)
{
  g_autofree char *dir = an_test_make_tmpdir ("an-ckpt");
  g_autofree char *path = g_build_filename (dir, "run.ckpt", NULL);
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
  g_autoptr (GError) error = NULL;

  const struct { gsize n; gboolean best, hist; } variants[] = {
    { 1000, TRUE, TRUE }, { 1000, FALSE, FALSE }, { 7, TRUE, FALSE }, { 0, FALSE, TRUE },
  };
  for (gsize v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autoptr (AnCheckpoint) ck = make_checkpoint (variants[v].n, variants[v].best,
                                                     variants[v].hist);
      write_or_die (ck, path);
      g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
      g_autoptr (AnCheckpoint) back = an_checkpoint_read (path, &error);
      g_assert_no_error (error);
      g_assert_nonnull (back);
      assert_same_checkpoint (ck, back);
    }

  /* a -inf best score (no epoch yet) and an infinite plateau best survive */
  g_autoptr (AnCheckpoint) fresh = make_checkpoint (3, FALSE, FALSE);
  an_schedule_init (&fresh->schedule, &fresh->config);
  an_early_stop_init (&fresh->early);
  write_or_die (fresh, path);
  g_autoptr (AnCheckpoint) fresh_back = an_checkpoint_read (path, &error);
  g_assert_no_error (error);
  assert_same_checkpoint (fresh, fresh_back);
  g_assert_true (isinf (fresh_back->early.best_score) && fresh_back->early.best_score < 0);

  an_test_remove_tree (dir);
}

/* The documented layout, walked independently: returns the offsets of section headers. */
static GArray *
section_offsets (const guint8 *data, gsize len)
{
  GArray *offs = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_assert_cmpmem (data, 8, "ANCKPT01", 8);
  g_assert_cmpuint (le_u32 (data + 8), >=, 1);
  g_assert_cmpuint (le_u32 (data + 8), <=, 2);
  gsize off = FILE_HEADER_LEN;
  while (off < len)
    {
      guint64 plen;
      memcpy (&plen, data + off + 4, 8);
      plen = GUINT64_FROM_LE (plen);
      guint32 crc;
      memcpy (&crc, data + off + 12, 4);
      g_assert_cmpuint (GUINT32_FROM_LE (crc), ==,
                        crc32 (0, data + off + SECTION_HEADER_LEN, (uInt) plen));
      g_array_append_val (offs, off);
      off += SECTION_HEADER_LEN + plen;
    }
  g_assert_cmpuint (off, ==, len);
  return offs;
}

/* Not g_file_set_contents: its fsync per call would make the thousands of damaged copies
 * below slow. */
static void
write_bytes (const char *path, const void *data, gsize len)
{
  FILE *f = fopen (path, "wb");
  g_assert_nonnull (f);
  g_assert_cmpuint (fwrite (data, 1, len, f), ==, len);
  g_assert_cmpint (fclose (f), ==, 0);
}

/* Reading must fail with this code and a message naming the file and containing `part`. */
static void
assert_rejected (const char *path, int code, const char *part)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AnCheckpoint) ck = an_checkpoint_read (path, &error);
  g_assert_null (ck);
  g_assert_nonnull (error);
  if (error->domain != AN_ERROR || error->code != code
      || strstr (error->message, path) == NULL
      || (part != NULL && strstr (error->message, part) == NULL))
    g_error ("expected code %d with “%s”, got %d: %s", code, part ? part : "", error->code,
             error->message);
}

/* DATA: class names (any characters), the model input and the unfinished epoch's sums */
static void
test_data_section (void)
{
  g_autofree char *dir = an_test_make_tmpdir ("an-ckpt");
  g_autofree char *path = g_build_filename (dir, "d.ckpt", NULL);
  g_autoptr (AnCheckpoint) ck = make_checkpoint (10, FALSE, FALSE);
  char *names[] = { "T-shirt/top", "a=b", "line\nbreak", "quote\"s", NULL };
  ck->class_names = g_strdupv (names);
  ck->in_channels = 1;
  ck->spec = (AnInputSpec){ .channels = 1, .height = 32, .width = 28, .normalize = 1,
                            .mean = { 0.25f, 0.5f, 0.125f }, .std = { 0.3f, 1.0f, 2.0f },
                            .pca_eigval = { 3e-3f, 2e-4f, 1e-5f },
                            .pipeline = AN_PIPELINE_TORCHVISION };
  ck->spec.pca_eigvec[2][1] = -0.577f;
  ck->ep_loss = 123.456789012345;
  ck->ep_correct = 77;
  ck->ep_seen = 100;
  write_or_die (ck, path);
  g_autoptr (GError) error = NULL;
  g_autoptr (AnCheckpoint) back = an_checkpoint_read (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (back->class_names), ==, 4);
  for (int i = 0; i < 4; i++)
    g_assert_cmpstr (back->class_names[i], ==, names[i]);
  g_assert_cmpint (back->in_channels, ==, 1);
  g_assert_cmpmem (&back->spec, sizeof back->spec, &ck->spec, sizeof ck->spec);
  g_assert_cmpfloat (back->ep_loss, ==, ck->ep_loss);
  g_assert_cmpint (back->ep_correct, ==, 77);
  g_assert_cmpint (back->ep_seen, ==, 100);
}

static void
test_sections_layout (void)
{
  g_autofree char *dir = an_test_make_tmpdir ("an-ckpt");
  g_autofree char *path = g_build_filename (dir, "a.ckpt", NULL);
  g_autoptr (AnCheckpoint) ck = make_checkpoint (10, TRUE, TRUE);
  write_or_die (ck, path);
  g_autofree guint8 *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, (char **) &data, &len, NULL));
  g_assert_cmpuint (le_u32 (data + 8), ==, 2); /* the version this build writes */
  g_autoptr (GArray) offs = section_offsets (data, len);
  static const char *const tags[] = { "CONF", "STAT", "PARM", "MOMT", "BEST", "HIST", "DATA",
                                      "END " };
  g_assert_cmpuint (offs->len, ==, G_N_ELEMENTS (tags));
  for (guint i = 0; i < offs->len; i++)
    g_assert_cmpmem (data + g_array_index (offs, gsize, i), 4, tags[i], 4);
  /* PARM payload is the little-endian float32 parameters */
  gsize parm = g_array_index (offs, gsize, 2);
  guint64 plen;
  memcpy (&plen, data + parm + 4, 8);
  g_assert_cmpuint (GUINT64_FROM_LE (plen), ==, 40);
  float p3;
  guint32 bits;
  memcpy (&bits, data + parm + SECTION_HEADER_LEN + 12, 4);
  bits = GUINT32_FROM_LE (bits);
  memcpy (&p3, &bits, 4);
  g_assert_cmpfloat (p3, ==, ck->params[3]);
  /* CONF payload is the configuration text */
  gsize conf = g_array_index (offs, gsize, 0);
  g_autofree char *text = an_run_config_to_string (&ck->config);
  g_assert_cmpmem (data + conf + SECTION_HEADER_LEN, strlen (text), text, strlen (text));
  /* HIST: record length, count, then each record's fields little-endian at fixed offsets */
  const guint8 *hist = data + g_array_index (offs, gsize, 5);
  g_assert_cmpuint (le_u64 (hist + 4), ==, 8 + 17 * HIST_RECORD_LEN);
  hist += SECTION_HEADER_LEN;
  g_assert_cmpuint (le_u32 (hist), ==, HIST_RECORD_LEN);
  g_assert_cmpuint (le_u32 (hist + 4), ==, 17);
  for (guint i = 0; i < 17; i++)
    {
      const AnEpochRecord *r = &g_array_index (ck->epochs, AnEpochRecord, i);
      const guint8 *q = hist + 8 + i * HIST_RECORD_LEN;
      g_assert_cmpint ((gint32) le_u32 (q + 0), ==, r->epoch);
      g_assert_cmpint ((gint64) le_u64 (q + 4), ==, r->step);
      g_assert_cmpfloat (le_f64 (q + 12), ==, r->train_loss);
      g_assert_cmpfloat (le_f64 (q + 20), ==, r->train_acc);
      g_assert_cmpfloat (le_f64 (q + 28), ==, r->val_loss);
      g_assert_cmpfloat (le_f64 (q + 36), ==, r->val_acc);
      g_assert_cmpfloat (le_f64 (q + 44), ==, r->val_top5);
      g_assert_cmpfloat (le_f64 (q + 52), ==, r->lr);
      g_assert_cmpfloat (le_f64 (q + 60), ==, r->best_val_loss);
      g_assert_cmpint ((gint32) le_u32 (q + 68), ==, r->best_epoch);
      g_assert_cmpint ((gint32) le_u32 (q + 72), ==, r->es_counter);
      g_assert_cmpfloat (le_f64 (q + 76), ==, r->seconds);
      g_assert_cmpfloat (le_f64 (q + 84), ==, r->wall_seconds);
      g_assert_cmpfloat (le_f64 (q + 92), ==, r->data_wait_seconds);
    }
  an_test_remove_tree (dir);
}

/* The file with its HIST payload replaced (lengths and checksum set): a version-1 file with
 * another record layout, or a later build's longer records. */
static GBytes *
with_hist (const guint8 *data, gsize len, const guint8 *hist, gsize hist_len)
{
  g_autoptr (GArray) offs = section_offsets (data, len);
  GByteArray *out = g_byte_array_new ();
  for (guint i = 0; i < offs->len; i++)
    {
      const guint8 *sec = data + g_array_index (offs, gsize, i);
      guint64 plen = le_u64 (sec + 4);
      if (memcmp (sec, "HIST", 4) != 0)
        {
          if (i == 0)
            g_byte_array_append (out, data, FILE_HEADER_LEN);
          g_byte_array_append (out, sec, SECTION_HEADER_LEN + plen);
          continue;
        }
      guint64 n = GUINT64_TO_LE ((guint64) hist_len);
      guint32 crc = GUINT32_TO_LE ((guint32) crc32 (0, hist, (uInt) hist_len));
      g_byte_array_append (out, (const guint8 *) "HIST", 4);
      g_byte_array_append (out, (const guint8 *) &n, 8);
      g_byte_array_append (out, (const guint8 *) &crc, 4);
      g_byte_array_append (out, hist, hist_len);
    }
  return g_byte_array_free_to_bytes (out);
}

/* The HIST payload of a file: its record length, count and records. */
static const guint8 *
hist_of (const guint8 *data, gsize len, gsize *hist_len)
{
  g_autoptr (GArray) offs = section_offsets (data, len);
  for (guint i = 0; i < offs->len; i++)
    {
      const guint8 *sec = data + g_array_index (offs, gsize, i);
      if (memcmp (sec, "HIST", 4) == 0)
        {
          *hist_len = le_u64 (sec + 4);
          return sec + SECTION_HEADER_LEN;
        }
    }
  g_assert_not_reached ();
}

static AnCheckpoint *
read_bytes (const char *path, GBytes *bytes, GError **error)
{
  write_bytes (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return an_checkpoint_read (path, error);
}

/* tests/golden/checkpoint-v1.ankpt, written by the version-1 writer (HIST as raw x86-64
 * records): it still reads, its history matches the epoch rows of the same run's metrics
 * file, and it is written back as version 2 with the same records. The history of a version-1
 * file from before data_wait_seconds (96-byte records) reads too; one from another kind of
 * host (another record size) reads without it. */
static void
test_version_1 (void)
{
  const char *src = g_getenv ("AN_SOURCE_DIR") ?: ".";
  g_autofree char *golden = g_build_filename (src, "tests", "golden", "checkpoint-v1.ankpt",
                                              NULL);
  g_autofree char *csv = g_build_filename (src, "tests", "golden", "checkpoint-v1-metrics.csv",
                                           NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AnCheckpoint) ck = an_checkpoint_read (golden, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ck->epoch, ==, 2);
  g_assert_cmpint (ck->step, ==, 8);
  g_assert_cmpstr (ck->config.model, ==, "micro.preset");
  /* written before pipelines had names: trained with pad-crop, whatever auto means now */
  g_assert_cmpint (ck->spec.pipeline, ==, AN_PIPELINE_PAD_CROP);
  g_assert_cmpint (ck->config.pipeline, ==, AN_PIPELINE_AUTO);
  g_assert_nonnull (ck->best_params);
  g_assert_cmpuint (g_strv_length (ck->class_names), ==, 10);
  g_assert_nonnull (ck->epochs);
  g_assert_cmpuint (ck->epochs->len, ==, 2);

  /* the metrics file's epoch rows: kind,step,epoch,wall_s,lr,loss,grad_norm,images_per_s,
   * train_loss,train_acc,val_loss,val_acc,val_top5 (9 significant digits) */
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint rows = 0;
  for (int i = 0; lines[i]; i++)
    {
      if (!g_str_has_prefix (lines[i], "epoch,"))
        continue;
      g_auto (GStrv) cell = g_strsplit (lines[i], ",", -1);
      g_assert_cmpuint (g_strv_length (cell), ==, 16);
      g_assert_cmpuint (rows, <, ck->epochs->len);
      const AnEpochRecord *r = &g_array_index (ck->epochs, AnEpochRecord, rows);
      g_assert_cmpint (r->step, ==, g_ascii_strtoll (cell[1], NULL, 10));
      g_assert_cmpint (r->epoch, ==, g_ascii_strtoll (cell[2], NULL, 10));
      g_assert_cmpfloat_with_epsilon (r->wall_seconds, g_ascii_strtod (cell[3], NULL), 1e-6);
      const double *got[] = { &r->lr, &r->train_loss, &r->train_acc, &r->val_loss,
                              &r->val_acc, &r->val_top5 };
      const int col[] = { 4, 8, 9, 10, 11, 12 };
      for (gsize k = 0; k < G_N_ELEMENTS (col); k++)
        {
          double want = g_ascii_strtod (cell[col[k]], NULL);
          g_assert_cmpfloat_with_epsilon (*got[k], want, 1e-8 * fabs (want));
        }
      g_assert_cmpfloat (r->seconds, >, 0);
      g_assert_cmpfloat (r->seconds, <=, r->wall_seconds);
      g_assert_cmpfloat (r->data_wait_seconds, >=, 0);
      g_assert_cmpfloat (r->data_wait_seconds, <=, r->seconds);
      g_assert_cmpint (r->best_epoch, ==, r->epoch); /* the loss fell in both epochs */
      g_assert_cmpfloat (r->best_val_loss, ==, r->val_loss);
      rows++;
    }
  g_assert_cmpuint (rows, ==, 2);

  /* written again: version 2, the same history */
  g_autofree char *dir = an_test_make_tmpdir ("an-ckpt");
  g_autofree char *path = g_build_filename (dir, "v2.ckpt", NULL);
  write_or_die (ck, path);
  g_autoptr (AnCheckpoint) again = an_checkpoint_read (path, &error);
  g_assert_no_error (error);
  assert_same_checkpoint (ck, again);

  /* older version-1 records, without data_wait_seconds: the first 96 bytes of each */
  g_autofree guint8 *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (golden, (char **) &data, &len, NULL));
  gsize hist_len;
  const guint8 *hist = hist_of (data, len, &hist_len);
  g_assert_cmpuint (le_u32 (hist), ==, 104);
  g_assert_cmpuint (hist_len, ==, 8 + 2 * 104);
  guint8 old[8 + 2 * 96];
  guint32 size_le = GUINT32_TO_LE (96);
  memcpy (old, &size_le, 4);
  memcpy (old + 4, hist + 4, 4);
  for (int i = 0; i < 2; i++)
    memcpy (old + 8 + i * 96, hist + 8 + i * 104, 96);
  g_autoptr (GBytes) old_file = with_hist (data, len, old, sizeof old);
  g_autoptr (AnCheckpoint) older = read_bytes (path, old_file, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (older->epochs->len, ==, 2);
  for (int i = 0; i < 2; i++)
    {
      AnEpochRecord want = g_array_index (ck->epochs, AnEpochRecord, i);
      want.data_wait_seconds = 0;
      g_assert_cmpmem (&g_array_index (older->epochs, AnEpochRecord, i), sizeof want, &want,
                       sizeof want);
    }

  /* version-1 records of another size: the run without its history */
  guint8 foreign[8 + 2 * 92];
  size_le = GUINT32_TO_LE (92);
  memcpy (foreign, &size_le, 4);
  memcpy (foreign + 4, hist + 4, 4);
  memset (foreign + 8, 0x5a, sizeof foreign - 8);
  g_autoptr (GBytes) foreign_file = with_hist (data, len, foreign, sizeof foreign);
  g_autoptr (AnCheckpoint) other = read_bytes (path, foreign_file, &error);
  g_assert_no_error (error);
  g_assert_null (other->epochs);
  g_assert_cmpmem (other->params, ck->n_params * 4, ck->params, ck->n_params * 4);
  an_test_remove_tree (dir);
}

/* Version 2: records longer than the fields this build knows (a later build's) read those
 * fields; records shorter than them are an error naming the section. */
static void
test_hist_record_length (void)
{
  g_autofree char *dir = an_test_make_tmpdir ("an-ckpt");
  g_autofree char *path = g_build_filename (dir, "h.ckpt", NULL);
  g_autoptr (AnCheckpoint) ck = make_checkpoint (6, FALSE, TRUE);
  write_or_die (ck, path);
  g_autofree guint8 *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, (char **) &data, &len, NULL));
  gsize hist_len;
  const guint8 *hist = hist_of (data, len, &hist_len);
  guint count = le_u32 (hist + 4);

  enum { LONGER = HIST_RECORD_LEN + 12 };
  g_autofree guint8 *longer = g_malloc0 (8 + count * LONGER);
  guint32 size_le = GUINT32_TO_LE (LONGER);
  memcpy (longer, &size_le, 4);
  memcpy (longer + 4, hist + 4, 4);
  for (guint i = 0; i < count; i++)
    {
      memcpy (longer + 8 + i * LONGER, hist + 8 + i * HIST_RECORD_LEN, HIST_RECORD_LEN);
      memset (longer + 8 + i * LONGER + HIST_RECORD_LEN, 0xa5, LONGER - HIST_RECORD_LEN);
    }
  g_autoptr (GBytes) longer_file = with_hist (data, len, longer, 8 + count * LONGER);
  g_autoptr (GError) error = NULL;
  g_autoptr (AnCheckpoint) back = read_bytes (path, longer_file, &error);
  g_assert_no_error (error);
  assert_same_checkpoint (ck, back);

  guint8 shorter[8 + 96];
  size_le = GUINT32_TO_LE (96);
  guint32 one = GUINT32_TO_LE (1);
  memcpy (shorter, &size_le, 4);
  memcpy (shorter + 4, &one, 4);
  memcpy (shorter + 8, hist + 8, 96);
  g_autoptr (GBytes) shorter_file = with_hist (data, len, shorter, sizeof shorter);
  write_bytes (path, g_bytes_get_data (shorter_file, NULL), g_bytes_get_size (shorter_file));
  assert_rejected (path, AN_ERROR_FORMAT, "section HIST has records of 96 bytes");
  an_test_remove_tree (dir);
}

static void
test_truncated (void)
{
  g_autofree char *dir = an_test_make_tmpdir ("an-ckpt");
  g_autofree char *good = g_build_filename (dir, "good.ckpt", NULL);
  g_autofree char *cut = g_build_filename (dir, "cut.ckpt", NULL);
  g_autoptr (AnCheckpoint) ck = make_checkpoint (64, TRUE, TRUE);
  write_or_die (ck, good);
  g_autofree guint8 *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (good, (char **) &data, &len, NULL));

  /* every length short of the whole file, including each section boundary */
  for (gsize n = 0; n < len; n++)
    {
      write_bytes (cut, data, n);
      assert_rejected (cut, AN_ERROR_FORMAT, n < FILE_HEADER_LEN ? "not an AlexNet Studio" : NULL);
    }
  /* one byte too many */
  g_autofree guint8 *longer = g_malloc (len + 1);
  memcpy (longer, data, len);
  longer[len] = 0;
  write_bytes (cut, longer, len + 1);
  assert_rejected (cut, AN_ERROR_FORMAT, "after the END");
  g_test_message ("rejected all %" G_GSIZE_FORMAT " truncations", len);
  an_test_remove_tree (dir);
}

static void
test_corrupt (void)
{
  g_autofree char *dir = an_test_make_tmpdir ("an-ckpt");
  g_autofree char *good = g_build_filename (dir, "good.ckpt", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.ckpt", NULL);
  g_autoptr (AnCheckpoint) ck = make_checkpoint (16, TRUE, TRUE);
  write_or_die (ck, good);
  g_autofree guint8 *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (good, (char **) &data, &len, NULL));
  g_autoptr (GArray) offs = section_offsets (data, len);

  /* a flipped payload byte in each section is a checksum mismatch naming the section */
  static const char *const tags[] = { "CONF", "STAT", "PARM", "MOMT", "BEST", "HIST" };
  for (gsize i = 0; i < G_N_ELEMENTS (tags); i++)
    {
      gsize off = g_array_index (offs, gsize, i) + SECTION_HEADER_LEN + 5;
      data[off] ^= 0x40;
      write_bytes (bad, data, len);
      g_autofree char *msg = g_strdup_printf ("section %s is corrupt (checksum mismatch)",
                                              tags[i]);
      assert_rejected (bad, AN_ERROR_CHECKSUM, msg);
      data[off] ^= 0x40;
    }

  /* no single flipped byte anywhere (magic, version, tags, lengths, checksums, payloads)
   * gives a file that reads */
  for (gsize off = 0; off < len; off++)
    {
      data[off] ^= 0xff;
      write_bytes (bad, data, len);
      g_autoptr (GError) error = NULL;
      g_autoptr (AnCheckpoint) back = an_checkpoint_read (bad, &error);
      if (back != NULL)
        g_error ("a flipped byte at %" G_GSIZE_FORMAT " was not noticed", off);
      g_assert_true (error->domain == AN_ERROR);
      g_assert_nonnull (strstr (error->message, bad));
      data[off] ^= 0xff;
    }
  g_test_message ("rejected all %" G_GSIZE_FORMAT " single-byte corruptions", len);

  /* STAT saying another parameter count, with a correct checksum, is caught */
  gsize stat = g_array_index (offs, gsize, 1) + SECTION_HEADER_LEN;
  guint64 n_le = GUINT64_TO_LE (17);
  memcpy (data + stat + 80, &n_le, 8);
  guint32 crc = GUINT32_TO_LE ((guint32) crc32 (0, data + stat, 88));
  memcpy (data + stat - 4, &crc, 4);
  write_bytes (bad, data, len);
  assert_rejected (bad, AN_ERROR_FORMAT, "section PARM holds 64 bytes, but STAT says 17");
  an_test_remove_tree (dir);
}

static void
test_foreign (void)
{
  g_autofree char *dir = an_test_make_tmpdir ("an-ckpt");
  g_autofree char *path = g_build_filename (dir, "x.ckpt", NULL);

  write_bytes (path, "", 0);
  assert_rejected (path, AN_ERROR_FORMAT, "is not an AlexNet Studio checkpoint");

  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                'I', 'H', 'D', 'R', 0, 0, 0, 1 };
  write_bytes (path, png, sizeof png);
  assert_rejected (path, AN_ERROR_FORMAT, "is not an AlexNet Studio checkpoint");

  const char *text = "model=alexnet-tiny\nlr=0.01\n";
  write_bytes (path, text, strlen (text));
  assert_rejected (path, AN_ERROR_FORMAT, "is not an AlexNet Studio checkpoint");

  g_autoptr (AnCheckpoint) ck = make_checkpoint (4, FALSE, FALSE);
  write_or_die (ck, path);
  g_autofree guint8 *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, (char **) &data, &len, NULL));
  data[7] = '2'; /* ANCKPT02 */
  write_bytes (path, data, len);
  assert_rejected (path, AN_ERROR_FORMAT, "is not an AlexNet Studio checkpoint");
  data[7] = '1';
  data[8] = 3; /* a later version */
  write_bytes (path, data, len);
  assert_rejected (path, AN_ERROR_FORMAT, "version 3");
  data[8] = 0;
  write_bytes (path, data, len);
  assert_rejected (path, AN_ERROR_FORMAT, "version 0");

  g_autofree char *missing = g_build_filename (dir, "missing.ckpt", NULL);
  assert_rejected (missing, AN_ERROR_IO, "No such file");
  an_test_remove_tree (dir);
}

/* The write fails part-way with EFBIG (a full disk as far as the writer can tell): the
 * previous checkpoint at PATH must read back identical and no temporary file may stay. */
static void
test_disk_full (void)
{
  g_autofree char *dir = an_test_make_tmpdir ("an-ckpt");
  g_autofree char *path = g_build_filename (dir, "run.ckpt", NULL);
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
  g_autoptr (AnCheckpoint) old = make_checkpoint (100, FALSE, FALSE);
  write_or_die (old, path);
  g_autofree guint8 *before = NULL;
  gsize before_len;
  g_assert_true (g_file_get_contents (path, (char **) &before, &before_len, NULL));

  g_autoptr (AnCheckpoint) bigger = make_checkpoint (20000, TRUE, TRUE);
  bigger->epoch = 99;

  int pipefd[2];
  g_assert_cmpint (pipe (pipefd), ==, 0);
  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      close (pipefd[0]);
      struct rlimit lim = { .rlim_cur = 16384, .rlim_max = 16384 };
      signal (SIGXFSZ, SIG_IGN);
      if (setrlimit (RLIMIT_FSIZE, &lim) != 0)
        _exit (3);
      GError *error = NULL;
      gboolean ok = an_checkpoint_write (bigger, path, &error);
      if (error != NULL)
        {
          gssize unused = write (pipefd[1], error->message, strlen (error->message));
          (void) unused;
        }
      _exit (ok ? 1 : (error != NULL && error->code == AN_ERROR_IO ? 0 : 2));
    }
  close (pipefd[1]);
  GString *msg = g_string_new (NULL);
  char buf[256];
  gssize n;
  while ((n = read (pipefd[0], buf, sizeof buf)) > 0)
    g_string_append_len (msg, buf, n);
  close (pipefd[0]);
  int status = 0;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_test_message ("child: exit %d, error: %s", WEXITSTATUS (status), msg->str);
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_nonnull (strstr (msg->str, path));
  g_assert_nonnull (strstr (msg->str, g_strerror (EFBIG)));
  g_string_free (msg, TRUE);

  g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
  g_autofree guint8 *after = NULL;
  gsize after_len;
  g_assert_true (g_file_get_contents (path, (char **) &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);
  g_autoptr (GError) error = NULL;
  g_autoptr (AnCheckpoint) back = an_checkpoint_read (path, &error);
  g_assert_no_error (error);
  assert_same_checkpoint (old, back);

  /* without the limit the same write succeeds */
  write_or_die (bigger, path);
  g_autoptr (AnCheckpoint) back2 = an_checkpoint_read (path, &error);
  g_assert_no_error (error);
  assert_same_checkpoint (bigger, back2);
  an_test_remove_tree (dir);
}

static void
test_unwritable_folder (void)
{
  g_autofree char *dir = an_test_make_tmpdir ("an-ckpt");
  g_autoptr (AnCheckpoint) ck = make_checkpoint (8, FALSE, FALSE);
  g_autoptr (GError) error = NULL;

  g_autofree char *nowhere = g_build_filename (dir, "no-such-folder", "run.ckpt", NULL);
  g_assert_false (an_checkpoint_write (ck, nowhere, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_IO);
  g_assert_nonnull (strstr (error->message, nowhere));
  g_assert_nonnull (strstr (error->message, g_strerror (ENOENT)));
  g_clear_error (&error);

  g_autofree char *path = g_build_filename (dir, "run.ckpt", NULL);
  write_or_die (ck, path);
  if (geteuid () == 0)
    {
      g_test_message ("running as root: a read-only folder cannot refuse a write, not tested");
      an_test_remove_tree (dir);
      return;
    }
  g_assert_cmpint (chmod (dir, 0555), ==, 0);
  g_autoptr (AnCheckpoint) other = make_checkpoint (8, TRUE, FALSE);
  g_assert_false (an_checkpoint_write (other, path, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_IO);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, g_strerror (EACCES)));
  g_assert_cmpint (chmod (dir, 0755), ==, 0);
  g_autoptr (AnCheckpoint) back = an_checkpoint_read (path, NULL);
  g_assert_nonnull (back);
  assert_same_checkpoint (ck, back);
  an_test_remove_tree (dir);
}

/* The writer's fill source: the arrays of the checkpoint in data, or a failure. */
static gboolean
fill_from (gpointer data, int which, gsize offset, gsize count, float *out, GError **error)
{
  const AnCheckpoint *src = data;

  if (src == NULL)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_DEVICE, "the device went away");
      return FALSE;
    }
  g_assert_cmpuint (offset + count, <=, src->n_params);
  memcpy (out, (which == 0 ? src->params : src->momentum) + offset, count * sizeof (float));
  return TRUE;
}

/* Writing through a fill function (the parameters, then the momentum, a piece at a time) gives
 * the very file the arrays give, with more parameters than one piece; a fill that fails leaves
 * the previous checkpoint as it was. */
static void
test_fill (void)
{
  g_autofree char *dir = an_test_make_tmpdir ("an-ckpt");
  g_autofree char *a = g_build_filename (dir, "arrays.ckpt", NULL);
  g_autofree char *b = g_build_filename (dir, "fill.ckpt", NULL);
  g_autofree char *tmp = g_strconcat (b, ".tmp", NULL);
  g_autoptr (AnCheckpoint) ck = make_checkpoint (((gsize) 1 << 20) * 2 + 12345, TRUE, TRUE);
  g_autofree char *da = NULL, *db = NULL, *after = NULL;
  gsize la = 0, lb = 0, lafter = 0;
  g_autoptr (GError) error = NULL;
  AnCheckpoint via = *ck;

  write_or_die (ck, a);
  via.params = via.momentum = NULL;
  via.fill = fill_from;
  via.fill_data = ck;
  g_assert_true (an_checkpoint_write (&via, b, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (a, &da, &la, NULL));
  g_assert_true (g_file_get_contents (b, &db, &lb, NULL));
  g_assert_cmpmem (da, la, db, lb);

  via.fill_data = NULL;
  g_assert_false (an_checkpoint_write (&via, b, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, AN_ERROR, AN_ERROR_DEVICE);
  g_assert_nonnull (strstr (error->message, "fill.ckpt"));
  g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (b, &after, &lafter, NULL));
  g_assert_cmpmem (after, lafter, db, lb);
  an_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/checkpoint/round-trip", test_round_trip);
  g_test_add_func ("/checkpoint/fill", test_fill);
  g_test_add_func ("/checkpoint/data-section", test_data_section);
  g_test_add_func ("/checkpoint/sections-layout", test_sections_layout);
  g_test_add_func ("/checkpoint/version-1", test_version_1);
  g_test_add_func ("/checkpoint/hist-record-length", test_hist_record_length);
  g_test_add_func ("/checkpoint/truncated", test_truncated);
  g_test_add_func ("/checkpoint/corrupt", test_corrupt);
  g_test_add_func ("/checkpoint/foreign", test_foreign);
  g_test_add_func ("/checkpoint/disk-full", test_disk_full);
  g_test_add_func ("/checkpoint/unwritable-folder", test_unwritable_folder);
  return g_test_run ();
}
