/* an-cpu-conv-dnnl.c: convolution forward and backward through oneDNN's direct (JIT) kernels,
 * behind the backend's NCHW contract: the activations are reordered into oneDNN's blocked
 * layouts at the op's edges, the weights from and the gradients back to PyTorch's (G)OIHW.
 * Forward overwrites y; backward computes its gradients into the workspace and adds them with
 * a reorder whose sum post-op is the +=. Primitives are made once per shape (batch size and
 * thread count included) and kept; the reordered tensors and oneDNN's scratchpads live in the
 * backend's workspace, so a warm step allocates nothing. A shape oneDNN has no JIT kernel for
 * goes to im2col + BLAS (tools/kernels/bench-dnnl.c measured both, layer by layer).
 */
#define G_LOG_DOMAIN "alexnet-cpu"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-cpu-private.h"

#if HAVE_DNNL
#include <dnnl.h>
#include <omp.h>

/* Shapes kept at most; the oldest goes first (a run sees two or three: the batch, the last
 * partial batch, the evaluation batch). */
#define AN_DNNL_MAX_SHAPES 24
#define AN_DNNL_ALIGN 64

typedef struct {
  dnnl_primitive_t reorder; /* NULL: the op reads or writes the plain tensor itself */
  dnnl_memory_t plain, inner;
  size_t offset; /* of inner in the workspace, bytes */
} Edge;

typedef struct {
  AnConvDesc d;
  int threads;
  char *kernel; /* oneDNN's name of the forward kernel */
  dnnl_primitive_t fwd, bwd_data, bwd_weights;
  dnnl_memory_t scratch[3];
  Edge f_x, f_w, f_y;    /* forward: x -> src, w -> weights, dst -> y */
  Edge d_dy, d_w, d_dx;  /* backward data: dy -> diff_dst, w -> weights, diff_src -> += dx */
  Edge w_x, w_dy, w_dw;  /* backward weights: x, dy in, diff_weights -> += dw */
  dnnl_memory_t bias, diff_bias;
  size_t diff_bias_offset;
  gboolean share_dy; /* d_dy reads w_dy's reordered copy */
  size_t tensor_bytes, scratch_bytes;
} Shape;

struct _AnCpuDnnl {
  dnnl_engine_t engine;
  dnnl_stream_t stream;
  GPtrArray *shapes; /* Shape, oldest first */
};

#define OK(call) ((call) == dnnl_success)

AnCpuDnnl *
an_cpu_dnnl_new (void)
{
  AnCpuDnnl *dn = g_new0 (AnCpuDnnl, 1);

  if (!OK (dnnl_engine_create (&dn->engine, dnnl_cpu, 0)))
    {
      g_free (dn);
      return NULL;
    }
  if (!OK (dnnl_stream_create (&dn->stream, dn->engine, dnnl_stream_default_flags)))
    {
      dnnl_engine_destroy (dn->engine);
      g_free (dn);
      return NULL;
    }
  dn->shapes = g_ptr_array_new ();
  return dn;
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
shape_free (Shape *sh)
{
  Edge *edges[] = { &sh->f_x, &sh->f_w, &sh->f_y, &sh->d_dy, &sh->d_w,
                    &sh->d_dx, &sh->w_x, &sh->w_dy, &sh->w_dw };
  dnnl_primitive_t prims[] = { sh->fwd, sh->bwd_data, sh->bwd_weights };
  dnnl_memory_t mems[] = { sh->scratch[0], sh->scratch[1], sh->scratch[2], sh->bias,
                           sh->diff_bias };

  for (size_t i = 0; i < G_N_ELEMENTS (edges); i++)
    edge_clear (edges[i]);
  for (size_t i = 0; i < G_N_ELEMENTS (prims); i++)
    if (prims[i])
      dnnl_primitive_destroy (prims[i]);
  for (size_t i = 0; i < G_N_ELEMENTS (mems); i++)
    if (mems[i])
      dnnl_memory_destroy (mems[i]);
  g_free (sh->kernel);
  g_free (sh);
}

void
an_cpu_dnnl_free (AnCpuDnnl *dn)
{
  if (!dn)
    return;
  for (guint i = 0; i < dn->shapes->len; i++)
    shape_free (g_ptr_array_index (dn->shapes, i));
  g_ptr_array_unref (dn->shapes);
  dnnl_stream_destroy (dn->stream);
  dnnl_engine_destroy (dn->engine);
  g_free (dn);
}

static size_t
reserve (size_t *total, size_t bytes)
{
  size_t at = *total;

  *total += (bytes + AN_DNNL_ALIGN - 1) / AN_DNNL_ALIGN * AN_DNNL_ALIGN;
  return at;
}

/* The edge between a plain tensor and the op's layout: to_inner reorders plain -> inner before
 * the op; otherwise inner -> plain after it, adding into the plain tensor when accumulate. */
static gboolean
edge_init (AnCpuDnnl *dn, Edge *e, const dnnl_memory_desc_t *plain_md,
           const dnnl_memory_desc_t *inner_md, gboolean to_inner, gboolean accumulate,
           size_t *total)
{
  dnnl_primitive_desc_t pd;
  dnnl_primitive_attr_t attr = NULL;
  gboolean ok;

  if (!inner_md || !OK (dnnl_memory_create (&e->plain, plain_md, dn->engine, DNNL_MEMORY_NONE)))
    return FALSE;
  if (!accumulate && dnnl_memory_desc_equal (plain_md, inner_md))
    {
      e->inner = e->plain;
      return TRUE;
    }
  if (!OK (dnnl_memory_create (&e->inner, inner_md, dn->engine, DNNL_MEMORY_NONE)))
    return FALSE;
  e->offset = reserve (total, dnnl_memory_desc_get_size (inner_md));
  if (accumulate)
    {
      dnnl_post_ops_t po;

      if (!OK (dnnl_primitive_attr_create (&attr)))
        return FALSE;
      ok = OK (dnnl_post_ops_create (&po));
      ok = ok && OK (dnnl_post_ops_append_sum (po, 1.0f)) &&
           OK (dnnl_primitive_attr_set_post_ops (attr, po));
      if (po)
        dnnl_post_ops_destroy (po);
      if (!ok)
        {
          dnnl_primitive_attr_destroy (attr);
          return FALSE;
        }
    }
  ok = OK (dnnl_reorder_primitive_desc_create (&pd, to_inner ? plain_md : inner_md, dn->engine,
                                               to_inner ? inner_md : plain_md, dn->engine, attr));
  if (attr)
    dnnl_primitive_attr_destroy (attr);
  if (!ok)
    return FALSE;
  ok = OK (dnnl_primitive_create (&e->reorder, pd));
  dnnl_primitive_desc_destroy (pd);
  return ok;
}

/* Only oneDNN's JIT kernels ("jit:...", and the BRGEMM-based "brg..." some processors get):
 * its GEMM-based and reference convolutions were slower than im2col + BLAS (40-50 times so
 * for the first layer's weight gradient). */
static gboolean
is_jit (const_dnnl_primitive_desc_t pd, char **name)
{
  const char *impl = NULL;

  if (!OK (dnnl_primitive_desc_query (pd, dnnl_query_impl_info_str, 0, &impl)) || !impl ||
      !(g_str_has_prefix (impl, "jit") || g_str_has_prefix (impl, "brg")))
    return FALSE;
  if (name)
    *name = g_strdup (impl);
  return TRUE;
}

static Shape *
shape_new (AnCpuDnnl *dn, const AnConvDesc *d, int threads)
{
  Shape *sh = g_new0 (Shape, 1);
  const int g = d->groups;
  dnnl_dims_t src_dims = { d->n, d->c, d->h, d->w }, dst_dims = { d->n, d->oc, d->oh, d->ow };
  dnnl_dims_t wei_dims = { g, d->oc / g, d->c / g, d->kh, d->kw }, bias_dims = { d->oc };
  dnnl_dims_t strides = { d->sh, d->sw }, pad_l = { d->ph, d->pw };
  /* the right padding that gives our (floor) output size */
  dnnl_dims_t pad_r = { (d->oh - 1) * d->sh + d->kh - d->h - d->ph,
                        (d->ow - 1) * d->sw + d->kw - d->w - d->pw };
  const int wnd = g > 1 ? 5 : 4;
  const dnnl_dim_t *wdims = g > 1 ? wei_dims : wei_dims + 1;
  const dnnl_format_tag_t wplain = g > 1 ? dnnl_goihw : dnnl_oihw;
  dnnl_memory_desc_t p_src, p_dst, p_wei, p_bias, a_src, a_dst, a_wei;
  dnnl_convolution_desc_t cd;
  dnnl_primitive_desc_t pd[3] = { NULL, NULL, NULL };
  dnnl_primitive_attr_t attr = NULL;
  size_t fwd_bytes = 0, bwd_bytes = 0;
  gboolean ok;

  sh->d = *d;
  sh->threads = threads;
  ok = OK (dnnl_memory_desc_init_by_tag (&p_src, 4, src_dims, dnnl_f32, dnnl_nchw)) &&
       OK (dnnl_memory_desc_init_by_tag (&p_dst, 4, dst_dims, dnnl_f32, dnnl_nchw)) &&
       OK (dnnl_memory_desc_init_by_tag (&p_wei, wnd, wdims, dnnl_f32, wplain)) &&
       OK (dnnl_memory_desc_init_by_tag (&p_bias, 1, bias_dims, dnnl_f32, dnnl_x)) &&
       OK (dnnl_memory_desc_init_by_tag (&a_src, 4, src_dims, dnnl_f32, dnnl_format_tag_any)) &&
       OK (dnnl_memory_desc_init_by_tag (&a_dst, 4, dst_dims, dnnl_f32, dnnl_format_tag_any)) &&
       OK (dnnl_memory_desc_init_by_tag (&a_wei, wnd, wdims, dnnl_f32, dnnl_format_tag_any)) &&
       OK (dnnl_primitive_attr_create (&attr)) &&
       OK (dnnl_primitive_attr_set_scratchpad_mode (attr, dnnl_scratchpad_mode_user));
  ok = ok &&
       OK (dnnl_convolution_forward_desc_init (&cd, dnnl_forward_training, dnnl_convolution_direct,
                                               &a_src, &a_wei, &p_bias, &a_dst, strides, pad_l,
                                               pad_r)) &&
       OK (dnnl_primitive_desc_create (&pd[0], &cd, attr, dn->engine, NULL)) &&
       OK (dnnl_convolution_backward_data_desc_init (&cd, dnnl_convolution_direct, &a_src,
                                                     &a_wei, &a_dst, strides, pad_l, pad_r)) &&
       OK (dnnl_primitive_desc_create (&pd[1], &cd, attr, dn->engine, pd[0])) &&
       OK (dnnl_convolution_backward_weights_desc_init (&cd, dnnl_convolution_direct, &a_src,
                                                        &a_wei, &p_bias, &a_dst, strides, pad_l,
                                                        pad_r)) &&
       OK (dnnl_primitive_desc_create (&pd[2], &cd, attr, dn->engine, pd[0]));
  if (attr)
    dnnl_primitive_attr_destroy (attr);
  ok = ok && is_jit (pd[0], &sh->kernel) && is_jit (pd[1], NULL) && is_jit (pd[2], NULL);
  ok = ok && OK (dnnl_primitive_create (&sh->fwd, pd[0])) &&
       OK (dnnl_primitive_create (&sh->bwd_data, pd[1])) &&
       OK (dnnl_primitive_create (&sh->bwd_weights, pd[2]));
#define MD(i, what) (pd[i] ? dnnl_primitive_desc_query_md (pd[i], what, 0) : NULL)
  /* forward and backward never run together: their tensors share the workspace */
  ok = ok && edge_init (dn, &sh->f_x, &p_src, MD (0, dnnl_query_src_md), TRUE, FALSE, &fwd_bytes) &&
       edge_init (dn, &sh->f_w, &p_wei, MD (0, dnnl_query_weights_md), TRUE, FALSE, &fwd_bytes) &&
       edge_init (dn, &sh->f_y, &p_dst, MD (0, dnnl_query_dst_md), FALSE, FALSE, &fwd_bytes) &&
       edge_init (dn, &sh->w_x, &p_src, MD (2, dnnl_query_src_md), TRUE, FALSE, &bwd_bytes) &&
       edge_init (dn, &sh->w_dy, &p_dst, MD (2, dnnl_query_diff_dst_md), TRUE, FALSE,
                  &bwd_bytes) &&
       edge_init (dn, &sh->w_dw, &p_wei, MD (2, dnnl_query_diff_weights_md), FALSE, TRUE,
                  &bwd_bytes) &&
       edge_init (dn, &sh->d_dy, &p_dst, MD (1, dnnl_query_diff_dst_md), TRUE, FALSE,
                  &bwd_bytes) &&
       edge_init (dn, &sh->d_w, &p_wei, MD (1, dnnl_query_weights_md), TRUE, FALSE, &bwd_bytes) &&
       edge_init (dn, &sh->d_dx, &p_src, MD (1, dnnl_query_diff_src_md), FALSE, TRUE,
                  &bwd_bytes) &&
       OK (dnnl_memory_create (&sh->bias, &p_bias, dn->engine, DNNL_MEMORY_NONE)) &&
       OK (dnnl_memory_create (&sh->diff_bias, &p_bias, dn->engine, DNNL_MEMORY_NONE));
  sh->diff_bias_offset = reserve (&bwd_bytes, (size_t) d->oc * sizeof (float));
  /* both backward kernels read dy in one layout, as a rule: reordered once, for both */
  sh->share_dy = ok && sh->d_dy.reorder && sh->w_dy.reorder &&
                 dnnl_memory_desc_equal (MD (1, dnnl_query_diff_dst_md),
                                         MD (2, dnnl_query_diff_dst_md));
  if (sh->share_dy)
    sh->d_dy.offset = sh->w_dy.offset;
  sh->tensor_bytes = MAX (fwd_bytes, bwd_bytes);
  for (int i = 0; ok && i < 3; i++)
    {
      const dnnl_memory_desc_t *smd = MD (i, dnnl_query_scratchpad_md);
      size_t bytes = smd ? dnnl_memory_desc_get_size (smd) : 0;

      /* the scratchpads are used one at a time, after the tensors */
      sh->scratch_bytes = MAX (sh->scratch_bytes, bytes);
      if (bytes > 0)
        ok = OK (dnnl_memory_create (&sh->scratch[i], smd, dn->engine, DNNL_MEMORY_NONE));
    }
#undef MD
  for (int i = 0; i < 3; i++)
    if (pd[i])
      dnnl_primitive_desc_destroy (pd[i]);
  if (!ok)
    {
      shape_free (sh);
      return NULL;
    }
  return sh;
}

/* The kept shape for d at this thread count, made on first use; NULL when oneDNN has no JIT
 * kernel for it (remembered too, as a shape without primitives). */
static Shape *
shape_for (AnBackend *be, const AnConvDesc *d)
{
  AnCpuBackend *cpu = (AnCpuBackend *) be;
  int threads = an_cpu_threads (be);
  Shape *sh;

  if (!cpu->dnnl && !cpu->dnnl_failed && !(cpu->dnnl = an_cpu_dnnl_new ()))
    cpu->dnnl_failed = TRUE;
  if (!cpu->dnnl)
    return NULL;
  for (guint i = 0; i < cpu->dnnl->shapes->len; i++)
    {
      sh = g_ptr_array_index (cpu->dnnl->shapes, i);
      if (sh->threads == threads && memcmp (&sh->d, d, sizeof *d) == 0)
        return sh->fwd ? sh : NULL;
    }
  /* oneDNN sizes its kernels' blocking to the threads there are when it makes them */
  omp_set_num_threads (threads);
  sh = shape_new (cpu->dnnl, d, threads);
  if (!sh)
    {
      sh = g_new0 (Shape, 1);
      sh->d = *d;
      sh->threads = threads;
    }
  if (cpu->dnnl->shapes->len >= AN_DNNL_MAX_SHAPES)
    {
      shape_free (g_ptr_array_index (cpu->dnnl->shapes, 0));
      g_ptr_array_remove_index (cpu->dnnl->shapes, 0);
    }
  g_ptr_array_add (cpu->dnnl->shapes, sh);
  return sh->fwd ? sh : NULL;
}

static gboolean
run (AnCpuDnnl *dn, dnnl_primitive_t p, int nargs, const dnnl_exec_arg_t *args)
{
  return OK (dnnl_primitive_execute (p, dn->stream, nargs, args)) &&
         OK (dnnl_stream_wait (dn->stream));
}

/* Points the edge at the caller's tensor and the workspace, and reorders in if needed. */
static dnnl_memory_t
edge_in (AnCpuDnnl *dn, Edge *e, char *work, const void *plain, gboolean *ok)
{
  dnnl_memory_set_data_handle (e->plain, (void *) plain);
  if (e->inner == e->plain)
    return e->plain;
  dnnl_memory_set_data_handle (e->inner, work + e->offset);
  if (e->reorder && *ok)
    {
      dnnl_exec_arg_t args[] = { { DNNL_ARG_FROM, e->plain }, { DNNL_ARG_TO, e->inner } };
      *ok = run (dn, e->reorder, 2, args);
    }
  return e->inner;
}

static dnnl_memory_t
edge_out (Edge *e, char *work, void *plain)
{
  dnnl_memory_set_data_handle (e->plain, plain);
  if (e->inner == e->plain)
    return e->plain;
  dnnl_memory_set_data_handle (e->inner, work + e->offset);
  return e->inner;
}

static gboolean
edge_finish (AnCpuDnnl *dn, Edge *e)
{
  dnnl_exec_arg_t args[] = { { DNNL_ARG_FROM, e->inner }, { DNNL_ARG_TO, e->plain } };

  return !e->reorder || run (dn, e->reorder, 2, args);
}

static char *
shape_workspace (AnBackend *be, const Shape *sh)
{
  size_t bytes = sh->tensor_bytes + sh->scratch_bytes;

  return (char *) an_cpu_workspace (be, (bytes + sizeof (float) - 1) / sizeof (float));
}

/* A primitive that fails to run (it should not: the shapes were accepted) leaves NaN, which
 * the trainer's divergence check reports, as the im2col path does for a workspace it cannot
 * allocate. */
static void
poison (const char *what, float *out, size_t count)
{
  g_critical ("cpu conv2d %s: a oneDNN primitive failed", what);
  for (size_t i = 0; i < count; i++)
    out[i] = NAN;
}

gboolean
an_cpu_dnnl_conv2d_forward (AnBackend *be, const AnConvDesc *d, float *y, const float *x,
                            const float *w, const float *b)
{
  Shape *sh = shape_for (be, d);
  AnCpuDnnl *dn = ((AnCpuBackend *) be)->dnnl;
  dnnl_exec_arg_t args[5];
  gboolean ok = TRUE;
  char *work;
  int n = 0;

  if (!sh || !(work = shape_workspace (be, sh)))
    return FALSE;
  omp_set_num_threads (sh->threads);
  args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_SRC, edge_in (dn, &sh->f_x, work, x, &ok) };
  args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_WEIGHTS, edge_in (dn, &sh->f_w, work, w, &ok) };
  dnnl_memory_set_data_handle (sh->bias, (void *) b);
  args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_BIAS, sh->bias };
  args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_DST, edge_out (&sh->f_y, work, y) };
  if (sh->scratch[0])
    {
      dnnl_memory_set_data_handle (sh->scratch[0], work + sh->tensor_bytes);
      args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_SCRATCHPAD, sh->scratch[0] };
    }
  ok = ok && run (dn, sh->fwd, n, args) && edge_finish (dn, &sh->f_y);
  if (!ok)
    poison ("forward", y, (size_t) d->n * d->oc * d->oh * d->ow);
  return TRUE;
}

gboolean
an_cpu_dnnl_conv2d_backward (AnBackend *be, const AnConvDesc *d, float *dx, float *dw,
                             const float *dy, const float *x, const float *w, float *db)
{
  Shape *sh = shape_for (be, d);
  AnCpuDnnl *dn = ((AnCpuBackend *) be)->dnnl;
  dnnl_exec_arg_t args[5];
  gboolean ok = TRUE;
  char *work;
  int n = 0;

  if (!sh || !(work = shape_workspace (be, sh)))
    return FALSE;
  omp_set_num_threads (sh->threads);
  if (dw)
    {
      float *gb = (float *) (work + sh->diff_bias_offset);

      args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_SRC, edge_in (dn, &sh->w_x, work, x, &ok) };
      args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_DIFF_DST, edge_in (dn, &sh->w_dy, work, dy, &ok) };
      args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_DIFF_WEIGHTS, edge_out (&sh->w_dw, work, dw) };
      dnnl_memory_set_data_handle (sh->diff_bias, gb);
      args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_DIFF_BIAS, sh->diff_bias };
      if (sh->scratch[2])
        {
          dnnl_memory_set_data_handle (sh->scratch[2], work + sh->tensor_bytes);
          args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_SCRATCHPAD, sh->scratch[2] };
        }
      ok = ok && run (dn, sh->bwd_weights, n, args) && edge_finish (dn, &sh->w_dw);
      if (!ok)
        poison ("backward", dw, (size_t) d->oc * (d->c / d->groups) * d->kh * d->kw);
      if (db)
        for (int o = 0; o < d->oc; o++)
          db[o] += ok ? gb[o] : NAN;
    }
  if (dx)
    {
      n = 0;
      ok = TRUE;
      if (dw && sh->share_dy) /* already reordered for the weights' gradient */
        {
          dnnl_memory_set_data_handle (sh->d_dy.inner, work + sh->d_dy.offset);
          args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_DIFF_DST, sh->d_dy.inner };
        }
      else
        args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_DIFF_DST, edge_in (dn, &sh->d_dy, work, dy, &ok) };
      args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_WEIGHTS, edge_in (dn, &sh->d_w, work, w, &ok) };
      args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_DIFF_SRC, edge_out (&sh->d_dx, work, dx) };
      if (sh->scratch[1])
        {
          dnnl_memory_set_data_handle (sh->scratch[1], work + sh->tensor_bytes);
          args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_SCRATCHPAD, sh->scratch[1] };
        }
      ok = ok && run (dn, sh->bwd_data, n, args) && edge_finish (dn, &sh->d_dx);
      if (!ok)
        poison ("backward", dx, (size_t) d->n * d->c * d->h * d->w);
    }
  return TRUE;
}

const char *
an_cpu_dnnl_conv2d_kernel (AnBackend *be, const AnConvDesc *d)
{
  Shape *sh = shape_for (be, d);

  return sh ? sh->kernel : NULL;
}

#else /* !HAVE_DNNL */

AnCpuDnnl *
an_cpu_dnnl_new (void)
{
  return NULL;
}

void
an_cpu_dnnl_free (AnCpuDnnl *dn)
{
}

gboolean
an_cpu_dnnl_conv2d_forward (AnBackend *be, const AnConvDesc *d, float *y, const float *x,
                            const float *w, const float *b)
{
  return FALSE;
}

gboolean
an_cpu_dnnl_conv2d_backward (AnBackend *be, const AnConvDesc *d, float *dx, float *dw,
                             const float *dy, const float *x, const float *w, float *db)
{
  return FALSE;
}

const char *
an_cpu_dnnl_conv2d_kernel (AnBackend *be, const AnConvDesc *d)
{
  return NULL;
}

#endif
