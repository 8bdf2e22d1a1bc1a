/* an-metrics.c: the metrics CSV (an-metrics.h; layout in docs/FILES.md).
 * A "# alexnet-studio metrics v1" line, the run configuration as "# key=value" lines, one
 * column-header line, then step / epoch / change rows with empty cells where a column does not
 * apply and numbers as %.9g (C locale). Rows are buffered and written with checked write(2)
 * calls; every epoch row is followed by fdatasync, so a crash loses at most that epoch's steps.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "an-metrics.h"
#include "an-epoch.h"
#include "an-error.h"
#include "an-io.h"

#define METRICS_MAGIC_LINE "# alexnet-studio metrics v1"
#define METRICS_FLUSH_BYTES (64 * 1024)

typedef enum {
  COL_KIND,
  COL_STEP,
  COL_EPOCH,
  COL_WALL,
  COL_LR,
  COL_LOSS,
  COL_GRAD_NORM,
  COL_IMAGES_PER_S,
  COL_TRAIN_LOSS,
  COL_TRAIN_ACC,
  COL_VAL_LOSS,
  COL_VAL_ACC,
  COL_VAL_TOP5,
  COL_KEY,
  COL_OLD,
  COL_NEW,
  N_COLUMNS,
} MetricsColumn;

static const char *const column_names[N_COLUMNS + 1] = {
  "kind", "step", "epoch", "wall_s", "lr", "loss", "grad_norm", "images_per_s",
  "train_loss", "train_acc", "val_loss", "val_acc", "val_top5", "key", "old", "new", NULL,
};

struct _AnMetrics {
  char *path;
  int fd;
  GString *pending; /* rows not yet written */
};

static void
set_io_error (GError **error, const char *path, int errsv)
{
  g_set_error (error, AN_ERROR, AN_ERROR_IO, "cannot write metrics file “%s”: %s", path,
               g_strerror (errsv));
}

/* On failure the pending rows are dropped: a retry could not know how much of them reached
 * the file. */
static gboolean
flush_pending (AnMetrics *m, GError **error)
{
  gboolean ok = an_write_all (m->fd, m->pending->str, m->pending->len);
  int errsv = errno;
  g_string_truncate (m->pending, 0);
  if (!ok)
    set_io_error (error, m->path, errsv);
  return ok;
}

static char *
column_header_line (void)
{
  g_autofree char *joined = g_strjoinv (",", (char **) column_names);
  return g_strconcat (joined, "\n", NULL);
}

static void
append_header (GString *s, const AnRunConfig *cfg)
{
  g_string_append (s, METRICS_MAGIC_LINE "\n");
  g_autofree char *conf = an_run_config_to_string (cfg);
  g_auto (GStrv) lines = g_strsplit (conf, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_string_append_printf (s, "# %s\n", lines[i]);
  g_autofree char *columns = column_header_line ();
  g_string_append (s, columns);
}

/* Opening an existing file to continue it: it must be ours, and a row cut short by a crash is
 * removed so the next row starts on its own line. */
static gboolean
prepare_append (AnMetrics *m, gboolean *empty, GError **error)
{
  struct stat st;
  if (fstat (m->fd, &st) != 0)
    {
      set_io_error (error, m->path, errno);
      return FALSE;
    }
  *empty = st.st_size == 0;
  if (*empty)
    return TRUE;

  char first[sizeof METRICS_MAGIC_LINE] = { 0 };
  gssize n = pread (m->fd, first, sizeof first, 0);
  if (n != (gssize) sizeof first || memcmp (first, METRICS_MAGIC_LINE "\n", sizeof first) != 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "“%s” is not an AlexNet Studio metrics file (its first line is not “%s”)",
                   m->path, METRICS_MAGIC_LINE);
      return FALSE;
    }

  off_t end = st.st_size;
  char chunk[4096];
  while (end > 0)
    {
      off_t start = MAX (end - (off_t) sizeof chunk, 0);
      gssize got = pread (m->fd, chunk, (size_t) (end - start), start);
      if (got != end - start)
        {
          set_io_error (error, m->path, got < 0 ? errno : EIO);
          return FALSE;
        }
      for (gssize i = got - 1; i >= 0; i--)
        if (chunk[i] == '\n')
          {
            off_t keep = start + i + 1;
            if (keep != st.st_size && ftruncate (m->fd, keep) != 0)
              {
                set_io_error (error, m->path, errno);
                return FALSE;
              }
            return TRUE;
          }
      end = start;
    }
  g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "metrics file “%s” changed while being opened",
               m->path);
  return FALSE;
}

AnMetrics *
an_metrics_open (const char *path, const AnRunConfig *cfg, gboolean append, GError **error)
{
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  if (append)
    flags = (flags & ~O_WRONLY) | O_RDWR;
  int fd = open (path, flags, 0666);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "cannot open metrics file “%s”: %s", path,
                   g_strerror (errsv));
      return NULL;
    }

  AnMetrics *m = g_new0 (AnMetrics, 1);
  m->path = g_strdup (path);
  m->fd = fd;
  m->pending = g_string_new (NULL);

  gboolean empty = TRUE;
  if (append && !prepare_append (m, &empty, error))
    {
      an_metrics_close (m);
      return NULL;
    }
  if (empty)
    {
      append_header (m->pending, cfg);
      if (!flush_pending (m, error))
        {
          an_metrics_close (m);
          return NULL;
        }
    }
  return m;
}

static void
format_number (char cell[G_ASCII_DTOSTR_BUF_SIZE], double v)
{
  g_ascii_formatd (cell, G_ASCII_DTOSTR_BUF_SIZE, "%.9g", v);
}

/* cells: N_COLUMNS strings, NULL for an empty cell */
static gboolean
append_row (AnMetrics *m, const char *const *cells, GError **error)
{
  for (int i = 0; i < N_COLUMNS; i++)
    {
      if (i > 0)
        g_string_append_c (m->pending, ',');
      if (cells[i] != NULL)
        g_string_append (m->pending, cells[i]);
    }
  g_string_append_c (m->pending, '\n');
  if (m->pending->len >= METRICS_FLUSH_BYTES)
    return flush_pending (m, error);
  return TRUE;
}

/* Fills the cells every row has. */
typedef struct {
  const char *cells[N_COLUMNS];
  char step[32], epoch[16];
  char numbers[N_COLUMNS][G_ASCII_DTOSTR_BUF_SIZE];
} RowBuilder;

static void
row_begin (RowBuilder *r, const char *kind, gint64 step, int epoch, double wall)
{
  memset (r->cells, 0, sizeof r->cells);
  r->cells[COL_KIND] = kind;
  g_snprintf (r->step, sizeof r->step, "%" G_GINT64_FORMAT, step);
  g_snprintf (r->epoch, sizeof r->epoch, "%d", epoch);
  r->cells[COL_STEP] = r->step;
  r->cells[COL_EPOCH] = r->epoch;
  format_number (r->numbers[COL_WALL], wall);
  r->cells[COL_WALL] = r->numbers[COL_WALL];
}

static void
row_number (RowBuilder *r, MetricsColumn col, double v)
{
  format_number (r->numbers[col], v);
  r->cells[col] = r->numbers[col];
}

gboolean
an_metrics_step (AnMetrics *m, gint64 step, int epoch, double wall, double lr, double loss,
                 double grad_norm, double images_per_second, GError **error)
{
  RowBuilder r;
  row_begin (&r, "step", step, epoch, wall);
  row_number (&r, COL_LR, lr);
  row_number (&r, COL_LOSS, loss);
  row_number (&r, COL_GRAD_NORM, grad_norm);
  row_number (&r, COL_IMAGES_PER_S, images_per_second);
  return append_row (m, r.cells, error);
}

gboolean
an_metrics_epoch (AnMetrics *m, gint64 step, int epoch, double wall, double lr,
                  double train_loss, double train_acc, double val_loss, double val_acc,
                  double val_top5, GError **error)
{
  RowBuilder r;
  row_begin (&r, "epoch", step, epoch, wall);
  row_number (&r, COL_LR, lr);
  row_number (&r, COL_TRAIN_LOSS, train_loss);
  row_number (&r, COL_TRAIN_ACC, train_acc);
  row_number (&r, COL_VAL_LOSS, val_loss);
  row_number (&r, COL_VAL_ACC, val_acc);
  row_number (&r, COL_VAL_TOP5, val_top5);
  return append_row (m, r.cells, error) && an_metrics_sync (m, error);
}

gboolean
an_metrics_change (AnMetrics *m, gint64 step, int epoch, double wall, AnLiveKey key,
                   double old_value, double new_value, GError **error)
{
  RowBuilder r;
  row_begin (&r, "change", step, epoch, wall);
  r.cells[COL_KEY] = an_live_key_name (key);
  row_number (&r, COL_OLD, old_value);
  row_number (&r, COL_NEW, new_value);
  return append_row (m, r.cells, error);
}

gboolean
an_metrics_test (AnMetrics *m, gint64 step, int epoch, double wall, double loss, double top1,
                 double top5, int n_images, GError **error)
{
  RowBuilder r;
  row_begin (&r, "test", step, epoch, wall);
  row_number (&r, COL_VAL_LOSS, loss);
  row_number (&r, COL_VAL_ACC, top1);
  row_number (&r, COL_VAL_TOP5, top5);
  row_number (&r, COL_NEW, n_images);
  return append_row (m, r.cells, error) && an_metrics_sync (m, error);
}

gboolean
an_metrics_bad_image (AnMetrics *m, gint64 step, int epoch, double wall, const char *message,
                      int count, GError **error)
{
  RowBuilder r;
  row_begin (&r, "bad_image", step, epoch, wall);
  /* a quoted CSV cell (quotes doubled); control characters, line breaks included, become '?'
   * so that a row stays one line */
  g_autoptr (GString) cell = g_string_new ("\"");
  for (const char *c = message; *c; c++)
    {
      if (*c == '"')
        g_string_append (cell, "\"\"");
      else if ((guchar) *c < 0x20 || *c == 0x7f)
        g_string_append_c (cell, '?');
      else
        g_string_append_c (cell, *c);
    }
  g_string_append_c (cell, '"');
  r.cells[COL_KEY] = cell->str;
  row_number (&r, COL_NEW, count);
  return append_row (m, r.cells, error);
}

gboolean
an_metrics_sync (AnMetrics *m, GError **error)
{
  if (!flush_pending (m, error))
    return FALSE;
  if (fdatasync (m->fd) != 0)
    {
      set_io_error (error, m->path, errno);
      return FALSE;
    }
  return TRUE;
}

/* Rows (of every kind) whose step is after `step` are dropped, and so is a last line cut short
 * by a crash. A missing file has nothing to drop. */
gboolean
an_metrics_truncate_after (const char *path, gint64 step, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &text, &len, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "%s", local->message);
      return FALSE;
    }
  if (!g_str_has_prefix (text, METRICS_MAGIC_LINE "\n"))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "“%s” is not an AlexNet Studio metrics file (its first line is not “%s”)",
                   path, METRICS_MAGIC_LINE);
      return FALSE;
    }

  g_autoptr (GString) kept = g_string_sized_new (len);
  g_autofree char *columns = column_header_line ();
  const char *line = text;
  int line_no = 1;
  for (const char *nl; (nl = memchr (line, '\n', (gsize) (text + len - line))) != NULL;
       line = nl + 1, line_no++)
    {
      gsize line_len = (gsize) (nl - line) + 1;
      gboolean keep = TRUE;
      if (*line != '#' && strncmp (line, columns, line_len) != 0)
        {
          const char *c1 = memchr (line, ',', line_len);
          const char *c2 = c1 ? memchr (c1 + 1, ',', (gsize) (nl - c1 - 1)) : NULL;
          gint64 row_step = 0;
          g_autofree char *field = c2 ? g_strndup (c1 + 1, (gsize) (c2 - c1 - 1)) : NULL;
          if (field == NULL
              || !g_ascii_string_to_signed (field, 10, G_MININT64, G_MAXINT64, &row_step, NULL))
            {
              g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                           "metrics file “%s” line %d: no step in the second column", path,
                           line_no);
              return FALSE;
            }
          keep = row_step <= step;
        }
      if (keep)
        g_string_append_len (kept, line, (gssize) line_len);
    }

  if (!g_file_set_contents_full (path, kept->str, (gssize) kept->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0666, &local))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "%s", local->message);
      return FALSE;
    }
  return TRUE;
}

/* Pending rows are written without a report: call an_metrics_sync first to learn of a
 * failure. */
void
an_metrics_close (AnMetrics *m)
{
  if (m == NULL)
    return;
  if (m->pending->len > 0)
    flush_pending (m, NULL);
  close (m->fd);
  g_string_free (m->pending, TRUE);
  g_free (m->path);
  g_free (m);
}

static gboolean
cell_number (char **cells, guint n, MetricsColumn col, double *out)
{
  char *end = NULL;

  if ((guint) col >= n || cells[col][0] == '\0')
    return FALSE;
  *out = g_ascii_strtod (cells[col], &end);
  return end != cells[col] && *end == '\0';
}

GArray *
an_metrics_read_steps (const char *path, gint64 max_step, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (GArray) steps = g_array_new (FALSE, TRUE, sizeof (AnStepRecord));
  g_auto (GStrv) lines = NULL;
  int line_no = 0;

  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "%s", local->message);
      return NULL;
    }
  if (!g_str_has_prefix (text, METRICS_MAGIC_LINE "\n"))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "“%s” is not an AlexNet Studio metrics file (its first line is not “%s”)",
                   path, METRICS_MAGIC_LINE);
      return NULL;
    }
  lines = g_strsplit (text, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      g_auto (GStrv) cells = NULL;
      guint n;
      AnStepRecord rec = { 0 };
      double step, epoch;

      line_no++;
      if (!g_str_has_prefix (*line, "step,"))
        continue;
      cells = g_strsplit (*line, ",", N_COLUMNS + 1);
      n = g_strv_length (cells);
      if (!cell_number (cells, n, COL_STEP, &step) || !cell_number (cells, n, COL_EPOCH, &epoch)
          || !cell_number (cells, n, COL_WALL, &rec.wall_seconds)
          || !cell_number (cells, n, COL_LOSS, &rec.loss) || step < 1 || epoch < 1)
        {
          /* the last line may have been cut short by a crash */
          if (line[1] == NULL || *line[1] == '\0')
            break;
          g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                       "metrics file “%s” line %d: a step row without its step, epoch, time "
                       "or loss", path, line_no);
          return NULL;
        }
      if ((gint64) step > max_step)
        continue;
      rec.step = (gint64) step;
      rec.epoch = (int) epoch;
      if (!cell_number (cells, n, COL_LR, &rec.lr))
        rec.lr = NAN;
      if (!cell_number (cells, n, COL_GRAD_NORM, &rec.grad_norm))
        rec.grad_norm = NAN;
      if (!cell_number (cells, n, COL_IMAGES_PER_S, &rec.images_per_second))
        rec.images_per_second = NAN;
      g_array_append_val (steps, rec);
    }

  /* The fraction of its epoch each step completes: epochs counted from their rows; the last,
   * perhaps unfinished, at the length of the one before it. */
  for (guint i = 0, per_epoch = 0; i < steps->len;)
    {
      AnStepRecord *first = &g_array_index (steps, AnStepRecord, i);
      guint j = i;

      while (j < steps->len && g_array_index (steps, AnStepRecord, j).epoch == first->epoch)
        j++;
      if (j < steps->len || per_epoch == 0)
        per_epoch = MAX (per_epoch, j - i);
      for (guint k = i; k < j; k++)
        {
          AnStepRecord *r = &g_array_index (steps, AnStepRecord, k);
          r->epoch_frac = r->epoch - 1 + (double) (k - i + 1) / MAX (per_epoch, j - i);
        }
      i = j;
    }
  return g_steal_pointer (&steps);
}
