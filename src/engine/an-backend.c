/* an-backend.c: the op list by name, the check that a backend's table implements all of it,
 * and freeing a backend (an-backend.h).
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <string.h>

#include "an-backend.h"
#include "an-error.h"

typedef void (*AnAnyFunction) (void);

/* The ops are the table's last fields, in list order, so each one's place follows from the
 * list: a field added to the table outside the list breaks this at compile time. */
#define AN_OP_OFFSET_(ENUM, field, family, Type) offsetof (AnBackendOps, field),
static const size_t op_offsets[AN_OP_COUNT] = { AN_OP_LIST (AN_OP_OFFSET_) };
#undef AN_OP_OFFSET_
G_STATIC_ASSERT (sizeof (AnBackendOps) ==
                 offsetof (AnBackendOps, conv2d_forward) + AN_OP_COUNT * sizeof (AnAnyFunction));

#define AN_OP_NAME_(ENUM, field, family, Type) #field,
static const char *const op_names[AN_OP_COUNT] = { AN_OP_LIST (AN_OP_NAME_) };
#undef AN_OP_NAME_

#define AN_OP_FAMILY_(ENUM, field, family, Type) #family,
static const char *const op_families[AN_OP_COUNT] = { AN_OP_LIST (AN_OP_FAMILY_) };
#undef AN_OP_FAMILY_

const char *
an_op_name (AnOp op)
{
  g_return_val_if_fail ((guint) op < AN_OP_COUNT, NULL);
  return op_names[op];
}

const char *
an_op_family (AnOp op)
{
  g_return_val_if_fail ((guint) op < AN_OP_COUNT, NULL);
  return op_families[op];
}

gboolean
an_backend_ops_has (const AnBackendOps *ops, AnOp op)
{
  AnAnyFunction fn;

  g_return_val_if_fail (ops != NULL && (guint) op < AN_OP_COUNT, FALSE);
  /* every function pointer has one representation: read the field whatever its type */
  memcpy (&fn, (const char *) ops + op_offsets[op], sizeof fn);
  return fn != NULL;
}

gboolean
an_backend_ops_check (const AnBackendOps *ops, GError **error)
{
  g_autoptr (GString) missing = g_string_new (NULL);

  for (int op = 0; op < AN_OP_COUNT; op++)
    if (!an_backend_ops_has (ops, op))
      g_string_append_printf (missing, "%s%s", missing->len ? ", " : "", op_names[op]);
  if (missing->len == 0)
    return TRUE;
  g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT, "backend %s has no %s",
               ops->name ? ops->name : "(unnamed)", missing->str);
  return FALSE;
}

void
an_backend_free (AnBackend *be)
{
  if (be == NULL)
    return;
  be->ops->destroy (be);
}
