#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-tile-grid.c: AnTileGrid keeps its tiles in one cairo image surface (tiles stacked
 * vertically) and paints each one scaled with CAIRO_FILTER_NEAREST, so an 11x11 filter stays
 * 121 crisp squares (gtk_snapshot_append_scaled_texture would need GTK 4.10). Height follows
 * width: the number of columns is whatever fits.
 */

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "an-render.h"
#include "an-tile-grid.h"

#define GAP 2
#define SCALE_HEIGHT 34

struct _AnTileGrid {
  GtkWidget parent_instance;

  cairo_surface_t *atlas; /* width x (height * n), RGB24 */
  int n, tile_w, tile_h;
  int zoom;
  gboolean has_scale;
  double scale_lo, scale_hi;
  AnColormap scale_map;

  /* for the tooltip: what the tiles are, and each item's extremes */
  int kind;             /* TileKind */
  int per_item;         /* tiles per filter or map */
  double *item_min, *item_max; /* n / per_item each, or NULL */
  char *tower_name;     /* NULL, or the one tower all items belong to */
  int towers;           /* 2: the first half of the items is tower A, the second B */
  int selected;         /* item outlined, -1 none */
};

enum {
  PROP_0,
  PROP_ZOOM,
  N_PROPS
};

enum {
  SIGNAL_TILE_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (AnTileGrid, an_tile_grid, GTK_TYPE_WIDGET)

static int
cell_size_w (AnTileGrid *self)
{
  return self->tile_w * MAX (self->zoom, 1) + GAP;
}

static int
cell_size_h (AnTileGrid *self)
{
  return self->tile_h * MAX (self->zoom, 1) + GAP;
}

/* Columns a grid of n tiles would like: a little wider than tall, never more than n. */
static int
natural_columns (AnTileGrid *self)
{
  return CLAMP ((int) ceil (sqrt (self->n * 1.6)), 1, MAX (self->n, 1));
}

static int
columns_for_width (AnTileGrid *self, int width)
{
  return CLAMP (width / MAX (cell_size_w (self), 1), 1, MAX (self->n, 1));
}

typedef enum {
  TILES_FILTERS,
  TILES_MAPS,
  TILES_IMAGE,
} TileKind;

static guint32 *
new_atlas (AnTileGrid *self, int n, int h, int w)
{
  g_clear_pointer (&self->atlas, cairo_surface_destroy);
  g_clear_pointer (&self->item_min, g_free);
  g_clear_pointer (&self->item_max, g_free);
  self->per_item = 1;
  self->kind = TILES_IMAGE;
  self->n = n;
  self->tile_w = w;
  self->tile_h = h;
  self->has_scale = FALSE;
  if (n <= 0 || h <= 0 || w <= 0)
    {
      self->n = 0;
      return NULL;
    }
  self->atlas = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h * n);
  cairo_surface_flush (self->atlas);
  return (guint32 *) cairo_image_surface_get_data (self->atlas);
}

/* cairo rows may be padded: tiles are written tightly first and spread to the stride after. */
static void
commit_atlas (AnTileGrid *self, const guint32 *tight)
{
  int stride;
  guint8 *dst;

  if (self->atlas == NULL)
    return;
  stride = cairo_image_surface_get_stride (self->atlas);
  dst = cairo_image_surface_get_data (self->atlas);
  for (int row = 0; row < self->tile_h * self->n; row++)
    memcpy (dst + (gsize) row * stride, tight + (gsize) row * self->tile_w,
            sizeof (guint32) * self->tile_w);
  cairo_surface_mark_dirty (self->atlas);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* Each item's finite extremes, for the tooltip. */
static void
set_item_stats (AnTileGrid *self, TileKind kind, const float *data, int items, gsize item_size,
                int per_item)
{
  self->kind = kind;
  self->per_item = MAX (per_item, 1);
  self->item_min = g_new (double, items);
  self->item_max = g_new (double, items);
  for (int i = 0; i < items; i++)
    if (!an_tiles_min_max (data + (gsize) i * item_size, item_size, &self->item_min[i],
                           &self->item_max[i]))
      self->item_min[i] = self->item_max[i] = NAN;
}

static void
update_description (AnTileGrid *self, TileKind kind)
{
  g_autofree char *text = NULL;

  /* Translators: accessible descriptions of a grid of tiles: count and size in pixels */
  if (self->n == 0)
    text = g_strdup (_("Empty"));
  else if (kind == TILES_FILTERS)
    text = g_strdup_printf (ngettext ("%d filter of %d×%d pixels", "%d filters of %d×%d pixels",
                                      self->n),
                            self->n, self->tile_w, self->tile_h);
  else if (kind == TILES_MAPS)
    text = g_strdup_printf (ngettext ("%d map of %d×%d pixels", "%d maps of %d×%d pixels",
                                      self->n),
                            self->n, self->tile_w, self->tile_h);
  else
    text = g_strdup_printf (_("An image of %d×%d pixels"), self->tile_w, self->tile_h);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text, -1);
}

void
an_tile_grid_set_filters (AnTileGrid *self, const float *w, int n, int channels, int kh, int kw)
{
  g_autofree guint32 *tight = NULL;
  g_autofree guint8 *rgb = NULL;
  gsize plane = (gsize) kh * kw;
  /* the engine's renderer, as `alexnet filters` draws them */
  int tiles = an_filter_tile_count (channels);

  g_return_if_fail (AN_IS_TILE_GRID (self));

  if (new_atlas (self, n * tiles, kh, kw) == NULL)
    return;
  tight = g_new (guint32, plane * tiles * n);
  rgb = g_new (guint8, 3 * plane * tiles);
  for (int f = 0; f < n; f++)
    {
      guint32 *out = tight + (gsize) f * tiles * plane;

      an_render_filter (w + (gsize) f * channels * plane, channels, kh, kw, rgb);
      for (gsize p = 0; p < plane * tiles; p++)
        out[p] = 0xff000000u | (guint32) rgb[3 * p] << 16 | (guint32) rgb[3 * p + 1] << 8 |
                 rgb[3 * p + 2];
    }
  set_item_stats (self, TILES_FILTERS, w, n, (gsize) channels * plane, tiles);
  commit_atlas (self, tight);
  update_description (self, TILES_FILTERS);
}

void
an_tile_grid_set_maps (AnTileGrid *self, const float *data, int n, int h, int w, double lo,
                       double hi, AnColormap map)
{
  g_autofree guint32 *tight = NULL;
  gsize plane = (gsize) h * w;

  g_return_if_fail (AN_IS_TILE_GRID (self));

  if (new_atlas (self, n, h, w) == NULL)
    return;
  tight = g_new (guint32, plane * n);
  for (int c = 0; c < n; c++)
    an_tiles_map_to_rgb (data + c * plane, h, w, lo, hi, map, tight + c * plane);
  self->has_scale = TRUE;
  if (map == AN_COLORMAP_DIVERGING)
    {
      double m = MAX (fabs (lo), fabs (hi));
      lo = -m;
      hi = m;
    }
  self->scale_lo = lo;
  self->scale_hi = hi;
  self->scale_map = map;
  set_item_stats (self, TILES_MAPS, data, n, plane, 1);
  commit_atlas (self, tight);
  update_description (self, TILES_MAPS);
}

void
an_tile_grid_set_image (AnTileGrid *self, const guint8 *pixels, int channels, int h, int w)
{
  g_autofree guint32 *tight = NULL;
  gsize plane = (gsize) h * w;

  g_return_if_fail (AN_IS_TILE_GRID (self));
  g_return_if_fail (channels == 1 || channels == 3);

  if (new_atlas (self, 1, h, w) == NULL)
    return;
  tight = g_new (guint32, plane);
  for (gsize p = 0; p < plane; p++)
    {
      guint32 r = pixels[p];
      guint32 g = channels == 3 ? pixels[plane + p] : r;
      guint32 b = channels == 3 ? pixels[2 * plane + p] : r;

      tight[p] = 0xff000000u | r << 16 | g << 8 | b;
    }
  commit_atlas (self, tight);
  update_description (self, TILES_IMAGE);
}

void
an_tile_grid_clear (AnTileGrid *self)
{
  g_return_if_fail (AN_IS_TILE_GRID (self));

  new_atlas (self, 0, 0, 0);
  update_description (self, TILES_IMAGE);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

int
an_tile_grid_get_n_tiles (AnTileGrid *self)
{
  g_return_val_if_fail (AN_IS_TILE_GRID (self), 0);
  return self->n;
}

/* Where tile i goes and at what scale, for a widget of the given size. */
static void
tile_geometry (AnTileGrid *self, int width, int height, int i, double *x, double *y,
               double *scale)
{
  if (self->zoom == 0)
    {
      double avail_h = height - (self->has_scale ? SCALE_HEIGHT : 0);

      *scale = MAX (MIN ((double) width / self->tile_w, avail_h / self->tile_h), 0.01);
      *x = floor ((width - self->tile_w * *scale) / 2);
      *y = floor ((avail_h - self->tile_h * *scale) / 2);
      return;
    }
  {
    int cols = columns_for_width (self, width);

    *scale = self->zoom;
    *x = (i % cols) * cell_size_w (self);
    *y = (i / cols) * cell_size_h (self);
  }
}

static void
draw_scale (AnTileGrid *self, cairo_t *cr, int width, double top)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int bar_w = MIN (width - 8, 240);
  g_autofree char *lo = g_strdup_printf ("%.3g", self->scale_lo);
  g_autofree char *hi = g_strdup_printf ("%.3g", self->scale_hi);
  PangoLayout *layout;
  GdkRGBA fg;
  int lw, lh;

  for (int x = 0; x < bar_w; x++)
    {
      guint32 c = an_tiles_colormap (self->scale_map, (double) x / MAX (bar_w - 1, 1));

      cairo_set_source_rgb (cr, (c >> 16 & 0xff) / 255.0, (c >> 8 & 0xff) / 255.0,
                            (c & 0xff) / 255.0);
      cairo_rectangle (cr, x, top + 4, 1, 10);
      cairo_fill (cr);
    }
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  gdk_cairo_set_source_rgba (cr, &fg);
  layout = gtk_widget_create_pango_layout (widget, lo);
  cairo_move_to (cr, 0, top + 16);
  pango_cairo_show_layout (cr, layout);
  pango_layout_set_text (layout, hi, -1);
  pango_layout_get_pixel_size (layout, &lw, &lh);
  cairo_move_to (cr, bar_w - lw, top + 16);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

static void
draw_tiles (AnTileGrid *self, cairo_t *cr, int width, int height)
{
  double bottom = 0.0;
  int first_sel = self->selected >= 0 ? self->selected * self->per_item : -1;

  for (int i = 0; i < self->n; i++)
    {
      double x, y, scale;

      tile_geometry (self, width, height, i, &x, &y, &scale);
      cairo_save (cr);
      cairo_translate (cr, x, y);
      cairo_scale (cr, scale, scale);
      cairo_set_source_surface (cr, self->atlas, 0, -(double) i * self->tile_h);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_rectangle (cr, 0, 0, self->tile_w, self->tile_h);
      cairo_fill (cr);
      cairo_restore (cr);
      bottom = MAX (bottom, y + self->tile_h * scale);
      /* the item shown enlarged elsewhere: outlined in the accent colour */
      if (first_sel >= 0 && i >= first_sel && i < first_sel + self->per_item && self->zoom != 0)
        {
          GdkRGBA accent = { 0.21, 0.52, 0.89, 1.0 };

          G_GNUC_BEGIN_IGNORE_DEPRECATIONS
          gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (self)),
                                          "accent_color", &accent);
          G_GNUC_END_IGNORE_DEPRECATIONS
          /* inside the tile (the first one touches the widget's edge): a 3 px accent frame
           * with a white line inside it, seen on any colour map */
          gdk_cairo_set_source_rgba (cr, &accent);
          cairo_set_line_width (cr, 3.0);
          cairo_rectangle (cr, x + 1.5, y + 1.5, self->tile_w * scale - 3.0,
                           self->tile_h * scale - 3.0);
          cairo_stroke (cr);
          cairo_set_source_rgb (cr, 1.0, 1.0, 1.0);
          cairo_set_line_width (cr, 1.0);
          cairo_rectangle (cr, x + 3.5, y + 3.5, self->tile_w * scale - 7.0,
                           self->tile_h * scale - 7.0);
          cairo_stroke (cr);
        }
    }
  if (self->has_scale)
    draw_scale (self, cr, width, self->zoom == 0 ? height - SCALE_HEIGHT : bottom);
}

static void
an_tile_grid_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  AnTileGrid *self = AN_TILE_GRID (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (self->n == 0 || width <= 0 || height <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  draw_tiles (self, cr, width, height);
  cairo_destroy (cr);
}

static GtkSizeRequestMode
an_tile_grid_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
an_tile_grid_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                      int *natural, int *minimum_baseline, int *natural_baseline)
{
  AnTileGrid *self = AN_TILE_GRID (widget);
  int extra = self->has_scale ? SCALE_HEIGHT : 0;

  if (self->n == 0)
    {
      *minimum = *natural = 0;
      return;
    }
  if (self->zoom == 0)
    {
      int size = orientation == GTK_ORIENTATION_HORIZONTAL ? self->tile_w : self->tile_h;

      *minimum = MIN (size, 64) + (orientation == GTK_ORIENTATION_VERTICAL ? extra : 0);
      *natural = CLAMP (size * 4, 128, 320) + (orientation == GTK_ORIENTATION_VERTICAL ? extra : 0);
      return;
    }
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int cols = natural_columns (self);

      *minimum = cell_size_w (self);
      *natural = cols * cell_size_w (self);
    }
  else
    {
      int width = for_size >= 0 ? for_size : natural_columns (self) * cell_size_w (self);
      int cols = columns_for_width (self, width);
      int rows = (self->n + cols - 1) / cols;

      *minimum = *natural = rows * cell_size_h (self) + extra;
    }
}

int
an_tile_grid_tile_at (AnTileGrid *self, double x, double y)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  g_return_val_if_fail (AN_IS_TILE_GRID (self), -1);

  for (int i = 0; i < self->n; i++)
    {
      double tx, ty, scale;

      tile_geometry (self, width, height, i, &tx, &ty, &scale);
      if (x >= tx && y >= ty && x < tx + self->tile_w * scale && y < ty + self->tile_h * scale)
        return i;
    }
  return -1;
}

static void
on_click (GtkGestureClick *gesture, int n_press, double x, double y, AnTileGrid *self)
{
  int i = an_tile_grid_tile_at (self, x, y);

  if (i >= 0)
    g_signal_emit (self, signals[SIGNAL_TILE_ACTIVATED], 0, i);
}

char *
an_tile_grid_describe_tile (AnTileGrid *self, int tile)
{
  int item;
  g_autofree char *tower = NULL;
  g_autofree char *head = NULL;

  g_return_val_if_fail (AN_IS_TILE_GRID (self), NULL);

  if (tile < 0 || tile >= self->n)
    return NULL;
  if (self->kind == TILES_IMAGE || self->item_min == NULL)
    /* Translators: tooltip of an image: its size in pixels */
    return g_strdup_printf (_("%d×%d pixels"), self->tile_w, self->tile_h);
  item = tile / self->per_item;
  if (self->tower_name != NULL)
    tower = g_strdup (self->tower_name);
  else if (self->towers == 2)
    tower = g_strdup (item < self->n / self->per_item / 2 ? "A" : "B");
  if (self->kind == TILES_FILTERS)
    head = tower != NULL ? g_strdup_printf (_("Filter %d, tower %s"), item, tower)
                         : g_strdup_printf (_("Filter %d"), item);
  else
    head = tower != NULL ? g_strdup_printf (_("Map %d, tower %s"), item, tower)
                         : g_strdup_printf (_("Map %d"), item);
  if (self->per_item > 1)
    {
      /* Translators: a filter drawn as one tile per input channel: which one this is */
      g_autofree char *with_channel =
        g_strdup_printf (_("%s (input channel %d)"), head, tile % self->per_item);
      g_free (head);
      head = g_steal_pointer (&with_channel);
    }
  /* Translators: tooltip of a filter or map: its name, then its lowest and highest value */
  return g_strdup_printf (_("%s\nmin %.4g, max %.4g"), head, self->item_min[item],
                          self->item_max[item]);
}

static gboolean
an_tile_grid_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard,
                            GtkTooltip *tooltip)
{
  AnTileGrid *self = AN_TILE_GRID (widget);
  int tile = keyboard ? self->selected * self->per_item : an_tile_grid_tile_at (self, x, y);
  g_autofree char *text = an_tile_grid_describe_tile (self, tile);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

void
an_tile_grid_set_towers (AnTileGrid *self, const char *tower_name, int towers)
{
  g_return_if_fail (AN_IS_TILE_GRID (self));

  g_free (self->tower_name);
  self->tower_name = g_strdup (tower_name);
  self->towers = towers;
}

void
an_tile_grid_set_selected (AnTileGrid *self, int item)
{
  g_return_if_fail (AN_IS_TILE_GRID (self));

  if (self->selected == item)
    return;
  self->selected = item;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
an_tile_grid_get_selected (AnTileGrid *self)
{
  g_return_val_if_fail (AN_IS_TILE_GRID (self), -1);
  return self->selected;
}

void
an_tile_grid_set_zoom (AnTileGrid *self, int zoom)
{
  g_return_if_fail (AN_IS_TILE_GRID (self));

  zoom = CLAMP (zoom, 0, 64);
  if (self->zoom == zoom)
    return;
  self->zoom = zoom;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

int
an_tile_grid_get_zoom (AnTileGrid *self)
{
  g_return_val_if_fail (AN_IS_TILE_GRID (self), 0);
  return self->zoom;
}

int
an_tile_grid_height_for_width (AnTileGrid *self, int width)
{
  int height, dummy;

  g_return_val_if_fail (AN_IS_TILE_GRID (self), 0);

  an_tile_grid_measure (GTK_WIDGET (self), GTK_ORIENTATION_VERTICAL, width, &height, &dummy,
                        NULL, NULL);
  if (self->zoom == 0)
    height = MAX (gtk_widget_get_height (GTK_WIDGET (self)), height);
  return height;
}

void
an_tile_grid_draw (AnTileGrid *self, cairo_t *cr, int width, int height)
{
  g_return_if_fail (AN_IS_TILE_GRID (self));

  if (self->n > 0)
    draw_tiles (self, cr, width, height);
}

GtkWidget *
an_tile_grid_new (void)
{
  return g_object_new (AN_TYPE_TILE_GRID, NULL);
}

static void
an_tile_grid_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_ZOOM:
      g_value_set_int (value, AN_TILE_GRID (object)->zoom);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
an_tile_grid_set_property (GObject *object, guint prop_id, const GValue *value,
                           GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_ZOOM:
      an_tile_grid_set_zoom (AN_TILE_GRID (object), g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
an_tile_grid_finalize (GObject *object)
{
  AnTileGrid *self = AN_TILE_GRID (object);

  g_clear_pointer (&self->atlas, cairo_surface_destroy);
  g_free (self->item_min);
  g_free (self->item_max);
  g_free (self->tower_name);
  G_OBJECT_CLASS (an_tile_grid_parent_class)->finalize (object);
}

static void
an_tile_grid_class_init (AnTileGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = an_tile_grid_get_property;
  object_class->set_property = an_tile_grid_set_property;
  object_class->finalize = an_tile_grid_finalize;
  widget_class->snapshot = an_tile_grid_snapshot;
  widget_class->measure = an_tile_grid_measure;
  widget_class->get_request_mode = an_tile_grid_get_request_mode;
  widget_class->query_tooltip = an_tile_grid_query_tooltip;

  properties[PROP_ZOOM] =
    g_param_spec_int ("zoom", NULL, NULL, 0, 64, 4,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A tile was clicked: its index. */
  signals[SIGNAL_TILE_ACTIVATED] =
    g_signal_new ("tile-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  gtk_widget_class_set_css_name (widget_class, "tilegrid");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
an_tile_grid_init (AnTileGrid *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  self->zoom = 4;
  self->selected = -1;
  self->per_item = 1;
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (click, "released", G_CALLBACK (on_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}
