/* test-settings-defaults.c: the window's settings start where the engine's defaults are.
 * The window fills its run configuration from GSettings, the command line from
 * an_run_config_init (); every schema key that names a run-configuration field must have the
 * same default, or the two front ends would train different runs for "the defaults". */
#include "config.h"

#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

#include "an-config.h"

static void
test_defaults_agree (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_assert_nonnull (source);
  g_autoptr (GSettingsSchema) schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  g_assert_nonnull (schema);

  AnRunConfig cfg;
  an_run_config_init (&cfg);
  g_autofree char *text = an_run_config_to_string (&cfg);
  g_autoptr (GHashTable) engine = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      char *eq = strchr (lines[i], '=');
      if (eq != NULL)
        g_hash_table_insert (engine, g_strndup (lines[i], eq - lines[i]), g_strdup (eq + 1));
    }

  g_auto (GStrv) keys = g_settings_schema_list_keys (schema);
  int compared = 0;
  for (int i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *field = g_strdelimit (g_strdup (keys[i]), "-", '_');
      const char *want = g_hash_table_lookup (engine, field);
      if (want == NULL)
        continue; /* window-only keys (size, charts, dataset kind) */
      g_autoptr (GSettingsSchemaKey) key = g_settings_schema_get_key (schema, keys[i]);
      g_autoptr (GVariant) def = g_settings_schema_key_get_default_value (key);
      g_autofree char *have = NULL;
      if (g_variant_is_of_type (def, G_VARIANT_TYPE_DOUBLE))
        {
          /* numbers compare as numbers: "0.0005" and "5e-4" are the same default */
          g_test_message ("%s: schema %g, engine %s", keys[i], g_variant_get_double (def), want);
          g_assert_cmpfloat (g_variant_get_double (def), ==, g_ascii_strtod (want, NULL));
        }
      else if (g_variant_is_of_type (def, G_VARIANT_TYPE_STRING))
        g_assert_cmpstr (g_variant_get_string (def, NULL), ==, want);
      else if (g_variant_is_of_type (def, G_VARIANT_TYPE_BOOLEAN))
        g_assert_cmpstr (g_variant_get_boolean (def) ? "true" : "false", ==, want);
      else if (g_variant_is_of_type (def, G_VARIANT_TYPE_INT32))
        g_assert_cmpint (g_variant_get_int32 (def), ==, atoi (want));
      else if (g_variant_is_of_type (def, G_VARIANT_TYPE_UINT32))
        g_assert_cmpuint (g_variant_get_uint32 (def), ==, strtoul (want, NULL, 10));
      else
        g_error ("%s: unexpected type %s", keys[i], g_variant_get_type_string (def));
      compared++;
    }
  g_test_message ("%d schema keys compared with the engine's defaults", compared);
  /* the hyperparameters, schedule, early stopping, init, LRN, augmentation, split, seed... */
  g_assert_cmpint (compared, >=, 30);
  an_run_config_clear (&cfg);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/settings/defaults-agree-with-engine", test_defaults_agree);
  return g_test_run ();
}
