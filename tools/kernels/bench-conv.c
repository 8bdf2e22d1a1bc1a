/* bench-conv.c: GFLOP/s of the CPU backend's conv2d on alexnet-cifar's conv layers, with the
 * batch folded into one GEMM per group (chunks of images) and with one GEMM per image, so the
 * backend's choice between them rests on a measurement. Median of several runs.
 * Usage: bench-conv [batch=128] [threads=2] [runs=5] [input channels=3] [fold columns]
 * (fold columns: the chunk target of AnCpuBackend.conv_fold_columns, 0 = the whole budget)
 */
#define G_LOG_DOMAIN "alexnet-bench"
#include "config.h"

#include <stdlib.h>

#include "an-backend.h"
#include "an-blas.h"
#include "an-rng.h"
#include "cpu/an-cpu-private.h"

typedef struct {
  const char *name;
  int c, hw, oc, k, pad, groups;
} Layer;

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static float *
filled (size_t count, uint64_t stream)
{
  float *p = g_new (float, count);

  for (size_t i = 0; i < count; i++)
    p[i] = an_rng_uniform (1, stream, i) - 0.5f;
  return p;
}

static double
median_seconds (double *t, int runs)
{
  qsort (t, runs, sizeof (double), compare_doubles);
  return t[runs / 2];
}

int
main (int argc, char **argv)
{
  an_blas_select_kernel (argv); /* as the application does */

  int batch = argc > 1 ? atoi (argv[1]) : 128;
  int threads = argc > 2 ? atoi (argv[2]) : 2;
  int runs = argc > 3 ? atoi (argv[3]) : 5;
  int in_channels = argc > 4 ? atoi (argv[4]) : 3;
  int fold_columns = argc > 5 ? atoi (argv[5]) : -1;
  const Layer layers[] = {
    { "conv1", in_channels, 32, 64, 5, 2, 1 },
    { "conv2", 64, 15, 192, 5, 2, 2 },
    { "conv3", 192, 7, 384, 3, 1, 1 },
    { "conv4", 384, 7, 256, 3, 1, 2 },
    { "conv5", 256, 7, 256, 3, 1, 2 },
  };
  const AnCpuConvStrategy strategies[] = { AN_CPU_CONV_FOLDED, AN_CPU_CONV_PER_IMAGE,
                                            AN_CPU_CONV_AUTO };
  const char *const strategy_names[] = { "folded", "per-image", "auto" };
  g_autoptr (AnBackend) be = an_backend_cpu_new (0, threads);
  g_autofree double *t = g_new (double, MAX (runs, 1));

  if (fold_columns >= 0)
    ((AnCpuBackend *) be)->conv_fold_columns = fold_columns;

  if (batch < 1 || runs < 1 || threads < 0 || in_channels < 1)
    {
      g_printerr ("usage: bench-conv [batch] [threads] [runs] [input channels]\n");
      return 2;
    }
  g_print ("batch %d, %d threads, median of %d runs, OpenBLAS %s kernels; GFLOP/s (forward, "
           "backward dx+dw+db)\n", batch, threads, runs, an_blas_kernel_name ());
  {
    /* the ceiling on this machine right now: a square GEMM through the same split */
    const int m = 1024;
    g_autofree float *a = filled ((size_t) m * m, 5), *bm = filled ((size_t) m * m, 6);
    g_autofree float *c = g_new (float, (size_t) m * m);

    for (int r = -1; r < runs; r++)
      {
        gint64 t0 = g_get_monotonic_time ();
        an_cpu_sgemm (be, FALSE, FALSE, m, m, m, 1.0f, a, m, bm, m, 0.0f, c, m);
        if (r >= 0)
          t[r] = (g_get_monotonic_time () - t0) / 1e6;
      }
    g_print ("sgemm 1024^3 %43s %6.1f GFLOP/s\n", "",
             2.0 * m * m * m / median_seconds (t, runs) / 1e9);
  }
  for (size_t l = 0; l < G_N_ELEMENTS (layers); l++)
    {
      const Layer *ly = &layers[l];
      AnConvDesc d = { batch, ly->c, ly->hw, ly->hw, ly->oc, ly->k, ly->k, 1, 1, ly->pad, ly->pad,
                       ly->groups, 0, 0 };
      g_autoptr (GError) error = NULL;

      if (!an_conv_desc_init (&d, &error))
        g_error ("%s: %s", ly->name, error->message);

      size_t xs = (size_t) d.n * d.c * d.h * d.w, ys = (size_t) d.n * d.oc * d.oh * d.ow;
      size_t ws = (size_t) d.oc * (d.c / d.groups) * d.kh * d.kw;
      double flops = 2.0 * d.n * d.oc * d.oh * d.ow * (double) (d.c / d.groups) * d.kh * d.kw;
      g_autofree float *x = filled (xs, 1), *w = filled (ws, 2), *b = filled (d.oc, 3);
      g_autofree float *dy = filled (ys, 4), *y = g_new (float, ys);
      g_autofree float *dx = g_new0 (float, xs), *dw = g_new0 (float, ws);
      g_autofree float *db = g_new0 (float, d.oc);

      for (size_t s = 0; s < G_N_ELEMENTS (strategies); s++)
        {
          double fwd, bwd;

          conv2d_forward_cpu_with (be, strategies[s], &d, y, x, w, b); /* warm-up */
          for (int r = 0; r < runs; r++)
            {
              gint64 t0 = g_get_monotonic_time ();
              conv2d_forward_cpu_with (be, strategies[s], &d, y, x, w, b);
              t[r] = (g_get_monotonic_time () - t0) / 1e6;
            }
          fwd = median_seconds (t, runs);
          conv2d_backward_cpu_with (be, strategies[s], &d, dx, dw, db, dy, x, w);
          for (int r = 0; r < runs; r++)
            {
              gint64 t0 = g_get_monotonic_time ();
              conv2d_backward_cpu_with (be, strategies[s], &d, dx, dw, db, dy, x, w);
              t[r] = (g_get_monotonic_time () - t0) / 1e6;
            }
          bwd = median_seconds (t, runs);
          g_print ("%-6s %3d->%3d k%d g%d %2dx%-2d %-10s fwd %7.2f ms %6.1f GFLOP/s   "
                   "bwd %7.2f ms %6.1f GFLOP/s\n",
                   ly->name, d.c, d.oc, d.kh, d.groups, d.h, d.w, strategy_names[s], fwd * 1e3,
                   flops / fwd / 1e9, bwd * 1e3, 2 * flops / bwd / 1e9);
        }
    }
  return 0;
}
