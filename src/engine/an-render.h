/* an-render.h: tensors as pictures, for `alexnet filters` and the window: the one filter
 * renderer, a bank of filters laid out by tower, and grids of feature maps. Values that are not
 * finite never reach a pixel: they are drawn mid-grey, and ranges come from finite values only.
 */
#pragma once

#include <glib.h>

#include "data/an-dataset.h"

G_BEGIN_DECLS

/* The tiles a filter of `channels` input channels is drawn as: one RGB tile for 3 channels,
 * else one grey tile per channel. */
int an_filter_tile_count (int channels);

/* One filter (channels, kh, kw) as an_filter_tile_count (channels) tiles of kh x kw pixels,
 * 3 bytes each (R, G, B), tile after tile, row by row. The filter is normalised over all its
 * channels together (its lowest finite value black, its highest white), as the paper's
 * Figure 3, so its tiles and colours compare; a filter of one value is mid-grey. */
void an_render_filter (const float *w, int channels, int kh, int kw, guint8 *rgb);

/* A bank of n filters (n, channels, kh, kw) as one RGB picture: each filter's tiles side by
 * side, zoom x zoom pixels per weight, 1-pixel gaps; with towers = 2 the first and second
 * halves of the bank (the two towers' filters) in two blocks, one above the other. */
AnImage *an_render_filter_bank (const float *w, int n, int channels, int kh, int kw, int towers,
                                int zoom);

/* n maps of h x w as one grey picture (zoom x, 1-pixel gaps), each normalised over its own
 * finite values (per_map) or all of them over the finite values of all. */
AnImage *an_render_maps (const float *maps, int n, int h, int w, int zoom, gboolean per_map);

G_END_DECLS
