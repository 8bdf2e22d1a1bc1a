/* an-chart-data.h: the chart's numbers without GTK: point storage, per-pixel-column min/max
 * reduction, smoothing, axis ranges and "nice" ticks, nearest-point lookup and CSV export.
 * Unit-tested without a display (tests/ui/test-chart-data.c).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What the x axis shows; every point carries all four so the axis can switch at once. */
typedef enum {
  AN_CHART_X_STEP = 0,
  AN_CHART_X_EPOCH,
  AN_CHART_X_TIME,  /* seconds since the run began */
  AN_CHART_X_CLOCK, /* wall-clock time: seconds since 1970 (UTC) */
  AN_CHART_X_N_MODES,
} AnChartXMode;

typedef struct {
  double x[AN_CHART_X_N_MODES]; /* step, epoch (fractional), run seconds, clock seconds */
  double y;
} AnChartPoint;

/* A growing series; points arrive with non-decreasing x in every mode. */
typedef struct {
  GArray *points; /* of AnChartPoint */
} AnChartSeriesData;

void an_chart_series_data_init (AnChartSeriesData *s);
void an_chart_series_data_clear (AnChartSeriesData *s);
/* clock: the point's wall-clock time (AN_CHART_X_CLOCK); NAN when unknown. */
void an_chart_series_data_append (AnChartSeriesData *s, double step, double epoch, double wall,
                                  double clock, double y);

/* One pixel column of a reduced series: the extremes keep spikes visible, first/last join the
 * neighbouring columns in order. */
typedef struct {
  int column;
  double y_min, y_max, y_first, y_last;
  guint count;
} AnChartColumn;

/* Reduces the points whose x (in mode) lies in [x0, x1] to at most `columns` columns of equal
 * width; non-finite y (and y <= 0 when log_y) are dropped. Returns the number of non-empty
 * columns written to out (which holds `columns` entries), in increasing column order. */
guint an_chart_reduce (const AnChartPoint *points, gsize n, AnChartXMode mode, double x0,
                       double x1, guint columns, gboolean log_y, AnChartColumn *out);

/* Index of the first point with x[mode] >= x (n when none): points are sorted in every mode. */
gsize an_chart_lower_bound (const AnChartPoint *points, gsize n, AnChartXMode mode, double x);
/* Index of the finite point nearest to x in that mode, or -1 when there is none. */
gssize an_chart_nearest (const AnChartPoint *points, gsize n, AnChartXMode mode, double x);

/* Exponential moving average with bias correction, as TensorBoard draws it: the average
 * starts at zero and the t-th finite value's result is divided by 1 - weight^t, so the
 * smoothed curve starts on the raw one instead of far from it. weight in [0, 1), 0 = no
 * smoothing. Non-finite inputs give NAN and do not disturb the average. */
typedef struct {
  double avg;
  guint seen; /* finite values so far */
} AnChartEma;

void an_chart_ema_reset (AnChartEma *ema);
/* Adds y; returns the debiased average (NAN for a non-finite y). */
double an_chart_ema_push (AnChartEma *ema, double y, double weight);
/* The same over an array; in and out may be the same array. */
void an_chart_smooth (const double *in, double *out, gsize n, double weight);

/* Finite y range of the points with x in [x0, x1] (positive values only when log_y).
 * FALSE when there is none. */
gboolean an_chart_y_range (const AnChartPoint *points, gsize n, AnChartXMode mode, double x0,
                           double x1, gboolean log_y, double *y_min, double *y_max);

/* Ticks on a linear axis: multiples of 1, 2 or 5 x 10^k inside [lo, hi], at most max_ticks
 * (>= 2). Returns the count; *step receives the spacing. */
guint an_chart_ticks_linear (double lo, double hi, guint max_ticks, double *ticks, double *step);
/* Ticks on a log axis (lo > 0), at most max_ticks: the coarsest of the mantissa sets {1},
 * {1, 2, 5}, {1, 2, 3, 5}, {1, 1.5, 2, 3, 4, 5, 6, 8} (times powers of ten) that gives at least
 * four ticks inside [lo, hi], else the finest that fits; powers with a stride when even those
 * are too many. A range too narrow for two such ticks gets linear ticks. */
guint an_chart_ticks_log (double lo, double hi, guint max_ticks, double *ticks);
/* Widens [lo, hi] to tick multiples (linear), or on a log axis to the nearest values of the
 * form m x 10^k (m in 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8) around the data, so data in 0.6-2.7
 * gets 0.6-3, not whole decades; a flat range gets a margin. */
void an_chart_nice_range (double *lo, double *hi, gboolean log_y);

/* Ticks on a time axis (seconds): multiples of 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min,
 * 1, 2, 3, 6, 12 h or whole days, at most max_ticks, inside [lo, hi]. offset (seconds) is
 * added before taking multiples: the local time zone's offset puts clock ticks on local
 * hours. */
guint an_chart_ticks_time (double lo, double hi, double offset, guint max_ticks, double *ticks,
                           double *step);
/* A wall-clock tick label in local time: "14:05", or "14:05:30" when step < 60 s. */
char *an_chart_format_clock (double unix_seconds, double step);

/* A tick label with just enough decimals for the spacing ("0.25", "1e-04", "3:05" for time). */
char *an_chart_format_value (double value, double step);
char *an_chart_format_time (double seconds);

/* ---- layout -------------------------------------------------------------------------------- */

typedef struct {
  double x, y, width, height;
} AnChartRect;

/* Pixels between the plot's frame and the data: a dot (radius 3) or a 2 px line at the range's
 * edge (accuracy 1.0, a single point) is drawn whole inside the frame. */
#define AN_CHART_INSET 5.0

/* Lays out a chart of width x height: the title at the top left, the legend's entries
 * (item_w[i] x item_h each) after it on the same line while they fit, then wrapping onto
 * lines of their own, all above the plot, so that they never cover data or the title; the
 * plot rectangle below them keeps room for the axes' labels (margin_left, margin_bottom).
 * Entries that would leave the plot less than a third of the height are not shown. Writes
 * title, items (n_items entries; unshown ones get width 0) and plot; returns the number of
 * entries shown (always the first ones). */
guint an_chart_layout (double width, double height, double title_w, double title_h,
                       const double *item_w, guint n_items, double item_h, double margin_left,
                       double margin_bottom, AnChartRect *title, AnChartRect *items,
                       AnChartRect *plot);

/* Plot pixels of data values: [x0, x1] x [y0, y1] onto the plot rectangle less
 * AN_CHART_INSET on every side; log_y maps y logarithmically. */
typedef struct {
  double x0, x1, y0, y1;
  AnChartRect plot;
  gboolean log_y;
} AnChartFrame;

double an_chart_frame_px_x (const AnChartFrame *f, double x);
double an_chart_frame_px_y (const AnChartFrame *f, double y);
/* The data x at a pixel column (the inverse of an_chart_frame_px_x). */
double an_chart_frame_x_at (const AnChartFrame *f, double px);

/* Places the labels of vertical marker lines: marker i stands at pixel x[i] (sorted or not)
 * with a label w[i] wide (0: no label). Each label goes right of its line (or left when it
 * would leave [left, right]) on one of n_rows rows, never overlapping another label on its row
 * nor crossing any marker's line (2 px clear). Writes row[i] (-1: no room, not drawn) and
 * label_x[i] (the label's left edge). Returns how many labels were placed. */
guint an_chart_place_labels (const double *x, const double *w, guint n, double left, double right,
                             guint n_rows, int *row, double *label_x);

/* The length, in pixels, of the polyline through the n points (x[i], y[i]) that lies inside
 * rectangle r: how much of a curve a label's plate drawn there would cover. */
double an_chart_polyline_length_in (const double *x, const double *y, gsize n,
                                    const AnChartRect *r);

/* Writes "run,series,step,epoch,seconds,value" rows. names[i] labels series[i]; runs[i] is
 * its run number. */
gboolean an_chart_write_csv (GOutputStream *out, const AnChartSeriesData *const *series,
                             const char *const *names, const int *runs, guint n_series,
                             GCancellable *cancellable, GError **error);

G_END_DECLS
