/* an-cli-pack.c: `alexnet pack SPEC OUT.anpack`: a dataset's images decoded once into one
 * packed file (an-pack.h), read back with --data packed:OUT.anpack.
 */
#define G_LOG_DOMAIN "alexnet"
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "an-cli-commands.h"
#include "data/an-pack.h"

static void
on_progress (int done, int total, gpointer user_data)
{
  gboolean *tty = user_data;
  if (*tty && (done % 256 == 0 || done == total))
    {
      fprintf (stderr, "\r%d/%d images", done, total);
      if (done == total)
        fputc ('\n', stderr);
    }
}

static int
run_pack (AnCliArgs *args)
{
  char **rest = an_cli_args_rest (args);
  AnRunConfig *cfg = an_cli_args_config (args);
  g_autoptr (GError) error = NULL;
  if (!rest || !rest[0] || !rest[1] || rest[2])
    return an_cli_usage ("pack needs a dataset and an output file (alexnet pack folder:DIR "
                         "OUT.anpack)");
  int size = an_cli_args_int (args, "size");
  gboolean tty = isatty (2);
  gint64 t0 = g_get_monotonic_time ();
  if (!an_pack_write (rest[0], rest[1], size, cfg->workers, on_progress, &tty, &error))
    return an_cli_fail (error);
  double seconds = (g_get_monotonic_time () - t0) / 1e6;
  /* read back whole, every chunk's checksum included, before it is announced */
  if (!an_pack_verify (rest[1], &error))
    return an_cli_fail (error);
  g_autoptr (AnDataset) train = an_dataset_load_packed (rest[1], AN_SPLIT_TRAIN, &error);
  if (!train)
    return an_cli_fail (error);
  int test = 0;
  if (an_pack_has_test_split (rest[1]))
    {
      g_autoptr (AnDataset) t = an_dataset_load_packed (rest[1], AN_SPLIT_TEST, &error);
      if (!t)
        return an_cli_fail (error);
      test = t->count;
    }
  gsize bytes = g_mapped_file_get_length (train->mapping);
  if (an_cli_args_flag (args, "json"))
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      an_cli_json_string (b, "file", rest[1]);
      an_cli_json_int (b, "train_images", train->count);
      an_cli_json_int (b, "test_images", test);
      an_cli_json_int (b, "classes", train->num_classes);
      an_cli_json_int (b, "channels", train->channels);
      an_cli_json_int (b, "size", train->height);
      an_cli_json_int (b, "bytes", (gint64) bytes);
      an_cli_json_number (b, "seconds", seconds);
      json_builder_end_object (b);
      an_cli_json_print (b);
    }
  else
    printf ("%s: %d training and %d test images of %dx%dx%d, %d classes, %.1f MiB in %.1f s "
            "(%.0f images/s)\n",
            rest[1], train->count, test, train->channels, train->height, train->width,
            train->num_classes, bytes / 1048576.0, seconds, (train->count + test) / seconds);
  return 0;
}

static const AnCliField pack_fields[] = {
  { "workers", NULL },
  { NULL },
};

static const AnCliOption pack_options[] = {
  { "size", 0, AN_CLI_INT, "N", 1, AN_PACK_MAX_SIZE, AN_PACK_DEFAULT_SIZE,
    .help = "the side of the stored squares: each image's shorter side is resized to it and the "
            "centre square kept" },
  { "json", 0, AN_CLI_FLAG, .help = "print what was written as one line of JSON" },
  { NULL },
};

const AnCliCommand an_cli_pack = {
  .name = "pack",
  .args = "SPEC OUT.anpack",
  .summary = "decode a dataset's images once into one file, read with --data packed:FILE",
  .fields = pack_fields,
  .options = pack_options,
  .run = run_pack,
};
