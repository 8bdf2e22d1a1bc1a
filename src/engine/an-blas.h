/* an-blas.h: the BLAS library the CPU backend multiplies with: OpenBLAS when the build found
 * it (HAVE_OPENBLAS), otherwise any CBLAS (-Dblas=generic), and what can be asked of it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* OpenBLAS 0.3.21 (Debian 12) does not recognise some recent x86 processors and falls back to
 * its generic "Prescott" kernels, about 4x slower than its AVX2/AVX-512 ones. The core type is
 * read once, when the library loads, from OPENBLAS_CORETYPE: so when it is unset, the library
 * chose Prescott and the processor has AVX2+FMA, this sets it (SkylakeX with AVX-512, Haswell
 * otherwise) and executes the program again with the same arguments. Returns normally in every
 * other case (and if the re-execution fails, or the BLAS is not OpenBLAS). Call first thing in
 * main(). */
void an_blas_select_kernel (char **argv);
/* The library and how it was built ("OpenBLAS 0.3.21 ...", "generic CBLAS"). */
const char *an_blas_name (void);
/* The kernel OpenBLAS runs ("Haswell"...); "unknown" for another BLAS. */
const char *an_blas_kernel_name (void);
/* The library's own threads (1 where it has no thread count of its own to ask). */
int an_blas_threads (void);
/* Makes every call of the library single-threaded (the CPU backend splits its GEMMs over its
 * own threads). OpenBLAS's count is process-wide; another BLAS is taken to be single-threaded. */
void an_blas_use_one_thread (void);

G_END_DECLS
