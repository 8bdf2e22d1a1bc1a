/* dnnl-conv.c: see dnnl-conv.h. Primitives are made once per shape (batch size included) and
 * kept; tensors in another layout than plain NCHW / (G)OIHW live in one workspace that grows
 * to the largest shape seen, as the scratchpads do (no allocation per call once warm).
 * Backward adds: gradients come out into the workspace and a reorder with a sum post-op adds
 * them into dx and dw; db is added by hand.
 */
#define G_LOG_DOMAIN "alexnet-bench"
#include "config.h"

#include "dnnl-conv.h"

#include <dnnl.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN 64

typedef struct {
  dnnl_primitive_t reorder; /* NULL: the op uses the plain memory itself */
  dnnl_memory_t plain, inner;
  size_t offset; /* of inner in the workspace */
} Edge;

typedef struct {
  AnConvDesc d;
  dnnl_primitive_t fwd, bwd_data, bwd_weights;
  size_t scratch[3]; /* bytes per primitive */
  dnnl_memory_t scratch_mem[3];
  /* forward: x -> src, w -> weights, dst -> y; bias plain */
  Edge f_x, f_w, f_y;
  dnnl_memory_t bias;
  /* backward data: dy -> diff_dst, w -> weights, diff_src -> dx (+=) */
  Edge d_dy, d_w, d_dx;
  /* backward weights: x -> src, dy -> diff_dst, diff_weights -> dw (+=); diff_bias plain */
  Edge w_x, w_dy, w_dw;
  dnnl_memory_t diff_bias;
  size_t diff_bias_offset;
  size_t work_bytes;
} Entry;

struct _DnnlConv {
  dnnl_engine_t engine;
  dnnl_stream_t stream;
  int threads;
  DnnlConvLayout layout;
  GPtrArray *entries;
  void *work;
  size_t work_bytes;
};

#define OK(call) ((call) == dnnl_success)

DnnlConv *
dnnl_conv_new (int threads, DnnlConvLayout layout)
{
  DnnlConv *dc = g_new0 (DnnlConv, 1);

  if (!OK (dnnl_engine_create (&dc->engine, dnnl_cpu, 0)) ||
      !OK (dnnl_stream_create (&dc->stream, dc->engine, dnnl_stream_default_flags)))
    g_error ("oneDNN: no CPU engine");
  dc->threads = threads;
  dc->layout = layout;
  dc->entries = g_ptr_array_new ();
  return dc;
}

static void
edge_clear (Edge *e)
{
  if (e->reorder)
    dnnl_primitive_destroy (e->reorder);
  if (e->inner && e->inner != e->plain)
    dnnl_memory_destroy (e->inner);
  if (e->plain)
    dnnl_memory_destroy (e->plain);
}

static void
entry_free (Entry *en)
{
  Edge *edges[] = { &en->f_x, &en->f_w, &en->f_y, &en->d_dy, &en->d_w, &en->d_dx,
                    &en->w_x, &en->w_dy, &en->w_dw };

  for (size_t i = 0; i < G_N_ELEMENTS (edges); i++)
    edge_clear (edges[i]);
  if (en->fwd)
    dnnl_primitive_destroy (en->fwd);
  if (en->bwd_data)
    dnnl_primitive_destroy (en->bwd_data);
  if (en->bwd_weights)
    dnnl_primitive_destroy (en->bwd_weights);
  for (int i = 0; i < 3; i++)
    if (en->scratch_mem[i])
      dnnl_memory_destroy (en->scratch_mem[i]);
  if (en->bias)
    dnnl_memory_destroy (en->bias);
  if (en->diff_bias)
    dnnl_memory_destroy (en->diff_bias);
  g_free (en);
}

void
dnnl_conv_free (DnnlConv *dc)
{
  if (!dc)
    return;
  for (guint i = 0; i < dc->entries->len; i++)
    entry_free (g_ptr_array_index (dc->entries, i));
  g_ptr_array_unref (dc->entries);
  free (dc->work);
  dnnl_stream_destroy (dc->stream);
  dnnl_engine_destroy (dc->engine);
  g_free (dc);
}

static size_t
reserve (size_t *total, size_t bytes)
{
  size_t at = *total;

  *total += (bytes + ALIGN - 1) / ALIGN * ALIGN;
  return at;
}

/* An edge between the plain layout and the op's: to_inner reorders plain -> inner before the
 * op, otherwise inner -> plain after it, adding when accumulate. */
static gboolean
edge_init (DnnlConv *dc, Edge *e, const dnnl_memory_desc_t *plain_md,
           const dnnl_memory_desc_t *inner_md, gboolean to_inner, gboolean accumulate,
           size_t *total)
{
  dnnl_primitive_desc_t pd;
  dnnl_primitive_attr_t attr = NULL;
  gboolean ok;

  if (!OK (dnnl_memory_create (&e->plain, plain_md, dc->engine, DNNL_MEMORY_NONE)))
    return FALSE;
  if (!accumulate && dnnl_memory_desc_equal (plain_md, inner_md))
    {
      e->inner = e->plain;
      return TRUE;
    }
  if (!OK (dnnl_memory_create (&e->inner, inner_md, dc->engine, DNNL_MEMORY_NONE)))
    return FALSE;
  e->offset = reserve (total, dnnl_memory_desc_get_size (inner_md));
  if (accumulate)
    {
      dnnl_post_ops_t po;

      dnnl_primitive_attr_create (&attr);
      dnnl_post_ops_create (&po);
      dnnl_post_ops_append_sum (po, 1.0f);
      dnnl_primitive_attr_set_post_ops (attr, po);
      dnnl_post_ops_destroy (po);
    }
  ok = OK (dnnl_reorder_primitive_desc_create (&pd, to_inner ? plain_md : inner_md, dc->engine,
                                               to_inner ? inner_md : plain_md, dc->engine, attr));
  if (attr)
    dnnl_primitive_attr_destroy (attr);
  if (!ok)
    return FALSE;
  ok = OK (dnnl_primitive_create (&e->reorder, pd));
  dnnl_primitive_desc_destroy (pd);
  return ok;
}

static gboolean
is_fast (const_dnnl_primitive_desc_t pd)
{
  const char *impl = NULL;

  dnnl_primitive_desc_query (pd, dnnl_query_impl_info_str, 0, &impl);
  return impl && !strstr (impl, "ref");
}

static Entry *
entry_new (DnnlConv *dc, const AnConvDesc *d)
{
  Entry *en = g_new0 (Entry, 1);
  const int g = d->groups;
  dnnl_dims_t src_dims = { d->n, d->c, d->h, d->w }, dst_dims = { d->n, d->oc, d->oh, d->ow };
  dnnl_dims_t wei_dims = { g, d->oc / g, d->c / g, d->kh, d->kw }, bias_dims = { d->oc };
  dnnl_dims_t strides = { d->sh, d->sw }, pad_l = { d->ph, d->pw };
  dnnl_dims_t pad_r = { (d->oh - 1) * d->sh + d->kh - d->h - d->ph,
                        (d->ow - 1) * d->sw + d->kw - d->w - d->pw };
  const int wnd = g > 1 ? 5 : 4;
  const dnnl_dim_t *wdims = g > 1 ? wei_dims : wei_dims + 1;
  const dnnl_format_tag_t wplain = g > 1 ? dnnl_goihw : dnnl_oihw;
  const gboolean blocked = dc->layout == DNNL_CONV_BLOCKED;
  dnnl_memory_desc_t p_src, p_dst, p_wei, p_bias, a_src, a_dst, a_wei;
  dnnl_convolution_desc_t cd;
  dnnl_primitive_desc_t pd[3] = { NULL, NULL, NULL };
  dnnl_primitive_attr_t attr;
  gboolean ok = TRUE;
  size_t total = 0;

  en->d = *d;
  dnnl_memory_desc_init_by_tag (&p_src, 4, src_dims, dnnl_f32, dnnl_nchw);
  dnnl_memory_desc_init_by_tag (&p_dst, 4, dst_dims, dnnl_f32, dnnl_nchw);
  dnnl_memory_desc_init_by_tag (&p_wei, wnd, wdims, dnnl_f32, wplain);
  dnnl_memory_desc_init_by_tag (&p_bias, 1, bias_dims, dnnl_f32, dnnl_x);
  dnnl_memory_desc_init_by_tag (&a_src, 4, src_dims, dnnl_f32, blocked ? dnnl_format_tag_any : dnnl_nchw);
  dnnl_memory_desc_init_by_tag (&a_dst, 4, dst_dims, dnnl_f32, blocked ? dnnl_format_tag_any : dnnl_nchw);
  dnnl_memory_desc_init_by_tag (&a_wei, wnd, wdims, dnnl_f32, blocked ? dnnl_format_tag_any : wplain);

  dnnl_primitive_attr_create (&attr);
  dnnl_primitive_attr_set_scratchpad_mode (attr, dnnl_scratchpad_mode_user);
  ok = OK (dnnl_convolution_forward_desc_init (&cd, dnnl_forward_training, dnnl_convolution_direct,
                                               &a_src, &a_wei, &p_bias, &a_dst, strides, pad_l,
                                               pad_r)) &&
       OK (dnnl_primitive_desc_create (&pd[0], &cd, attr, dc->engine, NULL)) &&
       OK (dnnl_convolution_backward_data_desc_init (&cd, dnnl_convolution_direct, &a_src, &a_wei,
                                                     &a_dst, strides, pad_l, pad_r)) &&
       OK (dnnl_primitive_desc_create (&pd[1], &cd, attr, dc->engine, pd[0])) &&
       OK (dnnl_convolution_backward_weights_desc_init (&cd, dnnl_convolution_direct, &a_src,
                                                        &a_wei, &p_bias, &a_dst, strides, pad_l,
                                                        pad_r)) &&
       OK (dnnl_primitive_desc_create (&pd[2], &cd, attr, dc->engine, pd[0]));
  dnnl_primitive_attr_destroy (attr);
  ok = ok && is_fast (pd[0]) && is_fast (pd[1]) && is_fast (pd[2]);
  ok = ok && OK (dnnl_primitive_create (&en->fwd, pd[0])) &&
       OK (dnnl_primitive_create (&en->bwd_data, pd[1])) &&
       OK (dnnl_primitive_create (&en->bwd_weights, pd[2]));
#define MD(i, what) dnnl_primitive_desc_query_md (pd[i], what, 0)
  ok = ok && edge_init (dc, &en->f_x, &p_src, MD (0, dnnl_query_src_md), TRUE, FALSE, &total) &&
       edge_init (dc, &en->f_w, &p_wei, MD (0, dnnl_query_weights_md), TRUE, FALSE, &total) &&
       edge_init (dc, &en->f_y, &p_dst, MD (0, dnnl_query_dst_md), FALSE, FALSE, &total) &&
       edge_init (dc, &en->d_dy, &p_dst, MD (1, dnnl_query_diff_dst_md), TRUE, FALSE, &total) &&
       edge_init (dc, &en->d_w, &p_wei, MD (1, dnnl_query_weights_md), TRUE, FALSE, &total) &&
       edge_init (dc, &en->d_dx, &p_src, MD (1, dnnl_query_diff_src_md), FALSE, TRUE, &total) &&
       edge_init (dc, &en->w_x, &p_src, MD (2, dnnl_query_src_md), TRUE, FALSE, &total) &&
       edge_init (dc, &en->w_dy, &p_dst, MD (2, dnnl_query_diff_dst_md), TRUE, FALSE, &total) &&
       edge_init (dc, &en->w_dw, &p_wei, MD (2, dnnl_query_diff_weights_md), FALSE, TRUE, &total) &&
       OK (dnnl_memory_create (&en->bias, &p_bias, dc->engine, DNNL_MEMORY_NONE)) &&
       OK (dnnl_memory_create (&en->diff_bias, &p_bias, dc->engine, DNNL_MEMORY_NONE));
  en->diff_bias_offset = reserve (&total, (size_t) d->oc * sizeof (float));
  for (int i = 0; ok && i < 3; i++)
    {
      const dnnl_memory_desc_t *smd = MD (i, dnnl_query_scratchpad_md);

      en->scratch[i] = smd ? dnnl_memory_desc_get_size (smd) : 0;
      if (en->scratch[i] > 0)
        ok = OK (dnnl_memory_create (&en->scratch_mem[i], smd, dc->engine, DNNL_MEMORY_NONE));
    }
#undef MD
  /* the scratchpads are used one at a time, after the tensors */
  en->work_bytes = total + MAX (en->scratch[0], MAX (en->scratch[1], en->scratch[2]));
  for (int i = 0; i < 3; i++)
    if (pd[i])
      dnnl_primitive_desc_destroy (pd[i]);
  if (!ok)
    {
      entry_free (en);
      return NULL;
    }
  return en;
}

static Entry *
entry_for (DnnlConv *dc, const AnConvDesc *d)
{
  Entry *en;

  for (guint i = 0; i < dc->entries->len; i++)
    {
      en = g_ptr_array_index (dc->entries, i);
      if (memcmp (&en->d, d, sizeof *d) == 0)
        return en;
    }
  en = entry_new (dc, d);
  if (!en)
    return NULL;
  if (en->work_bytes > dc->work_bytes)
    {
      void *fresh = NULL;

      if (posix_memalign (&fresh, ALIGN, en->work_bytes) != 0)
        {
          entry_free (en);
          return NULL;
        }
      free (dc->work);
      dc->work = fresh;
      dc->work_bytes = en->work_bytes;
    }
  g_ptr_array_add (dc->entries, en);
  return en;
}

static void
run (DnnlConv *dc, dnnl_primitive_t p, int nargs, const dnnl_exec_arg_t *args)
{
  if (!OK (dnnl_primitive_execute (p, dc->stream, nargs, args)) || !OK (dnnl_stream_wait (dc->stream)))
    g_error ("oneDNN: a primitive failed to run");
}

/* Points the edge at the user's tensor and the workspace; reorders in when to_inner. */
static dnnl_memory_t
edge_in (DnnlConv *dc, Edge *e, const void *plain)
{
  dnnl_memory_set_data_handle (e->plain, (void *) plain);
  if (e->inner == e->plain)
    return e->plain;
  dnnl_memory_set_data_handle (e->inner, (char *) dc->work + e->offset);
  if (e->reorder)
    {
      dnnl_exec_arg_t args[] = { { DNNL_ARG_FROM, e->plain }, { DNNL_ARG_TO, e->inner } };
      run (dc, e->reorder, 2, args);
    }
  return e->inner;
}

static dnnl_memory_t
edge_out_target (DnnlConv *dc, Edge *e, void *plain)
{
  dnnl_memory_set_data_handle (e->plain, plain);
  if (e->inner == e->plain)
    return e->plain;
  dnnl_memory_set_data_handle (e->inner, (char *) dc->work + e->offset);
  return e->inner;
}

static void
edge_out_finish (DnnlConv *dc, Edge *e)
{
  if (e->reorder)
    {
      dnnl_exec_arg_t args[] = { { DNNL_ARG_FROM, e->inner }, { DNNL_ARG_TO, e->plain } };
      run (dc, e->reorder, 2, args);
    }
}

static dnnl_memory_t
scratch (DnnlConv *dc, Entry *en, int i, size_t tensors)
{
  if (!en->scratch_mem[i])
    return NULL;
  dnnl_memory_set_data_handle (en->scratch_mem[i], (char *) dc->work + tensors);
  return en->scratch_mem[i];
}

static size_t
tensors_bytes (const Entry *en)
{
  return en->work_bytes - MAX (en->scratch[0], MAX (en->scratch[1], en->scratch[2]));
}

gboolean
dnnl_conv_forward (DnnlConv *dc, const AnConvDesc *d, float *y, const float *x, const float *w,
                   const float *b)
{
  Entry *en = entry_for (dc, d);
  dnnl_exec_arg_t args[5];
  int n = 0;

  if (!en)
    return FALSE;
  omp_set_num_threads (dc->threads);
  args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_SRC, edge_in (dc, &en->f_x, x) };
  args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_WEIGHTS, edge_in (dc, &en->f_w, w) };
  dnnl_memory_set_data_handle (en->bias, (void *) b);
  args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_BIAS, en->bias };
  args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_DST, edge_out_target (dc, &en->f_y, y) };
  if (en->scratch_mem[0])
    args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_SCRATCHPAD, scratch (dc, en, 0, tensors_bytes (en)) };
  run (dc, en->fwd, n, args);
  edge_out_finish (dc, &en->f_y);
  return TRUE;
}

gboolean
dnnl_conv_backward (DnnlConv *dc, const AnConvDesc *d, float *dx, float *dw, float *db,
                    const float *dy, const float *x, const float *w)
{
  Entry *en = entry_for (dc, d);
  dnnl_exec_arg_t args[5];
  int n = 0;

  if (!en || (!dw) != (!db))
    return FALSE;
  omp_set_num_threads (dc->threads);
  if (dw)
    {
      float *gb = (float *) ((char *) dc->work + en->diff_bias_offset);

      args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_SRC, edge_in (dc, &en->w_x, x) };
      args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_DIFF_DST, edge_in (dc, &en->w_dy, dy) };
      args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_DIFF_WEIGHTS, edge_out_target (dc, &en->w_dw, dw) };
      dnnl_memory_set_data_handle (en->diff_bias, gb);
      args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_DIFF_BIAS, en->diff_bias };
      if (en->scratch_mem[2])
        args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_SCRATCHPAD, scratch (dc, en, 2, tensors_bytes (en)) };
      run (dc, en->bwd_weights, n, args);
      edge_out_finish (dc, &en->w_dw);
      for (int o = 0; o < d->oc; o++)
        db[o] += gb[o];
    }
  if (dx)
    {
      n = 0;
      args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_DIFF_DST, edge_in (dc, &en->d_dy, dy) };
      args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_WEIGHTS, edge_in (dc, &en->d_w, w) };
      args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_DIFF_SRC, edge_out_target (dc, &en->d_dx, dx) };
      if (en->scratch_mem[1])
        args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_SCRATCHPAD, scratch (dc, en, 1, tensors_bytes (en)) };
      run (dc, en->bwd_data, n, args);
      edge_out_finish (dc, &en->d_dx);
    }
  return TRUE;
}
