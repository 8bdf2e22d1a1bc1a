/* an-cli-info.c: `alexnet info`: the version, the BLAS library and the CPU backend's threads,
 * the CUDA devices, and the presets with their parameter counts.
 */
#define G_LOG_DOMAIN "alexnet"
#include "config.h"

#include <stdio.h>

#include "an-backend.h"
#include "an-blas.h"
#include "an-cli-commands.h"
#include "an-preset.h"

/* The classes a preset is counted with: ImageNet's for ImageNet-sized inputs. */
static int
default_classes (const AnPreset *p)
{
  return p->height >= 200 ? 1000 : 10;
}

static void
preset_json (JsonBuilder *b, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AnPreset) p = an_preset_load (name, &error);

  json_builder_begin_object (b);
  an_cli_json_string (b, "name", name);
  if (p == NULL)
    an_cli_json_string (b, "error", error->message);
  else
    {
      int classes = default_classes (p);

      /* null: the dataset's channels */
      if (p->channels > 0)
        an_cli_json_int (b, "channels", p->channels);
      else
        an_cli_json_string (b, "channels", NULL);
      an_cli_json_int (b, "height", p->height);
      an_cli_json_int (b, "width", p->width);
      an_cli_json_int (b, "towers", p->towers);
      an_cli_json_int (b, "classes", classes);
      an_cli_json_int (b, "parameters", an_preset_param_count (p, classes, NULL));
    }
  json_builder_end_object (b);
}

static void
preset_line (const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AnPreset) p = an_preset_load (name, &error);

  if (!p)
    {
      printf ("  %-16s error: %s\n", name, error->message);
      return;
    }
  int classes = default_classes (p);
  gint64 count = an_preset_param_count (p, classes, NULL);
  g_autofree char *in = p->channels > 0 ? g_strdup_printf ("%d", p->channels) : g_strdup ("C");
  printf ("  %-16s %sx%dx%d, %" G_GINT64_FORMAT " parameters with %d classes%s\n", p->name, in,
          p->height, p->width, count, classes, p->towers == 2 ? ", two towers" : "");
}

static int
run_info (AnCliArgs *args)
{
  g_autofree char *why = NULL;
  g_auto (GStrv) names = an_preset_list ();
  int cuda = an_cuda_device_count (&why);
  g_autoptr (AnBackend) cpu = an_backend_cpu_new (0, 0);
  int threads = an_backend_cpu_get_threads (cpu);

  if (an_cli_args_flag (args, "json"))
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      an_cli_json_string (b, "version", PACKAGE_VERSION);
      an_cli_json_string (b, "blas", an_blas_name ());
      an_cli_json_string (b, "blas_kernel", an_blas_kernel_name ());
      an_cli_json_int (b, "cpu_threads", threads);
      an_cli_json_int (b, "cores", g_get_num_processors ());
      an_cli_json_int (b, "cuda_devices", MAX (cuda, 0));
      an_cli_json_string (b, "cuda_unavailable", cuda > 0 ? NULL : (why ? why : "no device"));
      json_builder_set_member_name (b, "presets");
      json_builder_begin_array (b);
      for (int i = 0; names[i]; i++)
        preset_json (b, names[i]);
      json_builder_end_array (b);
      json_builder_end_object (b);
      an_cli_json_print (b);
      return 0;
    }
  printf ("AlexNet Studio %s\n", PACKAGE_VERSION);
  printf ("BLAS: %s, %s kernels; the CPU backend runs %d threads (%u cores)\n", an_blas_name (),
          an_blas_kernel_name (), threads, g_get_num_processors ());
  if (cuda > 0)
    printf ("CUDA: %d device%s\n", cuda, cuda == 1 ? "" : "s");
  else
    printf ("CUDA: not available (%s)\n", why ? why : "no device");
  printf ("Presets:\n");
  for (int i = 0; names[i]; i++)
    preset_line (names[i]);
  return 0;
}

static const AnCliOption info_options[] = {
  { "json", 0, AN_CLI_FLAG, .help = "print it as one line of JSON" },
  { NULL },
};

const AnCliCommand an_cli_info = {
  .name = "info",
  .summary = "the version, the BLAS library, the CPU's threads, the CUDA devices and the presets",
  .options = info_options,
  .run = run_info,
};
