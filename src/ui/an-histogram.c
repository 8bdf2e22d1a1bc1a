#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-histogram.c: AnHistogram draws up to two translucent histograms on one value range so
 * the effect of LRN (a narrower, rescaled distribution) is visible at a glance. The values are
 * kept (copied) so the shared range can follow whichever set arrives last.
 */

#include <glib/gi18n.h>
#include <math.h>

#include "an-histogram.h"
#include "an-tiles.h"

#define N_BINS 48
#define N_SETS 2

struct _AnHistogram {
  GtkWidget parent_instance;

  float *values[N_SETS];
  gsize n[N_SETS];
  char *label[N_SETS];
};

G_DEFINE_FINAL_TYPE (AnHistogram, an_histogram, GTK_TYPE_WIDGET)

GtkWidget *
an_histogram_new (void)
{
  return g_object_new (AN_TYPE_HISTOGRAM, NULL);
}

void
an_histogram_set_values (AnHistogram *self, guint index, const float *values, gsize n,
                         const char *label)
{
  g_return_if_fail (AN_IS_HISTOGRAM (self));
  g_return_if_fail (index < N_SETS);

  g_clear_pointer (&self->values[index], g_free);
  g_clear_pointer (&self->label[index], g_free);
  self->n[index] = 0;
  if (values != NULL && n > 0)
    {
      self->values[index] = g_memdup2 (values, n * sizeof (float));
      self->n[index] = n;
      self->label[index] = g_strdup (label);
    }
  {
    g_autoptr (GString) text = g_string_new (NULL);

    for (guint s = 0; s < N_SETS; s++)
      if (self->n[s] > 0)
        /* Translators: accessible description of a histogram: its name and value count */
        g_string_append_printf (text, _("%s: %zu values. "), self->label[s], self->n[s]);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    text->str, -1);
  }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
an_histogram_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  static const char *const colors[N_SETS] = { "blue_3", "orange_3" };
  AnHistogram *self = AN_HISTOGRAM (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double lo = INFINITY, hi = -INFINITY;
  guint counts[N_SETS][N_BINS];
  guint peak = 1;
  double plot_h = height - 18;
  PangoLayout *layout;
  GdkRGBA fg;
  cairo_t *cr;

  for (guint s = 0; s < N_SETS; s++)
    {
      double l, h;

      if (self->n[s] > 0 && an_tiles_min_max (self->values[s], self->n[s], &l, &h))
        {
          lo = MIN (lo, l);
          hi = MAX (hi, h);
        }
    }
  if (!(lo <= hi) || width <= 0 || plot_h <= 0)
    return;

  for (guint s = 0; s < N_SETS; s++)
    {
      an_tiles_histogram (self->values[s], self->n[s], lo, hi, N_BINS, counts[s]);
      for (guint b = 0; b < N_BINS; b++)
        peak = MAX (peak, counts[s][b]);
    }

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  for (guint s = 0; s < N_SETS; s++)
    {
      GdkRGBA c;

      if (self->n[s] == 0)
        continue;
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), colors[s], &c))
        gdk_rgba_parse (&c, s == 0 ? "#3584e4" : "#ff7800");
      G_GNUC_END_IGNORE_DEPRECATIONS
      cairo_set_source_rgba (cr, c.red, c.green, c.blue, 0.55);
      for (guint b = 0; b < N_BINS; b++)
        {
          /* square-root heights: the tails of an activation histogram stay visible */
          double h = sqrt ((double) counts[s][b] / peak) * plot_h;
          double x0 = floor ((double) b * width / N_BINS);
          double x1 = floor ((double) (b + 1) * width / N_BINS);

          cairo_rectangle (cr, x0, plot_h - h, MAX (x1 - x0 - 1, 1), h);
        }
      cairo_fill (cr);
    }

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  gdk_cairo_set_source_rgba (cr, &fg);
  {
    g_autofree char *l = g_strdup_printf ("%.3g", lo);
    g_autofree char *h = g_strdup_printf ("%.3g", hi);
    int lw, lh;

    layout = gtk_widget_create_pango_layout (widget, l);
    cairo_move_to (cr, 0, plot_h + 2);
    pango_cairo_show_layout (cr, layout);
    pango_layout_set_text (layout, h, -1);
    pango_layout_get_pixel_size (layout, &lw, &lh);
    cairo_move_to (cr, width - lw, plot_h + 2);
    pango_cairo_show_layout (cr, layout);
    g_object_unref (layout);
  }
  cairo_destroy (cr);
}

static void
an_histogram_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                      int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 120 : 80;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 100;
}

static void
an_histogram_finalize (GObject *object)
{
  AnHistogram *self = AN_HISTOGRAM (object);

  for (guint s = 0; s < N_SETS; s++)
    {
      g_free (self->values[s]);
      g_free (self->label[s]);
    }
  G_OBJECT_CLASS (an_histogram_parent_class)->finalize (object);
}

static void
an_histogram_class_init (AnHistogramClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = an_histogram_finalize;
  widget_class->snapshot = an_histogram_snapshot;
  widget_class->measure = an_histogram_measure;
  gtk_widget_class_set_css_name (widget_class, "histogram");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
an_histogram_init (AnHistogram *self)
{
}
