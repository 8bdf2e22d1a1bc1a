/* an-model.c: the model graph built from a preset, on one or two devices (contract 4).
 *
 * Nodes run in order; forward overwrites each node's output, backward adds into the inputs'
 * gradients (contract 1), so a node read by two others (both towers read conv2's towers at
 * conv3) just receives two contributions. Where an edge crosses devices a TRANSFER node copies
 * the tensor and, backwards, brings the gradient home and adds it. Parameters live per device
 * in one flat arena (weights, gradients, momentum: the optimizer is one call per device); the
 * host sees the logical single-device layout, each tower owning a contiguous slice.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-error.h"
#include "an-model.h"
#include "an-placement.h"
#include "an-rng.h"

typedef enum {
  NODE_INPUT,
  NODE_LAYER,   /* one preset layer on one tower */
  NODE_CONCAT,  /* channel concatenation of in[0], in[1] */
  NODE_TRANSFER /* in[0] copied to another device */
} NodeKind;

typedef struct {
  int tensor;     /* logical parameter index */
  gsize slice;    /* element offset of this node's slice within the logical tensor */
  gsize count;
  gsize arena;    /* element offset in the device arena */
} ParamSlice;

typedef struct {
  NodeKind kind;
  int layer;          /* preset layer index (NODE_LAYER), else -1 */
  int tower;
  int dev;            /* index into m->devs */
  AnBackend *be;
  int in[2];
  int n_in;
  int c, h, w;        /* output per sample */
  gboolean needs_grad;
  gboolean alias;     /* flatten: y/dy are the input's */
  float *y, *dy;
  float *aux;         /* LRN scale, dropout mask, transfer staging */
  int32_t *argmax;
  ParamSlice pw, pb;
  /* descriptors (n set per call) */
  AnConvDesc conv;
  AnLrnDesc lrn;
  AnPoolDesc pool;
  AnAdaptivePoolDesc apool;
  AnLinearDesc lin;
  AnDropoutDesc drop;
  float p_drop;
} Node;

typedef struct {
  AnBackend *be;
  gsize count;
  float *w, *g, *v;
} Device;

typedef struct {
  char *name;
  int shape[4];
  int ndim;
  gsize offset, count;
  int layer;
  gboolean is_bias;
} ParamInfo;

struct _AnModel {
  AnPreset *preset;
  AnModelOptions opts;
  int in_c, in_h, in_w;
  GArray *nodes; /* Node */
  Device devs[2];
  int n_devs;
  GArray *params; /* ParamInfo */
  gsize param_total;
  int out_node;
  int32_t *labels; /* on the output node's device */
  float *probs;
  int last_n;
  gboolean have_labels;
  gboolean last_training;
  /* profiling: rows per preset layer, then the PROFILE_* rows */
  gboolean profiling;
  AnLayerProfile *profile;
  int forward_passes, backward_passes;
};

enum { PROFILE_LOSS, PROFILE_ZERO, PROFILE_SGD, PROFILE_COPIES, PROFILE_EXTRA };

#define NODE(m, i) (&g_array_index ((m)->nodes, Node, (i)))

static gsize
node_size (const Node *nd)
{
  return (gsize) nd->c * nd->h * nd->w;
}

static int
add_node (AnModel *m, Node nd)
{
  g_array_append_val (m->nodes, nd);
  return (int) m->nodes->len - 1;
}

static int
dev_of (AnModel *m, int tower)
{
  return (m->opts.towers == 2 && m->n_devs == 2) ? tower : 0;
}

/* Returns a node holding node src's output on device dev (src itself or a transfer of it). */
static int
on_device (AnModel *m, int src, int dev)
{
  if (NODE (m, src)->dev == dev)
    return src;
  Node *s = NODE (m, src);
  Node t = { .kind = NODE_TRANSFER, .layer = -1, .tower = s->tower, .dev = dev,
             .be = m->devs[dev].be, .in = { src }, .n_in = 1, .c = s->c, .h = s->h, .w = s->w,
             .needs_grad = s->needs_grad };
  return add_node (m, t);
}

static int
concat2 (AnModel *m, int a, int b, int dev)
{
  a = on_device (m, a, dev);
  b = on_device (m, b, dev);
  Node *na = NODE (m, a), *nb = NODE (m, b);
  if (na->h != nb->h || na->w != nb->w)
    return -1;
  Node c = { .kind = NODE_CONCAT, .layer = -1, .tower = -1, .dev = dev, .be = m->devs[dev].be,
             .in = { a, b }, .n_in = 2, .c = na->c + nb->c, .h = na->h, .w = na->w,
             .needs_grad = na->needs_grad || nb->needs_grad };
  return add_node (m, c);
}

static void
add_param (AnModel *m, const char *layer, const char *what, int layer_index, const int *shape,
           int ndim, gboolean is_bias)
{
  ParamInfo p = { .name = g_strdup_printf ("%s.%s", layer, what), .ndim = ndim,
                  .offset = m->param_total, .count = 1, .layer = layer_index, .is_bias = is_bias };
  for (int i = 0; i < 4; i++)
    p.shape[i] = i < ndim ? shape[i] : 1;
  for (int i = 0; i < ndim; i++)
    p.count *= (gsize) shape[i];
  m->param_total += p.count;
  g_array_append_val (m->params, p);
}

/* Builds the graph; in two-tower mode every layer is split along its output channels. */
static gboolean
build (AnModel *m, GError **error)
{
  const AnPreset *pr = m->preset;
  const char *file = pr->path;
  int towers = m->opts.towers;
  int classes = m->opts.num_classes;
  g_autofree AnLayerShape *shapes = g_new (AnLayerShape, MAX (pr->n_layers, 1));

  if (!an_preset_shapes (pr, classes, m->in_c, shapes, error))
    return FALSE;

  Node in = { .kind = NODE_INPUT, .layer = -1, .tower = 0, .dev = 0, .be = m->devs[0].be,
              .n_in = 0, .c = m->in_c, .h = m->in_h, .w = m->in_w, .needs_grad = FALSE };
  int input = add_node (m, in);
  int cur[2] = { input, input }; /* the current output of each tower */
  gboolean merged = towers == 1;

  for (int li = 0; li < pr->n_layers; li++)
    {
      const AnLayerSpec *L = &pr->layers[li];
      gboolean last = li == pr->n_layers - 1;
      int out = L->out == -1 ? classes : L->out;
      /* the final classifier is not split: it runs on tower 0 and reads both towers */
      gboolean split = !merged && !(last && L->kind == AN_LAYER_LINEAR);
      int nt = split ? 2 : 1;
      gboolean split_ok = TRUE;

      if (split && (L->kind == AN_LAYER_CONV || L->kind == AN_LAYER_LINEAR) && out % 2 != 0)
        split_ok = FALSE;
      if (!split_ok)
        {
          g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                       "%s:%d: layer '%s': %d outputs cannot be split between two towers", file,
                       L->line, L->name, out);
          return FALSE;
        }

      /* logical parameters, with the shapes the preset gives them (an_preset_shapes) */
      const AnLayerShape *S = &shapes[li];
      if (S->weight_ndim > 0)
        {
          add_param (m, L->name, "weight", li, S->weight, S->weight_ndim, FALSE);
          add_param (m, L->name, "bias", li, &S->bias, 1, TRUE);
        }
      int pw_index = (int) m->params->len - 2;

      int next[2] = { cur[0], cur[1] };
      for (int t = 0; t < nt; t++)
        {
          int dev = dev_of (m, t);
          Node nd = { .kind = NODE_LAYER, .layer = li, .tower = t, .dev = dev,
                      .be = m->devs[dev].be, .n_in = 1, .needs_grad = TRUE };
          int src = cur[t];
          const Node *s;
          switch (L->kind)
            {
            case AN_LAYER_CONV:
            case AN_LAYER_LINEAR:
              {
                gboolean tower_local = L->kind == AN_LAYER_CONV && L->groups == 2 && !merged;
                if (!merged && !tower_local && cur[0] != input)
                  src = concat2 (m, cur[0], cur[1], dev);
                else
                  src = on_device (m, cur[merged ? 0 : t], dev);
                if (src < 0)
                  {
                    g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                                 "%s:%d: layer '%s': the towers' outputs differ in size", file,
                                 L->line, L->name);
                    return FALSE;
                  }
                if (!merged && L->kind == AN_LAYER_CONV && L->groups != 1 && L->groups != 2)
                  {
                    g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                                 "%s:%d: layer '%s': two towers need groups=1 or groups=2", file,
                                 L->line, L->name);
                    return FALSE;
                  }
                s = NODE (m, src);
                int oc = out / nt;
                const ParamInfo *pwi = &g_array_index (m->params, ParamInfo, pw_index);
                gsize wslice = pwi->count / nt;
                nd.pw = (ParamSlice){ .tensor = pw_index, .slice = wslice * t, .count = wslice };
                nd.pb = (ParamSlice){ .tensor = pw_index + 1, .slice = (gsize) oc * t, .count = oc };
                if (L->kind == AN_LAYER_CONV)
                  {
                    nd.conv = (AnConvDesc){ .n = m->opts.batch, .c = s->c, .h = s->h, .w = s->w,
                                            .oc = oc, .kh = L->k, .kw = L->k, .sh = L->s,
                                            .sw = L->s, .ph = L->p, .pw = L->p,
                                            .groups = merged ? L->groups : 1 };
                    g_autoptr (GError) local = NULL;
                    if (!an_conv_desc_init (&nd.conv, &local))
                      {
                        g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                                     "%s:%d: layer '%s': %s", file, L->line, L->name, local->message);
                        return FALSE;
                      }
                    nd.c = oc, nd.h = nd.conv.oh, nd.w = nd.conv.ow;
                  }
                else
                  {
                    nd.lin = (AnLinearDesc){ .n = m->opts.batch, .in = (int) node_size (s), .out = oc };
                    nd.c = oc, nd.h = 1, nd.w = 1;
                  }
                break;
              }
            case AN_LAYER_RELU:
            case AN_LAYER_DROPOUT:
              s = NODE (m, src);
              nd.c = s->c, nd.h = s->h, nd.w = s->w;
              nd.p_drop = (float) (L->p_drop >= 0 ? L->p_drop : m->opts.dropout);
              {
                int cols = (int) node_size (s);
                nd.drop = (AnDropoutDesc){ .n = m->opts.batch, .cols = cols,
                                           .total_cols = cols * nt, .col_offset = cols * t };
              }
              break;
            case AN_LAYER_LRN:
              s = NODE (m, src);
              if (!merged && L->groups % 2 != 0)
                {
                  g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                               "%s:%d: layer '%s': with two towers LRN must stay within a tower "
                               "(groups=2)", file, L->line, L->name);
                  return FALSE;
                }
              nd.c = s->c, nd.h = s->h, nd.w = s->w;
              nd.lrn = (AnLrnDesc){ .n = m->opts.batch, .c = s->c, .h = s->h, .w = s->w,
                                    .size = L->size, .groups = merged ? L->groups : L->groups / 2,
                                    .alpha = (float) (m->opts.lrn == AN_LRN_CODE ? L->alpha / L->size : L->alpha),
                                    .beta = (float) L->beta, .k = (float) L->lrn_k };
              {
                g_autoptr (GError) local = NULL;
                if (!an_lrn_desc_check (&nd.lrn, &local))
                  {
                    g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                                 "%s:%d: layer '%s': %s", file, L->line, L->name, local->message);
                    return FALSE;
                  }
              }
              break;
            case AN_LAYER_MAXPOOL:
              s = NODE (m, src);
              nd.pool = (AnPoolDesc){ .n = m->opts.batch, .c = s->c, .h = s->h, .w = s->w,
                                      .kh = L->k, .kw = L->k, .sh = L->s, .sw = L->s };
              {
                g_autoptr (GError) local = NULL;
                if (!an_pool_desc_init (&nd.pool, &local))
                  {
                    g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                                 "%s:%d: layer '%s': %s", file, L->line, L->name, local->message);
                    return FALSE;
                  }
              }
              nd.c = s->c, nd.h = nd.pool.oh, nd.w = nd.pool.ow;
              break;
            case AN_LAYER_AVGPOOL:
              s = NODE (m, src);
              nd.apool = (AnAdaptivePoolDesc){ .n = m->opts.batch, .c = s->c, .h = s->h,
                                               .w = s->w, .oh = L->oh, .ow = L->ow };
              nd.c = s->c, nd.h = L->oh, nd.w = L->ow;
              break;
            case AN_LAYER_FLATTEN:
            default:
              s = NODE (m, src);
              nd.c = (int) node_size (s), nd.h = 1, nd.w = 1;
              nd.alias = TRUE;
              break;
            }
          nd.in[0] = src;
          next[t] = add_node (m, nd);
        }
      if (!split && !merged)
        merged = TRUE;
      if (merged)
        next[1] = next[0];
      cur[0] = next[0];
      cur[1] = next[1];
    }
  m->out_node = cur[0];
  if (NODE (m, m->out_node)->c != classes)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "%s: the last layer gives %d outputs for %d classes (use out=classes)", file,
                   NODE (m, m->out_node)->c, classes);
      return FALSE;
    }
  return TRUE;
}

static gboolean
allocate (AnModel *m, GError **error)
{
  int B = m->opts.batch;
  gboolean train = m->opts.training;

  /* parameter arenas: slices in node order */
  for (guint i = 0; i < m->nodes->len; i++)
    {
      Node *nd = NODE (m, i);
      if (nd->kind != NODE_LAYER || nd->pw.count == 0)
        continue;
      Device *d = &m->devs[nd->dev];
      nd->pw.arena = d->count;
      d->count += nd->pw.count;
      nd->pb.arena = d->count;
      d->count += nd->pb.count;
    }
  for (int i = 0; i < m->n_devs; i++)
    {
      Device *d = &m->devs[i];
      gsize bytes = MAX (d->count, 1) * sizeof (float);
      if (!(d->w = d->be->ops->alloc (d->be, bytes, error)))
        return FALSE;
      if (train && (!(d->g = d->be->ops->alloc (d->be, bytes, error)) ||
                    !(d->v = d->be->ops->alloc (d->be, bytes, error))))
        return FALSE;
      if (!d->be->ops->zero (d->be, d->w, bytes, error) ||
          (train && (!d->be->ops->zero (d->be, d->g, bytes, error) ||
                     !d->be->ops->zero (d->be, d->v, bytes, error))))
        return FALSE;
    }

  for (guint i = 0; i < m->nodes->len; i++)
    {
      Node *nd = NODE (m, i);
      AnBackend *be = nd->be;
      gsize bytes = (gsize) B * node_size (nd) * sizeof (float);
      if (nd->alias)
        {
          Node *src = NODE (m, nd->in[0]);
          nd->y = src->y;
          nd->dy = src->dy;
          continue;
        }
      if (!(nd->y = be->ops->alloc (be, bytes, error)))
        return FALSE;
      if (train && nd->needs_grad && !(nd->dy = be->ops->alloc (be, bytes, error)))
        return FALSE;
      if (nd->kind == NODE_LAYER)
        {
          AnLayerKind k = m->preset->layers[nd->layer].kind;
          if ((k == AN_LAYER_LRN || k == AN_LAYER_DROPOUT) &&
              !(nd->aux = be->ops->alloc (be, bytes, error)))
            return FALSE;
          if (k == AN_LAYER_MAXPOOL &&
              !(nd->argmax = be->ops->alloc (be, (gsize) B * node_size (nd) * sizeof (int32_t), error)))
            return FALSE;
        }
      if (nd->kind == NODE_TRANSFER && train && nd->needs_grad)
        {
          AnBackend *src_be = NODE (m, nd->in[0])->be;
          if (!(nd->aux = src_be->ops->alloc (src_be, bytes, error)))
            return FALSE;
        }
    }
  Node *out = NODE (m, m->out_node);
  if (!(m->labels = out->be->ops->alloc (out->be, B * sizeof (int32_t), error)) ||
      !(m->probs = out->be->ops->alloc (out->be, (gsize) B * out->c * sizeof (float), error)))
    return FALSE;
  return TRUE;
}

AnModel *
an_model_new (const AnPreset *preset, const AnModelOptions *opts, GError **error)
{
  g_return_val_if_fail (preset != NULL && opts != NULL && opts->devices[0] != NULL, NULL);

  if (opts->num_classes < 1 || opts->batch < 1)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "model %s: need at least one class and a batch of at least 1", preset->name);
      return NULL;
    }
  if (opts->towers == 2 && preset->towers != 2)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "model %s has no two-tower form (towers=1 in %s)", preset->name, preset->path);
      return NULL;
    }
  if (opts->towers != 1 && opts->towers != 2)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT, "towers: %d is not 1 or 2",
                   opts->towers);
      return NULL;
    }

  AnModel *m = g_new0 (AnModel, 1);
  /* the model keeps its own copy of the preset */
  m->preset = g_new0 (AnPreset, 1);
  *m->preset = *preset;
  m->preset->name = g_strdup (preset->name);
  m->preset->description = g_strdup (preset->description);
  m->preset->path = g_strdup (preset->path);
  m->preset->layers = g_memdup2 (preset->layers, sizeof (AnLayerSpec) * preset->n_layers);
  for (int i = 0; i < preset->n_layers; i++)
    m->preset->layers[i].name = g_strdup (preset->layers[i].name);

  m->opts = *opts;
  m->in_c = preset->channels > 0 ? preset->channels : (opts->in_channels > 0 ? opts->in_channels : 3);
  m->in_h = preset->height;
  m->in_w = preset->width;
  m->devs[0].be = opts->devices[0];
  m->n_devs = 1;
  if (opts->towers == 2 && opts->devices[1] && opts->devices[1] != opts->devices[0])
    {
      m->devs[1].be = opts->devices[1];
      m->n_devs = 2;
    }
  m->nodes = g_array_new (FALSE, TRUE, sizeof (Node));
  m->params = g_array_new (FALSE, TRUE, sizeof (ParamInfo));

  if (!build (m, error) || !allocate (m, error))
    {
      an_model_free (m);
      return NULL;
    }
  return m;
}

void
an_model_free (AnModel *m)
{
  if (m == NULL)
    return;
  for (guint i = 0; m->nodes && i < m->nodes->len; i++)
    {
      Node *nd = NODE (m, i);
      if (nd->alias)
        continue;
      nd->be->ops->free (nd->be, nd->y);
      nd->be->ops->free (nd->be, nd->dy);
      if (nd->kind == NODE_TRANSFER)
        {
          AnBackend *src_be = NODE (m, nd->in[0])->be;
          src_be->ops->free (src_be, nd->aux);
        }
      else
        nd->be->ops->free (nd->be, nd->aux);
      nd->be->ops->free (nd->be, nd->argmax);
    }
  if (m->nodes && m->out_node > 0)
    {
      Node *out = NODE (m, m->out_node);
      out->be->ops->free (out->be, m->labels);
      out->be->ops->free (out->be, m->probs);
    }
  for (int i = 0; i < m->n_devs; i++)
    {
      Device *d = &m->devs[i];
      d->be->ops->free (d->be, d->w);
      d->be->ops->free (d->be, d->g);
      d->be->ops->free (d->be, d->v);
    }
  for (guint i = 0; m->params && i < m->params->len; i++)
    g_free (g_array_index (m->params, ParamInfo, i).name);
  if (m->params)
    g_array_free (m->params, TRUE);
  if (m->nodes)
    g_array_free (m->nodes, TRUE);
  an_preset_free (m->preset);
  g_free (m->profile);
  g_free (m);
}

int
an_model_n_params (AnModel *m)
{
  return (int) m->params->len;
}

const char *
an_model_param_name (AnModel *m, int i)
{
  g_return_val_if_fail (i >= 0 && i < (int) m->params->len, NULL);
  return g_array_index (m->params, ParamInfo, i).name;
}

void
an_model_param_shape (AnModel *m, int i, int shape[4], int *ndim, gsize *offset)
{
  g_return_if_fail (i >= 0 && i < (int) m->params->len);
  const ParamInfo *p = &g_array_index (m->params, ParamInfo, i);
  memcpy (shape, p->shape, sizeof p->shape);
  if (ndim)
    *ndim = p->ndim;
  if (offset)
    *offset = p->offset;
}

gsize
an_model_param_total (AnModel *m)
{
  return m->param_total;
}

int
an_model_num_classes (AnModel *m)
{
  return m->opts.num_classes;
}

const AnPreset *
an_model_preset (AnModel *m)
{
  return m->preset;
}

/* Moves every node's parameter slices between the host layout and the device arenas. */
typedef enum { TO_DEVICE, TO_HOST } Direction;

/* only: a logical tensor index, or -1 for all */
static gboolean
move_arena_tensor (AnModel *m, float *host, int which, Direction dir, int only, GError **error)
{
  for (guint i = 0; i < m->nodes->len; i++)
    {
      Node *nd = NODE (m, i);
      if (nd->kind != NODE_LAYER || nd->pw.count == 0)
        continue;
      if (only >= 0 && nd->pw.tensor != only && nd->pb.tensor != only)
        continue;
      Device *d = &m->devs[nd->dev];
      float *arena = which == 0 ? d->w : which == 1 ? d->v : d->g;
      const ParamSlice *sl[2] = { &nd->pw, &nd->pb };
      for (int k = 0; k < 2; k++)
        {
          const ParamInfo *p = &g_array_index (m->params, ParamInfo, sl[k]->tensor);
          if (only >= 0 && sl[k]->tensor != only)
            continue;
          float *h = host + (only >= 0 ? 0 : p->offset) + sl[k]->slice;
          float *dv = arena + sl[k]->arena;
          gsize bytes = sl[k]->count * sizeof (float);
          if (!(dir == TO_DEVICE ? d->be->ops->upload (d->be, dv, h, bytes, error)
                                 : d->be->ops->download (d->be, h, dv, bytes, error)))
            return FALSE;
        }
    }
  return TRUE;
}

gboolean
an_model_get_range (AnModel *m, int which, gsize offset, gsize count, float *host,
                    GError **error)
{
  g_return_val_if_fail (which == 0 || (which == 1 && m->opts.training), FALSE);
  for (guint i = 0; i < m->nodes->len; i++)
    {
      Node *nd = NODE (m, i);
      if (nd->kind != NODE_LAYER || nd->pw.count == 0)
        continue;
      Device *d = &m->devs[nd->dev];
      float *arena = which == 0 ? d->w : d->v;
      const ParamSlice *sl[2] = { &nd->pw, &nd->pb };
      for (int k = 0; k < 2; k++)
        {
          const ParamInfo *p = &g_array_index (m->params, ParamInfo, sl[k]->tensor);
          gsize start = p->offset + sl[k]->slice, end = start + sl[k]->count;
          gsize lo = MAX (start, offset), hi = MIN (end, offset + count);
          if (lo >= hi)
            continue;
          if (!d->be->ops->download (d->be, host + (lo - offset), arena + sl[k]->arena + (lo - start),
                                     (hi - lo) * sizeof (float), error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
move_arena (AnModel *m, float *host, int which, Direction dir, GError **error)
{
  return move_arena_tensor (m, host, which, dir, -1, error);
}

gboolean
an_model_get_param (AnModel *m, int i, float *host, GError **error)
{
  g_return_val_if_fail (i >= 0 && i < (int) m->params->len, FALSE);
  return move_arena_tensor (m, host, 0, TO_HOST, i, error);
}

int
an_model_find_param (AnModel *m, const char *name)
{
  for (guint i = 0; i < m->params->len; i++)
    if (g_str_equal (g_array_index (m->params, ParamInfo, i).name, name))
      return (int) i;
  return -1;
}

gboolean
an_model_get_params (AnModel *m, float *host, GError **error)
{
  return move_arena (m, host, 0, TO_HOST, error);
}

gboolean
an_model_set_params (AnModel *m, const float *host, GError **error)
{
  return move_arena (m, (float *) host, 0, TO_DEVICE, error);
}

gboolean
an_model_get_momentum (AnModel *m, float *host, GError **error)
{
  g_return_val_if_fail (m->opts.training, FALSE);
  return move_arena (m, host, 1, TO_HOST, error);
}

gboolean
an_model_set_momentum (AnModel *m, const float *host, GError **error)
{
  g_return_val_if_fail (m->opts.training, FALSE);
  return move_arena (m, (float *) host, 1, TO_DEVICE, error);
}

gboolean
an_model_get_grad (AnModel *m, int i, float *host, GError **error)
{
  g_return_val_if_fail (m->opts.training && i >= 0 && i < (int) m->params->len, FALSE);
  return move_arena_tensor (m, host, 2, TO_HOST, i, error);
}

/* Initialisation draws from the counter RNG by logical index, so every placement and backend
 * starts from the same weights. */
gboolean
an_model_init_params (AnModel *m, AnInit init, guint64 seed, GError **error)
{
  g_autofree float *host = g_new (float, m->param_total);
  for (guint i = 0; i < m->params->len; i++)
    {
      const ParamInfo *p = &g_array_index (m->params, ParamInfo, i);
      const AnLayerSpec *L = &m->preset->layers[p->layer];
      float *t = host + p->offset;
      gboolean is_fc = L->kind == AN_LAYER_LINEAR;
      gboolean he = init == AN_INIT_HE || (init == AN_INIT_HE_FC && is_fc);
      if (p->is_bias)
        {
          float b = he ? 0.0f : (float) L->bias_init_paper;
          for (gsize j = 0; j < p->count; j++)
            t[j] = b;
          continue;
        }
      gsize fan_in = p->count / (gsize) p->shape[0];
      double std = he ? sqrt (2.0 / (double) fan_in) : 0.01;
      guint64 stream = AN_RNG_STREAM (AN_RNG_INIT, i, 0);
      ptrdiff_t count = (ptrdiff_t) p->count;
      /* each value a function of (seed, stream, j) alone: the same on any number of threads
       * (alexnet-2012's 57 million took about 2 s of its start on one) */
#pragma omp parallel for schedule(static)
      for (ptrdiff_t j = 0; j < count; j++)
        t[j] = (float) (std * an_rng_normal (seed, stream, (guint64) j));
    }
  if (!an_model_set_params (m, host, error))
    return FALSE;
  if (m->opts.training)
    for (int d = 0; d < m->n_devs; d++)
      if (!m->devs[d].be->ops->zero (m->devs[d].be, m->devs[d].v,
                                     MAX (m->devs[d].count, 1) * sizeof (float), error))
        return FALSE;
  return TRUE;
}

/* ---- profiling ---- */

static const char *const layer_kind_names[] = {
  [AN_LAYER_CONV] = "conv",       [AN_LAYER_RELU] = "relu",       [AN_LAYER_LRN] = "lrn",
  [AN_LAYER_MAXPOOL] = "maxpool", [AN_LAYER_AVGPOOL] = "avgpool", [AN_LAYER_DROPOUT] = "dropout",
  [AN_LAYER_FLATTEN] = "flatten", [AN_LAYER_LINEAR] = "linear",
};

static int
profile_row (AnModel *m, const Node *nd)
{
  return nd->kind == NODE_LAYER ? nd->layer : m->preset->n_layers + PROFILE_COPIES;
}

/* Waits for the device, then adds the time since t0 to a row. */
static gboolean
profile_add (AnModel *m, AnBackend *be, int row, gboolean forward, gint64 t0, GError **error)
{
  if (!be->ops->sync (be, error))
    return FALSE;
  double seconds = (g_get_monotonic_time () - t0) / 1e6;
  if (forward)
    m->profile[row].forward_seconds += seconds;
  else
    m->profile[row].backward_seconds += seconds;
  return TRUE;
}

void
an_model_set_profiling (AnModel *m, gboolean on)
{
  static const char *const extra[PROFILE_EXTRA] = {
    [PROFILE_LOSS] = "loss", [PROFILE_ZERO] = "zero gradients", [PROFILE_SGD] = "sgd",
    [PROFILE_COPIES] = "copies",
  };
  int rows = m->preset->n_layers + PROFILE_EXTRA;

  m->profiling = on;
  if (!on)
    return;
  m->forward_passes = m->backward_passes = 0;
  if (!m->profile)
    m->profile = g_new0 (AnLayerProfile, rows);
  for (int i = 0; i < rows; i++)
    {
      const AnLayerSpec *L = i < m->preset->n_layers ? &m->preset->layers[i] : NULL;
      m->profile[i] = (AnLayerProfile){
        .name = L ? L->name : extra[i - m->preset->n_layers],
        .kind = L ? layer_kind_names[L->kind] : extra[i - m->preset->n_layers],
      };
    }
}

const AnLayerProfile *
an_model_profile (AnModel *m, int *n_rows, int *forward_passes, int *backward_passes)
{
  g_return_val_if_fail (m->profile != NULL, NULL);
  for (int i = 0; i < m->preset->n_layers; i++)
    m->profile[i].flops = m->profile[i].backward_flops = 0;
  for (guint i = 0; i < m->nodes->len; i++)
    {
      Node *nd = NODE (m, i);
      AnLayerProfile *row = &m->profile[profile_row (m, nd)];
      double flops;

      if (nd->kind != NODE_LAYER)
        continue;
      if (m->preset->layers[nd->layer].kind == AN_LAYER_CONV)
        {
          const AnConvDesc *d = &nd->conv;
          AnConvDesc at = *d;

          flops = 2.0 * d->oc * d->oh * d->ow * (double) (d->c / d->groups) * d->kh * d->kw;
          row->flops += flops;
          row->backward_flops += NODE (m, nd->in[0])->needs_grad ? 2 * flops : flops;
          at.n = MAX (m->last_n, 1);
          if (g_str_equal (nd->be->ops->name, "cpu"))
            row->kernel = an_backend_cpu_conv_kernel (nd->be, &at);
        }
      else if (m->preset->layers[nd->layer].kind == AN_LAYER_LINEAR)
        {
          flops = 2.0 * nd->lin.in * nd->lin.out;
          row->flops += flops;
          row->backward_flops += NODE (m, nd->in[0])->needs_grad ? 2 * flops : flops;
        }
    }
  *n_rows = m->preset->n_layers + PROFILE_EXTRA;
  *forward_passes = m->forward_passes;
  *backward_passes = m->backward_passes;
  return m->profile;
}

static gboolean
forward_node (AnModel *m, Node *nd, int n, gboolean training, guint64 step, GError **error)
{
  AnBackend *be = nd->be;
  const AnBackendOps *o = be->ops;
  Node *src = nd->n_in > 0 ? NODE (m, nd->in[0]) : NULL;
  Device *d = &m->devs[nd->dev];
  switch (nd->kind)
    {
    case NODE_INPUT:
      return TRUE;
    case NODE_TRANSFER:
      return an_backend_transfer (be, nd->y, src->be, src->y,
                                  (gsize) n * node_size (nd) * sizeof (float), error);
    case NODE_CONCAT:
      {
        Node *b = NODE (m, nd->in[1]);
        int hw = nd->h * nd->w;
        o->concat_forward (be, n, nd->c, 0, src->c, hw, nd->y, src->y);
        o->concat_forward (be, n, nd->c, src->c, b->c, hw, nd->y, b->y);
        return TRUE;
      }
    case NODE_LAYER:
      break;
    }

  switch (m->preset->layers[nd->layer].kind)
    {
    case AN_LAYER_CONV:
      {
        AnConvDesc cd = nd->conv;
        cd.n = n;
        o->conv2d_forward (be, &cd, nd->y, src->y, d->w + nd->pw.arena, d->w + nd->pb.arena);
        break;
      }
    case AN_LAYER_LINEAR:
      {
        AnLinearDesc ld = nd->lin;
        ld.n = n;
        o->linear_forward (be, &ld, nd->y, src->y, d->w + nd->pw.arena, d->w + nd->pb.arena);
        break;
      }
    case AN_LAYER_RELU:
      o->relu_forward (be, (gsize) n * node_size (nd), nd->y, src->y);
      break;
    case AN_LAYER_LRN:
      {
        AnLrnDesc ld = nd->lrn;
        ld.n = n;
        o->lrn_forward (be, &ld, nd->y, nd->aux, src->y);
        break;
      }
    case AN_LAYER_MAXPOOL:
      {
        AnPoolDesc pd = nd->pool;
        pd.n = n;
        o->maxpool_forward (be, &pd, nd->y, nd->argmax, src->y);
        break;
      }
    case AN_LAYER_AVGPOOL:
      {
        AnAdaptivePoolDesc ad = nd->apool;
        ad.n = n;
        o->avgpool_forward (be, &ad, nd->y, src->y);
        break;
      }
    case AN_LAYER_DROPOUT:
      if (training && nd->p_drop > 0)
        {
          AnDropoutDesc dd = nd->drop;
          dd.n = n;
          dd.p = nd->p_drop;
          dd.seed = m->opts.seed;
          dd.stream = AN_RNG_STREAM (AN_RNG_DROPOUT, nd->layer, step);
          o->dropout_forward (be, &dd, nd->y, nd->aux, src->y);
        }
      else
        return o->copy (be, nd->y, src->y, (gsize) n * node_size (nd) * sizeof (float), error);
      break;
    case AN_LAYER_FLATTEN:
    default:
      break;
    }
  return TRUE;
}

gboolean
an_model_forward (AnModel *m, int n, const float *x, const gint32 *labels, gboolean training,
                  guint64 step, double *loss, GError **error)
{
  g_return_val_if_fail (n >= 1 && n <= m->opts.batch, FALSE);
  Node *in = NODE (m, 0);
  Node *out = NODE (m, m->out_node);
  /* without labels the probabilities are still wanted (classification): label 0, no loss */
  g_autofree gint32 *zeros = labels ? NULL : g_new0 (gint32, n);

  m->last_n = n;
  m->have_labels = labels != NULL;
  m->last_training = training;
  if (!in->be->ops->upload (in->be, in->y, x, (gsize) n * node_size (in) * sizeof (float), error))
    return FALSE;
  for (guint i = 0; i < m->nodes->len; i++)
    {
      gint64 t0 = m->profiling ? g_get_monotonic_time () : 0;
      Node *nd = NODE (m, i);

      if (!forward_node (m, nd, n, training, step, error))
        return FALSE;
      if (m->profiling && !profile_add (m, nd->be, profile_row (m, nd), TRUE, t0, error))
        return FALSE;
    }
  gint64 t0 = m->profiling ? g_get_monotonic_time () : 0;
  if (!out->be->ops->upload (out->be, m->labels, labels ? labels : zeros, n * sizeof (int32_t),
                             error))
    return FALSE;
  double mean = out->be->ops->softmax_xent_forward (out->be, n, out->c, m->probs, out->y,
                                                    m->labels);
  if (loss)
    *loss = labels ? mean : 0.0;
  if (m->profiling)
    {
      m->forward_passes++;
      return profile_add (m, out->be, m->preset->n_layers + PROFILE_LOSS, TRUE, t0, error);
    }
  return TRUE;
}

static gboolean
backward_node (AnModel *m, Node *nd, int n, GError **error)
{
  if (nd->kind == NODE_INPUT || nd->alias || !nd->needs_grad)
    return TRUE;
  AnBackend *be = nd->be;
  const AnBackendOps *o = be->ops;
  Node *src = NODE (m, nd->in[0]);
  float *dx = src->needs_grad ? src->dy : NULL;
  Device *d = &m->devs[nd->dev];
  gsize count = (gsize) n * node_size (nd);

  switch (nd->kind)
    {
    case NODE_TRANSFER:
      if (dx)
        {
          if (!an_backend_transfer (src->be, nd->aux, be, nd->dy, count * sizeof (float), error))
            return FALSE;
          /* dx += staged gradient: concat_backward over the whole tensor is an addition */
          src->be->ops->concat_backward (src->be, n, src->c, 0, src->c, src->h * src->w, dx, nd->aux);
        }
      return TRUE;
    case NODE_CONCAT:
      {
        Node *b = NODE (m, nd->in[1]);
        int hw = nd->h * nd->w;
        if (dx)
          o->concat_backward (be, n, nd->c, 0, src->c, hw, dx, nd->dy);
        if (b->needs_grad)
          o->concat_backward (be, n, nd->c, src->c, b->c, hw, b->dy, nd->dy);
        return TRUE;
      }
    case NODE_INPUT:
    case NODE_LAYER:
      break;
    }

  switch (m->preset->layers[nd->layer].kind)
    {
    case AN_LAYER_CONV:
      {
        AnConvDesc cd = nd->conv;
        cd.n = n;
        o->conv2d_backward (be, &cd, dx, d->g + nd->pw.arena, d->g + nd->pb.arena, nd->dy,
                            src->y, d->w + nd->pw.arena);
        break;
      }
    case AN_LAYER_LINEAR:
      {
        AnLinearDesc ld = nd->lin;
        ld.n = n;
        o->linear_backward (be, &ld, dx, d->g + nd->pw.arena, d->g + nd->pb.arena, nd->dy,
                            src->y, d->w + nd->pw.arena);
        break;
      }
    case AN_LAYER_RELU:
      if (dx)
        o->relu_backward (be, count, dx, nd->dy, nd->y);
      break;
    case AN_LAYER_LRN:
      if (dx)
        {
          AnLrnDesc ld = nd->lrn;
          ld.n = n;
          o->lrn_backward (be, &ld, dx, nd->dy, src->y, nd->y, nd->aux);
        }
      break;
    case AN_LAYER_MAXPOOL:
      if (dx)
        {
          AnPoolDesc pd = nd->pool;
          pd.n = n;
          o->maxpool_backward (be, &pd, dx, nd->dy, nd->argmax);
        }
      break;
    case AN_LAYER_AVGPOOL:
      if (dx)
        {
          AnAdaptivePoolDesc ad = nd->apool;
          ad.n = n;
          o->avgpool_backward (be, &ad, dx, nd->dy);
        }
      break;
    case AN_LAYER_DROPOUT:
      if (dx)
        {
          if (m->last_training && nd->p_drop > 0)
            o->dropout_backward (be, count, dx, nd->dy, nd->aux);
          else
            o->concat_backward (be, n, nd->c * nd->h * nd->w, 0, nd->c * nd->h * nd->w, 1, dx, nd->dy);
        }
      break;
    case AN_LAYER_FLATTEN:
    default:
      break;
    }
  return TRUE;
}

gboolean
an_model_backward (AnModel *m, GError **error)
{
  g_return_val_if_fail (m->opts.training && m->have_labels, FALSE);
  int n = m->last_n;
  gint64 t0 = m->profiling ? g_get_monotonic_time () : 0;
  for (int i = 0; i < m->n_devs; i++)
    if (!m->devs[i].be->ops->zero (m->devs[i].be, m->devs[i].g,
                                   MAX (m->devs[i].count, 1) * sizeof (float), error))
      return FALSE;
  for (guint i = 0; i < m->nodes->len; i++)
    {
      Node *nd = NODE (m, i);
      if (nd->dy && !nd->alias &&
          !nd->be->ops->zero (nd->be, nd->dy, (gsize) n * node_size (nd) * sizeof (float), error))
        return FALSE;
    }
  if (m->profiling &&
      !profile_add (m, m->devs[0].be, m->preset->n_layers + PROFILE_ZERO, FALSE, t0, error))
    return FALSE;
  Node *out = NODE (m, m->out_node);
  t0 = m->profiling ? g_get_monotonic_time () : 0;
  out->be->ops->softmax_xent_backward (out->be, n, out->c, out->dy, m->probs, m->labels);
  if (m->profiling &&
      !profile_add (m, out->be, m->preset->n_layers + PROFILE_LOSS, FALSE, t0, error))
    return FALSE;
  for (int i = (int) m->nodes->len - 1; i >= 0; i--)
    {
      Node *nd = NODE (m, i);

      t0 = m->profiling ? g_get_monotonic_time () : 0;
      if (!backward_node (m, nd, n, error))
        return FALSE;
      if (m->profiling && !profile_add (m, nd->be, profile_row (m, nd), FALSE, t0, error))
        return FALSE;
    }
  if (m->profiling)
    m->backward_passes++;
  return TRUE;
}

void
an_model_sgd_step (AnModel *m, const AnSgdDesc *d)
{
  g_return_if_fail (m->opts.training);
  for (int i = 0; i < m->n_devs; i++)
    {
      Device *dv = &m->devs[i];
      gint64 t0 = m->profiling ? g_get_monotonic_time () : 0;

      dv->be->ops->sgd_update (dv->be, d, dv->count, dv->w, dv->v, dv->g);
      /* a failure of the device shows at the next sync, where the caller looks for it */
      if (m->profiling)
        profile_add (m, dv->be, m->preset->n_layers + PROFILE_SGD, FALSE, t0, NULL);
    }
}

void
an_model_set_dropout (AnModel *m, double p)
{
  m->opts.dropout = p;
  for (guint i = 0; i < m->nodes->len; i++)
    {
      Node *nd = NODE (m, i);
      if (nd->kind == NODE_LAYER && m->preset->layers[nd->layer].kind == AN_LAYER_DROPOUT &&
          m->preset->layers[nd->layer].p_drop < 0)
        nd->p_drop = (float) p;
    }
}

double
an_model_grad_norm (AnModel *m)
{
  double s = 0;
  for (int i = 0; i < m->n_devs; i++)
    s += m->devs[i].be->ops->sum_squares (m->devs[i].be, m->devs[i].count, m->devs[i].g);
  return sqrt (s);
}

gboolean
an_model_get_probs (AnModel *m, float *host, GError **error)
{
  Node *out = NODE (m, m->out_node);
  return out->be->ops->download (out->be, host, m->probs,
                                 (gsize) m->last_n * out->c * sizeof (float), error);
}

gboolean
an_model_sync (AnModel *m, GError **error)
{
  for (int i = 0; i < m->n_devs; i++)
    if (!m->devs[i].be->ops->sync (m->devs[i].be, error))
      return FALSE;
  return TRUE;
}

char **
an_model_layer_names (AnModel *m)
{
  GPtrArray *a = g_ptr_array_new ();
  for (int i = 0; i < m->preset->n_layers; i++)
    g_ptr_array_add (a, g_strdup (m->preset->layers[i].name));
  g_ptr_array_add (a, NULL);
  return (char **) g_ptr_array_free (a, FALSE);
}

gboolean
an_model_get_activation (AnModel *m, const char *layer, int shape[4], float **host,
                         GError **error)
{
  int li = -1;
  for (int i = 0; i < m->preset->n_layers; i++)
    if (g_str_equal (m->preset->layers[i].name, layer))
      li = i;
  if (li < 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT, "model %s has no layer '%s'",
                   m->preset->name, layer);
      return FALSE;
    }
  Node *parts[2] = { NULL, NULL };
  for (guint i = 0; i < m->nodes->len; i++)
    {
      Node *nd = NODE (m, i);
      if (nd->kind == NODE_LAYER && nd->layer == li)
        parts[nd->tower == 1 ? 1 : 0] = nd;
    }
  int n = m->last_n > 0 ? m->last_n : 1;
  int hw = parts[0]->h * parts[0]->w;
  int c0 = parts[0]->c, c1 = parts[1] ? parts[1]->c : 0;
  int C = c0 + c1;
  float *out = g_new (float, (gsize) n * C * hw);
  g_autofree float *tmp = g_new (float, (gsize) n * MAX (c0, c1) * hw);
  for (int t = 0; t < 2; t++)
    {
      Node *nd = parts[t];
      if (!nd)
        continue;
      if (!nd->be->ops->download (nd->be, tmp, nd->y, (gsize) n * nd->c * hw * sizeof (float),
                                  error))
        {
          g_free (out);
          return FALSE;
        }
      int off = t == 0 ? 0 : c0;
      for (int b = 0; b < n; b++)
        memcpy (out + ((gsize) b * C + off) * hw, tmp + (gsize) b * nd->c * hw,
                (gsize) nd->c * hw * sizeof (float));
    }
  shape[0] = n, shape[1] = C, shape[2] = parts[0]->h, shape[3] = parts[0]->w;
  *host = out;
  return TRUE;
}
