#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* main.c: the alexnet-studio executable: translations, then AnApplication. */

#include <glib/gi18n.h>
#include <locale.h>

#include "an-application.h"
#include "an-blas.h"

int
main (int argc, char **argv)
{
  g_autoptr (AnApplication) app = NULL;

  an_blas_select_kernel (argv);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("AlexNet Studio"));
  app = an_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
