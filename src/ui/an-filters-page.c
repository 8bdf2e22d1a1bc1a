#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-filters-page.c: the Filters page: conv1 filters per tower, with how much of each tower's
 * filter energy is colour (the paper's GPU 1 / GPU 2 observation). */

#include <glib/gi18n.h>
#include <math.h>

#include "an-filters-page.h"
#include "an-tiles.h"
#include "an-ui-util.h"

struct _AnFiltersPage {
  AdwBin parent_instance;

  /* from the template */
  GtkLabel *filters_title;
  GtkSpinButton *zoom_spin;
  GtkBox *filters_box;

  GtkWidget *tower_box[2];
  AnTileGrid *filter_grid[2];
  GtkLabel *tower_label[2], *colour_label[2];
  guint deselect_source;
};

G_DEFINE_FINAL_TYPE (AnFiltersPage, an_filters_page, ADW_TYPE_BIN)

static const AnSnapshotTensor *
find_tower (AnSnapshot *s, int tower)
{
  for (int i = 0; i < s->n_tensors; i++)
    if (tower < -1 || s->tensors[i].tower == tower)
      return &s->tensors[i];
  return NULL;
}

void
an_filters_page_show (AnFiltersPage *self, AnSnapshot *s)
{
  const AnSnapshotTensor *towers[2] = { find_tower (s, 0), find_tower (s, 1) };
  gboolean split = towers[0] != NULL && towers[1] != NULL;
  g_autofree char *title = NULL;

  g_return_if_fail (AN_IS_FILTERS_PAGE (self));

  if (!split)
    {
      towers[0] = find_tower (s, -2);
      towers[1] = NULL;
    }
  if (towers[0] == NULL)
    return;
  /* The first filters of a run choose a zoom that makes a tile about 56 px; later the user's
   * choice stands. */
  if (an_tile_grid_get_n_tiles (self->filter_grid[0]) == 0)
    gtk_spin_button_set_value (self->zoom_spin, CLAMP (56 / MAX (towers[0]->shape[3], 1), 2, 16));

  for (int t = 0; t < 2; t++)
    {
      const AnSnapshotTensor *w = towers[t];
      double colour;
      g_autofree char *text = NULL;

      gtk_widget_set_visible (self->tower_box[t], w != NULL);
      if (w == NULL)
        continue;
      an_tile_grid_set_filters (self->filter_grid[t], w->data, w->shape[0], w->shape[1],
                                w->shape[2], w->shape[3]);
      an_tile_grid_set_towers (self->filter_grid[t], split ? (t == 0 ? "A" : "B") : NULL, 1);
      gtk_label_set_text (self->tower_label[t],
                          !split ? _("All filters")
                                 : t == 0 ? _("Tower A (the paper's GPU 1)")
                                          : _("Tower B (the paper's GPU 2)"));
      colour = an_tiles_colourfulness (w->data, w->shape[0], w->shape[1], w->shape[2],
                                       w->shape[3]);
      if (isnan (colour))
        text = g_strdup (_("Grey input: the filters have no colour"));
      else
        /* Translators: share of the filters' energy that differs between R, G and B */
        text = g_strdup_printf (_("Colourfulness %.0f%% (share of the filter energy in colour)"),
                                100.0 * colour);
      gtk_label_set_text (self->colour_label[t], text);
    }
  /* Translators: "First-layer filters (conv1.weight), step 120" */
  title = g_strdup_printf (_("First-layer filters (%s), step %lld"),
                           towers[0]->name, (long long) s->step);
  gtk_label_set_text (self->filters_title, title);
}

AnTileGrid *
an_filters_page_get_grid (AnFiltersPage *self, int tower)
{
  g_return_val_if_fail (AN_IS_FILTERS_PAGE (self), NULL);
  g_return_val_if_fail (tower == 0 || tower == 1, NULL);
  return self->filter_grid[tower];
}

int
an_filters_page_get_filled_grids (AnFiltersPage *self, AnTileGrid **grids)
{
  int n = 0;

  g_return_val_if_fail (AN_IS_FILTERS_PAGE (self), 0);

  for (int t = 0; t < 2; t++)
    if (gtk_widget_get_visible (self->tower_box[t])
        && an_tile_grid_get_n_tiles (self->filter_grid[t]) > 0)
      grids[n++] = self->filter_grid[t];
  return n;
}

static gboolean
deselect_zoom (gpointer user_data)
{
  AnFiltersPage *self = user_data;
  int pos = gtk_editable_get_position (GTK_EDITABLE (self->zoom_spin));

  self->deselect_source = 0;
  gtk_editable_select_region (GTK_EDITABLE (self->zoom_spin), pos, pos);

  return G_SOURCE_REMOVE;
}

/* The page opened: its Zoom box shows its value, not a selection. The view stack gives the
 * focus back to the widget that had it on the page's last visit, and an entry selects its
 * text when it gets the focus: undone once that has happened. */
static void
an_filters_page_map (GtkWidget *widget)
{
  AnFiltersPage *self = AN_FILTERS_PAGE (widget);

  GTK_WIDGET_CLASS (an_filters_page_parent_class)->map (widget);
  if (self->deselect_source == 0)
    self->deselect_source = g_idle_add_full (G_PRIORITY_DEFAULT, deselect_zoom, self, NULL);
}

static void
an_filters_page_dispose (GObject *object)
{
  g_clear_handle_id (&AN_FILTERS_PAGE (object)->deselect_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (object), AN_TYPE_FILTERS_PAGE);
  G_OBJECT_CLASS (an_filters_page_parent_class)->dispose (object);
}

static void
an_filters_page_class_init (AnFiltersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = an_filters_page_dispose;
  widget_class->map = an_filters_page_map;
  gtk_widget_class_set_template_from_resource (
    widget_class, "/org/alexnetstudio/AlexNetStudio/an-filters-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AnFiltersPage, filters_title);
  gtk_widget_class_bind_template_child (widget_class, AnFiltersPage, zoom_spin);
  gtk_widget_class_bind_template_child (widget_class, AnFiltersPage, filters_box);
}

static void
an_filters_page_init (AnFiltersPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (int t = 0; t < 2; t++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

      self->tower_label[t] = GTK_LABEL (an_heading_new (t == 0 ? _("All filters") : "", "heading"));
      self->colour_label[t] = GTK_LABEL (an_heading_new ("", "dim-label"));
      self->filter_grid[t] = AN_TILE_GRID (an_tile_grid_new ());
      an_tile_grid_set_zoom (self->filter_grid[t], 6);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->filter_grid[t]),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      t == 0 ? _("Filters of tower A") : _("Filters of tower B"),
                                      -1);
      g_object_bind_property (gtk_spin_button_get_adjustment (self->zoom_spin), "value",
                              self->filter_grid[t], "zoom", G_BINDING_SYNC_CREATE);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->tower_label[t]));
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->colour_label[t]));
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->filter_grid[t]));
      gtk_box_append (self->filters_box, box);
      self->tower_box[t] = box;
    }
  gtk_widget_set_visible (self->tower_box[1], FALSE);
}
