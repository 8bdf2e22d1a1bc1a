/* an-classifier.c: top-k classes of one image, from a checkpoint or a running trainer's
 * weights (an-classifier.h).
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <string.h>

#include "an-classifier.h"
#include "an-error.h"
#include "an-run.h"
#include "data/an-pipeline.h"

struct _AnClassifier {
  AnRunModel net;
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
  an_run_model_close (&c->net);
  g_strfreev (c->class_names);
  g_free (c->x);
  g_free (c->probs);
  g_free (c);
}

/* The classifier around an open model. */
static AnClassifier *
classifier_new (AnRunModel *net, const AnInputSpec *spec, char **class_names)
{
  AnClassifier *c = g_new0 (AnClassifier, 1);
  c->net = *net;
  c->spec = *spec;
  c->spec.flip = c->spec.crop = c->spec.pca = FALSE;
  c->class_names = g_strdupv (class_names);
  c->classes = (int) g_strv_length (class_names);
  c->x = g_new (float, (gsize) spec->channels * spec->height * spec->width);
  c->probs = g_new (float, c->classes);
  return c;
}

AnClassifier *
an_classifier_new_from_checkpoint (const char *path, GError **error)
{
  AnRunModel net;
  g_autoptr (AnCheckpoint) ck = an_run_model_open_checkpoint (&net, path, 1, 0, error);
  if (!ck)
    return NULL;
  return classifier_new (&net, &ck->spec, ck->class_names);
}

AnClassifier *
an_classifier_new_from_snapshot (AnSnapshot *params, char **class_names, GError **error)
{
  g_return_val_if_fail (params && params->kind == AN_SNAPSHOT_PARAMS, NULL);
  AnRunModel net;
  AnRunModelSpec spec = {
    .config = &params->config,
    .num_classes = class_names ? (int) g_strv_length (class_names) : 0,
    .in_channels = params->input.channels,
    .batch = 1,
    .cpu = TRUE,
    .params = params->tensors[0].data,
    .n_params = (gsize) params->tensors[0].shape[0],
    .source = "the trainer's weights",
  };
  if (!an_run_model_open (&net, &spec, NULL, error))
    return NULL;
  return classifier_new (&net, &params->input, class_names);
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
  an_pipeline_sample (c->spec.pipeline, &c->spec, img->pixels, img->channels, img->height,
                      img->width, FALSE, 0, 0, 0, AN_PIPELINE_VIEW_CENTRE, c->x);
  if (!an_model_forward (c->net.model, 1, c->x, NULL, FALSE, 0, NULL, error) ||
      !an_model_get_probs (c->net.model, c->probs, error))
    return FALSE;
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
