/* an-blas.h: picking OpenBLAS's kernels before any work is done. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* OpenBLAS 0.3.21 (Debian 12) does not recognise some recent x86 processors and falls back to
 * its generic "Prescott" kernels, about 4x slower than its AVX2/AVX-512 ones. The core type is
 * read once, when the library loads, from OPENBLAS_CORETYPE: so when it is unset, the library
 * chose Prescott and the processor has AVX2+FMA, this sets it (SkylakeX with AVX-512, Haswell
 * otherwise) and executes the program again with the same arguments. Returns normally in every
 * other case (and if the re-execution fails). Call first thing in main(). */
void an_blas_select_kernel (char **argv);
/* The kernel OpenBLAS runs ("Haswell"...). */
const char *an_blas_kernel_name (void);

G_END_DECLS
