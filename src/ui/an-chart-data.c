#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-chart-data.c: the numbers behind AnChart, kept free of GTK so they can be tested
 * headless. Reduction follows sysprof's habit: one min/max pair per pixel column, so a
 * million points cost one pass and spikes stay visible. Ticks are 1/2/5 x 10^k.
 */

#include <math.h>
#include <string.h>

#include "an-chart-data.h"

void
an_chart_series_data_init (AnChartSeriesData *s)
{
  s->points = g_array_new (FALSE, FALSE, sizeof (AnChartPoint));
}

void
an_chart_series_data_clear (AnChartSeriesData *s)
{
  g_clear_pointer (&s->points, g_array_unref);
}

void
an_chart_series_data_append (AnChartSeriesData *s, double step, double epoch, double wall,
                             double y)
{
  AnChartPoint p = { { step, epoch, wall }, y };

  g_array_append_val (s->points, p);
}

gsize
an_chart_lower_bound (const AnChartPoint *points, gsize n, AnChartXMode mode, double x)
{
  gsize lo = 0, hi = n;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (points[mid].x[mode] < x)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

gssize
an_chart_nearest (const AnChartPoint *points, gsize n, AnChartXMode mode, double x)
{
  gsize at = an_chart_lower_bound (points, n, mode, x);
  gssize best = -1;
  double best_d = INFINITY;

  /* Walk outwards from the insertion point, skipping non-finite values, and stop as soon as
   * both directions are farther than the best so far. */
  for (gssize i = (gssize) at; i < (gssize) n; i++)
    {
      double d = fabs (points[i].x[mode] - x);
      if (d >= best_d)
        break;
      if (isfinite (points[i].y))
        {
          best = i;
          best_d = d;
          break;
        }
    }
  for (gssize i = (gssize) at - 1; i >= 0; i--)
    {
      double d = fabs (points[i].x[mode] - x);
      if (d >= best_d)
        break;
      if (isfinite (points[i].y))
        {
          best = i;
          best_d = d;
          break;
        }
    }
  return best;
}

guint
an_chart_reduce (const AnChartPoint *points, gsize n, AnChartXMode mode, double x0, double x1,
                 guint columns, gboolean log_y, AnChartColumn *out)
{
  guint n_out = 0;
  AnChartColumn *cur = NULL;
  double scale;

  if (columns == 0 || n == 0)
    return 0;
  scale = x1 > x0 ? columns / (x1 - x0) : 0.0;

  for (gsize i = an_chart_lower_bound (points, n, mode, x0); i < n; i++)
    {
      double x = points[i].x[mode];
      double y = points[i].y;
      int col;

      if (x > x1)
        break;
      if (!isfinite (y) || !isfinite (x) || (log_y && y <= 0.0))
        continue;
      col = (int) floor ((x - x0) * scale);
      col = CLAMP (col, 0, (int) columns - 1);

      if (cur == NULL || cur->column != col)
        {
          cur = &out[n_out++];
          cur->column = col;
          cur->y_min = cur->y_max = cur->y_first = cur->y_last = y;
          cur->count = 1;
        }
      else
        {
          cur->y_min = MIN (cur->y_min, y);
          cur->y_max = MAX (cur->y_max, y);
          cur->y_last = y;
          cur->count++;
        }
    }
  return n_out;
}

void
an_chart_ema_reset (AnChartEma *ema)
{
  ema->avg = 0.0;
  ema->seen = 0;
}

double
an_chart_ema_push (AnChartEma *ema, double y, double weight)
{
  weight = CLAMP (weight, 0.0, 0.999999);
  if (!isfinite (y))
    return NAN;
  ema->seen++;
  ema->avg = ema->avg * weight + (1.0 - weight) * y;
  return weight > 0.0 ? ema->avg / (1.0 - pow (weight, ema->seen)) : y;
}

void
an_chart_smooth (const double *in, double *out, gsize n, double weight)
{
  AnChartEma ema;

  an_chart_ema_reset (&ema);
  for (gsize i = 0; i < n; i++)
    out[i] = an_chart_ema_push (&ema, in[i], weight);
}

gboolean
an_chart_y_range (const AnChartPoint *points, gsize n, AnChartXMode mode, double x0, double x1,
                  gboolean log_y, double *y_min, double *y_max)
{
  double lo = INFINITY, hi = -INFINITY;

  for (gsize i = an_chart_lower_bound (points, n, mode, x0); i < n; i++)
    {
      double y = points[i].y;

      if (points[i].x[mode] > x1)
        break;
      if (!isfinite (y) || (log_y && y <= 0.0))
        continue;
      lo = MIN (lo, y);
      hi = MAX (hi, y);
    }
  if (!(lo <= hi))
    return FALSE;
  *y_min = lo;
  *y_max = hi;
  return TRUE;
}

static double
nice_step (double raw)
{
  double mag = pow (10.0, floor (log10 (raw)));
  double norm = raw / mag;

  if (norm <= 1.0 + 1e-9)
    return mag;
  if (norm <= 2.0 + 1e-9)
    return 2.0 * mag;
  if (norm <= 5.0 + 1e-9)
    return 5.0 * mag;
  return 10.0 * mag;
}

guint
an_chart_ticks_linear (double lo, double hi, guint max_ticks, double *ticks, double *step)
{
  double s;
  guint n = 0;

  g_return_val_if_fail (max_ticks >= 2, 0);
  if (!isfinite (lo) || !isfinite (hi) || hi < lo)
    return 0;
  if (hi == lo)
    {
      ticks[0] = lo;
      *step = 0.0;
      return 1;
    }
  s = nice_step ((hi - lo) / (max_ticks - 1));
  for (double k = ceil (lo / s - 1e-9); n < max_ticks; k++)
    {
      double t = k * s;

      if (t > hi + s * 1e-9)
        break;
      ticks[n++] = fabs (t) < s * 1e-9 ? 0.0 : t;
    }
  *step = s;
  return n;
}

guint
an_chart_ticks_log (double lo, double hi, guint max_ticks, double *ticks)
{
  static const double mantissas_fine[] = { 1.0, 2.0, 5.0 };
  int d0, d1, stride;
  gboolean fine;
  guint n = 0;

  g_return_val_if_fail (max_ticks >= 2, 0);
  if (!(lo > 0.0) || !isfinite (hi) || hi < lo)
    return 0;
  d0 = (int) floor (log10 (lo) + 1e-9);
  d1 = (int) ceil (log10 (hi) - 1e-9);
  fine = (guint) (d1 - d0 + 1) * 3 <= max_ticks;
  stride = 1;
  while ((guint) ((d1 - d0) / stride + 1) > max_ticks)
    stride++;

  for (int d = d0; d <= d1; d++)
    {
      for (guint m = 0; m < (fine ? G_N_ELEMENTS (mantissas_fine) : 1); m++)
        {
          double t = mantissas_fine[m] * pow (10.0, d);

          if (!fine && (d - d0) % stride != 0)
            continue;
          if (t < lo * (1.0 - 1e-9) || t > hi * (1.0 + 1e-9) || n == max_ticks)
            continue;
          ticks[n++] = t;
        }
    }
  return n;
}

void
an_chart_nice_range (double *lo, double *hi, gboolean log_y)
{
  if (log_y)
    {
      double l = pow (10.0, floor (log10 (*lo) + 1e-9));
      double h = pow (10.0, ceil (log10 (*hi) - 1e-9));

      if (h <= l)
        h = l * 10.0;
      *lo = l;
      *hi = h;
      return;
    }

  if (*hi <= *lo)
    {
      double margin = fabs (*lo) > 0.0 ? fabs (*lo) * 0.1 : 1.0;

      *lo -= margin;
      *hi += margin;
    }
  {
    double s = nice_step ((*hi - *lo) / 4.0);

    *lo = floor (*lo / s + 1e-9) * s;
    *hi = ceil (*hi / s - 1e-9) * s;
  }
}

char *
an_chart_format_value (double value, double step)
{
  int decimals;

  if (step <= 0.0 || step < 1e-3 || fabs (value) >= 1e6)
    return g_strdup_printf ("%g", value);
  if (fabs (value) < step * 1e-6)
    value = 0.0;
  decimals = step >= 1.0 ? 0 : (int) ceil (-log10 (step) - 1e-9);
  return g_strdup_printf ("%.*f", decimals, value);
}

char *
an_chart_format_time (double seconds)
{
  gint64 s;

  if (!isfinite (seconds) || seconds < 0)
    return g_strdup ("-");
  s = (gint64) floor (seconds + 0.5);
  if (s < 3600)
    return g_strdup_printf ("%d:%02d", (int) (s / 60), (int) (s % 60));
  return g_strdup_printf ("%d:%02d:%02d", (int) (s / 3600), (int) (s / 60 % 60), (int) (s % 60));
}

static void
append_csv_number (GString *row, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* Locale-independent: a German locale must not write decimal commas into a CSV file. */
  g_string_append (row, g_ascii_formatd (buf, sizeof buf, "%.9g", v));
}

gboolean
an_chart_write_csv (GOutputStream *out, const AnChartSeriesData *const *series,
                    const char *const *names, const int *runs, guint n_series,
                    GCancellable *cancellable, GError **error)
{
  g_autoptr (GString) text = g_string_new ("run,series,step,epoch,seconds,value\n");

  for (guint s = 0; s < n_series; s++)
    {
      const GArray *points = series[s]->points;
      g_autofree char *quoted = NULL;
      g_auto (GStrv) parts = g_strsplit (names[s], "\"", -1);

      quoted = g_strjoinv ("\"\"", parts);
      for (guint i = 0; i < points->len; i++)
        {
          const AnChartPoint *p = &g_array_index (points, AnChartPoint, i);

          g_string_append_printf (text, "%d,\"%s\",", runs[s], quoted);
          append_csv_number (text, p->x[AN_CHART_X_STEP]);
          g_string_append_c (text, ',');
          append_csv_number (text, p->x[AN_CHART_X_EPOCH]);
          g_string_append_c (text, ',');
          append_csv_number (text, p->x[AN_CHART_X_TIME]);
          g_string_append_c (text, ',');
          append_csv_number (text, p->y);
          g_string_append_c (text, '\n');
        }
      if (text->len > 1 << 20)
        {
          if (!g_output_stream_write_all (out, text->str, text->len, NULL, cancellable, error))
            return FALSE;
          g_string_truncate (text, 0);
        }
    }
  return g_output_stream_write_all (out, text->str, text->len, NULL, cancellable, error);
}
