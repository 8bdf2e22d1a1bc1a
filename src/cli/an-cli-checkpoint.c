/* an-cli-checkpoint.c: the commands that read a finished checkpoint: `alexnet eval` (a test
 * set's loss, top-1, top-5 and confusion matrix), `alexnet classify` (the top classes of
 * images) and `alexnet filters` (filters or feature maps as a PNG).
 */
#define G_LOG_DOMAIN "alexnet"
#include "config.h"

#include <stdio.h>

#include "an-classifier.h"
#include "an-cli-commands.h"
#include "an-eval.h"

#define CHECKPOINT_OPTION                                                                     \
  { "checkpoint", 0, AN_CLI_TEXT, "FILE", .help = "the checkpoint (.ankpt) to read" }
#define JSON_OPTION                                                                           \
  { "json", 0, AN_CLI_FLAG, .help = "print the result as one line of JSON (numbers that are "   \
    "not finite as null)" }

/* ---- eval ------------------------------------------------------------------------------ */

static void
print_eval_json (const AnEvalResult *r)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  int k = r->classes;

  json_builder_begin_object (b);
  an_cli_json_int (b, "images", r->count);
  an_cli_json_number (b, "loss", r->loss);
  an_cli_json_number (b, "top1", r->top1);
  an_cli_json_number (b, "top5", r->top5);
  json_builder_set_member_name (b, "classes");
  json_builder_begin_array (b);
  for (int i = 0; i < k; i++)
    an_cli_json_string (b, NULL, r->class_names[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "confusion");
  json_builder_begin_array (b);
  for (int i = 0; i < k; i++)
    {
      json_builder_begin_array (b);
      for (int j = 0; j < k; j++)
        an_cli_json_int (b, NULL, r->confusion[i * k + j]);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  an_cli_json_print (b);
}

static int
run_eval (AnCliArgs *args)
{
  const char *ckpt = an_cli_args_text (args, "checkpoint");
  AnRunConfig *cfg = an_cli_args_config (args);
  g_autoptr (GError) error = NULL;
  AnEvalResult r;

  if (!ckpt)
    return an_cli_usage ("eval needs --checkpoint FILE");
  if (!an_evaluate_checkpoint (ckpt, an_cli_args_given (args, "data") ? cfg->data : NULL,
                               cfg->threads, an_cli_args_flag (args, "ten-crop"), &r, &error))
    return an_cli_fail (error);
  for (char **m = r.bad_images; m && *m; m++)
    fprintf (stderr, "alexnet: warning: %s; replaced by another image of its class\n", *m);
  if (an_cli_args_flag (args, "json"))
    print_eval_json (&r);
  else
    {
      int k = r.classes;

      printf ("%d images: loss %.4f, top-1 %.4f, top-5 %.4f\n", r.count, r.loss, r.top1, r.top5);
      printf ("confusion matrix (rows: true class, columns: predicted)\n");
      for (int i = 0; i < k; i++)
        {
          printf ("%-14.14s", r.class_names[i]);
          for (int j = 0; j < k && k <= 20; j++)
            printf (" %5" G_GINT64_FORMAT, r.confusion[i * k + j]);
          printf ("\n");
        }
    }
  an_eval_result_clear (&r);
  return 0;
}

static const AnCliField eval_fields[] = {
  { "data", "the checkpoint's own dataset" },
  { "threads", NULL },
  { NULL },
};

static const AnCliOption eval_options[] = {
  CHECKPOINT_OPTION,
  { "ten-crop", 0, AN_CLI_FLAG, .help = "average over ten crops of each image (four corners "
    "and the centre, and their mirror images), as the paper's test-time augmentation" },
  JSON_OPTION,
  { NULL },
};

const AnCliCommand an_cli_eval = {
  .name = "eval",
  .summary = "evaluate a checkpoint's best weights on a test set (a folder dataset: on the "
             "run's validation images)",
  .fields = eval_fields,
  .options = eval_options,
  .run = run_eval,
};

/* ---- classify -------------------------------------------------------------------------- */

static int
run_classify (AnCliArgs *args)
{
  const char *ckpt = an_cli_args_text (args, "checkpoint");
  char **images = an_cli_args_rest (args);
  gboolean json = an_cli_args_flag (args, "json");
  int top = an_cli_args_int (args, "top");
  g_autoptr (GError) error = NULL;
  g_autoptr (AnClassifier) c = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree AnPrediction *pred = g_new (AnPrediction, top);
  int status = 0;

  if (!ckpt || images[0] == NULL)
    return an_cli_usage ("classify needs --checkpoint FILE and at least one image");
  if (!(c = an_classifier_new_from_checkpoint (ckpt, &error)))
    return an_cli_fail (error);
  json_builder_begin_array (b);
  for (int i = 0; images[i]; i++)
    {
      g_autoptr (GError) local = NULL;
      g_autoptr (AnImage) img = an_image_load (images[i], &local);
      int n = 0;

      /* an image that fails is named on stderr and left out */
      if (!img || !an_classifier_classify (c, img, top, pred, &n, &local))
        {
          status = an_cli_fail (local);
          continue;
        }
      if (json)
        {
          json_builder_begin_object (b);
          an_cli_json_string (b, "image", images[i]);
          json_builder_set_member_name (b, "top");
          json_builder_begin_array (b);
        }
      else
        printf ("%s\n", images[i]);
      for (int k = 0; k < n; k++)
        if (json)
          {
            json_builder_begin_object (b);
            an_cli_json_int (b, "label", pred[k].label);
            an_cli_json_string (b, "name", pred[k].name);
            an_cli_json_number (b, "probability", pred[k].probability);
            json_builder_end_object (b);
          }
        else
          printf ("  %6.2f%%  %s\n", pred[k].probability * 100, pred[k].name);
      if (json)
        {
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
    }
  json_builder_end_array (b);
  if (json)
    an_cli_json_print (b);
  return status;
}

static const AnCliOption classify_options[] = {
  CHECKPOINT_OPTION,
  { "top", 0, AN_CLI_INT, "K", 1, 1000, 5, .help = "how many classes to list per image" },
  JSON_OPTION,
  { NULL },
};

const AnCliCommand an_cli_classify = {
  .name = "classify",
  .args = "IMAGE...",
  .summary = "the most probable classes of images (PNG, JPEG...) by a checkpoint's best weights",
  .options = classify_options,
  .run = run_classify,
};

/* ---- filters --------------------------------------------------------------------------- */

static int
run_filters (AnCliArgs *args)
{
  const char *ckpt = an_cli_args_text (args, "checkpoint");
  const char *out = an_cli_args_text (args, "output");
  const char *layer = an_cli_args_text (args, "layer");
  const char *image = an_cli_args_text (args, "image");
  int zoom = an_cli_args_int (args, "zoom");
  g_autoptr (GError) error = NULL;
  g_autoptr (AnImage) probe = NULL;
  g_autoptr (AnImage) grid = NULL;

  if (!ckpt || !out)
    return an_cli_usage ("filters needs --checkpoint FILE and -o OUT.png");
  if (!layer)
    layer = "conv1";
  if (image && !(probe = an_image_load (image, &error)))
    return an_cli_fail (error);
  grid = image ? an_render_feature_maps (ckpt, layer, probe, zoom, &error)
               : an_render_filters (ckpt, layer, zoom, &error);
  if (!grid || !an_image_save_png (grid, out, &error))
    return an_cli_fail (error);
  printf ("%s: %dx%d\n", out, grid->width, grid->height);
  return 0;
}

static const AnCliOption filters_options[] = {
  CHECKPOINT_OPTION,
  { "layer", 0, AN_CLI_TEXT, "NAME", .def_text = "conv1",
    .help = "the layer: a convolution's filters, or with --image any layer's output" },
  { "image", 0, AN_CLI_TEXT, "FILE", .help = "draw the layer's output for this image (its "
    "feature maps) instead of its filters" },
  { "zoom", 0, AN_CLI_INT, "Z", 1, 64, 4, .help = "pixels per weight or activation" },
  { "output", 'o', AN_CLI_TEXT, "FILE", .help = "the PNG file to write" },
  { NULL },
};

const AnCliCommand an_cli_filters = {
  .name = "filters",
  .summary = "a checkpoint's filters (each normalised to its own range, towers apart), or a "
             "layer's feature maps for an image, as a PNG",
  .options = filters_options,
  .run = run_filters,
};
