#define G_LOG_DOMAIN "test-chart-data"
#include "config.h"

/* test-chart-data.c: the chart's reduction, smoothing, ticks and CSV, and the tile helpers,
 * checked against brute-force or hand-computed values (no display needed). Floating-point
 * comparisons use a stated tolerance of 1e-12 relative unless a test says otherwise.
 */

#include <math.h>
#include <string.h>

#include "an-chart-data.h"
#include "an-tiles.h"

#define TOL 1e-12

static void
assert_close (double got, double want, double tol)
{
  double err = fabs (got - want);

  if (!(err <= tol * MAX (1.0, fabs (want))))
    g_error ("got %.17g, want %.17g (error %.3g > %.3g)", got, want, err, tol);
}

static AnChartPoint *
make_points (gsize n)
{
  AnChartPoint *p = g_new (AnChartPoint, n);

  for (gsize i = 0; i < n; i++)
    {
      p[i].x[AN_CHART_X_STEP] = i + 1;
      p[i].x[AN_CHART_X_EPOCH] = (double) i / 1000.0;
      p[i].x[AN_CHART_X_TIME] = 0.01 * i * i / n;
      p[i].x[AN_CHART_X_CLOCK] = 1000.0 + 0.01 * i * i / n;
      p[i].y = 2.0 + sin (i * 0.001) + 0.1 * sin (i * 0.37);
    }
  return p;
}

/* A million points reduced to 800 columns must equal the column extremes computed point by
 * point, keep an isolated spike and drop NaN/Inf. */
static void
test_reduce_million (void)
{
  const gsize n = 1000000;
  const guint columns = 800;
  g_autofree AnChartPoint *p = make_points (n);
  g_autofree AnChartColumn *cols = g_new (AnChartColumn, columns);
  g_autofree double *want_min = g_new (double, columns);
  g_autofree double *want_max = g_new (double, columns);
  g_autofree guint *want_count = g_new0 (guint, columns);
  /* 1024 steps per column: the column of step x is exactly (x - x0) / 1024 in integers. */
  double x0 = 100.0, x1 = 100.0 + 1024.0 * columns;
  gint64 t0;
  guint got, nonempty = 0, spike_col;

  p[500000].y = 1e6;
  p[500001].y = NAN;
  p[500002].y = INFINITY;

  for (guint c = 0; c < columns; c++)
    {
      want_min[c] = INFINITY;
      want_max[c] = -INFINITY;
    }
  for (gsize i = 0; i < n; i++)
    {
      double x = p[i].x[AN_CHART_X_STEP];
      int c;

      if (x < x0 || x > x1 || !isfinite (p[i].y))
        continue;
      c = MIN ((int) (((gint64) x - (gint64) x0) / 1024), (int) columns - 1);
      want_min[c] = MIN (want_min[c], p[i].y);
      want_max[c] = MAX (want_max[c], p[i].y);
      want_count[c]++;
    }

  t0 = g_get_monotonic_time ();
  got = an_chart_reduce (p, n, AN_CHART_X_STEP, x0, x1, columns, FALSE, cols);
  g_test_message ("reduced %" G_GSIZE_FORMAT " points to %u columns in %.2f ms", n, got,
                  (g_get_monotonic_time () - t0) / 1000.0);

  for (guint c = 0; c < columns; c++)
    nonempty += want_count[c] > 0;
  g_assert_cmpuint (got, ==, nonempty);
  for (guint i = 0; i < got; i++)
    {
      int c = cols[i].column;

      if (i > 0)
        g_assert_cmpint (c, >, cols[i - 1].column);
      g_assert_cmpuint (cols[i].count, ==, want_count[c]);
      assert_close (cols[i].y_min, want_min[c], TOL);
      assert_close (cols[i].y_max, want_max[c], TOL);
      g_assert_true (isfinite (cols[i].y_first) && isfinite (cols[i].y_last));
    }
  spike_col = (500001 - 100) / 1024;
  for (guint i = 0; i < got; i++)
    if ((guint) cols[i].column == spike_col)
      assert_close (cols[i].y_max, 1e6, TOL);
}

static void
test_reduce_log_and_modes (void)
{
  AnChartPoint p[6];
  AnChartColumn cols[4];
  const double ys[6] = { 1.0, -2.0, 0.0, 4.0, 8.0, 16.0 };
  guint got;

  for (int i = 0; i < 6; i++)
    {
      p[i].x[AN_CHART_X_STEP] = i;
      p[i].x[AN_CHART_X_EPOCH] = i * 0.5;
      p[i].x[AN_CHART_X_TIME] = i * i;
      p[i].x[AN_CHART_X_CLOCK] = 5000.0 + i * i;
      p[i].y = ys[i];
    }
  /* Log axis: -2 and 0 cannot be drawn. Time axis 0..25 in 4 columns of 6.25 s:
   * x = 0,1,4 -> column 0; 9 -> 1; 16 -> 2; 25 -> 3 (the right edge belongs to the last). */
  got = an_chart_reduce (p, 6, AN_CHART_X_TIME, 0.0, 25.0, 4, TRUE, cols);
  g_assert_cmpuint (got, ==, 4);
  g_assert_cmpint (cols[0].column, ==, 0);
  g_assert_cmpuint (cols[0].count, ==, 1);
  assert_close (cols[0].y_min, 1.0, TOL);
  g_assert_cmpint (cols[1].column, ==, 1);
  assert_close (cols[1].y_max, 4.0, TOL);
  g_assert_cmpint (cols[3].column, ==, 3);
  assert_close (cols[3].y_last, 16.0, TOL);

  /* Linear axis over a window that excludes the ends: epochs 0.5..2.0 -> points 1..4. */
  got = an_chart_reduce (p, 6, AN_CHART_X_EPOCH, 0.5, 2.0, 1, FALSE, cols);
  g_assert_cmpuint (got, ==, 1);
  g_assert_cmpuint (cols[0].count, ==, 4);
  assert_close (cols[0].y_min, -2.0, TOL);
  assert_close (cols[0].y_max, 8.0, TOL);
  assert_close (cols[0].y_first, -2.0, TOL);
  assert_close (cols[0].y_last, 8.0, TOL);

  g_assert_cmpuint (an_chart_reduce (p, 0, AN_CHART_X_STEP, 0, 1, 4, FALSE, cols), ==, 0);
}

static void
test_nearest (void)
{
  const gsize n = 5000;
  g_autofree AnChartPoint *p = make_points (n);
  GRand *rand = g_rand_new_with_seed (7);

  for (gsize i = 0; i < n; i += 3)
    p[i].y = NAN;
  for (int trial = 0; trial < 2000; trial++)
    {
      AnChartXMode mode = trial % AN_CHART_X_N_MODES;
      double x = g_rand_double_range (rand, -10.0, p[n - 1].x[mode] + 10.0);
      gssize got = an_chart_nearest (p, n, mode, x);
      double best = INFINITY;

      for (gsize i = 0; i < n; i++)
        if (isfinite (p[i].y))
          best = MIN (best, fabs (p[i].x[mode] - x));
      g_assert_cmpint (got, >=, 0);
      g_assert_true (isfinite (p[got].y));
      assert_close (fabs (p[got].x[mode] - x), best, TOL);
    }
  g_rand_free (rand);
}

static void
test_smooth (void)
{
  const double in[4] = { 1.0, 3.0, NAN, 5.0 };
  double out[4];

  /* weight 0.5 by hand: a1 = 0.5 -> 0.5/0.5 = 1; a2 = 0.25 + 1.5 = 1.75 -> 1.75/0.75;
   * a3 = 0.875 + 2.5 = 3.375 -> 3.375/0.875. */
  an_chart_smooth (in, out, 4, 0.5);
  assert_close (out[0], 1.0, TOL);
  assert_close (out[1], 1.75 / 0.75, TOL);
  g_assert_true (isnan (out[2]));
  assert_close (out[3], 3.375 / 0.875, TOL);

  an_chart_smooth (in, out, 4, 0.0);
  assert_close (out[1], 3.0, TOL);
  assert_close (out[3], 5.0, TOL);
}

/* A loss curve's start at the slider's usual weight, 0.9. By hand, a_t = 0.9 a_(t-1) + 0.1 y_t
 * from a_0 = 0, shown as a_t / (1 - 0.9^t):
 *   t=1: a = 0.23                     -> 0.23 / 0.1     = 2.3 (the raw value itself)
 *   t=2: a = 0.207 + 0.22 = 0.427     -> 0.427 / 0.19   = 2.2473684210526316
 *   t=3: a = 0.3843 + 0.2 = 0.5843    -> 0.5843 / 0.271 = 2.1560885608856088
 * The same as the weighted means (0.9 * 2.3 + 2.2) / 1.9 and
 * (0.81 * 2.3 + 0.9 * 2.2 + 2.0) / 2.71. Without the division the curve would start at 0.23,
 * an order of magnitude away from the raw 2.3. */
static void
test_smooth_debiased (void)
{
  const double in[3] = { 2.3, 2.2, 2.0 };
  const double want[3] = { 2.3, 0.427 / 0.19, 0.5843 / 0.271 };
  double out[3];
  AnChartEma ema;

  an_chart_smooth (in, out, 3, 0.9);
  an_chart_ema_reset (&ema);
  for (int i = 0; i < 3; i++)
    {
      double pushed = an_chart_ema_push (&ema, in[i], 0.9);

      g_test_message ("t=%d: raw %g, smoothed %.17g (want %.17g, error %.3g)", i + 1, in[i],
                      out[i], want[i], fabs (out[i] - want[i]));
      assert_close (out[i], want[i], TOL);
      /* the incremental form the chart uses gives the same numbers */
      assert_close (pushed, want[i], TOL);
    }
  assert_close (want[1], (0.9 * 2.3 + 2.2) / 1.9, TOL);
  assert_close (want[2], (0.81 * 2.3 + 0.9 * 2.2 + 2.0) / 2.71, TOL);

  /* heavy smoothing still starts on the first value */
  an_chart_smooth (in, out, 1, 0.99);
  assert_close (out[0], 2.3, 1e-9);
  g_test_message ("weight 0.99: first smoothed value %.17g (raw 2.3)", out[0]);

  /* a non-finite value is skipped: t does not advance, so the next value divides by
   * 1 - 0.9^2, as if the gap were not there */
  an_chart_ema_reset (&ema);
  assert_close (an_chart_ema_push (&ema, 2.3, 0.9), 2.3, TOL);
  g_assert_true (isnan (an_chart_ema_push (&ema, INFINITY, 0.9)));
  assert_close (an_chart_ema_push (&ema, 2.2, 0.9), 0.427 / 0.19, TOL);
}

static void
check_linear_ticks (double lo, double hi, guint max, double want_step, guint want_n,
                    double want_first)
{
  double ticks[32], step = 0.0;
  guint n = an_chart_ticks_linear (lo, hi, max, ticks, &step);

  g_test_message ("ticks [%g, %g] max %u: %u ticks, step %g", lo, hi, max, n, step);
  assert_close (step, want_step, TOL);
  g_assert_cmpuint (n, ==, want_n);
  g_assert_cmpuint (n, <=, max);
  assert_close (ticks[0], want_first, TOL);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpfloat (ticks[i], >=, lo - 1e-9);
      g_assert_cmpfloat (ticks[i], <=, hi + 1e-9);
      assert_close (ticks[i] / step, round (ticks[i] / step), 1e-9);
      if (i > 0)
        assert_close (ticks[i] - ticks[i - 1], step, 1e-9);
    }
}

static void
test_ticks (void)
{
  double ticks[32];
  double lo, hi;
  guint n;

  check_linear_ticks (0.0, 1.0, 6, 0.2, 6, 0.0);
  check_linear_ticks (0.13, 2.71, 5, 1.0, 2, 1.0);
  check_linear_ticks (-3.2, 7.9, 8, 2.0, 5, -2.0);
  check_linear_ticks (0.0, 1e6, 6, 2e5, 6, 0.0);

  /* Four decades, 15 fine ticks would exceed 10: powers only. */
  n = an_chart_ticks_log (1e-4, 1.0, 10, ticks);
  g_assert_cmpuint (n, ==, 5);
  for (guint i = 0; i < n; i++)
    assert_close (ticks[i], pow (10.0, -4.0 + i), 1e-12);

  /* [0.02, 3] with room for 1-2-5: 0.02 0.05 0.1 0.2 0.5 1 2. */
  n = an_chart_ticks_log (0.02, 3.0, 12, ticks);
  g_assert_cmpuint (n, ==, 7);
  assert_close (ticks[0], 0.02, 1e-12);
  assert_close (ticks[6], 2.0, 1e-12);

  lo = 0.13, hi = 2.71;
  an_chart_nice_range (&lo, &hi, FALSE);
  assert_close (lo, 0.0, TOL);
  assert_close (hi, 3.0, TOL);
  lo = 0.02, hi = 3.0;
  an_chart_nice_range (&lo, &hi, TRUE);
  assert_close (lo, 0.02, 1e-12);
  assert_close (hi, 3.0, 1e-12);
  lo = hi = 5.0;
  an_chart_nice_range (&lo, &hi, FALSE);
  g_assert_cmpfloat (lo, <, 5.0);
  g_assert_cmpfloat (hi, >, 5.0);
}

/* A log axis for a loss in 0.6-2.7 spans 0.6-3, not the decades 0.1-10 (which left half the
 * plot empty), and its ticks are readable values inside that range. */
static void
test_log_axis_fits_data (void)
{
  double ticks[16];
  double lo = 0.61, hi = 2.7;
  guint n;

  an_chart_nice_range (&lo, &hi, TRUE);
  assert_close (lo, 0.6, 1e-12);
  assert_close (hi, 3.0, 1e-12);
  /* the data fill most of the axis: log10 (2.7 / 0.61) of log10 (hi / lo) */
  g_assert_cmpfloat (log10 (2.7 / 0.61) / log10 (hi / lo), >, 0.9);

  n = an_chart_ticks_log (lo, hi, 8, ticks);
  g_assert_cmpuint (n, >=, 4);
  g_assert_cmpuint (n, <=, 8);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpfloat (ticks[i], >=, lo * (1 - 1e-9));
      g_assert_cmpfloat (ticks[i], <=, hi * (1 + 1e-9));
      if (i > 0)
        g_assert_cmpfloat (ticks[i], >, ticks[i - 1]);
    }
  /* 0.6 0.8 1 1.5 2 3: the 1-2-5 set gives only 1 and 2 here. */
  g_assert_cmpuint (n, ==, 6);
  assert_close (ticks[0], 0.6, 1e-12);
  assert_close (ticks[5], 3.0, 1e-12);

  /* A flat positive series still gets a range around it. */
  lo = hi = 0.5;
  an_chart_nice_range (&lo, &hi, TRUE);
  g_assert_cmpfloat (lo, <, 0.5);
  g_assert_cmpfloat (hi, >, 0.5);
  /* Very narrow: linear ticks, at least two, inside. */
  n = an_chart_ticks_log (1.01, 1.09, 6, ticks);
  g_assert_cmpuint (n, >=, 2);
  for (guint i = 0; i < n; i++)
    g_assert_true (ticks[i] >= 1.01 - 1e-12 && ticks[i] <= 1.09 + 1e-12);
  /* Twenty decades, at most 6 ticks: every fourth power. */
  n = an_chart_ticks_log (1e-10, 1e10, 6, ticks);
  g_assert_cmpuint (n, <=, 6);
  g_assert_cmpuint (n, >=, 4);
}

static void
test_time_ticks (void)
{
  double ticks[16];
  double step;
  guint n;
  g_autofree char *label = NULL;

  /* 0-200 s with at most 6 ticks: every minute (the 1-2-5 rule would say 50 s = "0:50"). */
  n = an_chart_ticks_time (0.0, 200.0, 0.0, 6, ticks, &step);
  assert_close (step, 60.0, TOL);
  g_assert_cmpuint (n, ==, 4);
  assert_close (ticks[3], 180.0, TOL);
  /* Clock ticks on local quarter hours: with a +1 h 30 min offset, 10:15 UTC is 11:45 local. */
  n = an_chart_ticks_time (36000.0, 39600.0, 5400.0, 5, ticks, &step);
  assert_close (step, 900.0, TOL);
  for (guint i = 0; i < n; i++)
    assert_close (fmod (ticks[i] + 5400.0, 900.0), 0.0, TOL);
  g_assert_cmpuint (n, ==, 5);

  /* TZ=UTC is set in main () */
  label = an_chart_format_clock (1700000000.0 + 30.0, 900.0);
  g_assert_cmpstr (label, ==, "22:13");
  g_free (label);
  label = an_chart_format_clock (1700000000.0 + 30.0, 15.0);
  g_assert_cmpstr (label, ==, "22:13:50");
}

/* The title and the legend sit above the plot, the entries never overlap the title, each
 * other or the plot, and wrap when the width runs out. */
static void
test_layout (void)
{
  const double item_w[5] = { 120, 90, 150, 110, 100 };
  AnChartRect title, items[5], plot;
  guint shown;

  for (double width = 220; width <= 1200; width += 37)
    {
      shown = an_chart_layout (width, 400, 60, 18, item_w, 5, 16, 50, 30, &title, items, &plot);
      g_assert_cmpuint (shown, ==, 5);
      g_assert_cmpfloat (plot.y, >=, title.y + title.height);
      g_assert_cmpfloat (plot.x + plot.width, <=, width);
      g_assert_cmpfloat (plot.y + plot.height, <=, 400 - 30 + 1e-9);
      for (guint i = 0; i < shown; i++)
        {
          const AnChartRect *a = &items[i];

          g_assert_cmpfloat (a->x, >=, 0);
          g_assert_cmpfloat (a->x + a->width, <=, width);
          /* above the plot */
          g_assert_cmpfloat (a->y + a->height, <=, plot.y);
          /* not on the title */
          g_assert_false (a->x < title.x + title.width && a->x + a->width > title.x
                          && a->y < title.y + title.height && a->y + a->height > title.y);
          for (guint k = 0; k < i; k++)
            {
              const AnChartRect *b = &items[k];

              g_assert_false (a->x < b->x + b->width && a->x + a->width > b->x
                              && a->y < b->y + b->height && a->y + a->height > b->y);
            }
        }
    }
  /* Wide: one line. Narrow: several. */
  an_chart_layout (1200, 400, 60, 18, item_w, 5, 16, 50, 30, &title, items, &plot);
  assert_close (items[4].y, items[0].y, TOL);
  an_chart_layout (300, 400, 60, 18, item_w, 5, 16, 50, 30, &title, items, &plot);
  g_assert_cmpfloat (items[4].y, >, items[0].y);
  /* Too short for the whole legend: the plot keeps at least a third, the rest is not shown. */
  shown = an_chart_layout (230, 150, 60, 18, item_w, 5, 16, 50, 30, &title, items, &plot);
  g_assert_cmpuint (shown, <, 5);
  g_assert_cmpfloat (plot.height, >=, 150 / 3.0 - 1e-9);
  g_assert_cmpfloat (items[4].width, ==, 0);
}

/* Data at the range's edges (accuracy 1.0, a lone point) lie AN_CHART_INSET inside the frame,
 * room for a 3 px dot. */
static void
test_frame_inset (void)
{
  AnChartFrame f = { 0.0, 10.0, 0.0, 1.0, { 50, 30, 400, 200 }, FALSE };

  assert_close (an_chart_frame_px_y (&f, 1.0), 30 + AN_CHART_INSET, TOL);
  assert_close (an_chart_frame_px_y (&f, 0.0), 230 - AN_CHART_INSET, TOL);
  assert_close (an_chart_frame_px_x (&f, 10.0), 450 - AN_CHART_INSET, TOL);
  assert_close (an_chart_frame_x_at (&f, an_chart_frame_px_x (&f, 3.7)), 3.7, 1e-9);
  g_assert_cmpfloat (AN_CHART_INSET, >=, 4.0);
  f.log_y = TRUE;
  f.y0 = 0.1;
  f.y1 = 10.0;
  assert_close (an_chart_frame_px_y (&f, 1.0), 30 + 100, 1e-9);
}

/* Labels of neighbouring markers: none crosses another marker's line or another label on its
 * row; one near the right edge turns left. */
static void
test_place_labels (void)
{
  const double x[5] = { 420, 100, 200, 300, 590 };
  const double w[5] = { 100, 80, 80, 0, 150 };
  int row[5];
  double lx[5];
  guint placed = an_chart_place_labels (x, w, 5, 50, 600, 3, row, lx);

  g_assert_cmpuint (placed, ==, 4);
  g_assert_cmpint (row[3], ==, -1);
  for (guint i = 0; i < 5; i++)
    {
      if (row[i] < 0)
        continue;
      g_assert_cmpfloat (lx[i], >=, 50);
      g_assert_cmpfloat (lx[i] + w[i], <=, 600);
      for (guint k = 0; k < 5; k++)
        {
          if (k == i)
            continue;
          /* no other marker's line inside this label */
          g_assert_false (x[k] >= lx[i] && x[k] <= lx[i] + w[i]);
          if (row[k] == row[i])
            g_assert_false (lx[i] < lx[k] + w[k] && lx[i] + w[i] > lx[k]);
        }
    }
  /* the one at 590 goes left of its line, onto the second row: the first holds the label of
   * the change at 420 where it would stand */
  g_assert_cmpfloat (lx[4] + w[4], <=, 590);
  g_assert_cmpint (row[4], ==, 1);
  g_assert_cmpint (row[0], ==, 0);
  /* one row only: the one that cannot fit is dropped, not overlapped */
  placed = an_chart_place_labels (x, w, 5, 50, 600, 1, row, lx);
  g_assert_cmpuint (placed, <, 4);
}

/* How much of a curve a label's plate covers: lengths worked out by hand for a horizontal,
 * a vertical and a diagonal segment, one outside, a two-segment polyline and a lone point. */
static void
test_polyline_length_in (void)
{
  const AnChartRect r = { 10, 0, 20, 10 }; /* x 10..30, y 0..10 */
  const double hx[2] = { 0, 100 }, hy[2] = { 5, 5 };
  const double vx[2] = { 15, 15 }, vy[2] = { -50, 50 };
  const double ox[2] = { 0, 100 }, oy[2] = { 20, 30 };
  const double dx[2] = { 0, 100 }, dy[2] = { -10, 90 }; /* y = x - 10: inside for x in 10..20 */
  const double px[3] = { 0, 20, 20 }, py[3] = { 5, 5, 100 }; /* 10 along, then 5 down */
  const double lx[1] = { 12 }, ly[1] = { 3 };

  g_assert_cmpfloat_with_epsilon (an_chart_polyline_length_in (hx, hy, 2, &r), 20.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (an_chart_polyline_length_in (vx, vy, 2, &r), 10.0, 1e-9);
  g_assert_cmpfloat (an_chart_polyline_length_in (ox, oy, 2, &r), ==, 0.0);
  g_assert_cmpfloat_with_epsilon (an_chart_polyline_length_in (dx, dy, 2, &r), 10.0 * sqrt (2.0),
                                  1e-9);
  g_assert_cmpfloat_with_epsilon (an_chart_polyline_length_in (px, py, 3, &r), 15.0, 1e-9);
  g_assert_cmpfloat (an_chart_polyline_length_in (lx, ly, 1, &r), >, 0.0);
  g_assert_cmpfloat (an_chart_polyline_length_in (ox, oy, 1, &r), ==, 0.0);
}

static void
test_format (void)
{
  struct { double v, step; const char *want; } cases[] = {
    { 0.25, 0.05, "0.25" }, { 3.0, 1.0, "3" }, { 1e-17, 0.2, "0.0" }, { 2.5e-4, 1e-4, "0.00025" },
    { 400000.0, 200000.0, "400000" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = an_chart_format_value (cases[i].v, cases[i].step);
      g_assert_cmpstr (s, ==, cases[i].want);
    }
  {
    g_autofree char *a = an_chart_format_time (185.0);
    g_autofree char *b = an_chart_format_time (3725.2);
    g_assert_cmpstr (a, ==, "3:05");
    g_assert_cmpstr (b, ==, "1:02:05");
  }
}

static void
test_csv (void)
{
  AnChartSeriesData a, b;
  const AnChartSeriesData *list[2] = { &a, &b };
  const char *names[2] = { "train loss", "val \"loss\"" };
  const int runs[2] = { 1, 2 };
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  an_chart_series_data_init (&a);
  an_chart_series_data_init (&b);
  an_chart_series_data_append (&a, 1, 0.5, 1.25, 1e9, 2.5);
  an_chart_series_data_append (&b, 10, 1, 20, NAN, 0.125);
  g_assert_true (an_chart_write_csv (out, list, names, runs, 2, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
  g_assert_cmpstr (text, ==,
                   "run,series,step,epoch,seconds,value\n"
                   "1,\"train loss\",1,0.5,1.25,2.5\n"
                   "2,\"val \"\"loss\"\"\",10,1,20,0.125\n");
  an_chart_series_data_clear (&a);
  an_chart_series_data_clear (&b);
}

static void
test_tiles (void)
{
  const float grey[12] = { 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4 };
  /* Chromatic only: R = +1, G = -1, B = 0 everywhere, grey = 0 -> all energy is colour. */
  const float chroma[3] = { 1.0f, -1.0f, 0.0f };
  const float values[7] = { 0.0f, 0.1f, 0.5f, 0.99f, 1.0f, NAN, -5.0f };
  guint counts[4];

  assert_close (an_tiles_colourfulness (grey, 1, 3, 2, 2), 0.0, TOL);
  assert_close (an_tiles_colourfulness (chroma, 1, 3, 1, 1), 1.0, TOL);
  g_assert_true (isnan (an_tiles_colourfulness (grey, 1, 1, 2, 2)));

  an_tiles_histogram (values, 7, 0.0, 1.0, 4, counts);
  g_assert_cmpuint (counts[0], ==, 3); /* 0, 0.1 and -5 clamped */
  g_assert_cmpuint (counts[1], ==, 0);
  g_assert_cmpuint (counts[2], ==, 1);
  g_assert_cmpuint (counts[3], ==, 2); /* 0.99 and 1.0 clamped */

  g_assert_cmphex (an_tiles_colormap (AN_COLORMAP_GREY, 1.0), ==, 0xffffffffu);
  g_assert_cmphex (an_tiles_colormap (AN_COLORMAP_DIVERGING, 0.5), ==, 0xffffffffu);
  g_assert_cmphex (an_tiles_colormap (AN_COLORMAP_VIRIDIS, 1.0), ==, 0xfffde725u);
}

int
main (int argc, char **argv)
{
  /* clock labels are local time: fix the zone */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chart-data/reduce-million", test_reduce_million);
  g_test_add_func ("/chart-data/reduce-log-and-modes", test_reduce_log_and_modes);
  g_test_add_func ("/chart-data/nearest", test_nearest);
  g_test_add_func ("/chart-data/smooth", test_smooth);
  g_test_add_func ("/chart-data/smooth-debiased", test_smooth_debiased);
  g_test_add_func ("/chart-data/ticks", test_ticks);
  g_test_add_func ("/chart-data/log-axis-fits-data", test_log_axis_fits_data);
  g_test_add_func ("/chart-data/time-ticks", test_time_ticks);
  g_test_add_func ("/chart-data/layout", test_layout);
  g_test_add_func ("/chart-data/frame-inset", test_frame_inset);
  g_test_add_func ("/chart-data/place-labels", test_place_labels);
  g_test_add_func ("/chart-data/polyline-length-in", test_polyline_length_in);
  g_test_add_func ("/chart-data/format", test_format);
  g_test_add_func ("/chart-data/csv", test_csv);
  g_test_add_func ("/tiles/convert", test_tiles);
  return g_test_run ();
}
