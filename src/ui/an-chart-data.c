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
                             double clock, double y)
{
  AnChartPoint p = { { step, epoch, wall, clock }, y };

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

/* Log-axis mantissa sets, coarse to fine. */
static const double log_set_1[] = { 1.0 };
static const double log_set_125[] = { 1.0, 2.0, 5.0 };
static const double log_set_1235[] = { 1.0, 2.0, 3.0, 5.0 };
static const double log_set_fine[] = { 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0 };
static const struct {
  const double *m;
  guint n;
} log_sets[] = {
  { log_set_1, G_N_ELEMENTS (log_set_1) },
  { log_set_125, G_N_ELEMENTS (log_set_125) },
  { log_set_1235, G_N_ELEMENTS (log_set_1235) },
  { log_set_fine, G_N_ELEMENTS (log_set_fine) },
};

/* The ticks m x 10^d of one set inside [lo, hi]; counts all but writes at most max. */
static guint
log_ticks_of_set (double lo, double hi, const double *m, guint n_m, int stride, double *ticks,
                  guint max)
{
  int d0 = (int) floor (log10 (lo)) - 1;
  int d1 = (int) ceil (log10 (hi)) + 1;
  guint n = 0;

  for (int d = d0; d <= d1; d++)
    {
      if (stride > 1 && ((d % stride) + stride) % stride != 0)
        continue;
      for (guint k = 0; k < n_m; k++)
        {
          double t = m[k] * pow (10.0, d);

          if (t < lo * (1.0 - 1e-9) || t > hi * (1.0 + 1e-9))
            continue;
          if (n < max)
            ticks[n] = t;
          n++;
        }
    }
  return n;
}

guint
an_chart_ticks_log (double lo, double hi, guint max_ticks, double *ticks)
{
  guint counts[G_N_ELEMENTS (log_sets)];
  int chosen = -1;
  double step;

  g_return_val_if_fail (max_ticks >= 2, 0);
  if (!(lo > 0.0) || !isfinite (hi) || hi < lo)
    return 0;

  for (guint i = 0; i < G_N_ELEMENTS (log_sets); i++)
    counts[i] = log_ticks_of_set (lo, hi, log_sets[i].m, log_sets[i].n, 1, ticks, 0);
  /* The coarsest set with enough ticks to read the axis by, else the finest that fits. */
  for (guint i = 0; i < G_N_ELEMENTS (log_sets) && chosen < 0; i++)
    if (counts[i] >= MIN (4, max_ticks) && counts[i] <= max_ticks)
      chosen = i;
  for (int i = G_N_ELEMENTS (log_sets) - 1; i >= 0 && chosen < 0; i--)
    if (counts[i] <= max_ticks && counts[i] >= 2)
      chosen = i;
  if (chosen >= 0)
    return log_ticks_of_set (lo, hi, log_sets[chosen].m, log_sets[chosen].n, 1, ticks,
                             max_ticks);
  if (counts[0] > max_ticks)
    {
      /* Many decades: every stride-th power. */
      int stride = 2;

      while (log_ticks_of_set (lo, hi, log_set_1, 1, stride, ticks, 0) > max_ticks)
        stride++;
      return log_ticks_of_set (lo, hi, log_set_1, 1, stride, ticks, max_ticks);
    }
  /* Narrower than any two log ticks: linear ones. */
  return an_chart_ticks_linear (lo, hi, max_ticks, ticks, &step);
}

/* Mantissas a log axis's ends snap to. */
static const double log_ends[] = { 1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0 };

static double
log_snap (double v, gboolean up)
{
  double mag = pow (10.0, floor (log10 (v)));
  double norm = v / mag;

  if (up)
    {
      for (guint i = 0; i < G_N_ELEMENTS (log_ends); i++)
        if (log_ends[i] >= norm * (1.0 - 1e-9))
          return log_ends[i] * mag;
      return 10.0 * mag;
    }
  for (int i = G_N_ELEMENTS (log_ends) - 1; i >= 0; i--)
    if (log_ends[i] <= norm * (1.0 + 1e-9))
      return log_ends[i] * mag;
  return mag;
}

void
an_chart_nice_range (double *lo, double *hi, gboolean log_y)
{
  if (log_y)
    {
      double l = *lo, h = *hi;

      if (!(h > l))
        {
          l /= 1.5;
          h *= 1.5;
        }
      *lo = log_snap (l, FALSE);
      *hi = log_snap (h, TRUE);
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

guint
an_chart_ticks_time (double lo, double hi, double offset, guint max_ticks, double *ticks,
                     double *step)
{
  static const double steps[] = {
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
  };
  double s = 0.0;
  guint n = 0;

  g_return_val_if_fail (max_ticks >= 2, 0);
  if (!isfinite (lo) || !isfinite (hi) || hi < lo)
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (steps) && s == 0.0; i++)
    if ((hi - lo) / steps[i] + 1.0 <= max_ticks)
      s = steps[i];
  if (s == 0.0)
    s = 86400.0 * ceil ((hi - lo) / 86400.0 / (max_ticks - 1));
  for (double k = ceil ((lo + offset) / s - 1e-9); n < max_ticks; k++)
    {
      double t = k * s - offset;

      if (t > hi + s * 1e-9)
        break;
      ticks[n++] = t;
    }
  *step = s;
  return n;
}

char *
an_chart_format_clock (double unix_seconds, double step)
{
  g_autoptr (GDateTime) dt = NULL;

  if (!isfinite (unix_seconds))
    return g_strdup ("-");
  dt = g_date_time_new_from_unix_local ((gint64) floor (unix_seconds + 0.5));
  if (dt == NULL)
    return g_strdup ("-");
  return g_date_time_format (dt, step < 60.0 ? "%H:%M:%S" : "%H:%M");
}

/* ---- layout ------------------------------------------------------------------------------- */

#define LAYOUT_PAD 6.0    /* from the widget's edges */
#define LEGEND_GAP 14.0   /* between the title and legend entries, and between entries */
#define LINE_GAP 2.0

guint
an_chart_layout (double width, double height, double title_w, double title_h,
                 const double *item_w, guint n_items, double item_h, double margin_left,
                 double margin_bottom, AnChartRect *title, AnChartRect *items, AnChartRect *plot)
{
  double line_h = MAX (title_h, item_h);
  double x = LAYOUT_PAD + title_w + (title_w > 0 ? LEGEND_GAP : 0.0);
  double y = LAYOUT_PAD;
  double right = width - LAYOUT_PAD;
  /* the lowest a legend line may end so that the plot keeps a third of the height */
  double max_bottom = MAX (LAYOUT_PAD + line_h, height * 2.0 / 3.0 - margin_bottom - LAYOUT_PAD);
  double bottom = LAYOUT_PAD + line_h; /* of the last line used */
  guint shown = 0;

  *title = (AnChartRect) { LAYOUT_PAD, y, title_w, title_h };
  for (guint i = 0; i < n_items; i++)
    items[i] = (AnChartRect) { 0, 0, 0, 0 };
  for (guint i = 0; i < n_items; i++)
    {
      double w = item_w[i];

      if (x + w > right && x > LAYOUT_PAD)
        {
          /* wrap onto a line of its own */
          x = LAYOUT_PAD;
          y += line_h + LINE_GAP;
        }
      if (y + line_h > max_bottom + 1e-9)
        break;
      items[i] = (AnChartRect) { x, y + (line_h - item_h) / 2.0, MIN (w, right - x), item_h };
      x += w + LEGEND_GAP;
      bottom = y + line_h;
      shown++;
    }
  y = bottom + LAYOUT_PAD;
  plot->x = margin_left;
  plot->y = y;
  plot->width = MAX (1.0, width - margin_left - 2.0 * LAYOUT_PAD);
  plot->height = MAX (1.0, height - y - margin_bottom);
  return shown;
}

double
an_chart_frame_px_x (const AnChartFrame *f, double x)
{
  double w = MAX (0.0, f->plot.width - 2.0 * AN_CHART_INSET);

  return f->plot.x + AN_CHART_INSET + (f->x1 > f->x0 ? (x - f->x0) / (f->x1 - f->x0) : 0.5) * w;
}

double
an_chart_frame_x_at (const AnChartFrame *f, double px)
{
  double w = MAX (1.0, f->plot.width - 2.0 * AN_CHART_INSET);

  return f->x0 + (px - f->plot.x - AN_CHART_INSET) / w * (f->x1 - f->x0);
}

double
an_chart_frame_px_y (const AnChartFrame *f, double y)
{
  double h = MAX (0.0, f->plot.height - 2.0 * AN_CHART_INSET);
  double t;

  if (f->log_y)
    t = f->y1 > f->y0 ? (log10 (y) - log10 (f->y0)) / (log10 (f->y1) - log10 (f->y0)) : 0.5;
  else
    t = f->y1 > f->y0 ? (y - f->y0) / (f->y1 - f->y0) : 0.5;
  return f->plot.y + AN_CHART_INSET + (1.0 - t) * h;
}

guint
an_chart_place_labels (const double *x, const double *w, guint n, double left, double right,
                       guint n_rows, int *row, double *label_x)
{
  g_autofree guint *order = g_new (guint, n);
  /* per row, the intervals taken so far */
  g_autoptr (GArray) taken = g_array_new (FALSE, FALSE, sizeof (double) * 3);
  guint placed = 0;

  for (guint i = 0; i < n; i++)
    {
      order[i] = i;
      row[i] = -1;
      label_x[i] = x[i];
    }
  /* left to right, so the labels fill the rows the way the eye reads them */
  for (guint i = 1; i < n; i++)
    for (guint j = i; j > 0 && x[order[j]] < x[order[j - 1]]; j--)
      {
        guint t = order[j];
        order[j] = order[j - 1];
        order[j - 1] = t;
      }

  for (guint oi = 0; oi < n; oi++)
    {
      guint i = order[oi];
      gboolean done = FALSE;

      if (w[i] <= 0.0)
        continue;
      for (guint r = 0; r < n_rows && !done; r++)
        for (int side = 0; side < 2 && !done; side++)
          {
            double a = side == 0 ? x[i] + 3.0 : x[i] - 3.0 - w[i];
            double b = a + w[i];
            gboolean ok = a >= left && b <= right;

            for (guint k = 0; k < n && ok; k++)
              if (k != i && x[k] >= a - 2.0 && x[k] <= b + 2.0)
                ok = FALSE;
            for (guint k = 0; k < taken->len && ok; k++)
              {
                const double *t = &g_array_index (taken, double, 3 * k);

                if ((guint) t[0] == r && a < t[2] + 4.0 && b + 4.0 > t[1])
                  ok = FALSE;
              }
            if (ok)
              {
                double t[3] = { r, a, b };

                g_array_append_vals (taken, t, 1);
                row[i] = (int) r;
                label_x[i] = a;
                placed++;
                done = TRUE;
              }
          }
    }
  return placed;
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

/* Liang-Barsky: the part of segment (x0, y0)-(x1, y1) inside r, as its length. */
static double
segment_length_in (double x0, double y0, double x1, double y1, const AnChartRect *r)
{
  double dx = x1 - x0, dy = y1 - y0;
  double p[4] = { -dx, dx, -dy, dy };
  double q[4] = { x0 - r->x, r->x + r->width - x0, y0 - r->y, r->y + r->height - y0 };
  double t0 = 0.0, t1 = 1.0;

  for (int i = 0; i < 4; i++)
    {
      if (p[i] == 0.0)
        {
          if (q[i] < 0.0)
            return 0.0; /* parallel to this edge and outside it */
          continue;
        }
      double t = q[i] / p[i];
      if (p[i] < 0.0)
        t0 = MAX (t0, t);
      else
        t1 = MIN (t1, t);
    }
  return t1 > t0 ? (t1 - t0) * hypot (dx, dy) : 0.0;
}

double
an_chart_polyline_length_in (const double *x, const double *y, gsize n, const AnChartRect *r)
{
  double total = 0.0;

  if (n == 1 && x[0] >= r->x && x[0] <= r->x + r->width && y[0] >= r->y &&
      y[0] <= r->y + r->height)
    return 1.0; /* a lone point, drawn as a dot */
  for (gsize i = 0; i + 1 < n; i++)
    total += segment_length_in (x[i], y[i], x[i + 1], y[i + 1], r);
  return total;
}
