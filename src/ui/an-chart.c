#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-chart.c: AnChart, a GtkWidget drawing curves with cairo through gtk_snapshot_append_cairo.
 * Every frame reduces each series to one min/max pair per pixel column (an-chart-data.c), so
 * a million steps draw as fast as a thousand. The same drawing code renders PNG exports.
 * Layout (title and legend above the plot), ticks and marker labels come from an-chart-data.c.
 */

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "an-chart.h"
#include "an-png.h"

#define MAX_TICKS 8
#define MARGIN_LEFT 58
#define MARGIN_BOTTOM 22
#define MARKER_LABEL_ROWS 3

typedef struct {
  char *name;
  char *color_name;
  AnChartStyle style;
  int smooth_source;  /* -1: raw data */
  GPtrArray *runs;    /* of AnChartSeriesData*, one per run of the chart */
  AnChartEma ema;     /* incremental smoothing state of the current run */
} Series;

typedef struct {
  char *name;
  gboolean visible;
  double clock_origin; /* NAN until known */
} Run;

typedef struct {
  AnChartMarkerKind kind;
  double x[AN_CHART_X_N_MODES];
  char *label;
} Marker;

struct _AnChart {
  GtkWidget parent_instance;

  char *title;
  GPtrArray *series; /* of Series* */
  GPtrArray *runs;   /* of Run* */
  GArray *markers;   /* of Marker, the current run's */
  GPtrArray *x_group; /* charts sharing the x range (weak pointers), self included; shared */
  AnChartXMode x_mode;
  gboolean log_y;
  double smoothing;
  gint64 last_description_update;
};

enum {
  PROP_0,
  PROP_TITLE,
  PROP_X_MODE,
  PROP_LOG_Y,
  PROP_SMOOTHING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AnChart, an_chart, GTK_TYPE_WIDGET)

static void
series_data_free (gpointer p)
{
  an_chart_series_data_clear (p);
  g_free (p);
}

static AnChartSeriesData *
series_data_new (void)
{
  AnChartSeriesData *d = g_new (AnChartSeriesData, 1);

  an_chart_series_data_init (d);
  return d;
}

static void
series_free (gpointer p)
{
  Series *s = p;

  g_free (s->name);
  g_free (s->color_name);
  g_ptr_array_unref (s->runs);
  g_free (s);
}

static AnChartSeriesData *
series_current (Series *s)
{
  return g_ptr_array_index (s->runs, s->runs->len - 1);
}

static void
run_free (gpointer p)
{
  Run *r = p;

  g_free (r->name);
  g_free (r);
}

static Run *
current_run (AnChart *self)
{
  return g_ptr_array_index (self->runs, self->runs->len - 1);
}

static void
marker_clear (gpointer p)
{
  Marker *m = p;

  g_free (m->label);
}

static GdkRGBA
lookup_color (AnChart *self, const char *name)
{
  GdkRGBA rgba = { 0.2, 0.4, 0.8, 1.0 };
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkStyleContext *ctx = gtk_widget_get_style_context (GTK_WIDGET (self));

  if (!gtk_style_context_lookup_color (ctx, name, &rgba))
    gdk_rgba_parse (&rgba, name);
  G_GNUC_END_IGNORE_DEPRECATIONS
  return rgba;
}

static GdkRGBA
foreground_color (AnChart *self)
{
  GdkRGBA rgba;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &rgba);
  G_GNUC_END_IGNORE_DEPRECATIONS
  return rgba;
}

static const double dash_a[] = { 7.0, 4.0 };
static const double dash_b[] = { 2.0, 3.0 };
static const double dash_c[] = { 9.0, 3.0, 2.0, 3.0 };
static const double dash_d[] = { 4.0, 2.0 };
static const double dash_e[] = { 12.0, 4.0, 2.0, 4.0, 2.0, 4.0 };

const double *
an_chart_run_dashes (guint run, guint n_runs, int *n)
{
  static const struct {
    const double *d;
    int n;
  } dashes[] = {
    { dash_a, G_N_ELEMENTS (dash_a) }, { dash_b, G_N_ELEMENTS (dash_b) },
    { dash_c, G_N_ELEMENTS (dash_c) }, { dash_d, G_N_ELEMENTS (dash_d) },
    { dash_e, G_N_ELEMENTS (dash_e) },
  };
  guint age;

  /* The current run is solid; the one before it gets the first pattern, and so on. */
  if (run + 1 >= n_runs)
    {
      *n = 0;
      return NULL;
    }
  age = n_runs - 2 - run;
  *n = dashes[age % G_N_ELEMENTS (dashes)].n;
  return dashes[age % G_N_ELEMENTS (dashes)].d;
}

static void
set_source (cairo_t *cr, const GdkRGBA *c, double alpha)
{
  cairo_set_source_rgba (cr, c->red, c->green, c->blue, c->alpha * alpha);
}

static PangoLayout *
make_layout (AnChart *self, const char *text, gboolean bold, int *w, int *h)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);

  if (bold)
    {
      g_autofree char *markup = g_markup_printf_escaped ("<b>%s</b>", text);
      pango_layout_set_markup (layout, markup, -1);
    }
  else
    pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, w, h);
  return layout;
}

static void
draw_text (AnChart *self, cairo_t *cr, const char *text, double x, double y, double align_x,
           double align_y)
{
  int w, h;
  PangoLayout *layout = make_layout (self, text, FALSE, &w, &h);

  cairo_move_to (cr, round (x - align_x * w), round (y - align_y * h));
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

/* ---- what the legend lists ---------------------------------------------------------------- */

typedef struct {
  int series; /* >= 0: a series entry */
  int run;    /* >= 0: a run entry */
  PangoLayout *layout;
  int w, h;
} LegendItem;

#define SWATCH_W 18.0

static gboolean
series_has_data (AnChart *self, Series *s)
{
  for (guint r = 0; r < s->runs->len; r++)
    {
      const Run *run = g_ptr_array_index (self->runs, r);
      const AnChartSeriesData *d = g_ptr_array_index (s->runs, r);

      if (run->visible && d->points->len > 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
run_has_data (AnChart *self, guint r)
{
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      if (((AnChartSeriesData *) g_ptr_array_index (s->runs, r))->points->len > 0)
        return TRUE;
    }
  return FALSE;
}

static guint
n_visible_runs (AnChart *self)
{
  guint n = 0;

  for (guint r = 0; r < self->runs->len; r++)
    if (((Run *) g_ptr_array_index (self->runs, r))->visible && run_has_data (self, r))
      n++;
  return n;
}

/* Series entries, then (with_runs, when more than one run is visible) one entry per visible
 * run. On screen the runs' legend is the page's, shared by the charts (an-run-selector.c); an
 * exported chart carries its own. */
static GArray *
legend_items (AnChart *self, gboolean with_runs)
{
  GArray *items = g_array_new (FALSE, TRUE, sizeof (LegendItem));
  gboolean runs = with_runs && n_visible_runs (self) > 1;

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      LegendItem it = { (int) i, -1, NULL, 0, 0 };

      if (!series_has_data (self, s))
        continue;
      it.layout = make_layout (self, s->name, FALSE, &it.w, &it.h);
      g_array_append_val (items, it);
    }
  for (guint r = 0; runs && r < self->runs->len; r++)
    {
      Run *run = g_ptr_array_index (self->runs, r);
      LegendItem it = { -1, (int) r, NULL, 0, 0 };

      if (!run->visible || !run_has_data (self, r))
        continue;
      it.layout = make_layout (self, run->name, FALSE, &it.w, &it.h);
      g_array_append_val (items, it);
    }
  return items;
}

static void
legend_items_free (GArray *items)
{
  for (guint i = 0; i < items->len; i++)
    g_object_unref (g_array_index (items, LegendItem, i).layout);
  g_array_unref (items);
}

/* ---- ranges ------------------------------------------------------------------------------- */

typedef struct {
  AnChartXMode mode;
  gboolean log_y;
  double x0, x1, y0, y1;
  gboolean have_x, have_y;
} RangeScan;

static void
scan_x_of (AnChart *self, RangeScan *r)
{
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      for (guint k = 0; k < s->runs->len; k++)
        {
          const AnChartSeriesData *d = g_ptr_array_index (s->runs, k);
          guint n = d->points->len;
          double a, b;

          if (n == 0 || !((Run *) g_ptr_array_index (self->runs, k))->visible)
            continue;
          a = g_array_index (d->points, AnChartPoint, 0).x[r->mode];
          b = g_array_index (d->points, AnChartPoint, n - 1).x[r->mode];
          if (!isfinite (a) || !isfinite (b))
            continue;
          r->x0 = MIN (r->x0, a);
          r->x1 = MAX (r->x1, b);
          r->have_x = TRUE;
        }
    }
}

static gboolean
compute_x_range (AnChart *self, double *x0, double *x1)
{
  RangeScan r = { self->x_mode, self->log_y, INFINITY, -INFINITY, INFINITY, -INFINITY };

  /* The union over the charts that share the range: the Accuracy chart (a point per epoch)
   * ends where the Loss chart (a point per step) does. */
  if (self->x_group != NULL)
    {
      for (guint i = 0; i < self->x_group->len; i++)
        scan_x_of (g_ptr_array_index (self->x_group, i), &r);
    }
  else
    scan_x_of (self, &r);
  if (!r.have_x)
    return FALSE;
  /* Steps, epochs and seconds all count from 0: starting there keeps the charts of one run
   * aligned, however many points each has. */
  if (self->x_mode != AN_CHART_X_CLOCK && r.x0 > 0.0)
    r.x0 = 0.0;
  if (r.x1 <= r.x0)
    r.x1 = r.x0 + (self->x_mode == AN_CHART_X_CLOCK ? 60.0 : 1.0);
  *x0 = r.x0;
  *x1 = r.x1;
  return TRUE;
}

static gboolean
compute_y_range (AnChart *self, double x0, double x1, double *y0, double *y1)
{
  double lo = INFINITY, hi = -INFINITY;
  gboolean have = FALSE;

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      for (guint k = 0; k < s->runs->len; k++)
        {
          const AnChartSeriesData *d = g_ptr_array_index (s->runs, k);
          double a, b;

          if (!((Run *) g_ptr_array_index (self->runs, k))->visible)
            continue;
          if (an_chart_y_range ((const AnChartPoint *) d->points->data, d->points->len,
                                self->x_mode, x0, x1, self->log_y, &a, &b))
            {
              lo = MIN (lo, a);
              hi = MAX (hi, b);
              have = TRUE;
            }
        }
    }
  if (!have)
    return FALSE;
  an_chart_nice_range (&lo, &hi, self->log_y);
  *y0 = lo;
  *y1 = hi;
  return TRUE;
}

typedef struct {
  AnChartFrame f;
  gboolean have_data;
  AnChartRect title;
  GArray *items;       /* of LegendItem */
  AnChartRect *item_rects;
  guint n_shown;
} Layout;

static void
layout_clear (Layout *l)
{
  g_clear_pointer (&l->items, legend_items_free);
  g_clear_pointer (&l->item_rects, g_free);
}

static void
compute_layout (AnChart *self, int width, int height, gboolean with_runs, Layout *l)
{
  int tw = 0, th = 0;
  g_autofree double *widths = NULL;
  PangoLayout *title = make_layout (self, self->title ? self->title : "", TRUE, &tw, &th);
  int item_h = th;

  g_object_unref (title);
  memset (l, 0, sizeof *l);
  l->items = legend_items (self, with_runs);
  widths = g_new (double, MAX (1, l->items->len));
  for (guint i = 0; i < l->items->len; i++)
    {
      LegendItem *it = &g_array_index (l->items, LegendItem, i);

      widths[i] = SWATCH_W + 4 + it->w;
      item_h = MAX (item_h, it->h);
    }
  l->item_rects = g_new0 (AnChartRect, MAX (1, l->items->len));
  l->n_shown = an_chart_layout (width, height, self->title ? tw : 0, th, widths, l->items->len,
                                item_h, MARGIN_LEFT, MARGIN_BOTTOM, &l->title, l->item_rects,
                                &l->f.plot);
  l->f.log_y = self->log_y;
  l->have_data = compute_x_range (self, &l->f.x0, &l->f.x1)
                 && compute_y_range (self, l->f.x0, l->f.x1, &l->f.y0, &l->f.y1);
}

/* ---- drawing ------------------------------------------------------------------------------ */

static char *
format_x (AnChartXMode mode, double x, double step)
{
  if (mode == AN_CHART_X_TIME)
    return an_chart_format_time (x);
  if (mode == AN_CHART_X_CLOCK)
    return an_chart_format_clock (x, step);
  return an_chart_format_value (x, step);
}

static double
local_utc_offset (double at)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local ((gint64) at);

  return dt != NULL ? g_date_time_get_utc_offset (dt) / (double) G_USEC_PER_SEC : 0.0;
}

static void
draw_axes (AnChart *self, cairo_t *cr, const AnChartFrame *f, const GdkRGBA *fg)
{
  static const char *const x_titles[AN_CHART_X_N_MODES] = {
    N_("Step"), N_("Epoch"), N_("Time (min:s)"), N_("Clock time"),
  };
  const AnChartRect *p = &f->plot;
  double ticks[MAX_TICKS + 8];
  double step = 0.0;
  /* a tick label every 24 px at most: a short chart gets fewer, not overlapping ones */
  guint n, max_x, max_y = CLAMP ((guint) (p->height / 24), 2, MAX_TICKS);
  int title_w, title_h;
  PangoLayout *title = make_layout (self, _(x_titles[self->x_mode]), FALSE, &title_w, &title_h);
  double labels_end = p->x + p->width - title_w - 8;

  /* Grid lines as 1-px rectangles on whole pixels so they stay crisp. */
  n = self->log_y ? an_chart_ticks_log (f->y0, f->y1, max_y, ticks)
                  : an_chart_ticks_linear (f->y0, f->y1, max_y, ticks, &step);
  for (guint i = 0; i < n; i++)
    {
      double y = floor (an_chart_frame_px_y (f, ticks[i]));
      g_autofree char *label = an_chart_format_value (ticks[i], self->log_y ? 0.0 : step);

      set_source (cr, fg, 0.12);
      cairo_rectangle (cr, p->x, y, p->width, 1);
      cairo_fill (cr);
      set_source (cr, fg, 0.75);
      draw_text (self, cr, label, p->x - 6, y, 1.0, 0.5);
    }

  max_x = MAX (2, MIN (MAX_TICKS, (guint) (p->width / 80)));
  if (self->x_mode == AN_CHART_X_TIME)
    n = an_chart_ticks_time (f->x0, f->x1, 0.0, max_x, ticks, &step);
  else if (self->x_mode == AN_CHART_X_CLOCK)
    n = an_chart_ticks_time (f->x0, f->x1, local_utc_offset (f->x0), max_x, ticks, &step);
  else
    n = an_chart_ticks_linear (f->x0, f->x1, max_x, ticks, &step);
  for (guint i = 0; i < n; i++)
    {
      double x = floor (an_chart_frame_px_x (f, ticks[i]));
      g_autofree char *label = format_x (self->x_mode, ticks[i], step);
      int lw, lh;
      PangoLayout *layout = make_layout (self, label, FALSE, &lw, &lh);

      set_source (cr, fg, 0.12);
      cairo_rectangle (cr, x, p->y, 1, p->height);
      cairo_fill (cr);
      /* the axis title ends the row of labels: a label that would run into it is left out */
      if (x + lw / 2.0 <= labels_end)
        {
          set_source (cr, fg, 0.75);
          cairo_move_to (cr, round (x - lw / 2.0), p->y + p->height + 3);
          pango_cairo_show_layout (cr, layout);
        }
      g_object_unref (layout);
    }

  set_source (cr, fg, 0.35);
  cairo_rectangle (cr, p->x, p->y + p->height, p->width, 1);
  cairo_rectangle (cr, p->x, p->y, 1, p->height);
  cairo_fill (cr);

  set_source (cr, fg, 0.6);
  cairo_move_to (cr, p->x + p->width - title_w, p->y + p->height + 3);
  pango_cairo_show_layout (cr, title);
  g_object_unref (title);
}

static void
set_run_dash (cairo_t *cr, guint run, guint n_runs)
{
  int n;
  const double *d = an_chart_run_dashes (run, n_runs, &n);

  cairo_set_dash (cr, d, n, 0);
}

/* A curve as drawn, in pixels: kept through the frame so the marker labels can keep clear
 * of it without reducing the series again. */
typedef struct {
  GArray *xs, *ys; /* of double */
} Curve;

static void
curve_free (gpointer p)
{
  Curve *c = p;

  g_array_unref (c->xs);
  g_array_unref (c->ys);
  g_free (c);
}

/* Draws one run of a series; its curve goes to curves. */
static void
draw_series_data (AnChart *self, cairo_t *cr, const AnChartFrame *f, const AnChartSeriesData *d,
                  AnChartStyle style, const GdkRGBA *color, double alpha, guint run,
                  GPtrArray *curves)
{
  guint columns = (guint) MAX (1.0, f->plot.width - 2 * AN_CHART_INSET);
  g_autofree AnChartColumn *cols = NULL;
  double left = an_chart_frame_px_x (f, f->x0);
  guint n;

  if (d->points->len == 0)
    return;
  cols = g_new (AnChartColumn, columns);
  n = an_chart_reduce ((const AnChartPoint *) d->points->data, d->points->len, self->x_mode,
                       f->x0, f->x1, columns, self->log_y, cols);
  if (n == 0)
    return;

  Curve *curve = g_new (Curve, 1);
  curve->xs = g_array_new (FALSE, FALSE, sizeof (double));
  curve->ys = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < n; i++)
    {
      double x = left + cols[i].column + 0.5;
      double y[4] = { cols[i].y_first, cols[i].y_min, cols[i].y_max, cols[i].y_last };

      for (int k = 0; k < (cols[i].count > 1 ? 4 : 1); k++)
        {
          double py = an_chart_frame_px_y (f, y[k]);

          g_array_append_val (curve->xs, x);
          g_array_append_val (curve->ys, py);
        }
    }
  g_ptr_array_add (curves, curve);

  cairo_save (cr);
  cairo_rectangle (cr, f->plot.x + 1, f->plot.y, f->plot.width, f->plot.height);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, run + 1 < self->runs->len ? CAIRO_LINE_CAP_BUTT : CAIRO_LINE_CAP_ROUND);
  cairo_set_line_width (cr, style == AN_CHART_STYLE_FAINT ? 1.0 : 2.0);
  set_run_dash (cr, run, self->runs->len);
  set_source (cr, color, alpha * (style == AN_CHART_STYLE_FAINT ? 0.35 : 1.0));

  cairo_new_path (cr);
  for (guint i = 0; i < curve->xs->len; i++)
    cairo_line_to (cr, g_array_index (curve->xs, double, i),
                   g_array_index (curve->ys, double, i));
  if (n == 1)
    cairo_rel_line_to (cr, 0.01, 0);
  cairo_stroke (cr);

  /* Dots where points are few, and always for a lone point, which a line cannot show. */
  if ((style == AN_CHART_STYLE_DOTS && n < columns / 4) || n == 1)
    {
      for (guint i = 0; i < n; i++)
        {
          cairo_arc (cr, left + cols[i].column + 0.5, an_chart_frame_px_y (f, cols[i].y_last),
                     3.0, 0, 2 * G_PI);
          cairo_fill (cr);
        }
    }
  cairo_restore (cr);
}

/* The baseline of a marker label on row `row`, counted from the plot's bottom or top edge. */
static double
marker_label_bottom (const AnChartFrame *f, int row, int label_h, gboolean top)
{
  if (top)
    return f->plot.y + 3 + label_h + (label_h + 1) * row;
  return f->plot.y + f->plot.height - 3 - (label_h + 1) * row;
}

/* How much of the drawn curves (pixels of their length) the placed labels' plates would
 * cover along the top or the bottom edge. */
static double
marker_labels_cover (const AnChartFrame *f, GPtrArray *curves, const int *row,
                     const double *lx, const double *w, guint n, int label_h, gboolean top)
{
  double cover = 0.0;

  for (guint i = 0; i < n; i++)
    {
      if (row[i] < 0)
        continue;
      double bottom = marker_label_bottom (f, row[i], label_h, top);
      AnChartRect plate = { lx[i] - 2, bottom - label_h, w[i] + 4, label_h };

      for (guint c = 0; c < curves->len; c++)
        {
          const Curve *curve = g_ptr_array_index (curves, c);

          cover += an_chart_polyline_length_in ((const double *) curve->xs->data,
                                                (const double *) curve->ys->data,
                                                curve->xs->len, &plate);
        }
    }
  return cover;
}

static void
draw_markers (AnChart *self, cairo_t *cr, const AnChartFrame *f, const GdkRGBA *fg,
              GPtrArray *curves)
{
  guint n = self->markers->len;
  g_autofree double *px = g_new (double, MAX (1, n));
  g_autofree double *block = g_new (double, MAX (1, n));
  g_autofree double *w = g_new0 (double, MAX (1, n));
  g_autofree int *row = g_new (int, MAX (1, n));
  g_autofree double *lx = g_new (double, MAX (1, n));
  g_autofree gboolean *shown = g_new0 (gboolean, MAX (1, n));
  int label_h = 0;
  GdkRGBA bg = lookup_color (self, "window_bg_color");

  /* Markers are the current run's: hidden with it. */
  if (!current_run (self)->visible)
    return;
  for (guint i = 0; i < n; i++)
    {
      const Marker *m = &g_array_index (self->markers, Marker, i);
      double x = m->x[self->x_mode];

      px[i] = -1e9;
      if (!isfinite (x) || x < f->x0 || x > f->x1)
        continue;
      shown[i] = TRUE;
      px[i] = floor (an_chart_frame_px_x (f, x));
      if (m->label != NULL && m->kind != AN_CHART_MARKER_SCHEDULE)
        {
          int tw, th;
          PangoLayout *layout = make_layout (self, m->label, FALSE, &tw, &th);

          w[i] = tw;
          label_h = MAX (label_h, th);
          g_object_unref (layout);
        }
    }
  /* The labels keep clear of the labelled markers' lines; the schedule's faint lines (one per
   * epoch with the cosine schedule) may pass behind a label's plate, or no label would fit. */
  for (guint i = 0; i < n; i++)
    block[i] = g_array_index (self->markers, Marker, i).kind == AN_CHART_MARKER_SCHEDULE
                 ? -1e9 : px[i];
  an_chart_place_labels (block, w, n, f->plot.x + 2, f->plot.x + f->plot.width - 2,
                         MARKER_LABEL_ROWS, row, lx);
  /* The labels stand along the plot's bottom edge, or along its top when the curves there
   * would pass under fewer of their plates (a learning rate lowered by the user runs along
   * the bottom, right where its own marker's label would be). */
  gboolean top = marker_labels_cover (f, curves, row, lx, w, n, label_h, TRUE) <
                 marker_labels_cover (f, curves, row, lx, w, n, label_h, FALSE);

  /* Neutral colours, never a series': the user's changes as solid lines, the schedule's as
   * faint dashes, the best epoch as a dotted heavier line. */
  for (guint i = 0; i < n; i++)
    {
      const Marker *m = &g_array_index (self->markers, Marker, i);

      if (!shown[i])
        continue;
      cairo_save (cr);
      cairo_set_line_width (cr, m->kind == AN_CHART_MARKER_BEST ? 2.0 : 1.0);
      if (m->kind == AN_CHART_MARKER_SCHEDULE)
        {
          static const double dash[] = { 3.0, 3.0 };
          cairo_set_dash (cr, dash, 2, 0);
          set_source (cr, fg, 0.4);
        }
      else if (m->kind == AN_CHART_MARKER_BEST)
        {
          static const double dash[] = { 1.0, 3.0 };
          cairo_set_dash (cr, dash, 2, 0);
          set_source (cr, fg, 0.85);
        }
      else
        set_source (cr, fg, 0.7);
      cairo_move_to (cr, px[i] + 0.5, f->plot.y);
      cairo_line_to (cr, px[i] + 0.5, f->plot.y + f->plot.height);
      cairo_stroke (cr);
      cairo_restore (cr);
      if (row[i] >= 0)
        {
          double bottom = marker_label_bottom (f, row[i], label_h, top);

          /* on a plate of the background, so a curve under it does not garble it */
          set_source (cr, &bg, 0.8);
          cairo_rectangle (cr, lx[i] - 2, bottom - label_h, w[i] + 4, label_h);
          cairo_fill (cr);
          set_source (cr, fg, 0.9);
          draw_text (self, cr, m->label, lx[i], bottom, 0.0, 1.0);
        }
    }
}

static void
draw_legend (AnChart *self, cairo_t *cr, const Layout *l, const GdkRGBA *fg)
{
  for (guint i = 0; i < l->n_shown; i++)
    {
      const LegendItem *it = &g_array_index (l->items, LegendItem, i);
      const AnChartRect *r = &l->item_rects[i];
      double mid = floor (r->y + r->height / 2.0) + 0.5;

      cairo_save (cr);
      if (it->series >= 0)
        {
          Series *s = g_ptr_array_index (self->series, it->series);
          GdkRGBA c = lookup_color (self, s->color_name);

          set_source (cr, &c, s->style == AN_CHART_STYLE_FAINT ? 0.45 : 1.0);
          cairo_set_line_width (cr, 3.0);
        }
      else
        {
          set_source (cr, fg, 0.8);
          cairo_set_line_width (cr, 2.0);
          set_run_dash (cr, it->run, self->runs->len);
        }
      cairo_move_to (cr, r->x, mid);
      cairo_line_to (cr, r->x + SWATCH_W, mid);
      cairo_stroke (cr);
      cairo_restore (cr);
      cairo_save (cr);
      cairo_rectangle (cr, r->x, r->y, r->width, r->height);
      cairo_clip (cr);
      set_source (cr, fg, 0.9);
      cairo_move_to (cr, r->x + SWATCH_W + 4, r->y + (r->height - it->h) / 2.0);
      pango_cairo_show_layout (cr, it->layout);
      cairo_restore (cr);
    }
}

static void
draw_chart (AnChart *self, cairo_t *cr, int width, int height, gboolean with_runs)
{
  GdkRGBA fg = foreground_color (self);
  Layout l;

  compute_layout (self, width, height, with_runs, &l);

  /* The title first: an empty chart keeps it. */
  if (self->title != NULL)
    {
      int w, h;
      PangoLayout *layout = make_layout (self, self->title, TRUE, &w, &h);

      set_source (cr, &fg, 0.9);
      cairo_move_to (cr, l.title.x, l.title.y);
      pango_cairo_show_layout (cr, layout);
      g_object_unref (layout);
    }
  if (!l.have_data)
    {
      set_source (cr, &fg, 0.5);
      draw_text (self, cr, _("No data yet"), l.f.plot.x + l.f.plot.width / 2.0,
                 l.f.plot.y + l.f.plot.height / 2.0, 0.5, 0.5);
      layout_clear (&l);
      return;
    }
  draw_axes (self, cr, &l.f, &fg);

  /* Earlier runs under the current one. */
  g_autoptr (GPtrArray) curves = g_ptr_array_new_with_free_func (curve_free);
  for (guint r = 0; r < self->runs->len; r++)
    {
      const Run *run = g_ptr_array_index (self->runs, r);
      gboolean current = r + 1 == self->runs->len;

      if (!run->visible)
        continue;
      for (guint i = 0; i < self->series->len; i++)
        {
          Series *s = g_ptr_array_index (self->series, i);
          GdkRGBA c = lookup_color (self, s->color_name);

          draw_series_data (self, cr, &l.f, g_ptr_array_index (s->runs, r), s->style, &c,
                            current ? 1.0 : 0.6, r, curves);
        }
    }
  draw_markers (self, cr, &l.f, &fg, curves);
  draw_legend (self, cr, &l, &fg);
  layout_clear (&l);
}

static void
an_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  AnChart *self = AN_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  draw_chart (self, cr, width, height, FALSE);
  cairo_destroy (cr);
}

static void
an_chart_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                  int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 220 : 140;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 480 : 220;
}

static gboolean
an_chart_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip)
{
  AnChart *self = AN_CHART (widget);
  g_autoptr (GString) text = g_string_new (NULL);
  const AnChartPoint *shown = NULL;
  Layout l;
  double dx;

  compute_layout (self, gtk_widget_get_width (widget), gtk_widget_get_height (widget), FALSE,
                  &l);
  layout_clear (&l);
  if (!l.have_data || x < l.f.plot.x || x > l.f.plot.x + l.f.plot.width)
    return FALSE;
  dx = an_chart_frame_x_at (&l.f, x);

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      const AnChartSeriesData *d = series_current (s);
      const AnChartPoint *pts = (const AnChartPoint *) d->points->data;
      gssize k;

      if (!current_run (self)->visible)
        break;
      k = an_chart_nearest (pts, d->points->len, self->x_mode, dx);
      /* Only points within a few pixels: a per-epoch series should not answer for every x. */
      if (k < 0 || fabs (an_chart_frame_px_x (&l.f, pts[k].x[self->x_mode]) - x) > 12)
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, "%s: %.6g", s->name, pts[k].y);
      if (shown == NULL)
        shown = &pts[k];
    }
  /* Markers near the pointer, whether or not their label found room. */
  for (guint i = 0; i < self->markers->len && current_run (self)->visible; i++)
    {
      const Marker *m = &g_array_index (self->markers, Marker, i);
      double mx = m->x[self->x_mode];

      if (m->label == NULL || !isfinite (mx) || fabs (an_chart_frame_px_x (&l.f, mx) - x) > 4)
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, m->label);
    }
  if (shown != NULL)
    {
      g_autofree char *time = an_chart_format_time (shown->x[AN_CHART_X_TIME]);

      /* Translators: tooltip footer: the step, the (fractional) epoch and the wall time */
      g_string_append_c (text, '\n');
      g_string_append_printf (text, _("Step %.0f, epoch %.2f, time %s"),
                              shown->x[AN_CHART_X_STEP], shown->x[AN_CHART_X_EPOCH], time);
    }
  if (text->len == 0)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text->str);
  return TRUE;
}

static void
update_description (AnChart *self, gboolean force)
{
  gint64 now = g_get_monotonic_time ();
  g_autoptr (GString) text = NULL;

  /* Screen readers get the latest values; at most twice a second, whatever the step rate. */
  if (!force && now - self->last_description_update < G_USEC_PER_SEC / 2)
    return;
  self->last_description_update = now;
  text = g_string_new (NULL);
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      const AnChartSeriesData *d = series_current (s);
      guint n = d->points->len;

      if (n == 0)
        continue;
      g_string_append_printf (text, "%s%s %.4g", text->len ? ", " : "", s->name,
                              g_array_index (d->points, AnChartPoint, n - 1).y);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text->len ? text->str : _("No data yet"), -1);
}

GtkWidget *
an_chart_new (const char *title)
{
  return g_object_new (AN_TYPE_CHART, "title", title, NULL);
}

static void
queue_draw_group (AnChart *self)
{
  if (self->x_group == NULL)
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  for (guint i = 0; i < self->x_group->len; i++)
    gtk_widget_queue_draw (g_ptr_array_index (self->x_group, i));
}

static Series *
series_new (AnChart *self, const char *name, const char *color, AnChartStyle style, int source)
{
  Series *s = g_new0 (Series, 1);

  s->name = g_strdup (name);
  s->color_name = g_strdup (color);
  s->style = style;
  s->smooth_source = source;
  s->runs = g_ptr_array_new_with_free_func (series_data_free);
  for (guint r = 0; r < self->runs->len; r++)
    g_ptr_array_add (s->runs, series_data_new ());
  return s;
}

guint
an_chart_add_series (AnChart *self, const char *name, const char *color, AnChartStyle style)
{
  g_return_val_if_fail (AN_IS_CHART (self), 0);

  g_ptr_array_add (self->series, series_new (self, name, color, style, -1));
  return self->series->len - 1;
}

guint
an_chart_add_smoothed_series (AnChart *self, const char *name, const char *color, guint source)
{
  g_return_val_if_fail (AN_IS_CHART (self), 0);
  g_return_val_if_fail (source < self->series->len, 0);

  g_ptr_array_add (self->series,
                   series_new (self, name, color, AN_CHART_STYLE_LINE, (int) source));
  return self->series->len - 1;
}

static void
smoothed_append (AnChart *self, AnChartSeriesData *out, AnChartEma *ema, const AnChartPoint *p)
{
  double y = an_chart_ema_push (ema, p->y, CLAMP (self->smoothing, 0.0, 0.999));

  an_chart_series_data_append (out, p->x[0], p->x[1], p->x[2], p->x[3], y);
}

void
an_chart_append (AnChart *self, guint series, double step, double epoch, double wall, double y)
{
  Series *s;
  Run *run;
  AnChartSeriesData *d;

  g_return_if_fail (AN_IS_CHART (self));
  g_return_if_fail (series < self->series->len);

  s = g_ptr_array_index (self->series, series);
  run = current_run (self);
  if (!isfinite (run->clock_origin) && isfinite (wall))
    {
      run->clock_origin = g_get_real_time () / (double) G_USEC_PER_SEC - wall;
      /* markers that came before the first point */
      for (guint i = 0; i < self->markers->len; i++)
        {
          Marker *m = &g_array_index (self->markers, Marker, i);
          m->x[AN_CHART_X_CLOCK] = run->clock_origin + m->x[AN_CHART_X_TIME];
        }
    }
  d = series_current (s);
  an_chart_series_data_append (d, step, epoch, wall, run->clock_origin + wall, y);
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *o = g_ptr_array_index (self->series, i);

      if (o->smooth_source == (int) series)
        smoothed_append (self, series_current (o), &o->ema,
                         &g_array_index (d->points, AnChartPoint, d->points->len - 1));
    }
  update_description (self, FALSE);
  queue_draw_group (self);
}

static void
resmooth (AnChart *self)
{
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *o = g_ptr_array_index (self->series, i);
      Series *src;

      if (o->smooth_source < 0)
        continue;
      src = g_ptr_array_index (self->series, o->smooth_source);
      for (guint r = 0; r < o->runs->len; r++)
        {
          AnChartSeriesData *out = g_ptr_array_index (o->runs, r);
          const AnChartSeriesData *in = g_ptr_array_index (src->runs, r);

          g_array_set_size (out->points, 0);
          an_chart_ema_reset (&o->ema);
          for (guint k = 0; k < in->points->len; k++)
            smoothed_append (self, out, &o->ema, &g_array_index (in->points, AnChartPoint, k));
        }
    }
}

void
an_chart_add_marker (AnChart *self, AnChartMarkerKind kind, double step, double epoch,
                     double wall, const char *label)
{
  Run *run;
  Marker m = { kind, { step, epoch, wall, NAN }, g_strdup (label) };

  g_return_if_fail (AN_IS_CHART (self));

  run = current_run (self);
  m.x[AN_CHART_X_CLOCK] = run->clock_origin + wall;
  if (kind == AN_CHART_MARKER_BEST)
    {
      for (guint i = 0; i < self->markers->len; i++)
        if (g_array_index (self->markers, Marker, i).kind == AN_CHART_MARKER_BEST)
          g_array_remove_index (self->markers, i--);
    }
  g_array_append_val (self->markers, m);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
an_chart_get_marker (AnChart *self, guint i, AnChartMarkerKind *kind, double *x)
{
  const Marker *m;

  g_return_if_fail (AN_IS_CHART (self));
  g_return_if_fail (i < self->markers->len);

  m = &g_array_index (self->markers, Marker, i);
  if (kind != NULL)
    *kind = m->kind;
  if (x != NULL)
    memcpy (x, m->x, sizeof m->x);
}

static Run *
run_new (const char *name)
{
  Run *r = g_new0 (Run, 1);

  r->name = g_strdup (name != NULL ? name : "");
  r->visible = TRUE;
  r->clock_origin = NAN;
  return r;
}

guint
an_chart_new_run (AnChart *self, const char *name)
{
  g_return_val_if_fail (AN_IS_CHART (self), 0);

  /* A current run without data is renamed rather than kept as an empty one. */
  if (!run_has_data (self, self->runs->len - 1))
    {
      Run *run = current_run (self);

      g_free (run->name);
      run->name = g_strdup (name != NULL ? name : "");
      run->clock_origin = NAN;
    }
  else
    {
      g_ptr_array_add (self->runs, run_new (name));
      for (guint i = 0; i < self->series->len; i++)
        {
          Series *s = g_ptr_array_index (self->series, i);

          g_ptr_array_add (s->runs, series_data_new ());
        }
    }
  for (guint i = 0; i < self->series->len; i++)
    an_chart_ema_reset (&((Series *) g_ptr_array_index (self->series, i))->ema);
  g_array_set_size (self->markers, 0);
  update_description (self, TRUE);
  queue_draw_group (self);
  return self->runs->len - 1;
}

guint
an_chart_get_n_runs (AnChart *self)
{
  g_return_val_if_fail (AN_IS_CHART (self), 0);
  return self->runs->len;
}

const char *
an_chart_get_run_name (AnChart *self, guint run)
{
  g_return_val_if_fail (AN_IS_CHART (self), NULL);
  g_return_val_if_fail (run < self->runs->len, NULL);
  return ((Run *) g_ptr_array_index (self->runs, run))->name;
}

void
an_chart_set_run_name (AnChart *self, guint run, const char *name)
{
  Run *r;

  g_return_if_fail (AN_IS_CHART (self));
  g_return_if_fail (run < self->runs->len);

  r = g_ptr_array_index (self->runs, run);
  g_free (r->name);
  r->name = g_strdup (name != NULL ? name : "");
  queue_draw_group (self);
}

void
an_chart_set_run_visible (AnChart *self, guint run, gboolean visible)
{
  Run *r;

  g_return_if_fail (AN_IS_CHART (self));
  g_return_if_fail (run < self->runs->len);

  r = g_ptr_array_index (self->runs, run);
  if (r->visible == !!visible)
    return;
  r->visible = !!visible;
  queue_draw_group (self);
}

gboolean
an_chart_get_run_visible (AnChart *self, guint run)
{
  g_return_val_if_fail (AN_IS_CHART (self), FALSE);
  g_return_val_if_fail (run < self->runs->len, FALSE);
  return ((Run *) g_ptr_array_index (self->runs, run))->visible;
}

void
an_chart_set_run_clock_origin (AnChart *self, double unix_seconds)
{
  Run *run;

  g_return_if_fail (AN_IS_CHART (self));

  run = current_run (self);
  run->clock_origin = unix_seconds;
  /* Points already there move with it. */
  for (guint i = 0; i < self->series->len; i++)
    {
      AnChartSeriesData *d = series_current (g_ptr_array_index (self->series, i));

      for (guint k = 0; k < d->points->len; k++)
        {
          AnChartPoint *p = &g_array_index (d->points, AnChartPoint, k);
          p->x[AN_CHART_X_CLOCK] = unix_seconds + p->x[AN_CHART_X_TIME];
        }
    }
  for (guint i = 0; i < self->markers->len; i++)
    {
      Marker *m = &g_array_index (self->markers, Marker, i);
      m->x[AN_CHART_X_CLOCK] = unix_seconds + m->x[AN_CHART_X_TIME];
    }
  queue_draw_group (self);
}

void
an_chart_clear (AnChart *self)
{
  g_return_if_fail (AN_IS_CHART (self));

  g_ptr_array_set_size (self->runs, 0);
  g_ptr_array_add (self->runs, run_new (NULL));
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      g_ptr_array_set_size (s->runs, 0);
      g_ptr_array_add (s->runs, series_data_new ());
      an_chart_ema_reset (&s->ema);
    }
  g_array_set_size (self->markers, 0);
  update_description (self, TRUE);
  queue_draw_group (self);
}

guint
an_chart_get_n_points (AnChart *self, guint series)
{
  g_return_val_if_fail (AN_IS_CHART (self), 0);
  g_return_val_if_fail (series < self->series->len, 0);

  return series_current (g_ptr_array_index (self->series, series))->points->len;
}

guint
an_chart_get_n_markers (AnChart *self)
{
  g_return_val_if_fail (AN_IS_CHART (self), 0);

  return self->markers->len;
}

static void
group_leave (AnChart *self)
{
  if (self->x_group == NULL)
    return;
  g_ptr_array_remove (self->x_group, self);
  for (guint i = 0; i < self->x_group->len; i++)
    gtk_widget_queue_draw (g_ptr_array_index (self->x_group, i));
  g_clear_pointer (&self->x_group, g_ptr_array_unref);
}

void
an_chart_share_x (AnChart *self, AnChart *other)
{
  g_return_if_fail (AN_IS_CHART (self));
  g_return_if_fail (AN_IS_CHART (other));

  if (self == other || (self->x_group != NULL && self->x_group == other->x_group))
    return;
  if (other->x_group == NULL)
    {
      other->x_group = g_ptr_array_new ();
      g_ptr_array_add (other->x_group, other);
    }
  group_leave (self);
  self->x_group = g_ptr_array_ref (other->x_group);
  g_ptr_array_add (self->x_group, self);
  queue_draw_group (self);
}

gboolean
an_chart_get_x_range (AnChart *self, double *x0, double *x1)
{
  g_return_val_if_fail (AN_IS_CHART (self), FALSE);
  return compute_x_range (self, x0, x1);
}

gboolean
an_chart_get_y_range (AnChart *self, double *y0, double *y1)
{
  double x0, x1;

  g_return_val_if_fail (AN_IS_CHART (self), FALSE);
  return compute_x_range (self, &x0, &x1) && compute_y_range (self, x0, x1, y0, y1);
}

void
an_chart_set_x_mode (AnChart *self, AnChartXMode mode)
{
  g_return_if_fail (AN_IS_CHART (self));
  g_return_if_fail (mode < AN_CHART_X_N_MODES);

  if (self->x_mode == mode)
    return;
  self->x_mode = mode;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_X_MODE]);
}

AnChartXMode
an_chart_get_x_mode (AnChart *self)
{
  g_return_val_if_fail (AN_IS_CHART (self), AN_CHART_X_STEP);
  return self->x_mode;
}

void
an_chart_set_log_y (AnChart *self, gboolean log_y)
{
  g_return_if_fail (AN_IS_CHART (self));

  log_y = !!log_y;
  if (self->log_y == log_y)
    return;
  self->log_y = log_y;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_Y]);
}

gboolean
an_chart_get_log_y (AnChart *self)
{
  g_return_val_if_fail (AN_IS_CHART (self), FALSE);
  return self->log_y;
}

void
an_chart_set_smoothing (AnChart *self, double weight)
{
  g_return_if_fail (AN_IS_CHART (self));

  weight = CLAMP (weight, 0.0, 0.999);
  if (self->smoothing == weight)
    return;
  self->smoothing = weight;
  resmooth (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SMOOTHING]);
}

double
an_chart_get_smoothing (AnChart *self)
{
  g_return_val_if_fail (AN_IS_CHART (self), 0.0);
  return self->smoothing;
}

gboolean
an_chart_export_png (AnChart *self, const char *path, int width, int height, GError **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  gboolean ok;
  GdkRGBA bg = lookup_color (self, "view_bg_color");

  g_return_val_if_fail (AN_IS_CHART (self), FALSE);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  set_source (cr, &bg, 1.0);
  cairo_paint (cr);
  draw_chart (self, cr, width, height, TRUE);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  ok = an_png_write (path, cairo_image_surface_get_data (surface),
                     cairo_image_surface_get_width (surface),
                     cairo_image_surface_get_height (surface),
                     cairo_image_surface_get_stride (surface), AN_PNG_CAIRO_ARGB32, error);
  cairo_surface_destroy (surface);
  return ok;
}

gboolean
an_chart_export_csv (AnChart *const *charts, guint n_charts, GFile *file, GError **error)
{
  g_autoptr (GFileOutputStream) out = NULL;
  g_autoptr (GPtrArray) data = g_ptr_array_new ();
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  g_autoptr (GArray) runs = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint c = 0; c < n_charts; c++)
    g_return_val_if_fail (AN_IS_CHART (charts[c]), FALSE);

  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (out == NULL)
    return FALSE;
  for (guint c = 0; c < n_charts; c++)
    {
      AnChart *self = charts[c];

      for (guint i = 0; i < self->series->len; i++)
        {
          Series *s = g_ptr_array_index (self->series, i);

          for (guint r = 0; r < s->runs->len; r++)
            {
              int run = (int) r + 1;

              g_ptr_array_add (data, g_ptr_array_index (s->runs, r));
              g_ptr_array_add (names, s->name);
              g_array_append_val (runs, run);
            }
        }
    }
  if (!an_chart_write_csv (G_OUTPUT_STREAM (out), (const AnChartSeriesData *const *) data->pdata,
                           (const char *const *) names->pdata, (const int *) runs->data,
                           data->len, NULL, error))
    return FALSE;
  return g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}

static void
an_chart_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AnChart *self = AN_CHART (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_X_MODE:
      g_value_set_int (value, self->x_mode);
      break;
    case PROP_LOG_Y:
      g_value_set_boolean (value, self->log_y);
      break;
    case PROP_SMOOTHING:
      g_value_set_double (value, self->smoothing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
an_chart_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  AnChart *self = AN_CHART (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_free (self->title);
      self->title = g_value_dup_string (value);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      self->title ? self->title : "", -1);
      break;
    case PROP_X_MODE:
      an_chart_set_x_mode (self, g_value_get_int (value));
      break;
    case PROP_LOG_Y:
      an_chart_set_log_y (self, g_value_get_boolean (value));
      break;
    case PROP_SMOOTHING:
      an_chart_set_smoothing (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
an_chart_dispose (GObject *object)
{
  group_leave (AN_CHART (object));
  G_OBJECT_CLASS (an_chart_parent_class)->dispose (object);
}

static void
an_chart_finalize (GObject *object)
{
  AnChart *self = AN_CHART (object);

  g_free (self->title);
  g_ptr_array_unref (self->series);
  g_ptr_array_unref (self->runs);
  g_array_unref (self->markers);
  G_OBJECT_CLASS (an_chart_parent_class)->finalize (object);
}

static void
an_chart_class_init (AnChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = an_chart_get_property;
  object_class->set_property = an_chart_set_property;
  object_class->dispose = an_chart_dispose;
  object_class->finalize = an_chart_finalize;
  widget_class->snapshot = an_chart_snapshot;
  widget_class->measure = an_chart_measure;
  widget_class->query_tooltip = an_chart_query_tooltip;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_X_MODE] =
    g_param_spec_int ("x-mode", NULL, NULL, 0, AN_CHART_X_N_MODES - 1, AN_CHART_X_STEP,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOG_Y] =
    g_param_spec_boolean ("log-y", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SMOOTHING] =
    g_param_spec_double ("smoothing", NULL, NULL, 0.0, 0.999, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
an_chart_init (AnChart *self)
{
  self->series = g_ptr_array_new_with_free_func (series_free);
  self->runs = g_ptr_array_new_with_free_func (run_free);
  g_ptr_array_add (self->runs, run_new (NULL));
  self->markers = g_array_new (FALSE, FALSE, sizeof (Marker));
  g_array_set_clear_func (self->markers, marker_clear);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  update_description (self, TRUE);
}
