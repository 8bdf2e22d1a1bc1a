/* an-classifier.c: top-k classes of one image, from a checkpoint or a running trainer's
 * weights. An inference-only model (batch 1, no gradients) on its own CPU backend, so it can
 * run on any thread while training goes on.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <string.h>

#include "an-checkpoint.h"
#include "an-error.h"
#include "an-model.h"
#include "an-trainer.h"

struct _AnClassifier {
  AnBackend *be;
  AnModel *model;
  AnInputSpec spec;
  char **class_names;
  int classes;
  float *x, *probs;
};

void
an_classifier_free (AnClassifier *c)
{
  if (!c)
    return;
  an_model_free (c->model);
  an_backend_free (c->be);
  g_strfreev (c->class_names);
  g_free (c->x);
  g_free (c->probs);
  g_free (c);
}

static AnClassifier *
classifier_new (const AnRunConfig *cfg, const AnInputSpec *spec, char **class_names,
                const float *params, gsize n_params, GError **error)
{
  g_autoptr (AnPreset) preset = an_preset_load (cfg->model, error);
  if (!preset)
    return NULL;
  int classes = class_names ? (int) g_strv_length (class_names) : 0;
  if (classes < 1)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "the weights come without class names");
      return NULL;
    }
  AnClassifier *c = g_new0 (AnClassifier, 1);
  c->be = an_backend_cpu_new (0, 0);
  c->spec = *spec;
  c->spec.flip = c->spec.crop = c->spec.pca = FALSE;
  c->class_names = g_strdupv (class_names);
  c->classes = classes;
  AnModelOptions mo = { .num_classes = classes, .in_channels = spec->channels, .batch = 1,
                        .towers = 1, .devices = { c->be, NULL }, .lrn = cfg->lrn,
                        .dropout = cfg->dropout, .seed = cfg->seed, .training = FALSE };
  c->model = an_model_new (preset, &mo, error);
  if (!c->model)
    {
      an_classifier_free (c);
      return NULL;
    }
  if (an_model_param_total (c->model) != n_params)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "the weights hold %" G_GSIZE_FORMAT " parameters, model %s with %d classes "
                   "needs %" G_GSIZE_FORMAT, n_params, cfg->model, classes,
                   an_model_param_total (c->model));
      an_classifier_free (c);
      return NULL;
    }
  an_model_set_params (c->model, params);
  c->x = g_new (float, (gsize) spec->channels * spec->height * spec->width);
  c->probs = g_new (float, classes);
  return c;
}

AnClassifier *
an_classifier_new_from_checkpoint (const char *path, GError **error)
{
  g_autoptr (AnCheckpoint) ck = an_checkpoint_read (path, sizeof (AnEpochRecord), error);
  if (!ck)
    return NULL;
  /* the best weights when the run kept them: what early stopping promises */
  const float *w = ck->best_params ? ck->best_params : ck->params;
  return classifier_new (&ck->config, &ck->spec, ck->class_names, w, ck->n_params, error);
}

AnClassifier *
an_classifier_new_from_snapshot (AnSnapshot *params, char **class_names, GError **error)
{
  g_return_val_if_fail (params && params->kind == AN_SNAPSHOT_PARAMS, NULL);
  return classifier_new (&params->config, &params->input, class_names, params->tensors[0].data,
                         (gsize) params->tensors[0].shape[0], error);
}

int
an_classifier_num_classes (AnClassifier *c)
{
  return c->classes;
}

gboolean
an_classifier_classify (AnClassifier *c, const AnImage *img, int k, AnPrediction *out,
                        int *n_out, GError **error)
{
  g_return_val_if_fail (c && img && out && k >= 1, FALSE);
  if (img->channels != 1 && img->channels != 3)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "images need 1 or 3 channels, this one has %d", img->channels);
      return FALSE;
    }
  an_input_from_image (&c->spec, img->pixels, img->channels, img->height, img->width, c->x);
  an_model_forward (c->model, 1, c->x, NULL, FALSE, 0);
  an_model_get_probs (c->model, c->probs);
  k = MIN (k, c->classes);
  /* selection of the k largest, ties to the lower class index */
  gboolean *taken = g_newa (gboolean, c->classes);
  memset (taken, 0, sizeof (gboolean) * c->classes);
  for (int i = 0; i < k; i++)
    {
      int best = -1;
      for (int j = 0; j < c->classes; j++)
        if (!taken[j] && (best < 0 || c->probs[j] > c->probs[best]))
          best = j;
      taken[best] = TRUE;
      out[i] = (AnPrediction){ .label = best, .name = c->class_names[best],
                               .probability = c->probs[best] };
    }
  *n_out = k;
  return TRUE;
}
