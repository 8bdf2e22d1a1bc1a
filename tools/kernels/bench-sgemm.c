/* bench-sgemm.c: the SGEMM ceiling of this machine right now, the figure the convolutions are
 * compared with: a square single-precision GEMM through the CPU backend's GEMM (OpenBLAS with
 * the kernels the application selects, split over the backend's threads). Prints JSON.
 * Usage: bench-sgemm [threads=2] [runs=7] [size=1024]
 */
#define G_LOG_DOMAIN "alexnet-bench"
#include "config.h"

#include <stdlib.h>

#include "an-backend.h"
#include "an-blas.h"
#include "an-rng.h"
#include "cpu/an-cpu-private.h"

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
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
  for (int r = -1; r < runs; r++) /* one warm-up */
    {
      gint64 t0 = g_get_monotonic_time ();
      an_cpu_sgemm (be, FALSE, FALSE, m, m, m, 1.0f, a, m, b, m, 0.0f, c, m);
      if (r >= 0)
        t[r] = (g_get_monotonic_time () - t0) / 1e6;
    }
  qsort (t, runs, sizeof (double), compare_doubles);
  g_print ("{\"size\": %d, \"threads\": %d, \"kernels\": \"%s\", \"sgemm_gflops\": %.1f}\n", m,
           threads, an_blas_kernel_name (), 2.0 * m * m * m / t[runs / 2] / 1e9);
  return 0;
}
