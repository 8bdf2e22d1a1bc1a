/* test-presets.c: the built-in presets parse and have PyTorch's parameter counts
 * (tests/golden/param-counts.txt, written by tools/param_counts.py); bad presets give errors
 * that name the file, the line and the field; impossible shapes are refused. */
#include "config.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "an-error.h"
#include "an-model.h"

static void
test_counts_match_pytorch (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("AN_SOURCE_DIR"), "tests", "golden",
                                            "param-counts.txt", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  int checked = 0;
  for (int i = 0; lines[i]; i++)
    {
      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      char name[64];
      int classes, channels;
      gint64 expected;
      g_assert_cmpint (sscanf (lines[i], "%63s %d %d %" G_GINT64_FORMAT, name, &classes, &channels, &expected), ==, 4);
      g_autoptr (GError) error = NULL;
      g_autoptr (AnPreset) p = an_preset_load (name, &error);
      g_assert_no_error (error);
      AnPreset copy = *p;
      if (copy.channels == 0)
        copy.channels = channels;
      gint64 got = an_preset_param_count (&copy, classes, &error);
      g_assert_no_error (error);
      g_test_message ("%s (%d classes, %d channels): %" G_GINT64_FORMAT " parameters", name, classes, channels, got);
      g_assert_cmpint (got, ==, expected);
      checked++;
    }
  g_assert_cmpint (checked, >=, 6);
}

static void
test_builtin_list (void)
{
  g_auto (GStrv) names = an_preset_list ();
  const char *want[] = { "alexnet-2012", "alexnet-tv", "alexnet-cifar", "alexnet-tiny" };
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    g_assert_true (g_strv_contains ((const char *const *) names, want[i]));
  g_autoptr (AnPreset) p = an_preset_load ("alexnet-2012", NULL);
  g_assert_nonnull (p);
  g_assert_cmpint (p->towers, ==, 2);
  g_assert_cmpint (p->channels, ==, 3);
  g_assert_cmpint (p->height, ==, 227);
  g_assert_cmpint (p->n_layers, ==, 23);
}

typedef struct {
  const char *text;
  const char *expect; /* substrings of the message */
  const char *expect2;
} BadCase;

static void
test_bad_presets (void)
{
  static const BadCase cases[] = {
    { "name x\ninput 3 8 8\nconvv c1 out=4 k=3\nlinear fc out=classes\n", "bad.preset:3", "convv" },
    { "name x\ninput 3 8 8\nconv c1 out=4 k=x\nlinear fc out=classes\n", "bad.preset:3", "field 'k'" },
    { "name x\ninput 3 8 8\nconv c1 out=4\nlinear fc out=classes\n", "bad.preset:3", "needs field 'k'" },
    { "name x\ninput 3 8 8\nconv c1 k=3\nlinear fc out=classes\n", "bad.preset:3", "needs field 'out'" },
    { "name x\ninput 3 8 8\nconv c1 out=4 k=3 bogus=1\nlinear fc out=classes\n", "bad.preset:3", "no field 'bogus'" },
    { "name x\ninput 3 8 8\nconv c1 out=4 k=3\nconv c1 out=4 k=3\nlinear fc out=classes\n", "bad.preset:4", "already used on line 3" },
    { "name x\ninput 3 8 8\nconv c1 out=4 k=3\n", "bad.preset", "last layer must be 'linear'" },
    { "input 3 8 8\nlinear fc out=classes\n", "bad.preset", "no 'name'" },
    { "name x\nlinear fc out=classes\n", "bad.preset", "no 'input'" },
    { "name x\ninput 4 8 8\nlinear fc out=classes\n", "bad.preset:2", "channels" },
    { "name x\ninput 3 8 8\ntowers 3\nlinear fc out=classes\n", "bad.preset:3", "towers" },
    { "name x\ninput 3 8 8\nconv c1 out=4 k=3 s=-1\nlinear fc out=classes\n", "bad.preset:3", "field 's'" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (AnPreset) p = an_preset_parse (cases[i].text, "bad.preset", &error);
      g_assert_null (p);
      g_assert_error (error, AN_ERROR, AN_ERROR_PARSE);
      g_test_message ("case %u: %s", i, error->message);
      g_assert_nonnull (strstr (error->message, cases[i].expect));
      g_assert_nonnull (strstr (error->message, cases[i].expect2));
    }
}

static void
test_impossible_shapes (void)
{
  static const BadCase cases[] = {
    /* kernel larger than the input */
    { "name x\ninput 3 8 8\nconv c1 out=4 k=11\nflatten f\nlinear fc out=classes\n", "c1", "" },
    /* channels not divisible by groups */
    { "name x\ninput 3 8 8\nconv c1 out=4 k=3 groups=2\nflatten f\nlinear fc out=classes\n", "c1", "groups" },
    /* pooling window larger than the map */
    { "name x\ninput 3 5 5\nconv c1 out=4 k=3\nmaxpool p1 k=3\nmaxpool p2 k=3\nflatten f\nlinear fc out=classes\n", "p2", "" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (AnPreset) p = an_preset_parse (cases[i].text, "shape.preset", &error);
      g_assert_no_error (error);
      g_autoptr (AnBackend) be = an_backend_ref_new ();
      AnModelOptions mo = { .num_classes = 10, .batch = 2, .towers = 1, .devices = { be },
                            .training = TRUE };
      g_autoptr (AnModel) m = an_model_new (p, &mo, &error);
      g_assert_null (m);
      g_assert_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT);
      g_test_message ("case %u: %s", i, error->message);
      g_assert_nonnull (strstr (error->message, cases[i].expect));
      g_assert_nonnull (strstr (error->message, cases[i].expect2));
      g_assert_nonnull (strstr (error->message, "shape.preset:"));
      g_assert_cmpint (an_preset_param_count (p, 10, NULL), ==, -1);
    }
  /* a one-tower preset cannot run as two towers */
  g_autoptr (AnPreset) tv = an_preset_load ("alexnet-tv", NULL);
  g_autoptr (AnBackend) be = an_backend_ref_new ();
  AnModelOptions mo = { .num_classes = 10, .batch = 1, .towers = 2, .devices = { be, be } };
  g_autoptr (GError) error = NULL;
  g_assert_null (an_model_new (tv, &mo, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT);
}

static void
test_unknown_name (void)
{
  g_autoptr (GError) error = NULL;
  g_assert_null (an_preset_load ("alexnet-3000", &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "alexnet-3000"));
  g_clear_error (&error);
  g_assert_null (an_preset_load ("/nonexistent/x.preset", &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/nonexistent/x.preset"));
}

int
main (int argc, char **argv)
{
  g_setenv ("XDG_DATA_HOME", "/nonexistent-for-tests", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/presets/counts-match-pytorch", test_counts_match_pytorch);
  g_test_add_func ("/presets/builtin", test_builtin_list);
  g_test_add_func ("/presets/bad", test_bad_presets);
  g_test_add_func ("/presets/impossible-shapes", test_impossible_shapes);
  g_test_add_func ("/presets/unknown", test_unknown_name);
  return g_test_run ();
}
