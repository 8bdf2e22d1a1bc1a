#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-progress.c: the progress line's numbers and words (an-progress.h). The speed is a
 * time-weighted average: every step adds its images and its seconds to two sums that decay
 * with e^(-dt / AN_PROGRESS_HALF_LIFE), so a slow step counts for as long as it took and one
 * odd step cannot swing the estimate (the raw per-step speed swung between 27 and 319
 * images/s, and the ETA with it between 1 and 14 minutes). */

#include <glib/gi18n.h>
#include <math.h>

#include "an-chart-data.h"
#include "an-progress.h"

void
an_progress_init (AnProgress *p)
{
  *p = (AnProgress) { AN_PROGRESS_IDLE, 0, 0, 0, 0.0, 0.0 };
}

void
an_progress_start (AnProgress *p, gint64 step, gint64 total_steps, int batch)
{
  p->state = AN_PROGRESS_STARTING;
  p->step = step;
  p->total_steps = MAX (total_steps, 0);
  p->batch = MAX (batch, 0);
  p->images = p->seconds = 0.0;
}

gboolean
an_progress_is_final (AnProgressState state)
{
  return state == AN_PROGRESS_FINISHED || state == AN_PROGRESS_EARLY_STOPPED
         || state == AN_PROGRESS_STOPPED || state == AN_PROGRESS_FAILED;
}

void
an_progress_add_step (AnProgress *p, gint64 step, int images, double images_per_second)
{
  p->step = MAX (p->step, step);
  /* Only a started run moves on: steps read from a checkpoint's history leave IDLE alone. */
  if (p->state == AN_PROGRESS_STARTING)
    p->state = AN_PROGRESS_RUNNING;
  if (images > 0 && isfinite (images_per_second) && images_per_second > 0)
    {
      double dt = images / images_per_second;
      double decay = exp (-dt / AN_PROGRESS_HALF_LIFE);

      p->images = p->images * decay + images;
      p->seconds = p->seconds * decay + dt;
    }
}

void
an_progress_set_state (AnProgress *p, AnProgressState state)
{
  /* A step reported after the pause was asked for does not end "Pausing…"; the trainer's
   * state does. A resume starts the speed afresh: the pause is not training time, and the
   * machine may be busy with something else now. */
  gboolean was_moving = p->state == AN_PROGRESS_RUNNING || p->state == AN_PROGRESS_PAUSING
                       || p->state == AN_PROGRESS_STOPPING || p->state == AN_PROGRESS_STARTING;

  if (!was_moving && (state == AN_PROGRESS_RUNNING || state == AN_PROGRESS_STARTING))
    p->images = p->seconds = 0.0;
  p->state = state;
}

void
an_progress_request (AnProgress *p, AnProgressState pausing_or_stopping)
{
  g_return_if_fail (pausing_or_stopping == AN_PROGRESS_PAUSING
                    || pausing_or_stopping == AN_PROGRESS_STOPPING);

  if (an_progress_is_final (p->state) || p->state == AN_PROGRESS_IDLE)
    return;
  if (pausing_or_stopping == AN_PROGRESS_PAUSING && p->state != AN_PROGRESS_RUNNING
      && p->state != AN_PROGRESS_STARTING)
    return;
  p->state = pausing_or_stopping;
}

double
an_progress_speed (const AnProgress *p)
{
  return p->seconds > 0.0 ? p->images / p->seconds : 0.0;
}

double
an_progress_eta (const AnProgress *p)
{
  double speed = an_progress_speed (p);

  if (speed <= 0.0 || p->total_steps <= 0 || p->batch <= 0)
    return -1.0;
  return (double) MAX (p->total_steps - p->step, 0) * p->batch / speed;
}

const char *
an_progress_state_text (AnProgressState state)
{
  switch (state)
    {
    case AN_PROGRESS_STARTING: return _("Starting…");
    case AN_PROGRESS_RUNNING: return _("Training");
    /* Translators: the pause was asked for; the step being computed has not ended yet */
    case AN_PROGRESS_PAUSING: return _("Pausing…");
    case AN_PROGRESS_PAUSED: return _("Paused");
    case AN_PROGRESS_STOPPING: return _("Stopping…");
    case AN_PROGRESS_FINISHED: return _("Finished");
    case AN_PROGRESS_EARLY_STOPPED: return _("Stopped early");
    case AN_PROGRESS_STOPPED: return _("Stopped");
    case AN_PROGRESS_DIVERGED: return _("Diverged");
    case AN_PROGRESS_FAILED: return _("Failed");
    case AN_PROGRESS_IDLE:
    default:
      return _("Not started");
    }
}

char *
an_progress_eta_text (const AnProgress *p)
{
  double eta = an_progress_eta (p);

  if (p->state == AN_PROGRESS_RUNNING && eta >= 0.0)
    {
      g_autofree char *t = an_chart_format_time (eta);

      /* Translators: estimated time left, "3:05 left" */
      return g_strdup_printf (_("%s left"), t);
    }
  return g_strdup (an_progress_state_text (p->state));
}

char *
an_progress_speed_text (const AnProgress *p)
{
  double speed = an_progress_speed (p);

  if ((p->state != AN_PROGRESS_RUNNING && p->state != AN_PROGRESS_PAUSING) || speed <= 0.0)
    return g_strdup ("");
  /* Translators: training speed, averaged over the last seconds */
  return g_strdup_printf (_("%.0f images/s"), speed);
}

const char *
an_progress_state_style (AnProgressState state)
{
  switch (state)
    {
    case AN_PROGRESS_STARTING:
    case AN_PROGRESS_RUNNING:
      return "accent";
    case AN_PROGRESS_PAUSING:
    case AN_PROGRESS_PAUSED:
    case AN_PROGRESS_STOPPING:
    case AN_PROGRESS_DIVERGED:
      return "warning";
    case AN_PROGRESS_FINISHED:
    case AN_PROGRESS_EARLY_STOPPED:
      return "success";
    case AN_PROGRESS_FAILED:
      return "error";
    case AN_PROGRESS_STOPPED:
    case AN_PROGRESS_IDLE:
    default:
      return "dim-label";
    }
}

const char *
an_progress_state_icon (AnProgressState state)
{
  switch (state)
    {
    case AN_PROGRESS_STARTING:
    case AN_PROGRESS_RUNNING:
      return "media-playback-start-symbolic";
    case AN_PROGRESS_PAUSING:
    case AN_PROGRESS_PAUSED:
      return "media-playback-pause-symbolic";
    case AN_PROGRESS_STOPPING:
    case AN_PROGRESS_STOPPED:
      return "media-playback-stop-symbolic";
    case AN_PROGRESS_FINISHED:
    case AN_PROGRESS_EARLY_STOPPED:
      return "object-select-symbolic";
    case AN_PROGRESS_DIVERGED:
      return "dialog-warning-symbolic";
    case AN_PROGRESS_FAILED:
      return "dialog-error-symbolic";
    case AN_PROGRESS_IDLE:
    default:
      return NULL;
    }
}
