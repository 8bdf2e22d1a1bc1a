#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-application.c: AnApplication sets the accelerators, the app.* actions (preferences,
 * about, shortcuts, quit) and opens one AnWindow. The shortcuts window is
 * resources/gtk/help-overlay.ui, which GtkApplication loads from the resource base path.
 */

#include <glib/gi18n.h>
#include <string.h>

#include "an-application.h"
#include "an-ui-util.h"
#include "an-window.h"

struct _AnApplication {
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (AnApplication, an_application, ADW_TYPE_APPLICATION)

AnApplication *
an_application_new (void)
{
  return g_object_new (AN_TYPE_APPLICATION, "application-id", APP_ID, "resource-base-path",
                       "/org/alexnetstudio/AlexNetStudio", "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

/* A spin row bound to a number key, its bounds the schema's <range> (as on the Setup page). */
static GtkWidget *
spin_row (GSettings *settings, const char *key, const char *title, const char *subtitle,
          double step, guint digits)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin;
  double lo = 0, hi = 0;

  an_schema_bounds (settings, key, &lo, &hi, NULL);
  spin = gtk_spin_button_new_with_range (lo, hi, step);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  g_settings_bind (settings, key, gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (spin)),
                   "value", G_SETTINGS_BIND_DEFAULT);
  return row;
}

static GtkWidget *
switch_row (GSettings *settings, const char *key, const char *title)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  g_settings_bind (settings, key, toggle, "active", G_SETTINGS_BIND_DEFAULT);
  return row;
}

static void
action_preferences (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = user_data;
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  GtkWidget *window = adw_preferences_window_new ();
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *charts = adw_preferences_group_new ();
  GtkWidget *run = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (charts), _("Charts"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (charts),
                             switch_row (settings, "chart-log-scale",
                                         _("Logarithmic loss axis")));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (charts),
                             spin_row (settings, "chart-smoothing", _("Smoothing"),
                                       _("Weight of the moving average of the training loss"),
                                       0.01, 2));
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (run), _("Live Views"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (run),
                             spin_row (settings, "snapshot-interval", _("Refresh every"),
                                       _("Seconds between filter and feature-map updates while "
                                         "training (applies to the next run)"),
                                       1, 0));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (run),
                             spin_row (settings, "confirm-stop-after", _("Ask before stopping"),
                                       _("Stopping a run that has trained longer than this "
                                         "many seconds asks first; 0 always asks"),
                                       10, 0));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (charts));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (run));
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (page));
  gtk_window_set_transient_for (GTK_WINDOW (window), gtk_application_get_active_window (app));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_present (GTK_WINDOW (window));
}

/* The application's icon: the one of the release id (a development build's id ends in
 * ".Devel" and has no icon of its own); the window's resources hold it too, so it shows
 * before the application is installed. */
const char *
an_application_icon_name (void)
{
  static char *name;

  if (name == NULL)
    name = g_str_has_suffix (APP_ID, ".Devel")
             ? g_strndup (APP_ID, strlen (APP_ID) - strlen (".Devel"))
             : g_strdup (APP_ID);
  return name;
}

static void
action_about (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "The AlexNet Studio authors", NULL };
  g_autofree char *debug = g_strdup_printf ("AlexNet Studio %s\nEngine %s\nGTK %u.%u.%u\n"
                                            "libadwaita %u.%u.%u\nGLib %u.%u.%u\nProfile %s\n",
                                            PACKAGE_VERSION, PACKAGE_VERSION,
                                            gtk_get_major_version (), gtk_get_minor_version (),
                                            gtk_get_micro_version (), adw_get_major_version (),
                                            adw_get_minor_version (), adw_get_micro_version (),
                                            glib_major_version, glib_minor_version,
                                            glib_micro_version, PROFILE);
  GtkWidget *about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                                   "transient-for", gtk_application_get_active_window (app),
                                   "application-name", _("AlexNet Studio"),
                                   "application-icon", an_application_icon_name (),
                                   "version", PACKAGE_VERSION,
                                   "developer-name", _("The AlexNet Studio authors"),
                                   "developers", developers,
                                   "license-type", GTK_LICENSE_GPL_3_0,
                                   "comments", _("Train AlexNet-family networks on your "
                                                 "computer and watch them learn"),
                                   "debug-info", debug,
                                   "translator-credits", _("translator-credits"),
                                   NULL);

  gtk_window_present (GTK_WINDOW (about));
}

static void
action_shortcuts (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static void
action_quit (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (user_data));

  /* Closing each window stops its run cleanly (the window joins its trainer). */
  while (windows != NULL)
    {
      GtkWindow *w = windows->data;

      windows = windows->next;
      gtk_window_destroy (w);
    }
}

static void
an_application_startup (GApplication *app)
{
  static const GActionEntry entries[] = {
    { "preferences", action_preferences },
    { "about", action_about },
    { "shortcuts", action_shortcuts },
    { "quit", action_quit },
  };
  static const struct {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "win.start", { "<Control>Return", "<Control>KP_Enter", NULL } },
    { "win.pause", { "space", NULL } },
    { "win.resume", { "space", NULL } },
    { "win.stop", { "<Control>period", NULL } },
    /* Shift+. is ">" on most layouts: a trigger on period with Shift never matches */
    { "win.stop-keep-best", { "<Control>greater", NULL } },
    { "win.open-checkpoint", { "<Control>o", NULL } },
    { "win.save-checkpoint", { "<Control>s", NULL } },
    { "win.export-all", { "<Control>e", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "app.shortcuts", { "<Control>question", NULL } },
    { "app.quit", { "<Control>q", NULL } },
  };

  G_APPLICATION_CLASS (an_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action,
                                           accels[i].accels);
}

static void
an_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (an_window_new (GTK_APPLICATION (app)));
  gtk_window_present (window);
}

static void
an_application_class_init (AnApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = an_application_startup;
  app_class->activate = an_application_activate;
}

static void
an_application_init (AnApplication *self)
{
}
