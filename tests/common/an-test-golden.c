/* an-test-golden.c: reads the golden files of tests/golden (*.bin), little-endian: magic
 * "ANGOLD01", u32 version, u32 count, then per tensor u32 name length, name, u32 ndim,
 * u32 dims, float64 data.
 * Every read is bounds-checked so that a truncated file is an error, not a crash.
 */
#define G_LOG_DOMAIN "an-test"
#include "config.h"

#include <string.h>

#include "an-error.h"
#include "an-test-golden.h"

#define GOLDEN_MAGIC "ANGOLD01"
#define GOLDEN_VERSION 1u
#define GOLDEN_MAX_NAME 4096u
#define REGENERATE_HINT "regenerate with: /usr/bin/python3 tools/torch_golden.py tests/golden"

struct _AnGolden {
  char *path;
  GPtrArray *tensors;  /* AnGoldenTensor *, file order */
  GHashTable *by_name; /* name -> AnGoldenTensor * */
  GPtrArray *names;    /* NULL-terminated, for an_golden_names */
};

typedef struct {
  const guint8 *data;
  size_t size, pos;
  const char *path;
} Reader;

static gboolean
read_bytes (Reader *r, void *dst, size_t n, const char *what, GError **error)
{
  if (n > r->size - r->pos)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "%s: truncated at byte %zu while reading %s (%zu bytes needed, %zu left); "
                   REGENERATE_HINT,
                   r->path, r->pos, what, n, r->size - r->pos);
      return FALSE;
    }
  memcpy (dst, r->data + r->pos, n);
  r->pos += n;
  return TRUE;
}

static gboolean
read_u32 (Reader *r, guint32 *value, const char *what, GError **error)
{
  guint32 le;
  if (!read_bytes (r, &le, sizeof le, what, error))
    return FALSE;
  *value = GUINT32_FROM_LE (le);
  return TRUE;
}

static void
tensor_free (gpointer p)
{
  AnGoldenTensor *t = p;
  g_free (t->name);
  g_free (t->data);
  g_free (t);
}

void
an_golden_free (AnGolden *golden)
{
  if (golden == NULL)
    return;
  g_hash_table_unref (golden->by_name);
  g_ptr_array_unref (golden->tensors);
  g_ptr_array_unref (golden->names);
  g_free (golden->path);
  g_free (golden);
}

static AnGoldenTensor *
read_tensor (Reader *r, unsigned index, GError **error)
{
  guint32 name_len, ndim;
  if (!read_u32 (r, &name_len, "a tensor name length", error))
    return NULL;
  if (name_len == 0 || name_len > GOLDEN_MAX_NAME)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "%s: tensor %u has a name length of %u (expected 1..%u)", r->path, index,
                   name_len, GOLDEN_MAX_NAME);
      return NULL;
    }

  g_autoptr (GString) name = g_string_sized_new (name_len);
  g_string_set_size (name, name_len);
  if (!read_bytes (r, name->str, name_len, "a tensor name", error))
    return NULL;
  if (!read_u32 (r, &ndim, "a tensor's ndim", error))
    return NULL;
  if (ndim > AN_GOLDEN_MAX_DIMS)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: tensor \"%s\" has ndim %u (at most %d)",
                   r->path, name->str, ndim, AN_GOLDEN_MAX_DIMS);
      return NULL;
    }

  AnGoldenTensor *t = g_new0 (AnGoldenTensor, 1);
  t->ndim = ndim;
  t->count = 1;
  for (unsigned i = 0; i < ndim; i++)
    {
      guint32 dim;
      if (!read_u32 (r, &dim, "a tensor dimension", error))
        {
          tensor_free (t);
          return NULL;
        }
      t->dims[i] = dim;
      if (dim != 0 && t->count > (r->size / sizeof (double)) / dim)
        {
          g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                       "%s: tensor \"%s\" claims more values than the file can hold", r->path,
                       name->str);
          tensor_free (t);
          return NULL;
        }
      t->count *= dim;
    }

  t->data = g_new (double, MAX (t->count, 1));
  if (!read_bytes (r, t->data, t->count * sizeof (double), name->str, error))
    {
      tensor_free (t);
      return NULL;
    }
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (size_t i = 0; i < t->count; i++)
    {
      guint64 bits;
      memcpy (&bits, &t->data[i], sizeof bits);
      bits = GUINT64_FROM_LE (bits);
      memcpy (&t->data[i], &bits, sizeof bits);
    }
#endif
  t->name = g_string_free (g_steal_pointer (&name), FALSE);
  return t;
}

AnGolden *
an_golden_load (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize size = 0;
  GError *io_error = NULL;
  if (!g_file_get_contents (path, &contents, &size, &io_error))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "%s; " REGENERATE_HINT, io_error->message);
      g_error_free (io_error);
      return NULL;
    }

  Reader r = { (const guint8 *) contents, size, 0, path };
  char magic[8];
  guint32 version, count;
  if (!read_bytes (&r, magic, sizeof magic, "the magic", error))
    return NULL;
  if (memcmp (magic, GOLDEN_MAGIC, sizeof magic) != 0)
    {
      g_autofree char *raw = g_strndup (magic, sizeof magic);
      g_autofree char *shown = g_strescape (raw, NULL);
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "%s: magic \"%s\" is not \"" GOLDEN_MAGIC "\": not a golden file or an older "
                   "format; " REGENERATE_HINT,
                   path, shown);
      return NULL;
    }
  if (!read_u32 (&r, &version, "the version", error))
    return NULL;
  if (version != GOLDEN_VERSION)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "%s: format version %u, this reader knows version %u; " REGENERATE_HINT, path,
                   version, GOLDEN_VERSION);
      return NULL;
    }
  if (!read_u32 (&r, &count, "the tensor count", error))
    return NULL;

  g_autoptr (AnGolden) golden = g_new0 (AnGolden, 1);
  golden->path = g_strdup (path);
  golden->tensors = g_ptr_array_new_with_free_func (tensor_free);
  golden->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  golden->names = g_ptr_array_new ();
  for (guint32 i = 0; i < count; i++)
    {
      AnGoldenTensor *t = read_tensor (&r, i, error);
      if (t == NULL)
        return NULL;
      g_ptr_array_add (golden->tensors, t);
      if (!g_hash_table_insert (golden->by_name, t->name, t))
        {
          g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: tensor \"%s\" appears twice", path,
                       t->name);
          return NULL;
        }
      g_ptr_array_add (golden->names, t->name);
    }
  g_ptr_array_add (golden->names, NULL);
  if (r.pos != r.size)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "%s: %zu bytes after the last of the %u tensors; " REGENERATE_HINT, path,
                   r.size - r.pos, count);
      return NULL;
    }
  return g_steal_pointer (&golden);
}

const AnGoldenTensor *
an_golden_find (const AnGolden *golden, const char *name)
{
  return g_hash_table_lookup (golden->by_name, name);
}

const char *const *
an_golden_names (const AnGolden *golden, unsigned *count)
{
  if (count)
    *count = golden->tensors->len;
  return (const char *const *) golden->names->pdata;
}

char *
an_test_source_path (const char *relative)
{
  const char *root = g_getenv ("AN_SOURCE_DIR");
  return g_build_filename (root ? root : AN_TEST_SOURCE_ROOT, relative, NULL);
}

AnGolden *
an_test_golden_open (const char *file_name)
{
  g_autofree char *relative = g_build_filename ("tests", "golden", file_name, NULL);
  g_autofree char *path = an_test_source_path (relative);
  g_autoptr (GError) error = NULL;
  AnGolden *golden = an_golden_load (path, &error);
  g_assert_no_error (error);
  return golden;
}

const AnGoldenTensor *
an_test_golden_get (const AnGolden *golden, const char *name, size_t count)
{
  const AnGoldenTensor *t = an_golden_find (golden, name);
  if (t == NULL)
    g_error ("%s: no tensor \"%s\"; " REGENERATE_HINT, golden->path, name);
  if (count != 0 && t->count != count)
    g_error ("%s: tensor \"%s\" holds %zu values, the test expects %zu; " REGENERATE_HINT,
             golden->path, name, t->count, count);
  return t;
}

double
an_test_golden_scalar (const AnGolden *golden, const char *name)
{
  return an_test_golden_get (golden, name, 1)->data[0];
}

float *
an_golden_tensor_to_float (const AnGoldenTensor *tensor)
{
  float *out = g_new (float, MAX (tensor->count, 1));
  for (size_t i = 0; i < tensor->count; i++)
    out[i] = (float) tensor->data[i];
  return out;
}
