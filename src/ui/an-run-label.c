#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-run-label.c: run names for the charts (an-run-label.h). */

#include <glib/gi18n.h>
#include <string.h>

#include "an-run-label.h"

char *
an_run_label (const char *model, int batch, double lr, gint64 started)
{
  g_autofree char *base = g_path_get_basename (model != NULL && *model ? model : "?");
  g_autoptr (GDateTime) when = g_date_time_new_from_unix_local (started);
  g_autofree char *time = when != NULL ? g_date_time_format (when, "%H:%M") : g_strdup ("");
  char *dot = strrchr (base, '.');
  char lr_text[G_ASCII_DTOSTR_BUF_SIZE];

  if (dot != NULL && dot != base)
    *dot = '\0';
  g_ascii_formatd (lr_text, sizeof lr_text, "%g", lr);
  /* Translators: a run's name in the charts' legend: preset, learning rate, batch size and
   * start time, "alexnet-tiny · lr 0.01 · batch 64 · 14:05" */
  return g_strdup_printf (_("%s · lr %s · batch %d · %s"), base, lr_text, batch, time);
}
