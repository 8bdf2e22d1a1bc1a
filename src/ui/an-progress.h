/* an-progress.h: the Training page's progress line without GTK: a speed smoothed over time, an
 * ETA from it, and the words for the run's state, so that a paused or finished run never shows
 * a frozen estimate. Unit-tested headless (tests/ui/test-chart-data.c). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  AN_PROGRESS_IDLE = 0,   /* no run, or one not started */
  AN_PROGRESS_STARTING,   /* started, no step yet */
  AN_PROGRESS_RUNNING,
  AN_PROGRESS_PAUSING,    /* pause asked for; the step in flight has not ended */
  AN_PROGRESS_PAUSED,
  AN_PROGRESS_STOPPING,   /* stop asked for */
  AN_PROGRESS_FINISHED,
  AN_PROGRESS_EARLY_STOPPED,
  AN_PROGRESS_STOPPED,
  AN_PROGRESS_DIVERGED,
  AN_PROGRESS_FAILED,
} AnProgressState;

/* Seconds over which the speed is averaged: a sample's weight halves every
 * AN_PROGRESS_HALF_LIFE * ln 2 seconds of training. */
#define AN_PROGRESS_HALF_LIFE 10.0

typedef struct {
  AnProgressState state;
  gint64 step, total_steps;
  int batch;
  /* exponentially decaying sums of images and of seconds: speed = images / seconds */
  double images, seconds;
} AnProgress;

void an_progress_init (AnProgress *p);
/* A run of total_steps steps of batch images (total_steps 0: unknown) starts or resumes at
 * step; the speed starts afresh. */
void an_progress_start (AnProgress *p, gint64 step, gint64 total_steps, int batch);
/* One step record: images trained in it and its images/s. A state of STARTING becomes
 * RUNNING (IDLE stays: a checkpoint's history); PAUSING stays until an_progress_set_state
 * says the pause took hold. */
void an_progress_add_step (AnProgress *p, gint64 step, int images, double images_per_second);
/* The trainer's state; moving again after a pause (or from IDLE) starts the speed afresh. */
void an_progress_set_state (AnProgress *p, AnProgressState state);
/* Asks to pause (RUNNING -> PAUSING) or stop (-> STOPPING); does nothing in a final state. */
void an_progress_request (AnProgress *p, AnProgressState pausing_or_stopping);

/* The smoothed speed (images/s), or 0 before any step. */
double an_progress_speed (const AnProgress *p);
/* Seconds left at the smoothed speed; negative when unknown (no speed, no total). */
double an_progress_eta (const AnProgress *p);
gboolean an_progress_is_final (AnProgressState state);

/* "Training", "Pausing…", "Paused", "Finished"...: the run's state in words. */
const char *an_progress_state_text (AnProgressState state);
/* "3:05 left" while the run moves and an estimate exists; otherwise the state's words
 * ("Paused", "Finished"...), never a frozen estimate. */
char *an_progress_eta_text (const AnProgress *p);
/* "320 images/s" while the run moves; empty otherwise. */
char *an_progress_speed_text (const AnProgress *p);
/* A style class for the state: "accent" (moving), "warning" (pausing, paused, stopping,
 * diverged), "success" (finished), "error" (failed), "dim-label" (idle, stopped). */
const char *an_progress_state_style (AnProgressState state);
/* A symbolic icon name for the state (NULL for idle). */
const char *an_progress_state_icon (AnProgressState state);

G_END_DECLS
