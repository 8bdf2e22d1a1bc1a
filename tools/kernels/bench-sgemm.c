/* bench-sgemm.c: the SGEMM ceiling of this machine right now, the figure the convolutions are
 * compared with: a square single-precision GEMM through the CPU backend's GEMM (OpenBLAS with
 * the kernels the application selects, split over the backend's threads) and, where the build
 * has oneDNN, through oneDNN's own SGEMM on as many threads (the library whose kernels the
 * convolutions run). Prints JSON: the median of each; "ceiling_gflops" is the faster.
 * Usage: bench-sgemm [threads=2] [runs=7] [size=1024]
 */
#define G_LOG_DOMAIN "alexnet-bench"
#include "config.h"

#include <stdlib.h>

#include "an-backend.h"
#include "an-blas.h"
#include "an-rng.h"
#include "cpu/an-cpu-private.h"

#if HAVE_DNNL
#include <dnnl.h>
#include <omp.h>
#endif

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* The median GFLOP/s of runs m x m x m products, after one warm-up; dnnl picks the library. */
static double
median_gflops (AnBackend *be, gboolean dnnl, int m, int runs, const float *a, const float *b,
               float *c, double *t)
{
  for (int r = -1; r < runs; r++)
    {
      gint64 t0 = g_get_monotonic_time ();
#if HAVE_DNNL
      if (dnnl)
        dnnl_sgemm ('N', 'N', m, m, m, 1.0f, a, m, b, m, 0.0f, c, m);
      else
#endif
        an_cpu_sgemm (be, FALSE, FALSE, m, m, m, 1.0f, a, m, b, m, 0.0f, c, m);
      if (r >= 0)
        t[r] = (g_get_monotonic_time () - t0) / 1e6;
    }
  qsort (t, runs, sizeof (double), compare_doubles);
  return 2.0 * m * m * m / t[runs / 2] / 1e9;
}

int
main (int argc, char **argv)
{
  an_blas_select_kernel (argv); /* as the application does */

  int threads = argc > 1 ? atoi (argv[1]) : 2;
  int runs = argc > 2 ? atoi (argv[2]) : 7;
  int m = argc > 3 ? atoi (argv[3]) : 1024;

  if (threads < 0 || runs < 1 || m < 1)
    {
      g_printerr ("usage: bench-sgemm [threads] [runs] [size]\n");
      return 2;
    }
  g_autoptr (AnBackend) be = an_backend_cpu_new (0, threads);
  g_autofree float *a = g_new (float, (size_t) m * m), *b = g_new (float, (size_t) m * m);
  g_autofree float *c = g_new (float, (size_t) m * m);
  g_autofree double *t = g_new (double, runs);

  for (size_t i = 0; i < (size_t) m * m; i++)
    {
      a[i] = an_rng_uniform (1, 5, i) - 0.5f;
      b[i] = an_rng_uniform (1, 6, i) - 0.5f;
    }
  double blas = median_gflops (be, FALSE, m, runs, a, b, c, t), onednn = 0.0;
#if HAVE_DNNL
  omp_set_num_threads (an_backend_cpu_get_threads (be));
  onednn = median_gflops (be, TRUE, m, runs, a, b, c, t);
#endif
  g_print ("{\"size\": %d, \"threads\": %d, \"kernels\": \"%s\", \"sgemm_gflops\": %.1f, "
           "\"dnnl_sgemm_gflops\": %.1f, \"ceiling_gflops\": %.1f}\n",
           m, threads, an_blas_kernel_name (), blas, onednn, MAX (blas, onednn));
  return 0;
}
