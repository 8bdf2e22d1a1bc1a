#define G_LOG_DOMAIN "test-chart"
#include "config.h"

/* test-chart.c: the Training page's charts under a display, fed with three runs of made-up
 * records (no training: the records are what the trainer would send): the charts share one x
 * range, the log loss axis fits the data, every run is kept, named and listed in the run
 * selector whose check buttons hide and show it, the wall-clock axis, the markers' kinds, an
 * empty chart's title, and screenshots of the page at 1366x768 and 1920x1080 in the build
 * directory (screenshot-charts-WxH.png). Exits 77 (skip) without a display.
 */

#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "an-chart.h"
#include "an-run-selector.h"
#include "an-tile-grid.h"
#include "an-training-page.h"
#include "an-window.h"

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
spin (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint id = g_timeout_add (10, wake, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static char *
build_path (const char *name)
{
  const char *dir = g_getenv ("AN_BUILD_DIR");

  return g_build_filename (dir ? dir : ".", "tests", "ui", name, NULL);
}

static AnTrainingPage *
find_training_page (GtkWidget *w)
{
  if (AN_IS_TRAINING_PAGE (w))
    return AN_TRAINING_PAGE (w);
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    {
      AnTrainingPage *p = find_training_page (c);
      if (p != NULL)
        return p;
    }
  return NULL;
}

static AnTrainer *
make_trainer (const char *model, int batch, double lr)
{
  AnRunConfig cfg;
  g_autoptr (GError) error = NULL;
  AnTrainer *t;

  an_run_config_init (&cfg);
  g_free (cfg.model);
  cfg.model = g_strdup (model);
  g_free (cfg.data);
  cfg.data = g_strdup ("fashion-mnist");
  cfg.batch = batch;
  cfg.lr = lr;
  cfg.epochs = 3;
  t = an_trainer_new (&cfg, &error);
  g_assert_no_error (error);
  an_run_config_clear (&cfg);
  return t;
}

/* One made-up run: `steps` steps of 31 per epoch, the loss falling from about 2.7 to
 * `final_loss`, the cosine schedule's per-epoch rate steps, a change by hand at step 40
 * (by_hand). */
static void
feed_run (AnTrainingPage *page, gint64 steps, double lr, double final_loss, guint32 seed,
          gboolean by_hand)
{
  const int per_epoch = 31;
  g_autoptr (GArray) records = g_array_new (FALSE, TRUE, sizeof (AnStepRecord));
  GRand *rand = g_rand_new_with_seed (seed);
  double rate = lr;

  for (gint64 s = 1; s <= steps; s++)
    {
      double t = (double) s / 94.0;
      AnStepRecord r = { 0 };

      r.step = s;
      r.epoch = (int) ((s - 1) / per_epoch) + 1;
      r.epoch_frac = (double) s / per_epoch;
      r.loss = final_loss + (2.7 - final_loss) * exp (-3.0 * t)
                              * (1.0 + 0.15 * g_rand_double_range (rand, -1, 1));
      r.lr = rate;
      r.images_per_second = 180.0 + 40.0 * g_rand_double_range (rand, -1, 1);
      r.grad_norm = 1.5 * exp (-t) + 0.3 * g_rand_double (rand);
      r.wall_seconds = s * 0.35;
      g_array_append_val (records, r);
      if (s == 40 && by_hand)
        {
          AnHyperChange c = { .step = s + 1, .key = AN_LIVE_LR, .old_value = rate,
                              .new_value = rate / 2, .epoch_frac = r.epoch_frac,
                              .wall_seconds = r.wall_seconds };

          an_training_page_add_steps (page, records);
          g_array_set_size (records, 0);
          an_training_page_add_change (page, &c);
          rate /= 2;
        }
      if (s % per_epoch == 0)
        {
          AnEpochRecord e = { 0 };
          AnHyperChange c = { .step = s + 1, .key = AN_LIVE_LR, .old_value = rate,
                              .new_value = rate * 0.7, .by_schedule = TRUE,
                              .epoch_frac = r.epoch_frac, .wall_seconds = r.wall_seconds };

          an_training_page_add_steps (page, records);
          g_array_set_size (records, 0);
          e.epoch = r.epoch;
          e.step = s;
          e.train_loss = r.loss;
          e.val_loss = r.loss * 1.1;
          e.train_acc = 0.55 + 0.12 * r.epoch;
          e.val_acc = 0.5 + 0.11 * r.epoch;
          e.val_top5 = r.epoch >= 2 ? 1.0 : 0.97; /* top-5 of ten classes reaches 1.0 */
          e.best_epoch = r.epoch;
          e.wall_seconds = r.wall_seconds;
          an_training_page_add_epoch (page, &e);
          if (s < steps)
            {
              an_training_page_add_change (page, &c);
              rate *= 0.7;
            }
        }
    }
  an_training_page_add_steps (page, records);
  g_rand_free (rand);
}

static void
save_screenshot (GtkWidget *win, const char *name)
{
  g_autofree char *path = build_path (name);
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (win);
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  int w = 0, h = 0;

  /* the window draws once it has been laid out at its size: wait for a frame with content */
  for (int tries = 0; node == NULL && tries < 20; tries++)
    {
      spin (0.3);
      w = gtk_widget_get_width (win);
      h = gtk_widget_get_height (win);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), w, h);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      snapshot = gtk_snapshot_new ();
    }
  g_test_message ("window %dx%d", w, h);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (win)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot %s (%dx%d)", path, w, h);
}

static AnWindow *
window_with_runs (int width, int height, AnTrainingPage **page_out)
{
  AnWindow *win = an_window_new (NULL);
  AnTrainingPage *page;
  const struct { const char *model; int batch; double lr; gint64 steps; double loss; } runs[] = {
    { "alexnet-tiny", 64, 0.01, 94, 0.62 },
    { "alexnet-tiny", 128, 0.02, 63, 0.75 },
    { "alexnet-small", 64, 0.01, 50, 0.9 },
  };

  gtk_window_set_default_size (GTK_WINDOW (win), width, height);
  gtk_window_present (GTK_WINDOW (win));
  an_window_show_page (win, "training");
  page = find_training_page (GTK_WIDGET (win));
  g_assert_nonnull (page);
  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autoptr (AnTrainer) t = make_trainer (runs[i].model, runs[i].batch, runs[i].lr);

      an_training_page_set_trainer (page, t);
      an_training_page_set_state (page, AN_TRAINER_RUNNING);
      /* one change by hand, in the last run: one toast (libadwaita 1.2 can crash when
       * queued toasts are dismissed) */
      feed_run (page, runs[i].steps, runs[i].lr, runs[i].loss, 11 + i,
                i + 1 == G_N_ELEMENTS (runs));
      if (i + 1 < G_N_ELEMENTS (runs))
        an_training_page_set_state (page, AN_TRAINER_FINISHED);
    }
  spin (0.5);
  an_window_dismiss_toasts (win);
  spin (1.0);
  *page_out = page;
  return win;
}

static void
test_charts (void)
{
  AnTrainingPage *page;
  AnWindow *win = window_with_runs (1366, 768, &page);
  AnChart *loss = an_training_page_get_chart (page, "loss");
  AnChart *acc = an_training_page_get_chart (page, "accuracy");
  AnChart *lr = an_training_page_get_chart (page, "lr");
  AnRunSelector *selector = an_training_page_get_run_selector (page);
  double a0, a1, b0, b1, y0, y1;
  guint n_change = 0, n_schedule = 0;

  /* Every run kept and named: preset, rate, batch, time. */
  g_assert_cmpuint (an_chart_get_n_runs (loss), ==, 3);
  g_assert_cmpuint (an_chart_get_n_runs (acc), ==, 3);
  g_assert_true (g_str_has_prefix (an_chart_get_run_name (loss, 0),
                                   "1: alexnet-tiny · lr 0.01 · batch 64 · "));
  g_assert_true (g_str_has_prefix (an_chart_get_run_name (loss, 1),
                                   "2: alexnet-tiny · lr 0.02 · batch 128 · "));
  g_assert_true (g_str_has_prefix (an_chart_get_run_name (acc, 2), "3: alexnet-small"));

  /* One x range: the accuracy's last point is at step 31 (one epoch), the loss's at 50, the
   * first run's at 94; all four charts span 0-94. */
  g_assert_true (an_chart_get_x_range (loss, &a0, &a1));
  g_assert_true (an_chart_get_x_range (acc, &b0, &b1));
  g_assert_cmpfloat (a0, ==, b0);
  g_assert_cmpfloat (a1, ==, b1);
  g_assert_cmpfloat (a1, ==, 94.0);

  /* Hiding the first run (its check button, as a user would) hides it on every chart; the
   * shared range shrinks to the second run's 63 steps. */
  g_assert_nonnull (an_run_selector_get_check (selector, 2));
  g_assert_null (an_run_selector_get_check (selector, 3));
  gtk_check_button_set_active (an_run_selector_get_check (selector, 0), FALSE);
  g_assert_false (an_chart_get_run_visible (loss, 0));
  g_assert_false (an_chart_get_run_visible (lr, 0));
  g_assert_true (an_chart_get_run_visible (loss, 1));
  g_assert_true (an_chart_get_x_range (acc, &b0, &b1));
  g_assert_cmpfloat (b1, ==, 63.0);
  gtk_check_button_set_active (an_run_selector_get_check (selector, 0), TRUE);
  g_assert_true (an_chart_get_run_visible (acc, 0));

  /* The log loss axis holds the data (0.6-2.9 here), not the decades 0.1-10. */
  an_chart_set_log_y (loss, TRUE);
  g_assert_true (an_chart_get_y_range (loss, &y0, &y1));
  g_test_message ("log loss axis %g-%g", y0, y1);
  g_assert_cmpfloat (y0, >=, 0.4);
  g_assert_cmpfloat (y1, <=, 4.0);

  /* Markers of the current run: the change by hand and the schedule's steps, told apart. */
  for (guint i = 0; i < an_chart_get_n_markers (lr); i++)
    {
      AnChartMarkerKind kind;
      double x[AN_CHART_X_N_MODES];

      an_chart_get_marker (lr, i, &kind, x);
      if (kind == AN_CHART_MARKER_CHANGE)
        {
          n_change++;
          /* where the change took effect: the boundary after step 40 */
          g_assert_cmpfloat (x[AN_CHART_X_STEP], ==, 41.0);
          g_assert_cmpfloat (fabs (x[AN_CHART_X_EPOCH] - 40.0 / 31.0), <, 1e-12);
          g_assert_cmpfloat (fabs (x[AN_CHART_X_TIME] - 40 * 0.35), <, 1e-12);
        }
      else if (kind == AN_CHART_MARKER_SCHEDULE)
        n_schedule++;
    }
  g_assert_cmpuint (n_change, ==, 1);
  g_assert_cmpuint (n_schedule, ==, 1); /* after epoch 1 of the current run's 50 steps */

  /* The wall-clock axis: the points' times of day, around now. */
  an_chart_set_x_mode (loss, AN_CHART_X_CLOCK);
  g_assert_true (an_chart_get_x_range (loss, &a0, &a1));
  g_assert_cmpfloat (fabs (a1 - g_get_real_time () / 1e6), <, 3600.0);
  {
    g_autofree char *png = build_path ("chart-loss-clock.png");
    g_autoptr (GError) error = NULL;

    g_assert_true (an_chart_export_png (loss, png, 800, 300, &error));
    g_assert_no_error (error);
  }
  an_chart_set_x_mode (loss, AN_CHART_X_STEP);

  /* an exported chart carries the runs' legend itself */
  {
    g_autofree char *png = build_path ("chart-loss-runs.png");
    g_autoptr (GError) error = NULL;

    g_assert_true (an_chart_export_png (loss, png, 800, 450, &error));
    g_assert_no_error (error);
    /* and a short one, as the Training page's smallest */
    g_free (png);
    png = build_path ("chart-accuracy-small.png");
    g_assert_true (an_chart_export_png (acc, png, 380, 140, &error));
    g_assert_no_error (error);
  }
  save_screenshot (GTK_WIDGET (win), "screenshot-charts-1366x768.png");
  gtk_window_destroy (GTK_WINDOW (win));

  win = window_with_runs (1920, 1080, &page);
  save_screenshot (GTK_WIDGET (win), "screenshot-charts-1920x1080.png");
  gtk_window_destroy (GTK_WINDOW (win));
}

/* The pixels of an exported chart's title area: an empty chart still draws its title. */
static void
test_empty_title (void)
{
  GtkWidget *win = gtk_window_new ();
  AnChart *chart = AN_CHART (an_chart_new ("Accuracy"));
  g_autofree char *path = build_path ("chart-empty.png");
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) tex = NULL;
  g_autofree guchar *px = NULL;
  int w = 300, h = 200, dark = 0, light = 0;

  an_chart_add_series (chart, "Training accuracy", "blue_4", AN_CHART_STYLE_DOTS);
  gtk_window_set_child (GTK_WINDOW (win), GTK_WIDGET (chart));
  gtk_window_present (GTK_WINDOW (win));
  spin (0.2);
  g_assert_true (an_chart_export_png (chart, path, w, h, &error));
  g_assert_no_error (error);
  tex = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  px = g_malloc ((gsize) w * h * 4);
  gdk_texture_download (tex, px, w * 4);
  /* the title's corner (top left, 100 x 22): some pixels far from the background */
  for (int y = 0; y < 22; y++)
    for (int x = 0; x < 100; x++)
      {
        const guchar *p = px + (gsize) y * w * 4 + x * 4;
        int bg = px[(gsize) (h - 2) * w * 4 + (w - 2) * 4 + 1];

        if (abs (p[1] - bg) > 80)
          dark++;
        else
          light++;
      }
  g_test_message ("title area: %d pixels of ink, %d of background", dark, light);
  g_assert_cmpint (dark, >, 20);
  gtk_window_destroy (GTK_WINDOW (win));
}

/* Hovering a map names it (index, tower, its extremes); the map shown enlarged is outlined. */
static void
test_tile_tooltips (void)
{
  GtkWidget *win = gtk_window_new ();
  AnTileGrid *grid = AN_TILE_GRID (an_tile_grid_new ());
  float data[4 * 9];
  g_autofree char *text = NULL;
  g_autofree char *want = NULL;
  float lo = INFINITY, hi = -INFINITY;

  for (int i = 0; i < 4 * 9; i++)
    data[i] = (float) sin (i * 0.7) * (1 + i / 9);
  for (int i = 27; i < 36; i++)
    {
      lo = MIN (lo, data[i]);
      hi = MAX (hi, data[i]);
    }
  an_tile_grid_set_zoom (grid, 10);
  an_tile_grid_set_maps (grid, data, 4, 3, 3, -4, 4, AN_COLORMAP_VIRIDIS);
  an_tile_grid_set_towers (grid, NULL, 2);
  gtk_window_set_child (GTK_WINDOW (win), GTK_WIDGET (grid));
  gtk_window_present (GTK_WINDOW (win));
  spin (0.3);

  /* the fourth map is the second of tower B's two */
  text = an_tile_grid_describe_tile (grid, 3);
  want = g_strdup_printf ("Map 3, tower B\nmin %.4g, max %.4g", lo, hi);
  g_assert_cmpstr (text, ==, want);
  g_free (text);
  text = an_tile_grid_describe_tile (grid, 0);
  g_assert_true (g_str_has_prefix (text, "Map 0, tower A\n"));
  g_assert_null (an_tile_grid_describe_tile (grid, 4));
  /* the pointer over the first tile (10 px per map pixel) finds it; the gaps find none */
  g_assert_cmpint (an_tile_grid_tile_at (grid, 15, 15), ==, 0);
  g_assert_cmpint (an_tile_grid_tile_at (grid, 31, 5), ==, -1);
  g_assert_cmpint (an_tile_grid_tile_at (grid, 40, 5), ==, 1);

  g_assert_cmpint (an_tile_grid_get_selected (grid), ==, -1);
  an_tile_grid_set_selected (grid, 2);
  g_assert_cmpint (an_tile_grid_get_selected (grid), ==, 2);
  /* drawn: tiles of 30 px with 2 px gaps, four in a row; the third has the white inner line of
   * its frame 3 px in (no colour of the viridis map is white), the second has none */
  {
    cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 200, 100);
    cairo_t *cr = cairo_create (surface);
    const guint32 *px;
    int stride;

    an_tile_grid_draw (grid, cr, 200, 100);
    cairo_destroy (cr);
    cairo_surface_flush (surface);
    px = (const guint32 *) cairo_image_surface_get_data (surface);
    stride = cairo_image_surface_get_stride (surface) / 4;
    g_assert_cmphex (px[15 * stride + 64 + 3] & 0xffffff, ==, 0xffffff);
    g_assert_cmphex (px[15 * stride + 32 + 3] & 0xffffff, !=, 0xffffff);
    cairo_surface_destroy (surface);
  }
  gtk_window_destroy (GTK_WINDOW (win));
}

int
main (int argc, char **argv)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display\n");
      return 77;
    }
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/chart/runs-ranges-markers", test_charts);
  g_test_add_func ("/chart/empty-title", test_empty_title);
  g_test_add_func ("/tiles/tooltips", test_tile_tooltips);
  return g_test_run ();
}
