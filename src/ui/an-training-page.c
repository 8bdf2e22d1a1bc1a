#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-training-page.c: the Training page: four charts (loss, accuracy, learning rate,
 * gradient norm), the progress line, and the live hyperparameters, sent to the trainer a
 * moment after the last change so that clicking a spin button five times is one change.
 */

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "an-progress.h"
#include "an-reflow-grid.h"
#include "an-run-label.h"
#include "an-run-selector.h"
#include "an-training-page.h"
#include "an-ui-util.h"

#define LIVE_DEBOUNCE_MS 400

struct _AnTrainingPage {
  AdwBin parent_instance;

  /* from the template */
  GtkLabel *run_state_label;
  GtkImage *run_state_icon;
  GtkProgressBar *progress_bar;
  GtkWidget *checkpoint_box;
  GtkLabel *checkpoint_label;
  GtkButton *checkpoint_button;
  AnRunSelector *run_selector;
  GtkFlowBox *run_legend;
  GtkLabel *result_label;
  GtkLabel *epoch_label, *step_label, *speed_label, *eta_label;
  GtkDropDown *x_axis_dropdown;
  GtkCheckButton *log_scale_check;
  GtkScale *smoothing_scale;
  AnReflowGrid *chart_grid;
  AdwPreferencesGroup *live_group;

  GSettings *settings;
  AnChart *loss_chart, *acc_chart, *lr_chart, *grad_chart;
  guint loss_raw, loss_smooth, loss_val, acc_train, acc_val, acc_top5, lr_series, grad_series;
  GHashTable *live_spins;   /* key -> GtkSpinButton */
  GHashTable *live_pending; /* key -> source id of the debounce */
  gboolean live_syncing;    /* spin values set from the trainer: do not send them back */

  AnTrainer *trainer;
  GArray *epochs; /* of AnEpochRecord, this run */
  AnStepRecord last_step;
  gboolean have_step;
  AnProgress progress;
  char *run_dir; /* where the run's checkpoints go, or NULL */
};

G_DEFINE_FINAL_TYPE (AnTrainingPage, an_training_page, ADW_TYPE_BIN)

static void show_state (AnTrainingPage *self);
static void add_to_selector (AnChart *chart, gpointer selector);
static void rebuild_run_legend (AnTrainingPage *self);
static void set_clock_origin (AnTrainingPage *self, AnTrainer *trainer);
static void on_open_run_dir (AnTrainingPage *self);

typedef struct {
  AnLiveKey key;       /* the configuration's live field */
  const char *setting; /* schema key giving the bounds */
  const char *title;
  guint digits;
  double step;
} LiveSpec;

static const LiveSpec live_specs[] = {
  { AN_LIVE_LR, "lr", N_("Learning rate"), 8, 0.001 },
  { AN_LIVE_MOMENTUM, "momentum", N_("Momentum"), 3, 0.01 },
  { AN_LIVE_WEIGHT_DECAY, "weight-decay", N_("Weight decay"), 8, 0.0001 },
  { AN_LIVE_DROPOUT, "dropout", N_("Dropout probability"), 2, 0.05 },
  { AN_LIVE_PATIENCE, "patience", N_("Early-stopping patience"), 0, 1 },
};

static const char *const x_axis_choices[] = { "step", "epoch", "time", "clock", NULL };

static void
for_each_chart (AnTrainingPage *self, void (*fn) (AnChart *chart, gpointer data), gpointer data)
{
  AnChart *charts[] = { self->loss_chart, self->acc_chart, self->lr_chart, self->grad_chart };

  for (guint i = 0; i < G_N_ELEMENTS (charts); i++)
    fn (charts[i], data);
}

static void
set_x_mode (AnChart *chart, gpointer data)
{
  an_chart_set_x_mode (chart, GPOINTER_TO_INT (data));
}

static void
on_x_axis_changed (AnTrainingPage *self)
{
  guint mode = gtk_drop_down_get_selected (self->x_axis_dropdown);

  for_each_chart (self, set_x_mode, GINT_TO_POINTER (MIN (mode, AN_CHART_X_N_MODES - 1)));
}

static void
on_log_scale_changed (AnTrainingPage *self)
{
  an_chart_set_log_y (self->loss_chart, gtk_check_button_get_active (self->log_scale_check));
}

static void
on_smoothing_changed (AnTrainingPage *self)
{
  double w = gtk_range_get_value (GTK_RANGE (self->smoothing_scale));

  an_chart_set_smoothing (self->loss_chart, w);
  an_chart_set_smoothing (self->grad_chart, w);
}

static gboolean
x_axis_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  const char *s = g_variant_get_string (variant, NULL);

  for (guint i = 0; x_axis_choices[i] != NULL; i++)
    if (g_strcmp0 (s, x_axis_choices[i]) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
x_axis_set_mapping (const GValue *value, const GVariantType *type, gpointer user_data)
{
  guint i = g_value_get_uint (value);

  return i < G_N_ELEMENTS (x_axis_choices) - 1 ? g_variant_new_string (x_axis_choices[i]) : NULL;
}

typedef struct {
  AnTrainingPage *self;
  const LiveSpec *spec;
  GtkSpinButton *spin;
} LiveSend;

static gboolean
send_live_value (gpointer user_data)
{
  LiveSend *send = user_data;
  g_autoptr (GError) error = NULL;

  g_hash_table_remove (send->self->live_pending, an_live_key_name (send->spec->key));
  if (send->self->trainer == NULL)
    return G_SOURCE_REMOVE;
  if (!an_trainer_set_live (send->self->trainer, send->spec->key,
                            gtk_spin_button_get_value (send->spin), &error))
    an_toast (GTK_WIDGET (send->self), _("Cannot change %s: %s"), _(send->spec->title), error->message);
  return G_SOURCE_REMOVE;
}

static void
on_live_value_changed (GtkSpinButton *spin, AnTrainingPage *self)
{
  const LiveSpec *spec = g_object_get_data (G_OBJECT (spin), "live-spec");
  LiveSend *send;
  guint id;

  if (self->live_syncing || self->trainer == NULL)
    return;
  id = GPOINTER_TO_UINT (g_hash_table_lookup (self->live_pending, an_live_key_name (spec->key)));
  if (id != 0)
    g_source_remove (id);
  send = g_new0 (LiveSend, 1);
  send->self = self;
  send->spec = spec;
  send->spin = spin;
  id = g_timeout_add_full (G_PRIORITY_DEFAULT, LIVE_DEBOUNCE_MS, send_live_value, send, g_free);
  g_hash_table_insert (self->live_pending, (gpointer) an_live_key_name (spec->key),
                       GUINT_TO_POINTER (id));
}

static void
set_live_value (AnTrainingPage *self, AnLiveKey key, double value)
{
  GtkSpinButton *spin = g_hash_table_lookup (self->live_spins, an_live_key_name (key));

  if (spin == NULL)
    return;
  self->live_syncing = TRUE;
  gtk_spin_button_set_value (spin, value);
  self->live_syncing = FALSE;
}

static void
sync_live (AnTrainingPage *self)
{
  const AnRunConfig *cfg = self->trainer ? an_trainer_get_config (self->trainer) : NULL;

  if (cfg == NULL)
    return;
  for (int key = 0; key < AN_LIVE_COUNT; key++)
    set_live_value (self, key, an_run_config_get_live (cfg, key));
}

/* Small rates with significant digits: a cosine schedule's last rates are 1e-5, which five
 * decimals show as "0.00001" and then "0.00000". */
static gboolean
on_live_output (GtkSpinButton *spin, gpointer user_data)
{
  double value = gtk_adjustment_get_value (gtk_spin_button_get_adjustment (spin));
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  if (value != 0 && fabs (value) < 0.01)
    g_ascii_formatd (text, sizeof text, "%.3g", value);
  else
    g_ascii_formatd (text, sizeof text, "%.4g", value);
  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static void
build_live_rows (AnTrainingPage *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (live_specs); i++)
    {
      const LiveSpec *spec = &live_specs[i];
      g_autoptr (GVariant) current = g_settings_get_value (self->settings, spec->setting);
      double min = 0, max = 0, value;
      GtkWidget *row, *spin;

      an_schema_bounds (self->settings, spec->setting, &min, &max, NULL);
      value = g_variant_is_of_type (current, G_VARIANT_TYPE_DOUBLE)
                ? g_variant_get_double (current) : g_variant_get_int32 (current);

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(spec->title));
      spin = gtk_spin_button_new_with_range (min, max, spec->step);
      gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), spec->digits);
      gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), spec->digits == 0);
      if (spec->digits > 0)
        {
          /* significant digits: "1.23e-05", which numeric text would refuse */
          g_signal_connect (spin, "output", G_CALLBACK (on_live_output), NULL);
          gtk_editable_set_width_chars (GTK_EDITABLE (spin), 8);
        }
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
      gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _(spec->title), -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
      adw_preferences_group_add (self->live_group, row);

      g_object_set_data (G_OBJECT (spin), "live-spec", (gpointer) spec);
      g_signal_connect (spin, "value-changed", G_CALLBACK (on_live_value_changed), self);
      g_hash_table_insert (self->live_spins, (gpointer) an_live_key_name (spec->key), spin);
    }
}

static void
an_training_page_init (AnTrainingPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new (APP_ID);
  self->epochs = g_array_new (FALSE, FALSE, sizeof (AnEpochRecord));
  self->live_spins = g_hash_table_new (g_str_hash, g_str_equal);
  self->live_pending = g_hash_table_new (g_str_hash, g_str_equal);

  self->loss_chart = AN_CHART (an_chart_new (_("Loss")));
  self->loss_raw = an_chart_add_series (self->loss_chart, _("Training loss"), "blue_3",
                                        AN_CHART_STYLE_FAINT);
  self->loss_smooth = an_chart_add_smoothed_series (self->loss_chart,
                                                    _("Training loss (smoothed)"), "blue_4",
                                                    self->loss_raw);
  self->loss_val = an_chart_add_series (self->loss_chart, _("Validation loss"), "orange_4",
                                        AN_CHART_STYLE_DOTS);

  self->acc_chart = AN_CHART (an_chart_new (_("Accuracy")));
  self->acc_train = an_chart_add_series (self->acc_chart, _("Training accuracy"), "blue_4",
                                         AN_CHART_STYLE_DOTS);
  self->acc_val = an_chart_add_series (self->acc_chart, _("Validation accuracy"), "orange_4",
                                       AN_CHART_STYLE_DOTS);
  self->acc_top5 = an_chart_add_series (self->acc_chart, _("Validation top-5"), "green_4",
                                        AN_CHART_STYLE_DOTS);

  self->lr_chart = AN_CHART (an_chart_new (_("Learning rate")));
  self->lr_series = an_chart_add_series (self->lr_chart, _("Learning rate"), "purple_3",
                                         AN_CHART_STYLE_LINE);
  an_chart_set_log_y (self->lr_chart, TRUE);

  self->grad_chart = AN_CHART (an_chart_new (_("Gradient norm")));
  self->grad_series = an_chart_add_series (self->grad_chart, _("Gradient norm"), "red_3",
                                           AN_CHART_STYLE_FAINT);
  an_chart_add_smoothed_series (self->grad_chart, _("Gradient norm (smoothed)"), "red_4",
                                self->grad_series);

  g_signal_connect_object (self->checkpoint_button, "clicked", G_CALLBACK (on_open_run_dir),
                           self, G_CONNECT_SWAPPED);
  an_progress_init (&self->progress);

  /* One x range for the four: the per-epoch accuracy ends where the per-step loss does. */
  an_chart_share_x (self->acc_chart, self->loss_chart);
  an_chart_share_x (self->lr_chart, self->loss_chart);
  an_chart_share_x (self->grad_chart, self->loss_chart);

  an_reflow_grid_append (self->chart_grid, GTK_WIDGET (self->loss_chart));
  an_reflow_grid_append (self->chart_grid, GTK_WIDGET (self->acc_chart));
  an_reflow_grid_append (self->chart_grid, GTK_WIDGET (self->lr_chart));
  an_reflow_grid_append (self->chart_grid, GTK_WIDGET (self->grad_chart));
  /* beside the charts on a wide window, below them on a narrow one */
  self->live_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  gtk_widget_set_size_request (GTK_WIDGET (self->live_group), 300, -1);
  gtk_widget_set_valign (GTK_WIDGET (self->live_group), GTK_ALIGN_START);
  adw_preferences_group_set_title (self->live_group, _("Live Hyperparameters"));
  adw_preferences_group_set_description (self->live_group,
                                         _("Applied at the next step and marked on the charts"));
  an_reflow_grid_set_side (self->chart_grid, GTK_WIDGET (self->live_group));
  for_each_chart (self, add_to_selector, self->run_selector);
  g_signal_connect_object (self->run_selector, "changed", G_CALLBACK (rebuild_run_legend), self,
                           G_CONNECT_SWAPPED);

  g_settings_bind_with_mapping (self->settings, "chart-x-axis", self->x_axis_dropdown,
                                "selected", G_SETTINGS_BIND_DEFAULT, x_axis_get_mapping,
                                x_axis_set_mapping, NULL, NULL);
  g_settings_bind (self->settings, "chart-log-scale", self->log_scale_check, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "chart-smoothing",
                   gtk_range_get_adjustment (GTK_RANGE (self->smoothing_scale)), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->x_axis_dropdown, "notify::selected",
                           G_CALLBACK (on_x_axis_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->log_scale_check, "notify::active",
                           G_CALLBACK (on_log_scale_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->smoothing_scale, "value-changed",
                           G_CALLBACK (on_smoothing_changed), self, G_CONNECT_SWAPPED);
  on_x_axis_changed (self);
  on_log_scale_changed (self);
  on_smoothing_changed (self);

  build_live_rows (self);
  show_state (self);
}

/* The runs' legend, shared by the four charts: a line in each visible run's dash pattern and
 * its name, when there is more than one run to tell apart. */
static void
rebuild_run_legend (AnTrainingPage *self)
{
  GtkWidget *child;
  guint n = an_chart_get_n_runs (self->loss_chart), shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->run_legend))) != NULL)
    gtk_flow_box_remove (self->run_legend, child);
  for (guint k = n; n > 1 && k-- > 0;)
    {
      GtkWidget *box, *label;
      const char *name = an_chart_get_run_name (self->loss_chart, k);

      if (!an_chart_get_run_visible (self->loss_chart, k))
        continue;
      box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      label = gtk_label_new (name != NULL && *name ? name : "-");
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_xalign (GTK_LABEL (label), 0.0);
      if (k + 1 < n)
        gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (box), an_run_selector_new_swatch (k, n));
      gtk_box_append (GTK_BOX (box), label);
      gtk_flow_box_append (self->run_legend, box);
      shown++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->run_legend), shown > 0);
}

static void
add_to_selector (AnChart *chart, gpointer selector)
{
  an_run_selector_add_chart (selector, chart);
}

static void
new_run (AnChart *chart, gpointer data)
{
  guint run = an_chart_new_run (chart, NULL);
  g_autofree char *name = NULL;

  if (data != NULL)
    /* Translators: a run's name on the charts: its number, then preset, rate, batch and time */
    name = g_strdup_printf (_("%u: %s"), run + 1, (const char *) data);
  an_chart_set_run_name (chart, run, name);
}

static void
new_run_started (AnTrainingPage *self)
{
  const AnRunConfig *cfg = self->trainer != NULL ? an_trainer_get_config (self->trainer) : NULL;
  g_autofree char *name = NULL;

  if (cfg != NULL)
    name = an_run_label (cfg->model, cfg->batch, cfg->lr, g_get_real_time () / G_USEC_PER_SEC);
  for_each_chart (self, new_run, name);
  an_run_selector_refresh (self->run_selector);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_progress_bar_set_text (self->progress_bar, NULL);
  gtk_label_set_text (self->epoch_label, "");
  gtk_label_set_text (self->step_label, "");
  gtk_label_set_text (self->speed_label, "");
  gtk_label_set_text (self->eta_label, "");
}

static void
show_state (AnTrainingPage *self)
{
  static const char *const styles[] = { "accent", "warning", "success", "error", "dim-label" };
  const char *style = an_progress_state_style (self->progress.state);
  g_autofree char *eta = an_progress_eta_text (&self->progress);
  g_autofree char *speed = an_progress_speed_text (&self->progress);

  /* The state in words, large and coloured; its width is fixed so nothing moves as it
   * changes. */
  gtk_label_set_text (self->run_state_label, an_progress_state_text (self->progress.state));
  gtk_image_set_from_icon_name (self->run_state_icon,
                                an_progress_state_icon (self->progress.state));
  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    {
      if (g_strcmp0 (styles[i], style) == 0)
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->run_state_label), styles[i]);
          gtk_widget_add_css_class (GTK_WIDGET (self->run_state_icon), styles[i]);
        }
      else
        {
          gtk_widget_remove_css_class (GTK_WIDGET (self->run_state_label), styles[i]);
          gtk_widget_remove_css_class (GTK_WIDGET (self->run_state_icon), styles[i]);
        }
    }
  gtk_label_set_text (self->eta_label, eta);
  gtk_label_set_text (self->speed_label, speed);
}

static void
show_run_dir (AnTrainingPage *self, const char *last_checkpoint)
{
  g_autofree char *shown = NULL;
  g_autofree char *text = NULL;
  const char *home = g_get_home_dir ();
  const char *path = last_checkpoint != NULL ? last_checkpoint : self->run_dir;

  gtk_widget_set_visible (self->checkpoint_box, path != NULL);
  if (path == NULL)
    return;
  if (home != NULL && g_str_has_prefix (path, home) && path[strlen (home)] == G_DIR_SEPARATOR)
    shown = g_strconcat ("~", path + strlen (home), NULL);
  else
    shown = g_strdup (path);
  if (last_checkpoint != NULL)
    /* Translators: the checkpoint file written last (a path) */
    text = g_strdup_printf (_("Last checkpoint: %s"), shown);
  else
    /* Translators: the folder the run's checkpoints are written to (a path) */
    text = g_strdup_printf (_("Checkpoints are written to %s"), shown);
  gtk_label_set_text (self->checkpoint_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->checkpoint_label), path);
}

static void
on_open_run_dir (AnTrainingPage *self)
{
  g_autoptr (GFile) dir = NULL;
  g_autofree char *uri = NULL;

  if (self->run_dir == NULL)
    return;
  dir = g_file_new_for_path (self->run_dir);
  uri = g_file_get_uri (dir);
  g_app_info_launch_default_for_uri_async (uri, NULL, NULL, NULL, NULL);
}

static void
update_progress (AnTrainingPage *self)
{
  const AnStepRecord *s = &self->last_step;
  const AnRunConfig *cfg = an_trainer_get_config (self->trainer);
  int epochs = an_trainer_get_epochs (self->trainer);
  int per_epoch = an_trainer_get_steps_per_epoch (self->trainer);
  gint64 total = (gint64) epochs * per_epoch;
  g_autofree char *text = NULL;
  g_autofree char *step_text = NULL;

  if (total > 0)
    {
      double fraction = CLAMP ((double) s->step / total, 0.0, 1.0);

      gtk_progress_bar_set_fraction (self->progress_bar, fraction);
      text = g_strdup_printf ("%.0f%%", 100.0 * fraction);
      gtk_progress_bar_set_text (self->progress_bar, text);
      /* Translators: "Step 120 of 940" */
      step_text = g_strdup_printf (_("Step %lld of %lld"), (long long) s->step,
                                   (long long) total);
    }
  else
    step_text = g_strdup_printf (_("Step %lld"), (long long) s->step);
  gtk_label_set_text (self->step_label, step_text);

  {
    /* Translators: "Epoch 2 of 10" */
    g_autofree char *epoch_text = g_strdup_printf (_("Epoch %d of %d"), s->epoch, MAX (epochs, 1));
    gtk_label_set_text (self->epoch_label, epoch_text);
  }
  /* Speed and ETA averaged over the last seconds (an-progress.c), not the last step's. */
  self->progress.total_steps = total;
  if (cfg != NULL)
    self->progress.batch = cfg->batch;
  show_state (self);
}

void
an_training_page_add_steps (AnTrainingPage *self, const GArray *steps)
{
  for (guint i = 0; i < steps->len; i++)
    {
      const AnStepRecord *s = &g_array_index (steps, AnStepRecord, i);

      an_chart_append (self->loss_chart, self->loss_raw, s->step, s->epoch_frac, s->wall_seconds,
                       s->loss);
      an_chart_append (self->lr_chart, self->lr_series, s->step, s->epoch_frac, s->wall_seconds,
                       s->lr);
      an_chart_append (self->grad_chart, self->grad_series, s->step, s->epoch_frac,
                       s->wall_seconds, s->grad_norm);
    }
  for (guint i = 0; self->trainer != NULL && i < steps->len; i++)
    {
      const AnStepRecord *s = &g_array_index (steps, AnStepRecord, i);
      int batch = an_trainer_get_config (self->trainer)->batch;

      /* images in the step, from its speed and its share of the time: the batch, except
       * perhaps the last of an epoch; the batch is close enough for the average */
      an_progress_add_step (&self->progress, s->step, batch, s->images_per_second);
    }
  if (steps->len > 0)
    {
      self->last_step = g_array_index (steps, AnStepRecord, steps->len - 1);
      self->have_step = TRUE;
      if (self->trainer != NULL)
        update_progress (self);
    }
}

void
an_training_page_add_epoch (AnTrainingPage *self, const AnEpochRecord *e)
{
  double x_epoch = e->epoch;

  g_return_if_fail (AN_IS_TRAINING_PAGE (self));

  g_array_append_val (self->epochs, *e);
  an_chart_append (self->loss_chart, self->loss_val, e->step, x_epoch, e->wall_seconds,
                   e->val_loss);
  an_chart_append (self->acc_chart, self->acc_train, e->step, x_epoch, e->wall_seconds,
                   e->train_acc);
  an_chart_append (self->acc_chart, self->acc_val, e->step, x_epoch, e->wall_seconds, e->val_acc);
  an_chart_append (self->acc_chart, self->acc_top5, e->step, x_epoch, e->wall_seconds,
                   e->val_top5);

  for (guint i = 0; i < self->epochs->len; i++)
    {
      const AnEpochRecord *b = &g_array_index (self->epochs, AnEpochRecord, i);

      if (b->epoch == e->best_epoch)
        {
          /* Translators: chart marker at the epoch with the lowest validation loss */
          g_autofree char *label = g_strdup_printf (_("best (epoch %d)"), b->epoch);

          an_chart_add_marker (self->loss_chart, AN_CHART_MARKER_BEST, b->step, b->epoch,
                               b->wall_seconds, label);
          an_chart_add_marker (self->acc_chart, AN_CHART_MARKER_BEST, b->step, b->epoch,
                               b->wall_seconds, label);
        }
    }
}

void
an_training_page_add_change (AnTrainingPage *self, const AnHyperChange *c)
{
  g_autofree char *label = g_strdup_printf ("%s %.3g→%.3g", an_live_key_name (c->key),
                                            c->old_value, c->new_value);
  AnChartMarkerKind kind = c->by_schedule ? AN_CHART_MARKER_SCHEDULE : AN_CHART_MARKER_CHANGE;

  /* The change says where it took effect: its event arrives before the records of the steps
   * that preceded it, so the last record seen would put the marker early. */
  an_chart_add_marker (self->loss_chart, kind, c->step, c->epoch_frac, c->wall_seconds, label);
  an_chart_add_marker (self->lr_chart, kind, c->step, c->epoch_frac, c->wall_seconds, label);
  set_live_value (self, c->key, c->new_value);
  if (!c->by_schedule)
    an_toast (GTK_WIDGET (self), _("%s is now %g (from step %lld)"), an_live_key_name (c->key),
                     c->new_value, (long long) c->step);
}

void
an_training_page_set_trainer (AnTrainingPage *self, AnTrainer *trainer)
{
  g_return_if_fail (AN_IS_TRAINING_PAGE (self));

  g_set_object (&self->trainer, trainer);
  g_array_set_size (self->epochs, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->result_label), FALSE);
  self->have_step = FALSE;
  g_clear_pointer (&self->run_dir, g_free);
  an_progress_init (&self->progress);
  if (trainer == NULL)
    {
      show_state (self);
      show_run_dir (self, NULL);
      return;
    }
  {
    const AnRunConfig *cfg = an_trainer_get_config (trainer);

    self->run_dir = g_strdup (cfg->checkpoint_dir);
    an_progress_start (&self->progress, 0,
                       (gint64) an_trainer_get_epochs (trainer)
                         * an_trainer_get_steps_per_epoch (trainer), cfg->batch);
    /* not started until the trainer says so */
    an_progress_set_state (&self->progress, AN_PROGRESS_IDLE);
  }
  new_run_started (self);
  set_clock_origin (self, trainer);
  sync_live (self);
  show_state (self);
  show_run_dir (self, an_trainer_get_last_checkpoint (trainer));
}

static void
set_origin (AnChart *chart, gpointer origin)
{
  an_chart_set_run_clock_origin (chart, *(double *) origin);
}

/* A run resumed from a checkpoint: its history happened before now. The checkpoint file was
 * written at the end of that history, which puts the history's wall-clock times in place. */
static void
set_clock_origin (AnTrainingPage *self, AnTrainer *trainer)
{
  const AnRunConfig *cfg = an_trainer_get_config (trainer);
  g_autoptr (GArray) steps = an_trainer_get_step_history (trainer);
  g_autofree char *path = NULL;
  GStatBuf st;
  double origin;

  if (steps == NULL || steps->len == 0 || cfg->checkpoint_dir == NULL)
    return;
  path = g_build_filename (cfg->checkpoint_dir, "checkpoint.ankpt", NULL);
  if (g_stat (path, &st) != 0)
    return;
  origin = (double) st.st_mtime - g_array_index (steps, AnStepRecord, steps->len - 1).wall_seconds;
  for_each_chart (self, set_origin, &origin);
}

void
an_training_page_checkpoint_written (AnTrainingPage *self, const char *path)
{
  g_return_if_fail (AN_IS_TRAINING_PAGE (self));
  show_run_dir (self, path);
}

void
an_training_page_request (AnTrainingPage *self, gboolean stop)
{
  g_return_if_fail (AN_IS_TRAINING_PAGE (self));

  an_progress_request (&self->progress, stop ? AN_PROGRESS_STOPPING : AN_PROGRESS_PAUSING);
  show_state (self);
}

const char *
an_training_page_get_text (AnTrainingPage *self, const char *which)
{
  g_return_val_if_fail (AN_IS_TRAINING_PAGE (self), NULL);

  if (g_strcmp0 (which, "state") == 0)
    return gtk_label_get_text (self->run_state_label);
  if (g_strcmp0 (which, "eta") == 0)
    return gtk_label_get_text (self->eta_label);
  if (g_strcmp0 (which, "speed") == 0)
    return gtk_label_get_text (self->speed_label);
  if (g_strcmp0 (which, "checkpoint") == 0)
    return gtk_widget_get_visible (self->checkpoint_box)
             ? gtk_label_get_text (self->checkpoint_label) : "";
  return NULL;
}

const char *
an_training_page_get_state_text (AnTrainingPage *self)
{
  g_return_val_if_fail (AN_IS_TRAINING_PAGE (self), NULL);
  return an_progress_state_text (self->progress.state);
}

AnRunSelector *
an_training_page_get_run_selector (AnTrainingPage *self)
{
  g_return_val_if_fail (AN_IS_TRAINING_PAGE (self), NULL);
  return self->run_selector;
}

void
an_training_page_set_state (AnTrainingPage *self, AnTrainerState state)
{
  AnProgressState p;

  g_return_if_fail (AN_IS_TRAINING_PAGE (self));

  switch (state)
    {
    case AN_TRAINER_RUNNING:
      /* a pause or stop asked for shows until the trainer's state says it took hold */
      if (self->progress.state == AN_PROGRESS_PAUSING
          || self->progress.state == AN_PROGRESS_STOPPING)
        return;
      p = self->have_step ? AN_PROGRESS_RUNNING : AN_PROGRESS_STARTING;
      break;
    case AN_TRAINER_PAUSED: p = AN_PROGRESS_PAUSED; break;
    case AN_TRAINER_FINISHED: p = AN_PROGRESS_FINISHED; break;
    case AN_TRAINER_EARLY_STOPPED: p = AN_PROGRESS_EARLY_STOPPED; break;
    case AN_TRAINER_STOPPED: p = AN_PROGRESS_STOPPED; break;
    case AN_TRAINER_DIVERGED: p = AN_PROGRESS_DIVERGED; break;
    case AN_TRAINER_FAILED: p = AN_PROGRESS_FAILED; break;
    case AN_TRAINER_IDLE:
    default:
      p = AN_PROGRESS_IDLE;
      break;
    }
  an_progress_set_state (&self->progress, p);
  if (state == AN_TRAINER_FINISHED || state == AN_TRAINER_EARLY_STOPPED)
    gtk_progress_bar_set_fraction (self->progress_bar,
                                   state == AN_TRAINER_FINISHED
                                     ? 1.0 : gtk_progress_bar_get_fraction (self->progress_bar));
  show_state (self);
}

void
an_training_page_show_test_result (AnTrainingPage *self, const AnTestResult *test)
{
  g_autofree char *text = NULL;
  g_autofree char *count = NULL;
  g_autofree char *tooltip = NULL;

  g_return_if_fail (AN_IS_TRAINING_PAGE (self));

  count = an_format_count (test->n_images);
  /* Translators: after a run, on one line with the epoch and step: keep it short */
  text = g_strdup_printf (_("Test: %.1f%% top-1, %.1f%% top-5, loss %.3g"), 100.0 * test->top1,
                          100.0 * test->top5, test->loss);
  /* Translators: the tooltip of the test result: "On the test set of 10,000 images" */
  tooltip = g_strdup_printf (ngettext ("On the test set of %s image", "On the test set of %s images",
                                       test->n_images),
                             count);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->result_label), tooltip);
  gtk_label_set_text (self->result_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->result_label), TRUE);
}

const char *
an_training_page_get_result_text (AnTrainingPage *self)
{
  g_return_val_if_fail (AN_IS_TRAINING_PAGE (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->result_label))
           ? gtk_label_get_text (self->result_label) : "";
}

AnChart *
an_training_page_get_chart (AnTrainingPage *self, const char *chart)
{
  g_return_val_if_fail (AN_IS_TRAINING_PAGE (self), NULL);

  if (g_strcmp0 (chart, "loss") == 0)
    return self->loss_chart;
  if (g_strcmp0 (chart, "accuracy") == 0)
    return self->acc_chart;
  if (g_strcmp0 (chart, "lr") == 0)
    return self->lr_chart;
  if (g_strcmp0 (chart, "grad") == 0)
    return self->grad_chart;
  return NULL;
}

gboolean
an_training_page_has_data (AnTrainingPage *self)
{
  g_return_val_if_fail (AN_IS_TRAINING_PAGE (self), FALSE);
  return self->trainer != NULL || an_chart_get_n_points (self->loss_chart, self->loss_raw) > 0;
}

static void
an_training_page_dispose (GObject *object)
{
  AnTrainingPage *self = AN_TRAINING_PAGE (object);

  if (self->live_pending != NULL)
    {
      GHashTableIter iter;
      gpointer id;

      g_hash_table_iter_init (&iter, self->live_pending);
      while (g_hash_table_iter_next (&iter, NULL, &id))
        g_source_remove (GPOINTER_TO_UINT (id));
    }
  g_clear_pointer (&self->live_pending, g_hash_table_unref);
  g_clear_pointer (&self->live_spins, g_hash_table_unref);
  g_clear_object (&self->trainer);
  gtk_widget_dispose_template (GTK_WIDGET (self), AN_TYPE_TRAINING_PAGE);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (an_training_page_parent_class)->dispose (object);
}

static void
an_training_page_finalize (GObject *object)
{
  AnTrainingPage *self = AN_TRAINING_PAGE (object);

  g_clear_pointer (&self->epochs, g_array_unref);
  g_free (self->run_dir);
  G_OBJECT_CLASS (an_training_page_parent_class)->finalize (object);
}

static void
an_training_page_class_init (AnTrainingPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = an_training_page_dispose;
  object_class->finalize = an_training_page_finalize;

  g_type_ensure (AN_TYPE_CHART);
  g_type_ensure (AN_TYPE_RUN_SELECTOR);
  g_type_ensure (AN_TYPE_REFLOW_GRID);
  gtk_widget_class_set_template_from_resource (
    widget_class, "/org/alexnetstudio/AlexNetStudio/an-training-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, AnTrainingPage, name)
  BIND (run_state_label);
  BIND (run_state_icon);
  BIND (progress_bar);
  BIND (checkpoint_box);
  BIND (checkpoint_label);
  BIND (checkpoint_button);
  BIND (run_selector);
  BIND (run_legend);
  BIND (result_label);
  BIND (epoch_label);
  BIND (step_label);
  BIND (speed_label);
  BIND (eta_label);
  BIND (x_axis_dropdown);
  BIND (log_scale_check);
  BIND (smoothing_scale);
  BIND (chart_grid);
#undef BIND
}
