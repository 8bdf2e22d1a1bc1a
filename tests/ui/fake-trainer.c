#define G_LOG_DOMAIN "fake-trainer"
#include "config.h"

/* fake-trainer.c: a stand-in for the trainer, classifier and image loader while the engine's
 * datasets and CPU backend are not linked yet. It implements the an-trainer.h contract with
 * synthetic numbers from a main-loop timeout, so the window can be run and tested. Linked only
 * into the UI test and the development binary, never into alexnet-studio.
 */

#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "an-error.h"
#include "an-trainer.h"

struct _AnTrainer {
  GObject parent_instance;

  AnRunConfig cfg;
  AnTrainerState state;
  gboolean started;
  guint timeout;
  gint64 step;
  int steps_per_epoch;
  double wall;
  double lr;
  char *last_checkpoint;
  GArray *steps, *epochs;
  char **class_names;
  double best_loss;
  int best_epoch;
};

enum { SIG_STEPS, SIG_EPOCH, SIG_HYPER, SIG_STATE, SIG_CHECKPOINT, SIG_SNAPSHOT, SIG_LOG, N_SIGS };
static guint signals[N_SIGS];

G_DEFINE_FINAL_TYPE (AnTrainer, an_trainer, G_TYPE_OBJECT)

static const char *const fashion_names[] = { "T-shirt/top", "Trouser", "Pullover", "Dress",
                                             "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                                             "Ankle boot", NULL };

AnSnapshot *
an_snapshot_ref (AnSnapshot *s)
{
  return g_atomic_rc_box_acquire (s);
}

static void
snapshot_clear (gpointer p)
{
  AnSnapshot *s = p;

  for (int i = 0; i < s->n_tensors; i++)
    g_free (s->tensors[i].data);
  g_free (s->tensors);
  g_free (s->layer);
  g_free (s->confusion);
  an_run_config_clear (&s->config);
}

void
an_snapshot_unref (AnSnapshot *s)
{
  g_atomic_rc_box_release_full (s, snapshot_clear);
}

static void
set_state (AnTrainer *t, AnTrainerState s, const char *reason)
{
  t->state = s;
  g_signal_emit (t, signals[SIG_STATE], 0, (int) s, reason);
}

static void
finish (AnTrainer *t, AnTrainerState s)
{
  g_clear_handle_id (&t->timeout, g_source_remove);
  set_state (t, s, NULL);
}

static gboolean
tick (gpointer user_data)
{
  AnTrainer *t = user_data;
  g_autoptr (GArray) batch = g_array_new (FALSE, FALSE, sizeof (AnStepRecord));

  if (t->state != AN_TRAINER_RUNNING)
    return G_SOURCE_CONTINUE;
  for (int i = 0; i < 4; i++)
    {
      AnStepRecord r = { 0 };

      t->step++;
      t->wall += 0.05;
      r.step = t->step;
      r.epoch = (int) ((t->step - 1) / t->steps_per_epoch) + 1;
      r.epoch_frac = (double) t->step / t->steps_per_epoch;
      r.loss = 2.3 * exp (-t->step / 40.0) + 0.3 + 0.15 * sin (t->step * 1.7);
      r.lr = t->lr;
      r.images_per_second = 900 + 50 * sin (t->step * 0.1);
      r.grad_norm = 1.0 + 0.5 * exp (-t->step / 30.0) + 0.1 * sin (t->step);
      r.wall_seconds = t->wall;
      g_array_append_val (batch, r);
      g_array_append_val (t->steps, r);

      if (t->step % t->steps_per_epoch == 0)
        {
          AnEpochRecord e = { 0 };

          g_signal_emit (t, signals[SIG_STEPS], 0, batch);
          g_array_set_size (batch, 0);
          e.epoch = r.epoch;
          e.step = t->step;
          e.train_loss = r.loss;
          e.train_acc = 1.0 - 0.8 * exp (-e.epoch / 2.0);
          e.val_loss = r.loss + 0.1;
          e.val_acc = e.train_acc - 0.03;
          e.val_top5 = MIN (1.0, e.val_acc + 0.15);
          e.lr = t->lr;
          if (e.val_loss < t->best_loss)
            {
              t->best_loss = e.val_loss;
              t->best_epoch = e.epoch;
            }
          e.best_val_loss = t->best_loss;
          e.best_epoch = t->best_epoch;
          e.wall_seconds = t->wall;
          g_array_append_val (t->epochs, e);
          g_free (t->last_checkpoint);
          t->last_checkpoint = g_build_filename (t->cfg.checkpoint_dir ? t->cfg.checkpoint_dir
                                                                       : g_get_tmp_dir (),
                                                 "last.ckpt", NULL);
          g_file_set_contents (t->last_checkpoint, "fake checkpoint", -1, NULL);
          g_signal_emit (t, signals[SIG_EPOCH], 0, &e);
          g_signal_emit (t, signals[SIG_CHECKPOINT], 0, t->last_checkpoint);
          if (e.epoch >= t->cfg.epochs)
            {
              finish (t, AN_TRAINER_FINISHED);
              return G_SOURCE_REMOVE;
            }
        }
    }
  if (batch->len > 0)
    g_signal_emit (t, signals[SIG_STEPS], 0, batch);
  return G_SOURCE_CONTINUE;
}

static void
an_trainer_dispose (GObject *object)
{
  AnTrainer *t = AN_TRAINER (object);

  g_clear_handle_id (&t->timeout, g_source_remove);
  G_OBJECT_CLASS (an_trainer_parent_class)->dispose (object);
}

static void
an_trainer_finalize (GObject *object)
{
  AnTrainer *t = AN_TRAINER (object);

  an_run_config_clear (&t->cfg);
  g_free (t->last_checkpoint);
  g_array_unref (t->steps);
  g_array_unref (t->epochs);
  g_strfreev (t->class_names);
  G_OBJECT_CLASS (an_trainer_parent_class)->finalize (object);
}

static void
an_trainer_class_init (AnTrainerClass *klass)
{
  GType type = G_TYPE_FROM_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = an_trainer_dispose;
  G_OBJECT_CLASS (klass)->finalize = an_trainer_finalize;
  signals[SIG_STEPS] = g_signal_new ("steps", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_EPOCH] = g_signal_new ("epoch", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_HYPER] = g_signal_new ("hyperparameter-changed", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                     NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_STATE] = g_signal_new ("state-changed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                     NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
  signals[SIG_CHECKPOINT] = g_signal_new ("checkpoint-written", type, G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIG_SNAPSHOT] = g_signal_new ("snapshot-ready", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                        NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_LOG] = g_signal_new ("log", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
an_trainer_init (AnTrainer *t)
{
  t->steps = g_array_new (FALSE, FALSE, sizeof (AnStepRecord));
  t->epochs = g_array_new (FALSE, FALSE, sizeof (AnEpochRecord));
  t->best_loss = INFINITY;
  t->class_names = g_strdupv ((char **) fashion_names);
}

AnTrainer *
an_trainer_new (const AnRunConfig *cfg, GError **error)
{
  AnTrainer *t;

  if (!an_run_config_validate (cfg, error))
    return NULL;
  t = g_object_new (AN_TYPE_TRAINER, NULL);
  an_run_config_copy (&t->cfg, cfg);
  t->lr = cfg->lr;
  t->steps_per_epoch = MAX (4, (cfg->train_size > 0 ? cfg->train_size : 2000) / cfg->batch);
  return t;
}

AnTrainer *
an_trainer_new_from_checkpoint (const char *path, GError **error)
{
  g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: not a checkpoint", path);
  return NULL;
}

void
an_trainer_start (AnTrainer *t)
{
  t->started = TRUE;
  set_state (t, AN_TRAINER_RUNNING, NULL);
  t->timeout = g_timeout_add (30, tick, t);
}

void
an_trainer_pause (AnTrainer *t)
{
  if (t->state == AN_TRAINER_RUNNING)
    set_state (t, AN_TRAINER_PAUSED, NULL);
}

void
an_trainer_resume (AnTrainer *t)
{
  if (t->state == AN_TRAINER_PAUSED)
    set_state (t, AN_TRAINER_RUNNING, NULL);
}

void
an_trainer_stop (AnTrainer *t)
{
  if (t->state == AN_TRAINER_RUNNING || t->state == AN_TRAINER_PAUSED)
    finish (t, AN_TRAINER_STOPPED);
}

void
an_trainer_stop_keep_best (AnTrainer *t)
{
  an_trainer_stop (t);
}

void
an_trainer_join (AnTrainer *t)
{
}

gboolean
an_trainer_set_hyperparameter (AnTrainer *t, const char *key, double value, GError **error)
{
  AnHyperChange c = { 0 };
  double *field = NULL;

  if (g_str_equal (key, "lr"))
    field = &t->cfg.lr;
  else if (g_str_equal (key, "momentum"))
    field = &t->cfg.momentum;
  else if (g_str_equal (key, "weight_decay"))
    field = &t->cfg.weight_decay;
  else if (g_str_equal (key, "dropout"))
    field = &t->cfg.dropout;
  else if (!g_str_equal (key, "patience"))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_INVALID_ARGUMENT, "%s: not a live hyperparameter",
                   key);
      return FALSE;
    }
  c.step = t->step + 1;
  g_strlcpy (c.key, key, sizeof c.key);
  c.old_value = field ? *field : t->cfg.patience;
  c.new_value = value;
  if (field)
    *field = value;
  else
    t->cfg.patience = (int) value;
  if (g_str_equal (key, "lr"))
    t->lr = value;
  g_signal_emit (t, signals[SIG_HYPER], 0, &c);
  return TRUE;
}

static AnSnapshot *
snapshot_new (AnSnapshotKind kind, const char *layer, int n)
{
  AnSnapshot *s = g_atomic_rc_box_new0 (AnSnapshot);

  s->kind = kind;
  s->layer = g_strdup (layer);
  s->n_tensors = n;
  s->tensors = g_new0 (AnSnapshotTensor, MAX (n, 1));
  an_run_config_init (&s->config);
  return s;
}

static void
fill_tensor (AnSnapshotTensor *st, const char *name, int tower, int a, int b, int c, int d,
             double phase, gboolean grey)
{
  gsize n = (gsize) a * b * c * d;

  g_strlcpy (st->name, name, sizeof st->name);
  st->shape[0] = a;
  st->shape[1] = b;
  st->shape[2] = c;
  st->shape[3] = d;
  st->tower = tower;
  st->data = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    {
      gsize plane = (gsize) c * d;
      gsize p = i % plane, ch = (i / plane) % b, f = i / (plane * b);
      double x = (double) (p % d) / d - 0.5, y = (double) (p / d) / c - 0.5;
      double angle = f * 0.7 + phase;

      st->data[i] = (float) (sin (8 * (x * cos (angle) + y * sin (angle)) + (grey ? 0 : ch))
                             * exp (-4 * (x * x + y * y)));
    }
}

typedef struct {
  AnTrainer *t;
  AnSnapshot *s;
} Delivery;

static gboolean
deliver (gpointer user_data)
{
  Delivery *d = user_data;

  g_signal_emit (d->t, signals[SIG_SNAPSHOT], 0, d->s);
  an_snapshot_unref (d->s);
  g_object_unref (d->t);
  g_free (d);
  return G_SOURCE_REMOVE;
}

static void
queue_delivery (AnTrainer *t, AnSnapshot *s)
{
  Delivery *d = g_new (Delivery, 1);

  s->step = t->step;
  s->epoch = t->epochs->len;
  d->t = g_object_ref (t);
  d->s = s;
  g_idle_add (deliver, d);
}

void
an_trainer_request_snapshot (AnTrainer *t, AnSnapshotKind kind, const char *layer,
                             const AnImage *probe)
{
  double phase = t->step * 0.01;
  AnSnapshot *s;

  if (!t->started)
    return;
  switch (kind)
    {
    case AN_SNAPSHOT_WEIGHTS:
      s = snapshot_new (kind, "conv1", 2);
      fill_tensor (&s->tensors[0], "conv1.weight", 0, 16, 3, 5, 5, phase, TRUE);
      fill_tensor (&s->tensors[1], "conv1.weight", 1, 16, 3, 5, 5, phase + 1, FALSE);
      break;
    case AN_SNAPSHOT_FEATURES:
      s = snapshot_new (kind, layer, 1);
      fill_tensor (&s->tensors[0], layer, -1, 1, 32, 16, 16, phase, FALSE);
      break;
    case AN_SNAPSHOT_CONFUSION:
      s = snapshot_new (kind, NULL, 0);
      s->num_classes = 10;
      s->confusion = g_new0 (gint64, 100);
      for (int i = 0; i < 100; i++)
        s->confusion[i] = i / 10 == i % 10 ? 80 + i % 7 : (i * 7) % 5;
      break;
    case AN_SNAPSHOT_PARAMS:
      s = snapshot_new (kind, NULL, 0);
      break;
    case AN_SNAPSHOT_LRN:
    default:
      g_return_if_reached ();
    }
  queue_delivery (t, s);
}

void
an_trainer_request_lrn_snapshot (AnTrainer *t, const char *layer, const AnImage *probe, int size,
                                 double alpha, double beta, double k)
{
  AnSnapshot *s;
  gsize n = 32 * 16 * 16;

  if (!t->started)
    return;
  s = snapshot_new (AN_SNAPSHOT_LRN, layer, 2);
  s->lrn_size = size > 0 ? size : 5;
  s->lrn_alpha = alpha > 0 ? alpha : 1e-4;
  s->lrn_beta = beta > 0 ? beta : 0.75;
  s->lrn_k = k > 0 ? k : 2;
  fill_tensor (&s->tensors[0], "before", -1, 1, 32, 16, 16, 0.3, FALSE);
  fill_tensor (&s->tensors[1], "after", -1, 1, 32, 16, 16, 0.3, FALSE);
  for (gsize i = 0; i < n; i++)
    s->tensors[1].data[i] = s->tensors[0].data[i] / pow (s->lrn_k + s->lrn_alpha * 10, s->lrn_beta);
  queue_delivery (t, s);
}

AnTrainerState
an_trainer_get_state (AnTrainer *t)
{
  return t->state;
}

const AnRunConfig *
an_trainer_get_config (AnTrainer *t)
{
  return &t->cfg;
}

char **
an_trainer_get_class_names (AnTrainer *t)
{
  return t->class_names;
}

int
an_trainer_get_epochs (AnTrainer *t)
{
  return t->cfg.epochs;
}

int
an_trainer_get_steps_per_epoch (AnTrainer *t)
{
  return t->steps_per_epoch;
}

const char *
an_trainer_get_last_checkpoint (AnTrainer *t)
{
  return t->last_checkpoint;
}

GArray *
an_trainer_get_step_history (AnTrainer *t)
{
  return g_array_copy (t->steps);
}

GArray *
an_trainer_get_epoch_history (AnTrainer *t)
{
  return g_array_copy (t->epochs);
}

const char *
an_trainer_state_to_string (AnTrainerState s)
{
  return "fake";
}

struct _AnClassifier {
  int n;
};

AnClassifier *
an_classifier_new_from_checkpoint (const char *path, GError **error)
{
  g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: not a checkpoint", path);
  return NULL;
}

AnClassifier *
an_classifier_new_from_snapshot (AnSnapshot *params, char **class_names, GError **error)
{
  AnClassifier *c = g_new0 (AnClassifier, 1);

  c->n = 10;
  return c;
}

gboolean
an_classifier_classify (AnClassifier *c, const AnImage *img, int k, AnPrediction *out,
                        int *n_out, GError **error)
{
  double sum = 0;
  gsize n = (gsize) img->channels * img->height * img->width;

  for (gsize i = 0; i < n; i++)
    sum += img->pixels[i];
  for (int i = 0; i < k; i++)
    {
      out[i].label = ((int) (sum / n) + i) % c->n;
      out[i].name = fashion_names[out[i].label];
      out[i].probability = 0.6 / (1 << i);
    }
  *n_out = k;
  return TRUE;
}

int
an_classifier_num_classes (AnClassifier *c)
{
  return c->n;
}

void
an_classifier_free (AnClassifier *c)
{
  g_free (c);
}

AnImage *
an_image_new (int channels, int height, int width)
{
  AnImage *img = g_new0 (AnImage, 1);

  img->channels = channels;
  img->height = height;
  img->width = width;
  img->pixels = g_malloc0 ((gsize) channels * height * width);
  return img;
}

void
an_image_free (AnImage *img)
{
  if (img == NULL)
    return;
  g_free (img->pixels);
  g_free (img);
}

static AnImage *
image_from_texture (GdkTexture *texture)
{
  int w = gdk_texture_get_width (texture), h = gdk_texture_get_height (texture);
  g_autofree guint32 *px = g_new (guint32, (gsize) w * h);
  AnImage *img = an_image_new (3, h, w);

  gdk_texture_download (texture, (guchar *) px, (gsize) w * 4);
  for (gsize i = 0; i < (gsize) w * h; i++)
    for (int c = 0; c < 3; c++)
      img->pixels[c * (gsize) w * h + i] = (px[i] >> (16 - 8 * c)) & 0xff;
  return img;
}

AnImage *
an_image_from_bytes (const guint8 *data, gsize len, const char *what, GError **error)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, len);
  g_autoptr (GError) local = NULL;
  g_autoptr (GdkTexture) texture = gdk_texture_new_from_bytes (bytes, &local);

  if (texture == NULL)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: not a PNG or JPEG image", what);
      return NULL;
    }
  return image_from_texture (texture);
}

AnImage *
an_image_load (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, NULL))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "%s: cannot read", path);
      return NULL;
    }
  return an_image_from_bytes ((const guint8 *) data, len, path, error);
}
