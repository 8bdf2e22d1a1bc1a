/* test-desc.c: descriptor checks (output sizes, and errors that name the value at fault), the
 * reference backend's memory (aligned, NULL + error for impossible sizes), transfers between
 * backends (a peer copy between two reference backends, host staging otherwise), and a memory
 * call's failure reported by the call that made it.
 */
#define G_LOG_DOMAIN "test-desc"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-backend.h"
#include "an-error.h"
#include "an-model.h"
#include "an-placement.h"
#include "an-test-util.h"

/* ok and error are passed after the call: an argument list has no order of evaluation */
static void
assert_invalid (gboolean ok, GError *error, const char *expected_fragment)
{
  g_assert_false (ok);
  g_assert_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, expected_fragment));
}

static void
test_conv_desc (void)
{
  /* AlexNet conv1 and conv2 (ALEXNET.md): 227 -> 55, 27 -> 27 */
  AnConvDesc conv1 = { .n = 1, .c = 3, .h = 227, .w = 227, .oc = 96, .kh = 11, .kw = 11,
                       .sh = 4, .sw = 4, .groups = 1 };
  AnConvDesc conv2 = { .n = 1, .c = 96, .h = 27, .w = 27, .oc = 256, .kh = 5, .kw = 5,
                       .sh = 1, .sw = 1, .ph = 2, .pw = 2, .groups = 2 };
  GError *error = NULL;
  g_assert_true (an_conv_desc_init (&conv1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (conv1.oh, ==, 55);
  g_assert_cmpint (conv1.ow, ==, 55);
  g_assert_true (an_conv_desc_init (&conv2, &error));
  g_assert_cmpint (conv2.oh, ==, 27);
  g_assert_cmpint (conv2.ow, ==, 27);

  /* odd: (7 + 2 - 3) / 2 + 1 = 4 rows, (9 + 4 - 5) / 3 + 1 = 3 columns */
  AnConvDesc odd = { .n = 2, .c = 4, .h = 7, .w = 9, .oc = 6, .kh = 3, .kw = 5, .sh = 2, .sw = 3,
                     .ph = 1, .pw = 2, .groups = 2 };
  g_assert_true (an_conv_desc_init (&odd, &error));
  g_assert_cmpint (odd.oh, ==, 4);
  g_assert_cmpint (odd.ow, ==, 3);

  static const struct {
    const char *field;
    size_t offset;
    int value;
    const char *fragment;
  } bad[] = {
    { "n", G_STRUCT_OFFSET (AnConvDesc, n), 0, "n=0" },
    { "c", G_STRUCT_OFFSET (AnConvDesc, c), -3, "c=-3" },
    { "oc", G_STRUCT_OFFSET (AnConvDesc, oc), 0, "oc=0" },
    { "kh", G_STRUCT_OFFSET (AnConvDesc, kh), 0, "kh=0" },
    { "sh", G_STRUCT_OFFSET (AnConvDesc, sh), 0, "sh=0" },
    { "sw", G_STRUCT_OFFSET (AnConvDesc, sw), -1, "sw=-1" },
    { "groups", G_STRUCT_OFFSET (AnConvDesc, groups), 3, "groups=3" },
    { "groups", G_STRUCT_OFFSET (AnConvDesc, groups), 0, "groups=0" },
    { "oc", G_STRUCT_OFFSET (AnConvDesc, oc), 5, "oc=5" },
    { "kh", G_STRUCT_OFFSET (AnConvDesc, kh), 10, "10x5" },
    { "ph", G_STRUCT_OFFSET (AnConvDesc, ph), -1, "ph=-1" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      AnConvDesc d = odd;
      G_STRUCT_MEMBER (int, &d, bad[i].offset) = bad[i].value;
      gboolean ok = an_conv_desc_init (&d, &error);
      assert_invalid (ok, error, bad[i].fragment);
      g_clear_error (&error);
    }
}

static void
test_pool_desc (void)
{
  GError *error = NULL;
  gboolean ok;
  /* overlapping 3/2 pooling: 55 -> 27, 13 -> 6; floor mode drops the last row of 8 */
  AnPoolDesc p55 = { .n = 1, .c = 96, .h = 55, .w = 55, .kh = 3, .kw = 3, .sh = 2, .sw = 2 };
  AnPoolDesc p13 = { .n = 1, .c = 256, .h = 13, .w = 8, .kh = 3, .kw = 3, .sh = 2, .sw = 2 };
  g_assert_true (an_pool_desc_init (&p55, &error));
  g_assert_cmpint (p55.oh, ==, 27);
  g_assert_true (an_pool_desc_init (&p13, &error));
  g_assert_cmpint (p13.oh, ==, 6);
  g_assert_cmpint (p13.ow, ==, 3);

  AnPoolDesc big = p13;
  big.kw = 9;
  ok = an_pool_desc_init (&big, &error);
  assert_invalid (ok, error, "3x9");
  g_clear_error (&error);
  AnPoolDesc no_stride = p13;
  no_stride.sw = 0;
  ok = an_pool_desc_init (&no_stride, &error);
  assert_invalid (ok, error, "sw=0");
  g_clear_error (&error);
}

static void
test_lrn_desc (void)
{
  GError *error = NULL;
  gboolean ok;
  const AnLrnDesc good = { .n = 1, .c = 96, .h = 27, .w = 27, .size = 5, .groups = 2,
                           .alpha = 1e-4f, .beta = 0.75f, .k = 2.0f };
  g_assert_true (an_lrn_desc_check (&good, &error));
  g_assert_no_error (error);

  AnLrnDesc d = good;
  d.size = 0;
  ok = an_lrn_desc_check (&d, &error);
  assert_invalid (ok, error, "size=0");
  g_clear_error (&error);
  d = good;
  d.groups = 5;
  ok = an_lrn_desc_check (&d, &error);
  assert_invalid (ok, error, "groups=5");
  g_clear_error (&error);
  d = good;
  d.k = 0.0f;
  ok = an_lrn_desc_check (&d, &error);
  assert_invalid (ok, error, "k=0");
  g_clear_error (&error);
  d = good;
  d.alpha = -1.0f;
  ok = an_lrn_desc_check (&d, &error);
  assert_invalid (ok, error, "alpha=-1");
  g_clear_error (&error);
  d = good;
  d.beta = NAN;
  ok = an_lrn_desc_check (&d, &error);
  assert_invalid (ok, error, "beta=nan");
  g_clear_error (&error);
}

static void
test_ref_memory (void)
{
  g_autoptr (AnBackend) be = an_backend_ref_new ();
  GError *error = NULL;
  g_assert_cmpstr (be->ops->name, ==, "reference");

  void *huge = be->ops->alloc (be, SIZE_MAX / 2, &error);
  g_assert_null (huge);
  g_assert_error (error, AN_ERROR, AN_ERROR_NO_MEMORY);
  g_test_message ("impossible allocation: %s", error->message);
  g_clear_error (&error);

  void *none = be->ops->alloc (be, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (none);
  be->ops->free (be, none);

  float *x = be->ops->alloc (be, 1001 * sizeof (float), &error);
  g_assert_no_error (error);
  g_assert_cmpuint ((uintptr_t) x % 64, ==, 0);
  g_assert_true (be->ops->zero (be, x, 1001 * sizeof (float), &error));
  g_assert_cmpfloat (x[1000], ==, 0.0f);
  g_assert_true (be->ops->sync (be, &error));
  be->ops->free (be, x);

  an_backend_free (NULL);
}

/* A backend of another kind: the reference table with its own identity, counting the host
 * transfers that staging makes through it. */
static AnBackendOps foreign_ops;
static guint foreign_uploads, foreign_downloads;
/* an upload after this many fails, as a device that ran out of memory or was lost would */
static guint foreign_uploads_allowed = G_MAXUINT;

static gboolean
foreign_upload (AnBackend *be, void *dst, const void *host_src, size_t bytes, GError **error)
{
  if (foreign_uploads >= foreign_uploads_allowed)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_DEVICE, "foreign device: upload %u of %zu bytes "
                   "failed", foreign_uploads + 1, bytes);
      return FALSE;
    }
  foreign_uploads++;
  memcpy (dst, host_src, bytes);
  return TRUE;
}

static gboolean
foreign_download (AnBackend *be, void *host_dst, const void *src, size_t bytes, GError **error)
{
  foreign_downloads++;
  memcpy (host_dst, src, bytes);
  return TRUE;
}

static AnBackend *
foreign_backend_new (void)
{
  AnBackend *ref = an_backend_ref_new ();
  foreign_ops = *ref->ops;
  foreign_ops.name = "foreign";
  foreign_ops.upload = foreign_upload;
  foreign_ops.download = foreign_download;
  ref->ops = &foreign_ops; /* its destroy frees the struct either way */
  foreign_uploads = foreign_downloads = 0;
  foreign_uploads_allowed = G_MAXUINT;
  return ref;
}

static void
test_transfer (void)
{
  g_autoptr (AnBackend) a = an_backend_ref_new ();
  g_autoptr (AnBackend) b = an_backend_ref_new ();
  g_autoptr (AnBackend) foreign = foreign_backend_new ();
  /* larger than the staging chunk, not a multiple of it */
  size_t count = (10u << 20) / sizeof (float) + 3;
  size_t bytes = count * sizeof (float);
  GError *error = NULL;
  float *src = a->ops->alloc (a, bytes, &error);
  float *dst = b->ops->alloc (b, bytes, &error);
  float *far = foreign->ops->alloc (foreign, bytes, &error);
  g_assert_no_error (error);
  an_test_fill_uniform (src, count, 11, -1.0f, 1.0f);

  /* reference -> reference: a peer copy, no host staging */
  g_assert_true (an_backend_transfer (b, dst, a, src, bytes, &error));
  g_assert_cmpmem (dst, bytes, src, bytes);

  /* reference -> foreign -> reference: staged through host memory in bounded chunks */
  g_assert_true (an_backend_transfer (foreign, far, a, src, bytes, &error));
  g_assert_cmpmem (far, bytes, src, bytes);
  g_test_message ("staged %zu bytes in %u uploads", bytes, foreign_uploads);
  g_assert_cmpuint (foreign_uploads, ==, 3);
  g_assert_cmpuint (foreign_downloads, ==, 0);

  memset (dst, 0, bytes);
  g_assert_true (an_backend_transfer (b, dst, foreign, far, bytes, &error));
  g_assert_cmpmem (dst, bytes, src, bytes);
  g_assert_cmpuint (foreign_downloads, ==, 3);

  /* nothing to move: no call at all */
  g_assert_true (an_backend_transfer (foreign, far, a, src, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (foreign_uploads, ==, 3);

  /* a failing upload stops the transfer there, with the device's error */
  foreign_uploads_allowed = foreign_uploads + 1;
  g_assert_false (an_backend_transfer (foreign, far, a, src, bytes, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_DEVICE);
  g_assert_nonnull (strstr (error->message, "foreign device"));
  g_assert_cmpuint (foreign_uploads, ==, 4);
  g_clear_error (&error);

  a->ops->free (a, src);
  b->ops->free (b, dst);
  foreign->ops->free (foreign, far);
}

/* A model's memory calls report a device failure as they happen: setting the weights and
 * running a forward pass fail at once with the device's error, not at the next sync. */
static void
test_memory_failure_reported (void)
{
  g_autoptr (AnBackend) foreign = foreign_backend_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (AnPreset) preset = an_preset_parse ("name tiny\ninput 1 6 6\nconv c1 out=2 k=3\n"
                                                 "flatten f\nlinear fc out=classes\n",
                                                 "tiny.preset", &error);
  g_assert_no_error (error);
  AnModelOptions mo = { .num_classes = 3, .batch = 2, .towers = 1,
                        .devices = { foreign, NULL }, .training = TRUE };
  g_autoptr (AnModel) m = an_model_new (preset, &mo, &error);
  g_assert_no_error (error);
  float x[2 * 36] = { 0 };
  gint32 labels[2] = { 0, 2 };
  double loss = 0;

  g_assert_true (an_model_init_params (m, AN_INIT_HE, 1, &error));
  g_assert_true (an_model_forward (m, 2, x, labels, TRUE, 1, &loss, &error));
  g_assert_no_error (error);

  foreign_uploads_allowed = foreign_uploads;
  g_assert_false (an_model_init_params (m, AN_INIT_HE, 1, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_DEVICE);
  g_clear_error (&error);
  g_assert_false (an_model_forward (m, 2, x, labels, TRUE, 2, &loss, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_DEVICE);
  g_assert_nonnull (strstr (error->message, "foreign device"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/desc/conv", test_conv_desc);
  g_test_add_func ("/desc/pool", test_pool_desc);
  g_test_add_func ("/desc/lrn", test_lrn_desc);
  g_test_add_func ("/ref/memory", test_ref_memory);
  g_test_add_func ("/ref/transfer", test_transfer);
  g_test_add_func ("/ref/memory-failure-reported", test_memory_failure_reported);
  return g_test_run ();
}
