/* an-test-util.c: guarded buffers, deterministic fills and error measures for the tests.
 * Fills draw from an-rng.h on a stream of their own (kind AN_TEST_RNG_KIND, unused by the
 * engine), so a test's data depends only on its seed.
 */
#define G_LOG_DOMAIN "an-test"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-rng.h"
#include <glib/gstdio.h>

#include "an-test-util.h"

#define AN_TEST_RNG_KIND 0x7f
#define AN_TEST_STREAM AN_RNG_STREAM (AN_TEST_RNG_KIND, 0, 0)

/* bytes of the canary, repeated over the guard areas */
static const guint8 canary[4] = { 0xde, 0xad, 0xbe, 0xef };

struct _AnGuarded {
  AnBackend *be;
  guint8 *base; /* backend memory: guard, data, guard */
  size_t bytes;
};

AnGuarded *
an_guarded_new (AnBackend *be, size_t bytes)
{
  g_autoptr (GError) error = NULL;
  AnGuarded *g = g_new0 (AnGuarded, 1);
  g->be = be;
  g->bytes = bytes;
  g->base = be->ops->alloc (be, bytes + 2 * AN_GUARD_BYTES, &error);
  g_assert_no_error (error);

  size_t total = bytes + 2 * AN_GUARD_BYTES;
  g_autofree guint8 *host = g_malloc (total);
  for (size_t i = 0; i < AN_GUARD_BYTES; i++)
    {
      host[i] = canary[i % 4];
      host[AN_GUARD_BYTES + bytes + i] = canary[i % 4];
    }
  float nan_value = NAN;
  for (size_t i = 0; i + sizeof (float) <= bytes; i += sizeof (float))
    memcpy (host + AN_GUARD_BYTES + i, &nan_value, sizeof (float));
  memset (host + AN_GUARD_BYTES + bytes / sizeof (float) * sizeof (float), 0xff,
          bytes % sizeof (float));
  an_test_upload (be, g->base, host, total);
  return g;
}

void
an_test_upload (AnBackend *be, void *dst, const void *host, size_t bytes)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (be->ops->upload (be, dst, host, bytes, &error));
  g_assert_no_error (error);
}

void
an_test_download (AnBackend *be, void *host, const void *src, size_t bytes)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (be->ops->download (be, host, src, bytes, &error));
  g_assert_no_error (error);
}

void
an_test_zero (AnBackend *be, void *dst, size_t bytes)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (be->ops->zero (be, dst, bytes, &error));
  g_assert_no_error (error);
}

void
an_test_mark_op (gboolean *covered, const char *name)
{
  for (int op = 0; op < AN_OP_COUNT; op++)
    if (g_str_equal (an_op_name (op), name))
      {
        covered[op] = TRUE;
        return;
      }
  g_error ("%s is not an op of AN_OP_LIST", name);
}

char *
an_test_ops_missing (const gboolean *covered)
{
  GString *missing = g_string_new (NULL);
  for (int op = 0; op < AN_OP_COUNT; op++)
    if (!covered[op])
      g_string_append_printf (missing, "%s%s", missing->len ? ", " : "", an_op_name (op));
  return g_string_free (missing, missing->len == 0);
}

void *
an_guarded_data (AnGuarded *guarded)
{
  return guarded->base + AN_GUARD_BYTES;
}

gboolean
an_guarded_check (AnGuarded *guarded, const char *what)
{
  AnBackend *be = guarded->be;
  guint8 before[AN_GUARD_BYTES], after[AN_GUARD_BYTES];
  an_test_download (be, before, guarded->base, AN_GUARD_BYTES);
  an_test_download (be, after, guarded->base + AN_GUARD_BYTES + guarded->bytes, AN_GUARD_BYTES);
  for (size_t i = 0; i < AN_GUARD_BYTES; i++)
    {
      if (before[i] != canary[i % 4])
        {
          g_test_message ("%s: guard before the buffer overwritten at byte -%zu", what,
                          AN_GUARD_BYTES - i);
          return FALSE;
        }
      if (after[i] != canary[i % 4])
        {
          g_test_message ("%s: guard after the buffer (%zu bytes) overwritten at byte +%zu",
                          what, guarded->bytes, i);
          return FALSE;
        }
    }
  return TRUE;
}

void
an_guarded_upload (AnGuarded *guarded, const void *host)
{
  an_test_upload (guarded->be, an_guarded_data (guarded), host, guarded->bytes);
}

void
an_guarded_download (AnGuarded *guarded, void *host)
{
  an_test_download (guarded->be, host, an_guarded_data (guarded), guarded->bytes);
}

void
an_guarded_free (AnGuarded *guarded)
{
  if (guarded == NULL)
    return;
  guarded->be->ops->free (guarded->be, guarded->base);
  g_free (guarded);
}

struct _AnTestArena {
  AnBackend *be;
  GPtrArray *buffers; /* AnGuarded * */
};

AnTestArena *
an_test_arena_new (AnBackend *be)
{
  AnTestArena *arena = g_new0 (AnTestArena, 1);
  arena->be = be;
  arena->buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) an_guarded_free);
  return arena;
}

void *
an_test_arena_alloc (AnTestArena *arena, size_t bytes)
{
  AnGuarded *g = an_guarded_new (arena->be, bytes);
  g_ptr_array_add (arena->buffers, g);
  return an_guarded_data (g);
}

float *
an_test_arena_zeros (AnTestArena *arena, size_t count)
{
  float *dev = an_test_arena_alloc (arena, count * sizeof (float));
  an_test_zero (arena->be, dev, count * sizeof (float));
  return dev;
}

float *
an_test_arena_upload (AnTestArena *arena, const float *host, size_t count)
{
  float *dev = an_test_arena_alloc (arena, count * sizeof (float));
  an_test_upload (arena->be, dev, host, count * sizeof (float));
  return dev;
}

gboolean
an_test_arena_check (AnTestArena *arena)
{
  gboolean ok = TRUE;
  for (guint i = 0; i < arena->buffers->len; i++)
    {
      g_autofree char *what = g_strdup_printf ("buffer %u of %u", i, arena->buffers->len);
      ok &= an_guarded_check (arena->buffers->pdata[i], what);
    }
  return ok;
}

void
an_test_arena_free (AnTestArena *arena)
{
  if (arena == NULL)
    return;
  g_ptr_array_unref (arena->buffers);
  g_free (arena);
}

void
an_test_fill_uniform (float *x, size_t count, uint64_t seed, float lo, float hi)
{
  for (size_t i = 0; i < count; i++)
    x[i] = lo + (hi - lo) * an_rng_uniform (seed, AN_TEST_STREAM, i);
}

void
an_test_fill_normal (float *x, size_t count, uint64_t seed, float std)
{
  for (size_t i = 0; i < count; i++)
    x[i] = (float) (std * an_rng_normal (seed, AN_TEST_STREAM, i));
}

void
an_test_fill_distinct (float *x, size_t count, uint64_t seed, float spacing)
{
  for (size_t i = 0; i < count; i++)
    x[i] = ((float) i - (float) (count / 2)) * spacing;
  for (size_t i = count; i > 1; i--) /* Fisher-Yates */
    {
      size_t j = an_rng_u64 (seed, AN_TEST_STREAM, i) % i;
      float t = x[i - 1];
      x[i - 1] = x[j];
      x[j] = t;
    }
}

void
an_test_fill_labels (int32_t *labels, size_t count, uint64_t seed, int classes)
{
  for (size_t i = 0; i < count; i++)
    labels[i] = (int32_t) (an_rng_u64 (seed, AN_TEST_STREAM, i) % (uint64_t) classes);
}

typedef double (*ValueAt) (const void *array, size_t i);

static double
float_at (const void *array, size_t i)
{
  return ((const float *) array)[i];
}

static double
double_at (const void *array, size_t i)
{
  return ((const double *) array)[i];
}

static gboolean
compare (const char *what, const void *got, ValueAt got_at, const void *want, ValueAt want_at,
         size_t count, double atol, double rtol, AnTestError *out)
{
  AnTestError err = { 0 };
  double worst_excess = -INFINITY;

  for (size_t i = 0; i < count; i++)
    {
      double g = got_at (got, i), w = want_at (want, i);
      double abs_err = fabs (g - w);
      double bound = atol + rtol * fabs (w);
      if (isnan (abs_err))
        abs_err = INFINITY; /* NaN never passes, and is the worst */
      err.max_abs = MAX (err.max_abs, abs_err);
      if (fabs (w) > atol)
        err.max_rel = MAX (err.max_rel, abs_err / fabs (w));
      if (!(abs_err <= bound))
        err.failed++;
      if (abs_err - bound > worst_excess)
        {
          worst_excess = abs_err - bound;
          err.worst = i;
        }
    }

  if (count == 0)
    g_test_message ("%s: empty", what);
  else
    g_test_message ("%s: %zu values, max abs err %.3g, max rel err %.3g (tolerance %.1g + %.1g "
                    "|want|)%s; worst [%zu] got %.9g want %.9g",
                    what, count, err.max_abs, err.max_rel, atol, rtol,
                    err.failed ? " FAILED" : "", err.worst, got_at (got, err.worst),
                    want_at (want, err.worst));
  if (err.failed)
    g_test_message ("%s: %zu of %zu values out of tolerance", what, err.failed, count);
  if (out)
    *out = err;
  return err.failed == 0;
}

gboolean
an_test_compare (const char *what, const float *got, const double *want, size_t count,
                 double atol, double rtol, AnTestError *err)
{
  return compare (what, got, float_at, want, double_at, count, atol, rtol, err);
}

gboolean
an_test_compare_f (const char *what, const float *got, const float *want, size_t count,
                   double atol, double rtol, AnTestError *err)
{
  return compare (what, got, float_at, want, float_at, count, atol, rtol, err);
}

gboolean
an_test_compare_d (const char *what, const double *got, const double *want, size_t count,
                   double atol, double rtol, AnTestError *err)
{
  return compare (what, got, double_at, want, double_at, count, atol, rtol, err);
}

gboolean
an_test_all_finite (const char *what, const float *x, size_t count)
{
  for (size_t i = 0; i < count; i++)
    if (!isfinite (x[i]))
      {
        g_test_message ("%s: element %zu of %zu is %g", what, i, count, (double) x[i]);
        return FALSE;
      }
  return TRUE;
}

char *
an_test_make_tmpdir (const char *prefix)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmpl = g_strconcat (prefix, "-XXXXXX", NULL);
  char *dir = g_dir_make_tmp (tmpl, &error);
  g_assert_no_error (error);
  return dir;
}

void
an_test_remove_tree (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_remove (p);
    }
  if (d != NULL)
    g_dir_close (d);
  g_rmdir (dir);
}
