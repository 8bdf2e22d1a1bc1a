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
  AN_CHART_MARKER_CHANGE = 0, /* a hyperparameter changed */
  AN_CHART_MARKER_BEST,       /* the best epoch so far (only one is kept) */
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
void an_chart_add_marker (AnChart *self, AnChartMarkerKind kind, double step, double epoch,
                          double wall, const char *label);
/* Keeps the current curves as a faded earlier run and starts empty ones. */
void an_chart_new_run (AnChart *self);
void an_chart_clear (AnChart *self);

guint an_chart_get_n_points (AnChart *self, guint series);
guint an_chart_get_n_markers (AnChart *self);

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
