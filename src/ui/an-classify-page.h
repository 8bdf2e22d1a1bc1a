/* an-classify-page.h: the Classify page: an image dropped or opened, classified in a thread
 * by the current run's weights or an opened checkpoint, and the validation confusion matrix. */
#pragma once

#include <adwaita.h>

#include "an-tile-grid.h"
#include "an-trainer.h"

G_BEGIN_DECLS

#define AN_TYPE_CLASSIFY_PAGE (an_classify_page_get_type ())
G_DECLARE_FINAL_TYPE (AnClassifyPage, an_classify_page, AN, CLASSIFY_PAGE, AdwBin)

/* A new run (or NULL): whatever was being built or classified belonged to the previous one. */
void an_classify_page_set_trainer (AnClassifyPage *self, AnTrainer *trainer);
/* The run's weights have moved on (an epoch ended, the run stopped): the image shown is
 * classified again with the newest weights, fetched once (not at every step). */
void an_classify_page_weights_changed (AnClassifyPage *self);
/* AN_SNAPSHOT_CONFUSION and AN_SNAPSHOT_PARAMS snapshots. */
void an_classify_page_show (AnClassifyPage *self, AnSnapshot *snapshot);
/* Classify with the weights of this checkpoint (built in a thread). */
void an_classify_page_use_checkpoint (AnClassifyPage *self, const char *path);
/* A drop: value holds a GdkFileList or a GdkTexture. FALSE (and a toast) when there is
 * nothing usable; decoding goes on in a thread. */
gboolean an_classify_page_drop (AnClassifyPage *self, const GValue *value);

AnTileGrid *an_classify_page_get_image (AnClassifyPage *self);
int an_classify_page_get_n_predictions (AnClassifyPage *self);
/* TRUE while the image waits for its predictions. */
gboolean an_classify_page_is_busy (AnClassifyPage *self);
/* The training step of the weights that gave the predictions shown; -1: an opened
 * checkpoint's, 0: none shown. */
gint64 an_classify_page_get_weights_step (AnClassifyPage *self);
/* Counts results (an image classified, or refused): tests wait on it. */
guint an_classify_page_get_serial (AnClassifyPage *self);

G_END_DECLS
