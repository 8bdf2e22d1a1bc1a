/* an-config.c: the run configuration (an-config.h): defaults, validation, "key=value" text,
 * setting fields by name, and the named recipes.
 * One table describes every field (key, type, offset, allowed range, section, whether it changes
 * live), so set, validate, to_string and from_string cannot disagree about a key; the header
 * shares it with the front ends. Doubles are written with the fewest
 * digits that read back to the same bits, so the text round-trips exactly.
 */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "an-config.h"
#include "an-device.h"
#include "an-error.h"
#include "data/an-pipeline.h"

static const char *const init_names[] = { "he", "paper", "he-fc", NULL };
static const char *const lrn_names[] = { "code", "paper", NULL };
static const char *const schedule_names[] = { "constant", "step", "plateau", "paper", "cosine",
                                               NULL };
static const char *const rule_names[] = { "pytorch", "paper", NULL };
static const char *const normalize_names[] = { "half", "mean-std", NULL };

/* enums and gboolean are stored through int pointers */
G_STATIC_ASSERT (sizeof (AnInit) == sizeof (int));
G_STATIC_ASSERT (sizeof (AnLrnConvention) == sizeof (int));
G_STATIC_ASSERT (sizeof (AnScheduleKind) == sizeof (int));
G_STATIC_ASSERT (sizeof (AnNormalize) == sizeof (int));
G_STATIC_ASSERT (sizeof (AnSgdRule) == sizeof (int));

#define OFF(field) offsetof (AnRunConfig, field)
/* The section, whether a running trainer takes the field (an_trainer_set_hyperparameter) and
 * the line of help; the last arguments may name the command line's spelling (.option) and a
 * string's placeholder (.arg). */
#define FIELD(field, type, section, live)                                                     \
  #field, AN_CONFIG_##type, AN_CONFIG_SECTION_##section, live, OFF (field)
#define STR(field, section, rule, help, ...)                                                  \
  { FIELD (field, STRING, section, FALSE), .string_rule = rule, .summary = help, __VA_ARGS__ }
#define INT(field, section, lo, hi, live, help, ...)                                          \
  { FIELD (field, INT, section, live), lo, hi, .summary = help, __VA_ARGS__ }
#define DBL(field, section, lo, hi, lo_open, hi_open, live, help, ...)                        \
  { FIELD (field, DOUBLE, section, live), lo, hi, lo_open, hi_open, .summary = help, __VA_ARGS__ }
#define BOOL(field, section, help, ...)                                                       \
  { FIELD (field, BOOLEAN, section, FALSE), .summary = help, __VA_ARGS__ }
#define ENUM(field, section, list, help)                                                      \
  { FIELD (field, ENUM, section, FALSE), .names = list, .summary = help }

/* The fixed order of to_string: the order of the struct. */
static const AnConfigField fields[] = {
  STR (model, MODEL, AN_CONFIG_STRING_REQUIRED,
       "the model: a built-in preset (alexnet-tiny, alexnet-cifar, alexnet-tv, alexnet-2012), "
       "a user preset's name or a preset file", .arg = "NAME"),
  STR (data, DATA, AN_CONFIG_STRING_REQUIRED,
       "the dataset: fashion-mnist[:DIR], mnist:DIR, cifar10:DIR, cifar100:DIR, "
       "cifar100-coarse:DIR, folder:DIR (one sub-folder per class) or packed:FILE (alexnet pack)",
       .arg = "SPEC"),
  INT (train_size, DATA, 0, G_MAXINT, FALSE,
       "training images; 0 = every image left after the validation split"),
  INT (val_size, DATA, 0, G_MAXINT, FALSE,
       "training images held out for validation; 0 = the validation share of them"),
  DBL (val_fraction, DATA, 0, 0.9, FALSE, FALSE, FALSE,
       "the share of the training images held out for validation when val-size is 0"),
  INT (test_size, DATA, 0, G_MAXINT, FALSE,
       "test images evaluated when training ends; 0 = the whole test set"),
  { FIELD (seed, UINT64, REPRODUCIBILITY, FALSE),
    .summary = "the seed of every random choice: weights, dropout, shuffles, augmentation" },
  INT (epochs, OPTIMIZER, 1, 100000, FALSE,
       "passes over the training images (with --resume: up to this many in all)"),
  INT (batch, OPTIMIZER, 1, 65536, FALSE, "images per training step"),
  ENUM (rule, OPTIMIZER, rule_names,
        "the momentum update: as torch.optim.SGD (pytorch) or as the 2012 paper (paper)"),
  DBL (lr, OPTIMIZER, 0, 10, TRUE, FALSE, TRUE, "the learning rate"),
  DBL (momentum, OPTIMIZER, 0, 1, FALSE, TRUE, TRUE, "the momentum of SGD"),
  DBL (weight_decay, OPTIMIZER, 0, 1, FALSE, TRUE, TRUE, "the L2 penalty on the weights"),
  DBL (dropout, OPTIMIZER, 0, 1, FALSE, TRUE, TRUE,
       "the probability of dropping a unit after fc6 and fc7"),
  ENUM (schedule, SCHEDULE, schedule_names,
        "the learning-rate schedule: constant; step (times gamma every step-size epochs); "
        "plateau (times factor when the validation loss stalls); paper (divided by 10 when the "
        "validation error stalls); cosine (down to min-lr at the last epoch)"),
  INT (step_size, SCHEDULE, 1, 100000, FALSE, "epochs between two decays of the step schedule"),
  DBL (step_gamma, SCHEDULE, 0, 1, TRUE, FALSE, FALSE,
       "the factor of each decay of the step schedule", .option = "gamma"),
  DBL (plateau_factor, SCHEDULE, 0, 1, TRUE, TRUE, FALSE,
       "the factor of each decay of the plateau schedule", .option = "factor"),
  INT (plateau_patience, SCHEDULE, 0, 100000, FALSE,
       "epochs without improvement before the plateau schedule decays"),
  DBL (plateau_threshold, SCHEDULE, 0, 1, FALSE, TRUE, FALSE,
       "the relative decrease of the validation loss that counts as an improvement for the "
       "plateau schedule"),
  INT (plateau_cooldown, SCHEDULE, 0, 100000, FALSE,
       "epochs after a decay of the plateau schedule before it counts again"),
  DBL (min_lr, SCHEDULE, 0, 10, FALSE, FALSE, FALSE, "the lowest rate of every schedule"),
  BOOL (early_stopping, EARLY_STOPPING, "stop when the validation loss stops improving"),
  INT (patience, EARLY_STOPPING, 1, 100000, TRUE,
       "epochs without improvement before early stopping ends the run"),
  DBL (delta, EARLY_STOPPING, 0, HUGE_VAL, FALSE, TRUE, FALSE,
       "the smallest decrease of the validation loss that counts as an improvement"),
  ENUM (init, MODEL, init_names,
        "the initial weights: he (He), paper (N(0, 0.01^2), biases 1 as the paper), he-fc (the "
        "paper's for convolutions, He for fully connected layers)"),
  ENUM (lrn, MODEL, lrn_names,
        "the LRN convention: code (alpha divided by the size, as Caffe and PyTorch) or paper "
        "(alpha as printed)"),
  ENUM (normalize, DATA, normalize_names,
        "the input normalisation: half ((x - 0.5) / 0.5) or mean-std (the training set's, per "
        "channel)"),
  BOOL (augment_flip, AUGMENTATION, "flip training images horizontally at random",
        .option = "flip"),
  BOOL (augment_crop, AUGMENTATION,
        "crop training images at random from the padded image (the pad-crop pipeline; paper "
        "and torchvision always crop)", .option = "crop"),
  BOOL (augment_pca, AUGMENTATION,
        "shift colours along the principal components of the RGB values (the paper's colour "
        "jitter)", .option = "pca"),
  DBL (pca_std, AUGMENTATION, 0, 10, FALSE, FALSE, FALSE,
       "the standard deviation of the colour jitter"),
  ENUM (pipeline, AUGMENTATION, an_pipeline_names,
        "how images become inputs: pad-crop (resized to the input, random crops of it padded "
        "by 4), paper (shorter side to 256, centre 256x256, random input-size crops), "
        "torchvision (RandomResizedCrop; Resize(256) + CenterCrop to evaluate) or auto (paper "
        "for large models on image folders, pad-crop otherwise)"),
  STR (device, DEVICE, AN_CONFIG_STRING_DEVICE,
       "where to train: cpu, auto (a GPU when there is one), cuda (GPU 0), cuda:N, or "
       "cuda:N,M (one GPU per tower)", .arg = "DEVICE"),
  INT (towers, DEVICE, 1, 2, FALSE,
       "two-tower presets: 1 runs them as one, 2 splits them over two devices as the paper"),
  INT (threads, DEVICE, 0, 4096, FALSE, "CPU threads; 0 = every core"),
  INT (workers, DEVICE, 0, 4096, FALSE,
       "threads decoding and augmenting the images of the next batches; 0 = every core"),
  STR (checkpoint_dir, OUTPUT, AN_CONFIG_STRING_OPTIONAL,
       "the folder of the checkpoint and, unless metrics is set, of the metrics file",
       .arg = "DIR"),
  STR (metrics_path, OUTPUT, AN_CONFIG_STRING_OPTIONAL,
       "the metrics CSV file",
       .option = "metrics", .arg = "FILE"),
};

#define FIELD_PTR(cfg, spec, type) ((type *) (((char *) (cfg)) + (spec)->offset))
#define FIELD_CPTR(cfg, spec, type) ((const type *) (((const char *) (cfg)) + (spec)->offset))

static const AnConfigField *
find_field (const char *key)
{
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (strcmp (fields[i].key, key) == 0)
      return &fields[i];
  return NULL;
}

/* The shortest "%.Ng" that reads back to the same double, without an exponent for numbers
 * people write without one (10, not 1e+01). */
static char *
format_double (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  gboolean plain = fabs (v) >= 1e-4 && fabs (v) < 1e15;
  for (int digits = 1; digits <= 17; digits++)
    {
      char fmt[8];
      g_snprintf (fmt, sizeof fmt, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, fmt, v);
      gboolean exact = g_ascii_strtod (buf, NULL) == v || !isfinite (v);
      if (exact && !(plain && strchr (buf, 'e') != NULL))
        break;
    }
  return g_strdup (buf);
}

static char *
format_range (const AnConfigField *spec)
{
  g_autofree char *lo = format_double (spec->lo);
  g_autofree char *hi = isinf (spec->hi) ? g_strdup ("inf") : format_double (spec->hi);
  return g_strdup_printf ("%c%s, %s%c", spec->lo_open ? '(' : '[', lo, hi,
                          spec->hi_open ? ')' : ']');
}

static gboolean
in_range (const AnConfigField *spec, double v)
{
  /* written so that NaN fails every comparison */
  gboolean lo_ok = spec->lo_open ? v > spec->lo : v >= spec->lo;
  gboolean hi_ok = spec->hi_open ? v < spec->hi : v <= spec->hi;
  return lo_ok && hi_ok;
}

static gboolean
check_range (const AnConfigField *spec, double v, const char *shown, GError **error)
{
  if (in_range (spec, v))
    return TRUE;
  g_autofree char *range = format_range (spec);
  g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT, "%s: %s is out of range %s",
               spec->key, shown, range);
  return FALSE;
}

static gboolean
check_string (const AnConfigField *spec, const char *s, GError **error)
{
  if (s != NULL && strpbrk (s, "\r\n") != NULL)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
                   "%s: a line break is not allowed in the value", spec->key);
      return FALSE;
    }
  switch (spec->string_rule)
    {
    case AN_CONFIG_STRING_REQUIRED:
      if (s == NULL || *s == '\0')
        {
          g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT, "%s: must not be empty",
                       spec->key);
          return FALSE;
        }
      return TRUE;
    case AN_CONFIG_STRING_OPTIONAL:
      return TRUE;
    case AN_CONFIG_STRING_DEVICE:
      {
        g_autoptr (GError) local = NULL;

        if (an_device_parse (s, NULL, &local))
          return TRUE;
        g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT, "%s: %s", spec->key,
                     local->message);
        return FALSE;
      }
    }
  g_assert_not_reached ();
}

/* Checks the value a field holds now. */
static gboolean
validate_field (const AnRunConfig *cfg, const AnConfigField *spec, GError **error)
{
  switch (spec->type)
    {
    case AN_CONFIG_STRING:
      return check_string (spec, *FIELD_CPTR (cfg, spec, char *), error);
    case AN_CONFIG_INT:
      {
        int v = *FIELD_CPTR (cfg, spec, int);
        g_autofree char *shown = g_strdup_printf ("%d", v);
        return check_range (spec, v, shown, error);
      }
    case AN_CONFIG_DOUBLE:
      {
        double v = *FIELD_CPTR (cfg, spec, double);
        g_autofree char *shown = format_double (v);
        return check_range (spec, v, shown, error);
      }
    case AN_CONFIG_ENUM:
      {
        int v = *FIELD_CPTR (cfg, spec, int);
        if (v < 0 || v >= (int) g_strv_length ((char **) spec->names))
          {
            g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT, "%s: %d is not a valid value",
                         spec->key, v);
            return FALSE;
          }
        return TRUE;
      }
    case AN_CONFIG_UINT64:
    case AN_CONFIG_BOOLEAN:
      return TRUE;
    }
  g_assert_not_reached ();
}

static gboolean
parse_boolean (const char *s, gboolean *out)
{
  static const char *const yes[] = { "true", "yes", "1" };
  static const char *const no[] = { "false", "no", "0" };
  for (gsize i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (g_ascii_strcasecmp (s, yes[i]) == 0 || g_ascii_strcasecmp (s, no[i]) == 0)
        {
          *out = g_ascii_strcasecmp (s, yes[i]) == 0;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
set_field (AnRunConfig *cfg, const AnConfigField *spec, const char *value, GError **error)
{
  switch (spec->type)
    {
    case AN_CONFIG_STRING:
      {
        const char *v =
          (spec->string_rule == AN_CONFIG_STRING_OPTIONAL && *value == '\0') ? NULL : value;
        if (!check_string (spec, v, error))
          return FALSE;
        char **slot = FIELD_PTR (cfg, spec, char *);
        g_free (*slot);
        *slot = g_strdup (v);
        return TRUE;
      }
    case AN_CONFIG_INT:
      {
        char *end = NULL;
        gint64 v = g_ascii_strtoll (value, &end, 10);
        if (*value == '\0' || end == NULL || *end != '\0')
          {
            g_set_error (error, AN_ERROR, AN_ERROR_PARSE, "%s: “%s” is not an integer", spec->key,
                         value);
            return FALSE;
          }
        if (!check_range (spec, (double) v, value, error))
          return FALSE;
        *FIELD_PTR (cfg, spec, int) = (int) v;
        return TRUE;
      }
    case AN_CONFIG_UINT64:
      {
        guint64 v;
        g_autoptr (GError) local = NULL;
        if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &v, &local))
          {
            g_set_error (error, AN_ERROR, AN_ERROR_PARSE,
                         "%s: “%s” is not an integer in [0, 18446744073709551615]", spec->key,
                         value);
            return FALSE;
          }
        *FIELD_PTR (cfg, spec, guint64) = v;
        return TRUE;
      }
    case AN_CONFIG_DOUBLE:
      {
        char *end = NULL;
        double v = g_ascii_strtod (value, &end);
        if (*value == '\0' || end == NULL || *end != '\0')
          {
            g_set_error (error, AN_ERROR, AN_ERROR_PARSE, "%s: “%s” is not a number", spec->key,
                         value);
            return FALSE;
          }
        if (!check_range (spec, v, value, error))
          return FALSE;
        *FIELD_PTR (cfg, spec, double) = v;
        return TRUE;
      }
    case AN_CONFIG_BOOLEAN:
      {
        gboolean v;
        if (!parse_boolean (value, &v))
          {
            g_set_error (error, AN_ERROR, AN_ERROR_PARSE,
                         "%s: “%s” is not one of true, false, yes, no, 1, 0", spec->key, value);
            return FALSE;
          }
        *FIELD_PTR (cfg, spec, gboolean) = v;
        return TRUE;
      }
    case AN_CONFIG_ENUM:
      for (int i = 0; spec->names[i] != NULL; i++)
        if (strcmp (spec->names[i], value) == 0)
          {
            *FIELD_PTR (cfg, spec, int) = i;
            return TRUE;
          }
      {
        g_autofree char *choices = g_strjoinv (", ", (char **) spec->names);
        g_set_error (error, AN_ERROR, AN_ERROR_PARSE, "%s: “%s” is not one of %s", spec->key,
                     value, choices);
        return FALSE;
      }
    }
  g_assert_not_reached ();
}

static char *
field_to_string (const AnRunConfig *cfg, const AnConfigField *spec)
{
  switch (spec->type)
    {
    case AN_CONFIG_STRING:
      {
        const char *s = *FIELD_CPTR (cfg, spec, char *);
        return g_strdup (s ? s : "");
      }
    case AN_CONFIG_INT:
      return g_strdup_printf ("%d", *FIELD_CPTR (cfg, spec, int));
    case AN_CONFIG_UINT64:
      return g_strdup_printf ("%" G_GUINT64_FORMAT, *FIELD_CPTR (cfg, spec, guint64));
    case AN_CONFIG_DOUBLE:
      return format_double (*FIELD_CPTR (cfg, spec, double));
    case AN_CONFIG_BOOLEAN:
      return g_strdup (*FIELD_CPTR (cfg, spec, gboolean) ? "true" : "false");
    case AN_CONFIG_ENUM:
      return g_strdup (spec->names[*FIELD_CPTR (cfg, spec, int)]);
    }
  g_assert_not_reached ();
}

/* Everything but the "what", "where" and "output" groups: what a recipe decides. */
static void
reset_training_fields (AnRunConfig *cfg)
{
  AnRunConfig defaults;
  an_run_config_init (&defaults);
  cfg->epochs = defaults.epochs;
  cfg->batch = defaults.batch;
  cfg->rule = defaults.rule;
  cfg->lr = defaults.lr;
  cfg->momentum = defaults.momentum;
  cfg->weight_decay = defaults.weight_decay;
  cfg->dropout = defaults.dropout;
  cfg->schedule = defaults.schedule;
  cfg->step_size = defaults.step_size;
  cfg->step_gamma = defaults.step_gamma;
  cfg->plateau_factor = defaults.plateau_factor;
  cfg->plateau_patience = defaults.plateau_patience;
  cfg->plateau_threshold = defaults.plateau_threshold;
  cfg->plateau_cooldown = defaults.plateau_cooldown;
  cfg->min_lr = defaults.min_lr;
  cfg->early_stopping = defaults.early_stopping;
  cfg->patience = defaults.patience;
  cfg->delta = defaults.delta;
  cfg->init = defaults.init;
  cfg->lrn = defaults.lrn;
  cfg->normalize = defaults.normalize;
  cfg->augment_flip = defaults.augment_flip;
  cfg->augment_crop = defaults.augment_crop;
  cfg->augment_pca = defaults.augment_pca;
  cfg->pca_std = defaults.pca_std;
  cfg->pipeline = defaults.pipeline;
  an_run_config_clear (&defaults);
}

void
an_run_config_init (AnRunConfig *cfg)
{
  *cfg = (AnRunConfig) {
    .model = g_strdup ("alexnet-tiny"),
    .data = g_strdup ("fashion-mnist"),
    .train_size = 0,
    .val_size = 0,
    .val_fraction = 0.2,
    .test_size = 0,
    .seed = 42,
    .epochs = 15,
    .batch = 128,
    .rule = AN_SGD_RULE_PYTORCH,
    .lr = 0.01,
    .momentum = 0.9,
    .weight_decay = 5e-4,
    .dropout = 0.25,
    .schedule = AN_SCHEDULE_COSINE,
    .step_size = 30,
    .step_gamma = 0.1,
    .plateau_factor = 0.5,
    .plateau_patience = 3,
    .plateau_threshold = 1e-4,
    .plateau_cooldown = 0,
    .min_lr = 1e-6,
    .early_stopping = TRUE,
    .patience = 7,
    .delta = 0.0,
    .init = AN_INIT_HE,
    .lrn = AN_LRN_CODE,
    .normalize = AN_NORMALIZE_HALF,
    .augment_flip = TRUE,
    .augment_crop = FALSE,
    .augment_pca = FALSE,
    .pca_std = 0.1,
    .pipeline = AN_PIPELINE_AUTO,
    .device = g_strdup ("cpu"),
    .towers = 1,
    .threads = 0,
    .workers = 0,
    .checkpoint_dir = NULL,
    .metrics_path = NULL,
  };
}

void
an_run_config_clear (AnRunConfig *cfg)
{
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (fields[i].type == AN_CONFIG_STRING)
      g_clear_pointer (FIELD_PTR (cfg, &fields[i], char *), g_free);
}

/* dst must hold a configuration or be zeroed: its strings are freed first. */
void
an_run_config_copy (AnRunConfig *dst, const AnRunConfig *src)
{
  if (dst == src)
    return;
  an_run_config_clear (dst);
  *dst = *src;
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (fields[i].type == AN_CONFIG_STRING)
      {
        char **slot = FIELD_PTR (dst, &fields[i], char *);
        *slot = g_strdup (*slot);
      }
}

gboolean
an_run_config_validate (const AnRunConfig *cfg, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (!validate_field (cfg, &fields[i], error))
      return FALSE;
  return TRUE;
}

gboolean
an_run_config_set (AnRunConfig *cfg, const char *key, const char *value, GError **error)
{
  const AnConfigField *spec = find_field (key);
  if (spec == NULL)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT, "%s: unknown configuration key",
                   key);
      return FALSE;
    }
  return set_field (cfg, spec, value, error);
}

char *
an_run_config_to_string (const AnRunConfig *cfg)
{
  GString *s = g_string_new (NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *v = field_to_string (cfg, &fields[i]);
      g_string_append_printf (s, "%s=%s\n", fields[i].key, v);
    }
  return g_string_free (s, FALSE);
}

/* Keys missing from text keep their current values; cfg is changed only on success. Blank
 * lines and '#' comments are skipped. */
gboolean
an_run_config_from_string (AnRunConfig *cfg, const char *text, GError **error)
{
  AnRunConfig parsed = { 0 };
  an_run_config_copy (&parsed, cfg);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (int n = 0; lines[n] != NULL; n++)
    {
      char *line = lines[n];
      gsize len = strlen (line);
      if (len > 0 && line[len - 1] == '\r')
        line[len - 1] = '\0';
      if (*line == '\0' || *line == '#')
        continue;
      char *eq = strchr (line, '=');
      g_autoptr (GError) local = NULL;
      if (eq == NULL)
        g_set_error (&local, AN_ERROR, AN_ERROR_PARSE, "“%s” is not key=value", line);
      else
        {
          *eq = '\0';
          const AnConfigField *spec = find_field (line);
          if (spec == NULL)
            g_set_error (&local, AN_ERROR, AN_ERROR_PARSE, "%s: unknown configuration key",
                         line);
          else
            set_field (&parsed, spec, eq + 1, &local);
        }
      if (local != NULL)
        {
          g_set_error (error, AN_ERROR, AN_ERROR_PARSE, "configuration line %d: %s", n + 1,
                       local->message);
          an_run_config_clear (&parsed);
          return FALSE;
        }
    }
  an_run_config_clear (cfg);
  *cfg = parsed;
  return TRUE;
}

/* A recipe decides the training fields (length, optimizer, schedule, early stopping,
 * initialisation, LRN, normalisation, augmentation); what is trained, where, and where the
 * output goes are the user's and stay as they are. */
gboolean
an_run_config_apply_recipe (AnRunConfig *cfg, const char *recipe, GError **error)
{
  if (g_strcmp0 (recipe, "default") == 0)
    {
      reset_training_fields (cfg);
      return TRUE;
    }
  if (g_strcmp0 (recipe, "paper") == 0)
    {
      reset_training_fields (cfg);
      cfg->epochs = 90; /* the paper's "roughly 90 cycles" */
      cfg->init = AN_INIT_PAPER;
      cfg->rule = AN_SGD_RULE_PAPER;
      cfg->schedule = AN_SCHEDULE_PAPER;
      cfg->batch = 128;
      cfg->lr = 0.01;
      cfg->momentum = 0.9;
      cfg->weight_decay = 5e-4;
      cfg->dropout = 0.5;
      cfg->lrn = AN_LRN_CODE;
      /* the paper subtracts the training set's mean image: the closest we offer */
      cfg->normalize = AN_NORMALIZE_MEAN_STD;
      cfg->augment_flip = TRUE;
      cfg->augment_crop = TRUE;
      cfg->augment_pca = TRUE;
      cfg->early_stopping = FALSE;
      return TRUE;
    }
  if (g_strcmp0 (recipe, "article") == 0)
    {
      reset_training_fields (cfg);
      cfg->epochs = 50;
      cfg->batch = 64;
      cfg->rule = AN_SGD_RULE_PYTORCH;
      cfg->lr = 0.01;
      cfg->momentum = 0.9;
      cfg->dropout = 0.5;
      cfg->schedule = AN_SCHEDULE_PLATEAU;
      cfg->plateau_factor = 0.5;
      cfg->plateau_patience = 3;
      cfg->min_lr = 1e-6;
      cfg->early_stopping = TRUE;
      cfg->patience = 7;
      cfg->delta = 0.0;
      cfg->init = AN_INIT_HE_FC;
      cfg->normalize = AN_NORMALIZE_HALF;
      /* the article trains on the resized images as they are */
      cfg->augment_flip = FALSE;
      return TRUE;
    }
  g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
               "recipe: “%s” is not one of default, paper, article", recipe ? recipe : "");
  return FALSE;
}

const AnConfigField *
an_run_config_fields (guint *n_fields)
{
  g_return_val_if_fail (n_fields != NULL, NULL);
  *n_fields = G_N_ELEMENTS (fields);
  return fields;
}

const AnConfigField *
an_run_config_find_field (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return find_field (key);
}

char *
an_run_config_get (const AnRunConfig *cfg, const char *key)
{
  const AnConfigField *spec;

  g_return_val_if_fail (cfg != NULL && key != NULL, NULL);
  spec = find_field (key);
  return spec != NULL ? field_to_string (cfg, spec) : NULL;
}

char *
an_config_field_values (const AnConfigField *field)
{
  g_return_val_if_fail (field != NULL, NULL);
  switch (field->type)
    {
    case AN_CONFIG_INT:
    case AN_CONFIG_DOUBLE:
      return format_range (field);
    case AN_CONFIG_UINT64:
      return g_strdup_printf ("[0, %" G_GUINT64_FORMAT "]", G_MAXUINT64);
    case AN_CONFIG_BOOLEAN:
      return g_strdup ("true|false");
    case AN_CONFIG_ENUM:
      return g_strjoinv ("|", (char **) field->names);
    case AN_CONFIG_STRING:
      return field->string_rule == AN_CONFIG_STRING_DEVICE
               ? g_strdup ("cpu|auto|cuda|cuda:N|cuda:N,M")
               : NULL;
    }
  g_return_val_if_reached (NULL);
}

const char *
an_init_to_string (AnInit v)
{
  return (unsigned) v < G_N_ELEMENTS (init_names) - 1 ? init_names[v] : "invalid";
}

const char *
an_lrn_convention_to_string (AnLrnConvention v)
{
  return (unsigned) v < G_N_ELEMENTS (lrn_names) - 1 ? lrn_names[v] : "invalid";
}

const char *
an_schedule_to_string (AnScheduleKind v)
{
  return (unsigned) v < G_N_ELEMENTS (schedule_names) - 1 ? schedule_names[v] : "invalid";
}

const char *
an_sgd_rule_to_string (AnSgdRule v)
{
  return (unsigned) v < G_N_ELEMENTS (rule_names) - 1 ? rule_names[v] : "invalid";
}

/* The fields marked live, in table order, are the AnLiveKeys in enum order. */
static const AnConfigField *
live_field (AnLiveKey key)
{
  guint k = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (fields[i].live && k++ == (guint) key)
      return &fields[i];
  g_return_val_if_reached (NULL);
}

const char *
an_live_key_name (AnLiveKey key)
{
  g_return_val_if_fail ((guint) key < AN_LIVE_COUNT, NULL);
  return live_field (key)->key;
}

gboolean
an_live_key_from_name (const char *name, AnLiveKey *key, GError **error)
{
  g_autoptr (GString) known = g_string_new (NULL);

  for (int k = 0; k < AN_LIVE_COUNT; k++)
    {
      const char *live = live_field (k)->key;

      if (g_strcmp0 (name, live) == 0)
        {
          *key = k;
          return TRUE;
        }
      g_string_append_printf (known, "%s%s", k ? ", " : "", live);
    }
  g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT,
               "“%s” cannot be changed during a run (%s can)", name ? name : "(null)",
               known->str);
  return FALSE;
}

double
an_run_config_get_live (const AnRunConfig *cfg, AnLiveKey key)
{
  g_return_val_if_fail ((guint) key < AN_LIVE_COUNT, NAN);
  const AnConfigField *spec = live_field (key);
  return spec->type == AN_CONFIG_INT ? *FIELD_CPTR (cfg, spec, int)
                                 : *FIELD_CPTR (cfg, spec, double);
}

gboolean
an_live_check (AnLiveKey key, double value, GError **error)
{
  g_return_val_if_fail ((guint) key < AN_LIVE_COUNT, FALSE);
  const AnConfigField *spec = live_field (key);
  g_autofree char *shown = format_double (value);

  if (spec->type == AN_CONFIG_INT && value != floor (value))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT, "%s: %s is not a whole number",
                   spec->key, shown);
      return FALSE;
    }
  return check_range (spec, value, shown, error);
}

void
an_run_config_set_live (AnRunConfig *cfg, AnLiveKey key, double value)
{
  g_return_if_fail ((guint) key < AN_LIVE_COUNT);
  const AnConfigField *spec = live_field (key);

  if (spec->type == AN_CONFIG_INT)
    *FIELD_PTR (cfg, spec, int) = (int) value;
  else
    *FIELD_PTR (cfg, spec, double) = value;
}
