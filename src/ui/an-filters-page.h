/* an-filters-page.h: the Filters page: the first layer's filters, one grid per tower, with
 * the share of each tower's filter energy that is colour. */
#pragma once

#include <adwaita.h>

#include "an-snapshot.h"
#include "an-tile-grid.h"

G_BEGIN_DECLS

#define AN_TYPE_FILTERS_PAGE (an_filters_page_get_type ())
G_DECLARE_FINAL_TYPE (AnFiltersPage, an_filters_page, AN, FILTERS_PAGE, AdwBin)

/* Shows an AN_SNAPSHOT_WEIGHTS snapshot of conv1. */
void an_filters_page_show (AnFiltersPage *self, AnSnapshot *weights);
/* The grid of tower 0 or 1. */
AnTileGrid *an_filters_page_get_grid (AnFiltersPage *self, int tower);
/* The grids shown that hold filters (0, 1 or 2, into grids[2]). */
int an_filters_page_get_filled_grids (AnFiltersPage *self, AnTileGrid **grids);

G_END_DECLS
