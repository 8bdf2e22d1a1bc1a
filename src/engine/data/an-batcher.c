/* an-batcher.c: one background thread turning dataset images into input batches ahead of
 * the model, through a fixed pool of depth batch buffers (no allocation after start-up).
 * Every random choice is a pure function of (seed, epoch, image index) via an-rng.h:
 *   order    AN_RNG_STREAM (SHUFFLE, 0, epoch), Fisher-Yates over the given indices;
 *   crop/flip AN_RNG_STREAM (AUGMENT, 0, epoch), uniforms at 4 * image + {0 crop y, 1 crop x, 2 flip};
 *   PCA      AN_RNG_STREAM (AUGMENT, 1, epoch), normals at 3 * image + i.
 * so a run resumed mid-epoch sees the very batches it would have seen.
 */
#define G_LOG_DOMAIN "alexnet-data"
#include "config.h"

#include <string.h>

#include "an-dataset-private.h"
#include "an-rng.h"
#include "an-sync.h"

enum {
  CROP_PAD = 4, /* random crops are taken from the input padded by this on every side */
  UNIFORM_CROP_Y = 0,
  UNIFORM_CROP_X = 1,
  UNIFORM_FLIP = 2,
  UNIFORMS_PER_IMAGE = 4,
};

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

  /* the producer's own scratch: the epoch order and one image */
  int *order;
  int order_epoch;
  float *unit;   /* (C, H, W) */
  float *padded; /* (C, H + 2 * CROP_PAD, W + 2 * CROP_PAD) */
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

/* Crop, flip and PCA jitter of one image in [0, 1] units, in place in b->unit. */
static void
augment (AnBatcher *b, int epoch, int image)
{
  const AnInputSpec *s = &b->spec;
  int C = s->channels, H = s->height, W = s->width;
  gsize plane = (gsize) H * W;
  guint64 uniforms = AN_RNG_STREAM (AN_RNG_AUGMENT, 0, epoch);
  guint64 base = (guint64) image * UNIFORMS_PER_IMAGE;

  if (s->crop)
    {
      int PH = H + 2 * CROP_PAD, PW = W + 2 * CROP_PAD;
      int oy = (int) (an_rng_uniform (b->seed, uniforms, base + UNIFORM_CROP_Y) * (2 * CROP_PAD + 1));
      int ox = (int) (an_rng_uniform (b->seed, uniforms, base + UNIFORM_CROP_X) * (2 * CROP_PAD + 1));
      memset (b->padded, 0, (gsize) C * PH * PW * sizeof (float));
      for (int c = 0; c < C; c++)
        for (int y = 0; y < H; y++)
          memcpy (b->padded + ((gsize) c * PH + y + CROP_PAD) * PW + CROP_PAD,
                  b->unit + c * plane + (gsize) y * W, W * sizeof (float));
      for (int c = 0; c < C; c++)
        for (int y = 0; y < H; y++)
          memcpy (b->unit + c * plane + (gsize) y * W,
                  b->padded + ((gsize) c * PH + y + oy) * PW + ox, W * sizeof (float));
    }
  if (s->flip && an_rng_uniform (b->seed, uniforms, base + UNIFORM_FLIP) < 0.5f)
    for (int c = 0; c < C; c++)
      for (int y = 0; y < H; y++)
        {
          float *row = b->unit + c * plane + (gsize) y * W;
          for (int x = 0; x < W / 2; x++)
            {
              float t = row[x];
              row[x] = row[W - 1 - x];
              row[W - 1 - x] = t;
            }
        }
  if (s->pca)
    {
      guint64 normals = AN_RNG_STREAM (AN_RNG_AUGMENT, 1, epoch);
      float shift[3] = { 0 };
      for (int i = 0; i < 3; i++)
        {
          double alpha = s->pca_std * an_rng_normal (b->seed, normals, (guint64) image * 3 + i);
          for (int c = 0; c < 3; c++)
            shift[c] += (float) (alpha * s->pca_eigval[i] * s->pca_eigvec[i][c]);
        }
      for (int c = 0; c < C; c++)
        for (gsize p = 0; p < plane; p++)
          b->unit[c * plane + p] += shift[c];
    }
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
      an_input_to_unit (&b->spec, ds->pixels + (gsize) image * image_bytes, ds->channels,
                        ds->height, ds->width, b->unit);
      if (b->train)
        augment (b, epoch, image);
      an_input_normalize (&b->spec, b->unit);
      memcpy (out->x + k * input, b->unit, input * sizeof (float));
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
  b->unit = g_new (float, input);
  b->padded = g_new (float, (gsize) spec->channels * (spec->height + 2 * CROP_PAD) *
                              (spec->width + 2 * CROP_PAD));
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
  g_free (b->unit);
  g_free (b->padded);
  g_free (b);
}
