/* an-pipeline.c: the input pipelines (an-pipeline.h, docs/DATA.md "Pipelines").
 *
 * Random numbers, for image i of epoch e (seed s):
 *   crop y, crop x, flip  an_rng_uniform (s, AN_RNG_STREAM (AN_RNG_AUGMENT, 0, e), 4 i + {0, 1, 2})
 *   RandomResizedCrop     an_rng_uniform (s, AN_RNG_STREAM (AN_RNG_AUGMENT, 2, e), 40 i + 4 a + k),
 *                         attempt a = 0..9, k = 0 scale, 1 log-ratio, 2 top, 3 left
 *   PCA alpha_k           an_rng_normal (s, AN_RNG_STREAM (AN_RNG_AUGMENT, 1, e), 3 i + k)
 * pad-crop keeps the streams and order of the batcher before pipelines had names, so its
 * batches are unchanged.
 */
#define G_LOG_DOMAIN "alexnet-data"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-config.h"
#include "an-dataset-private.h"
#include "an-pipeline.h"
#include "an-rng.h"

enum {
  CROP_PAD = 4, /* pad-crop: the window moves up to this far from the centre */
  UNIFORM_CROP_Y = 0,
  UNIFORM_CROP_X = 1,
  UNIFORM_FLIP = 2,
  UNIFORMS_PER_IMAGE = 4,
  RRC_ATTEMPTS = 10,
  RRC_UNIFORMS_PER_IMAGE = 4 * RRC_ATTEMPTS,
  LARGE_INPUT = 64, /* auto: inputs with a side over this take the paper's pipeline */
};

const char *const an_pipeline_names[] = { "auto", "pad-crop", "paper", "torchvision", NULL };

const char *
an_pipeline_to_string (AnPipeline p)
{
  return p >= AN_PIPELINE_AUTO && p <= AN_PIPELINE_TORCHVISION ? an_pipeline_names[p] : "?";
}

int
an_pipeline_base_size (const AnInputSpec *spec)
{
  return MAX (AN_PIPELINE_BASE_SIZE, MAX (spec->height, spec->width));
}

static gboolean
large_input (const AnInputSpec *spec)
{
  return spec->height > LARGE_INPUT || spec->width > LARGE_INPUT;
}

AnPipeline
an_pipeline_resolve (AnPipeline p, const AnInputSpec *spec, gboolean image_files)
{
  if (p != AN_PIPELINE_AUTO)
    return p;
  return image_files && large_input (spec) ? AN_PIPELINE_PAPER : AN_PIPELINE_PAD_CROP;
}

static AnPipeline
resolve_sample (AnPipeline p, const AnInputSpec *spec)
{
  if (p == AN_PIPELINE_AUTO)
    return large_input (spec) ? AN_PIPELINE_PAPER : AN_PIPELINE_PAD_CROP;
  return p;
}

int
an_pipeline_min_short_side (AnPipeline p, const AnInputSpec *spec)
{
  if (resolve_sample (p, spec) == AN_PIPELINE_PAD_CROP)
    return MAX (spec->height, spec->width);
  return an_pipeline_base_size (spec);
}

/* Python's round(): halves to even (the default rounding mode) */
static int
round_even (double v)
{
  return (int) rint (v);
}

/* torchvision's Resize(size) of an image: the shorter side becomes size, the longer
 * int(size * long / short) */
static void
short_side_size (int h, int w, int size, int *rh, int *rw)
{
  if (h <= w)
    {
      *rh = size;
      *rw = (int) ((double) size * w / h);
    }
  else
    {
      *rw = size;
      *rh = (int) ((double) size * h / w);
    }
}

/* view 0..4 of an (H, W) window in a (bh, bw) area: corners, then the centre (torchvision's
 * FiveCrop order and centre rounding) */
static void
view_offset (int view, int bh, int bw, int H, int W, int *y, int *x)
{
  switch (view % 5)
    {
    case 0: *y = 0, *x = 0; break;
    case 1: *y = 0, *x = bw - W; break;
    case 2: *y = bh - H, *x = 0; break;
    case 3: *y = bh - H, *x = bw - W; break;
    default:
      *y = round_even ((bh - H) / 2.0);
      *x = round_even ((bw - W) / 2.0);
      break;
    }
}

/* torchvision's RandomResizedCrop.get_params (scale 0.08..1, ratio 3/4..4/3) on the given
 * uniforms: 10 attempts, then the whole image clipped to the ratio range, centred. */
static void
random_resized_crop (int h, int w, guint64 seed, guint64 stream, guint64 base, int *y, int *x,
                     int *ch, int *cw)
{
  double area = (double) h * w;
  double lr0 = log (3.0 / 4.0), lr1 = log (4.0 / 3.0);
  for (int a = 0; a < RRC_ATTEMPTS; a++)
    {
      guint64 k = base + 4 * (guint64) a;
      double target = area * (0.08 + (1.0 - 0.08) * an_rng_uniform (seed, stream, k));
      double ratio = exp (lr0 + (lr1 - lr0) * an_rng_uniform (seed, stream, k + 1));
      int tw = round_even (sqrt (target * ratio)), th = round_even (sqrt (target / ratio));
      if (tw > 0 && tw <= w && th > 0 && th <= h)
        {
          *ch = th, *cw = tw;
          *y = (int) floor (an_rng_uniform (seed, stream, k + 2) * (double) (h - th + 1));
          *x = (int) floor (an_rng_uniform (seed, stream, k + 3) * (double) (w - tw + 1));
          return;
        }
    }
  double in_ratio = (double) w / h;
  if (in_ratio < 3.0 / 4.0)
    *cw = w, *ch = round_even (w / (3.0 / 4.0));
  else if (in_ratio > 4.0 / 3.0)
    *ch = h, *cw = round_even (h * (4.0 / 3.0));
  else
    *cw = w, *ch = h;
  *y = (h - *ch) / 2;
  *x = (w - *cw) / 2;
}

void
an_pipeline_geometry (AnPipeline p, const AnInputSpec *spec, int h, int w, gboolean train,
                      guint64 seed, int epoch, int image, int view, AnPipelineGeometry *g)
{
  int H = spec->height, W = spec->width;
  guint64 stream = AN_RNG_STREAM (AN_RNG_AUGMENT, 0, epoch);
  guint64 base = (guint64) image * UNIFORMS_PER_IMAGE;
  memset (g, 0, sizeof *g);
  g->crop_h = H;
  g->crop_w = W;
  if (train)
    g->flip = spec->flip && an_rng_uniform (seed, stream, base + UNIFORM_FLIP) < 0.5f;
  else
    g->flip = view >= 5;
  if (!train)
    view = CLAMP (view, 0, AN_PIPELINE_VIEWS - 1);

  switch (resolve_sample (p, spec))
    {
    case AN_PIPELINE_PAD_CROP:
      g->base_h = H, g->base_w = W;
      if (train)
        {
          g->zero_pad = TRUE;
          if (spec->crop)
            {
              g->y = (int) (an_rng_uniform (seed, stream, base + UNIFORM_CROP_Y) *
                            (2 * CROP_PAD + 1)) - CROP_PAD;
              g->x = (int) (an_rng_uniform (seed, stream, base + UNIFORM_CROP_X) *
                            (2 * CROP_PAD + 1)) - CROP_PAD;
            }
        }
      else
        {
          view_offset (view, H + 2 * CROP_PAD, W + 2 * CROP_PAD, H, W, &g->y, &g->x);
          g->y -= CROP_PAD;
          g->x -= CROP_PAD;
        }
      break;

    case AN_PIPELINE_TORCHVISION:
      if (train)
        {
          g->base_h = h, g->base_w = w;
          random_resized_crop (h, w, seed, AN_RNG_STREAM (AN_RNG_AUGMENT, 2, epoch),
                               (guint64) image * RRC_UNIFORMS_PER_IMAGE, &g->y, &g->x,
                               &g->crop_h, &g->crop_w);
        }
      else
        {
          short_side_size (h, w, an_pipeline_base_size (spec), &g->base_h, &g->base_w);
          view_offset (view, g->base_h, g->base_w, H, W, &g->y, &g->x);
        }
      break;

    case AN_PIPELINE_PAPER:
    default:
      {
        int S = an_pipeline_base_size (spec), sy, sx;
        short_side_size (h, w, S, &g->base_h, &g->base_w);
        view_offset (AN_PIPELINE_VIEW_CENTRE, g->base_h, g->base_w, S, S, &sy, &sx);
        if (train)
          {
            g->y = (int) floor (an_rng_uniform (seed, stream, base + UNIFORM_CROP_Y) *
                                (double) (S - H + 1));
            g->x = (int) floor (an_rng_uniform (seed, stream, base + UNIFORM_CROP_X) *
                                (double) (S - W + 1));
          }
        else
          view_offset (view, S, S, H, W, &g->y, &g->x);
        g->y += sy;
        g->x += sx;
      }
      break;
    }
}

static const float luma_weights[3] = { 0.299f, 0.587f, 0.114f };

/* pad-crop: the (H, W) window of unit (C, H, W) at (dy, dx), outside filled with 0 or the
 * nearest edge value */
static void
shift_window (const float *unit, int C, int H, int W, int dy, int dx, gboolean zero_pad,
              float *out)
{
  for (int c = 0; c < C; c++)
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++)
        {
          int sy = y + dy, sx = x + dx;
          float v;
          if (sy >= 0 && sy < H && sx >= 0 && sx < W)
            v = unit[((gsize) c * H + sy) * W + sx];
          else if (zero_pad)
            v = 0.0f;
          else
            v = unit[((gsize) c * H + CLAMP (sy, 0, H - 1)) * W + CLAMP (sx, 0, W - 1)];
          out[((gsize) c * H + y) * W + x] = v;
        }
}

/* The window of an 8-bit (channels, bh, bw) image to (C, H, W) units, resized when the window
 * is not (H, W). */
static void
window_to_unit (const guint8 *img, int channels, int bh, int bw, const AnPipelineGeometry *g,
                int C, int H, int W, float *out)
{
  int ch = g->crop_h, cw = g->crop_w;
  gsize plane = (gsize) H * W, src_plane = (gsize) bh * bw;
  gboolean resize = ch != H || cw != W;
  g_autofree guint8 *region = resize ? g_new (guint8, (gsize) ch * cw) : NULL;
  g_autofree float *resized = resize ? g_new (float, plane) : NULL;
  gboolean luma = channels == 3 && C == 1;
  /* each output plane is its first term, then the others added (luma): the sums start from
   * that term rather than from 0, the same numbers */
  for (int c = 0; c < C; c++)
    for (int k = 0; k < (luma ? 3 : 1); k++)
      {
        int sc = luma ? k : channels == 1 ? 0 : c;
        float wgt = (luma ? luma_weights[k] : 1.0f) / 255.0f;
        const guint8 *src = img + sc * src_plane;
        float *dst = out + c * plane;
        if (resize)
          {
            for (int y = 0; y < ch; y++)
              memcpy (region + (gsize) y * cw, src + (gsize) (g->y + y) * bw + g->x, cw);
            an_resample_plane (region, ch, cw, resized, H, W);
            if (k == 0)
              for (gsize i = 0; i < plane; i++)
                dst[i] = wgt * resized[i];
            else
              for (gsize i = 0; i < plane; i++)
                dst[i] += wgt * resized[i];
          }
        else
          for (int y = 0; y < H; y++)
            {
              const guint8 *row = src + (gsize) (g->y + y) * bw + g->x;
              float *d = dst + (gsize) y * W;
              if (k == 0)
#pragma omp simd
                for (int x = 0; x < W; x++)
                  d[x] = wgt * row[x];
              else
#pragma omp simd
                for (int x = 0; x < W; x++)
                  d[x] += wgt * row[x];
            }
      }
}

static void
mirror (float *x, int C, int H, int W)
{
  for (int c = 0; c < C; c++)
    for (int y = 0; y < H; y++)
      {
        float *row = x + ((gsize) c * H + y) * W;
        for (int i = 0; i < W / 2; i++)
          {
            float t = row[i];
            row[i] = row[W - 1 - i];
            row[W - 1 - i] = t;
          }
      }
}

void
an_pipeline_sample (AnPipeline p, const AnInputSpec *spec, const guint8 *pixels, int channels,
                    int h, int w, gboolean train, guint64 seed, int epoch, int image, int view,
                    float *out)
{
  g_return_if_fail (channels == 1 || channels == 3);
  g_return_if_fail (spec->channels == 1 || spec->channels == 3);
  int C = spec->channels, H = spec->height, W = spec->width;
  gsize plane = (gsize) H * W;
  AnPipeline rp = resolve_sample (p, spec);
  AnPipelineGeometry g;
  an_pipeline_geometry (rp, spec, h, w, train, seed, epoch, image, view, &g);

  if (rp == AN_PIPELINE_PAD_CROP)
    {
      g_autofree float *unit = g_new (float, C * plane);
      an_input_to_unit (spec, pixels, channels, h, w, unit);
      if (g.y == 0 && g.x == 0)
        memcpy (out, unit, C * plane * sizeof (float));
      else
        shift_window (unit, C, H, W, g.y, g.x, g.zero_pad, out);
    }
  else
    {
      if (g.base_h != h || g.base_w != w)
        {
          /* only the window of the resized image that the crop keeps is computed (the same
           * numbers as resizing the whole and cropping) */
          AnImage src = { channels, h, w, (guint8 *) pixels };
          g_autoptr (AnImage) window =
            an_image_resize_window (&src, g.base_h, g.base_w, g.y, g.x, g.crop_h, g.crop_w);
          AnPipelineGeometry wg = g;
          wg.y = wg.x = 0;
          window_to_unit (window->pixels, channels, g.crop_h, g.crop_w, &wg, C, H, W, out);
        }
      else
        window_to_unit (pixels, channels, h, w, &g, C, H, W, out);
    }
  if (g.flip)
    mirror (out, C, H, W);

  if (train && spec->pca)
    {
      guint64 normals = AN_RNG_STREAM (AN_RNG_AUGMENT, 1, epoch);
      float shift[3] = { 0 };
      for (int i = 0; i < 3; i++)
        {
          double alpha = spec->pca_std * an_rng_normal (seed, normals, (guint64) image * 3 + i);
          for (int c = 0; c < 3; c++)
            shift[c] += (float) (alpha * spec->pca_eigval[i] * spec->pca_eigvec[i][c]);
        }
      for (int c = 0; c < C; c++)
        for (gsize i = 0; i < plane; i++)
          out[c * plane + i] += shift[c];
    }
  an_input_normalize (spec, out);
}

AnImage *
an_pipeline_square (const AnImage *img, int size)
{
  int rh, rw, y, x;
  short_side_size (img->height, img->width, size, &rh, &rw);
  view_offset (AN_PIPELINE_VIEW_CENTRE, rh, rw, size, size, &y, &x);
  if (rh != img->height || rw != img->width)
    return an_image_resize_window (img, rh, rw, y, x, size, size); /* the centre alone */
  AnImage *out = an_image_new (img->channels, size, size);
  for (int c = 0; c < img->channels; c++)
    for (int r = 0; r < size; r++)
      memcpy (out->pixels + ((gsize) c * size + r) * size,
              img->pixels + ((gsize) c * rh + y + r) * rw + x, size);
  return out;
}

gboolean
an_pipeline_image_files (const char *data_spec)
{
  return g_str_has_prefix (data_spec, "folder:") || g_str_has_prefix (data_spec, "packed:");
}
