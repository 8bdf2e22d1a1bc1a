/* an-ui-util.h: what every page of the window needs and none owns: the one file chooser,
 * image decoding in a thread, and toasts (sent to the window through its win.toast action,
 * so a page never calls the window). */
#pragma once

#include <gtk/gtk.h>

#include "an-snapshot.h"
#include "an-tile-grid.h"
#include "data/an-dataset.h"

G_BEGIN_DECLS

typedef enum {
  AN_FILE_FILTER_NONE = 0,
  AN_FILE_FILTER_IMAGES,
  AN_FILE_FILTER_CHECKPOINTS,
  AN_FILE_FILTER_PNG,
  AN_FILE_FILTER_CSV,
  AN_FILE_FILTER_PACKED,
} AnFileFilter;

/* owner: the GObject that asked (kept alive until the chooser answers). */
typedef void (*AnFileChosenFunc) (gpointer owner, GFile *file);

/* The one place that opens a file chooser (GtkFileChooserNative: the portal in a sandbox),
 * modal on the window that holds `widget`. */
void an_choose_file (GtkWidget *widget, GtkFileChooserAction action, const char *title,
                     const char *accept, const char *suggested_name, AnFileFilter filter,
                     AnFileChosenFunc callback, gpointer owner);

/* Decodes an image file (an_image_load's formats) in a thread; source_object becomes the GTask's source. */
void an_load_image_async (gpointer source_object, GFile *file, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data);
AnImage *an_load_image_finish (GAsyncResult *result, GError **error);

/* Shows a toast in the window that holds `widget` (its win.toast action); also g_debug. */
void an_toast (GtkWidget *widget, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* The settings schema's range of a number key (lo, hi), or the choices of an enumerated
 * string key (choices, caller frees; may be NULL). Shared by every page and window that
 * builds rows from the schema. */
void an_schema_bounds (GSettings *settings, const char *key, double *lo, double *hi,
                       GStrv *choices);

/* A count with its digits grouped by thousands ("1,248,106"): the locale's separator, or a
 * comma where the locale has none (the C locale). */
char *an_format_count (gint64 n);

/* A wrapped label in a style class ("heading", "dim-label"). */
GtkWidget *an_heading_new (const char *text, const char *style);

/* The probe image of the maps' pages: a grid for one image, hidden until the first maps
 * come; an_probe_show puts the image a FEATURES or LRN snapshot was computed for into it
 * with a caption; an_probe_requested says that a new probe's maps are on their way. */
AnTileGrid *an_probe_grid_new (void);
void an_probe_show (AnTileGrid *grid, GtkLabel *caption, AnSnapshot *s);
void an_probe_requested (GtkLabel *caption, gboolean have_run);

G_END_DECLS
