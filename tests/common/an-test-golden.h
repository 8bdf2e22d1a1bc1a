/* an-test-golden.h: reader for the golden files of tests/golden (format in its README.md):
 * float64 tensors by name, written by tools/torch_golden.py.
 */
#pragma once

#include <glib.h>
#include <stddef.h>

G_BEGIN_DECLS

#define AN_GOLDEN_MAX_DIMS 8

typedef struct {
  char *name;
  unsigned ndim;                       /* 0 for a scalar */
  unsigned dims[AN_GOLDEN_MAX_DIMS];
  size_t count;                        /* product of dims, 1 for a scalar */
  double *data;                        /* (count) */
} AnGoldenTensor;

typedef struct _AnGolden AnGolden;

/* NULL + AN_ERROR_IO / AN_ERROR_FORMAT (wrong magic or version, with a hint to regenerate;
 * truncated; inconsistent fields). */
AnGolden *an_golden_load (const char *path, GError **error);
void an_golden_free (AnGolden *golden);
/* NULL when the file holds no tensor of that name */
const AnGoldenTensor *an_golden_find (const AnGolden *golden, const char *name);
/* names in file order */
const char *const *an_golden_names (const AnGolden *golden, unsigned *count);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnGolden, an_golden_free)

/* Test conveniences: these fail the running test (g_assert) with a message saying what is
 * wrong and how to regenerate the files. */
char *an_test_source_path (const char *relative);
AnGolden *an_test_golden_open (const char *file_name);
/* The tensor, checked to hold `count` values (0: any count). */
const AnGoldenTensor *an_test_golden_get (const AnGolden *golden, const char *name,
                                          size_t count);
/* A float32 copy of a tensor's values (g_free it). */
float *an_golden_tensor_to_float (const AnGoldenTensor *tensor);
/* A scalar tensor's value, or element i of a vector. */
double an_test_golden_scalar (const AnGolden *golden, const char *name);

G_END_DECLS
