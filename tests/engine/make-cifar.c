/* make-cifar: writes a small learnable CIFAR-10-format dataset and one PNG per class for the
 * command-line tests, and class-0.webp, class-0 enlarged 4x (nearest), when gdk-pixbuf can
 * write WebP: make-cifar DIR */
#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <stdio.h>

#include "data/an-dataset.h"
#include "synth-data.h"

static gboolean
webp_writable (void)
{
  gboolean found = FALSE;
  GSList *formats = gdk_pixbuf_get_formats ();
  for (GSList *l = formats; l != NULL; l = l->next)
    {
      g_autofree char *name = gdk_pixbuf_format_get_name (l->data);
      found |= g_str_equal (name, "webp") && gdk_pixbuf_format_is_writable (l->data);
    }
  g_slist_free (formats);
  return found;
}

/* The PNG at png_path as a WebP, each pixel a 4x4 block (lossy WebP keeps flat blocks well). */
static gboolean
write_webp (const char *png_path, const char *path, GError **error)
{
  g_autoptr (AnImage) img = an_image_load (png_path, error);
  if (img == NULL)
    return FALSE;
  enum { S = 4 };
  int h = img->height * S, w = img->width * S;
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, w, h);
  guint8 *px = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  gsize plane = (gsize) img->height * img->width;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int c = 0; c < 3; c++)
        px[y * stride + x * 3 + c] =
          img->pixels[(img->channels == 3 ? c : 0) * plane + (y / S) * img->width + x / S];
  return gdk_pixbuf_save (pixbuf, path, "webp", error, "quality", "100", NULL);
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      fprintf (stderr, "usage: make-cifar DIR\n");
      return 2;
    }
  g_autoptr (GError) error = NULL;
  if (!synth_cifar_write (argv[1], 120, 100, TRUE, 1, &error))
    goto fail;
  for (int k = 0; k < 10; k++)
    {
      g_autofree char *name = g_strdup_printf ("class-%d.png", k);
      g_autofree char *path = g_build_filename (argv[1], name, NULL);
      if (!synth_png_write (path, k, &error))
        goto fail;
    }
  if (webp_writable ())
    {
      g_autofree char *png = g_build_filename (argv[1], "class-0.png", NULL);
      g_autofree char *webp = g_build_filename (argv[1], "class-0.webp", NULL);
      if (!write_webp (png, webp, &error))
        goto fail;
    }
  return 0;
fail:
  fprintf (stderr, "make-cifar: %s\n", error ? error->message : "cannot create folder");
  return 1;
}
