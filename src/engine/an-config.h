/* an-config.h: the run configuration, the one home of every hyperparameter (contract 9).
 *
 * Validated in one place (an_run_config_validate), saved inside every checkpoint and at the
 * head of the metrics file as "key=value" lines (an_run_config_to_string), shown in the UI and
 * set by name from the command line (an_run_config_set). Defaults train out of the box
 * (He initialisation); the paper's settings are offered by name (an_run_config_apply_recipe).
 */
#pragma once

#include <glib.h>

#include "ops/an-desc.h"

G_BEGIN_DECLS

typedef enum {
  AN_INIT_HE = 0,     /* N(0, 2/fan_in) for every conv and fc layer, biases 0 (default) */
  AN_INIT_PAPER = 1,  /* N(0, 0.01^2), biases 1 in conv2, conv4, conv5, fc6, fc7 */
  AN_INIT_HE_FC = 2,  /* the paper's for conv layers, He for fc layers (the teaching article) */
} AnInit;

typedef enum {
  AN_LRN_CODE = 0,  /* cuda-convnet2 / Caffe / PyTorch: alpha divided by size (default) */
  AN_LRN_PAPER = 1, /* the paper's text: alpha as printed */
} AnLrnConvention;

typedef enum {
  AN_SCHEDULE_CONSTANT = 0,
  AN_SCHEDULE_STEP = 1,    /* lr *= gamma every step_size epochs */
  AN_SCHEDULE_PLATEAU = 2, /* PyTorch ReduceLROnPlateau on the validation loss */
  AN_SCHEDULE_PAPER = 3,   /* divide by 10 when validation error stops improving */
  AN_SCHEDULE_COSINE = 4,  /* PyTorch CosineAnnealingLR over the run's epochs (default) */
} AnScheduleKind;

typedef enum {
  AN_NORMALIZE_HALF = 0,     /* (x - 0.5) / 0.5, the teaching article's (default) */
  AN_NORMALIZE_MEAN_STD = 1, /* per-channel mean/std of the training set */
} AnNormalize;

typedef struct {
  /* what */
  char *model;       /* preset name (alexnet-tiny...) or path to a preset file */
  char *data;        /* dataset spec: fashion-mnist[:DIR], mnist:DIR, cifar10:DIR, ... */
  int train_size;    /* 0 = every training image (after the validation split) */
  int val_size;      /* 0 = val_fraction of the training images */
  double val_fraction;
  int test_size;     /* 0 = whole test set */
  guint64 seed;

  /* how long */
  int epochs;
  int batch;

  /* optimizer (live: lr, momentum, weight_decay) */
  AnSgdRule rule;
  double lr, momentum, weight_decay;
  double dropout; /* live */

  /* schedule */
  AnScheduleKind schedule;
  int step_size;
  double step_gamma;
  double plateau_factor;
  int plateau_patience;
  double plateau_threshold; /* relative, mode min, as PyTorch's defaults */
  int plateau_cooldown;
  double min_lr;

  /* early stopping on the validation loss (live: patience) */
  gboolean early_stopping;
  int patience;
  double delta;

  /* model details */
  AnInit init;
  AnLrnConvention lrn;

  /* data */
  AnNormalize normalize;
  gboolean augment_flip;
  gboolean augment_crop; /* random crops of the padded image; 10-crop available at eval */
  gboolean augment_pca;  /* "fancy PCA" colour jitter */
  double pca_std;
  int pipeline;          /* AnPipeline (data/an-pipeline.h): the crops' geometry by name */

  /* where */
  char *device; /* "cpu", "auto", "cuda", "cuda:N", "cuda:0,1" */
  int towers;   /* 1 or 2 (two-tower presets only) */
  int threads;  /* CPU threads, 0 = all cores */
  int workers;  /* threads decoding and augmenting images, 0 = all cores */

  /* output */
  char *checkpoint_dir; /* NULL = no checkpoints */
  char *metrics_path;   /* NULL = checkpoint_dir/metrics.csv when checkpoint_dir is set */
} AnRunConfig;

void an_run_config_init (AnRunConfig *cfg);   /* the defaults */
void an_run_config_clear (AnRunConfig *cfg);  /* frees the strings */
void an_run_config_copy (AnRunConfig *dst, const AnRunConfig *src);
/* Checks every field; the message names the key and the value at fault. */
gboolean an_run_config_validate (const AnRunConfig *cfg, GError **error);
/* Sets one field by its key ("lr", "schedule", "init"...), parsing and range-checking value. */
gboolean an_run_config_set (AnRunConfig *cfg, const char *key, const char *value, GError **error);
/* "key=value\n" lines of every field, in a fixed order; parse gives the error line. */
char *an_run_config_to_string (const AnRunConfig *cfg);
gboolean an_run_config_from_string (AnRunConfig *cfg, const char *text, GError **error);
/* Named recipes: "default" (He, works at once), "paper" (2012 settings: paper init, paper SGD
 * rule, paper LR schedule, batch 128, wd 5e-4), "article" (teaching article: batch 64, plateau
 * 0.5/3, early stopping 7). */
gboolean an_run_config_apply_recipe (AnRunConfig *cfg, const char *recipe, GError **error);

/* The field table: one entry per AnRunConfig field, in the order of an_run_config_to_string.
 * The command line, the settings check and the window's rows are built from it. */
typedef enum {
  AN_CONFIG_STRING = 0, /* char *, g_free'd */
  AN_CONFIG_INT,
  AN_CONFIG_UINT64,
  AN_CONFIG_DOUBLE,
  AN_CONFIG_BOOLEAN,    /* gboolean */
  AN_CONFIG_ENUM,       /* an int-sized enum named by `names` */
} AnConfigType;

typedef enum {
  AN_CONFIG_STRING_REQUIRED = 0, /* must not be empty */
  AN_CONFIG_STRING_OPTIONAL,     /* empty means NULL */
  AN_CONFIG_STRING_DEVICE,       /* cpu|auto|cuda|cuda:N|cuda:N,M */
} AnConfigStringRule;

/* What a field is about, in the order the window shows them. */
typedef enum {
  AN_CONFIG_SECTION_DATA = 0,    /* the dataset, its split and normalisation */
  AN_CONFIG_SECTION_DEVICE,      /* where it runs */
  AN_CONFIG_SECTION_OPTIMIZER,   /* length and SGD */
  AN_CONFIG_SECTION_SCHEDULE,    /* the learning-rate schedule */
  AN_CONFIG_SECTION_EARLY_STOPPING,
  AN_CONFIG_SECTION_MODEL,       /* the preset and its details */
  AN_CONFIG_SECTION_AUGMENTATION,
  AN_CONFIG_SECTION_REPRODUCIBILITY,
  AN_CONFIG_SECTION_OUTPUT,      /* checkpoints and metrics */
  AN_CONFIG_N_SECTIONS,
} AnConfigSection;

typedef struct {
  const char *key; /* "lr", "weight_decay": as in the text form; settings spell it "weight-decay" */
  AnConfigType type;
  AnConfigSection section;
  gboolean live;   /* a running trainer takes it (an_trainer_set_hyperparameter) */
  gsize offset;    /* of the field in AnRunConfig */
  /* numbers: the allowed interval; open ends exclude the bound */
  double lo, hi;
  gboolean lo_open, hi_open;
  const char *const *names; /* enums: names in value order, NULL-terminated */
  AnConfigStringRule string_rule;
  /* The command line: the option is the key with dashes (weight_decay: --weight-decay, also
   * the settings' key), or `option` where an established short spelling exists (--flip for
   * augment_flip; the dashed key is accepted too); `arg` names a string's value in help; the
   * summary is the line of help (English). */
  const char *option;
  const char *arg;
  const char *summary;
} AnConfigField;

const AnConfigField *an_run_config_fields (guint *n_fields);
/* NULL for an unknown key. */
const AnConfigField *an_run_config_find_field (const char *key);
/* One field as text, as an_run_config_to_string writes it; NULL for an unknown key. */
char *an_run_config_get (const AnRunConfig *cfg, const char *key);
/* The values a field takes, for help: "(0, 10]", "pytorch|paper", "true|false",
 * "cpu|auto|cuda|cuda:N|cuda:N,M"; NULL for free text (names, paths). */
char *an_config_field_values (const AnConfigField *field);

/* The hyperparameters that change during a run (contract 9): learning rate, momentum, weight
 * decay, dropout and early-stopping patience. The trainer, the metrics file, the command line
 * and the window name them with this key; their names are the configuration's own keys, and
 * they are the fields the table marks live, in the table's order. */
typedef enum {
  AN_LIVE_LR,
  AN_LIVE_MOMENTUM,
  AN_LIVE_WEIGHT_DECAY,
  AN_LIVE_DROPOUT,
  AN_LIVE_PATIENCE,
  AN_LIVE_COUNT
} AnLiveKey;

/* "lr", "momentum", "weight_decay", "dropout", "patience" */
const char *an_live_key_name (AnLiveKey key);
/* FALSE + an error naming name (and the keys that can change) for any other name. */
gboolean an_live_key_from_name (const char *name, AnLiveKey *key, GError **error);
/* The field's own range check (patience: a whole number); the message names key and value. */
gboolean an_live_check (AnLiveKey key, double value, GError **error);
double an_run_config_get_live (const AnRunConfig *cfg, AnLiveKey key);
void an_run_config_set_live (AnRunConfig *cfg, AnLiveKey key, double value);

const char *an_init_to_string (AnInit v);
const char *an_lrn_convention_to_string (AnLrnConvention v);
const char *an_schedule_to_string (AnScheduleKind v);
const char *an_sgd_rule_to_string (AnSgdRule v);

G_END_DECLS
