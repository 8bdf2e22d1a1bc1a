#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-window-export.c: what the window can save as files: each chart as a PNG with its
 * legend, every series of every chart as one CSV, the conv1 filters and the feature maps as
 * PNGs, or all of them into a folder. The PNGs are drawn by the widgets' own drawing code,
 * so a file looks like the page. The win.export-* actions choose the file, the
 * an_window_export_* functions write it.
 */

#include <glib/gi18n.h>

#include "an-error.h"
#include "an-png.h"
#include "an-window-private.h"

#define CHART_WIDTH 1200
#define CHART_HEIGHT 800
#define GRID_GAP 16

typedef struct {
  const char *id;   /* the action's target */
  const char *file; /* its name in an exported folder */
} ChartFile;

static const ChartFile chart_files[] = {
  { "loss", "loss.png" },
  { "accuracy", "accuracy.png" },
  { "lr", "learning-rate.png" },
  { "grad", "gradient-norm.png" },
};

static AnChart *
chart_by_id (AnWindow *self, const char *id)
{
  return an_training_page_get_chart (self->training_page, id);
}

gboolean
an_window_export_chart_png (AnWindow *self, const char *chart, const char *path, GError **error)
{
  AnChart *c;

  g_return_val_if_fail (AN_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  c = chart_by_id (self, chart);
  if (c == NULL)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "no chart “%s” (loss, accuracy, lr or grad)", chart ? chart : "(null)");
      return FALSE;
    }
  return an_chart_export_png (c, path, CHART_WIDTH, CHART_HEIGHT, error);
}

gboolean
an_window_export_csv (AnWindow *self, const char *path, GError **error)
{
  AnChart *charts[4];
  g_autoptr (GFile) file = NULL;

  g_return_val_if_fail (AN_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (chart_files); i++)
    charts[i] = chart_by_id (self, chart_files[i].id);
  file = g_file_new_for_path (path);
  return an_chart_export_csv (charts, G_N_ELEMENTS (charts), file, error);
}

/* The width a grid is drawn at: the page's when it has been shown, else its natural one. */
static int
grid_export_width (AnTileGrid *grid)
{
  int width = gtk_widget_get_width (GTK_WIDGET (grid));

  if (width < 64)
    gtk_widget_measure (GTK_WIDGET (grid), GTK_ORIENTATION_HORIZONTAL, -1, NULL, &width, NULL,
                        NULL);
  return MAX (width, 64);
}

/* The grids side by side on the view background, as on their page. */
static gboolean
write_grids_png (AnTileGrid *const *grids, int n, const char *path, GError **error)
{
  int width[2] = { 0, 0 }, height[2] = { 0, 0 }, total_w = 0, total_h = 0;
  GdkRGBA bg = { 1.0, 1.0, 1.0, 1.0 };
  cairo_surface_t *surface;
  gboolean ok;
  cairo_t *cr;

  g_assert (n >= 1 && n <= 2);
  for (int i = 0; i < n; i++)
    {
      width[i] = grid_export_width (grids[i]);
      height[i] = MAX (an_tile_grid_height_for_width (grids[i], width[i]), 1);
      total_w += width[i] + (i > 0 ? GRID_GAP : 0);
      total_h = MAX (total_h, height[i]);
    }
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (grids[0])),
                                  "view_bg_color", &bg);
  G_GNUC_END_IGNORE_DEPRECATIONS

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, total_w, total_h);
  cr = cairo_create (surface);
  gdk_cairo_set_source_rgba (cr, &bg);
  cairo_paint (cr);
  for (int i = 0; i < n; i++)
    {
      an_tile_grid_draw (grids[i], cr, width[i], height[i]);
      cairo_translate (cr, width[i] + GRID_GAP, 0);
    }
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
an_window_export_filters_png (AnWindow *self, const char *path, GError **error)
{
  AnTileGrid *grids[2];
  int n;

  g_return_val_if_fail (AN_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  n = an_filters_page_get_filled_grids (self->filters_page, grids);
  if (n == 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   _("There are no filters to export yet"));
      return FALSE;
    }
  return write_grids_png (grids, n, path, error);
}

gboolean
an_window_export_maps_png (AnWindow *self, const char *path, GError **error)
{
  AnTileGrid *maps;

  g_return_val_if_fail (AN_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  maps = an_maps_page_get_maps_grid (self->maps_page);
  if (an_tile_grid_get_n_tiles (maps) == 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   _("There are no feature maps to export yet"));
      return FALSE;
    }
  return write_grids_png (&maps, 1, path, error);
}

int
an_window_export_all (AnWindow *self, const char *folder, GError **error)
{
  int written = 0;

  g_return_val_if_fail (AN_IS_WINDOW (self), -1);
  g_return_val_if_fail (folder != NULL, -1);

  for (guint i = 0; i < G_N_ELEMENTS (chart_files); i++)
    {
      g_autofree char *path = g_build_filename (folder, chart_files[i].file, NULL);

      if (!an_window_export_chart_png (self, chart_files[i].id, path, error))
        return -1;
      written++;
    }
  {
    g_autofree char *path = g_build_filename (folder, "training.csv", NULL);

    if (!an_window_export_csv (self, path, error))
      return -1;
    written++;
  }
  /* the grids only once there is something in them */
  if (an_tile_grid_get_n_tiles (an_filters_page_get_grid (self->filters_page, 0)) > 0)
    {
      g_autofree char *path = g_build_filename (folder, "filters.png", NULL);

      if (!an_window_export_filters_png (self, path, error))
        return -1;
      written++;
    }
  if (an_tile_grid_get_n_tiles (an_maps_page_get_maps_grid (self->maps_page)) > 0)
    {
      g_autofree char *path = g_build_filename (folder, "feature-maps.png", NULL);

      if (!an_window_export_maps_png (self, path, error))
        return -1;
      written++;
    }
  return written;
}

static char *
local_path (AnWindow *self, GFile *file)
{
  char *path = g_file_get_path (file);

  if (path == NULL)
    an_toast (GTK_WIDGET (self), _("The file must be on this computer"));
  return path;
}

static void
report (AnWindow *self, gboolean ok, const char *path, GError *error)
{
  if (ok)
    an_toast (GTK_WIDGET (self), _("Saved “%s”"), path);
  else
    an_toast (GTK_WIDGET (self), _("Cannot export: %s"), error->message);
}

typedef gboolean (*ExportFunc) (AnWindow *self, const char *path, GError **error);

/* A chosen file: exported with fn when it has a local path, the outcome told by a toast. */
static void
export_chosen (AnWindow *self, GFile *file, ExportFunc fn)
{
  g_autofree char *path = local_path (self, file);
  g_autoptr (GError) error = NULL;

  if (path != NULL)
    report (self, fn (self, path, &error), path, error);
}

static void
on_chart_png_chosen (AnWindow *self, GFile *file)
{
  g_autofree char *path = local_path (self, file);
  g_autoptr (GError) error = NULL;

  if (path != NULL)
    report (self, an_window_export_chart_png (self, self->export_chart, path, &error), path,
            error);
}

static void
action_export_chart_png (GtkWidget *widget, const char *name, GVariant *param)
{
  AnWindow *self = AN_WINDOW (widget);
  const char *id = g_variant_get_string (param, NULL);
  const char *title = NULL, *file = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (chart_files); i++)
    if (g_str_equal (id, chart_files[i].id))
      {
        self->export_chart = chart_files[i].id;
        file = chart_files[i].file;
      }
  if (file == NULL)
    return;
  if (g_str_equal (id, "loss"))
    title = _("Export the Loss Chart");
  else if (g_str_equal (id, "accuracy"))
    title = _("Export the Accuracy Chart");
  else if (g_str_equal (id, "lr"))
    title = _("Export the Learning Rate Chart");
  else
    title = _("Export the Gradient Norm Chart");
  an_choose_file (GTK_WIDGET (self), GTK_FILE_CHOOSER_ACTION_SAVE, title, _("_Export"), file,
                         AN_FILE_FILTER_PNG, (AnFileChosenFunc) on_chart_png_chosen,
                  self);
}

static void
on_csv_chosen (AnWindow *self, GFile *file)
{
  export_chosen (self, file, an_window_export_csv);
}

static void
action_export_csv (GtkWidget *widget, const char *name, GVariant *param)
{
  an_choose_file (widget, GTK_FILE_CHOOSER_ACTION_SAVE,
                         _("Export All Series as CSV"), _("_Export"), "training.csv",
                         AN_FILE_FILTER_CSV, (AnFileChosenFunc) on_csv_chosen,
                  widget);
}

static void
on_filters_chosen (AnWindow *self, GFile *file)
{
  export_chosen (self, file, an_window_export_filters_png);
}

static void
action_export_filters (GtkWidget *widget, const char *name, GVariant *param)
{
  an_choose_file (widget, GTK_FILE_CHOOSER_ACTION_SAVE, _("Export Filters"),
                         _("_Export"), "filters.png", AN_FILE_FILTER_PNG, (AnFileChosenFunc) on_filters_chosen,
                  widget);
}

static void
on_maps_chosen (AnWindow *self, GFile *file)
{
  export_chosen (self, file, an_window_export_maps_png);
}

static void
action_export_maps (GtkWidget *widget, const char *name, GVariant *param)
{
  an_choose_file (widget, GTK_FILE_CHOOSER_ACTION_SAVE,
                         _("Export Feature Maps"), _("_Export"), "feature-maps.png",
                         AN_FILE_FILTER_PNG, (AnFileChosenFunc) on_maps_chosen,
                  widget);
}

static void
on_folder_chosen (AnWindow *self, GFile *file)
{
  g_autofree char *path = local_path (self, file);
  g_autoptr (GError) error = NULL;
  int n;

  if (path == NULL)
    return;
  n = an_window_export_all (self, path, &error);
  if (n < 0)
    an_toast (GTK_WIDGET (self), _("Cannot export: %s"), error->message);
  else
    an_toast (GTK_WIDGET (self), ngettext ("%d file saved in “%s”", "%d files saved in “%s”", n), n,
                     path);
}

static void
action_export_all (GtkWidget *widget, const char *name, GVariant *param)
{
  an_choose_file (widget, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                         _("Export Charts, Series and Grids to a Folder"), _("_Export"), NULL,
                         AN_FILE_FILTER_NONE, (AnFileChosenFunc) on_folder_chosen,
                  widget);
}

void
an_window_export_update_actions (AnWindow *self)
{
  GtkWidget *w = GTK_WIDGET (self);
  gboolean charts = an_training_page_has_data (self->training_page);

  gtk_widget_action_set_enabled (w, "win.export-all", charts);
  gtk_widget_action_set_enabled (w, "win.export-chart-png", charts);
  gtk_widget_action_set_enabled (w, "win.export-csv", charts);
  gtk_widget_action_set_enabled (w, "win.export-filters",
                                 an_tile_grid_get_n_tiles (an_filters_page_get_grid (self->filters_page, 0)) > 0);
  gtk_widget_action_set_enabled (w, "win.export-maps",
                                 an_tile_grid_get_n_tiles (an_maps_page_get_maps_grid (self->maps_page)) > 0);
}

void
an_window_export_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export-all", NULL, action_export_all);
  gtk_widget_class_install_action (widget_class, "win.export-chart-png", "s",
                                   action_export_chart_png);
  gtk_widget_class_install_action (widget_class, "win.export-csv", NULL, action_export_csv);
  gtk_widget_class_install_action (widget_class, "win.export-filters", NULL,
                                   action_export_filters);
  gtk_widget_class_install_action (widget_class, "win.export-maps", NULL, action_export_maps);
}
