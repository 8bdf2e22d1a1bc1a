/* an-confusion-view.h: a confusion matrix drawn as a heat map (rows = true class). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define AN_TYPE_CONFUSION_VIEW (an_confusion_view_get_type ())
G_DECLARE_FINAL_TYPE (AnConfusionView, an_confusion_view, AN, CONFUSION_VIEW, GtkWidget)

GtkWidget *an_confusion_view_new (void);
/* counts: n x n, row = truth; names: n class names or NULL (numbers are shown). Copied. */
void an_confusion_view_set (AnConfusionView *self, int n, const gint64 *counts,
                            const char *const *names);
int an_confusion_view_get_n_classes (AnConfusionView *self);
/* What column j (a predicted class) is labelled with: its class name, else its number. */
const char *an_confusion_view_get_column_label (AnConfusionView *self, int j);
/* Fraction on the diagonal (NAN when empty). */
double an_confusion_view_get_accuracy (AnConfusionView *self);

G_END_DECLS
