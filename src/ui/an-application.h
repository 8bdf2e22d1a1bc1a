/* an-application.h: the application: app-wide actions, accelerators, preferences, about. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define AN_TYPE_APPLICATION (an_application_get_type ())
G_DECLARE_FINAL_TYPE (AnApplication, an_application, AN, APPLICATION, AdwApplication)

AnApplication *an_application_new (void);
/* The icon name of the About window (the release id's, also in the window's resources). */
const char *an_application_icon_name (void);

G_END_DECLS
