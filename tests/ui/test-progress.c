#define G_LOG_DOMAIN "test-progress"
#include "config.h"

/* test-progress.c: the Training page's progress line without a display: the speed and ETA
 * stay steady on noisy steps and follow a real change of speed, a paused, stopping or ended
 * run says so instead of showing a frozen estimate, and runs get readable names. */

#include <math.h>
#include <string.h>

#include "an-progress.h"
#include "an-run-label.h"

/* Steps alternating 27 and 319 images/s (what the window showed): the raw ETA swings by a
 * factor of 12; the smoothed one stays within 25 % once a few half-lives have passed, around
 * the true average speed (all images over all seconds, computed here directly). */
static void
test_noisy_speed (void)
{
  const int batch = 64;
  const gint64 total = 4000;
  AnProgress p;
  double eta_min = INFINITY, eta_max = 0.0, t = 0.0;
  double true_speed = 2.0 * batch / (batch / 27.0 + batch / 319.0);

  an_progress_init (&p);
  an_progress_start (&p, 0, total, batch);
  g_assert_cmpint (p.state, ==, AN_PROGRESS_STARTING);
  g_assert_cmpfloat (an_progress_eta (&p), <, 0.0);
  for (gint64 step = 1; step <= 2000; step++)
    {
      double ips = step % 2 ? 27.0 : 319.0;

      an_progress_add_step (&p, step, batch, ips);
      t += batch / ips;
      if (t > 6 * AN_PROGRESS_HALF_LIFE)
        {
          /* the same remaining work: the ETA's swing is the speed's */
          double eta = an_progress_eta (&p) / (double) (total - step);

          eta_min = MIN (eta_min, eta);
          eta_max = MAX (eta_max, eta);
          g_assert_cmpfloat (fabs (an_progress_speed (&p) - true_speed) / true_speed, <, 0.25);
        }
    }
  g_assert_cmpint (p.state, ==, AN_PROGRESS_RUNNING);
  g_test_message ("true speed %.2f, smoothed %.2f; ETA per step from %.4f to %.4f s", true_speed,
                  an_progress_speed (&p), eta_min, eta_max);
  g_assert_cmpfloat (eta_max / eta_min, <, 1.25);
}

/* A real change of speed (another program takes the cores) shows within a few half-lives. */
static void
test_speed_follows_change (void)
{
  AnProgress p;
  double t = 0.0;
  gint64 step = 0;

  an_progress_init (&p);
  an_progress_start (&p, 0, 100000, 50);
  while (t < 60.0)
    {
      an_progress_add_step (&p, ++step, 50, 100.0);
      t += 0.5;
    }
  g_assert_cmpfloat (fabs (an_progress_speed (&p) - 100.0), <, 1e-9);
  for (t = 0.0; t < 5.0 * AN_PROGRESS_HALF_LIFE; t += 0.25)
    an_progress_add_step (&p, ++step, 50, 200.0);
  /* the old speed's weight is e^-5 of the seconds: within 2 % of 200 */
  g_assert_cmpfloat (fabs (an_progress_speed (&p) - 200.0) / 200.0, <, 0.02);
  /* ETA = steps left x batch / speed */
  g_assert_cmpfloat (fabs (an_progress_eta (&p) - (100000 - step) * 50 / an_progress_speed (&p)),
                     <, 1e-6);
}

static void
assert_eta_text (const AnProgress *p, const char *want)
{
  g_autofree char *text = an_progress_eta_text (p);

  g_assert_cmpstr (text, ==, want);
}

/* Pausing, paused, stopping, stopped, finished: words, never a frozen "2:38 left". */
static void
test_states (void)
{
  AnProgress p;
  g_autofree char *running = NULL;
  g_autofree char *speed = NULL;

  an_progress_init (&p);
  assert_eta_text (&p, "Not started");
  an_progress_start (&p, 0, 1000, 10);
  assert_eta_text (&p, "Starting…");
  an_progress_add_step (&p, 1, 10, 100.0);
  running = an_progress_eta_text (&p);
  /* 999 steps x 10 images at 100 images/s: 99.9 s */
  g_assert_cmpstr (running, ==, "1:40 left");
  speed = an_progress_speed_text (&p);
  g_assert_cmpstr (speed, ==, "100 images/s");
  g_assert_cmpstr (an_progress_state_style (p.state), ==, "accent");

  /* Pause asked: "Pausing…" until the trainer says it paused, even if a step still arrives. */
  an_progress_request (&p, AN_PROGRESS_PAUSING);
  assert_eta_text (&p, "Pausing…");
  an_progress_add_step (&p, 2, 10, 100.0);
  assert_eta_text (&p, "Pausing…");
  an_progress_set_state (&p, AN_PROGRESS_PAUSED);
  assert_eta_text (&p, "Paused");
  g_free (speed);
  speed = an_progress_speed_text (&p);
  g_assert_cmpstr (speed, ==, "");
  g_assert_cmpstr (an_progress_state_style (p.state), ==, "warning");
  /* a pause request while paused changes nothing */
  an_progress_request (&p, AN_PROGRESS_PAUSING);
  g_assert_cmpint (p.state, ==, AN_PROGRESS_PAUSED);

  /* Resumed: the speed starts afresh, the estimate comes back with the next step. */
  an_progress_set_state (&p, AN_PROGRESS_RUNNING);
  g_assert_cmpfloat (an_progress_speed (&p), ==, 0.0);
  assert_eta_text (&p, "Training");
  an_progress_add_step (&p, 3, 10, 50.0);
  /* 997 steps x 10 images at 50 images/s: 199.4 s */
  assert_eta_text (&p, "3:19 left");

  an_progress_request (&p, AN_PROGRESS_STOPPING);
  assert_eta_text (&p, "Stopping…");
  an_progress_set_state (&p, AN_PROGRESS_STOPPED);
  assert_eta_text (&p, "Stopped");
  g_assert_true (an_progress_is_final (p.state));
  /* a late request does not bring an ended run back */
  an_progress_request (&p, AN_PROGRESS_PAUSING);
  assert_eta_text (&p, "Stopped");

  an_progress_start (&p, 0, 2, 10);
  an_progress_add_step (&p, 2, 10, 100.0);
  an_progress_set_state (&p, AN_PROGRESS_FINISHED);
  assert_eta_text (&p, "Finished");
  g_assert_cmpstr (an_progress_state_style (p.state), ==, "success");
}

/* A run opened from a checkpoint: its history's steps do not make an idle run "Training". */
static void
test_history_stays_idle (void)
{
  AnProgress p;

  an_progress_init (&p);
  an_progress_start (&p, 0, 100, 10);
  an_progress_set_state (&p, AN_PROGRESS_IDLE);
  for (int s = 1; s <= 20; s++)
    an_progress_add_step (&p, s, 10, 40.0);
  assert_eta_text (&p, "Not started");
  /* started: the history's speed does not count */
  an_progress_set_state (&p, AN_PROGRESS_RUNNING);
  g_assert_cmpfloat (an_progress_speed (&p), ==, 0.0);
  an_progress_add_step (&p, 21, 10, 100.0);
  g_assert_cmpfloat (fabs (an_progress_speed (&p) - 100.0), <, 1e-9);
}

static void
test_run_label (void)
{
  g_autofree char *a = an_run_label ("alexnet-tiny", 64, 0.01, 1700000000);
  g_autofree char *b = an_run_label ("/home/u/presets/my-net.preset", 128, 0.0042, 1700000000);

  g_assert_cmpstr (a, ==, "alexnet-tiny · lr 0.01 · batch 64 · 22:13");
  g_assert_cmpstr (b, ==, "my-net · lr 0.0042 · batch 128 · 22:13");
}

int
main (int argc, char **argv)
{
  /* run names carry a local time: fix the zone */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/progress/noisy-speed", test_noisy_speed);
  g_test_add_func ("/progress/speed-follows-change", test_speed_follows_change);
  g_test_add_func ("/progress/states", test_states);
  g_test_add_func ("/progress/history-stays-idle", test_history_stays_idle);
  g_test_add_func ("/progress/run-label", test_run_label);
  return g_test_run ();
}
