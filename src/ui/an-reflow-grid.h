/* an-reflow-grid.h: children of one size in two columns where the width allows two of at
 * least min-column-width, else in one (the Training page's charts: 2×2 on a wide window, one
 * column on a narrow one). Rows share the height given. A side widget (the live
 * hyperparameters) stands at the right, at its natural width, where there is room for it
 * and two columns, else below the grid. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define AN_TYPE_REFLOW_GRID (an_reflow_grid_get_type ())
G_DECLARE_FINAL_TYPE (AnReflowGrid, an_reflow_grid, AN, REFLOW_GRID, GtkWidget)

GtkWidget *an_reflow_grid_new (void);
void an_reflow_grid_append (AnReflowGrid *self, GtkWidget *child);
void an_reflow_grid_set_side (AnReflowGrid *self, GtkWidget *side);
/* Whether the side widget went below the grid at the last allocation. */
gboolean an_reflow_grid_get_side_below (AnReflowGrid *self);
/* The number of columns used at the last allocation (1 or 2). */
int an_reflow_grid_get_columns (AnReflowGrid *self);

G_END_DECLS
