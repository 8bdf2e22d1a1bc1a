/* an-input.c: 8-bit images to the model's float input, the statistics behind normalisation
 * and colour jitter, and the seeded splits.
 * Inputs are CHW float. Pixel values become [0, 1] units (x / 255), then are normalised.
 * Grey from RGB is ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B).
 */
#define G_LOG_DOMAIN "alexnet-data"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-config.h"
#include "an-dataset-private.h"
#include "an-rng.h"

gboolean
an_input_pads (int src_height, int src_width, int dst_height, int dst_width)
{
  return src_height <= dst_height && src_width <= dst_width &&
         dst_height - src_height <= src_height / 4 && dst_width - src_width <= src_width / 4;
}

static const float luma_weights[3] = { 0.299f, 0.587f, 0.114f };

/* Source pixel p (of n per plane) as destination channel c, in 0..255, for the padded case.
 * Computed per sample, so padding an image allocates nothing (the batcher's thread converts
 * in a loop). */
static inline float
source_value (const guint8 *pixels, int channels, gsize n, int dst_channels, int c, gsize p)
{
  if (channels == 3 && dst_channels == 1)
    return luma_weights[0] * pixels[p] + luma_weights[1] * pixels[n + p] +
           luma_weights[2] * pixels[2 * n + p];
  return pixels[(channels == 1 ? 0 : (gsize) c) * n + p];
}

void
an_input_to_unit (const AnInputSpec *spec, const guint8 *pixels, int channels, int height,
                  int width, float *out)
{
  g_return_if_fail (channels == 1 || channels == 3);
  g_return_if_fail (spec->channels == 1 || spec->channels == 3);
  int H = spec->height, W = spec->width;
  gsize dst_plane = (gsize) H * W, n = (gsize) height * width;
  int C = spec->channels;
  gboolean pad = an_input_pads (height, width, H, W);
  int top = (H - height) / 2, left = (W - width) / 2;
  g_autofree float *plane = pad ? NULL : g_new (float, dst_plane);

  for (int c = 0; c < spec->channels; c++)
    {
      float *dst = out + c * dst_plane;
      if (pad)
        {
          memset (dst, 0, dst_plane * sizeof (float));
          for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
              dst[(gsize) (y + top) * W + x + left] =
                source_value (pixels, channels, n, C, c, (gsize) y * width + x) / 255.0f;
          continue;
        }
      /* resampled per source channel (an_resample_plane); grey from RGB is the luma of the
       * resampled channels, the same as resampling the luma since both are linear */
      memset (dst, 0, dst_plane * sizeof (float));
      gboolean luma = channels == 3 && C == 1;
      for (int k = 0; k < (luma ? 3 : 1); k++)
        {
          int sc = luma ? k : channels == 1 ? 0 : c;
          float w = (luma ? luma_weights[k] : 1.0f) / 255.0f;
          an_resample_plane (pixels + (gsize) sc * n, height, width, plane, H, W);
          for (gsize i = 0; i < dst_plane; i++)
            dst[i] += w * plane[i];
        }
    }
}

void
an_input_normalize (const AnInputSpec *spec, float *x)
{
  gsize plane = (gsize) spec->height * spec->width;
  for (int c = 0; c < spec->channels; c++)
    {
      float mean = 0.5f, inv_std = 2.0f;
      if (spec->normalize == AN_NORMALIZE_MEAN_STD)
        {
          mean = spec->mean[c];
          inv_std = 1.0f / spec->std[c];
        }
      float *p = x + c * plane;
#pragma omp simd
      for (gsize i = 0; i < plane; i++)
        p[i] = (p[i] - mean) * inv_std;
    }
}

void
an_input_from_image (const AnInputSpec *spec, const guint8 *pixels, int channels, int height,
                     int width, float *out)
{
  an_input_to_unit (spec, pixels, channels, height, width, out);
  an_input_normalize (spec, out);
}

/* Eigen-decomposition of a symmetric 3x3 matrix by cyclic Jacobi rotations: a is destroyed,
 * its diagonal ends as the eigenvalues; column j of v is the eigenvector of a[j][j]. */
static void
jacobi3 (double a[3][3], double v[3][3])
{
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      v[i][j] = i == j;
  for (int sweep = 0; sweep < 50; sweep++)
    {
      double off = fabs (a[0][1]) + fabs (a[0][2]) + fabs (a[1][2]);
      if (off < 1e-300)
        break;
      for (int p = 0; p < 2; p++)
        for (int q = p + 1; q < 3; q++)
          {
            if (a[p][q] == 0.0)
              continue;
            double theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
            double t = (theta >= 0 ? 1.0 : -1.0) / (fabs (theta) + sqrt (theta * theta + 1.0));
            double c = 1.0 / sqrt (t * t + 1.0), s = t * c;
            for (int k = 0; k < 3; k++)
              {
                double akp = a[k][p], akq = a[k][q];
                a[k][p] = c * akp - s * akq;
                a[k][q] = s * akp + c * akq;
              }
            for (int k = 0; k < 3; k++)
              {
                double apk = a[p][k], aqk = a[q][k];
                a[p][k] = c * apk - s * aqk;
                a[q][k] = s * apk + c * aqk;
              }
            for (int k = 0; k < 3; k++)
              {
                double vkp = v[k][p], vkq = v[k][q];
                v[k][p] = c * vkp - s * vkq;
                v[k][q] = s * vkp + c * vkq;
              }
          }
    }
}

void
an_input_spec_fit (AnInputSpec *spec, const AnDataset *ds, const int *indices, int count)
{
  g_return_if_fail (count > 0);
  int C = spec->channels;
  gsize plane = (gsize) spec->height * spec->width;
  g_autofree float *x = g_new (float, C * plane);
  /* per-image sums first, then the image totals: precise for 10^5 images of 10^5 pixels */
  double sum[3] = { 0 }, prod[3][3] = { { 0 } };
  /* a streamed or packed dataset: AN_INPUT_FIT_SAMPLES images evenly spread over the given
   * ones, not reading the whole folder or file before the first step */
  int total_images = count;
  if ((ds->pixels == NULL || ds->mapping != NULL) && count > AN_INPUT_FIT_SAMPLES)
    count = AN_INPUT_FIT_SAMPLES;
  int fitted = 0;
  for (int n = 0; n < count; n++)
    {
      int at = (int) ((gint64) n * total_images / count);
      int i = indices ? indices[at] : at;
      if (ds->pixels != NULL)
        {
          gsize image_bytes = (gsize) ds->channels * ds->height * ds->width;
          /* an image of a packed file's damaged chunk is left out too */
          if (!an_dataset_check_image (ds, i, NULL))
            continue;
          an_input_to_unit (spec, ds->pixels + (gsize) i * image_bytes, ds->channels,
                            ds->height, ds->width, x);
        }
      else
        {
          /* an image that does not decode is left out here; training reports it */
          g_autoptr (AnImage) img =
            an_dataset_get_image (ds, i, MAX (spec->height, spec->width), NULL);
          if (img == NULL || (img->channels != 1 && img->channels != 3))
            continue;
          an_input_to_unit (spec, img->pixels, img->channels, img->height, img->width, x);
        }
      fitted++;
      double s[3] = { 0 }, pr[3][3] = { { 0 } };
      for (gsize p = 0; p < plane; p++)
        for (int a = 0; a < C; a++)
          {
            double va = x[a * plane + p];
            s[a] += va;
            for (int b = a; b < C; b++)
              pr[a][b] += va * x[b * plane + p];
          }
      for (int a = 0; a < C; a++)
        {
          sum[a] += s[a];
          for (int b = a; b < C; b++)
            prod[a][b] += pr[a][b];
        }
    }
  double total = (double) MAX (fitted, 1) * plane;
  double mean[3], cov[3][3] = { { 0 } };
  for (int a = 0; a < C; a++)
    mean[a] = sum[a] / total;
  for (int a = 0; a < C; a++)
    for (int b = a; b < C; b++)
      cov[a][b] = cov[b][a] = prod[a][b] / total - mean[a] * mean[b];
  for (int a = 0; a < C; a++)
    {
      double sd = sqrt (MAX (cov[a][a], 0.0));
      spec->mean[a] = (float) mean[a];
      /* a constant channel is only centred */
      spec->std[a] = sd < 1e-6 ? 1.0f : (float) sd;
    }
  memset (spec->pca_eigval, 0, sizeof spec->pca_eigval);
  memset (spec->pca_eigvec, 0, sizeof spec->pca_eigvec);
  if (C == 1)
    {
      spec->pca_eigval[0] = (float) MAX (cov[0][0], 0.0);
      spec->pca_eigvec[0][0] = 1.0f;
      return;
    }
  double v[3][3];
  jacobi3 (cov, v);
  int order[3] = { 0, 1, 2 };
  for (int i = 0; i < 3; i++)
    for (int j = i + 1; j < 3; j++)
      if (cov[order[j]][order[j]] > cov[order[i]][order[i]])
        {
          int t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
  for (int i = 0; i < 3; i++)
    {
      int k = order[i];
      /* an eigenvector's sign is arbitrary: fix it so its components sum to >= 0 */
      double sign = v[0][k] + v[1][k] + v[2][k] < 0 ? -1.0 : 1.0;
      spec->pca_eigval[i] = (float) MAX (cov[k][k], 0.0);
      for (int c = 0; c < 3; c++)
        spec->pca_eigvec[i][c] = (float) (sign * v[c][k]);
    }
}

void
an_shuffle (guint64 seed, guint64 stream, int n, int *perm)
{
  for (int i = n - 1; i > 0; i--)
    {
      int j = (int) (an_rng_u64 (seed, stream, (guint64) i) % (guint64) (i + 1));
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
}

void
an_split_indices (guint64 seed, int n, int *perm)
{
  for (int i = 0; i < n; i++)
    perm[i] = i;
  an_shuffle (seed, AN_RNG_STREAM (AN_RNG_SPLIT, 0, 0), n, perm);
}
