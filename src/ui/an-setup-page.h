/* an-setup-page.h: the Setup page: the preset, the dataset with its preview, and every
 * hyperparameter row of the run configuration. */
#pragma once

#include <adwaita.h>

#include "an-config.h"
#include "an-preset.h"

G_BEGIN_DECLS

#define AN_TYPE_SETUP_PAGE (an_setup_page_get_type ())
G_DECLARE_FINAL_TYPE (AnSetupPage, an_setup_page, AN, SETUP_PAGE, AdwBin)

/* The run configuration the page describes (caller clears it) / shows. */
void an_setup_page_get_run_config (AnSetupPage *self, AnRunConfig *cfg);
void an_setup_page_set_run_config (AnSetupPage *self, const AnRunConfig *cfg);
/* During a run the page cannot be changed (and says why). */
void an_setup_page_set_locked (AnSetupPage *self, gboolean locked);
/* The selected preset, or NULL; "preset-changed" is emitted when it changes. */
const AnPreset *an_setup_page_get_preset (AnSetupPage *self);

/* The dataset preview: FALSE while the dataset is being read; the image counts of its
 * training and test splits (-1 when unknown) and the number of sample images shown. */
gboolean an_setup_page_get_dataset_preview (AnSetupPage *self, int *n_train, int *n_test,
                                            int *n_samples);
GtkWidget *an_setup_page_get_dataset_info_row (AnSetupPage *self);
GtkWidget *an_setup_page_get_dataset_sample (AnSetupPage *self, int i);

G_END_DECLS
