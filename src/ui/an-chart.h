/* an-chart.h: a live line chart of training curves (loss, accuracy, learning rate...). */
#pragma once

#include <gtk/gtk.h>

#include "an-chart-data.h"

G_BEGIN_DECLS

typedef enum {
  AN_CHART_STYLE_LINE = 0, /* a solid 2 px line */
  AN_CHART_STYLE_FAINT,    /* thin and translucent: the raw values under a smoothed line */
  AN_CHART_STYLE_DOTS,     /* a line with a dot per point: few points (one per epoch) */
} AnChartStyle;

typedef enum {
  AN_CHART_MARKER_CHANGE = 0, /* the user changed a hyperparameter: a labelled line */
  AN_CHART_MARKER_BEST,       /* the best epoch so far (only one is kept) */
  AN_CHART_MARKER_SCHEDULE,   /* the schedule changed the rate: a faint dashed line, no label */
} AnChartMarkerKind;

#define AN_TYPE_CHART (an_chart_get_type ())
G_DECLARE_FINAL_TYPE (AnChart, an_chart, AN, CHART, GtkWidget)

GtkWidget *an_chart_new (const char *title);

/* color: a theme colour name ("accent_color", "green_4"...) or a CSS colour. Returns the
 * series id. */
guint an_chart_add_series (AnChart *self, const char *name, const char *color,
                           AnChartStyle style);
/* A series that shows the exponential moving average of another (weight: "smoothing"). */
guint an_chart_add_smoothed_series (AnChart *self, const char *name, const char *color,
                                    guint source);

void an_chart_append (AnChart *self, guint series, double step, double epoch, double wall,
                      double y);
/* A marker of the current run at the point where something happened (a label is drawn only for
 * CHANGE and BEST, and only where it stands clear of the other labelled markers' lines, on a
 * plate that the schedule's faint lines may pass behind; the tooltip names every marker). */
void an_chart_add_marker (AnChart *self, AnChartMarkerKind kind, double step, double epoch,
                          double wall, const char *label);

/* Runs: every chart keeps all its runs, each with a name shown in the legend (when more than
 * one run is visible) and a visibility. The current run is the last; earlier ones are drawn
 * with their own dash pattern. A new run with no data yet replaces an empty current one.
 * Returns the new run's index. */
guint an_chart_new_run (AnChart *self, const char *name);
guint an_chart_get_n_runs (AnChart *self);
const char *an_chart_get_run_name (AnChart *self, guint run);
void an_chart_set_run_name (AnChart *self, guint run, const char *name);
void an_chart_set_run_visible (AnChart *self, guint run, gboolean visible);
gboolean an_chart_get_run_visible (AnChart *self, guint run);
/* The dash pattern a run is drawn with (n = 0: solid), for a run selector's swatches. */
const double *an_chart_run_dashes (guint run, guint n_runs, int *n);
/* The wall-clock time (seconds since 1970) at which the current run's time axis is 0; by
 * default the first point's arrival time less its run seconds. */
void an_chart_set_run_clock_origin (AnChart *self, double unix_seconds);
/* Forgets every run. */
void an_chart_clear (AnChart *self);

guint an_chart_get_n_points (AnChart *self, guint series);
guint an_chart_get_n_markers (AnChart *self);
/* Marker i's position in every x mode (x holds AN_CHART_X_N_MODES values) and kind. */
void an_chart_get_marker (AnChart *self, guint i, AnChartMarkerKind *kind, double *x);

/* Charts that share their x range: the union of theirs (all visible runs). Either may be
 * destroyed first. */
void an_chart_share_x (AnChart *self, AnChart *other);
/* The x range the chart draws now in its mode (FALSE without data). */
gboolean an_chart_get_x_range (AnChart *self, double *x0, double *x1);
/* The y range the chart draws now (FALSE without data). */
gboolean an_chart_get_y_range (AnChart *self, double *y0, double *y1);

void an_chart_set_x_mode (AnChart *self, AnChartXMode mode);
AnChartXMode an_chart_get_x_mode (AnChart *self);
void an_chart_set_log_y (AnChart *self, gboolean log_y);
gboolean an_chart_get_log_y (AnChart *self);
void an_chart_set_smoothing (AnChart *self, double weight);
double an_chart_get_smoothing (AnChart *self);

gboolean an_chart_export_png (AnChart *self, const char *path, int width, int height,
                              GError **error);
/* Every series of the charts, old runs included, into one table. */
gboolean an_chart_export_csv (AnChart *const *charts, guint n_charts, GFile *file,
                              GError **error);

G_END_DECLS
