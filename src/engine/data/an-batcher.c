/* an-batcher.c: a pool of worker threads turning dataset images into input batches ahead of
 * the model, through a fixed pool of depth batch buffers (no allocation after start-up but
 * the one image each worker is decoding).
 *
 * Work is handed out per image: a batch is started by the first idle worker (in batch order),
 * its image slots are claimed one by one by whichever worker is free, and the batch becomes
 * ready when its last slot is written and every batch before it is ready. What a slot holds
 * depends only on (seed, epoch, image index), never on the worker nor the timing, so batches
 * are bit-identical whatever the number of workers. Every random choice is a pure function of
 * (seed, epoch, image index) via an-rng.h:
 *   order    AN_RNG_STREAM (SHUFFLE, 0, epoch), Fisher-Yates over the given indices;
 *   crops, flips and colour jitter: the spec's pipeline (an-pipeline.c).
 * so a run resumed mid-epoch sees the very batches it would have seen.
 *
 * Streamed (folder) images are decoded by the workers; an image that cannot be read or
 * decoded is replaced by the next image of its class that can (an_dataset_same_class), keeping
 * the slot's random choices, and reported (an_batcher_take_failures).
 */
#define G_LOG_DOMAIN "alexnet-data"
#include "config.h"

#include <string.h>

#include "an-dataset-private.h"
#include "an-error.h"
#include "an-pipeline.h"
#include "an-rng.h"
#include "an-sync.h"

enum {
  MAX_REPLACEMENT_TRIES = 64,
};

/* A batch being filled. */
typedef struct {
  AnBatch *batch;
  guint generation;
  int *images;    /* the batch's image indices (batch of them) */
  int claimed;    /* slots handed to workers */
  int done;       /* slots written */
} Fill;

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
  int n_workers;

  AnBatch *buffers; /* depth of them */
  Fill *fills;      /* one per buffer */

  AnMutex lock;
  AnCond cond;
  GThread **threads;
  gboolean stop;
  /* What the workers should be making; generation changes at every start_epoch so work
   * begun for an older epoch is dropped. */
  guint generation;
  int epoch;
  int produce_next;  /* next batch index to start */
  int consume_next;  /* next batch index an_batcher_next returns */
  GQueue free_list;  /* AnBatch * ready to be filled */
  GQueue filling;    /* Fill * being filled, in the order they were started */
  GQueue ready;      /* AnBatch * filled for (generation), in batch order */
  int held;          /* batches given out and not released yet */
  gboolean started;
  GPtrArray *failures; /* "PATH: why" not taken yet */
  int epoch_failures;

  /* the epoch order (under lock) */
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

/* Slot k of fill f: image image decoded (or a replacement of its class) into out. Failures
 * are appended to failures ("PATH: why"): an image file that does not decode, an in-memory
 * image in a packed file's damaged chunk. */
static void
fill_slot (AnBatcher *b, int epoch, int image, float *out, GPtrArray *failures)
{
  const AnDataset *ds = b->ds;
  g_autoptr (AnImage) img = NULL;
  const guint8 *pixels = NULL;
  int channels = ds->channels, height = ds->height, width = ds->width;
  int source = image;
  for (int attempt = 0; pixels == NULL && attempt <= MAX_REPLACEMENT_TRIES; attempt++)
    {
      g_autoptr (GError) error = NULL;
      source = attempt == 0 ? image : an_dataset_same_class (ds, image, attempt);
      if (attempt > 0 && source == image)
        break; /* every image of the class tried */
      if (ds->paths == NULL)
        {
          /* in memory (IDX, CIFAR, a packed file's mapping): the pixels where they are, no
           * copy, once a packed file's chunk has passed its checksum */
          if (an_dataset_check_image (ds, source, &error))
            pixels = ds->pixels + (gsize) source * channels * height * width;
          else if (attempt == 0)
            /* once per image: its replacements' chunks are most often the same chunk */
            g_ptr_array_add (failures, g_strdup (error->message));
          continue;
        }
      img = an_dataset_get_image (ds, source,
                                  an_pipeline_min_short_side (b->spec.pipeline, &b->spec),
                                  &error);
      if (img != NULL && img->channels != 1 && img->channels != 3)
        {
          g_set_error (&error, AN_ERROR, AN_ERROR_FORMAT, "%s: %d channels",
                       ds->paths ? ds->paths[source] : ds->name, img->channels);
          g_clear_pointer (&img, an_image_free);
        }
      if (img == NULL)
        g_ptr_array_add (failures, g_strdup (error->message));
      else
        {
          pixels = img->pixels;
          channels = img->channels;
          height = img->height;
          width = img->width;
        }
    }
  if (pixels == NULL)
    {
      /* nothing of the class can be read: a black image rather than a stopped run */
      img = an_image_new (1, 1, 1);
      pixels = img->pixels;
      channels = height = width = 1;
    }
  an_pipeline_sample (b->spec.pipeline, &b->spec, pixels, channels, height, width, b->train,
                      b->seed, epoch, image, AN_PIPELINE_VIEW_CENTRE, out);
}

/* Moves the finished batches at the head of filling to ready (or back to free_list when their
 * epoch was abandoned). Under lock. */
static void
flush_filled (AnBatcher *b)
{
  Fill *f;
  while ((f = g_queue_peek_head (&b->filling)) != NULL && f->done == f->batch->n)
    {
      g_queue_pop_head (&b->filling);
      if (f->generation == b->generation)
        g_queue_push_tail (&b->ready, f->batch);
      else
        g_queue_push_tail (&b->free_list, f->batch);
      an_cond_broadcast (&b->cond);
    }
}

/* A slot to fill: of a batch already started, else of a new batch. Under lock. */
static Fill *
claim (AnBatcher *b, int *slot)
{
  for (GList *l = b->filling.head; l != NULL; l = l->next)
    {
      Fill *f = l->data;
      if (f->generation == b->generation && f->claimed < f->batch->n)
        {
          *slot = f->claimed++;
          return f;
        }
    }
  if (!b->started || b->produce_next >= b->batches_per_epoch ||
      g_queue_is_empty (&b->free_list))
    return NULL;
  AnBatch *batch = g_queue_pop_head (&b->free_list);
  Fill *f = &b->fills[batch - b->buffers];
  int index = b->produce_next++;
  epoch_order (b, b->epoch);
  int first = index * b->batch;
  batch->n = MIN (b->batch, b->count - first);
  batch->epoch = b->epoch;
  batch->index = index;
  memcpy (f->images, b->order + first, (gsize) batch->n * sizeof (int));
  f->generation = b->generation;
  f->claimed = 1;
  f->done = 0;
  g_queue_push_tail (&b->filling, f);
  *slot = 0;
  return f;
}

static gpointer
worker (gpointer data)
{
  AnBatcher *b = data;
  gsize input = (gsize) b->spec.channels * b->spec.height * b->spec.width;
  g_autoptr (GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);
  an_mutex_lock (&b->lock);
  while (!b->stop)
    {
      int slot = 0;
      Fill *f = claim (b, &slot);
      if (f == NULL)
        {
          an_cond_wait (&b->cond, &b->lock);
          continue;
        }
      AnBatch *batch = f->batch;
      int image = f->images[slot], epoch = batch->epoch;
      an_mutex_unlock (&b->lock);

      fill_slot (b, epoch, image, batch->x + slot * input, failures);
      batch->labels[slot] = b->ds->labels[image];

      an_mutex_lock (&b->lock);
      if (failures->len > 0)
        {
          if (f->generation == b->generation)
            b->epoch_failures++;
          for (guint i = 0; i < failures->len; i++)
            g_ptr_array_add (b->failures, g_steal_pointer (&failures->pdata[i]));
          g_ptr_array_set_size (failures, 0);
        }
      f->done++;
      flush_filled (b);
    }
  an_mutex_unlock (&b->lock);
  return NULL;
}

AnBatcher *
an_batcher_new (const AnDataset *ds, const int *indices, int count, const AnInputSpec *spec,
                int batch, gboolean train, guint64 seed, int depth, int workers)
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
  b->n_workers = workers > 0 ? workers : (int) g_get_num_processors ();
  /* more workers than images in flight would only wait */
  b->n_workers = MAX (1, MIN (b->n_workers, depth * batch));

  gsize input = (gsize) spec->channels * spec->height * spec->width;
  b->buffers = g_new0 (AnBatch, depth);
  b->fills = g_new0 (Fill, depth);
  for (int i = 0; i < depth; i++)
    {
      b->buffers[i].x = g_new (float, (gsize) batch * input);
      b->buffers[i].labels = g_new (gint32, batch);
      b->fills[i].batch = &b->buffers[i];
      b->fills[i].images = g_new (int, batch);
      g_queue_push_tail (&b->free_list, &b->buffers[i]);
    }
  b->order = g_new (int, count);
  b->order_epoch = -1;
  b->failures = g_ptr_array_new_with_free_func (g_free);
  an_mutex_init (&b->lock);
  an_cond_init (&b->cond);
  b->threads = g_new0 (GThread *, b->n_workers);
  for (int i = 0; i < b->n_workers; i++)
    b->threads[i] = g_thread_new ("an-batcher", worker, b);
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
  b->epoch_failures = 0;
  AnBatch *stale;
  while ((stale = g_queue_pop_head (&b->ready)) != NULL)
    g_queue_push_tail (&b->free_list, stale);
  /* batches of the old epoch being filled: no more slots handed out; they go back to the
   * free list once the slots in hand are written */
  for (GList *l = b->filling.head; l != NULL; l = l->next)
    {
      Fill *f = l->data;
      f->batch->n = f->claimed;
    }
  flush_filled (b);
  an_cond_broadcast (&b->cond);
  an_mutex_unlock (&b->lock);
}

char **
an_batcher_take_failures (AnBatcher *b)
{
  char **out = NULL;
  an_mutex_lock (&b->lock);
  if (b->failures->len > 0)
    {
      g_ptr_array_add (b->failures, NULL);
      out = (char **) g_ptr_array_free (b->failures, FALSE);
      b->failures = g_ptr_array_new_with_free_func (g_free);
    }
  an_mutex_unlock (&b->lock);
  return out;
}

int
an_batcher_epoch_failures (AnBatcher *b)
{
  an_mutex_lock (&b->lock);
  int n = b->epoch_failures;
  an_mutex_unlock (&b->lock);
  return n;
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
  for (int i = 0; i < b->n_workers; i++)
    g_thread_join (b->threads[i]);
  g_free (b->threads);
  an_mutex_clear (&b->lock);
  an_cond_clear (&b->cond);
  g_queue_clear (&b->free_list);
  g_queue_clear (&b->ready);
  g_queue_clear (&b->filling);
  g_ptr_array_unref (b->failures);
  for (int i = 0; i < b->depth; i++)
    {
      g_free (b->buffers[i].x);
      g_free (b->buffers[i].labels);
      g_free (b->fills[i].images);
    }
  g_free (b->fills);
  g_free (b->buffers);
  g_free (b->indices);
  g_free (b->order);
  g_free (b);
}
