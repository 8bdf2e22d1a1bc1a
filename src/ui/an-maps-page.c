#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-maps-page.c: the Feature Maps page: feature maps of a probe image from the trainer's
 * snapshots, one enlarged. The probe image shown comes with the snapshot, so it is always
 * the one the maps belong to. */

#include <glib/gi18n.h>
#include <math.h>

#include "an-maps-page.h"
#include "an-tiles.h"
#include "an-ui-util.h"

struct _AnMapsPage {
  AdwBin parent_instance;

  /* from the template */
  GtkBox *probe_box;
  GtkLabel *probe_label, *enlarged_label, *maps_label;
  GtkDropDown *layer_dropdown;
  GtkBox *maps_box;

  AnTileGrid *probe_grid, *maps_grid, *enlarged_grid;
  GtkLabel *probe_caption;
  AnTrainer *trainer;
  AnImage *probe; /* NULL: the first validation image */
  AnSnapshot *features;
  int enlarged_channel;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (AnMapsPage, an_maps_page, ADW_TYPE_BIN)

enum { SIGNAL_PROBE_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *
feature_layer (AnMapsPage *self)
{
  GListModel *model = gtk_drop_down_get_model (self->layer_dropdown);
  guint i = gtk_drop_down_get_selected (self->layer_dropdown);
  g_autoptr (GtkStringObject) item = NULL;

  if (model == NULL || i >= g_list_model_get_n_items (model))
    return NULL;
  item = g_list_model_get_item (model, i);
  return gtk_string_object_get_string (item); /* the model keeps it alive */
}

void
an_maps_page_set_trainer (AnMapsPage *self, AnTrainer *trainer)
{
  g_return_if_fail (AN_IS_MAPS_PAGE (self));
  g_set_object (&self->trainer, trainer);
}

void
an_maps_page_request (AnMapsPage *self)
{
  g_return_if_fail (AN_IS_MAPS_PAGE (self));

  if (self->trainer != NULL && feature_layer (self) != NULL)
    an_trainer_request_snapshot (self->trainer, AN_SNAPSHOT_FEATURES, feature_layer (self),
                                 self->probe);
}

void
an_maps_page_set_preset (AnMapsPage *self, const AnPreset *preset)
{
  g_autoptr (GtkStringList) spatial = gtk_string_list_new (NULL);

  g_return_if_fail (AN_IS_MAPS_PAGE (self));

  for (int i = 0; preset != NULL && i < preset->n_layers; i++)
    {
      const AnLayerSpec *l = &preset->layers[i];

      switch (l->kind)
        {
        case AN_LAYER_LRN:
        case AN_LAYER_CONV:
        case AN_LAYER_MAXPOOL:
          gtk_string_list_append (spatial, l->name);
          break;
        case AN_LAYER_RELU:
          /* ReLUs after the fully connected layers have no spatial maps */
          if (i == 0 || preset->layers[i - 1].kind == AN_LAYER_CONV)
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
}

static void
show_enlarged (AnMapsPage *self)
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

void
an_maps_page_show (AnMapsPage *self, AnSnapshot *s)
{
  const AnSnapshotTensor *t;
  double lo, hi;
  g_autofree char *text = NULL;

  g_return_if_fail (AN_IS_MAPS_PAGE (self));

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
  /* two towers: the first half of a layer's channels is tower A's (the tooltip names it) */
  an_tile_grid_set_towers (self->maps_grid, NULL,
                           self->trainer != NULL ? an_trainer_get_config (self->trainer)->towers
                                                 : 1);
  g_clear_pointer (&self->features, an_snapshot_unref);
  self->features = an_snapshot_ref (s);
  /* Translators: "96 maps of 27×27 from relu1 at step 120. Click a map to enlarge it." */
  text = g_strdup_printf (_("%d maps of %d×%d from %s at step %lld. "
                            "Click a map to enlarge it."),
                          t->shape[1], t->shape[3], t->shape[2], s->layer ? s->layer : "",
                          (long long) s->step);
  gtk_label_set_text (self->maps_label, text);
  an_probe_show (self->probe_grid, self->probe_caption, s);
  show_enlarged (self);
}

const AnImage *
an_maps_page_get_probe (AnMapsPage *self)
{
  g_return_val_if_fail (AN_IS_MAPS_PAGE (self), NULL);
  return self->probe;
}

AnTileGrid *
an_maps_page_get_maps_grid (AnMapsPage *self)
{
  g_return_val_if_fail (AN_IS_MAPS_PAGE (self), NULL);
  return self->maps_grid;
}

AnTileGrid *
an_maps_page_get_probe_grid (AnMapsPage *self)
{
  g_return_val_if_fail (AN_IS_MAPS_PAGE (self), NULL);
  return self->probe_grid;
}

static void
on_map_activated (AnTileGrid *grid, int index, AnMapsPage *self)
{
  self->enlarged_channel = index;
  an_tile_grid_set_selected (self->maps_grid, index);
  show_enlarged (self);
}

/* A new probe: what is shown stays until maps of the new one arrive. */
static void
probe_changed (AnMapsPage *self)
{
  an_probe_requested (self->probe_caption, self->trainer != NULL);
  an_maps_page_request (self);
  g_signal_emit (self, signals[SIGNAL_PROBE_CHANGED], 0);
}

static void
on_probe_decoded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GFile) file = user_data;
  g_autofree char *name = g_file_get_basename (file);
  g_autoptr (GError) error = NULL;
  AnImage *img = an_load_image_finish (result, &error);
  AnMapsPage *self;

  if (img == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        an_toast (GTK_WIDGET (source), _("“%s” is not an image AlexNet Studio can read: %s"),
                  name, error->message);
      return;
    }
  self = AN_MAPS_PAGE (source);
  g_clear_pointer (&self->probe, an_image_free);
  self->probe = img;
  gtk_label_set_text (self->probe_label, name);
  probe_changed (self);
}

static void
on_probe_chosen (AnMapsPage *self, GFile *file)
{
  an_load_image_async (self, file, self->cancellable, on_probe_decoded, g_object_ref (file));
}

static void
on_choose_probe (AnMapsPage *self)
{
  an_choose_file (GTK_WIDGET (self), GTK_FILE_CHOOSER_ACTION_OPEN, _("Choose a Probe Image"),
                  _("_Open"), NULL, AN_FILE_FILTER_IMAGES, (AnFileChosenFunc) on_probe_chosen,
                  self);
}

static void
on_reset_probe (AnMapsPage *self)
{
  g_clear_pointer (&self->probe, an_image_free);
  gtk_label_set_text (self->probe_label, _("The first validation image"));
  probe_changed (self);
}

static void
an_maps_page_dispose (GObject *object)
{
  AnMapsPage *self = AN_MAPS_PAGE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->trainer);
  gtk_widget_dispose_template (GTK_WIDGET (self), AN_TYPE_MAPS_PAGE);
  G_OBJECT_CLASS (an_maps_page_parent_class)->dispose (object);
}

static void
an_maps_page_finalize (GObject *object)
{
  AnMapsPage *self = AN_MAPS_PAGE (object);

  g_clear_pointer (&self->features, an_snapshot_unref);
  g_clear_pointer (&self->probe, an_image_free);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (an_maps_page_parent_class)->finalize (object);
}

static void
an_maps_page_class_init (AnMapsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = an_maps_page_dispose;
  object_class->finalize = an_maps_page_finalize;

  /* The probe image changed (an_maps_page_get_probe). */
  signals[SIGNAL_PROBE_CHANGED] =
    g_signal_new ("probe-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/alexnetstudio/AlexNetStudio/an-maps-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, AnMapsPage, name)
  BIND (probe_box);
  BIND (probe_label);
  BIND (enlarged_label);
  BIND (maps_label);
  BIND (layer_dropdown);
  BIND (maps_box);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_choose_probe);
  gtk_widget_class_bind_template_callback (widget_class, on_reset_probe);
}

static void
an_maps_page_init (AnMapsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  /* The probe images come from the snapshots, so they are the ones the maps belong to; small
   * ones (28×28) are enlarged nearest-neighbour by the tile grid. */
  self->probe_grid = an_probe_grid_new ();
  self->probe_caption = GTK_LABEL (an_heading_new (_("The maps appear once training has started."),
                                                   "dim-label"));
  gtk_box_insert_child_after (self->probe_box, GTK_WIDGET (self->probe_grid),
                              GTK_WIDGET (self->probe_label));
  gtk_box_insert_child_after (self->probe_box, GTK_WIDGET (self->probe_caption),
                              GTK_WIDGET (self->probe_grid));
  self->enlarged_grid = AN_TILE_GRID (an_tile_grid_new ());
  an_tile_grid_set_zoom (self->enlarged_grid, 0);
  gtk_widget_set_vexpand (GTK_WIDGET (self->enlarged_grid), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->enlarged_grid),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Enlarged feature map"), -1);
  gtk_box_append (self->probe_box, GTK_WIDGET (self->enlarged_grid));
  self->maps_grid = AN_TILE_GRID (an_tile_grid_new ());
  an_tile_grid_set_zoom (self->maps_grid, 3);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->maps_grid), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Feature maps"), -1);
  gtk_box_append (self->maps_box, GTK_WIDGET (self->maps_grid));
  self->enlarged_channel = 0;
  an_tile_grid_set_selected (self->maps_grid, 0);
  g_signal_connect_object (self->maps_grid, "tile-activated", G_CALLBACK (on_map_activated),
                           self, 0);
  g_signal_connect_object (self->layer_dropdown, "notify::selected",
                           G_CALLBACK (an_maps_page_request), self, G_CONNECT_SWAPPED);
}
