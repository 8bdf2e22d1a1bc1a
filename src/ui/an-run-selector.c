#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-run-selector.c: AnRunSelector (an-run-selector.h). A GtkMenuButton with a popover of
 * rows: a swatch drawn in the run's dash pattern, a check button named after the run. */

#include <glib/gi18n.h>

#include "an-run-selector.h"

struct _AnRunSelector {
  GtkWidget parent_instance;

  GtkWidget *button;  /* GtkMenuButton */
  GtkWidget *list;    /* GtkBox of rows */
  GPtrArray *charts;  /* of AnChart (references) */
  GPtrArray *checks;  /* of GtkCheckButton, one per run */
};

G_DEFINE_FINAL_TYPE (AnRunSelector, an_run_selector, GTK_TYPE_WIDGET)

enum { SIG_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
draw_swatch (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  guint run = GPOINTER_TO_UINT (data);
  guint n_runs = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (area), "n-runs"));
  GdkRGBA fg;
  int n;
  const double *dashes = an_chart_run_dashes (run, n_runs, &n);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  gdk_cairo_set_source_rgba (cr, &fg);
  cairo_set_line_width (cr, 2.0);
  cairo_set_dash (cr, dashes, n, 0);
  cairo_move_to (cr, 0, height / 2.0);
  cairo_line_to (cr, width, height / 2.0);
  cairo_stroke (cr);
}

GtkWidget *
an_run_selector_new_swatch (guint run, guint n_runs)
{
  GtkWidget *swatch = gtk_drawing_area_new ();

  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 28);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 12);
  gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (swatch), "n-runs", GUINT_TO_POINTER (n_runs));
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch, GUINT_TO_POINTER (run),
                                  NULL);
  return swatch;
}

static void
on_check_toggled (GtkCheckButton *check, AnRunSelector *self)
{
  guint run = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "run"));
  gboolean on = gtk_check_button_get_active (check);

  for (guint i = 0; i < self->charts->len; i++)
    {
      AnChart *chart = g_ptr_array_index (self->charts, i);

      if (run < an_chart_get_n_runs (chart))
        an_chart_set_run_visible (chart, run, on);
    }
  g_signal_emit (self, signals[SIG_CHANGED], 0);
}

void
an_run_selector_refresh (AnRunSelector *self)
{
  AnChart *first;
  GtkWidget *child;
  guint n;

  g_return_if_fail (AN_IS_RUN_SELECTOR (self));

  while ((child = gtk_widget_get_first_child (self->list)) != NULL)
    gtk_box_remove (GTK_BOX (self->list), child);
  g_ptr_array_set_size (self->checks, 0);
  if (self->charts->len == 0)
    return;
  first = g_ptr_array_index (self->charts, 0);
  n = an_chart_get_n_runs (first);
  /* newest first, as the legend's eye expects the run being trained at the top */
  for (guint k = n; k-- > 0;)
    {
      const char *name = an_chart_get_run_name (first, k);
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
      GtkWidget *swatch = an_run_selector_new_swatch (k, n);
      GtkWidget *check;
      g_autofree char *label = NULL;

      if (name == NULL || *name == '\0')
        /* Translators: a run without a name yet, numbered */
        label = g_strdup_printf (_("Run %u"), k + 1);
      else
        label = g_strdup (name);
      if (k + 1 == n)
        {
          /* Translators: marks the run being trained in the run list */
          char *current = g_strdup_printf (_("%s (current)"), label);
          g_free (label);
          label = current;
        }
      check = gtk_check_button_new_with_label (label);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), an_chart_get_run_visible (first, k));
      g_object_set_data (G_OBJECT (check), "run", GUINT_TO_POINTER (k));
      g_signal_connect (check, "toggled", G_CALLBACK (on_check_toggled), self);

      gtk_box_append (GTK_BOX (row), check);
      gtk_box_append (GTK_BOX (row), swatch);
      gtk_widget_set_hexpand (check, TRUE);
      gtk_box_append (GTK_BOX (self->list), row);
      g_ptr_array_add (self->checks, check);
    }
  /* checks[] by run index */
  for (guint i = 0; i < self->checks->len / 2; i++)
    {
      gpointer t = self->checks->pdata[i];
      self->checks->pdata[i] = self->checks->pdata[self->checks->len - 1 - i];
      self->checks->pdata[self->checks->len - 1 - i] = t;
    }
  {
    /* Translators: the run selector button, with the number of runs the charts hold */
    g_autofree char *text = g_strdup_printf (ngettext ("%u Run", "%u Runs", n), n);
    gtk_menu_button_set_label (GTK_MENU_BUTTON (self->button), text);
  }
  g_signal_emit (self, signals[SIG_CHANGED], 0);
}

void
an_run_selector_add_chart (AnRunSelector *self, AnChart *chart)
{
  g_return_if_fail (AN_IS_RUN_SELECTOR (self));
  g_return_if_fail (AN_IS_CHART (chart));

  g_ptr_array_add (self->charts, g_object_ref (chart));
  an_run_selector_refresh (self);
}

GtkCheckButton *
an_run_selector_get_check (AnRunSelector *self, guint run)
{
  g_return_val_if_fail (AN_IS_RUN_SELECTOR (self), NULL);
  return run < self->checks->len ? g_ptr_array_index (self->checks, run) : NULL;
}

GtkWidget *
an_run_selector_new (void)
{
  return g_object_new (AN_TYPE_RUN_SELECTOR, NULL);
}

static void
an_run_selector_dispose (GObject *object)
{
  AnRunSelector *self = AN_RUN_SELECTOR (object);

  g_clear_pointer (&self->button, gtk_widget_unparent);
  g_ptr_array_set_size (self->charts, 0);
  G_OBJECT_CLASS (an_run_selector_parent_class)->dispose (object);
}

static void
an_run_selector_finalize (GObject *object)
{
  AnRunSelector *self = AN_RUN_SELECTOR (object);

  g_ptr_array_unref (self->charts);
  g_ptr_array_unref (self->checks);
  G_OBJECT_CLASS (an_run_selector_parent_class)->finalize (object);
}

static void
an_run_selector_class_init (AnRunSelectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = an_run_selector_dispose;
  object_class->finalize = an_run_selector_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  /* the runs or their visibility changed */
  signals[SIG_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
an_run_selector_init (AnRunSelector *self)
{
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *heading = gtk_label_new (_("Runs Shown on the Charts"));
  GtkWidget *scroll = gtk_scrolled_window_new ();

  self->charts = g_ptr_array_new_with_free_func (g_object_unref);
  self->checks = g_ptr_array_new ();
  self->button = gtk_menu_button_new ();
  gtk_widget_set_parent (self->button, GTK_WIDGET (self));
  gtk_widget_set_tooltip_text (self->button, _("Choose the runs the charts show"));
  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0.0);
  self->list = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroll), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroll), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroll), 360);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), self->list);
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), scroll);
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->button), popover);
  gtk_menu_button_set_label (GTK_MENU_BUTTON (self->button), _("Runs"));
}
