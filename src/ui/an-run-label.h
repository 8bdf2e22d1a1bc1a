/* an-run-label.h: the name a run goes by in the charts' legends and the run selector. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "alexnet-tiny · lr 0.01 · batch 64 · 14:05": the preset (a preset file's name without its
 * folder and extension), the learning rate and batch it started with, and the local time it
 * started at (unix seconds). */
char *an_run_label (const char *model, int batch, double lr, gint64 started);

G_END_DECLS
