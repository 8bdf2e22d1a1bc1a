/* an-test-util.h: helpers for every test: guarded buffers on any backend, deterministic
 * random fills (an-rng.h), error measures that print what they achieved, a NaN check.
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "an-backend.h"

G_BEGIN_DECLS

/* --- guarded buffers ---------------------------------------------------------------------
 * Backend memory with AN_GUARD_BYTES of canary before and after. The data area starts out
 * filled with NaN, so an output element that an op forgets to write shows up as NaN. */
#define AN_GUARD_BYTES 64

typedef struct _AnGuarded AnGuarded;

AnGuarded *an_guarded_new (AnBackend *be, size_t bytes);
void *an_guarded_data (AnGuarded *guarded);
/* TRUE when both canaries are intact; otherwise prints which side and the first byte hit. */
gboolean an_guarded_check (AnGuarded *guarded, const char *what);
void an_guarded_upload (AnGuarded *guarded, const void *host);
void an_guarded_download (AnGuarded *guarded, void *host);
void an_guarded_free (AnGuarded *guarded);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnGuarded, an_guarded_free)

/* A set of guarded buffers on one backend, checked and freed together. */
typedef struct _AnTestArena AnTestArena;

AnTestArena *an_test_arena_new (AnBackend *be);
/* guarded, NaN-filled backend memory */
void *an_test_arena_alloc (AnTestArena *arena, size_t bytes);
/* zero-filled floats */
float *an_test_arena_zeros (AnTestArena *arena, size_t count);
/* backend floats holding a copy of host values */
float *an_test_arena_upload (AnTestArena *arena, const float *host, size_t count);
/* TRUE when every buffer's guards are intact (each damaged one is printed). */
gboolean an_test_arena_check (AnTestArena *arena);
void an_test_arena_free (AnTestArena *arena);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnTestArena, an_test_arena_free)

/* --- backend memory that must work: the test fails with the backend's error ------------- */
void an_test_upload (AnBackend *be, void *dst, const void *host, size_t bytes);
void an_test_download (AnBackend *be, void *host, const void *src, size_t bytes);
void an_test_zero (AnBackend *be, void *dst, size_t bytes);

/* --- the op list (AN_OP_LIST) -------------------------------------------------------------
 * AN_TEST_OP calls op `field` of be's table and marks it in covered[AN_OP_COUNT], so that an
 * op test can fail when an op of the list has no case: an_test_ops_missing names the ops that
 * no call marked (NULL when every one was). */
#define AN_TEST_OP(covered, be, field, ...)                                                    \
  (an_test_mark_op ((covered), #field), (be)->ops->field ((be), __VA_ARGS__))
void an_test_mark_op (gboolean *covered, const char *name);
char *an_test_ops_missing (const gboolean *covered);

/* --- deterministic fills (counter-based: the same values on every machine) --------------- */
void an_test_fill_uniform (float *x, size_t count, uint64_t seed, float lo, float hi);
void an_test_fill_normal (float *x, size_t count, uint64_t seed, float std);
/* A shuffled set of distinct values (i - count/2) * spacing: no ties for max pooling. */
void an_test_fill_distinct (float *x, size_t count, uint64_t seed, float spacing);
void an_test_fill_labels (int32_t *labels, size_t count, uint64_t seed, int classes);

/* --- errors ------------------------------------------------------------------------------
 * An element passes when |got - want| <= atol + rtol * |want| (NaN never passes).
 * max_rel is measured over the elements with |want| > atol, where it means something. */
typedef struct {
  double max_abs;
  double max_rel;
  size_t worst;  /* index of the element furthest over its tolerance */
  size_t failed; /* elements out of tolerance */
} AnTestError;

/* Prints "what: max abs err ..., max rel err ..., (atol, rtol), worst element" as a test
 * message and returns whether every element passed. err may be NULL. */
gboolean an_test_compare (const char *what, const float *got, const double *want, size_t count,
                          double atol, double rtol, AnTestError *err);
gboolean an_test_compare_f (const char *what, const float *got, const float *want, size_t count,
                            double atol, double rtol, AnTestError *err);
gboolean an_test_compare_d (const char *what, const double *got, const double *want,
                            size_t count, double atol, double rtol, AnTestError *err);
/* TRUE when no element is NaN or infinite; otherwise prints the first one. */
gboolean an_test_all_finite (const char *what, const float *x, size_t count);

/* A new temporary folder (prefix-XXXXXX) and its removal with the files directly in it. */
char *an_test_make_tmpdir (const char *prefix);
void an_test_remove_tree (const char *dir);

G_END_DECLS
