/* an-lrn-page.h: the LRN page: the maps of the probe image before and after a local response
 * normalisation layer, their difference and histograms, with the layer's parameters to try. */
#pragma once

#include <adwaita.h>

#include "an-preset.h"
#include "an-tile-grid.h"
#include "an-trainer.h"

G_BEGIN_DECLS

#define AN_TYPE_LRN_PAGE (an_lrn_page_get_type ())
G_DECLARE_FINAL_TYPE (AnLrnPage, an_lrn_page, AN, LRN_PAGE, AdwBin)

void an_lrn_page_set_trainer (AnLrnPage *self, AnTrainer *trainer);
void an_lrn_page_set_preset (AnLrnPage *self, const AnPreset *preset);
/* The probe image (copied; NULL: the first validation image). */
void an_lrn_page_set_probe (AnLrnPage *self, const AnImage *probe);
void an_lrn_page_request (AnLrnPage *self);
/* Shows an AN_SNAPSHOT_LRN snapshot. */
void an_lrn_page_show (AnLrnPage *self, AnSnapshot *lrn);
AnTileGrid *an_lrn_page_get_probe_grid (AnLrnPage *self);
/* The before (0), after (1) and difference (2) grids. */
AnTileGrid *an_lrn_page_get_grid (AnLrnPage *self, int which);
/* The colour scale of the before (0), after (1) and difference (2) grids. */
void an_lrn_page_get_range (AnLrnPage *self, int which, double *lo, double *hi);

G_END_DECLS
