/* an-chart-data.h: the chart's numbers without GTK: point storage, per-pixel-column min/max
 * reduction, smoothing, axis ranges and "nice" ticks, nearest-point lookup and CSV export.
 * Unit-tested without a display (tests/ui/test-chart-data.c).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What the x axis shows; every point carries all three so the axis can switch at once. */
typedef enum {
  AN_CHART_X_STEP = 0,
  AN_CHART_X_EPOCH,
  AN_CHART_X_TIME,
  AN_CHART_X_N_MODES,
} AnChartXMode;

typedef struct {
  double x[AN_CHART_X_N_MODES]; /* step, epoch (fractional), wall seconds */
  double y;
} AnChartPoint;

/* A growing series; points arrive with non-decreasing x in every mode. */
typedef struct {
  GArray *points; /* of AnChartPoint */
} AnChartSeriesData;

void an_chart_series_data_init (AnChartSeriesData *s);
void an_chart_series_data_clear (AnChartSeriesData *s);
void an_chart_series_data_append (AnChartSeriesData *s, double step, double epoch, double wall,
                                  double y);

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
/* Ticks on a log axis (lo > 0): powers of ten, with 2 and 5 in between when the range spans
 * few decades; at most max_ticks. */
guint an_chart_ticks_log (double lo, double hi, guint max_ticks, double *ticks);
/* Widens [lo, hi] to tick multiples (linear) or to powers of ten (log); a flat range gets a
 * margin. */
void an_chart_nice_range (double *lo, double *hi, gboolean log_y);

/* A tick label with just enough decimals for the spacing ("0.25", "1e-04", "3:05" for time). */
char *an_chart_format_value (double value, double step);
char *an_chart_format_time (double seconds);

/* Writes "run,series,step,epoch,seconds,value" rows. names[i] labels series[i]; runs[i] is
 * its run number. */
gboolean an_chart_write_csv (GOutputStream *out, const AnChartSeriesData *const *series,
                             const char *const *names, const int *runs, guint n_series,
                             GCancellable *cancellable, GError **error);

G_END_DECLS
