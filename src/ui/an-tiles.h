/* an-tiles.h: turning float tensors into pixels without GTK: feature maps through a colour map,
 * histograms, and the colourfulness of a filter bank (filters are drawn by the engine's
 * an_render_filter, an-render.h).
 * Pixels are cairo's CAIRO_FORMAT_RGB24 words (0xffRRGGBB) so widgets wrap them directly.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  AN_COLORMAP_GREY = 0,
  AN_COLORMAP_VIRIDIS,   /* dark blue (low) to yellow (high), for activations */
  AN_COLORMAP_DIVERGING, /* blue (negative), white (0), red (positive), for differences */
} AnColormap;

/* Share (0..1) of a 3-channel filter's energy, after removing its mean, that is chromatic
 * (differs between R, G and B), averaged over n filters. 0 for grey filters; NAN when
 * channels != 3 or n == 0. */
double an_tiles_colourfulness (const float *w, int n, int channels, int kh, int kw);

/* Finite minimum and maximum; FALSE when there is no finite value. */
gboolean an_tiles_min_max (const float *data, gsize n, double *lo, double *hi);

/* t in [0, 1] (clamped; NAN = grey 50%) to a colour. */
guint32 an_tiles_colormap (AnColormap map, double t);
/* data (h x w) to pixels; the diverging map puts 0 at its centre and uses max(|lo|, |hi|). */
void an_tiles_map_to_rgb (const float *data, int h, int w, double lo, double hi, AnColormap map,
                          guint32 *out);

/* Counts of finite values in `bins` equal bins over [lo, hi] (values outside are clamped into
 * the end bins). */
void an_tiles_histogram (const float *data, gsize n, double lo, double hi, guint bins,
                         guint *counts);

G_END_DECLS
