#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-window-views.c: the pages that look inside the network: conv1 filters (per tower, with
 * how much of each tower's filter energy is colour, the paper's GPU 1 / GPU 2 observation),
 * feature maps of a probe image, and LRN before/after/difference with its own parameters.
 * All of them come from snapshots the trainer delivers; requests follow the visible page.
 */

#include <glib/gi18n.h>
#include <math.h>

#include "an-window-private.h"

#define LRN_DEBOUNCE_MS 250

static const char *
selected_string (GListModel *model, guint i)
{
  GtkStringObject *item;
  const char *s;

  if (model == NULL || i >= g_list_model_get_n_items (model))
    return NULL;
  item = g_list_model_get_item (model, i);
  s = gtk_string_object_get_string (item);
  g_object_unref (item); /* the model keeps it alive */
  return s;
}

static const char *
feature_layer (AnWindow *self)
{
  return selected_string (gtk_drop_down_get_model (self->layer_dropdown),
                          gtk_drop_down_get_selected (self->layer_dropdown));
}

static const char *
lrn_layer (AnWindow *self)
{
  return selected_string (adw_combo_row_get_model (self->lrn_layer_row),
                          adw_combo_row_get_selected (self->lrn_layer_row));
}

static void
request_lrn (AnWindow *self)
{
  const char *layer = lrn_layer (self);

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
an_window_views_request (AnWindow *self)
{
  const char *page = an_window_visible_page (self);

  if (self->trainer == NULL)
    return;
  an_trainer_request_snapshot (self->trainer, AN_SNAPSHOT_WEIGHTS, "conv1", NULL);
  if (g_str_equal (page, "features") && feature_layer (self) != NULL)
    an_trainer_request_snapshot (self->trainer, AN_SNAPSHOT_FEATURES, feature_layer (self),
                                 self->probe);
  else if (g_str_equal (page, "lrn"))
    request_lrn (self);
}

/* The model's own LRN values for the chosen layer, without announcing a change. */
static void
reset_lrn_sliders (AnWindow *self)
{
  const char *layer = lrn_layer (self);

  self->lrn_custom = FALSE;
  for (int i = 0; self->preset != NULL && layer != NULL && i < self->preset->n_layers; i++)
    {
      const AnLayerSpec *l = &self->preset->layers[i];

      if (l->kind != AN_LAYER_LRN || g_strcmp0 (l->name, layer) != 0)
        continue;
      self->lrn_syncing = TRUE;
      gtk_adjustment_set_value (self->lrn_size, l->size);
      gtk_adjustment_set_value (self->lrn_alpha, log10 (MAX (l->alpha, 1e-9)));
      gtk_adjustment_set_value (self->lrn_beta, l->beta);
      gtk_adjustment_set_value (self->lrn_k, l->lrn_k);
      self->lrn_syncing = FALSE;
    }
}

void
an_window_views_set_preset (AnWindow *self, const AnPreset *preset)
{
  g_autoptr (GtkStringList) spatial = gtk_string_list_new (NULL);
  g_autoptr (GtkStringList) lrn = gtk_string_list_new (NULL);

  for (int i = 0; preset != NULL && i < preset->n_layers; i++)
    {
      const AnLayerSpec *l = &preset->layers[i];

      switch (l->kind)
        {
        case AN_LAYER_LRN:
          gtk_string_list_append (lrn, l->name);
          gtk_string_list_append (spatial, l->name);
          break;
        case AN_LAYER_CONV:
        case AN_LAYER_RELU:
        case AN_LAYER_MAXPOOL:
          /* ReLUs after the fully connected layers have no spatial maps */
          if (l->kind != AN_LAYER_RELU || i == 0 || preset->layers[i - 1].kind == AN_LAYER_CONV)
            gtk_string_list_append (spatial, l->name);
          break;
        case AN_LAYER_AVGPOOL:
        case AN_LAYER_DROPOUT:
        case AN_LAYER_FLATTEN:
        case AN_LAYER_LINEAR:
        default:
          break;
        }
    }
  gtk_drop_down_set_model (self->layer_dropdown, G_LIST_MODEL (spatial));
  adw_combo_row_set_model (self->lrn_layer_row, G_LIST_MODEL (lrn));
  gtk_widget_set_sensitive (GTK_WIDGET (self->lrn_group),
                            g_list_model_get_n_items (G_LIST_MODEL (lrn)) > 0);
  reset_lrn_sliders (self);
}

static const AnSnapshotTensor *
find_tensor (AnSnapshot *s, const char *name, int tower)
{
  for (int i = 0; i < s->n_tensors; i++)
    {
      const AnSnapshotTensor *t = &s->tensors[i];

      if ((name == NULL || g_strcmp0 (t->name, name) == 0) && (tower < -1 || t->tower == tower))
        return t;
    }
  return NULL;
}

static void
show_filters (AnWindow *self, AnSnapshot *s)
{
  const AnSnapshotTensor *towers[2] = { find_tensor (s, NULL, 0), find_tensor (s, NULL, 1) };
  gboolean split = towers[0] != NULL && towers[1] != NULL;
  g_autofree char *title = NULL;

  if (!split)
    {
      towers[0] = find_tensor (s, NULL, -2);
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

static void
show_enlarged (AnWindow *self)
{
  const AnSnapshotTensor *t;
  double lo, hi;
  gsize plane;
  g_autofree char *label = NULL;

  if (self->features == NULL || self->features->n_tensors == 0)
    return;
  t = &self->features->tensors[0];
  plane = (gsize) t->shape[2] * t->shape[3];
  if (self->enlarged_channel < 0 || self->enlarged_channel >= t->shape[1])
    return;
  if (!an_tiles_min_max (t->data, plane * t->shape[1], &lo, &hi))
    lo = hi = 0;
  an_tile_grid_set_maps (self->enlarged_grid, t->data + plane * self->enlarged_channel, 1,
                         t->shape[2], t->shape[3], lo, hi, AN_COLORMAP_VIRIDIS);
  /* Translators: the enlarged feature map: layer name and channel number */
  label = g_strdup_printf (_("%s, channel %d"), self->features->layer, self->enlarged_channel);
  gtk_label_set_text (self->enlarged_label, label);
}

/* The image a FEATURES or LRN snapshot's maps were computed for, under them a caption. */
static void
show_probe (AnTileGrid *grid, GtkLabel *caption, AnSnapshot *s)
{
  const AnImage *img = s->probe;
  g_autofree char *text = NULL;

  if (img == NULL)
    return;
  an_tile_grid_set_image (grid, img->pixels, img->channels, img->height, img->width);
  gtk_widget_set_visible (GTK_WIDGET (grid), TRUE);
  /* Translators: under the probe image: "The maps of step 120 are computed from this 28×28
   * grey image." */
  text = g_strdup_printf (img->channels == 1
                            ? _("The maps of step %lld are computed from this %d×%d grey image.")
                            : _("The maps of step %lld are computed from this %d×%d colour "
                                "image."),
                          (long long) s->step, img->width, img->height);
  gtk_label_set_text (caption, text);
}

/* A new probe was asked for: what is shown stays until maps of the new one arrive. */
static void
probe_requested (AnWindow *self)
{
  const char *text = self->trainer != NULL
                       ? _("The maps of the new probe image follow at the next snapshot.")
                       : _("The maps appear once training has started.");

  gtk_label_set_text (self->probe_caption, text);
  gtk_label_set_text (self->lrn_probe_caption, text);
}

static void
show_features (AnWindow *self, AnSnapshot *s)
{
  const AnSnapshotTensor *t;
  double lo, hi;
  g_autofree char *text = NULL;

  if (s->n_tensors == 0)
    return;
  t = &s->tensors[0];
  if (!an_tiles_min_max (t->data, (gsize) t->shape[1] * t->shape[2] * t->shape[3], &lo, &hi))
    lo = hi = 0;
  /* about 48 px per map whatever the layer's resolution (55×55 in conv1 of alexnet-2012,
   * 6×6 after pool5) */
  an_tile_grid_set_zoom (self->maps_grid,
                         CLAMP ((int) lround (48.0 / MAX (t->shape[3], 1)), 1, 12));
  an_tile_grid_set_maps (self->maps_grid, t->data, t->shape[1], t->shape[2], t->shape[3], lo, hi,
                         AN_COLORMAP_VIRIDIS);
  g_clear_pointer (&self->features, an_snapshot_unref);
  self->features = an_snapshot_ref (s);
  /* Translators: "96 maps of 27×27 from relu1 at step 120. Click a map to enlarge it." */
  text = g_strdup_printf (_("%d maps of %d×%d from %s at step %lld. "
                            "Click a map to enlarge it."),
                          t->shape[1], t->shape[3], t->shape[2], s->layer ? s->layer : "",
                          (long long) s->step);
  gtk_label_set_text (self->maps_label, text);
  show_probe (self->probe_grid, self->probe_caption, s);
  show_enlarged (self);
}

static void
show_lrn (AnWindow *self, AnSnapshot *s)
{
  const AnSnapshotTensor *before = find_tensor (s, "before", -2);
  const AnSnapshotTensor *after = find_tensor (s, "after", -2);
  g_autofree float *diff = NULL;
  g_autofree char *info = NULL;
  gsize n;
  double lo, hi;
  int c, h, w;

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

  if (an_tiles_min_max (before->data, n, &lo, &hi))
    an_tile_grid_set_maps (self->lrn_before, before->data, c, h, w, lo, hi, AN_COLORMAP_VIRIDIS);
  if (an_tiles_min_max (after->data, n, &lo, &hi))
    an_tile_grid_set_maps (self->lrn_after, after->data, c, h, w, lo, hi, AN_COLORMAP_VIRIDIS);
  if (an_tiles_min_max (diff, n, &lo, &hi))
    an_tile_grid_set_maps (self->lrn_diff, diff, c, h, w, lo, hi, AN_COLORMAP_DIVERGING);
  an_histogram_set_values (self->lrn_hist, 0, before->data, n, _("Before"));
  an_histogram_set_values (self->lrn_hist, 1, after->data, n, _("After"));

  /* Translators: the LRN parameters of the maps shown, and the training step */
  info = g_strdup_printf (_("%s: n = %d, α = %.2g, β = %.3g, k = %.3g, step %lld"
                            ". Histogram: before (blue) and after (orange)."),
                          s->layer ? s->layer : "", s->lrn_size, s->lrn_alpha, s->lrn_beta,
                          s->lrn_k, (long long) s->step);
  gtk_label_set_text (self->lrn_info, info);
  show_probe (self->lrn_probe_grid, self->lrn_probe_caption, s);
}

void
an_window_views_on_snapshot (AnWindow *self, AnSnapshot *snapshot)
{
  switch (snapshot->kind)
    {
    case AN_SNAPSHOT_WEIGHTS:
      show_filters (self, snapshot);
      break;
    case AN_SNAPSHOT_FEATURES:
      show_features (self, snapshot);
      break;
    case AN_SNAPSHOT_LRN:
      show_lrn (self, snapshot);
      break;
    case AN_SNAPSHOT_CONFUSION:
    case AN_SNAPSHOT_PARAMS:
    default:
      break;
    }
  an_window_export_update_actions (self); /* the grids may have filled */
}

static void
on_map_activated (AnTileGrid *grid, int index, AnWindow *self)
{
  self->enlarged_channel = index;
  show_enlarged (self);
}

static gboolean
on_lrn_debounced (gpointer user_data)
{
  AnWindow *self = user_data;

  self->lrn_debounce = 0;
  request_lrn (self);
  return G_SOURCE_REMOVE;
}

static void
on_lrn_slider_changed (AnWindow *self)
{
  if (self->lrn_syncing)
    return;
  self->lrn_custom = TRUE;
  g_clear_handle_id (&self->lrn_debounce, g_source_remove);
  self->lrn_debounce = g_timeout_add (LRN_DEBOUNCE_MS, on_lrn_debounced, self);
}

static void
on_lrn_layer_changed (AnWindow *self)
{
  reset_lrn_sliders (self);
  request_lrn (self);
}

static void
on_lrn_reset (AnWindow *self)
{
  reset_lrn_sliders (self);
  request_lrn (self);
}

static char *
format_alpha (GtkScale *scale, double value, gpointer user_data)
{
  return g_strdup_printf ("%.1e", pow (10.0, value));
}

static GtkAdjustment *
add_lrn_slider (AnWindow *self, const char *title, const char *subtitle, double lo, double hi,
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

static GtkWidget *
heading (const char *text, const char *style)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, style);
  return label;
}

static AnTileGrid *
new_grid (int zoom)
{
  AnTileGrid *grid = AN_TILE_GRID (an_tile_grid_new ());

  an_tile_grid_set_zoom (grid, zoom);
  return grid;
}

static AnTileGrid *
new_probe_grid (void)
{
  AnTileGrid *grid = new_grid (0);

  gtk_widget_set_size_request (GTK_WIDGET (grid), 160, 160);
  gtk_widget_set_halign (GTK_WIDGET (grid), GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (grid), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Probe image"), -1);
  gtk_widget_set_visible (GTK_WIDGET (grid), FALSE);
  return grid;
}

static void
on_probe_decoded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AnWindow *self = AN_WINDOW (source);
  g_autoptr (GFile) file = user_data;
  g_autofree char *name = g_file_get_basename (file);
  g_autoptr (GError) error = NULL;
  AnImage *img = an_window_load_image_finish (self, result, &error);

  if (img == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        an_window_toast (self, _("“%s” is not an image AlexNet Studio can read: %s"), name,
                         error->message);
      return;
    }
  g_clear_pointer (&self->probe, an_image_free);
  self->probe = img;
  gtk_label_set_text (self->probe_label, name);
  probe_requested (self);
  an_window_views_request (self);
}

static void
on_probe_chosen (AnWindow *self, GFile *file)
{
  an_window_load_image_async (self, file, on_probe_decoded, g_object_ref (file));
}

static void
on_choose_probe (AnWindow *self)
{
  an_window_choose_file (self, GTK_FILE_CHOOSER_ACTION_OPEN, _("Choose a Probe Image"),
                         _("_Open"), NULL, AN_FILE_FILTER_IMAGES, on_probe_chosen);
}

static void
on_reset_probe (AnWindow *self)
{
  g_clear_pointer (&self->probe, an_image_free);
  gtk_label_set_text (self->probe_label, _("The first validation image"));
  probe_requested (self);
  an_window_views_request (self);
}

void
an_window_views_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, on_choose_probe);
  gtk_widget_class_bind_template_callback (widget_class, on_reset_probe);
}

void
an_window_views_init (AnWindow *self)
{
  GtkWidget *reset_row, *reset;

  for (int t = 0; t < 2; t++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

      self->tower_label[t] = GTK_LABEL (heading (t == 0 ? _("All filters") : "", "heading"));
      self->colour_label[t] = GTK_LABEL (heading ("", "dim-label"));
      self->filter_grid[t] = new_grid (6);
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

  /* The probe images come from the snapshots, so they are the ones the maps belong to; small
   * ones (28×28) are enlarged nearest-neighbour by the tile grid. */
  self->probe_grid = new_probe_grid ();
  self->probe_caption = GTK_LABEL (heading (_("The maps appear once training has started."),
                                            "dim-label"));
  gtk_box_insert_child_after (self->probe_box, GTK_WIDGET (self->probe_grid),
                              GTK_WIDGET (self->probe_label));
  gtk_box_insert_child_after (self->probe_box, GTK_WIDGET (self->probe_caption),
                              GTK_WIDGET (self->probe_grid));
  self->lrn_probe_grid = new_probe_grid ();
  self->lrn_probe_caption = GTK_LABEL (heading (_("The maps appear once training has started."),
                                                "dim-label"));
  gtk_box_append (self->lrn_side_box, heading (_("Probe image"), "heading"));
  gtk_box_append (self->lrn_side_box, GTK_WIDGET (self->lrn_probe_grid));
  gtk_box_append (self->lrn_side_box, GTK_WIDGET (self->lrn_probe_caption));
  self->enlarged_grid = new_grid (0);
  gtk_widget_set_vexpand (GTK_WIDGET (self->enlarged_grid), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->enlarged_grid),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Enlarged feature map"), -1);
  gtk_box_append (self->probe_box, GTK_WIDGET (self->enlarged_grid));
  self->maps_grid = new_grid (3);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->maps_grid), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Feature maps"), -1);
  gtk_box_append (self->maps_box, GTK_WIDGET (self->maps_grid));
  self->enlarged_channel = 0;
  g_signal_connect_object (self->maps_grid, "tile-activated", G_CALLBACK (on_map_activated),
                           self, 0);
  g_signal_connect_object (self->layer_dropdown, "notify::selected",
                           G_CALLBACK (an_window_views_request), self, G_CONNECT_SWAPPED);

  /* LRN page: sliders, then before / after / difference and the histogram. */
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
  g_signal_connect_object (self->lrn_layer_row, "notify::selected",
                           G_CALLBACK (on_lrn_layer_changed), self, G_CONNECT_SWAPPED);

  self->lrn_before = new_grid (2);
  self->lrn_after = new_grid (2);
  self->lrn_diff = new_grid (2);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->lrn_before), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Maps before LRN"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->lrn_after), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Maps after LRN"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->lrn_diff), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Difference after minus before"), -1);
  self->lrn_hist = AN_HISTOGRAM (an_histogram_new ());
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->lrn_hist), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Histogram of the values before and after LRN"), -1);
  self->lrn_info = GTK_LABEL (heading (_("The maps appear once training has started."),
                                       "dim-label"));
  gtk_grid_attach (self->lrn_grid, GTK_WIDGET (self->lrn_info), 0, 0, 3, 1);
  gtk_grid_attach (self->lrn_grid, heading (_("Before"), "heading"), 0, 1, 1, 1);
  gtk_grid_attach (self->lrn_grid, heading (_("After"), "heading"), 1, 1, 1, 1);
  gtk_grid_attach (self->lrn_grid, heading (_("Difference (after − before)"), "heading"), 2, 1, 1, 1);
  gtk_grid_attach (self->lrn_grid, GTK_WIDGET (self->lrn_before), 0, 2, 1, 1);
  gtk_grid_attach (self->lrn_grid, GTK_WIDGET (self->lrn_after), 1, 2, 1, 1);
  gtk_grid_attach (self->lrn_grid, GTK_WIDGET (self->lrn_diff), 2, 2, 1, 1);
  gtk_grid_attach (self->lrn_grid, GTK_WIDGET (self->lrn_hist), 0, 3, 3, 1);
}

void
an_window_views_dispose (AnWindow *self)
{
  g_clear_handle_id (&self->lrn_debounce, g_source_remove);
  g_clear_pointer (&self->features, an_snapshot_unref);
  g_clear_pointer (&self->probe, an_image_free);
}
