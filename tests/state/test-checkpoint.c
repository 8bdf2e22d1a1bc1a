/* test-checkpoint.c: the checkpoint file: every field round-trips; truncated, corrupted,
 * foreign and empty files are rejected with the file and section named; a full disk (a write
 * failing with EFBIG under RLIMIT_FSIZE) and an unwritable folder leave the previous checkpoint
 * readable and unchanged. The section walk here reads docs/FILES.md's layout independently.
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

#define FILE_HEADER_LEN 12
#define SECTION_HEADER_LEN 16

/* What the trainer stores in HIST, as far as this file is concerned: opaque fixed records. */
typedef struct {
  int epoch;
  double loss;
  double acc;
} TestRecord;

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
  ck->epoch_record_size = sizeof (TestRecord);
  if (with_hist)
    {
      ck->epochs = g_array_new (FALSE, TRUE, sizeof (TestRecord));
      for (int e = 1; e <= 17; e++)
        {
          TestRecord r;
          memset (&r, 0, sizeof r); /* padding too: the bytes are compared */
          r.epoch = e;
          r.loss = 1.0 / e;
          r.acc = 1.0 - 1.0 / (e + 1);
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
    g_assert_cmpmem (a->epochs->data, a->epochs->len * sizeof (TestRecord), b->epochs->data,
                     b->epochs->len * sizeof (TestRecord));
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
      g_autoptr (AnCheckpoint) back = an_checkpoint_read (path, sizeof (TestRecord), &error);
      g_assert_no_error (error);
      g_assert_nonnull (back);
      assert_same_checkpoint (ck, back);
    }

  /* a -inf best score (no epoch yet) and an infinite plateau best survive */
  g_autoptr (AnCheckpoint) fresh = make_checkpoint (3, FALSE, FALSE);
  an_schedule_init (&fresh->schedule, &fresh->config);
  an_early_stop_init (&fresh->early);
  write_or_die (fresh, path);
  g_autoptr (AnCheckpoint) fresh_back = an_checkpoint_read (path, sizeof (TestRecord), &error);
  g_assert_no_error (error);
  assert_same_checkpoint (fresh, fresh_back);
  g_assert_true (isinf (fresh_back->early.best_score) && fresh_back->early.best_score < 0);

  /* a reader with another record size gets the run without its history */
  g_autoptr (AnCheckpoint) ck = make_checkpoint (5, FALSE, TRUE);
  write_or_die (ck, path);
  g_autoptr (AnCheckpoint) other = an_checkpoint_read (path, sizeof (TestRecord) + 8, &error);
  g_assert_no_error (error);
  g_assert_null (other->epochs);
  g_assert_cmpmem (other->params, 20, ck->params, 20);

  an_test_remove_tree (dir);
}

/* The documented layout, walked independently: returns the offsets of section headers. */
static GArray *
section_offsets (const guint8 *data, gsize len)
{
  GArray *offs = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_assert_cmpmem (data, 8, "ANCKPT01", 8);
  g_assert_cmpuint (GUINT32_FROM_LE (*(const guint32 *) (data + 8)), ==, 1);
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
  g_autoptr (AnCheckpoint) ck = an_checkpoint_read (path, sizeof (TestRecord), &error);
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
                            .pca_eigval = { 3e-3f, 2e-4f, 1e-5f } };
  ck->spec.pca_eigvec[2][1] = -0.577f;
  ck->ep_loss = 123.456789012345;
  ck->ep_correct = 77;
  ck->ep_seen = 100;
  write_or_die (ck, path);
  g_autoptr (GError) error = NULL;
  g_autoptr (AnCheckpoint) back = an_checkpoint_read (path, 0, &error);
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
      g_autoptr (AnCheckpoint) back = an_checkpoint_read (bad, sizeof (TestRecord), &error);
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
  data[8] = 2; /* version 2 */
  write_bytes (path, data, len);
  assert_rejected (path, AN_ERROR_FORMAT, "version 2");

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
  g_autoptr (AnCheckpoint) back = an_checkpoint_read (path, sizeof (TestRecord), &error);
  g_assert_no_error (error);
  assert_same_checkpoint (old, back);

  /* without the limit the same write succeeds */
  write_or_die (bigger, path);
  g_autoptr (AnCheckpoint) back2 = an_checkpoint_read (path, sizeof (TestRecord), &error);
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
  g_autoptr (AnCheckpoint) back = an_checkpoint_read (path, sizeof (TestRecord), NULL);
  g_assert_nonnull (back);
  assert_same_checkpoint (ck, back);
  an_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/checkpoint/round-trip", test_round_trip);
  g_test_add_func ("/checkpoint/data-section", test_data_section);
  g_test_add_func ("/checkpoint/sections-layout", test_sections_layout);
  g_test_add_func ("/checkpoint/truncated", test_truncated);
  g_test_add_func ("/checkpoint/corrupt", test_corrupt);
  g_test_add_func ("/checkpoint/foreign", test_foreign);
  g_test_add_func ("/checkpoint/disk-full", test_disk_full);
  g_test_add_func ("/checkpoint/unwritable-folder", test_unwritable_folder);
  return g_test_run ();
}
