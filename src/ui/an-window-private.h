/* an-window-private.h: AnWindow's state, shared by the files that implement it: an-window.c
 * (the pages, the run and the routing of its events), -actions.c and -export.c. The pages
 * are widgets of their own (an-*-page.c); the window only places them, hands them the
 * trainer and routes its events to them. */
#pragma once

#include "an-classify-page.h"
#include "an-filters-page.h"
#include "an-lrn-page.h"
#include "an-maps-page.h"
#include "an-setup-page.h"
#include "an-training-page.h"
#include "an-ui-util.h"
#include "an-window.h"

G_BEGIN_DECLS

struct _AnWindow {
  AdwApplicationWindow parent_instance;

  /* from the template */
  AdwToastOverlay *toast_overlay;
  GtkButton *start_button, *pause_button, *resume_button, *stop_button;
  GtkLabel *state_label;
  AdwViewStack *stack;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar *switcher_bar;
  AnSetupPage *setup_page;
  AnTrainingPage *training_page;
  AnFiltersPage *filters_page;
  AnMapsPage *maps_page;
  AnLrnPage *lrn_page;
  AnClassifyPage *classify_page;

  GSettings *settings;

  /* the run */
  AnTrainer *trainer;
  AnTrainerState state;
  double run_seconds; /* the training time of the last step received */
  guint snapshot_timeout;
  const char *export_chart; /* the chart a file is being chosen for (static string) */

  GCancellable *cancellable; /* cancelled when the window is closed */
  char *last_toast;
  GPtrArray *toasts; /* shown or queued, not yet dismissed */
  int warnings;      /* the trainer's warnings so far */
  char *last_warning;
};

void an_window_start_run (AnWindow *self);
void an_window_adopt_trainer (AnWindow *self, AnTrainer *trainer);

void an_window_actions_class_init (GtkWidgetClass *widget_class);
void an_window_update_actions (AnWindow *self);

void an_window_export_class_init (GtkWidgetClass *widget_class);
void an_window_export_update_actions (AnWindow *self);

void an_window_update_state_label (AnWindow *self);

G_END_DECLS
