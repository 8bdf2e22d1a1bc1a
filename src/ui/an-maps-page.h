/* an-maps-page.h: the Feature Maps page: the maps of one layer for a probe image (the first
 * validation image or one the user chooses), one of them enlarged. */
#pragma once

#include <adwaita.h>

#include "an-preset.h"
#include "an-tile-grid.h"
#include "an-trainer.h"

G_BEGIN_DECLS

#define AN_TYPE_MAPS_PAGE (an_maps_page_get_type ())
G_DECLARE_FINAL_TYPE (AnMapsPage, an_maps_page, AN, MAPS_PAGE, AdwBin)

void an_maps_page_set_trainer (AnMapsPage *self, AnTrainer *trainer);
/* The layers with spatial maps of this preset fill the layer list. */
void an_maps_page_set_preset (AnMapsPage *self, const AnPreset *preset);
/* Asks the trainer for the maps of the chosen layer and probe. */
void an_maps_page_request (AnMapsPage *self);
/* Shows an AN_SNAPSHOT_FEATURES snapshot. */
void an_maps_page_show (AnMapsPage *self, AnSnapshot *features);
/* The chosen probe image, NULL for the first validation image; "probe-changed" is emitted
 * when it changes. */
const AnImage *an_maps_page_get_probe (AnMapsPage *self);
AnTileGrid *an_maps_page_get_maps_grid (AnMapsPage *self);
/* The probe image the maps shown were computed for. */
AnTileGrid *an_maps_page_get_probe_grid (AnMapsPage *self);

G_END_DECLS
