/* an-tile-grid.h: a grid of small images (filters, feature maps) scaled nearest-neighbour. */
#pragma once

#include <gtk/gtk.h>

#include "an-tiles.h"

G_BEGIN_DECLS

#define AN_TYPE_TILE_GRID (an_tile_grid_get_type ())
G_DECLARE_FINAL_TYPE (AnTileGrid, an_tile_grid, AN, TILE_GRID, GtkWidget)

GtkWidget *an_tile_grid_new (void);

/* n filters (n, channels, kh, kw), each normalised on its own. */
void an_tile_grid_set_filters (AnTileGrid *self, const float *w, int n, int channels, int kh,
                               int kw);
/* n maps (n, h, w) through a colour map on one shared scale [lo, hi], shown as a colour bar. */
void an_tile_grid_set_maps (AnTileGrid *self, const float *data, int n, int h, int w,
                            double lo, double hi, AnColormap map);
/* One 8-bit image (channels 1 or 3, CHW). */
void an_tile_grid_set_image (AnTileGrid *self, const guint8 *pixels, int channels, int h, int w);
void an_tile_grid_clear (AnTileGrid *self);

int an_tile_grid_get_n_tiles (AnTileGrid *self);
/* Screen pixels per tile pixel; 0 fits a single tile to the widget. */
void an_tile_grid_set_zoom (AnTileGrid *self, int zoom);
int an_tile_grid_get_zoom (AnTileGrid *self);

/* The tile under a point of the widget, or -1. */
int an_tile_grid_tile_at (AnTileGrid *self, double x, double y);
/* What the tooltip says of a tile: "Map 5, tower B" / "Filter 3 (input channel 1)", then the
 * item's lowest and highest value; an image's size. NULL out of range. */
char *an_tile_grid_describe_tile (AnTileGrid *self, int tile);
/* The tower the tooltip names: tower_name for every item ("A"), or with towers = 2 "A" for the
 * first half of the items and "B" for the second; neither: no tower. */
void an_tile_grid_set_towers (AnTileGrid *self, const char *tower_name, int towers);
/* The item (filter or map) outlined as the one shown enlarged elsewhere; -1: none. */
void an_tile_grid_set_selected (AnTileGrid *self, int item);
int an_tile_grid_get_selected (AnTileGrid *self);

/* For exports: the height the grid needs at a width, and drawing it onto any cairo context. */
int an_tile_grid_height_for_width (AnTileGrid *self, int width);
void an_tile_grid_draw (AnTileGrid *self, cairo_t *cr, int width, int height);

G_END_DECLS
