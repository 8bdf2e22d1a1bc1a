/* make-cifar: writes a small learnable CIFAR-10-format dataset and one PNG per class for the
 * command-line tests: make-cifar DIR */
#include "config.h"

#include <stdio.h>

#include "synth-data.h"

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
  return 0;
fail:
  fprintf (stderr, "make-cifar: %s\n", error ? error->message : "cannot create folder");
  return 1;
}
