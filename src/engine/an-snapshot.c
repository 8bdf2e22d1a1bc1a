/* an-snapshot.c: snapshots of a run (an-snapshot.h): their reference count, and taking each
 * kind from the model on the worker thread.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <string.h>

#include "data/an-dataset-private.h"
#include "an-error.h"
#include "an-snapshot.h"
#include "an-sync.h"
#include "data/an-pipeline.h"

static void
snapshot_clear (AnSnapshot *s)
{
  for (int i = 0; i < s->n_tensors; i++)
    g_free (s->tensors[i].data);
  g_free (s->tensors);
  g_free (s->layer);
  g_free (s->confusion);
  an_image_free (s->probe);
  an_run_config_clear (&s->config);
}

/* The public struct behind its reference count (an-sync.h, visible to ThreadSanitizer). */
typedef struct {
  AnRef ref;
  AnSnapshot snap;
} SnapshotBox;

#define SNAPSHOT_BOX(s) ((SnapshotBox *) ((char *) (s) - G_STRUCT_OFFSET (SnapshotBox, snap)))

AnSnapshot *
an_snapshot_ref (AnSnapshot *s)
{
  an_ref_inc (&SNAPSHOT_BOX (s)->ref);
  return s;
}

void
an_snapshot_unref (AnSnapshot *s)
{
  SnapshotBox *box = SNAPSHOT_BOX (s);
  if (an_ref_dec (&box->ref))
    {
      snapshot_clear (s);
      g_free (box);
    }
}

static AnSnapshot *
snapshot_new (AnSnapshotKind kind, const char *layer, int n_tensors)
{
  SnapshotBox *box = g_new0 (SnapshotBox, 1);
  an_ref_init (&box->ref);
  AnSnapshot *s = &box->snap;
  s->kind = kind;
  s->layer = g_strdup (layer);
  s->n_tensors = n_tensors;
  s->tensors = g_new0 (AnSnapshotTensor, MAX (n_tensors, 1));
  an_run_config_init (&s->config);
  return s;
}

static AnImage *
image_copy (const AnImage *img)
{
  if (!img)
    return NULL;
  AnImage *c = an_image_new (img->channels, img->height, img->width);
  memcpy (c->pixels, img->pixels, (gsize) img->channels * img->height * img->width);
  return c;
}

AnSnapshotRequest *
an_snapshot_request_new (AnSnapshotKind kind, const char *layer, const AnImage *probe)
{
  AnSnapshotRequest *q = g_new0 (AnSnapshotRequest, 1);
  q->kind = kind;
  q->layer = g_strdup (layer);
  q->probe = image_copy (probe);
  return q;
}

void
an_snapshot_request_free (AnSnapshotRequest *q)
{
  g_free (q->layer);
  an_image_free (q->probe);
  g_free (q);
}

/* The model input for a probe image; returns a copy of the image used (the first validation
 * image when probe is NULL). */
static AnImage *
input_from_probe (AnRun *r, const AnImage *probe, float *x)
{
  AnImage *used;
  if (probe)
    used = image_copy (probe);
  else
    {
      const AnDataset *ds = r->train_ds;
      used = an_dataset_get_image (ds, r->val_idx[0], MAX (ds->height, ds->width), NULL);
      if (used != NULL && (used->height != ds->height || used->width != ds->width))
        {
          /* a streamed image at its own size: shown at the dataset's, as the model sees it */
          AnImage *sized = an_image_resize (used, ds->height, ds->width);
          an_image_free (used);
          used = sized;
        }
      if (used == NULL || (used->channels != 1 && used->channels != 3))
        {
          /* the file went away or broke since the run started: a grey image */
          g_clear_pointer (&used, an_image_free);
          used = an_image_new (ds->channels, ds->height, ds->width);
          memset (used->pixels, 128, (gsize) ds->channels * ds->height * ds->width);
        }
    }
  an_pipeline_sample (r->spec.pipeline, &r->spec, used->pixels, used->channels, used->height,
                      used->width, FALSE, 0, 0, 0, AN_PIPELINE_VIEW_CENTRE, x);
  return used;
}

static void
tensor_from_activation (AnSnapshotTensor *st, const char *name, int shape[4], float *data)
{
  g_strlcpy (st->name, name, sizeof st->name);
  memcpy (st->shape, shape, sizeof st->shape);
  st->tower = -1;
  st->data = data;
}

static int
layer_index (const AnPreset *p, const char *name)
{
  for (int i = 0; i < p->n_layers; i++)
    if (g_str_equal (p->layers[i].name, name))
      return i;
  return -1;
}

AnSnapshot *
an_run_snapshot (AnRun *r, const AnSnapshotRequest *q, GError **error)
{
  const AnPreset *p = r->net.preset;
  AnModel *model = r->net.model;
  AnSnapshot *s = NULL;
  switch (q->kind)
    {
    case AN_SNAPSHOT_WEIGHTS:
      {
        const char *layer = q->layer ? q->layer : p->layers[0].name;
        g_autofree char *pname = g_strconcat (layer, ".weight", NULL);
        int pi = an_model_find_param (model, pname);
        if (pi < 0)
          {
            g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                         "layer '%s' of %s has no weights", layer, p->name);
            return NULL;
          }
        int shape[4], ndim;
        gsize off;
        an_model_param_shape (model, pi, shape, &ndim, &off);
        gsize count = (gsize) shape[0] * shape[1] * shape[2] * shape[3];
        g_autofree float *w = g_new (float, count);
        if (!an_model_get_param (model, pi, w, error))
          return NULL;
        int towers = p->towers == 2 && shape[0] % 2 == 0 ? 2 : 1;
        s = snapshot_new (q->kind, layer, towers);
        gsize per = count / towers;
        for (int k = 0; k < towers; k++)
          {
            AnSnapshotTensor *st = &s->tensors[k];
            g_strlcpy (st->name, pname, sizeof st->name);
            memcpy (st->shape, shape, sizeof st->shape);
            st->shape[0] = shape[0] / towers;
            st->tower = towers == 2 ? k : -1;
            st->data = g_memdup2 (w + per * k, per * sizeof (float));
          }
        break;
      }
    case AN_SNAPSHOT_FEATURES:
    case AN_SNAPSHOT_LRN:
      {
        g_autofree float *x = g_new (float, (gsize) r->spec.channels * r->spec.height * r->spec.width);
        g_autoptr (AnImage) used = input_from_probe (r, q->probe, x);
        if (!an_model_forward (model, 1, x, NULL, FALSE, 0, NULL, error))
          return NULL;
        if (q->kind == AN_SNAPSHOT_FEATURES)
          {
            const char *layer = q->layer ? q->layer : p->layers[0].name;
            int shape[4];
            float *data;
            if (!an_model_get_activation (model, layer, shape, &data, error))
              return NULL;
            s = snapshot_new (q->kind, layer, 1);
            tensor_from_activation (&s->tensors[0], layer, shape, data);
            s->probe = g_steal_pointer (&used);
            break;
          }
        /* the LRN layer itself or the first LRN after the named layer */
        int li = layer_index (p, q->layer ? q->layer : p->layers[0].name);
        while (li >= 0 && li < p->n_layers && p->layers[li].kind != AN_LAYER_LRN)
          li++;
        if (li < 1 || li >= p->n_layers)
          {
            g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                         "model %s has no LRN layer at or after '%s'", p->name,
                         q->layer ? q->layer : p->layers[0].name);
            return NULL;
          }
        const AnLayerSpec *L = &p->layers[li];
        int shape[4];
        float *before;
        if (!an_model_get_activation (model, p->layers[li - 1].name, shape, &before, error))
          return NULL;
        s = snapshot_new (q->kind, L->name, 2);
        s->lrn_size = q->lrn_size > 0 ? q->lrn_size : L->size;
        s->lrn_alpha = q->lrn_alpha > 0 ? q->lrn_alpha : L->alpha;
        s->lrn_beta = q->lrn_beta > 0 ? q->lrn_beta : L->beta;
        s->lrn_k = q->lrn_k > 0 ? q->lrn_k : L->lrn_k;
        gsize count = (gsize) shape[0] * shape[1] * shape[2] * shape[3];
        float *after = g_new (float, count);
        g_autofree float *scale = g_new (float, count);
        AnLrnDesc d = { .n = shape[0], .c = shape[1], .h = shape[2], .w = shape[3],
                        .size = s->lrn_size, .groups = L->groups,
                        .alpha = (float) (r->cfg.lrn == AN_LRN_CODE ? s->lrn_alpha / s->lrn_size
                                                                    : s->lrn_alpha),
                        .beta = (float) s->lrn_beta, .k = (float) s->lrn_k };
        if (!an_lrn_desc_check (&d, error))
          {
            g_free (before);
            g_free (after);
            an_snapshot_unref (s);
            return NULL;
          }
        if (!r->ref)
          r->ref = an_backend_ref_new ();
        r->ref->ops->lrn_forward (r->ref, &d, after, scale, before);
        tensor_from_activation (&s->tensors[0], "before", shape, before);
        tensor_from_activation (&s->tensors[1], "after", shape, after);
        s->probe = g_steal_pointer (&used);
        break;
      }
    case AN_SNAPSHOT_CONFUSION:
      s = snapshot_new (q->kind, NULL, 0);
      s->num_classes = r->classes;
      s->confusion = g_memdup2 (r->confusion, sizeof (gint64) * r->classes * r->classes);
      break;
    case AN_SNAPSHOT_PARAMS:
    default:
      {
        s = snapshot_new (AN_SNAPSHOT_PARAMS, NULL, 1);
        AnSnapshotTensor *st = &s->tensors[0];
        g_strlcpy (st->name, "params", sizeof st->name);
        st->shape[0] = (int) r->n_params;
        st->shape[1] = st->shape[2] = st->shape[3] = 1;
        st->tower = -1;
        st->data = g_new (float, r->n_params);
        if (!an_model_get_params (model, st->data, error))
          {
            an_snapshot_unref (s);
            return NULL;
          }
        an_run_config_clear (&s->config);
        an_run_config_copy (&s->config, &r->cfg);
        s->num_classes = r->classes;
        s->input = r->spec;
        break;
      }
    }
  s->step = r->step;
  s->epoch = r->epoch;
  return s;
}

