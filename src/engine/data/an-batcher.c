/* an-batcher.c: one background thread turning dataset images into input batches ahead of
 * the model, through a fixed pool of depth batch buffers (no allocation after start-up).
 * Every random choice is a pure function of (seed, epoch, image index) via an-rng.h:
 *   order    AN_RNG_STREAM (SHUFFLE, 0, epoch), Fisher-Yates over the given indices;
 *   crops, flips and colour jitter: the spec's pipeline (an-pipeline.c),
 * so a run resumed mid-epoch sees the very batches it would have seen.
 */
#define G_LOG_DOMAIN "alexnet-data"
#include "config.h"

#include <string.h>

#include "an-dataset-private.h"
#include "an-pipeline.h"
#include "an-rng.h"
#include "an-sync.h"

struct _AnBatcher {
  const AnDataset *ds;
  int *indices;
  int count;
  AnInputSpec spec;
  int batch;
  gboolean train;
  guint64 seed;
  int depth;
  int batches_per_epoch;

  AnBatch *buffers; /* depth of them */

  AnMutex lock;
  AnCond cond;
  GThread *thread;
  gboolean stop;
  /* What the producer should be making; generation changes at every start_epoch so work
   * begun for an older epoch is dropped. */
  guint generation;
  int epoch;
  int produce_next;  /* next batch index to produce */
  int consume_next;  /* next batch index an_batcher_next returns */
  GQueue free_list;  /* AnBatch * ready to be filled */
  GQueue ready;      /* AnBatch * filled for (generation), in batch order */
  int held;          /* batches given out and not released yet */
  gboolean started;

  /* the producer's own scratch: the epoch order */
  int *order;
  int order_epoch;
};

static void
epoch_order (AnBatcher *b, int epoch)
{
  if (b->order_epoch == epoch)
    return;
  memcpy (b->order, b->indices, (gsize) b->count * sizeof (int));
  if (b->train)
    an_shuffle (b->seed, AN_RNG_STREAM (AN_RNG_SHUFFLE, 0, epoch), b->count, b->order);
  b->order_epoch = epoch;
}

static void
fill_batch (AnBatcher *b, AnBatch *out, int epoch, int index)
{
  const AnDataset *ds = b->ds;
  gsize input = (gsize) b->spec.channels * b->spec.height * b->spec.width;
  gsize image_bytes = (gsize) ds->channels * ds->height * ds->width;
  epoch_order (b, epoch);
  int first = index * b->batch;
  out->n = MIN (b->batch, b->count - first);
  out->epoch = epoch;
  out->index = index;
  for (int k = 0; k < out->n; k++)
    {
      int image = b->order[first + k];
      an_pipeline_sample (b->spec.pipeline, &b->spec, ds->pixels + (gsize) image * image_bytes,
                          ds->channels, ds->height, ds->width, b->train, b->seed, epoch, image,
                          AN_PIPELINE_VIEW_CENTRE, out->x + k * input);
      out->labels[k] = ds->labels[image];
    }
}

static gpointer
producer (gpointer data)
{
  AnBatcher *b = data;
  an_mutex_lock (&b->lock);
  while (!b->stop)
    {
      if (!b->started || b->produce_next >= b->batches_per_epoch ||
          g_queue_is_empty (&b->free_list))
        {
          an_cond_wait (&b->cond, &b->lock);
          continue;
        }
      AnBatch *batch = g_queue_pop_head (&b->free_list);
      guint generation = b->generation;
      int epoch = b->epoch, index = b->produce_next++;
      an_mutex_unlock (&b->lock);

      fill_batch (b, batch, epoch, index);

      an_mutex_lock (&b->lock);
      if (generation == b->generation)
        g_queue_push_tail (&b->ready, batch);
      else
        g_queue_push_tail (&b->free_list, batch);
      an_cond_broadcast (&b->cond);
    }
  an_mutex_unlock (&b->lock);
  return NULL;
}

AnBatcher *
an_batcher_new (const AnDataset *ds, const int *indices, int count, const AnInputSpec *spec,
                int batch, gboolean train, guint64 seed, int depth)
{
  g_return_val_if_fail (ds != NULL && spec != NULL && count > 0 && batch > 0 && depth > 0, NULL);
  g_return_val_if_fail (spec->channels == 1 || spec->channels == 3, NULL);
  AnBatcher *b = g_new0 (AnBatcher, 1);
  b->ds = ds;
  b->count = count;
  b->indices = g_new (int, count);
  for (int i = 0; i < count; i++)
    b->indices[i] = indices ? indices[i] : i;
  b->spec = *spec;
  b->batch = batch;
  b->train = train;
  b->seed = seed;
  b->depth = depth;
  b->batches_per_epoch = (count + batch - 1) / batch;

  gsize input = (gsize) spec->channels * spec->height * spec->width;
  b->buffers = g_new0 (AnBatch, depth);
  for (int i = 0; i < depth; i++)
    {
      b->buffers[i].x = g_new (float, (gsize) batch * input);
      b->buffers[i].labels = g_new (gint32, batch);
      g_queue_push_tail (&b->free_list, &b->buffers[i]);
    }
  b->order = g_new (int, count);
  b->order_epoch = -1;
  an_mutex_init (&b->lock);
  an_cond_init (&b->cond);
  b->thread = g_thread_new ("an-batcher", producer, b);
  return b;
}

void
an_batcher_start_epoch (AnBatcher *b, int epoch, int start_index)
{
  g_return_if_fail (epoch >= 0 && start_index >= 0);
  an_mutex_lock (&b->lock);
  b->generation++;
  b->epoch = epoch;
  b->produce_next = MIN (start_index, b->batches_per_epoch);
  b->consume_next = b->produce_next;
  b->started = TRUE;
  AnBatch *stale;
  while ((stale = g_queue_pop_head (&b->ready)) != NULL)
    g_queue_push_tail (&b->free_list, stale);
  an_cond_broadcast (&b->cond);
  an_mutex_unlock (&b->lock);
}

AnBatch *
an_batcher_next (AnBatcher *b)
{
  AnBatch *batch = NULL;
  an_mutex_lock (&b->lock);
  while (b->started && b->consume_next < b->batches_per_epoch)
    {
      batch = g_queue_pop_head (&b->ready);
      if (batch != NULL)
        {
          b->consume_next++;
          b->held++;
          break;
        }
      if (b->held == b->depth)
        {
          g_critical ("an_batcher_next: all %d batches are held; release one first", b->depth);
          break;
        }
      an_cond_wait (&b->cond, &b->lock);
    }
  an_mutex_unlock (&b->lock);
  return batch;
}

void
an_batcher_release (AnBatcher *b, AnBatch *batch)
{
  g_return_if_fail (batch != NULL);
  an_mutex_lock (&b->lock);
  b->held--;
  g_queue_push_tail (&b->free_list, batch);
  an_cond_broadcast (&b->cond);
  an_mutex_unlock (&b->lock);
}

int
an_batcher_batches_per_epoch (AnBatcher *b)
{
  return b->batches_per_epoch;
}

void
an_batcher_free (AnBatcher *b)
{
  if (b == NULL)
    return;
  an_mutex_lock (&b->lock);
  b->stop = TRUE;
  an_cond_broadcast (&b->cond);
  an_mutex_unlock (&b->lock);
  g_thread_join (b->thread);
  an_mutex_clear (&b->lock);
  an_cond_clear (&b->cond);
  g_queue_clear (&b->free_list);
  g_queue_clear (&b->ready);
  for (int i = 0; i < b->depth; i++)
    {
      g_free (b->buffers[i].x);
      g_free (b->buffers[i].labels);
    }
  g_free (b->buffers);
  g_free (b->indices);
  g_free (b->order);
  g_free (b);
}
