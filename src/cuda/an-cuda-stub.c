/* an-cuda-stub.c: the CUDA entry points of a build without CUDA. */
#define G_LOG_DOMAIN "alexnet-cuda"
#include "config.h"

#include "an-backend.h"
#include "an-error.h"

AnBackend *
an_backend_cuda_new (int device_index, GError **error)
{
  g_set_error (error, AN_ERROR, AN_ERROR_NO_DEVICE,
               "this build has no CUDA backend (configure with -Dcuda=enabled)");
  return NULL;
}

int
an_cuda_device_count (char **why_not)
{
  if (why_not)
    *why_not = g_strdup ("this build has no CUDA backend");
  return 0;
}

gboolean
an_cuda_available (void)
{
  return FALSE;
}
