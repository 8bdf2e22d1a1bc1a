#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-lrn-page.c: the LRN page: sliders for the layer's parameters (the model's own values
 * until one is moved), then the maps before and after, their difference and a histogram of
 * both, all from the trainer's LRN snapshots of the probe image. */

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "an-histogram.h"
#include "an-lrn-page.h"
#include "an-tiles.h"
#include "an-ui-util.h"

#define LRN_DEBOUNCE_MS 250

struct _AnLrnPage {
  AdwBin parent_instance;

  /* from the template */
  AdwPreferencesGroup *lrn_group;
  AdwComboRow *lrn_layer_row;
  GtkGrid *lrn_grid;
  GtkBox *lrn_side_box;

  AnTileGrid *lrn_probe_grid;
  GtkLabel *lrn_probe_caption;
  AnTileGrid *lrn_before, *lrn_after, *lrn_diff;
  double range[3][2]; /* the colour scale of each grid */
  AnHistogram *lrn_hist;
  GtkLabel *lrn_info;
  GtkAdjustment *lrn_size, *lrn_alpha, *lrn_beta, *lrn_k;
  guint lrn_debounce;
  gboolean lrn_custom;  /* the sliders were moved: send their values, not the model's */
  gboolean lrn_syncing; /* sliders set from the preset */

  AnTrainer *trainer;
  GArray *layers; /* of LrnLayer: the preset's LRN layers and their own values */
  AnImage *probe; /* NULL: the first validation image */
};

G_DEFINE_FINAL_TYPE (AnLrnPage, an_lrn_page, ADW_TYPE_BIN)

typedef struct {
  char *name;
  int size;
  double alpha, beta, k;
} LrnLayer;

static void
lrn_layer_clear (gpointer p)
{
  g_free (((LrnLayer *) p)->name);
}

static const char *
lrn_layer (AnLrnPage *self)
{
  GListModel *model = adw_combo_row_get_model (self->lrn_layer_row);
  guint i = adw_combo_row_get_selected (self->lrn_layer_row);
  g_autoptr (GtkStringObject) item = NULL;

  if (model == NULL || i >= g_list_model_get_n_items (model))
    return NULL;
  item = g_list_model_get_item (model, i);
  return gtk_string_object_get_string (item); /* the model keeps it alive */
}

void
an_lrn_page_request (AnLrnPage *self)
{
  const char *layer;

  g_return_if_fail (AN_IS_LRN_PAGE (self));

  layer = lrn_layer (self);
  if (self->trainer == NULL || layer == NULL)
    return;
  if (self->lrn_custom)
    an_trainer_request_lrn_snapshot (self->trainer, layer, self->probe,
                                     (int) gtk_adjustment_get_value (self->lrn_size),
                                     pow (10.0, gtk_adjustment_get_value (self->lrn_alpha)),
                                     gtk_adjustment_get_value (self->lrn_beta),
                                     gtk_adjustment_get_value (self->lrn_k));
  else
    an_trainer_request_lrn_snapshot (self->trainer, layer, self->probe, 0, 0, 0, 0);
}

void
an_lrn_page_set_trainer (AnLrnPage *self, AnTrainer *trainer)
{
  g_return_if_fail (AN_IS_LRN_PAGE (self));
  g_set_object (&self->trainer, trainer);
}

void
an_lrn_page_set_probe (AnLrnPage *self, const AnImage *probe)
{
  g_return_if_fail (AN_IS_LRN_PAGE (self));

  g_clear_pointer (&self->probe, an_image_free);
  if (probe != NULL)
    {
      self->probe = an_image_new (probe->channels, probe->height, probe->width);
      memcpy (self->probe->pixels, probe->pixels,
              (gsize) probe->channels * probe->height * probe->width);
    }
  an_probe_requested (self->lrn_probe_caption, self->trainer != NULL);
}

/* The model's own LRN values for the chosen layer, without announcing a change. */
static void
reset_lrn_sliders (AnLrnPage *self)
{
  const char *layer = lrn_layer (self);

  self->lrn_custom = FALSE;
  for (guint i = 0; layer != NULL && i < self->layers->len; i++)
    {
      const LrnLayer *l = &g_array_index (self->layers, LrnLayer, i);

      if (g_strcmp0 (l->name, layer) != 0)
        continue;
      self->lrn_syncing = TRUE;
      gtk_adjustment_set_value (self->lrn_size, l->size);
      gtk_adjustment_set_value (self->lrn_alpha, log10 (MAX (l->alpha, 1e-9)));
      gtk_adjustment_set_value (self->lrn_beta, l->beta);
      gtk_adjustment_set_value (self->lrn_k, l->k);
      self->lrn_syncing = FALSE;
    }
}

void
an_lrn_page_set_preset (AnLrnPage *self, const AnPreset *preset)
{
  g_autoptr (GtkStringList) lrn = gtk_string_list_new (NULL);

  g_return_if_fail (AN_IS_LRN_PAGE (self));

  g_array_set_size (self->layers, 0);
  for (int i = 0; preset != NULL && i < preset->n_layers; i++)
    {
      const AnLayerSpec *l = &preset->layers[i];
      LrnLayer copy = { g_strdup (l->name), l->size, l->alpha, l->beta, l->lrn_k };

      if (l->kind != AN_LAYER_LRN)
        {
          g_free (copy.name);
          continue;
        }
      g_array_append_val (self->layers, copy);
      gtk_string_list_append (lrn, l->name);
    }
  adw_combo_row_set_model (self->lrn_layer_row, G_LIST_MODEL (lrn));
  gtk_widget_set_sensitive (GTK_WIDGET (self->lrn_group),
                            g_list_model_get_n_items (G_LIST_MODEL (lrn)) > 0);
  reset_lrn_sliders (self);
}

static const AnSnapshotTensor *
find_tensor (AnSnapshot *s, const char *name)
{
  for (int i = 0; i < s->n_tensors; i++)
    if (g_strcmp0 (s->tensors[i].name, name) == 0)
      return &s->tensors[i];
  return NULL;
}

void
an_lrn_page_show (AnLrnPage *self, AnSnapshot *s)
{
  const AnSnapshotTensor *before = find_tensor (s, "before");
  const AnSnapshotTensor *after = find_tensor (s, "after");
  g_autofree float *diff = NULL;
  g_autofree char *info = NULL;
  gsize n;
  double lo, hi, alo, ahi;
  int c, h, w;

  g_return_if_fail (AN_IS_LRN_PAGE (self));

  if (before == NULL || after == NULL)
    return;
  c = before->shape[1];
  h = before->shape[2];
  w = before->shape[3];
  n = (gsize) c * h * w;
  diff = g_new (float, n);
  /* three grids side by side: about 32 px per map */
  an_tile_grid_set_zoom (self->lrn_before, CLAMP (32 / MAX (w, 1), 1, 8));
  an_tile_grid_set_zoom (self->lrn_after, CLAMP (32 / MAX (w, 1), 1, 8));
  an_tile_grid_set_zoom (self->lrn_diff, CLAMP (32 / MAX (w, 1), 1, 8));
  for (gsize i = 0; i < n; i++)
    diff[i] = after->data[i] - before->data[i];

  /* before and after on one colour scale: LRN divides, so the maps only look different when
   * the same value has the same colour in both */
  if (an_tiles_min_max (before->data, n, &lo, &hi) && an_tiles_min_max (after->data, n, &alo, &ahi))
    {
      lo = MIN (lo, alo);
      hi = MAX (hi, ahi);
      an_tile_grid_set_maps (self->lrn_before, before->data, c, h, w, lo, hi, AN_COLORMAP_VIRIDIS);
      an_tile_grid_set_maps (self->lrn_after, after->data, c, h, w, lo, hi, AN_COLORMAP_VIRIDIS);
      self->range[0][0] = self->range[1][0] = lo;
      self->range[0][1] = self->range[1][1] = hi;
    }
  if (an_tiles_min_max (diff, n, &lo, &hi))
    {
      an_tile_grid_set_maps (self->lrn_diff, diff, c, h, w, lo, hi, AN_COLORMAP_DIVERGING);
      self->range[2][0] = lo;
      self->range[2][1] = hi;
    }
  an_histogram_set_values (self->lrn_hist, 0, before->data, n, _("Before"));
  an_histogram_set_values (self->lrn_hist, 1, after->data, n, _("After"));

  /* Translators: the LRN parameters of the maps shown, and the training step */
  info = g_strdup_printf (_("%s: n = %d, α = %.2g, β = %.3g, k = %.3g, step %lld"
                            ". Histogram: before (blue) and after (orange)."),
                          s->layer ? s->layer : "", s->lrn_size, s->lrn_alpha, s->lrn_beta,
                          s->lrn_k, (long long) s->step);
  gtk_label_set_text (self->lrn_info, info);
  an_probe_show (self->lrn_probe_grid, self->lrn_probe_caption, s);
}

AnTileGrid *
an_lrn_page_get_probe_grid (AnLrnPage *self)
{
  g_return_val_if_fail (AN_IS_LRN_PAGE (self), NULL);
  return self->lrn_probe_grid;
}

AnTileGrid *
an_lrn_page_get_grid (AnLrnPage *self, int which)
{
  g_return_val_if_fail (AN_IS_LRN_PAGE (self), NULL);
  return which == 0 ? self->lrn_before : which == 1 ? self->lrn_after : self->lrn_diff;
}

void
an_lrn_page_get_range (AnLrnPage *self, int which, double *lo, double *hi)
{
  g_return_if_fail (AN_IS_LRN_PAGE (self));
  g_return_if_fail (which >= 0 && which < 3);

  *lo = self->range[which][0];
  *hi = self->range[which][1];
}

static gboolean
on_lrn_debounced (gpointer user_data)
{
  AnLrnPage *self = user_data;

  self->lrn_debounce = 0;
  an_lrn_page_request (self);
  return G_SOURCE_REMOVE;
}

static void
on_lrn_slider_changed (AnLrnPage *self)
{
  if (self->lrn_syncing)
    return;
  self->lrn_custom = TRUE;
  g_clear_handle_id (&self->lrn_debounce, g_source_remove);
  self->lrn_debounce = g_timeout_add (LRN_DEBOUNCE_MS, on_lrn_debounced, self);
}

static void
on_lrn_reset (AnLrnPage *self)
{
  reset_lrn_sliders (self);
  an_lrn_page_request (self);
}

static char *
format_alpha (GtkScale *scale, double value, gpointer user_data)
{
  return g_strdup_printf ("%.1e", pow (10.0, value));
}

static GtkAdjustment *
add_lrn_slider (AnLrnPage *self, const char *title, const char *subtitle, double lo, double hi,
                double step, int digits)
{
  GtkAdjustment *adj = gtk_adjustment_new (lo, lo, hi, step, step * 4, 0);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *scale = gtk_scale_new (GTK_ORIENTATION_HORIZONTAL, adj);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_scale_set_digits (GTK_SCALE (scale), digits);
  gtk_scale_set_draw_value (GTK_SCALE (scale), TRUE);
  gtk_widget_set_size_request (scale, 150, -1);
  gtk_widget_set_valign (scale, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (scale), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), scale);
  adw_preferences_group_add (self->lrn_group, row);
  g_signal_connect_object (adj, "value-changed", G_CALLBACK (on_lrn_slider_changed), self,
                           G_CONNECT_SWAPPED);
  if (digits < 0)
    gtk_scale_set_format_value_func (GTK_SCALE (scale), format_alpha, NULL, NULL);
  return adj;
}

static AnTileGrid *
new_grid (const char *label)
{
  AnTileGrid *grid = AN_TILE_GRID (an_tile_grid_new ());

  an_tile_grid_set_zoom (grid, 2);
  gtk_accessible_update_property (GTK_ACCESSIBLE (grid), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  return grid;
}

static void
an_lrn_page_dispose (GObject *object)
{
  AnLrnPage *self = AN_LRN_PAGE (object);

  g_clear_handle_id (&self->lrn_debounce, g_source_remove);
  g_clear_object (&self->trainer);
  gtk_widget_dispose_template (GTK_WIDGET (self), AN_TYPE_LRN_PAGE);
  G_OBJECT_CLASS (an_lrn_page_parent_class)->dispose (object);
}

static void
an_lrn_page_finalize (GObject *object)
{
  AnLrnPage *self = AN_LRN_PAGE (object);

  g_clear_pointer (&self->layers, g_array_unref);
  g_clear_pointer (&self->probe, an_image_free);
  G_OBJECT_CLASS (an_lrn_page_parent_class)->finalize (object);
}

static void
an_lrn_page_class_init (AnLrnPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = an_lrn_page_dispose;
  object_class->finalize = an_lrn_page_finalize;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/alexnetstudio/AlexNetStudio/an-lrn-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AnLrnPage, lrn_group);
  gtk_widget_class_bind_template_child (widget_class, AnLrnPage, lrn_layer_row);
  gtk_widget_class_bind_template_child (widget_class, AnLrnPage, lrn_grid);
  gtk_widget_class_bind_template_child (widget_class, AnLrnPage, lrn_side_box);
}

static void
an_lrn_page_init (AnLrnPage *self)
{
  GtkWidget *reset_row, *reset, *diff_heading;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->layers = g_array_new (FALSE, FALSE, sizeof (LrnLayer));
  g_array_set_clear_func (self->layers, lrn_layer_clear);

  self->lrn_probe_grid = an_probe_grid_new ();
  self->lrn_probe_caption = GTK_LABEL (an_heading_new (
    _("The maps appear once training has started."), "dim-label"));
  gtk_box_append (self->lrn_side_box, an_heading_new (_("Probe image"), "heading"));
  gtk_box_append (self->lrn_side_box, GTK_WIDGET (self->lrn_probe_grid));
  gtk_box_append (self->lrn_side_box, GTK_WIDGET (self->lrn_probe_caption));

  /* sliders, then before / after / difference and the histogram */
  self->lrn_size = add_lrn_slider (self, _("Size n"), _("Neighbouring channels"), 1, 15, 1, 0);
  self->lrn_alpha = add_lrn_slider (self, _("Scale α"), NULL, -7, -1, 0.1, -1);
  self->lrn_beta = add_lrn_slider (self, _("Exponent β"), NULL, 0.1, 2, 0.05, 2);
  self->lrn_k = add_lrn_slider (self, _("Offset k"), NULL, 0.1, 5, 0.1, 1);
  reset_row = adw_action_row_new ();
  reset = gtk_button_new_with_mnemonic (_("_Model's Values"));
  gtk_widget_set_valign (reset, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (reset_row), reset);
  adw_preferences_group_add (self->lrn_group, reset_row);
  g_signal_connect_object (reset, "clicked", G_CALLBACK (on_lrn_reset), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->lrn_layer_row, "notify::selected", G_CALLBACK (on_lrn_reset),
                           self, G_CONNECT_SWAPPED);

  self->lrn_before = new_grid (_("Maps before LRN"));
  self->lrn_after = new_grid (_("Maps after LRN"));
  self->lrn_diff = new_grid (_("Difference after minus before"));
  self->lrn_hist = AN_HISTOGRAM (an_histogram_new ());
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->lrn_hist), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Histogram of the values before and after LRN"), -1);
  self->lrn_info = GTK_LABEL (an_heading_new (_("The maps appear once training has started."),
                                              "dim-label"));
  gtk_grid_attach (self->lrn_grid, GTK_WIDGET (self->lrn_info), 0, 0, 3, 1);
  gtk_grid_attach (self->lrn_grid, an_heading_new (_("Before"), "heading"), 0, 1, 1, 1);
  gtk_grid_attach (self->lrn_grid, an_heading_new (_("After"), "heading"), 1, 1, 1, 1);
  diff_heading = an_heading_new (_("After − before"), "heading");
  gtk_label_set_wrap (GTK_LABEL (diff_heading), FALSE);
  gtk_label_set_ellipsize (GTK_LABEL (diff_heading), PANGO_ELLIPSIZE_END);
  gtk_widget_set_tooltip_text (diff_heading, _("The difference: after minus before"));
  gtk_grid_attach (self->lrn_grid, diff_heading, 2, 1, 1, 1);
  gtk_grid_attach (self->lrn_grid, GTK_WIDGET (self->lrn_before), 0, 2, 1, 1);
  gtk_grid_attach (self->lrn_grid, GTK_WIDGET (self->lrn_after), 1, 2, 1, 1);
  gtk_grid_attach (self->lrn_grid, GTK_WIDGET (self->lrn_diff), 2, 2, 1, 1);
  gtk_grid_attach (self->lrn_grid, GTK_WIDGET (self->lrn_hist), 0, 3, 3, 1);
}
