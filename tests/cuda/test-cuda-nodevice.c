/* test-cuda-nodevice.c: the CUDA entry points answer cleanly whether or not a GPU exists.
 *
 * Without a GPU (no driver, a stub driver, or a build without CUDA) the device count is 0 with
 * a reason and creating a backend fails with AN_ERROR_NO_DEVICE; with one, device 0 opens and
 * the first index past the last device fails the same way. Nothing may crash either way.
 */
#define G_LOG_DOMAIN "test-cuda-nodevice"
#include "config.h"

#include "an-backend.h"
#include "an-error.h"

static void
test_device_count_gives_a_reason (void)
{
  char *why_not = NULL;
  int count = an_cuda_device_count (&why_not);
  g_test_message ("CUDA devices: %d (%s)", count, why_not ? why_not : "no reason given");
  g_assert_cmpint (count, >=, 0);
  if (count == 0)
    {
      g_assert_nonnull (why_not);
      g_assert_cmpstr (why_not, !=, "");
      g_assert_false (an_cuda_available ());
    }
  else
    {
      g_assert_null (why_not);
      g_assert_true (an_cuda_available ());
    }
  g_free (why_not);
  /* the reason is optional */
  g_assert_cmpint (an_cuda_device_count (NULL), ==, count);
}

static void
assert_no_device (int index)
{
  GError *error = NULL;
  AnBackend *be = an_backend_cuda_new (index, &error);
  g_assert_null (be);
  g_assert_error (error, AN_ERROR, AN_ERROR_NO_DEVICE);
  g_test_message ("%s", error->message);
  g_assert_true (strstr (error->message, "cuda") != NULL || strstr (error->message, "CUDA") != NULL);
  g_error_free (error);
}

static void
test_backend_new_without_device_fails (void)
{
  int count = an_cuda_device_count (NULL);
  assert_no_device (count);
  assert_no_device (count + 1);
  assert_no_device (-1);
  if (count == 0)
    {
      assert_no_device (0);
      return;
    }
  GError *error = NULL;
  AnBackend *be = an_backend_cuda_new (0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (be);
  g_assert_cmpstr (be->ops->name, ==, "cuda");
  g_assert_cmpint (be->device_index, ==, 0);
  g_assert_true (be->ops->sync (be, &error));
  g_assert_no_error (error);
  be->ops->destroy (be);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cuda/device-count-gives-a-reason", test_device_count_gives_a_reason);
  g_test_add_func ("/cuda/backend-new-without-device-fails", test_backend_new_without_device_fails);
  return g_test_run ();
}
