/* an-render.c: tensors as pictures (an-render.h). */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-render.h"

#define BACKGROUND 40 /* the grey between tiles */
#define NOT_FINITE 128

/* The lowest and highest finite value of n; FALSE when none is finite. */
static gboolean
finite_range (const float *x, gsize n, float *lo, float *hi)
{
  float l = INFINITY, h = -INFINITY;

  for (gsize i = 0; i < n; i++)
    if (isfinite (x[i]))
      {
        l = MIN (l, x[i]);
        h = MAX (h, x[i]);
      }
  *lo = l;
  *hi = h;
  return l <= h;
}

/* v scaled from [lo, hi] to a byte: 128 for a value that is not finite or a range of one */
static guint8
to_byte (float v, float lo, float hi)
{
  if (!isfinite (v) || !(hi > lo))
    return NOT_FINITE;
  return (guint8) lrintf (CLAMP ((v - lo) / (hi - lo), 0.0f, 1.0f) * 255.0f);
}

int
an_filter_tile_count (int channels)
{
  return channels == 3 ? 1 : channels;
}

void
an_render_filter (const float *w, int channels, int kh, int kw, guint8 *rgb)
{
  gsize plane = (gsize) kh * kw;
  float lo, hi;

  if (!finite_range (w, plane * channels, &lo, &hi))
    lo = hi = 0;
  for (gsize p = 0; p < plane; p++)
    {
      if (channels == 3)
        {
          for (int c = 0; c < 3; c++)
            rgb[3 * p + c] = to_byte (w[c * plane + p], lo, hi);
          continue;
        }
      for (int c = 0; c < channels; c++)
        {
          guint8 v = to_byte (w[c * plane + p], lo, hi);
          guint8 *o = rgb + 3 * (c * plane + p);

          o[0] = o[1] = o[2] = v;
        }
    }
}

/* Copies a tile of th x tw RGB pixels into img (planar) at (oy, ox), zoom x. */
static void
put_tile (AnImage *img, const guint8 *tile, int th, int tw, int oy, int ox, int zoom)
{
  gsize plane = (gsize) img->height * img->width;

  for (int y = 0; y < th * zoom; y++)
    for (int x = 0; x < tw * zoom; x++)
      for (int c = 0; c < img->channels; c++)
        img->pixels[c * plane + (gsize) (oy + y) * img->width + ox + x] =
          tile[3 * ((y / zoom) * tw + x / zoom) + (img->channels == 3 ? c : 0)];
}

AnImage *
an_render_filter_bank (const float *w, int n, int channels, int kh, int kw, int towers,
                       int zoom)
{
  g_return_val_if_fail (n > 0 && channels > 0 && towers >= 1 && n % towers == 0, NULL);

  int tiles = an_filter_tile_count (channels);
  int per = n / towers;
  /* a filter's tiles stay on one row: the columns are a multiple of them */
  int cols = MAX ((int) ceil (sqrt ((double) per * tiles)), tiles);
  cols = (cols + tiles - 1) / tiles * tiles;
  int filters_per_row = cols / tiles;
  int rows = (per + filters_per_row - 1) / filters_per_row;
  int th = kh * zoom + 1, tw = kw * zoom + 1, gap = 4 * zoom;
  int block = rows * th + 1;
  gsize filter_size = (gsize) channels * kh * kw;
  g_autofree guint8 *rgb = g_new (guint8, (gsize) 3 * tiles * kh * kw);
  AnImage *img = an_image_new (3, towers * block + (towers - 1) * gap, cols * tw + 1);
  memset (img->pixels, BACKGROUND, (gsize) 3 * img->height * img->width);
  for (int f = 0; f < n; f++)
    {
      int t = f / per, j = f % per;
      int oy = t * (block + gap) + 1 + (j / filters_per_row) * th;

      an_render_filter (w + f * filter_size, channels, kh, kw, rgb);
      for (int k = 0; k < tiles; k++)
        put_tile (img, rgb + (gsize) 3 * k * kh * kw, kh, kw, oy,
                  1 + ((j % filters_per_row) * tiles + k) * tw, zoom);
    }
  return img;
}

AnImage *
an_render_maps (const float *maps, int n, int h, int w, int zoom, gboolean per_map)
{
  int cols = (int) ceil (sqrt (n)), rows = (n + cols - 1) / cols;
  int tw = w * zoom + 1, th = h * zoom + 1;
  gsize plane = (gsize) h * w;
  g_autofree guint8 *tile = g_new (guint8, 3 * plane);
  AnImage *img = an_image_new (1, rows * th + 1, cols * tw + 1);
  float lo, hi;

  memset (img->pixels, BACKGROUND, (gsize) img->height * img->width);
  finite_range (maps, (gsize) n * plane, &lo, &hi);
  for (int k = 0; k < n; k++)
    {
      const float *m = maps + k * plane;

      if (per_map)
        finite_range (m, plane, &lo, &hi);
      for (gsize i = 0; i < plane; i++)
        tile[3 * i] = to_byte (m[i], lo, hi);
      put_tile (img, tile, h, w, 1 + (k / cols) * th, 1 + (k % cols) * tw, zoom);
    }
  return img;
}
