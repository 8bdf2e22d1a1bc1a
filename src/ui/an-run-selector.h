/* an-run-selector.h: a button whose popover lists the runs the charts hold, as TensorBoard's run
 * selector does: each with its line style, its name and a check button that shows or hides it
 * on every chart. */
#pragma once

#include <gtk/gtk.h>

#include "an-chart.h"

G_BEGIN_DECLS

#define AN_TYPE_RUN_SELECTOR (an_run_selector_get_type ())
G_DECLARE_FINAL_TYPE (AnRunSelector, an_run_selector, AN, RUN_SELECTOR, GtkWidget)

GtkWidget *an_run_selector_new (void);
/* A short line in the dash pattern run has among n_runs (the runs' legend). */
GtkWidget *an_run_selector_new_swatch (guint run, guint n_runs);
/* The charts whose runs it lists and toggles (they hold the same runs; the first one's are
 * listed). */
void an_run_selector_add_chart (AnRunSelector *self, AnChart *chart);
/* Lists the charts' runs again (after a new run). Signal "changed": the runs or their
 * visibility changed. */
void an_run_selector_refresh (AnRunSelector *self);
/* The check button of run i (tests toggle it as a user would), NULL when out of range. */
GtkCheckButton *an_run_selector_get_check (AnRunSelector *self, guint run);

G_END_DECLS
