/* an-ref-backend.c: the reference backend's table and its memory, which is plain host memory;
 * the ops are in one file per family (an-ref-private.h).
 *
 * Allocations are 64-byte aligned (as the fast paths want) and never abort: an impossible size
 * returns NULL and AN_ERROR_NO_MEMORY. Nothing is asynchronous, so sync always succeeds.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "an-error.h"
#include "an-ref-private.h"

#define AN_REF_ALIGNMENT 64

/* A request above the machine's physical memory cannot be met; refusing it here, rather than
 * asking the allocator, also keeps sanitizer builds from treating it as a fatal error. */
static size_t
physical_memory_bytes (void)
{
  long pages = sysconf (_SC_PHYS_PAGES);
  long page_size = sysconf (_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0)
    return SIZE_MAX / 2;
  if ((unsigned long) pages > SIZE_MAX / (unsigned long) page_size)
    return SIZE_MAX / 2;
  return (size_t) pages * (size_t) page_size;
}

static void *
alloc_ref (AnBackend *be, size_t bytes, GError **error)
{
  size_t limit = physical_memory_bytes ();
  if (bytes > limit)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_NO_MEMORY,
                   "reference backend: %zu bytes requested, more than this machine's %zu bytes "
                   "of memory",
                   bytes, limit);
      return NULL;
    }

  /* Round up so that a zero-byte request still yields a pointer that free accepts. */
  size_t rounded = MAX (bytes, 1);
  rounded = (rounded + AN_REF_ALIGNMENT - 1) / AN_REF_ALIGNMENT * AN_REF_ALIGNMENT;
  void *ptr = NULL;
  int rc = posix_memalign (&ptr, AN_REF_ALIGNMENT, rounded);
  if (rc != 0)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_NO_MEMORY,
                   "reference backend: cannot allocate %zu bytes: %s", bytes, g_strerror (rc));
      return NULL;
    }
  return ptr;
}

static void
free_ref (AnBackend *be, void *ptr)
{
  free (ptr);
}

static gboolean
zero_ref (AnBackend *be, void *ptr, size_t bytes, GError **error)
{
  memset (ptr, 0, bytes);
  return TRUE;
}

static gboolean
copy_ref (AnBackend *be, void *dst, const void *src, size_t bytes, GError **error)
{
  memmove (dst, src, bytes);
  return TRUE;
}

/* Two reference backends share the host's memory, so a peer copy is a memcpy. */
static gboolean
peer_copy_ref (AnBackend *be, void *dst, AnBackend *src_be, const void *src, size_t bytes,
               GError **error)
{
  memmove (dst, src, bytes);
  return TRUE;
}

static gboolean
sync_ref (AnBackend *be, GError **error)
{
  return TRUE;
}

static void
destroy_ref (AnBackend *be)
{
  g_free (be);
}

#define REF_OP_(ENUM, field, family, Type) .field = field##_ref,

static const AnBackendOps ref_ops = {
  .name = "reference",

  .alloc = alloc_ref,
  .free = free_ref,
  .zero = zero_ref,
  .upload = copy_ref,
  .download = copy_ref,
  .copy = copy_ref,
  .peer_copy = peer_copy_ref,
  .sync = sync_ref,
  .destroy = destroy_ref,

  AN_OP_LIST (REF_OP_)
};

AnBackend *
an_backend_ref_new (void)
{
  AnBackend *be = g_new0 (AnBackend, 1);
  be->ops = &ref_ops;
  be->device_index = 0;
  be->threads = 1;
  return be;
}
