/* an-eval.c: evaluating a checkpoint on a dataset (optionally with 10-crop averaging as the
 * paper's test-time augmentation) and rendering filters / feature maps as images.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-error.h"
#include "an-eval.h"
#include "an-render.h"
#include "an-run.h"
#include "data/an-pipeline.h"

#define EVAL_BATCH 100

void
an_eval_result_clear (AnEvalResult *r)
{
  g_clear_pointer (&r->confusion, g_free);
  g_clear_pointer (&r->class_names, g_strfreev);
  g_clear_pointer (&r->bad_images, g_strfreev);
}

/* Top-1/top-5 hits of n rows of probabilities. */
void
an_count_hits (const float *probs, const gint32 *labels, int n, int classes, gint64 *top1,
               gint64 *top5, gint64 *confusion)
{
  for (int i = 0; i < n; i++)
    {
      const float *p = probs + (gsize) i * classes;
      float pl = p[labels[i]];
      int better = 0, arg = 0;
      for (int j = 0; j < classes; j++)
        {
          if (p[j] > pl || (p[j] == pl && j < labels[i]))
            better++;
          if (p[j] > p[arg])
            arg = j;
        }
      *top1 += better == 0;
      if (top5)
        *top5 += better < 5;
      if (confusion)
        confusion[(gsize) labels[i] * classes + arg]++;
    }
}

/* A checkpoint and its model, for inference on the CPU. */
typedef struct {
  AnCheckpoint *ck;
  AnRunModel net;
} Loaded;

static void
loaded_clear (Loaded *l)
{
  an_run_model_close (&l->net);
  g_clear_pointer (&l->ck, an_checkpoint_free);
}

static gboolean
load (const char *path, int batch, int threads, Loaded *l, GError **error)
{
  l->ck = an_run_model_open_checkpoint (&l->net, path, batch, threads, error);
  return l->ck != NULL;
}

gboolean
an_evaluate_checkpoint (const char *path, const char *data_spec, int threads, gboolean ten_crop,
                        AnEvalResult *out, GError **error)
{
  memset (out, 0, sizeof *out);
  Loaded l;
  gboolean ok = FALSE;
  AnDataset *ds = NULL;
  int *idx = NULL;
  AnBatcher *b = NULL;
  float *probs = NULL, *xin = NULL, *acc = NULL;
  GPtrArray *bad = g_ptr_array_new_with_free_func (g_free);
  int batch = ten_crop ? 10 : EVAL_BATCH;
  if (!load (path, batch, threads, &l, error))
    goto out;

  const AnRunConfig *cfg = &l.ck->config;
  const char *spec = data_spec ? data_spec : cfg->data;
  /* a folder without train/ and test/ has no test split: the run's validation images then */
  gboolean folder = !an_dataset_has_test_split (spec);
  AnInputSpec is = l.ck->spec;
  is.flip = is.crop = is.pca = FALSE;
  if (!(ds = an_dataset_load (spec, folder ? AN_SPLIT_TRAIN : AN_SPLIT_TEST, l.net.preset->height,
                              l.net.preset->width, error)))
    goto out;
  int classes = an_model_num_classes (l.net.model);
  if (ds->num_classes != classes)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "%s has %d classes, the checkpoint's model %d", spec, ds->num_classes, classes);
      goto out;
    }
  int n;
  if (folder)
    {
      /* the run's own validation split: the images it did not train on */
      int *perm = g_new (int, ds->count);
      an_split_indices (cfg->seed, ds->count, perm);
      n = cfg->val_size > 0 ? cfg->val_size : (int) llround (ds->count * cfg->val_fraction);
      n = CLAMP (n, 1, ds->count);
      idx = g_memdup2 (perm + (ds->count - n), sizeof (int) * n);
      g_free (perm);
    }
  else
    {
      n = ds->count;
      idx = g_new (int, n);
      for (int i = 0; i < n; i++)
        idx[i] = i;
    }

  b = an_batcher_new (ds, idx, n, &is, ten_crop ? 1 : EVAL_BATCH, FALSE, cfg->seed, 2,
                      cfg->workers);
  out->classes = classes;
  out->class_names = g_strdupv (ds->class_names);
  out->confusion = g_new0 (gint64, (gsize) classes * classes);
  probs = g_new (float, (gsize) batch * classes);
  gsize isz = (gsize) is.channels * is.height * is.width;
  xin = g_new (float, isz * 10);
  acc = g_new (float, classes);
  double sum = 0;
  gint64 seen = 0, h1 = 0, h5 = 0;
  an_batcher_start_epoch (b, 0, 0);
  AnBatch *bt;
  gboolean failed = FALSE;
  while (!failed && (bt = an_batcher_next (b)))
    {
      if (!ten_crop)
        {
          failed = !an_model_forward (l.net.model, bt->n, bt->x, NULL, FALSE, 0, NULL, error) ||
                   !an_model_get_probs (l.net.model, probs, error);
          for (int i = 0; !failed && i < bt->n; i++)
            sum += -log (MAX (probs[(gsize) i * classes + bt->labels[i]], 1e-30f));
          if (!failed)
            an_count_hits (probs, bt->labels, bt->n, classes, &h1, &h5, out->confusion);
        }
      for (int i = 0; ten_crop && !failed && i < bt->n; i++)
        {
          /* the batcher gives the labels in order; the views come from the image itself */
          int image = idx[seen + i];
          int side = an_pipeline_min_short_side (is.pipeline, &is);
          g_autoptr (AnImage) img = NULL;
          /* one that does not decode: the next of its class, as the batcher does */
          for (int attempt = 0; img == NULL && attempt <= 64; attempt++)
            {
              g_autoptr (GError) local = NULL;
              int source = attempt ? an_dataset_same_class (ds, image, attempt) : image;
              if (attempt > 0 && source == image)
                break;
              img = an_dataset_get_image (ds, source, side, &local);
              if (img == NULL)
                g_ptr_array_add (bad, g_strdup (local->message));
            }
          if (!img)
            {
              g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                           "%s: no image of the class of image %d decodes", spec, image);
              failed = TRUE;
              break;
            }
          for (int k = 0; k < AN_PIPELINE_VIEWS; k++)
            an_pipeline_sample (is.pipeline, &is, img->pixels, img->channels, img->height,
                                img->width, FALSE, cfg->seed, 0, image, k, xin + isz * k);
          failed = !an_model_forward (l.net.model, 10, xin, NULL, FALSE, 0, NULL, error) ||
                   !an_model_get_probs (l.net.model, probs, error);
          if (failed)
            break;
          for (int c = 0; c < classes; c++)
            {
              double s = 0;
              for (int k = 0; k < 10; k++)
                s += probs[(gsize) k * classes + c];
              acc[c] = (float) (s / 10);
            }
          sum += -log (MAX (acc[bt->labels[i]], 1e-30f));
          an_count_hits (acc, bt->labels + i, 1, classes, &h1, &h5, out->confusion);
        }
      seen += bt->n;
      an_batcher_release (b, bt);
    }
  if (failed)
    goto out;
  {
    g_auto (GStrv) replaced = an_batcher_take_failures (b);
    for (char **m = replaced; m && *m; m++)
      g_ptr_array_add (bad, g_strdup (*m));
  }
  if (bad->len > 0)
    {
      g_ptr_array_add (bad, NULL);
      out->bad_images = (char **) g_ptr_array_free (bad, FALSE);
      bad = NULL;
    }
  out->count = (int) seen;
  out->loss = seen ? sum / seen : NAN;
  out->top1 = seen ? (double) h1 / seen : NAN;
  out->top5 = seen ? (double) h5 / seen : NAN;
  ok = TRUE;
out:
  if (bad)
    g_ptr_array_unref (bad);
  an_batcher_free (b);
  an_dataset_free (ds);
  g_free (idx);
  g_free (probs);
  g_free (xin);
  g_free (acc);
  loaded_clear (&l);
  if (!ok)
    an_eval_result_clear (out);
  return ok;
}

AnImage *
an_render_filters (const char *checkpoint, const char *layer, int zoom, GError **error)
{
  Loaded l;
  AnImage *img = NULL;
  g_autofree char *pname = g_strconcat (layer, ".weight", NULL);
  g_autofree float *w = NULL;
  if (!load (checkpoint, 1, 1, &l, error))
    goto out;
  int pi = an_model_find_param (l.net.model, pname);
  int shape[4], ndim;
  if (pi < 0 || (an_model_param_shape (l.net.model, pi, shape, &ndim, NULL), ndim != 4))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "model %s has no convolution layer '%s'", l.net.preset->name, layer);
      goto out;
    }
  int oc = shape[0], ic = shape[1], kh = shape[2], kw = shape[3];
  w = g_new (float, (gsize) oc * ic * kh * kw);
  if (!an_model_get_param (l.net.model, pi, w, error))
    goto out;
  /* a two-tower preset's halves in two blocks, as the paper's Figure 3 */
  img = an_render_filter_bank (w, oc, ic, kh, kw,
                               l.net.preset->towers == 2 && oc % 2 == 0 ? 2 : 1, zoom);
out:
  loaded_clear (&l);
  return img;
}

AnImage *
an_render_feature_maps (const char *checkpoint, const char *layer, const AnImage *probe, int zoom,
                        GError **error)
{
  Loaded l;
  AnImage *img = NULL;
  g_autofree float *x = NULL;
  if (!load (checkpoint, 1, 1, &l, error))
    goto out;
  AnInputSpec is = l.ck->spec;
  is.flip = is.crop = is.pca = FALSE;
  x = g_new (float, (gsize) is.channels * is.height * is.width);
  an_pipeline_sample (is.pipeline, &is, probe->pixels, probe->channels, probe->height,
                      probe->width, FALSE, 0, 0, 0, AN_PIPELINE_VIEW_CENTRE, x);
  if (!an_model_forward (l.net.model, 1, x, NULL, FALSE, 0, NULL, error))
    goto out;
  int shape[4];
  float *maps = NULL;
  if (!an_model_get_activation (l.net.model, layer, shape, &maps, error))
    goto out;
  img = an_render_maps (maps, shape[1], shape[2], shape[3], zoom, FALSE);
  g_free (maps);
out:
  loaded_clear (&l);
  return img;
}
