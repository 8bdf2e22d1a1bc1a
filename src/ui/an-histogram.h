/* an-histogram.h: one or two overlaid histograms of float values (LRN before / after). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define AN_TYPE_HISTOGRAM (an_histogram_get_type ())
G_DECLARE_FINAL_TYPE (AnHistogram, an_histogram, AN, HISTOGRAM, GtkWidget)

GtkWidget *an_histogram_new (void);
/* index 0 or 1; values are copied into bins at once. NULL / 0 clears that set. Both sets share
 * one range, recomputed on each call. */
void an_histogram_set_values (AnHistogram *self, guint index, const float *values, gsize n,
                              const char *label);

G_END_DECLS
