#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-confusion-view.c: AnConfusionView colours each cell by its share of the row (the true
 * class), so per-class recall reads along the diagonal whatever the class sizes; counts are
 * printed when the cells are large enough. With 100 classes it becomes a texture.
 */

#include <glib/gi18n.h>
#include <math.h>

#include "an-confusion-view.h"
#include "an-tiles.h"

#define LABEL_W 96

struct _AnConfusionView {
  GtkWidget parent_instance;

  int n;
  gint64 *counts;
  GStrv names;
  char *number; /* the last column label made of a number */
};

G_DEFINE_FINAL_TYPE (AnConfusionView, an_confusion_view, GTK_TYPE_WIDGET)

GtkWidget *
an_confusion_view_new (void)
{
  return g_object_new (AN_TYPE_CONFUSION_VIEW, NULL);
}

int
an_confusion_view_get_n_classes (AnConfusionView *self)
{
  g_return_val_if_fail (AN_IS_CONFUSION_VIEW (self), 0);
  return self->n;
}

double
an_confusion_view_get_accuracy (AnConfusionView *self)
{
  gint64 total = 0, right = 0;

  g_return_val_if_fail (AN_IS_CONFUSION_VIEW (self), NAN);

  for (int i = 0; i < self->n; i++)
    for (int j = 0; j < self->n; j++)
      {
        total += self->counts[i * self->n + j];
        if (i == j)
          right += self->counts[i * self->n + j];
      }
  return total > 0 ? (double) right / total : NAN;
}

const char *
an_confusion_view_get_column_label (AnConfusionView *self, int j)
{
  g_return_val_if_fail (AN_IS_CONFUSION_VIEW (self), NULL);
  g_return_val_if_fail (j >= 0 && j < self->n, NULL);

  if (self->names != NULL && j < (int) g_strv_length (self->names))
    return self->names[j];
  g_free (self->number);
  self->number = g_strdup_printf ("%d", j);
  return self->number;
}

void
an_confusion_view_set (AnConfusionView *self, int n, const gint64 *counts,
                       const char *const *names)
{
  double acc;
  g_autofree char *text = NULL;

  g_return_if_fail (AN_IS_CONFUSION_VIEW (self));
  g_return_if_fail (n >= 0);

  g_clear_pointer (&self->counts, g_free);
  g_clear_pointer (&self->names, g_strfreev);
  self->n = counts != NULL ? n : 0;
  if (self->n > 0)
    {
      self->counts = g_memdup2 (counts, sizeof (gint64) * n * n);
      if (names != NULL)
        self->names = g_strdupv ((char **) names);
    }
  acc = an_confusion_view_get_accuracy (self);
  /* Translators: accessible description of the confusion matrix */
  text = isnan (acc) ? g_strdup (_("No validation results yet"))
                     : g_strdup_printf (_("%d classes, %.1f%% on the diagonal"), self->n,
                                        100.0 * acc);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
an_confusion_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  AnConfusionView *self = AN_CONFUSION_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean labels;
  double left, top, cell;
  PangoLayout *layout;
  GdkRGBA fg;
  cairo_t *cr;

  if (self->n == 0 || width <= 0 || height <= 0)
    return;
  labels = self->n <= 20;
  left = labels ? LABEL_W : 0;
  top = labels ? LABEL_W : 0;
  cell = floor (MIN ((width - left) / self->n, (height - top) / self->n));
  if (cell < 1)
    return;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  layout = gtk_widget_create_pango_layout (widget, NULL);

  for (int i = 0; i < self->n; i++)
    {
      gint64 row_total = 0;

      for (int j = 0; j < self->n; j++)
        row_total += self->counts[i * self->n + j];
      for (int j = 0; j < self->n; j++)
        {
          gint64 c = self->counts[i * self->n + j];
          double share = row_total > 0 ? (double) c / row_total : 0.0;
          guint32 rgb = an_tiles_colormap (AN_COLORMAP_VIRIDIS, sqrt (share));
          double x = left + j * cell, y = top + i * cell;

          cairo_set_source_rgb (cr, (rgb >> 16 & 0xff) / 255.0, (rgb >> 8 & 0xff) / 255.0,
                                (rgb & 0xff) / 255.0);
          cairo_rectangle (cr, x, y, cell - (cell > 6 ? 1 : 0), cell - (cell > 6 ? 1 : 0));
          cairo_fill (cr);
          if (cell >= 28)
            {
              g_autofree char *num = g_strdup_printf ("%" G_GINT64_FORMAT, c);
              int tw, th;

              pango_layout_set_text (layout, num, -1);
              pango_layout_get_pixel_size (layout, &tw, &th);
              if (sqrt (share) > 0.6)
                cairo_set_source_rgb (cr, 0, 0, 0);
              else
                cairo_set_source_rgb (cr, 1, 1, 1);
              cairo_move_to (cr, x + (cell - tw) / 2, y + (cell - th) / 2);
              pango_cairo_show_layout (cr, layout);
            }
        }
      if (labels)
        {
          g_autofree char *num = g_strdup_printf ("%d", i);
          const char *name = self->names != NULL && self->names[i] ? self->names[i] : num;
          int tw, th;

          gdk_cairo_set_source_rgba (cr, &fg);
          pango_layout_set_text (layout, name, -1);
          pango_layout_set_width (layout, (LABEL_W - 6) * PANGO_SCALE);
          pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
          pango_layout_get_pixel_size (layout, &tw, &th);
          cairo_move_to (cr, 0, top + i * cell + (cell - th) / 2);
          pango_cairo_show_layout (cr, layout);
          /* the column's class name, read upwards, ending at the matrix */
          pango_layout_set_text (layout, an_confusion_view_get_column_label (self, i), -1);
          pango_layout_get_pixel_size (layout, &tw, &th);
          cairo_save (cr);
          cairo_move_to (cr, left + i * cell + (cell - th) / 2, top - 4);
          cairo_rotate (cr, -G_PI / 2);
          pango_cairo_update_layout (cr, layout);
          pango_cairo_show_layout (cr, layout);
          cairo_restore (cr);
          pango_layout_set_width (layout, -1);
        }
    }
  g_object_unref (layout);
  cairo_destroy (cr);
}

static void
an_confusion_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                           int *minimum, int *natural, int *minimum_baseline,
                           int *natural_baseline)
{
  *minimum = 160;
  *natural = 360;
}

static void
an_confusion_view_finalize (GObject *object)
{
  AnConfusionView *self = AN_CONFUSION_VIEW (object);

  g_free (self->counts);
  g_strfreev (self->names);
  g_free (self->number);
  G_OBJECT_CLASS (an_confusion_view_parent_class)->finalize (object);
}

static void
an_confusion_view_class_init (AnConfusionViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = an_confusion_view_finalize;
  widget_class->snapshot = an_confusion_view_snapshot;
  widget_class->measure = an_confusion_view_measure;
  gtk_widget_class_set_css_name (widget_class, "confusionview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
an_confusion_view_init (AnConfusionView *self)
{
}
