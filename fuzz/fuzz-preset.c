/* fuzz-preset.c: libFuzzer target for the preset parser (an_preset_parse) and the shape
 * inference a parsed preset goes through (an_preset_shapes, an_preset_param_count). */
#include "config.h"

#include "an-preset.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t len);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t len)
{
  g_autofree char *text = g_strndup ((const char *) data, len);
  g_autoptr (GError) error = NULL;
  g_autoptr (AnPreset) p = an_preset_parse (text, "fuzz.preset", &error);
  if (p == NULL)
    {
      g_assert (error != NULL && error->message != NULL);
      return 0;
    }
  g_autofree AnLayerShape *shapes = g_new0 (AnLayerShape, MAX (p->n_layers, 1));
  for (int classes = 1; classes <= 1000; classes *= 10)
    {
      g_clear_error (&error);
      gint64 n = an_preset_param_count (p, classes, &error);
      g_assert ((n < 0) == (error != NULL));
      g_clear_error (&error);
      if (an_preset_shapes (p, classes, 3, shapes, &error))
        g_assert_no_error (error);
    }
  return 0;
}
