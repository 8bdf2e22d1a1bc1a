/* poison-checkpoint: copies a checkpoint with every weight set to NaN, so the command-line
 * tests see what non-finite numbers become in JSON: poison-checkpoint IN OUT */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include "an-checkpoint.h"
#include "an-epoch.h"

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AnCheckpoint) ck = NULL;

  if (argc != 3)
    {
      fprintf (stderr, "usage: poison-checkpoint IN OUT\n");
      return 2;
    }
  if (!(ck = an_checkpoint_read (argv[1], &error)))
    goto fail;
  for (gsize i = 0; i < ck->n_params; i++)
    {
      ck->params[i] = NAN;
      if (ck->best_params)
        ck->best_params[i] = NAN;
    }
  if (!an_checkpoint_write (ck, argv[2], &error))
    goto fail;
  return 0;
fail:
  fprintf (stderr, "poison-checkpoint: %s\n", error->message);
  return 1;
}
