/* an-blas.c: see an-blas.h. The re-execution is guarded by AN_BLAS_REEXEC so it happens at
 * most once, and an OPENBLAS_CORETYPE set by the user or the machine is always respected. */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "an-blas.h"

#ifdef HAVE_OPENBLAS

const char *
an_blas_name (void)
{
  return openblas_get_config ();
}

const char *
an_blas_kernel_name (void)
{
  return openblas_get_corename ();
}

int
an_blas_threads (void)
{
  return openblas_get_num_threads ();
}

void
an_blas_use_one_thread (void)
{
  if (openblas_get_num_threads () != 1)
    openblas_set_num_threads (1);
}

void
an_blas_select_kernel (char **argv)
{
  if (getenv ("OPENBLAS_CORETYPE") || getenv ("AN_BLAS_REEXEC"))
    return;
  const char *core = openblas_get_corename ();
  if (core == NULL || g_ascii_strcasecmp (core, "prescott") != 0)
    return;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init ();
  const char *want = NULL;
  if (__builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512bw") &&
      __builtin_cpu_supports ("avx512dq") && __builtin_cpu_supports ("avx512vl"))
    want = "SkylakeX";
  else if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    want = "Haswell";
  if (want == NULL)
    return;
  setenv ("OPENBLAS_CORETYPE", want, 1);
  setenv ("AN_BLAS_REEXEC", "1", 1);
  execv ("/proc/self/exe", argv);
  /* could not re-execute: carry on with the generic kernels */
  unsetenv ("OPENBLAS_CORETYPE");
#endif
}

#else /* a CBLAS without OpenBLAS's extensions */

const char *
an_blas_name (void)
{
  return "generic CBLAS";
}

const char *
an_blas_kernel_name (void)
{
  return "unknown";
}

int
an_blas_threads (void)
{
  return 1;
}

void
an_blas_use_one_thread (void)
{
}

void
an_blas_select_kernel (char **argv)
{
  (void) argv;
}

#endif
