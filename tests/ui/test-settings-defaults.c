/* test-settings-defaults.c: the window's settings start where the engine's defaults are.
 * The window fills its run configuration from GSettings, the command line from
 * an_run_config_init (); every schema key that names a run-configuration field must have the
 * same default, or the two front ends would train different runs for "the defaults". */
#include "config.h"

#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

#include "an-config.h"

/* The window keeps these elsewhere: the preset and the dataset by name and kind
 * (last-preset, dataset-kind, dataset-folder), the output folders per run. */
static const char *const not_settings[] = { "model", "data", "checkpoint_dir", "metrics_path" };

static void
test_defaults_agree (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_assert_nonnull (source);
  g_autoptr (GSettingsSchema) schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  g_assert_nonnull (schema);

  AnRunConfig cfg;
  guint n;
  const AnConfigField *fields = an_run_config_fields (&n);
  int compared = 0;

  an_run_config_init (&cfg);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdelimit (g_strdup (fields[i].key), "_", '-');
      g_autofree char *want = an_run_config_get (&cfg, fields[i].key);
      gboolean elsewhere = g_strv_contains (not_settings, fields[i].key);

      /* every other field of the table is a setting of the same name */
      g_test_message ("%s: %s", fields[i].key, elsewhere ? "not a setting" : key);
      g_assert_cmpint (g_settings_schema_has_key (schema, key), ==, !elsewhere);
      if (elsewhere)
        continue;
      g_autoptr (GSettingsSchemaKey) k = g_settings_schema_get_key (schema, key);
      g_autoptr (GVariant) def = g_settings_schema_key_get_default_value (k);
      if (g_variant_is_of_type (def, G_VARIANT_TYPE_DOUBLE))
        /* numbers compare as numbers: "0.0005" and "5e-4" are the same default */
        g_assert_cmpfloat (g_variant_get_double (def), ==, g_ascii_strtod (want, NULL));
      else if (g_variant_is_of_type (def, G_VARIANT_TYPE_STRING))
        g_assert_cmpstr (g_variant_get_string (def, NULL), ==, want);
      else if (g_variant_is_of_type (def, G_VARIANT_TYPE_BOOLEAN))
        g_assert_cmpstr (g_variant_get_boolean (def) ? "true" : "false", ==, want);
      else if (g_variant_is_of_type (def, G_VARIANT_TYPE_INT32))
        g_assert_cmpint (g_variant_get_int32 (def), ==, atoi (want));
      else if (g_variant_is_of_type (def, G_VARIANT_TYPE_UINT32))
        g_assert_cmpuint (g_variant_get_uint32 (def), ==, strtoul (want, NULL, 10));
      else
        g_error ("%s: unexpected type %s", key, g_variant_get_type_string (def));
      compared++;
    }
  g_test_message ("%d schema keys compared with the engine's defaults", compared);
  g_assert_cmpint (compared, ==, (int) (n - G_N_ELEMENTS (not_settings)));
  an_run_config_clear (&cfg);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/settings/defaults-agree-with-engine", test_defaults_agree);
  return g_test_run ();
}
