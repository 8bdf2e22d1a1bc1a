/* bench-dnnl.c: a preset's convolutions and LRNs, layer by layer: the CPU backend's im2col +
 * OpenBLAS, its oneDNN path (reorders at the op's edges included) and its LRN, against
 * oneDNN's bare primitives in plain NCHW and in the blocked layouts oneDNN picks itself
 * (reorders timed apart), so the choice of kernel per op rests on a measurement. Prints milliseconds (wall and CPU time of the process:
 * the machine is shared, CPU time is the steadier figure), GFLOP/s and the largest difference
 * from the CPU backend relative to the largest magnitude.
 * Usage: bench-dnnl [preset=alexnet-cifar] [batch=128] [threads=2] [runs=5] [only: conv|lrn|a layer]
 */
#define G_LOG_DOMAIN "alexnet-bench"
#include "config.h"

#include <dnnl.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "an-backend.h"
#include "an-blas.h"
#include "an-model.h"
#include "an-rng.h"
#include "cpu/an-cpu-private.h"

#define CHECK(call)                                                                             \
  G_STMT_START                                                                                  \
  {                                                                                             \
    dnnl_status_t st_ = (call);                                                                 \
    if (st_ != dnnl_success)                                                                    \
      g_error ("%s:%d: %s failed: status %d", __FILE__, __LINE__, #call, (int) st_);            \
  }                                                                                             \
  G_STMT_END

static dnnl_engine_t engine;
static dnnl_stream_t stream;
static int runs = 5;

typedef struct {
  double wall, cpu; /* medians, seconds */
} Timing;

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
cpu_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef void (*BenchFn) (gpointer data);

/* One warm-up call, then the medians of runs calls. */
static Timing
timed (BenchFn fn, gpointer data)
{
  double wall[64], cpu[64];
  int n = MIN (runs, 64);
  Timing t;

  fn (data);
  for (int r = 0; r < n; r++)
    {
      gint64 t0 = g_get_monotonic_time ();
      double c0 = cpu_now ();

      fn (data);
      wall[r] = (g_get_monotonic_time () - t0) / 1e6;
      cpu[r] = cpu_now () - c0;
    }
  qsort (wall, n, sizeof (double), compare_doubles);
  qsort (cpu, n, sizeof (double), compare_doubles);
  t.wall = wall[n / 2];
  t.cpu = cpu[n / 2];
  return t;
}

static float *
filled (size_t count, uint64_t stream_id, float scale)
{
  float *p = g_malloc (count * sizeof (float));

  for (size_t i = 0; i < count; i++)
    p[i] = scale * (an_rng_uniform (7, stream_id, i) - 0.5f);
  return p;
}

/* max |a - b| / max(1, max |b|) */
static double
rel_diff (const float *a, const float *b, size_t count)
{
  double worst = 0, mag = 1;

  for (size_t i = 0; i < count; i++)
    {
      worst = MAX (worst, fabs ((double) a[i] - b[i]));
      mag = MAX (mag, fabs ((double) b[i]));
    }
  return worst / mag;
}

/* ---- oneDNN helpers ---- */

typedef struct {
  dnnl_primitive_t prim;
  dnnl_exec_arg_t args[8];
  int nargs;
} Exec;

static void
exec_run (gpointer data)
{
  Exec *e = data;

  CHECK (dnnl_primitive_execute (e->prim, stream, e->nargs, e->args));
  CHECK (dnnl_stream_wait (stream));
}

static dnnl_memory_t
mem (const dnnl_memory_desc_t *md, void *ptr)
{
  dnnl_memory_t m;

  CHECK (dnnl_memory_create (&m, md, engine, ptr ? ptr : DNNL_MEMORY_ALLOCATE));
  return m;
}

static const char *
impl_name (const_dnnl_primitive_desc_t pd)
{
  const char *s = "?";

  dnnl_primitive_desc_query (pd, dnnl_query_impl_info_str, 0, &s);
  return s;
}

/* A memory of the primitive's layout md filled from (or read back into) a plain one. */
static void
reorder (dnnl_memory_t from, dnnl_memory_t to)
{
  const dnnl_memory_desc_t *fmd, *tmd;
  dnnl_primitive_desc_t pd;
  dnnl_primitive_t p;

  CHECK (dnnl_memory_get_memory_desc (from, &fmd));
  CHECK (dnnl_memory_get_memory_desc (to, &tmd));
  CHECK (dnnl_reorder_primitive_desc_create (&pd, fmd, engine, tmd, engine, NULL));
  CHECK (dnnl_primitive_create (&p, pd));
  Exec e = { p, { { DNNL_ARG_FROM, from }, { DNNL_ARG_TO, to } }, 2 };
  exec_run (&e);
  dnnl_primitive_destroy (p);
  dnnl_primitive_desc_destroy (pd);
}

/* reorder timing: an Exec that keeps its primitive */
static Timing
time_reorder (dnnl_memory_t from, dnnl_memory_t to)
{
  const dnnl_memory_desc_t *fmd, *tmd;
  dnnl_primitive_desc_t pd;
  Exec e = { NULL, { { DNNL_ARG_FROM, from }, { DNNL_ARG_TO, to } }, 2 };
  Timing t;

  CHECK (dnnl_memory_get_memory_desc (from, &fmd));
  CHECK (dnnl_memory_get_memory_desc (to, &tmd));
  if (dnnl_memory_desc_equal (fmd, tmd))
    return (Timing){ 0, 0 };
  CHECK (dnnl_reorder_primitive_desc_create (&pd, fmd, engine, tmd, engine, NULL));
  CHECK (dnnl_primitive_create (&e.prim, pd));
  t = timed (exec_run, &e);
  dnnl_primitive_destroy (e.prim);
  dnnl_primitive_desc_destroy (pd);
  return t;
}

/* ---- our backend ---- */

typedef struct {
  AnBackend *be;
  AnConvDesc d;
  float *x, *w, *b, *y, *dy, *dx, *dw, *db;
  gboolean want_dx;
} OursConv;

static void
ours_conv_fwd (gpointer data)
{
  OursConv *o = data;

  conv2d_forward_cpu_with (o->be, AN_CPU_CONV_IM2COL, &o->d, o->y, o->x, o->w, o->b);
}

static void
ours_conv_bwd (gpointer data)
{
  OursConv *o = data;

  conv2d_backward_cpu_with (o->be, AN_CPU_CONV_IM2COL, &o->d, o->want_dx ? o->dx : NULL, o->dw, o->db, o->dy, o->x,
                          o->w);
}

typedef struct {
  AnBackend *be;
  AnLrnDesc d;
  float *x, *y, *scale, *dy, *dx;
} OursLrn;

static void
ours_lrn_fwd (gpointer data)
{
  OursLrn *o = data;

  lrn_forward_cpu (o->be, &o->d, o->y, o->scale, o->x);
}

static void
ours_lrn_bwd (gpointer data)
{
  OursLrn *o = data;

  lrn_backward_cpu (o->be, &o->d, o->dx, o->dy, o->x, o->y, o->scale);
}

static void
dnnl_op_fwd (gpointer data)
{
  OursConv *o = data;

  conv2d_forward_cpu_with (o->be, AN_CPU_CONV_DNNL, &o->d, o->y, o->x, o->w, o->b);
}

static void
dnnl_op_bwd (gpointer data)
{
  OursConv *o = data;

  conv2d_backward_cpu_with (o->be, AN_CPU_CONV_DNNL, &o->d, o->want_dx ? o->dx : NULL, o->dw,
                            o->db, o->dy, o->x, o->w);
}

static void
print_row (const char *layer, const char *what, const char *impl, Timing t, double flops,
           double diff)
{
  g_print ("%-6s %-22s %8.2f ms %8.2f cpu-ms %7.1f GFLOP/s  diff %.1e  %s\n", layer, what,
           t.wall * 1e3, t.cpu * 1e3, flops > 0 ? flops / t.wall / 1e9 : 0.0, diff, impl);
}

/* ---- convolution ---- */

static void
bench_conv (AnBackend *be, const char *name, const AnConvDesc *d, gboolean want_dx)
{
  const int g = d->groups;
  const size_t xs = (size_t) d->n * d->c * d->h * d->w, ys = (size_t) d->n * d->oc * d->oh * d->ow;
  const size_t ws = (size_t) d->oc * (d->c / g) * d->kh * d->kw;
  const double flops = 2.0 * d->n * d->oc * d->oh * d->ow * (double) (d->c / g) * d->kh * d->kw;
  OursConv o = { be, *d, filled (xs, 1, 2), filled (ws, 2, 0.2f), filled (d->oc, 3, 1),
                 g_malloc (ys * 4), filled (ys, 4, 2), g_malloc0 (xs * 4), g_malloc0 (ws * 4),
                 g_malloc0 (d->oc * 4), want_dx };
  Timing t;

  g_print ("%s: %d->%d k%d s%d p%d g%d %dx%d -> %dx%d, batch %d, %.2f GFLOP forward\n", name,
           d->c, d->oc, d->kh, d->sh, d->ph, g, d->h, d->w, d->oh, d->ow, d->n, flops / 1e9);
  t = timed (ours_conv_fwd, &o);
  print_row (name, "fwd im2col", "im2col+sgemm", t, flops, 0);
  t = timed (ours_conv_bwd, &o);
  print_row (name, want_dx ? "bwd im2col (dx dw db)" : "bwd im2col (dw db)", "im2col+sgemm", t,
             (want_dx ? 2 : 1) * flops, 0);

  /* reference results of ours for the comparison: one backward from zero */
  float *ref_dx = g_malloc0 (xs * 4), *ref_dw = g_malloc0 (ws * 4), *ref_db = g_malloc0 (d->oc * 4);
  conv2d_forward_cpu_with (be, AN_CPU_CONV_IM2COL, d, o.y, o.x, o.w, o.b);
  conv2d_backward_cpu_with (be, AN_CPU_CONV_IM2COL, d, want_dx ? ref_dx : NULL, ref_dw, ref_db, o.dy, o.x, o.w);

  /* the backend's oneDNN path: reorders at the op's edges, backward adding */
  {
    float *y0 = g_memdup2 (o.y, ys * 4);
    float *dx = g_malloc0 (xs * 4), *dw = g_malloc0 (ws * 4), *db = g_malloc0 (d->oc * 4);
    const char *kernel = an_backend_cpu_conv_kernel (be, d);
    double diff;

    conv2d_forward_cpu_with (be, AN_CPU_CONV_DNNL, d, o.y, o.x, o.w, o.b);
    conv2d_backward_cpu_with (be, AN_CPU_CONV_DNNL, d, want_dx ? dx : NULL, dw, db, o.dy, o.x, o.w);
    diff = rel_diff (o.y, y0, ys);
    t = timed (dnnl_op_fwd, &o);
    print_row (name, "fwd backend dnnl", kernel, t, flops, diff);
    diff = MAX (rel_diff (dw, ref_dw, ws), rel_diff (db, ref_db, d->oc));
    if (want_dx)
      diff = MAX (diff, rel_diff (dx, ref_dx, xs));
    t = timed (dnnl_op_bwd, &o);
    print_row (name, "bwd backend dnnl", kernel, t, (want_dx ? 2 : 1) * flops, diff);
    memcpy (o.y, y0, ys * 4);
    g_free (y0);
    g_free (dx);
    g_free (dw);
    g_free (db);
  }

  dnnl_dims_t src_dims = { d->n, d->c, d->h, d->w }, dst_dims = { d->n, d->oc, d->oh, d->ow };
  dnnl_dims_t wei_dims = { g, d->oc / g, d->c / g, d->kh, d->kw }, bias_dims = { d->oc };
  dnnl_dims_t strides = { d->sh, d->sw }, pad_l = { d->ph, d->pw };
  /* oneDNN wants the right padding that makes its output size ours (floor division) */
  dnnl_dims_t pad_r = { (d->oh - 1) * d->sh + d->kh - d->h - d->ph,
                        (d->ow - 1) * d->sw + d->kw - d->w - d->pw };
  const int wnd = g > 1 ? 5 : 4;
  const dnnl_dim_t *wdims = g > 1 ? wei_dims : wei_dims + 1;

  for (int layout = 0; layout < 2; layout++)
    {
      const char *lname = layout == 0 ? "nchw" : "blocked";
      dnnl_format_tag_t act = layout == 0 ? dnnl_nchw : dnnl_format_tag_any;
      dnnl_format_tag_t wtag = layout == 0 ? (g > 1 ? dnnl_goihw : dnnl_oihw) : dnnl_format_tag_any;
      dnnl_memory_desc_t src_md, dst_md, wei_md, bias_md, p_src, p_dst, p_wei, p_bias;
      dnnl_convolution_desc_t fd, bdd, bwd;
      dnnl_primitive_desc_t fpd, bdpd, bwpd;
      dnnl_primitive_t fp, bdp, bwp;
      char what[64];

      CHECK (dnnl_memory_desc_init_by_tag (&src_md, 4, src_dims, dnnl_f32, act));
      CHECK (dnnl_memory_desc_init_by_tag (&dst_md, 4, dst_dims, dnnl_f32, act));
      CHECK (dnnl_memory_desc_init_by_tag (&wei_md, wnd, wdims, dnnl_f32, wtag));
      CHECK (dnnl_memory_desc_init_by_tag (&bias_md, 1, bias_dims, dnnl_f32, dnnl_x));
      CHECK (dnnl_memory_desc_init_by_tag (&p_src, 4, src_dims, dnnl_f32, dnnl_nchw));
      CHECK (dnnl_memory_desc_init_by_tag (&p_dst, 4, dst_dims, dnnl_f32, dnnl_nchw));
      CHECK (dnnl_memory_desc_init_by_tag (&p_wei, wnd, wdims, dnnl_f32, g > 1 ? dnnl_goihw : dnnl_oihw));
      p_bias = bias_md;

      CHECK (dnnl_convolution_forward_desc_init (&fd, dnnl_forward_training, dnnl_convolution_direct,
                                                 &src_md, &wei_md, &bias_md, &dst_md, strides,
                                                 pad_l, pad_r));
      CHECK (dnnl_primitive_desc_create (&fpd, &fd, NULL, engine, NULL));
      CHECK (dnnl_convolution_backward_data_desc_init (&bdd, dnnl_convolution_direct, &src_md,
                                                       &wei_md, &dst_md, strides, pad_l, pad_r));
      CHECK (dnnl_primitive_desc_create (&bdpd, &bdd, NULL, engine, fpd));
      CHECK (dnnl_convolution_backward_weights_desc_init (&bwd, dnnl_convolution_direct, &src_md,
                                                          &wei_md, &bias_md, &dst_md, strides,
                                                          pad_l, pad_r));
      CHECK (dnnl_primitive_desc_create (&bwpd, &bwd, NULL, engine, fpd));
      CHECK (dnnl_primitive_create (&fp, fpd));
      CHECK (dnnl_primitive_create (&bdp, bdpd));
      CHECK (dnnl_primitive_create (&bwp, bwpd));

      /* plain memories holding our data, and memories in the layouts each primitive chose */
      dnnl_memory_t px = mem (&p_src, o.x), pw = mem (&p_wei, o.w), pb = mem (&p_bias, o.b);
      dnnl_memory_t pdy = mem (&p_dst, o.dy);
      float *out_y = g_malloc (ys * 4), *out_dx = g_malloc (xs * 4), *out_dw = g_malloc (ws * 4);
      float *out_db = g_malloc (d->oc * 4);
      dnnl_memory_t py = mem (&p_dst, out_y), pdx = mem (&p_src, out_dx), pdw = mem (&p_wei, out_dw);
      dnnl_memory_t pdb = mem (&p_bias, out_db);
      dnnl_memory_t fx = mem (dnnl_primitive_desc_query_md (fpd, dnnl_query_src_md, 0), NULL);
      dnnl_memory_t fw = mem (dnnl_primitive_desc_query_md (fpd, dnnl_query_weights_md, 0), NULL);
      dnnl_memory_t fy = mem (dnnl_primitive_desc_query_md (fpd, dnnl_query_dst_md, 0), NULL);
      dnnl_memory_t ddy = mem (dnnl_primitive_desc_query_md (bdpd, dnnl_query_diff_dst_md, 0), NULL);
      dnnl_memory_t dw_ = mem (dnnl_primitive_desc_query_md (bdpd, dnnl_query_weights_md, 0), NULL);
      dnnl_memory_t ddx = mem (dnnl_primitive_desc_query_md (bdpd, dnnl_query_diff_src_md, 0), NULL);
      dnnl_memory_t wx = mem (dnnl_primitive_desc_query_md (bwpd, dnnl_query_src_md, 0), NULL);
      dnnl_memory_t wdy = mem (dnnl_primitive_desc_query_md (bwpd, dnnl_query_diff_dst_md, 0), NULL);
      dnnl_memory_t wdw = mem (dnnl_primitive_desc_query_md (bwpd, dnnl_query_diff_weights_md, 0), NULL);

      reorder (px, fx);
      reorder (pw, fw);
      reorder (pdy, ddy);
      reorder (pw, dw_);
      reorder (px, wx);
      reorder (pdy, wdy);

      Exec fe = { fp, { { DNNL_ARG_SRC, fx }, { DNNL_ARG_WEIGHTS, fw }, { DNNL_ARG_BIAS, pb },
                        { DNNL_ARG_DST, fy } }, 4 };
      Exec de = { bdp, { { DNNL_ARG_DIFF_DST, ddy }, { DNNL_ARG_WEIGHTS, dw_ },
                         { DNNL_ARG_DIFF_SRC, ddx } }, 3 };
      Exec we = { bwp, { { DNNL_ARG_SRC, wx }, { DNNL_ARG_DIFF_DST, wdy },
                         { DNNL_ARG_DIFF_WEIGHTS, wdw }, { DNNL_ARG_DIFF_BIAS, pdb } }, 4 };

      exec_run (&fe);
      reorder (fy, py);
      exec_run (&we);
      reorder (wdw, pdw);
      if (want_dx)
        {
          exec_run (&de);
          reorder (ddx, pdx);
        }
      /* our backward started from zeros for ref_*; oneDNN's overwrites */
      double diff_y = rel_diff (out_y, o.y, ys), diff_w = rel_diff (out_dw, ref_dw, ws);
      double diff_b = rel_diff (out_db, ref_db, d->oc);
      double diff_x = want_dx ? rel_diff (out_dx, ref_dx, xs) : 0;

      g_snprintf (what, sizeof what, "fwd dnnl %s", lname);
      t = timed (exec_run, &fe);
      print_row (name, what, impl_name (fpd), t, flops, diff_y);
      if (want_dx)
        {
          g_snprintf (what, sizeof what, "bwd-data dnnl %s", lname);
          t = timed (exec_run, &de);
          print_row (name, what, impl_name (bdpd), t, flops, diff_x);
        }
      g_snprintf (what, sizeof what, "bwd-w+b dnnl %s", lname);
      t = timed (exec_run, &we);
      print_row (name, what, impl_name (bwpd), t, flops, MAX (diff_w, diff_b));
      if (layout == 1)
        {
          Timing rx = time_reorder (px, fx), ry = time_reorder (fy, py);
          Timing rdy = time_reorder (pdy, ddy), rdx = time_reorder (ddx, pdx);

          g_print ("%-6s reorders ms: x->%.2f y<-%.2f dy->%.2f dx<-%.2f (wall)\n", name,
                   rx.wall * 1e3, ry.wall * 1e3, rdy.wall * 1e3, rdx.wall * 1e3);
        }

      dnnl_memory_t all[] = { px, pw, pb, pdy, py, pdx, pdw, pdb, fx, fw, fy, ddy, dw_, ddx, wx, wdy, wdw };
      for (size_t i = 0; i < G_N_ELEMENTS (all); i++)
        dnnl_memory_destroy (all[i]);
      dnnl_primitive_destroy (fp);
      dnnl_primitive_destroy (bdp);
      dnnl_primitive_destroy (bwp);
      dnnl_primitive_desc_destroy (fpd);
      dnnl_primitive_desc_destroy (bdpd);
      dnnl_primitive_desc_destroy (bwpd);
      g_free (out_y);
      g_free (out_dx);
      g_free (out_dw);
      g_free (out_db);
    }
  g_free (ref_dx);
  g_free (ref_dw);
  g_free (ref_db);
  g_free (o.x);
  g_free (o.w);
  g_free (o.b);
  g_free (o.y);
  g_free (o.dy);
  g_free (o.dx);
  g_free (o.dw);
  g_free (o.db);
}

/* ---- LRN: the groups are folded into the batch (NCHW: each group's channels are one block) */

static void
bench_lrn (AnBackend *be, const char *name, const AnLrnDesc *d)
{
  const size_t count = (size_t) d->n * d->c * d->h * d->w;
  OursLrn o = { be, *d, filled (count, 11, 4), g_malloc (count * 4), g_malloc (count * 4),
                filled (count, 12, 2), g_malloc0 (count * 4) };
  Timing t;

  g_print ("%s: LRN size %d over %d channels in %d groups, %dx%d, batch %d\n", name, d->size,
           d->c, d->groups, d->h, d->w, d->n);
  t = timed (ours_lrn_fwd, &o);
  print_row (name, "fwd backend", "one-pass float", t, 0, 0);
  t = timed (ours_lrn_bwd, &o);
  print_row (name, "bwd backend", "one-pass float", t, 0, 0);
  float *ref_dx = g_malloc0 (count * 4);
  lrn_forward_cpu (be, d, o.y, o.scale, o.x);
  lrn_backward_cpu (be, d, ref_dx, o.dy, o.x, o.y, o.scale);

  dnnl_dims_t dims = { (dnnl_dim_t) d->n * d->groups, d->c / d->groups, d->h, d->w };
  for (int layout = 0; layout < 2; layout++)
    {
      dnnl_memory_desc_t md, pmd;
      dnnl_lrn_desc_t fd, bd;
      dnnl_primitive_desc_t fpd, bpd;
      dnnl_primitive_t fp, bp;
      char what[64];
      /* oneDNN divides alpha by the size itself */
      float alpha = d->alpha * d->size;

      CHECK (dnnl_memory_desc_init_by_tag (&pmd, 4, dims, dnnl_f32, dnnl_nchw));
      CHECK (dnnl_memory_desc_init_by_tag (&md, 4, dims, dnnl_f32, layout == 0 ? dnnl_nchw : dnnl_nChw16c));
      CHECK (dnnl_lrn_forward_desc_init (&fd, dnnl_forward_training, dnnl_lrn_across_channels, &md,
                                         d->size, alpha, d->beta, d->k));
      CHECK (dnnl_primitive_desc_create (&fpd, &fd, NULL, engine, NULL));
      CHECK (dnnl_lrn_backward_desc_init (&bd, dnnl_lrn_across_channels, &md, &md, d->size, alpha,
                                          d->beta, d->k));
      CHECK (dnnl_primitive_desc_create (&bpd, &bd, NULL, engine, fpd));
      CHECK (dnnl_primitive_create (&fp, fpd));
      CHECK (dnnl_primitive_create (&bp, bpd));
      const dnnl_memory_desc_t *wsmd = dnnl_primitive_desc_query_md (fpd, dnnl_query_workspace_md, 0);
      float *out_y = g_malloc (count * 4), *out_dx = g_malloc (count * 4);
      dnnl_memory_t px = mem (&pmd, o.x), pdy = mem (&pmd, o.dy), py = mem (&pmd, out_y);
      dnnl_memory_t pdx = mem (&pmd, out_dx);
      dnnl_memory_t x = mem (&md, NULL), y = mem (&md, NULL), dy = mem (&md, NULL), dx = mem (&md, NULL);
      dnnl_memory_t ws = wsmd && wsmd->ndims > 0 ? mem (wsmd, NULL) : NULL;

      reorder (px, x);
      reorder (pdy, dy);
      Exec fe = { fp, { { DNNL_ARG_SRC, x }, { DNNL_ARG_DST, y } }, 2 };
      Exec bex = { bp, { { DNNL_ARG_SRC, x }, { DNNL_ARG_DIFF_DST, dy }, { DNNL_ARG_DIFF_SRC, dx } }, 3 };
      if (ws)
        {
          fe.args[fe.nargs++] = (dnnl_exec_arg_t){ DNNL_ARG_WORKSPACE, ws };
          bex.args[bex.nargs++] = (dnnl_exec_arg_t){ DNNL_ARG_WORKSPACE, ws };
        }
      exec_run (&fe);
      exec_run (&bex);
      reorder (y, py);
      reorder (dx, pdx);
      double diff_y = rel_diff (out_y, o.y, count), diff_x = rel_diff (out_dx, ref_dx, count);

      g_snprintf (what, sizeof what, "fwd dnnl %s", layout == 0 ? "nchw" : "nChw16c");
      t = timed (exec_run, &fe);
      print_row (name, what, impl_name (fpd), t, 0, diff_y);
      g_snprintf (what, sizeof what, "bwd dnnl %s", layout == 0 ? "nchw" : "nChw16c");
      t = timed (exec_run, &bex);
      print_row (name, what, impl_name (bpd), t, 0, diff_x);

      dnnl_memory_t all[] = { px, pdy, py, pdx, x, y, dy, dx };
      for (size_t i = 0; i < G_N_ELEMENTS (all); i++)
        dnnl_memory_destroy (all[i]);
      if (ws)
        dnnl_memory_destroy (ws);
      dnnl_primitive_destroy (fp);
      dnnl_primitive_destroy (bp);
      dnnl_primitive_desc_destroy (fpd);
      dnnl_primitive_desc_destroy (bpd);
      g_free (out_y);
      g_free (out_dx);
    }
  g_free (ref_dx);
  g_free (o.x);
  g_free (o.y);
  g_free (o.scale);
  g_free (o.dy);
  g_free (o.dx);
}

int
main (int argc, char **argv)
{
  an_blas_select_kernel (argv); /* as the application does */

  const char *preset_name = argc > 1 ? argv[1] : "alexnet-cifar";
  int batch = argc > 2 ? atoi (argv[2]) : 128;
  int threads = argc > 3 ? atoi (argv[3]) : 2;
  g_autoptr (GError) error = NULL;
  g_autoptr (AnPreset) p = NULL;

  const char *only = argc > 5 ? argv[5] : NULL;
  runs = argc > 4 ? atoi (argv[4]) : 5;
  if (batch < 1 || threads < 1 || runs < 1 || !(p = an_preset_load (preset_name, &error)))
    {
      g_printerr ("usage: bench-dnnl [preset] [batch] [threads] [runs]%s%s\n",
                  error ? ": " : "", error ? error->message : "");
      return 2;
    }
  omp_set_num_threads (threads);
  CHECK (dnnl_engine_create (&engine, dnnl_cpu, 0));
  CHECK (dnnl_stream_create (&stream, engine, dnnl_stream_default_flags));
  g_autoptr (AnBackend) be = an_backend_cpu_new (0, threads);
  const dnnl_version_t *v = dnnl_version ();

  g_print ("%s, batch %d, %d threads, median of %d runs; OpenBLAS %s kernels, oneDNN %d.%d.%d\n",
           p->name, batch, threads, runs, an_blas_kernel_name (), v->major, v->minor, v->patch);

  int c = p->channels > 0 ? p->channels : 3, h = p->height, w = p->width;
  gboolean first_conv = TRUE;
  for (int i = 0; i < p->n_layers; i++)
    {
      const AnLayerSpec *L = &p->layers[i];
      gboolean wanted = !only || g_str_equal (only, L->name) ||
                        (g_str_equal (only, "conv") && L->kind == AN_LAYER_CONV) ||
                        (g_str_equal (only, "lrn") && L->kind == AN_LAYER_LRN);
      switch (L->kind)
        {
        case AN_LAYER_CONV:
          {
            AnConvDesc d = { batch, c, h, w, L->out, L->k, L->k, L->s, L->s, L->p, L->p,
                             L->groups, 0, 0 };
            if (!an_conv_desc_init (&d, &error))
              g_error ("%s: %s", L->name, error->message);
            if (wanted)
              bench_conv (be, L->name, &d, !first_conv);
            first_conv = FALSE;
            c = d.oc, h = d.oh, w = d.ow;
            break;
          }
        case AN_LAYER_LRN:
          {
            AnLrnDesc d = { batch, c, h, w, L->size, L->groups, (float) (L->alpha / L->size),
                            (float) L->beta, (float) L->lrn_k };
            if (wanted)
              bench_lrn (be, L->name, &d);
            break;
          }
        case AN_LAYER_MAXPOOL:
          h = (h - L->k) / L->s + 1;
          w = (w - L->k) / L->s + 1;
          break;
        default:
          break;
        }
      if (L->kind == AN_LAYER_AVGPOOL || L->kind == AN_LAYER_FLATTEN)
        break;
    }
  dnnl_stream_destroy (stream);
  dnnl_engine_destroy (engine);
  return 0;
}
