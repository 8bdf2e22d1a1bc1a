/* test-schedule.c: learning-rate schedules against PyTorch and early stopping against the
 * teaching article's rule.
 * tests/golden/schedules.txt holds the rates PyTorch 1.13's ReduceLROnPlateau, StepLR and
 * CosineAnnealingLR gave for fixed metric sequences, some with a rate set by hand mid-run
 * (tools/schedule_golden.py); they must match to the bit
 * (tolerance 0), since both sides do the same double operations.
 */
#define G_LOG_DOMAIN "test-schedule"
#include "config.h"

#include <math.h>
#include <string.h>

#include "an-checkpoint.h"
#include "an-error.h"

static GArray *
parse_doubles (const char *list)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (double));
  g_auto (GStrv) words = g_strsplit (list, " ", -1);
  for (int i = 0; words[i] != NULL; i++)
    {
      if (*words[i] == '\0')
        continue;
      char *end = NULL;
      double v = g_ascii_strtod (words[i], &end);
      g_assert_true (end != NULL && *end == '\0');
      g_array_append_val (a, v);
    }
  return a;
}

/* hand: pairs (epoch, rate) of rates set by hand before that epoch's end, as the trainer does
 * for a live change (it sets the schedule's current rate). */
static void
run_golden_case (const char *name, AnRunConfig *cfg, GArray *metrics, GArray *lrs, GArray *hand)
{
  g_assert_cmpuint (metrics->len, ==, lrs->len);
  AnScheduleState s;
  an_schedule_init (&s, cfg);
  double max_err = 0;
  int first_bad = 0;
  for (guint e = 0; e < metrics->len; e++)
    {
      double m = g_array_index (metrics, double, e);
      for (guint h = 0; h + 1 < hand->len; h += 2)
        if (g_array_index (hand, double, h) == e + 1)
          s.lr = g_array_index (hand, double, h + 1);
      double lr = an_schedule_epoch_end (&s, cfg, (int) e + 1, m, m);
      double want = g_array_index (lrs, double, e);
      double err = fabs (lr - want);
      if (err > max_err)
        max_err = err;
      if (lr != want && first_bad == 0)
        {
          first_bad = (int) e + 1;
          g_printerr ("%s: epoch %d: lr %.17g, PyTorch %.17g\n", name, first_bad, lr, want);
        }
      g_assert_cmpint (s.last_epoch, ==, (int) e + 1);
    }
  g_test_message ("%s: %u epochs, max |lr - PyTorch| = %g (tolerance 0)", name, metrics->len,
                  max_err);
  g_assert_cmpint (first_bad, ==, 0);
}

static void
test_golden (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("AN_SOURCE_DIR") ?: ".", "tests",
                                            "golden", "schedules.txt", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);

  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  AnRunConfig cfg = { 0 };
  char *name = NULL;
  GArray *metrics = NULL, *lrs = NULL, *hand = g_array_new (FALSE, FALSE, sizeof (double));
  int n_cases = 0, n_hand = 0;
  gboolean saw_reduction = FALSE, saw_min_lr = FALSE, saw_cosine = FALSE;
  for (int i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];
      if (*l == '#' || *l == '\0')
        continue;
      if (g_str_has_prefix (l, "case "))
        {
          an_run_config_init (&cfg);
          name = g_strdup (l + 5);
        }
      else if (g_str_has_prefix (l, "set "))
        {
          g_auto (GStrv) kv = g_strsplit (l + 4, "=", 2);
          g_assert_true (an_run_config_set (&cfg, kv[0], kv[1], &error));
          g_assert_no_error (error);
        }
      else if (g_str_has_prefix (l, "hand "))
        {
          g_autoptr (GArray) pair = parse_doubles (l + 5);
          g_assert_cmpuint (pair->len, ==, 2);
          g_array_append_vals (hand, pair->data, 2);
          n_hand++;
        }
      else if (g_str_has_prefix (l, "metrics "))
        metrics = parse_doubles (l + 8);
      else if (g_str_has_prefix (l, "lrs "))
        lrs = parse_doubles (l + 4);
      else if (strcmp (l, "end") == 0)
        {
          g_assert_nonnull (metrics);
          g_assert_nonnull (lrs);
          run_golden_case (name, &cfg, metrics, lrs, hand);
          double last = g_array_index (lrs, double, lrs->len - 1);
          saw_reduction |= last < cfg.lr;
          saw_min_lr |= last == cfg.min_lr && cfg.schedule == AN_SCHEDULE_PLATEAU;
          saw_cosine |= cfg.schedule == AN_SCHEDULE_COSINE && last == cfg.min_lr;
          g_array_set_size (hand, 0);
          n_cases++;
          g_clear_pointer (&metrics, g_array_unref);
          g_clear_pointer (&lrs, g_array_unref);
          g_clear_pointer (&name, g_free);
          an_run_config_clear (&cfg);
        }
      else
        g_error ("%s:%d: unexpected line", path, i + 1);
    }
  /* the golden file must exercise what it claims to */
  g_assert_cmpint (n_cases, >=, 11);
  g_assert_cmpint (n_hand, >=, 1);
  g_assert_true (saw_reduction);
  g_assert_true (saw_min_lr);
  g_assert_true (saw_cosine);
  g_array_unref (hand);
}

/* The cosine reaches min_lr at the run's last epoch and holds it past it (PyTorch would rise
 * again); a finished run given more epochs continues on the longer run's curve. */
static void
test_cosine_past_the_end (void)
{
  AnRunConfig cfg;
  an_run_config_init (&cfg);
  cfg.schedule = AN_SCHEDULE_COSINE;
  cfg.epochs = 4;
  cfg.lr = 0.1;
  cfg.min_lr = 0.001;
  AnScheduleState s;
  an_schedule_init (&s, &cfg);
  double lr[7];
  for (int e = 1; e <= 6; e++)
    lr[e] = an_schedule_epoch_end (&s, &cfg, e, 1.0, 0.5);
  /* half-way (epoch 2 of 4) the rate is the mean of lr and min_lr */
  g_assert_cmpfloat_with_epsilon (lr[2], (0.1 + 0.001) / 2, 1e-12);
  g_assert_cmpfloat (lr[1], >, lr[2]);
  g_assert_cmpfloat (lr[2], >, lr[3]);
  g_assert_cmpfloat (lr[4], ==, 0.001);
  g_assert_cmpfloat (lr[5], ==, 0.001);
  g_assert_cmpfloat (lr[6], ==, 0.001);

  /* the finished run given 8 epochs in all: the rate goes to the 8-epoch curve at epoch 4
   * (half-way again) and reaches min_lr at epoch 8 */
  an_schedule_set_epochs (&s, &cfg, 4, 8);
  cfg.epochs = 8;
  g_assert_cmpfloat_with_epsilon (s.lr, (0.1 + 0.001) / 2, 1e-12);
  double prev = s.lr;
  for (int e = 5; e <= 8; e++)
    {
      double l = an_schedule_epoch_end (&s, &cfg, e, 1.0, 0.5);
      g_assert_cmpfloat (l, <, prev);
      prev = l;
    }
  g_assert_cmpfloat (prev, ==, 0.001);
  /* a length-independent schedule is left alone */
  cfg.schedule = AN_SCHEDULE_PLATEAU;
  s.lr = 0.05;
  an_schedule_set_epochs (&s, &cfg, 8, 12);
  g_assert_cmpfloat (s.lr, ==, 0.05);
  an_run_config_clear (&cfg);
}

/* A rate set by hand during the run is where the plateau rule continues from. */
static void
test_plateau_continues_from_live_lr (void)
{
  AnRunConfig cfg;
  an_run_config_init (&cfg);
  cfg.schedule = AN_SCHEDULE_PLATEAU; /* the teaching article's factor 0.5, patience 3 */
  AnScheduleState s;
  an_schedule_init (&s, &cfg);
  g_assert_cmpfloat (an_schedule_epoch_end (&s, &cfg, 1, 1.0, 0.5), ==, 0.01);
  s.lr = 0.04;
  /* patience 3: the 4th epoch without improvement halves the rate */
  for (int e = 2; e <= 4; e++)
    g_assert_cmpfloat (an_schedule_epoch_end (&s, &cfg, e, 1.0, 0.5), ==, 0.04);
  g_assert_cmpfloat (an_schedule_epoch_end (&s, &cfg, 5, 1.0, 0.5), ==, 0.02);
  an_run_config_clear (&cfg);
}

/* The paper schedule watches the error, not the loss. */
static void
test_paper_watches_error (void)
{
  AnRunConfig cfg;
  an_run_config_init (&cfg);
  cfg.schedule = AN_SCHEDULE_PAPER;
  cfg.plateau_patience = 1;
  AnScheduleState s;
  an_schedule_init (&s, &cfg);
  double lr = 0;
  /* loss keeps falling, error is stuck: two bad epochs > patience 1 -> divided by 10 */
  lr = an_schedule_epoch_end (&s, &cfg, 1, 1.0, 0.3);
  lr = an_schedule_epoch_end (&s, &cfg, 2, 0.9, 0.3);
  g_assert_cmpfloat (lr, ==, 0.01);
  lr = an_schedule_epoch_end (&s, &cfg, 3, 0.8, 0.3);
  g_assert_cmpfloat (lr, ==, 0.01 * 0.1);
  an_run_config_clear (&cfg);
}

typedef struct {
  const char *what;
  int patience;
  double delta;
  const double *losses;
  int n;
  int stop_epoch;   /* 0 = never */
  int best_epoch;   /* at the end */
  const int *improved_epochs; /* terminated by 0 */
} EarlyCase;

static void
run_early_case (const EarlyCase *c)
{
  AnEarlyStopState e;
  an_early_stop_init (&e);
  g_assert_true (isinf (e.best_score) && e.best_score < 0);
  int stopped_at = 0;
  const int *next_improved = c->improved_epochs;
  for (int epoch = 1; epoch <= c->n && stopped_at == 0; epoch++)
    {
      gboolean improved = FALSE;
      if (an_early_stop_update (&e, c->patience, c->delta, epoch, c->losses[epoch - 1],
                                &improved))
        stopped_at = epoch;
      gboolean expect_improved = *next_improved == epoch;
      if (expect_improved)
        next_improved++;
      if (improved != expect_improved)
        g_error ("%s: epoch %d: improved %d, expected %d", c->what, epoch, improved,
                 expect_improved);
    }
  g_assert_cmpint (*next_improved, ==, 0);
  g_assert_cmpint (stopped_at, ==, c->stop_epoch);
  g_assert_cmpint (e.stop, ==, c->stop_epoch != 0);
  g_assert_cmpint (e.best_epoch, ==, c->best_epoch);
  g_assert_cmpfloat (e.best_val_loss, ==, c->losses[c->best_epoch - 1]);
  g_assert_cmpfloat (e.best_score, ==, -c->losses[c->best_epoch - 1]);
}

static void
test_early_stopping (void)
{
  /* patience 3, delta 0. Epochs 1-3 improve. 4 and 5 are worse (counter 1, 2). Epoch 6 equals
   * the best: -0.8 < -0.8 + 0 is false, so the rule counts it as an improvement and resets
   * the counter; so does epoch 7. Epochs 8, 9, 10 are worse: counter 1, 2, 3 = patience, stop
   * at epoch 10 with epoch 7 the best. */
  static const double l1[] = { 1.0, 0.9, 0.8, 0.85, 0.81, 0.8, 0.8, 0.9, 0.95, 1.0, 0.1 };
  static const int i1[] = { 1, 2, 3, 6, 7, 0 };
  /* patience 2, delta 0.05. Epoch 2 is better, but by less than delta: -0.97 < -1.0 + 0.05,
   * counter 1, not the best. Epoch 3 beats the best by more than delta: reset. Epochs 4 and 5
   * are better than epoch 3 by less than delta: counter 1, 2: stop at epoch 5, best epoch 3. */
  static const double l2[] = { 1.0, 0.97, 0.9, 0.88, 0.87, 0.5 };
  static const int i2[] = { 1, 3, 0 };
  /* the article's patience 7 on a falling loss: every epoch is the best, no stop. */
  static const double l3[] = { 2.0, 1.5, 1.2, 1.0, 0.9, 0.85, 0.8, 0.79, 0.78, 0.77 };
  static const int i3[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0 };
  /* patience 7: the best at epoch 2, then seven worse epochs: stop at epoch 9. */
  static const double l4[] = { 1.0, 0.5, 0.6, 0.7, 0.55, 0.51, 0.9, 0.6, 0.50001, 0.4 };
  static const int i4[] = { 1, 2, 0 };
  /* patience 1: the first worse epoch stops. */
  static const double l5[] = { 1.0, 1.1 };
  static const int i5[] = { 1, 0 };

  const EarlyCase cases[] = {
    { "ties reset", 3, 0.0, l1, G_N_ELEMENTS (l1), 10, 7, i1 },
    { "delta", 2, 0.05, l2, G_N_ELEMENTS (l2), 5, 3, i2 },
    { "falling", 7, 0.0, l3, G_N_ELEMENTS (l3), 0, 10, i3 },
    { "article patience", 7, 0.0, l4, G_N_ELEMENTS (l4), 9, 2, i4 },
    { "patience 1", 1, 0.0, l5, G_N_ELEMENTS (l5), 2, 1, i5 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    run_early_case (&cases[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/schedule/pytorch-golden", test_golden);
  g_test_add_func ("/schedule/plateau-continues-from-live-lr", test_plateau_continues_from_live_lr);
  g_test_add_func ("/schedule/paper-watches-error", test_paper_watches_error);
  g_test_add_func ("/schedule/cosine-past-the-end", test_cosine_past_the_end);
  g_test_add_func ("/schedule/early-stopping-article-rule", test_early_stopping);
  return g_test_run ();
}
