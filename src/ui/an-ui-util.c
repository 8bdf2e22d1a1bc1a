#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-ui-util.c: the file chooser, image decoding in a thread, toasts and the schema's bounds,
 * shared by the window's pages. */

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "an-ui-util.h"

typedef struct {
  GObject *owner;
  AnFileChosenFunc callback;
} ChooseData;

static void
on_chooser_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  ChooseData *data = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        data->callback (data->owner, file);
    }
  g_object_unref (data->owner);
  g_free (data);
  g_object_unref (dialog);
}

static void
add_filter (GtkFileChooser *chooser, const char *name, const char *const *mime_types,
            const char *const *suffixes)
{
  GtkFileFilter *f = gtk_file_filter_new ();

  gtk_file_filter_set_name (f, name);
  for (guint i = 0; mime_types != NULL && mime_types[i] != NULL; i++)
    gtk_file_filter_add_mime_type (f, mime_types[i]);
  for (guint i = 0; suffixes != NULL && suffixes[i] != NULL; i++)
    {
      if (g_str_equal (suffixes[i], "*"))
        gtk_file_filter_add_pattern (f, "*");
      else
        gtk_file_filter_add_suffix (f, suffixes[i]);
    }
  gtk_file_chooser_add_filter (chooser, f);
  g_object_unref (f);
}

void
an_choose_file (GtkWidget *widget, GtkFileChooserAction action, const char *title,
                const char *accept, const char *suggested_name, AnFileFilter filter,
                AnFileChosenFunc callback, gpointer owner)
{
  /* the formats the engine decodes (an_image_formats) */
  static const char *const images[] = { "image/png",  "image/jpeg", "image/webp",
                                        "image/bmp",  "image/gif",  "image/tiff",
                                        "image/vnd.microsoft.icon", NULL };
  static const char *const checkpoints[] = { "ankpt", "ckpt", NULL };
  static const char *const all[] = { "*", NULL };
  static const char *const png[] = { "png", NULL };
  static const char *const csv[] = { "csv", NULL };
  static const char *const packed[] = { "anpack", NULL };
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *native;
  GtkFileChooser *chooser;
  ChooseData *data;

  native = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        action, accept, _("_Cancel"));
  chooser = GTK_FILE_CHOOSER (native);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  if (suggested_name != NULL)
    gtk_file_chooser_set_current_name (chooser, suggested_name);

  switch (filter)
    {
    case AN_FILE_FILTER_IMAGES:
      add_filter (chooser, _("Images"), images, NULL);
      break;
    case AN_FILE_FILTER_CHECKPOINTS:
      add_filter (chooser, _("Checkpoints"), NULL, checkpoints);
      add_filter (chooser, _("All files"), NULL, all);
      break;
    case AN_FILE_FILTER_PNG:
      add_filter (chooser, _("PNG image"), NULL, png);
      break;
    case AN_FILE_FILTER_CSV:
      add_filter (chooser, _("CSV table"), NULL, csv);
      break;
    case AN_FILE_FILTER_PACKED:
      add_filter (chooser, _("Packed datasets"), NULL, packed);
      add_filter (chooser, _("All files"), NULL, all);
      break;
    case AN_FILE_FILTER_NONE:
    default:
      break;
    }

  data = g_new0 (ChooseData, 1);
  data->owner = g_object_ref (owner);
  data->callback = callback;
  g_signal_connect (native, "response", G_CALLBACK (on_chooser_response), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
decode_file_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autofree char *path = g_file_get_path (file);
  g_autoptr (GError) error = NULL;
  AnImage *img;

  if (path != NULL)
    img = an_image_load (path, &error);
  else
    {
      g_autofree char *data = NULL;
      g_autofree char *uri = g_file_get_uri (file);
      gsize len = 0;

      img = g_file_load_contents (file, cancellable, &data, &len, NULL, &error)
              ? an_image_from_bytes ((const guint8 *) data, len, uri, &error)
              : NULL;
    }
  if (img == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, img, (GDestroyNotify) an_image_free);
}

void
an_load_image_async (gpointer source_object, GFile *file, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (source_object, cancellable, callback, user_data);

  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_set_source_tag (task, an_load_image_async);
  g_task_run_in_thread (task, decode_file_thread);
}

AnImage *
an_load_image_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
an_toast (GtkWidget *widget, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_debug ("%s", text);
  gtk_widget_activate_action (widget, "win.toast", "s", text);
}

void
an_schema_bounds (GSettings *settings, const char *key, double *lo, double *hi, GStrv *choices)
{
  g_autoptr (GSettingsSchema) schema = NULL;
  g_autoptr (GSettingsSchemaKey) k = NULL;
  g_autoptr (GVariant) range = NULL;
  g_autoptr (GVariant) detail = NULL;
  const char *type;

  g_object_get (settings, "settings-schema", &schema, NULL);
  k = g_settings_schema_get_key (schema, key);
  range = g_settings_schema_key_get_range (k);
  g_variant_get (range, "(&sv)", &type, &detail);
  if (g_strcmp0 (type, "range") == 0)
    {
      g_autoptr (GVariant) min = g_variant_get_child_value (detail, 0);
      g_autoptr (GVariant) max = g_variant_get_child_value (detail, 1);

#define AS_DOUBLE(v)                                                                          \
  (g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE) ? g_variant_get_double (v)                 \
   : g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32) ? (double) g_variant_get_uint32 (v)      \
   : g_variant_is_of_type (v, G_VARIANT_TYPE_UINT64) ? (double) g_variant_get_uint64 (v)      \
                                                     : (double) g_variant_get_int32 (v))
      *lo = AS_DOUBLE (min);
      *hi = AS_DOUBLE (max);
#undef AS_DOUBLE
    }
  else if (g_strcmp0 (type, "enum") == 0 && choices != NULL)
    {
      *choices = g_variant_dup_strv (detail, NULL);
    }
}

GtkWidget *
an_heading_new (const char *text, const char *style)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, style);
  return label;
}

AnTileGrid *
an_probe_grid_new (void)
{
  AnTileGrid *grid = AN_TILE_GRID (an_tile_grid_new ());

  an_tile_grid_set_zoom (grid, 0);
  gtk_widget_set_size_request (GTK_WIDGET (grid), 160, 160);
  gtk_widget_set_halign (GTK_WIDGET (grid), GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (grid), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Probe image"), -1);
  gtk_widget_set_visible (GTK_WIDGET (grid), FALSE);
  return grid;
}

void
an_probe_show (AnTileGrid *grid, GtkLabel *caption, AnSnapshot *s)
{
  const AnImage *img = s->probe;
  g_autofree char *text = NULL;

  if (img == NULL)
    return;
  an_tile_grid_set_image (grid, img->pixels, img->channels, img->height, img->width);
  gtk_widget_set_visible (GTK_WIDGET (grid), TRUE);
  /* Translators: under the probe image: "The maps of step 120 are computed from this 28×28
   * grey image." */
  text = g_strdup_printf (img->channels == 1
                            ? _("The maps of step %lld are computed from this %d×%d grey image.")
                            : _("The maps of step %lld are computed from this %d×%d colour "
                                "image."),
                          (long long) s->step, img->width, img->height);
  gtk_label_set_text (caption, text);
}

void
an_probe_requested (GtkLabel *caption, gboolean have_run)
{
  gtk_label_set_text (caption, have_run
                                 ? _("The maps of the new probe image follow at the next snapshot.")
                                 : _("The maps appear once training has started."));
}

char *
an_format_count (gint64 n)
{
  const char *sep = localeconv ()->thousands_sep;
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, n < 0 ? -n : n);
  GString *out = g_string_new (n < 0 ? "-" : "");
  gsize len = strlen (digits);

  if (sep == NULL || *sep == '\0')
    sep = ",";
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, sep);
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}
