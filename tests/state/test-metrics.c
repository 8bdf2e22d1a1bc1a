/* test-metrics.c: the metrics CSV: header block, rows that parse back to the values written
 * (within %.9g's half unit in the 9th digit), append without a second header, dropping rows
 * after a step, and write errors (a full device, a file-size limit, a missing folder) reported
 * with the file named.
 */
#define G_LOG_DOMAIN "test-metrics"
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "an-metrics.h"
#include "an-epoch.h"
#include "an-error.h"
#include "an-test-util.h"
#include "an-error.h"

#define COLUMNS "kind,step,epoch,wall_s,lr,loss,grad_norm,images_per_s,train_loss,train_acc," \
                "val_loss,val_acc,val_top5,key,old,new"
#define N_COLUMNS 16
/* %.9g keeps 9 significant digits: relative error at most 5e-9 */
#define REL_TOL 5e-9

static char *
read_all (const char *path)
{
  char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  return text;
}

static void
assert_number (const char *cell, double want)
{
  g_assert_cmpstr (cell, !=, "");
  char *end = NULL;
  double got = g_ascii_strtod (cell, &end);
  g_assert_true (*end == '\0');
  if (isnan (want))
    {
      g_assert_true (isnan (got));
      return;
    }
  double err = fabs (got - want);
  if (err > REL_TOL * fabs (want))
    g_error ("cell “%s” reads %.17g, written %.17g (relative error %g > %g)", cell, got, want,
             err / fabs (want), REL_TOL);
}

/* Rows (header block skipped) split into cells. */
static GPtrArray *
data_rows (const char *text, int *n_magic, int *n_columns_lines)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  *n_magic = *n_columns_lines = 0;
  for (int i = 0; lines[i] != NULL; i++)
    {
      if (strcmp (lines[i], "# alexnet-studio metrics v1") == 0)
        (*n_magic)++;
      else if (strcmp (lines[i], COLUMNS) == 0)
        (*n_columns_lines)++;
      else if (*lines[i] != '#' && *lines[i] != '\0')
        {
          char **cells = g_strsplit (lines[i], ",", -1);
          g_assert_cmpuint (g_strv_length (cells), ==, N_COLUMNS);
          g_ptr_array_add (rows, cells);
        }
    }
  return rows;
}

static void
assert_empty (char **cells, int from, int to)
{
  for (int i = from; i <= to; i++)
    g_assert_cmpstr (cells[i], ==, "");
}

static void
test_rows_parse_back (void)
{
  g_autofree char *dir = an_test_make_tmpdir ("an-metrics");
  g_autofree char *path = g_build_filename (dir, "metrics.csv", NULL);
  AnRunConfig cfg;
  an_run_config_init (&cfg);
  cfg.lr = 0.0375;
  g_autoptr (GError) error = NULL;

  AnMetrics *m = an_metrics_open (path, &cfg, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (an_metrics_step (m, 1, 1, 0.123456789012, 0.0375, 2.302585092994046,
                                  13.75, 1234.5678, &error));
  g_assert_true (an_metrics_step (m, 2, 1, 0.25, 0.0375, 1.0 / 3.0, 1e-12, 98765432.1, &error));
  g_assert_true (an_metrics_change (m, 3, 1, 0.3, AN_LIVE_LR, 0.0375, 0.01875, &error));
  g_assert_true (an_metrics_epoch (m, 3, 1, 0.5, 0.01875, 1.5, 0.45, 1.25, 0.5, 0.9, &error));
  g_assert_no_error (error);

  /* the epoch row is on disk before close */
  g_autofree char *synced = read_all (path);
  g_assert_nonnull (strstr (synced, "\nepoch,3,1,"));
  g_assert_true (an_metrics_step (m, 4, 2, 0.6, 0.01875, NAN, 0, 1, &error));
  g_assert_true (an_metrics_sync (m, &error));
  an_metrics_close (m);

  g_autofree char *text = read_all (path);
  g_assert_true (g_str_has_prefix (text, "# alexnet-studio metrics v1\n"));
  /* the configuration, one "# key=value" line per field, in to_string's order */
  g_autofree char *conf = an_run_config_to_string (&cfg);
  g_auto (GStrv) conf_lines = g_strsplit (conf, "\n", -1);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n_conf = g_strv_length (conf_lines) - 1;
  for (guint i = 0; i < n_conf; i++)
    {
      g_autofree char *want = g_strconcat ("# ", conf_lines[i], NULL);
      g_assert_cmpstr (lines[1 + i], ==, want);
    }
  g_assert_cmpstr (lines[1 + n_conf], ==, COLUMNS);
  /* and it parses back to the same configuration */
  AnRunConfig back;
  an_run_config_init (&back);
  GString *conf_text = g_string_new (NULL);
  for (guint i = 0; i < n_conf; i++)
    g_string_append_printf (conf_text, "%s\n", lines[1 + i] + 2);
  g_assert_true (an_run_config_from_string (&back, conf_text->str, &error));
  g_assert_cmpfloat (back.lr, ==, 0.0375);
  g_string_free (conf_text, TRUE);
  an_run_config_clear (&back);

  int n_magic, n_cols;
  g_autoptr (GPtrArray) rows = data_rows (text, &n_magic, &n_cols);
  g_assert_cmpint (n_magic, ==, 1);
  g_assert_cmpint (n_cols, ==, 1);
  g_assert_cmpuint (rows->len, ==, 5);

  char **r = rows->pdata[0];
  g_assert_cmpstr (r[0], ==, "step");
  g_assert_cmpstr (r[1], ==, "1");
  g_assert_cmpstr (r[2], ==, "1");
  assert_number (r[3], 0.123456789012);
  assert_number (r[4], 0.0375);
  assert_number (r[5], 2.302585092994046);
  assert_number (r[6], 13.75);
  assert_number (r[7], 1234.5678);
  assert_empty (r, 8, 15);

  r = rows->pdata[1];
  assert_number (r[5], 1.0 / 3.0);
  assert_number (r[6], 1e-12);
  assert_number (r[7], 98765432.1);

  r = rows->pdata[2];
  g_assert_cmpstr (r[0], ==, "change");
  g_assert_cmpstr (r[1], ==, "3");
  assert_number (r[3], 0.3);
  assert_empty (r, 4, 12);
  g_assert_cmpstr (r[13], ==, "lr");
  assert_number (r[14], 0.0375);
  assert_number (r[15], 0.01875);

  r = rows->pdata[3];
  g_assert_cmpstr (r[0], ==, "epoch");
  g_assert_cmpstr (r[1], ==, "3");
  g_assert_cmpstr (r[2], ==, "1");
  assert_number (r[3], 0.5);
  assert_number (r[4], 0.01875);
  assert_empty (r, 5, 7);
  assert_number (r[8], 1.5);
  assert_number (r[9], 0.45);
  assert_number (r[10], 1.25);
  assert_number (r[11], 0.5);
  assert_number (r[12], 0.9);
  assert_empty (r, 13, 15);

  r = rows->pdata[4];
  g_assert_cmpstr (r[2], ==, "2");
  assert_number (r[5], NAN);
  g_assert_cmpstr (r[6], ==, "0");

  an_run_config_clear (&cfg);
  an_test_remove_tree (dir);
}

static void
test_append (void)
{
  g_autofree char *dir = an_test_make_tmpdir ("an-metrics");
  g_autofree char *path = g_build_filename (dir, "metrics.csv", NULL);
  AnRunConfig cfg;
  an_run_config_init (&cfg);
  g_autoptr (GError) error = NULL;

  /* append to a file that does not exist yet writes the header */
  AnMetrics *m = an_metrics_open (path, &cfg, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (an_metrics_step (m, 1, 1, 0.1, 0.01, 2.0, 1.0, 100.0, &error));
  an_metrics_close (m);

  /* a run killed in the middle of a row: the cut row goes, the next row starts a line */
  FILE *f = fopen (path, "a");
  fputs ("step,2,1,0.2,0.0", f);
  fclose (f);

  cfg.lr = 0.5; /* a resumed run does not write a second configuration block */
  m = an_metrics_open (path, &cfg, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (an_metrics_step (m, 2, 1, 0.2, 0.01, 1.5, 1.0, 100.0, &error));
  g_assert_true (an_metrics_epoch (m, 2, 1, 0.3, 0.01, 1.6, 0.5, 1.7, 0.4, 0.8, &error));
  an_metrics_close (m);

  g_autofree char *text = read_all (path);
  int n_magic, n_cols;
  g_autoptr (GPtrArray) rows = data_rows (text, &n_magic, &n_cols);
  g_assert_cmpint (n_magic, ==, 1);
  g_assert_cmpint (n_cols, ==, 1);
  g_assert_null (strstr (text, "lr=0.5"));
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpstr (((char **) rows->pdata[0])[1], ==, "1");
  g_assert_cmpstr (((char **) rows->pdata[1])[1], ==, "2");
  assert_number (((char **) rows->pdata[1])[5], 1.5);
  g_assert_cmpstr (((char **) rows->pdata[2])[0], ==, "epoch");

  /* a fresh (non-append) open starts over */
  m = an_metrics_open (path, &cfg, FALSE, &error);
  an_metrics_close (m);
  g_autofree char *fresh = read_all (path);
  g_autoptr (GPtrArray) none = data_rows (fresh, &n_magic, &n_cols);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_nonnull (strstr (fresh, "# lr=0.5\n"));

  /* appending to someone else's file is refused and the file is left alone */
  g_autofree char *foreign = g_build_filename (dir, "data.csv", NULL);
  g_assert_true (g_file_set_contents (foreign, "a,b\n1,2\n", -1, NULL));
  g_assert_null (an_metrics_open (foreign, &cfg, TRUE, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, foreign));
  g_autofree char *untouched = read_all (foreign);
  g_assert_cmpstr (untouched, ==, "a,b\n1,2\n");

  an_run_config_clear (&cfg);
  an_test_remove_tree (dir);
}

static void
test_truncate_after (void)
{
  g_autofree char *dir = an_test_make_tmpdir ("an-metrics");
  g_autofree char *path = g_build_filename (dir, "metrics.csv", NULL);
  AnRunConfig cfg;
  an_run_config_init (&cfg);
  g_autoptr (GError) error = NULL;

  AnMetrics *m = an_metrics_open (path, &cfg, FALSE, &error);
  for (int s = 1; s <= 10; s++)
    {
      int epoch = (s - 1) / 5 + 1;
      g_assert_true (an_metrics_step (m, s, epoch, s * 0.1, 0.01, 1.0 / s, 1, 1, &error));
      if (s == 7)
        g_assert_true (an_metrics_change (m, 7, 2, 0.7, AN_LIVE_MOMENTUM, 0.9, 0.95, &error));
      if (s % 5 == 0)
        g_assert_true (an_metrics_epoch (m, s, epoch, s * 0.1, 0.01, 1, 0.5, 1, 0.5, 0.9,
                                         &error));
    }
  an_metrics_close (m);
  g_autofree char *full = read_all (path);
  /* a row cut by a crash at the very end */
  FILE *f = fopen (path, "a");
  fputs ("step,11,3,1.1", f);
  fclose (f);

  g_assert_true (an_metrics_truncate_after (path, 6, &error));
  g_assert_no_error (error);
  g_autofree char *text = read_all (path);

  /* expected: the header block and the rows of steps 1..6 (the epoch row at step 5 too),
   * byte for byte as they were */
  GString *want = g_string_new (NULL);
  g_auto (GStrv) lines = g_strsplit (full, "\n", -1);
  for (int i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      int step = 0;
      if (g_str_has_prefix (lines[i], "step,") || g_str_has_prefix (lines[i], "epoch,")
          || g_str_has_prefix (lines[i], "change,"))
        step = atoi (strchr (lines[i], ',') + 1);
      if (step <= 6)
        g_string_append_printf (want, "%s\n", lines[i]);
    }
  g_assert_cmpstr (text, ==, want->str);
  g_string_free (want, TRUE);
  int n_magic, n_cols;
  g_autoptr (GPtrArray) rows = data_rows (text, &n_magic, &n_cols);
  g_assert_cmpuint (rows->len, ==, 7); /* 6 steps + the epoch-1 row */
  g_assert_null (strstr (text, "momentum,"));

  /* the run continues from the checkpoint at step 6 */
  m = an_metrics_open (path, &cfg, TRUE, &error);
  g_assert_true (an_metrics_step (m, 7, 2, 0.7, 0.01, 0.5, 1, 1, &error));
  an_metrics_close (m);
  g_autofree char *continued = read_all (path);
  g_assert_true (g_str_has_suffix (continued, "\nstep,7,2,0.7,0.01,0.5,1,1,,,,,,,,\n"));

  /* truncating at 0 keeps only the header block */
  g_assert_true (an_metrics_truncate_after (path, 0, &error));
  g_autofree char *header_only = read_all (path);
  g_autoptr (GPtrArray) no_rows = data_rows (header_only, &n_magic, &n_cols);
  g_assert_cmpuint (no_rows->len, ==, 0);
  g_assert_cmpint (n_cols, ==, 1);

  /* nothing to do for a missing file; a damaged row is named by its line */
  g_autofree char *missing = g_build_filename (dir, "none.csv", NULL);
  g_assert_true (an_metrics_truncate_after (missing, 3, &error));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_set_contents (path, "# alexnet-studio metrics v1\n" COLUMNS "\n"
                                      "step,1,1,0.1,,,,,,,,,,,,\nstep,x,1\n", -1, NULL));
  g_assert_false (an_metrics_truncate_after (path, 3, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "line 4"));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "kind,step\n", -1, NULL));
  g_assert_false (an_metrics_truncate_after (path, 3, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);

  an_run_config_clear (&cfg);
  an_test_remove_tree (dir);
}

/* Under a file-size limit, with SIGXFSZ ignored, writes fail with EFBIG: some row or sync
 * must report it, naming the file. Runs in a child so the limit stays there. */
static void
test_write_errors_reported (void)
{
  g_autofree char *dir = an_test_make_tmpdir ("an-metrics");
  g_autofree char *path = g_build_filename (dir, "metrics.csv", NULL);
  AnRunConfig cfg;
  an_run_config_init (&cfg);
  g_autoptr (GError) error = NULL;

  int pipefd[2];
  g_assert_cmpint (pipe (pipefd), ==, 0);
  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      close (pipefd[0]);
      struct rlimit lim = { .rlim_cur = 8192, .rlim_max = 8192 };
      signal (SIGXFSZ, SIG_IGN);
      if (setrlimit (RLIMIT_FSIZE, &lim) != 0)
        _exit (3);
      GError *e = NULL;
      AnMetrics *m = an_metrics_open (path, &cfg, FALSE, &e);
      if (m == NULL)
        _exit (4);
      gboolean ok = TRUE;
      for (int s = 1; s <= 2000 && ok; s++)
        ok = an_metrics_step (m, s, 1, s, 0.01, 1.0 / s, 1, 1, &e)
             && (s % 10 != 0 || an_metrics_sync (m, &e));
      if (e != NULL)
        {
          gssize unused = write (pipefd[1], e->message, strlen (e->message));
          (void) unused;
        }
      _exit (ok ? 1 : (e != NULL && e->code == AN_ERROR_IO ? 0 : 2));
    }
  close (pipefd[1]);
  char buf[512] = { 0 };
  gssize got = 0, n;
  while ((n = read (pipefd[0], buf + got, sizeof buf - 1 - (gsize) got)) > 0)
    got += n;
  close (pipefd[0]);
  int status = 0;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_test_message ("child: exit %d, error: %s", WEXITSTATUS (status), buf);
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_nonnull (strstr (buf, path));
  g_assert_nonnull (strstr (buf, g_strerror (EFBIG)));

  /* a full device refuses even the header */
  if (g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      g_assert_null (an_metrics_open ("/dev/full", &cfg, FALSE, &error));
      g_assert_error (error, AN_ERROR, AN_ERROR_IO);
      g_assert_nonnull (strstr (error->message, "/dev/full"));
      g_assert_nonnull (strstr (error->message, g_strerror (ENOSPC)));
      g_clear_error (&error);
    }

  g_autofree char *nowhere = g_build_filename (dir, "missing", "m.csv", NULL);
  g_assert_null (an_metrics_open (nowhere, &cfg, FALSE, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_IO);
  g_assert_nonnull (strstr (error->message, nowhere));

  an_run_config_clear (&cfg);
  an_test_remove_tree (dir);
}

/* Step rows read back for the charts of a run opened from its checkpoint: up to its step, each
 * step's fraction of its epoch from the epochs' lengths, a row cut by a crash ignored, a
 * damaged row in the middle named. */
static void
test_read_steps (void)
{
  g_autofree char *dir = an_test_make_tmpdir ("an-metrics");
  g_autofree char *path = g_build_filename (dir, "metrics.csv", NULL);
  AnRunConfig cfg;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) steps = NULL;
  AnMetrics *m;

  an_run_config_init (&cfg);
  m = an_metrics_open (path, &cfg, FALSE, &error);
  g_assert_no_error (error);
  /* epoch 1: steps 1-4; epoch 2: steps 5-8; epoch 3: steps 9-10 (unfinished) */
  for (int s = 1; s <= 10; s++)
    {
      g_assert_true (an_metrics_step (m, s, (s - 1) / 4 + 1, 0.5 * s, 0.01, 3.0 / s, 1.0, 80.0,
                                      &error));
      if (s % 4 == 0)
        g_assert_true (an_metrics_epoch (m, s, s / 4, 0.5 * s, 0.01, 1, 0.5, 1, 0.5, 0.9,
                                         &error));
    }
  g_assert_true (an_metrics_change (m, 6, 2, 2.6, AN_LIVE_LR, 0.01, 0.005, &error));
  an_metrics_close (m);
  {
    FILE *f = fopen (path, "a");
    fputs ("step,11,3,5.", f); /* cut short */
    fclose (f);
  }

  steps = an_metrics_read_steps (path, 9, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, 9);
  for (guint i = 0; i < steps->len; i++)
    {
      const AnStepRecord *r = &g_array_index (steps, AnStepRecord, i);
      int s = (int) i + 1;

      g_assert_cmpint (r->step, ==, s);
      g_assert_cmpint (r->epoch, ==, (s - 1) / 4 + 1);
      g_assert_cmpfloat (fabs (r->epoch_frac - s / 4.0), <, 1e-12);
      g_assert_cmpfloat (fabs (r->loss - 3.0 / s), <, 1e-8);
      g_assert_cmpfloat (fabs (r->wall_seconds - 0.5 * s), <, 1e-12);
    }
  g_clear_pointer (&steps, g_array_unref);
  steps = an_metrics_read_steps (path, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, 10);

  /* a damaged row in the middle */
  {
    g_autofree char *text = read_all (path);
    g_autofree char *bad = NULL;
    char *row = strstr (text, "step,5,");

    g_assert_nonnull (row);
    row[5] = 'x';
    bad = g_build_filename (dir, "bad.csv", NULL);
    g_assert_true (g_file_set_contents (bad, text, -1, NULL));
    g_clear_pointer (&steps, g_array_unref);
    steps = an_metrics_read_steps (bad, G_MAXINT64, &error);
    g_assert_null (steps);
    g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "bad.csv"));
    g_clear_error (&error);
    g_assert_true (g_file_set_contents (bad, "kind,step\nstep,1,1,0,0,1\n", -1, NULL));
    g_assert_null (an_metrics_read_steps (bad, G_MAXINT64, &error));
    g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  }
  an_run_config_clear (&cfg);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics/rows-parse-back", test_rows_parse_back);
  g_test_add_func ("/metrics/append", test_append);
  g_test_add_func ("/metrics/truncate-after", test_truncate_after);
  g_test_add_func ("/metrics/read-steps", test_read_steps);
  g_test_add_func ("/metrics/write-errors-reported", test_write_errors_reported);
  return g_test_run ();
}
