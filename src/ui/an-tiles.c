#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-tiles.c: tensor-to-pixel helpers for the feature-map views and the filters' colourfulness;
 * the viridis stops are the published colour map's endpoints and quartiles.
 */

#include <math.h>

#include "an-tiles.h"

static guint32
pack_rgb (double r, double g, double b)
{
  guint32 R = (guint32) CLAMP (r * 255.0 + 0.5, 0, 255);
  guint32 G = (guint32) CLAMP (g * 255.0 + 0.5, 0, 255);
  guint32 B = (guint32) CLAMP (b * 255.0 + 0.5, 0, 255);

  return 0xff000000u | R << 16 | G << 8 | B;
}

gboolean
an_tiles_min_max (const float *data, gsize n, double *lo, double *hi)
{
  double l = INFINITY, h = -INFINITY;

  for (gsize i = 0; i < n; i++)
    {
      if (!isfinite (data[i]))
        continue;
      l = MIN (l, data[i]);
      h = MAX (h, data[i]);
    }
  if (!(l <= h))
    return FALSE;
  *lo = l;
  *hi = h;
  return TRUE;
}

double
an_tiles_colourfulness (const float *w, int n, int channels, int kh, int kw)
{
  gsize plane = (gsize) kh * kw;
  double total = 0.0;
  int counted = 0;

  if (channels != 3 || n <= 0)
    return NAN;

  for (int f = 0; f < n; f++)
    {
      const float *filter = w + (gsize) f * 3 * plane;
      double mean = 0.0, energy = 0.0, chroma = 0.0;

      for (gsize i = 0; i < 3 * plane; i++)
        mean += filter[i];
      mean /= 3 * plane;
      for (gsize p = 0; p < plane; p++)
        {
          double grey = (filter[p] + filter[plane + p] + filter[2 * plane + p]) / 3.0;

          for (int c = 0; c < 3; c++)
            {
              double v = filter[c * plane + p];

              energy += (v - mean) * (v - mean);
              chroma += (v - grey) * (v - grey);
            }
        }
      if (energy > 0.0)
        {
          total += chroma / energy;
          counted++;
        }
    }
  return counted > 0 ? total / counted : 0.0;
}

guint32
an_tiles_colormap (AnColormap map, double t)
{
  static const double viridis[5][3] = {
    { 0.267, 0.005, 0.329 }, { 0.230, 0.322, 0.546 }, { 0.128, 0.567, 0.551 },
    { 0.369, 0.789, 0.383 }, { 0.993, 0.906, 0.144 },
  };

  if (isnan (t))
    return pack_rgb (0.5, 0.5, 0.5);
  t = CLAMP (t, 0.0, 1.0);

  switch (map)
    {
    case AN_COLORMAP_VIRIDIS:
      {
        double pos = t * 4.0;
        int i = MIN ((int) pos, 3);
        double f = pos - i;

        return pack_rgb (viridis[i][0] + f * (viridis[i + 1][0] - viridis[i][0]),
                         viridis[i][1] + f * (viridis[i + 1][1] - viridis[i][1]),
                         viridis[i][2] + f * (viridis[i + 1][2] - viridis[i][2]));
      }
    case AN_COLORMAP_DIVERGING:
      if (t < 0.5)
        {
          double f = t * 2.0; /* 0 = full blue, 1 = white */
          return pack_rgb (0.13 + 0.87 * f, 0.40 + 0.60 * f, 0.67 + 0.33 * f);
        }
      else
        {
          double f = (t - 0.5) * 2.0; /* 0 = white, 1 = full red */
          return pack_rgb (1.0 - 0.30 * f, 1.0 - 0.90 * f, 1.0 - 0.85 * f);
        }
    case AN_COLORMAP_GREY:
    default:
      return pack_rgb (t, t, t);
    }
}

void
an_tiles_map_to_rgb (const float *data, int h, int w, double lo, double hi, AnColormap map,
                     guint32 *out)
{
  gsize n = (gsize) h * w;

  if (map == AN_COLORMAP_DIVERGING)
    {
      double m = MAX (fabs (lo), fabs (hi));

      lo = -m;
      hi = m;
    }
  for (gsize i = 0; i < n; i++)
    {
      double t = hi > lo ? (data[i] - lo) / (hi - lo) : 0.5;

      out[i] = an_tiles_colormap (map, isfinite (data[i]) ? t : NAN);
    }
}

void
an_tiles_histogram (const float *data, gsize n, double lo, double hi, guint bins, guint *counts)
{
  double scale = hi > lo ? bins / (hi - lo) : 0.0;

  for (guint b = 0; b < bins; b++)
    counts[b] = 0;
  if (bins == 0)
    return;
  for (gsize i = 0; i < n; i++)
    {
      double b;

      if (!isfinite (data[i]))
        continue;
      b = floor ((data[i] - lo) * scale);
      counts[(guint) CLAMP (b, 0.0, (double) (bins - 1))]++;
    }
}
