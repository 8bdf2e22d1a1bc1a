#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* main.c: the alexnet-studio executable: translations, the settings schema's check, then
 * AnApplication. */

#include <glib/gi18n.h>
#include <locale.h>

#include "an-application.h"
#include "an-blas.h"

/* GSettings aborts on a schema it cannot find: an uninstalled build run as it is would die
 * with a core dump. Say what is missing and how to run it instead. */
static gboolean
settings_schema_found (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema != NULL)
    return TRUE;
  g_printerr (_("alexnet-studio: the settings schema “%s” is not installed. Install the app "
                "(meson install), or run it from the build folder with “meson devenv -C "
                "BUILDDIR alexnet-studio”, which finds the schema compiled there.\n"),
              APP_ID);
  return FALSE;
}

int
main (int argc, char **argv)
{
  g_autoptr (AnApplication) app = NULL;

  an_blas_select_kernel (argv);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (!settings_schema_found ())
    return 1;
  g_set_application_name (_("AlexNet Studio"));
  app = an_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
