#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-chart.c: AnChart, a GtkWidget drawing curves with cairo through gtk_snapshot_append_cairo.
 * Every frame reduces each series to one min/max pair per pixel column (an-chart-data.c), so
 * a million steps draw as fast as a thousand. The same drawing code renders PNG exports.
 */

#include <glib/gi18n.h>
#include <math.h>

#include "an-chart.h"
#include "an-png.h"

#define MAX_OLD_RUNS 4
#define MAX_TICKS 8
#define MARGIN_LEFT 58
#define MARGIN_RIGHT 12
#define MARGIN_TOP 10
#define MARGIN_BOTTOM 34

typedef struct {
  char *name;
  char *color_name;
  AnChartStyle style;
  int smooth_source; /* -1: raw data */
  AnChartSeriesData data;
  GPtrArray *old_runs; /* of AnChartSeriesData*, oldest first */
  AnChartEma ema;       /* incremental smoothing state */
} Series;

typedef struct {
  AnChartMarkerKind kind;
  double x[AN_CHART_X_N_MODES];
  char *label;
} Marker;

struct _AnChart {
  GtkWidget parent_instance;

  char *title;
  GPtrArray *series; /* of Series* */
  GArray *markers;   /* of Marker */
  AnChartXMode x_mode;
  gboolean log_y;
  double smoothing;
  int run; /* 1-based number of the current run */
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

static void
series_free (gpointer p)
{
  Series *s = p;

  g_free (s->name);
  g_free (s->color_name);
  an_chart_series_data_clear (&s->data);
  g_ptr_array_unref (s->old_runs);
  g_free (s);
}

static void
marker_clear (gpointer p)
{
  Marker *m = p;

  g_free (m->label);
}

/* Colours: libadwaita's named palette where the theme defines it, else a CSS colour. */
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

typedef struct {
  double x0, x1, y0, y1; /* data range */
  double left, top, width, height; /* plot area in pixels */
  gboolean log_y;
} Frame;

static double
frame_px_x (const Frame *f, double x)
{
  return f->left + (f->x1 > f->x0 ? (x - f->x0) / (f->x1 - f->x0) : 0.5) * f->width;
}

static double
frame_px_y (const Frame *f, double y)
{
  double t;

  if (f->log_y)
    t = (log10 (y) - log10 (f->y0)) / (log10 (f->y1) - log10 (f->y0));
  else
    t = f->y1 > f->y0 ? (y - f->y0) / (f->y1 - f->y0) : 0.5;
  return f->top + (1.0 - t) * f->height;
}

static void
for_each_data (AnChart *self, void (*fn) (const AnChartSeriesData *d, gpointer user),
               gpointer user)
{
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      for (guint r = 0; r < s->old_runs->len; r++)
        fn (g_ptr_array_index (s->old_runs, r), user);
      fn (&s->data, user);
    }
}

typedef struct {
  AnChartXMode mode;
  gboolean log_y;
  double x0, x1, y0, y1;
  gboolean have_x, have_y;
} RangeScan;

static void
scan_x (const AnChartSeriesData *d, gpointer user)
{
  RangeScan *r = user;
  guint n = d->points->len;

  if (n == 0)
    return;
  r->x0 = MIN (r->x0, g_array_index (d->points, AnChartPoint, 0).x[r->mode]);
  r->x1 = MAX (r->x1, g_array_index (d->points, AnChartPoint, n - 1).x[r->mode]);
  r->have_x = TRUE;
}

static void
scan_y (const AnChartSeriesData *d, gpointer user)
{
  RangeScan *r = user;
  double lo, hi;

  if (an_chart_y_range ((const AnChartPoint *) d->points->data, d->points->len, r->mode, r->x0,
                        r->x1, r->log_y, &lo, &hi))
    {
      r->y0 = MIN (r->y0, lo);
      r->y1 = MAX (r->y1, hi);
      r->have_y = TRUE;
    }
}

static gboolean
compute_frame (AnChart *self, int width, int height, Frame *f)
{
  RangeScan r = { self->x_mode, self->log_y, INFINITY, -INFINITY, INFINITY, -INFINITY };

  f->left = MARGIN_LEFT;
  f->top = MARGIN_TOP;
  f->width = MAX (1, width - MARGIN_LEFT - MARGIN_RIGHT);
  f->height = MAX (1, height - MARGIN_TOP - MARGIN_BOTTOM);
  f->log_y = self->log_y;

  for_each_data (self, scan_x, &r);
  if (!r.have_x)
    return FALSE;
  /* Steps, epochs and seconds all count from 0: starting there keeps the charts of one run
   * aligned, however many points each has. */
  if (r.x0 > 0.0)
    r.x0 = 0.0;
  if (r.x1 <= r.x0)
    r.x1 = r.x0 + 1.0;
  for_each_data (self, scan_y, &r);
  if (!r.have_y)
    return FALSE;
  an_chart_nice_range (&r.y0, &r.y1, self->log_y);
  f->x0 = r.x0;
  f->x1 = r.x1;
  f->y0 = r.y0;
  f->y1 = r.y1;
  return TRUE;
}

static void
set_source (cairo_t *cr, const GdkRGBA *c, double alpha)
{
  cairo_set_source_rgba (cr, c->red, c->green, c->blue, c->alpha * alpha);
}

static void
draw_text (AnChart *self, cairo_t *cr, const char *text, double x, double y, double align_x,
           double align_y)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, round (x - align_x * w), round (y - align_y * h));
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

static char *
format_x (AnChartXMode mode, double x, double step)
{
  if (mode == AN_CHART_X_TIME)
    return an_chart_format_time (x);
  return an_chart_format_value (x, step);
}

static void
draw_axes (AnChart *self, cairo_t *cr, const Frame *f, const GdkRGBA *fg)
{
  static const char *const x_titles[AN_CHART_X_N_MODES] = {
    N_("Step"), N_("Epoch"), N_("Time (min:s)"),
  };
  double ticks[MAX_TICKS + 8];
  double step = 0.0;
  guint n;

  /* Grid lines as 1-px rectangles on whole pixels so they stay crisp. */
  n = self->log_y ? an_chart_ticks_log (f->y0, f->y1, MAX_TICKS, ticks)
                  : an_chart_ticks_linear (f->y0, f->y1, MAX_TICKS, ticks, &step);
  for (guint i = 0; i < n; i++)
    {
      double y = floor (frame_px_y (f, ticks[i]));
      g_autofree char *label = an_chart_format_value (ticks[i], self->log_y ? 0.0 : step);

      set_source (cr, fg, 0.12);
      cairo_rectangle (cr, f->left, y, f->width, 1);
      cairo_fill (cr);
      set_source (cr, fg, 0.75);
      draw_text (self, cr, label, f->left - 6, y, 1.0, 0.5);
    }

  n = an_chart_ticks_linear (f->x0, f->x1, MAX (2, MIN (MAX_TICKS, (guint) (f->width / 80))),
                             ticks, &step);
  for (guint i = 0; i < n; i++)
    {
      double x = floor (frame_px_x (f, ticks[i]));
      g_autofree char *label = format_x (self->x_mode, ticks[i], step);

      set_source (cr, fg, 0.12);
      cairo_rectangle (cr, x, f->top, 1, f->height);
      cairo_fill (cr);
      set_source (cr, fg, 0.75);
      draw_text (self, cr, label, x, f->top + f->height + 3, 0.5, 0.0);
    }

  set_source (cr, fg, 0.35);
  cairo_rectangle (cr, f->left, f->top + f->height, f->width, 1);
  cairo_rectangle (cr, f->left, f->top, 1, f->height);
  cairo_fill (cr);

  set_source (cr, fg, 0.6);
  draw_text (self, cr, _(x_titles[self->x_mode]), f->left + f->width, f->top + f->height + 18,
             1.0, 0.0);
}

static void
draw_series_data (AnChart *self, cairo_t *cr, const Frame *f, const AnChartSeriesData *d,
                  AnChartStyle style, const GdkRGBA *color, double alpha, gboolean dashed)
{
  guint columns = (guint) MAX (1.0, f->width);
  g_autofree AnChartColumn *cols = NULL;
  guint n;

  if (d->points->len == 0)
    return;
  cols = g_new (AnChartColumn, columns);
  n = an_chart_reduce ((const AnChartPoint *) d->points->data, d->points->len, self->x_mode,
                       f->x0, f->x1, columns, self->log_y, cols);
  if (n == 0)
    return;

  cairo_save (cr);
  cairo_rectangle (cr, f->left, f->top - 2, f->width + 2, f->height + 4);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_width (cr, style == AN_CHART_STYLE_FAINT ? 1.0 : 2.0);
  if (dashed)
    {
      static const double dash[] = { 4.0, 3.0 };
      cairo_set_dash (cr, dash, 2, 0);
    }
  set_source (cr, color, alpha * (style == AN_CHART_STYLE_FAINT ? 0.35 : 1.0));

  cairo_new_path (cr);
  for (guint i = 0; i < n; i++)
    {
      double x = f->left + cols[i].column + 0.5;

      cairo_line_to (cr, x, frame_px_y (f, cols[i].y_first));
      if (cols[i].count > 1)
        {
          cairo_line_to (cr, x, frame_px_y (f, cols[i].y_min));
          cairo_line_to (cr, x, frame_px_y (f, cols[i].y_max));
          cairo_line_to (cr, x, frame_px_y (f, cols[i].y_last));
        }
    }
  if (n == 1)
    cairo_rel_line_to (cr, 0.01, 0);
  cairo_stroke (cr);

  if (style == AN_CHART_STYLE_DOTS && n < columns / 4)
    {
      for (guint i = 0; i < n; i++)
        {
          cairo_arc (cr, f->left + cols[i].column + 0.5, frame_px_y (f, cols[i].y_last), 3.0, 0,
                     2 * G_PI);
          cairo_fill (cr);
        }
    }
  cairo_restore (cr);
}

static void
draw_markers (AnChart *self, cairo_t *cr, const Frame *f, const GdkRGBA *fg)
{
  GdkRGBA change = lookup_color (self, "purple_3");
  GdkRGBA best = lookup_color (self, "success_color");

  for (guint i = 0; i < self->markers->len; i++)
    {
      const Marker *m = &g_array_index (self->markers, Marker, i);
      double x = m->x[self->x_mode];
      double px;

      if (!isfinite (x) || x < f->x0 || x > f->x1)
        continue;
      px = floor (frame_px_x (f, x));
      set_source (cr, m->kind == AN_CHART_MARKER_BEST ? &best : &change, 0.8);
      cairo_rectangle (cr, px, f->top, m->kind == AN_CHART_MARKER_BEST ? 2 : 1, f->height);
      cairo_fill (cr);
      /* Labels along the bottom, left of the line near the right edge, staggered so that
       * neighbouring markers do not overwrite each other. */
      if (m->label != NULL)
        {
          gboolean right_half = px > f->left + f->width / 2;

          draw_text (self, cr, m->label, right_half ? px - 3 : px + 3,
                     f->top + f->height - 4 - 15 * (i % 3), right_half ? 1.0 : 0.0, 1.0);
        }
    }
}

static void
draw_legend (AnChart *self, cairo_t *cr, const Frame *f, const GdkRGBA *fg, const GdkRGBA *bg)
{
  double x = f->left + 8, y = f->top + 4;

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      GdkRGBA c = lookup_color (self, s->color_name);
      PangoLayout *layout;
      int w, h;

      if (s->data.points->len == 0 && s->old_runs->len == 0)
        continue;
      layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), s->name);
      pango_layout_get_pixel_size (layout, &w, &h);
      set_source (cr, bg, 0.8);
      cairo_rectangle (cr, x - 2, y - 1, w + 24, h + 2);
      cairo_fill (cr);
      set_source (cr, &c, s->style == AN_CHART_STYLE_FAINT ? 0.4 : 1.0);
      cairo_rectangle (cr, x, y + h / 2.0 - 1.5, 14, 3);
      cairo_fill (cr);
      set_source (cr, fg, 0.9);
      cairo_move_to (cr, x + 18, y);
      pango_cairo_show_layout (cr, layout);
      g_object_unref (layout);
      y += h + 2;
    }
}

static void
draw_chart (AnChart *self, cairo_t *cr, int width, int height, gboolean legend,
            const GdkRGBA *bg)
{
  GdkRGBA fg = foreground_color (self);
  Frame f;

  if (!compute_frame (self, width, height, &f))
    {
      set_source (cr, &fg, 0.5);
      draw_text (self, cr, _("No data yet"), width / 2.0, height / 2.0, 0.5, 0.5);
      return;
    }
  draw_axes (self, cr, &f, &fg);

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      GdkRGBA c = lookup_color (self, s->color_name);

      for (guint r = 0; r < s->old_runs->len; r++)
        draw_series_data (self, cr, &f, g_ptr_array_index (s->old_runs, r), s->style, &c,
                          0.25 + 0.15 * r / MAX_OLD_RUNS, TRUE);
    }
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      GdkRGBA c = lookup_color (self, s->color_name);

      draw_series_data (self, cr, &f, &s->data, s->style, &c, 1.0, FALSE);
    }
  draw_markers (self, cr, &f, &fg);
  if (legend)
    draw_legend (self, cr, &f, &fg, bg);
  if (self->title != NULL)
    {
      PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
      g_autofree char *markup = g_markup_printf_escaped ("<b>%s</b>", self->title);
      int w, h;

      pango_layout_set_markup (layout, markup, -1);
      pango_layout_get_pixel_size (layout, &w, &h);
      set_source (cr, &fg, 0.8);
      cairo_move_to (cr, f.left + f.width - w - 6, f.top + 4);
      pango_cairo_show_layout (cr, layout);
      g_object_unref (layout);
    }
}

static void
an_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  AnChart *self = AN_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA bg = lookup_color (self, "view_bg_color");
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  draw_chart (self, cr, width, height, TRUE, &bg);
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
  Frame f;
  double dx;

  if (!compute_frame (self, gtk_widget_get_width (widget), gtk_widget_get_height (widget), &f)
      || x < f.left || x > f.left + f.width)
    return FALSE;
  dx = f.x0 + (x - f.left) / f.width * (f.x1 - f.x0);

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      const AnChartPoint *pts = (const AnChartPoint *) s->data.points->data;
      gssize k = an_chart_nearest (pts, s->data.points->len, self->x_mode, dx);

      /* Only points within a few pixels: a per-epoch series should not answer for every x. */
      if (k < 0 || fabs (frame_px_x (&f, pts[k].x[self->x_mode]) - x) > 12)
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, "%s: %.6g", s->name, pts[k].y);
      if (shown == NULL)
        shown = &pts[k];
    }
  if (shown == NULL)
    return FALSE;
  {
    g_autofree char *time = an_chart_format_time (shown->x[AN_CHART_X_TIME]);

    /* Translators: tooltip footer: the step, the (fractional) epoch and the wall time */
    g_string_append_c (text, '\n');
    g_string_append_printf (text, _("Step %.0f, epoch %.2f, time %s"),
                            shown->x[AN_CHART_X_STEP], shown->x[AN_CHART_X_EPOCH], time);
  }
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
      guint n = s->data.points->len;

      if (n == 0)
        continue;
      g_string_append_printf (text, "%s%s %.4g", text->len ? ", " : "", s->name,
                              g_array_index (s->data.points, AnChartPoint, n - 1).y);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text->len ? text->str : _("No data yet"), -1);
}

GtkWidget *
an_chart_new (const char *title)
{
  return g_object_new (AN_TYPE_CHART, "title", title, NULL);
}

static Series *
series_new (const char *name, const char *color, AnChartStyle style, int source)
{
  Series *s = g_new0 (Series, 1);

  s->name = g_strdup (name);
  s->color_name = g_strdup (color);
  s->style = style;
  s->smooth_source = source;
  an_chart_series_data_init (&s->data);
  s->old_runs = g_ptr_array_new_with_free_func (series_data_free);
  return s;
}

guint
an_chart_add_series (AnChart *self, const char *name, const char *color, AnChartStyle style)
{
  g_return_val_if_fail (AN_IS_CHART (self), 0);

  g_ptr_array_add (self->series, series_new (name, color, style, -1));
  return self->series->len - 1;
}

guint
an_chart_add_smoothed_series (AnChart *self, const char *name, const char *color, guint source)
{
  g_return_val_if_fail (AN_IS_CHART (self), 0);
  g_return_val_if_fail (source < self->series->len, 0);

  g_ptr_array_add (self->series, series_new (name, color, AN_CHART_STYLE_LINE, (int) source));
  return self->series->len - 1;
}

static void
smoothed_append (AnChart *self, Series *s, const AnChartPoint *p)
{
  double y = an_chart_ema_push (&s->ema, p->y, CLAMP (self->smoothing, 0.0, 0.999));

  an_chart_series_data_append (&s->data, p->x[0], p->x[1], p->x[2], y);
}

void
an_chart_append (AnChart *self, guint series, double step, double epoch, double wall, double y)
{
  Series *s;

  g_return_if_fail (AN_IS_CHART (self));
  g_return_if_fail (series < self->series->len);

  s = g_ptr_array_index (self->series, series);
  an_chart_series_data_append (&s->data, step, epoch, wall, y);
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *d = g_ptr_array_index (self->series, i);

      if (d->smooth_source == (int) series)
        smoothed_append (self, d, &g_array_index (s->data.points, AnChartPoint,
                                                  s->data.points->len - 1));
    }
  update_description (self, FALSE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
resmooth (AnChart *self)
{
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *d = g_ptr_array_index (self->series, i);
      Series *src;

      if (d->smooth_source < 0)
        continue;
      src = g_ptr_array_index (self->series, d->smooth_source);
      g_array_set_size (d->data.points, 0);
      an_chart_ema_reset (&d->ema);
      for (guint k = 0; k < src->data.points->len; k++)
        smoothed_append (self, d, &g_array_index (src->data.points, AnChartPoint, k));
    }
}

void
an_chart_add_marker (AnChart *self, AnChartMarkerKind kind, double step, double epoch,
                     double wall, const char *label)
{
  Marker m = { kind, { step, epoch, wall }, g_strdup (label) };

  g_return_if_fail (AN_IS_CHART (self));

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
an_chart_new_run (AnChart *self)
{
  g_return_if_fail (AN_IS_CHART (self));

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      AnChartSeriesData *old;

      if (s->data.points->len == 0)
        continue;
      old = g_new (AnChartSeriesData, 1);
      *old = s->data;
      g_ptr_array_add (s->old_runs, old);
      if (s->old_runs->len > MAX_OLD_RUNS)
        g_ptr_array_remove_index (s->old_runs, 0);
      an_chart_series_data_init (&s->data);
      an_chart_ema_reset (&s->ema);
    }
  g_array_set_size (self->markers, 0);
  self->run++;
  update_description (self, TRUE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
an_chart_clear (AnChart *self)
{
  g_return_if_fail (AN_IS_CHART (self));

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      g_array_set_size (s->data.points, 0);
      g_ptr_array_set_size (s->old_runs, 0);
      an_chart_ema_reset (&s->ema);
    }
  g_array_set_size (self->markers, 0);
  update_description (self, TRUE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
an_chart_get_n_points (AnChart *self, guint series)
{
  g_return_val_if_fail (AN_IS_CHART (self), 0);
  g_return_val_if_fail (series < self->series->len, 0);

  return ((Series *) g_ptr_array_index (self->series, series))->data.points->len;
}

guint
an_chart_get_n_markers (AnChart *self)
{
  g_return_val_if_fail (AN_IS_CHART (self), 0);

  return self->markers->len;
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
  draw_chart (self, cr, width, height, TRUE, &bg);
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

          for (guint r = 0; r < s->old_runs->len; r++)
            {
              int run = self->run - (int) (s->old_runs->len - r);

              g_ptr_array_add (data, g_ptr_array_index (s->old_runs, r));
              g_ptr_array_add (names, s->name);
              g_array_append_val (runs, run);
            }
          g_ptr_array_add (data, &s->data);
          g_ptr_array_add (names, s->name);
          g_array_append_val (runs, self->run);
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
an_chart_finalize (GObject *object)
{
  AnChart *self = AN_CHART (object);

  g_free (self->title);
  g_ptr_array_unref (self->series);
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
  self->markers = g_array_new (FALSE, FALSE, sizeof (Marker));
  g_array_set_clear_func (self->markers, marker_clear);
  self->run = 1;
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  update_description (self, TRUE);
}
