/* test-config.c: the run configuration: defaults, range checks and their messages, setting
 * by key, the key=value text round trip, parse errors with line numbers, recipes, the live
 * hyperparameters' keys.
 * Expected values are the ones the configuration contract and ALEXNET.md state.
 */
#define G_LOG_DOMAIN "test-config"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-config.h"
#include "an-device.h"
#include "an-error.h"
#include "data/an-pipeline.h"

/* Every key, in the order of the struct (the order to_string promises). */
static const char *const all_keys[] = {
  "model", "data", "train_size", "val_size", "val_fraction", "test_size", "seed", "epochs",
  "batch", "rule", "lr", "momentum", "weight_decay", "dropout", "schedule", "step_size",
  "step_gamma", "plateau_factor", "plateau_patience", "plateau_threshold", "plateau_cooldown",
  "min_lr", "early_stopping", "patience", "delta", "init", "lrn", "normalize", "augment_flip",
  "augment_crop", "augment_pca", "pca_std", "pipeline", "device", "towers", "threads", "workers",
  "checkpoint_dir",
  "metrics_path",
};

static void
test_defaults (void)
{
  AnRunConfig c;
  an_run_config_init (&c);
  g_assert_cmpstr (c.model, ==, "alexnet-tiny");
  g_assert_cmpstr (c.data, ==, "fashion-mnist");
  g_assert_cmpint (c.train_size, ==, 0);
  g_assert_cmpint (c.val_size, ==, 0);
  g_assert_cmpint (c.test_size, ==, 0);
  g_assert_cmpfloat (c.val_fraction, ==, 0.2);
  g_assert_cmpuint (c.seed, ==, 42);
  g_assert_cmpint (c.epochs, ==, 15);
  g_assert_cmpint (c.batch, ==, 128);
  g_assert_cmpint (c.rule, ==, AN_SGD_RULE_PYTORCH);
  g_assert_cmpfloat (c.lr, ==, 0.01);
  g_assert_cmpfloat (c.momentum, ==, 0.9);
  g_assert_cmpfloat (c.weight_decay, ==, 5e-4);
  g_assert_cmpfloat (c.dropout, ==, 0.25);
  g_assert_cmpint (c.schedule, ==, AN_SCHEDULE_COSINE);
  g_assert_cmpfloat (c.plateau_factor, ==, 0.5);
  g_assert_cmpint (c.plateau_patience, ==, 3);
  g_assert_cmpfloat (c.plateau_threshold, ==, 1e-4);
  g_assert_cmpint (c.plateau_cooldown, ==, 0);
  g_assert_cmpfloat (c.min_lr, ==, 1e-6);
  g_assert_cmpint (c.step_size, ==, 30);
  g_assert_cmpfloat (c.step_gamma, ==, 0.1);
  g_assert_true (c.early_stopping);
  g_assert_cmpint (c.patience, ==, 7);
  g_assert_cmpfloat (c.delta, ==, 0.0);
  g_assert_cmpint (c.init, ==, AN_INIT_HE);
  g_assert_cmpint (c.lrn, ==, AN_LRN_CODE);
  g_assert_cmpint (c.normalize, ==, AN_NORMALIZE_HALF);
  g_assert_true (c.augment_flip);
  g_assert_false (c.augment_crop);
  g_assert_false (c.augment_pca);
  g_assert_cmpfloat (c.pca_std, ==, 0.1);
  g_assert_cmpint (c.pipeline, ==, AN_PIPELINE_AUTO);
  g_assert_cmpstr (c.device, ==, "cpu");
  g_assert_cmpint (c.towers, ==, 1);
  g_assert_cmpint (c.threads, ==, 0);
  g_assert_null (c.checkpoint_dir);
  g_assert_null (c.metrics_path);

  g_autoptr (GError) error = NULL;
  g_assert_true (an_run_config_validate (&c, &error));
  g_assert_no_error (error);
  an_run_config_clear (&c);
}

/* set() must refuse the value with exactly this message, and leave the field alone. */
static void
assert_set_fails (const char *key, const char *value, int code, const char *message)
{
  AnRunConfig c;
  an_run_config_init (&c);
  g_autofree char *before = an_run_config_to_string (&c);
  g_autoptr (GError) error = NULL;
  g_assert_false (an_run_config_set (&c, key, value, &error));
  g_assert_error (error, AN_ERROR, code);
  if (message != NULL)
    g_assert_cmpstr (error->message, ==, message);
  else
    g_assert_true (strstr (error->message, key) != NULL);
  g_autofree char *after = an_run_config_to_string (&c);
  g_assert_cmpstr (before, ==, after);
  an_run_config_clear (&c);
}

static void
test_set_rejects (void)
{
  assert_set_fails ("lr", "0", AN_ERROR_INVALID_ARGUMENT, "lr: 0 is out of range (0, 10]");
  assert_set_fails ("lr", "10.5", AN_ERROR_INVALID_ARGUMENT,
                    "lr: 10.5 is out of range (0, 10]");
  assert_set_fails ("lr", "nan", AN_ERROR_INVALID_ARGUMENT, "lr: nan is out of range (0, 10]");
  assert_set_fails ("lr", "abc", AN_ERROR_PARSE, "lr: “abc” is not a number");
  assert_set_fails ("lr", "", AN_ERROR_PARSE, NULL);
  assert_set_fails ("lr", "0.1x", AN_ERROR_PARSE, NULL);
  assert_set_fails ("momentum", "1", AN_ERROR_INVALID_ARGUMENT,
                    "momentum: 1 is out of range [0, 1)");
  assert_set_fails ("momentum", "-0.1", AN_ERROR_INVALID_ARGUMENT, NULL);
  assert_set_fails ("weight_decay", "1", AN_ERROR_INVALID_ARGUMENT, NULL);
  assert_set_fails ("dropout", "1", AN_ERROR_INVALID_ARGUMENT,
                    "dropout: 1 is out of range [0, 1)");
  assert_set_fails ("batch", "0", AN_ERROR_INVALID_ARGUMENT,
                    "batch: 0 is out of range [1, 65536]");
  assert_set_fails ("batch", "65537", AN_ERROR_INVALID_ARGUMENT, NULL);
  assert_set_fails ("batch", "12.5", AN_ERROR_PARSE, "batch: “12.5” is not an integer");
  assert_set_fails ("batch", "99999999999999999999", AN_ERROR_INVALID_ARGUMENT, NULL);
  assert_set_fails ("epochs", "0", AN_ERROR_INVALID_ARGUMENT,
                    "epochs: 0 is out of range [1, 100000]");
  assert_set_fails ("epochs", "100001", AN_ERROR_INVALID_ARGUMENT, NULL);
  assert_set_fails ("towers", "3", AN_ERROR_INVALID_ARGUMENT, "towers: 3 is out of range [1, 2]");
  assert_set_fails ("patience", "0", AN_ERROR_INVALID_ARGUMENT, NULL);
  assert_set_fails ("plateau_factor", "1", AN_ERROR_INVALID_ARGUMENT,
                    "plateau_factor: 1 is out of range (0, 1)");
  assert_set_fails ("plateau_factor", "0", AN_ERROR_INVALID_ARGUMENT, NULL);
  assert_set_fails ("val_fraction", "0.95", AN_ERROR_INVALID_ARGUMENT,
                    "val_fraction: 0.95 is out of range [0, 0.9]");
  assert_set_fails ("train_size", "-1", AN_ERROR_INVALID_ARGUMENT, NULL);
  assert_set_fails ("val_size", "-5", AN_ERROR_INVALID_ARGUMENT, NULL);
  assert_set_fails ("test_size", "-1", AN_ERROR_INVALID_ARGUMENT, NULL);
  assert_set_fails ("seed", "-1", AN_ERROR_PARSE, NULL);
  assert_set_fails ("delta", "inf", AN_ERROR_INVALID_ARGUMENT, "delta: inf is out of range [0, inf)");
  assert_set_fails ("init", "xavier", AN_ERROR_PARSE,
                    "init: “xavier” is not one of he, paper, he-fc");
  assert_set_fails ("lrn", "darknet", AN_ERROR_PARSE, NULL);
  assert_set_fails ("schedule", "linear", AN_ERROR_PARSE,
                    "schedule: “linear” is not one of constant, step, plateau, paper, cosine");
  assert_set_fails ("rule", "adam", AN_ERROR_PARSE, NULL);
  assert_set_fails ("normalize", "none", AN_ERROR_PARSE, NULL);
  assert_set_fails ("pipeline", "dali", AN_ERROR_PARSE,
                    "pipeline: “dali” is not one of auto, pad-crop, paper, torchvision");
  assert_set_fails ("early_stopping", "maybe", AN_ERROR_PARSE,
                    "early_stopping: “maybe” is not one of true, false, yes, no, 1, 0");
  assert_set_fails ("model", "", AN_ERROR_INVALID_ARGUMENT, "model: must not be empty");
  assert_set_fails ("model", "a\nb", AN_ERROR_INVALID_ARGUMENT, NULL);
  assert_set_fails ("no_such_key", "1", AN_ERROR_INVALID_ARGUMENT,
                    "no_such_key: unknown configuration key");

  static const char *const bad_devices[] = { "gpu", "cuda:", "cuda:x", "cuda:0,", "cuda:0,1,2",
                                             "cuda:-1", "CPU", "cuda0", "" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad_devices); i++)
    assert_set_fails ("device", bad_devices[i], AN_ERROR_INVALID_ARGUMENT, NULL);
}

static void
test_set_accepts (void)
{
  AnRunConfig c;
  an_run_config_init (&c);
  g_autoptr (GError) error = NULL;

  static const char *const good_devices[] = { "cpu", "auto", "cuda", "cuda:0", "cuda:12",
                                              "cuda:0,1", "cuda:1,0" };
  for (gsize i = 0; i < G_N_ELEMENTS (good_devices); i++)
    {
      g_assert_true (an_run_config_set (&c, "device", good_devices[i], &error));
      g_assert_no_error (error);
      g_assert_cmpstr (c.device, ==, good_devices[i]);
    }

  struct { const char *text; gboolean value; } bools[] = {
    { "true", TRUE }, { "false", FALSE }, { "yes", TRUE }, { "no", FALSE }, { "1", TRUE },
    { "0", FALSE }, { "TRUE", TRUE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bools); i++)
    {
      g_assert_true (an_run_config_set (&c, "augment_crop", bools[i].text, &error));
      g_assert_cmpint (c.augment_crop, ==, bools[i].value);
    }

  g_assert_true (an_run_config_set (&c, "init", "he-fc", &error));
  g_assert_cmpint (c.init, ==, AN_INIT_HE_FC);
  g_assert_true (an_run_config_set (&c, "init", "paper", &error));
  g_assert_cmpint (c.init, ==, AN_INIT_PAPER);
  g_assert_true (an_run_config_set (&c, "lrn", "paper", &error));
  g_assert_cmpint (c.lrn, ==, AN_LRN_PAPER);
  g_assert_true (an_run_config_set (&c, "schedule", "step", &error));
  g_assert_cmpint (c.schedule, ==, AN_SCHEDULE_STEP);
  g_assert_true (an_run_config_set (&c, "rule", "paper", &error));
  g_assert_cmpint (c.rule, ==, AN_SGD_RULE_PAPER);
  g_assert_true (an_run_config_set (&c, "normalize", "mean-std", &error));
  g_assert_cmpint (c.normalize, ==, AN_NORMALIZE_MEAN_STD);
  g_assert_true (an_run_config_set (&c, "lr", "10", &error));
  g_assert_cmpfloat (c.lr, ==, 10.0);
  g_assert_true (an_run_config_set (&c, "lr", "1e-7", &error));
  g_assert_cmpfloat (c.lr, ==, 1e-7);
  g_assert_true (an_run_config_set (&c, "seed", "18446744073709551615", &error));
  g_assert_cmpuint (c.seed, ==, G_MAXUINT64);
  g_assert_true (an_run_config_set (&c, "checkpoint_dir", "runs/a", &error));
  g_assert_cmpstr (c.checkpoint_dir, ==, "runs/a");
  g_assert_true (an_run_config_set (&c, "checkpoint_dir", "", &error));
  g_assert_null (c.checkpoint_dir);
  g_assert_true (an_run_config_set (&c, "val_fraction", "0.9", &error));
  g_assert_true (an_run_config_set (&c, "momentum", "0", &error));
  g_assert_no_error (error);
  g_assert_true (an_run_config_validate (&c, &error));
  an_run_config_clear (&c);
}

static void
test_validate (void)
{
  AnRunConfig c;
  an_run_config_init (&c);
  g_autoptr (GError) error = NULL;

  c.lr = 0;
  g_assert_false (an_run_config_validate (&c, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "lr: 0 is out of range (0, 10]");
  g_clear_error (&error);
  c.lr = 0.01;

  c.batch = 70000;
  g_assert_false (an_run_config_validate (&c, &error));
  g_assert_cmpstr (error->message, ==, "batch: 70000 is out of range [1, 65536]");
  g_clear_error (&error);
  c.batch = 128;

  c.momentum = 0.1 + 0.2;
  c.weight_decay = -1e-9;
  g_assert_false (an_run_config_validate (&c, &error));
  g_assert_cmpstr (error->message, ==, "weight_decay: -1e-09 is out of range [0, 1)");
  g_clear_error (&error);
  c.weight_decay = 0;

  c.schedule = (AnScheduleKind) 7;
  g_assert_false (an_run_config_validate (&c, &error));
  g_assert_cmpstr (error->message, ==, "schedule: 7 is not a valid value");
  g_clear_error (&error);
  c.schedule = AN_SCHEDULE_STEP;

  g_free (c.device);
  c.device = g_strdup ("cuda:0,1");
  g_assert_true (an_run_config_validate (&c, &error));
  g_free (c.device);
  c.device = g_strdup ("tpu");
  g_assert_false (an_run_config_validate (&c, &error));
  g_assert_true (g_str_has_prefix (error->message, "device: “tpu”"));
  g_clear_error (&error);

  g_clear_pointer (&c.device, g_free);
  g_assert_false (an_run_config_validate (&c, &error));
  g_clear_error (&error);
  c.device = g_strdup ("cpu");

  c.towers = 0;
  g_assert_false (an_run_config_validate (&c, &error));
  g_assert_cmpstr (error->message, ==, "towers: 0 is out of range [1, 2]");
  an_run_config_clear (&c);
}

/* Every field away from its default, set through the public setter. */
static void
config_all_changed (AnRunConfig *c)
{
  static const char *const kv[][2] = {
    { "model", "alexnet-cifar" }, { "data", "cifar10:/data/cifar" }, { "train_size", "1000" },
    { "val_size", "200" }, { "val_fraction", "0.15" }, { "test_size", "300" },
    { "seed", "12345678901234567890" }, { "epochs", "33" }, { "batch", "64" },
    { "rule", "paper" }, { "lr", "0.0123" }, { "momentum", "0.95" },
    { "weight_decay", "0.0001" }, { "dropout", "0.3" }, { "schedule", "step" },
    { "step_size", "7" }, { "step_gamma", "0.3" }, { "plateau_factor", "0.25" },
    { "plateau_patience", "5" }, { "plateau_threshold", "0.001" }, { "plateau_cooldown", "2" },
    { "min_lr", "1e-05" }, { "early_stopping", "false" }, { "patience", "9" },
    { "delta", "0.001" }, { "init", "he-fc" }, { "lrn", "paper" }, { "normalize", "mean-std" },
    { "augment_flip", "false" }, { "augment_crop", "true" }, { "augment_pca", "true" },
    { "pca_std", "0.2" }, { "pipeline", "torchvision" }, { "device", "cuda:0,1" }, { "towers", "2" },
    { "threads", "3" }, { "workers", "5" },
    { "checkpoint_dir", "runs/one" }, { "metrics_path", "runs/one/m.csv" },
  };
  G_STATIC_ASSERT (G_N_ELEMENTS (kv) == G_N_ELEMENTS (all_keys));
  an_run_config_init (c);
  for (gsize i = 0; i < G_N_ELEMENTS (kv); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_true (an_run_config_set (c, kv[i][0], kv[i][1], &error));
      g_assert_no_error (error);
    }
}

static void
test_text_round_trip (void)
{
  AnRunConfig a, b;
  config_all_changed (&a);
  a.momentum = 0.1 + 0.2; /* needs 17 digits to come back bit for bit */
  a.lr = 1.0 / 3.0;

  g_autofree char *text = an_run_config_to_string (&a);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (all_keys) + 1);
  for (gsize i = 0; i < G_N_ELEMENTS (all_keys); i++)
    {
      g_autofree char *prefix = g_strconcat (all_keys[i], "=", NULL);
      g_assert_true (g_str_has_prefix (lines[i], prefix));
    }
  g_assert_cmpstr (lines[G_N_ELEMENTS (all_keys)], ==, "");
  g_assert_nonnull (strstr (text, "\nlr=0.3333333333333333\n"));
  g_assert_nonnull (strstr (text, "\nmomentum=0.30000000000000004\n"));
  g_assert_nonnull (strstr (text, "\nmin_lr=1e-05\n"));
  g_assert_nonnull (strstr (text, "\ninit=he-fc\n"));
  g_assert_nonnull (strstr (text, "\nearly_stopping=false\n"));

  an_run_config_init (&b);
  g_autoptr (GError) error = NULL;
  g_assert_true (an_run_config_from_string (&b, text, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (b.model, ==, "alexnet-cifar");
  g_assert_cmpstr (b.data, ==, "cifar10:/data/cifar");
  g_assert_cmpint (b.train_size, ==, 1000);
  g_assert_cmpint (b.val_size, ==, 200);
  g_assert_cmpfloat (b.val_fraction, ==, 0.15);
  g_assert_cmpint (b.test_size, ==, 300);
  g_assert_cmpuint (b.seed, ==, G_GUINT64_CONSTANT (12345678901234567890));
  g_assert_cmpint (b.epochs, ==, 33);
  g_assert_cmpint (b.batch, ==, 64);
  g_assert_cmpint (b.rule, ==, AN_SGD_RULE_PAPER);
  g_assert_true (b.lr == a.lr);
  g_assert_true (b.momentum == a.momentum);
  g_assert_cmpfloat (b.weight_decay, ==, 1e-4);
  g_assert_cmpfloat (b.dropout, ==, 0.3);
  g_assert_cmpint (b.schedule, ==, AN_SCHEDULE_STEP);
  g_assert_cmpint (b.step_size, ==, 7);
  g_assert_cmpfloat (b.step_gamma, ==, 0.3);
  g_assert_cmpfloat (b.plateau_factor, ==, 0.25);
  g_assert_cmpint (b.plateau_patience, ==, 5);
  g_assert_cmpfloat (b.plateau_threshold, ==, 1e-3);
  g_assert_cmpint (b.plateau_cooldown, ==, 2);
  g_assert_cmpfloat (b.min_lr, ==, 1e-5);
  g_assert_false (b.early_stopping);
  g_assert_cmpint (b.patience, ==, 9);
  g_assert_cmpfloat (b.delta, ==, 1e-3);
  g_assert_cmpint (b.init, ==, AN_INIT_HE_FC);
  g_assert_cmpint (b.lrn, ==, AN_LRN_PAPER);
  g_assert_cmpint (b.normalize, ==, AN_NORMALIZE_MEAN_STD);
  g_assert_false (b.augment_flip);
  g_assert_true (b.augment_crop);
  g_assert_true (b.augment_pca);
  g_assert_cmpfloat (b.pca_std, ==, 0.2);
  g_assert_cmpint (b.pipeline, ==, AN_PIPELINE_TORCHVISION);
  g_assert_cmpstr (b.device, ==, "cuda:0,1");
  g_assert_cmpint (b.towers, ==, 2);
  g_assert_cmpint (b.threads, ==, 3);
  g_assert_cmpstr (b.checkpoint_dir, ==, "runs/one");
  g_assert_cmpstr (b.metrics_path, ==, "runs/one/m.csv");

  g_autofree char *again = an_run_config_to_string (&b);
  g_assert_cmpstr (text, ==, again);

  /* NULL paths travel as empty values */
  g_clear_pointer (&b.checkpoint_dir, g_free);
  g_autofree char *with_null = an_run_config_to_string (&b);
  g_assert_nonnull (strstr (with_null, "\ncheckpoint_dir=\n"));
  an_run_config_clear (&a);
  an_run_config_init (&a);
  g_assert_true (an_run_config_from_string (&a, with_null, &error));
  g_assert_null (a.checkpoint_dir);

  /* copy is deep */
  AnRunConfig c = { 0 };
  an_run_config_copy (&c, &b);
  g_assert_true (c.model != b.model);
  g_autofree char *copied = an_run_config_to_string (&c);
  g_assert_cmpstr (copied, ==, with_null);

  an_run_config_clear (&a);
  an_run_config_clear (&b);
  an_run_config_clear (&c);
}

static void
assert_parse_fails (const char *text, const char *message)
{
  AnRunConfig c;
  an_run_config_init (&c);
  g_autofree char *before = an_run_config_to_string (&c);
  g_autoptr (GError) error = NULL;
  g_assert_false (an_run_config_from_string (&c, text, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==, message);
  /* nothing of the good lines before the bad one was applied */
  g_autofree char *after = an_run_config_to_string (&c);
  g_assert_cmpstr (before, ==, after);
  an_run_config_clear (&c);
}

static void
test_parse_errors (void)
{
  assert_parse_fails ("model=alexnet-tv\nbogus=1\n",
                      "configuration line 2: bogus: unknown configuration key");
  assert_parse_fails ("# comment\n\nbatch=32\nlr=0\n",
                      "configuration line 4: lr: 0 is out of range (0, 10]");
  assert_parse_fails ("epochs=12\r\nbatch=1x\r\n",
                      "configuration line 2: batch: “1x” is not an integer");
  assert_parse_fails ("lr 0.1\n", "configuration line 1: “lr 0.1” is not key=value");
  assert_parse_fails ("seed=42\nseed=43\ninit=glorot",
                      "configuration line 3: init: “glorot” is not one of he, paper, he-fc");

  /* keys absent from the text keep their values; CRLF and comments are fine */
  AnRunConfig c;
  an_run_config_init (&c);
  g_autoptr (GError) error = NULL;
  g_assert_true (an_run_config_from_string (&c, "# header\r\nbatch=32\r\n\r\n", &error));
  g_assert_cmpint (c.batch, ==, 32);
  g_assert_cmpint (c.epochs, ==, 15);
  an_run_config_clear (&c);
}

static void
test_recipes (void)
{
  AnRunConfig c;
  config_all_changed (&c);
  g_autoptr (GError) error = NULL;

  g_assert_true (an_run_config_apply_recipe (&c, "paper", &error));
  g_assert_no_error (error);
  g_assert_cmpint (c.init, ==, AN_INIT_PAPER);
  g_assert_cmpint (c.rule, ==, AN_SGD_RULE_PAPER);
  g_assert_cmpint (c.schedule, ==, AN_SCHEDULE_PAPER);
  g_assert_cmpint (c.batch, ==, 128);
  g_assert_cmpfloat (c.momentum, ==, 0.9);
  g_assert_cmpfloat (c.weight_decay, ==, 5e-4);
  g_assert_cmpfloat (c.lr, ==, 0.01);
  g_assert_cmpint (c.lrn, ==, AN_LRN_CODE);
  g_assert_true (c.augment_flip && c.augment_crop && c.augment_pca);
  g_assert_false (c.early_stopping);
  g_assert_cmpfloat (c.dropout, ==, 0.5);
  /* the user's choices of what, where and output stay */
  g_assert_cmpstr (c.model, ==, "alexnet-cifar");
  g_assert_cmpstr (c.data, ==, "cifar10:/data/cifar");
  g_assert_cmpstr (c.checkpoint_dir, ==, "runs/one");
  g_assert_cmpstr (c.metrics_path, ==, "runs/one/m.csv");
  g_assert_cmpstr (c.device, ==, "cuda:0,1");
  g_assert_true (an_run_config_validate (&c, &error));

  g_assert_true (an_run_config_apply_recipe (&c, "article", &error));
  g_assert_cmpint (c.batch, ==, 64);
  g_assert_cmpfloat (c.lr, ==, 0.01);
  g_assert_cmpfloat (c.momentum, ==, 0.9);
  g_assert_cmpfloat (c.dropout, ==, 0.5);
  g_assert_cmpint (c.schedule, ==, AN_SCHEDULE_PLATEAU);
  g_assert_cmpfloat (c.plateau_factor, ==, 0.5);
  g_assert_cmpint (c.plateau_patience, ==, 3);
  g_assert_cmpfloat (c.min_lr, ==, 1e-6);
  g_assert_true (c.early_stopping);
  g_assert_cmpint (c.patience, ==, 7);
  g_assert_cmpfloat (c.delta, ==, 0.0);
  g_assert_cmpint (c.init, ==, AN_INIT_HE_FC);
  g_assert_cmpint (c.epochs, ==, 50);
  g_assert_cmpint (c.rule, ==, AN_SGD_RULE_PYTORCH);
  g_assert_cmpint (c.normalize, ==, AN_NORMALIZE_HALF);
  g_assert_false (c.augment_crop || c.augment_pca);
  g_assert_true (an_run_config_validate (&c, &error));

  /* "default" gives the defaults back for every training field */
  g_assert_true (an_run_config_apply_recipe (&c, "default", &error));
  AnRunConfig d;
  an_run_config_init (&d);
  g_autofree char *cs = NULL, *ds = NULL;
  g_free (d.model);
  d.model = g_strdup (c.model);
  g_free (d.data);
  d.data = g_strdup (c.data);
  d.checkpoint_dir = g_strdup (c.checkpoint_dir);
  d.metrics_path = g_strdup (c.metrics_path);
  g_free (d.device);
  d.device = g_strdup (c.device);
  d.train_size = c.train_size;
  d.val_size = c.val_size;
  d.val_fraction = c.val_fraction;
  d.test_size = c.test_size;
  d.seed = c.seed;
  d.towers = c.towers;
  d.threads = c.threads;
  d.workers = c.workers;
  cs = an_run_config_to_string (&c);
  ds = an_run_config_to_string (&d);
  g_assert_cmpstr (cs, ==, ds);

  g_assert_false (an_run_config_apply_recipe (&c, "imagenet", &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "imagenet"));
  an_run_config_clear (&c);
  an_run_config_clear (&d);
}

static void
test_enum_names (void)
{
  g_assert_cmpstr (an_init_to_string (AN_INIT_HE), ==, "he");
  g_assert_cmpstr (an_init_to_string (AN_INIT_PAPER), ==, "paper");
  g_assert_cmpstr (an_init_to_string (AN_INIT_HE_FC), ==, "he-fc");
  g_assert_cmpstr (an_lrn_convention_to_string (AN_LRN_CODE), ==, "code");
  g_assert_cmpstr (an_lrn_convention_to_string (AN_LRN_PAPER), ==, "paper");
  g_assert_cmpstr (an_schedule_to_string (AN_SCHEDULE_CONSTANT), ==, "constant");
  g_assert_cmpstr (an_schedule_to_string (AN_SCHEDULE_STEP), ==, "step");
  g_assert_cmpstr (an_schedule_to_string (AN_SCHEDULE_PLATEAU), ==, "plateau");
  g_assert_cmpstr (an_schedule_to_string (AN_SCHEDULE_PAPER), ==, "paper");
  g_assert_cmpstr (an_schedule_to_string (AN_SCHEDULE_COSINE), ==, "cosine");
  g_assert_cmpstr (an_sgd_rule_to_string (AN_SGD_RULE_PYTORCH), ==, "pytorch");
  g_assert_cmpstr (an_sgd_rule_to_string (AN_SGD_RULE_PAPER), ==, "paper");
  g_assert_cmpstr (an_schedule_to_string ((AnScheduleKind) 9), ==, "invalid");
}

/* The live keys are the configuration's own keys, read and written through the same fields,
 * checked with the same ranges; any other name is refused with that name in the message. */
static void
test_live_keys (void)
{
  static const char *const names[AN_LIVE_COUNT] = { "lr", "momentum", "weight_decay", "dropout",
                                                    "patience" };
  AnRunConfig c;
  an_run_config_init (&c);
  for (int k = 0; k < AN_LIVE_COUNT; k++)
    {
      g_autoptr (GError) error = NULL;
      AnLiveKey key = AN_LIVE_COUNT;
      g_assert_cmpstr (an_live_key_name (k), ==, names[k]);
      g_assert_true (an_live_key_from_name (names[k], &key, &error));
      g_assert_no_error (error);
      g_assert_cmpint (key, ==, k);

      /* a value set by the configuration's text is the value the live key reads */
      g_assert_true (an_run_config_set (&c, names[k], k == AN_LIVE_PATIENCE ? "4" : "0.25",
                                        &error));
      g_assert_no_error (error);
      g_assert_cmpfloat (an_run_config_get_live (&c, k), ==, k == AN_LIVE_PATIENCE ? 4 : 0.25);
      an_run_config_set_live (&c, k, k == AN_LIVE_PATIENCE ? 9 : 0.125);
      g_assert_true (an_live_check (k, k == AN_LIVE_PATIENCE ? 9 : 0.125, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpfloat (c.lr, ==, 0.125);
  g_assert_cmpfloat (c.momentum, ==, 0.125);
  g_assert_cmpfloat (c.weight_decay, ==, 0.125);
  g_assert_cmpfloat (c.dropout, ==, 0.125);
  g_assert_cmpint (c.patience, ==, 9);

  /* the ranges of the fields */
  g_autoptr (GError) error = NULL;
  g_assert_false (an_live_check (AN_LIVE_LR, 0, &error));
  g_assert_nonnull (strstr (error->message, "lr"));
  g_clear_error (&error);
  g_assert_false (an_live_check (AN_LIVE_MOMENTUM, 1, &error));
  g_clear_error (&error);
  g_assert_false (an_live_check (AN_LIVE_PATIENCE, 2.5, &error));
  g_assert_nonnull (strstr (error->message, "whole number"));
  g_clear_error (&error);
  g_assert_false (an_live_check (AN_LIVE_PATIENCE, 0, &error));
  g_clear_error (&error);

  /* not live: refused by name, never taken for another key */
  const char *const others[] = { "batch", "patiences", "Patience", "", "lr " };
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      AnLiveKey key = AN_LIVE_COUNT;
      g_assert_false (an_live_key_from_name (others[i], &key, &error));
      g_assert_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT);
      g_autofree char *quoted = g_strdup_printf ("“%s”", others[i]);
      g_assert_nonnull (strstr (error->message, quoted));
      g_assert_cmpint (key, ==, AN_LIVE_COUNT);
      g_clear_error (&error);
    }
  an_run_config_clear (&c);
}

/* The shared field table: every key of the text form, in its order, once; a field's text
 * from an_run_config_get is its line in to_string; enums list their names; the live fields are
 * the five the trainer changes while it runs. */
static void
test_field_table (void)
{
  static const char *const live[] = { "lr", "momentum", "weight_decay", "dropout", "patience" };
  AnRunConfig c;
  guint n = 0, n_live = 0;
  const AnConfigField *fields = an_run_config_fields (&n);

  an_run_config_init (&c);
  g_autofree char *text = an_run_config_to_string (&c);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (n, ==, g_strv_length (lines) - 1);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *value = an_run_config_get (&c, fields[i].key);
      g_autofree char *line = g_strdup_printf ("%s=%s", fields[i].key, value);

      g_assert_cmpstr (lines[i], ==, line);
      g_assert_true (an_run_config_find_field (fields[i].key) == &fields[i]);
      g_assert_cmpint (fields[i].section, <, AN_CONFIG_N_SECTIONS);
      g_assert_cmpuint (fields[i].offset + sizeof (int), <=, sizeof (AnRunConfig));
      if (fields[i].type == AN_CONFIG_ENUM)
        g_assert_nonnull (fields[i].names);
      if (fields[i].live)
        {
          gboolean known = FALSE;

          for (guint k = 0; k < G_N_ELEMENTS (live); k++)
            known |= g_str_equal (live[k], fields[i].key);
          g_assert_true (known);
          n_live++;
        }
    }
  g_assert_cmpuint (n_live, ==, G_N_ELEMENTS (live));
  /* the offset is the field's: writing through it is what set does */
  {
    const AnConfigField *lr = an_run_config_find_field ("lr");

    *(double *) ((char *) &c + lr->offset) = 0.125;
    g_assert_cmpfloat (c.lr, ==, 0.125);
  }
  g_assert_null (an_run_config_find_field ("colour"));
  g_assert_null (an_run_config_get (&c, "colour"));
  an_run_config_clear (&c);
}

/* The one device parser: the GPU of each tower, and every malformed string refused with the
 * string in the message (the configuration's check and the placement both use it). */
static void
test_device_strings (void)
{
  static const struct {
    const char *text;
    AnDeviceKind kind;
    int a, b;
  } good[] = {
    { "cpu", AN_DEVICE_CPU, 0, 0 },        { "auto", AN_DEVICE_AUTO, 0, 0 },
    { "cuda", AN_DEVICE_CUDA, 0, 0 },      { "cuda:3", AN_DEVICE_CUDA, 3, 3 },
    { "cuda:0,1", AN_DEVICE_CUDA, 0, 1 },  { "cuda:12,7", AN_DEVICE_CUDA, 12, 7 },
    { "cuda:1023", AN_DEVICE_CUDA, 1023, 1023 },
  };
  static const char *const bad[] = { "gpu", "cuda:", "cuda:x", "cuda:0,", "cuda:0,1,2",
                                     "cuda:-1", "CPU", "cuda0", "", "cuda:1024",
                                     "cuda:99999999999", "cuda:0 ", " cpu", "cuda:+1" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      AnDevice d = { .kind = -1 };

      g_assert_true (an_device_parse (good[i].text, &d, &error));
      g_assert_no_error (error);
      g_assert_cmpint (d.kind, ==, good[i].kind);
      if (d.kind == AN_DEVICE_CUDA)
        {
          g_assert_cmpint (d.cuda[0], ==, good[i].a);
          g_assert_cmpint (d.cuda[1], ==, good[i].b);
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *quoted = g_strdup_printf ("“%s”", bad[i]);
      AnRunConfig c;

      g_assert_false (an_device_parse (bad[i], NULL, &error));
      g_assert_error (error, AN_ERROR, AN_ERROR_PARSE);
      g_assert_nonnull (strstr (error->message, quoted));
      g_clear_error (&error);
      an_run_config_init (&c);
      g_assert_false (an_run_config_set (&c, "device", bad[i], &error));
      g_assert_nonnull (strstr (error->message, quoted));
      an_run_config_clear (&c);
    }
  g_assert_false (an_device_parse (NULL, NULL, NULL));
}

/* The help's description of each field's values, from the table's ranges and names. */
static void
test_field_values (void)
{
  static const struct {
    const char *key, *values;
  } cases[] = {
    { "lr", "(0, 10]" },          { "momentum", "[0, 1)" },
    { "batch", "[1, 65536]" },    { "delta", "[0, inf)" },
    { "rule", "pytorch|paper" },  { "early_stopping", "true|false" },
    { "device", "cpu|auto|cuda|cuda:N|cuda:N,M" },
    { "seed", "[0, 18446744073709551615]" },
    { "model", NULL },            { "checkpoint_dir", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *v = an_config_field_values (an_run_config_find_field (cases[i].key));
      g_assert_cmpstr (v, ==, cases[i].values);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config/defaults", test_defaults);
  g_test_add_func ("/config/set-rejects", test_set_rejects);
  g_test_add_func ("/config/set-accepts", test_set_accepts);
  g_test_add_func ("/config/validate", test_validate);
  g_test_add_func ("/config/text-round-trip", test_text_round_trip);
  g_test_add_func ("/config/parse-errors", test_parse_errors);
  g_test_add_func ("/config/recipes", test_recipes);
  g_test_add_func ("/config/enum-names", test_enum_names);
  g_test_add_func ("/config/live-keys", test_live_keys);
  g_test_add_func ("/config/field-table", test_field_table);
  g_test_add_func ("/config/device-strings", test_device_strings);
  g_test_add_func ("/config/field-values", test_field_values);
  return g_test_run ();
}
