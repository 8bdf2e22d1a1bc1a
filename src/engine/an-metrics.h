/* an-metrics.h: the run's metrics file, CSV readable by any plotting tool (docs/FILES.md). */
#pragma once

#include <glib.h>

#include "an-config.h"

G_BEGIN_DECLS

/* A header block of "# key=value" configuration lines, then one column-header line, then rows
 * of kind "step", "epoch", "change" (a live hyperparameter, named by an_live_key_name), "test"
 * or "bad_image". Every
 * row is flushed and fdatasync'd at epoch ends, so kill -9 loses at most the current epoch's
 * step rows. */
typedef struct _AnMetrics AnMetrics;
AnMetrics *an_metrics_open (const char *path, const AnRunConfig *cfg, gboolean append,
                            GError **error);
gboolean an_metrics_step (AnMetrics *m, gint64 step, int epoch, double wall, double lr,
                          double loss, double grad_norm, double images_per_second, GError **error);
gboolean an_metrics_epoch (AnMetrics *m, gint64 step, int epoch, double wall, double lr,
                           double train_loss, double train_acc, double val_loss, double val_acc,
                           double val_top5, GError **error);
gboolean an_metrics_change (AnMetrics *m, gint64 step, int epoch, double wall, AnLiveKey key,
                            double old_value, double new_value, GError **error);
/* A "test" row: the test split's loss, top-1 and top-5 (in the val_* columns) and its image
 * count (in "new"), when training ends; synced. */
gboolean an_metrics_test (AnMetrics *m, gint64 step, int epoch, double wall, double loss,
                          double top1, double top5, int n_images, GError **error);
/* A "bad_image" row: an image that could not be decoded ("PATH: why", in "key", quoted) and
 * the count of such images in the epoch so far (in "new"). */
gboolean an_metrics_bad_image (AnMetrics *m, gint64 step, int epoch, double wall,
                               const char *message, int count, GError **error);
gboolean an_metrics_sync (AnMetrics *m, GError **error);
/* Drops step rows after the given step (a resumed run continues from its checkpoint). */
gboolean an_metrics_truncate_after (const char *path, gint64 step, GError **error);
void an_metrics_close (AnMetrics *m);
/* The step rows of a metrics file up to max_step as AnStepRecords (an-epoch.h), as the trainer
 * reported them (epoch_frac from each epoch's count of steps): a run opened from its checkpoint
 * is drawn from them. */
GArray *an_metrics_read_steps (const char *path, gint64 max_step, GError **error);

G_END_DECLS
