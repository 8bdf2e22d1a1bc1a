#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-setup-page.c: the Setup page. Every hyperparameter row comes from one table that names
 * its GSettings key (which also gives the spin button's bounds, from the schema's <range>, so
 * an invalid value cannot be typed) and its field in AnRunConfig. Rows are bound to settings,
 * so the last values come back; recipes and checkpoints write into the rows.
 */

#include <glib/gi18n.h>

#include "an-setup-page.h"
#include "data/an-dataset-preview.h"
#include "an-tile-grid.h"
#include "an-ui-util.h"

struct _AnSetupPage {
  AdwBin parent_instance;

  /* from the template */
  GtkBox *setup_box;
  GtkLabel *locked_label;
  AdwPreferencesGroup *recipes_group;
  AdwComboRow *preset_row;
  AdwActionRow *preset_details_row;
  AdwComboRow *dataset_row;
  AdwActionRow *folder_row;
  AdwActionRow *dataset_info_row;
  GtkSpinner *dataset_spinner;
  GtkWidget *dataset_samples_row;
  GtkFlowBox *dataset_samples_box;

  GSettings *settings;
  GPtrArray *setup_rows; /* of SetupRow* */
  GStrv preset_names;
  AnPreset *preset; /* the selected preset */
  char *dataset_folder;
  /* the dataset preview: a result is applied only when its serial is still the latest */
  guint dataset_serial;
  gboolean dataset_loading;
  int dataset_n_train, dataset_n_test; /* -1: unknown (loading, failed; no test split) */
  int dataset_n_samples;
  int dataset_classes;  /* of the last dataset read, 0: none */
  int dataset_channels; /* of the last dataset read, 0: none */
  GCancellable *cancellable; /* cancelled when the page goes */
};

G_DEFINE_FINAL_TYPE (AnSetupPage, an_setup_page, ADW_TYPE_BIN)

enum { SIGNAL_PRESET_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void dataset_preview (AnSetupPage *self, const char *spec);

typedef enum {
  FIELD_INT,
  FIELD_U64,
  FIELD_DOUBLE,
  FIELD_BOOL,
  FIELD_ENUM,   /* int-sized enum; combo index = value; setting: the schema's choices */
  FIELD_STRING, /* char *; combo index picks one of the schema's choices */
} FieldKind;

typedef enum {
  GROUP_DATA,
  GROUP_DEVICE,
  GROUP_OPTIMIZER,
  GROUP_SCHEDULE,
  GROUP_EARLY_STOPPING,
  GROUP_MODEL,
  GROUP_AUGMENTATION,
  GROUP_REPRODUCIBILITY,
  N_GROUPS
} SetupGroup;

typedef struct {
  SetupGroup group;
  FieldKind kind;
  const char *setting;
  gsize offset;
  const char *title;
  const char *subtitle;
  guint digits;
  double step;
  const char *const *labels; /* combo rows */
  int only_when_schedule;    /* -1: always shown */
} SetupRowSpec;

typedef struct {
  const SetupRowSpec *spec;
  GtkWidget *row;
  GtkAdjustment *adjustment;
  GtkSwitch *toggle;
  AdwComboRow *combo;
  GStrv choices; /* schema choices of FIELD_ENUM / FIELD_STRING settings */
} SetupRow;

static const char *const group_titles[N_GROUPS] = {
  N_("Data"), N_("Device"), N_("Optimizer"), N_("Learning-Rate Schedule"),
  N_("Early Stopping"), N_("Model Details"), N_("Augmentation"), N_("Reproducibility"),
};

static const char *const normalize_labels[] = {
  N_("(x − 0.5) / 0.5"), N_("Mean and deviation of the training set"), NULL };
static const char *const device_labels[] = {
  N_("CPU"), N_("Automatic (a GPU when there is one)"), N_("GPU (CUDA)"), NULL };
static const char *const rule_labels[] = {
  N_("PyTorch: v = μv + g + λw; w −= εv"), N_("Paper: v = μv − λεw − εg; w += v"), NULL };
static const char *const schedule_labels[] = {
  N_("Constant"), N_("Step decay"), N_("Reduce on plateau"),
  N_("Paper: ÷10 when validation error stalls"), N_("Cosine down to the last epoch"), NULL };
static const char *const init_labels[] = {
  N_("He: N(0, 2/fan-in)"), N_("Paper: N(0, 0.01²), some biases 1"),
  N_("Paper for convolutions, He for fully connected"), NULL };
static const char *const pipeline_labels[] = {
  N_("Automatic"), N_("Pad and crop"), N_("Paper (256, crops)"), N_("torchvision"), NULL };
static const char *const lrn_labels[] = {
  N_("Code: α divided by n (Caffe, PyTorch)"), N_("Paper: α as printed"), NULL };

#define F(field) G_STRUCT_OFFSET (AnRunConfig, field)

static const SetupRowSpec setup_rows[] = {
  { GROUP_DATA, FIELD_INT, "train-size", F (train_size), N_("Training images"),
    N_("0 uses every training image left after the validation split"), 0, 500, NULL, -1 },
  { GROUP_DATA, FIELD_DOUBLE, "val-fraction", F (val_fraction), N_("Validation share"),
    N_("Share of the training files held out for validation"), 2, 0.05, NULL, -1 },
  { GROUP_DATA, FIELD_INT, "val-size", F (val_size), N_("Validation images"),
    N_("0 holds out the validation share"), 0, 500, NULL, -1 },
  { GROUP_DATA, FIELD_INT, "test-size", F (test_size), N_("Test images"),
    N_("Evaluated once training ends; 0 uses the whole test set"), 0, 500, NULL, -1 },
  { GROUP_DATA, FIELD_ENUM, "normalize", F (normalize), N_("Normalisation"), NULL, 0, 0,
    normalize_labels, -1 },
  { GROUP_DEVICE, FIELD_STRING, "device", F (device), N_("Device"), NULL, 0, 0, device_labels,
    -1 },
  { GROUP_DEVICE, FIELD_INT, "threads", F (threads), N_("CPU threads"),
    N_("0 uses every core"), 0, 1, NULL, -1 },
  { GROUP_DEVICE, FIELD_INT, "workers", F (workers), N_("Data workers"),
    N_("Threads decoding images for the next batches; 0 uses every core"), 0, 1, NULL, -1 },
  { GROUP_DEVICE, FIELD_INT, "towers", F (towers), N_("Towers"),
    N_("Two towers split the layers as the 2012 paper split them over two GPUs"), 0, 1, NULL,
    -1 },
  { GROUP_OPTIMIZER, FIELD_INT, "epochs", F (epochs), N_("Epochs"), NULL, 0, 1, NULL, -1 },
  { GROUP_OPTIMIZER, FIELD_INT, "batch", F (batch), N_("Batch size"), NULL, 0, 16, NULL, -1 },
  { GROUP_OPTIMIZER, FIELD_DOUBLE, "lr", F (lr), N_("Learning rate"), NULL, 5, 0.001, NULL,
    -1 },
  { GROUP_OPTIMIZER, FIELD_DOUBLE, "momentum", F (momentum), N_("Momentum"), NULL, 3, 0.01,
    NULL, -1 },
  { GROUP_OPTIMIZER, FIELD_DOUBLE, "weight-decay", F (weight_decay), N_("Weight decay"), NULL,
    5, 0.0001, NULL, -1 },
  { GROUP_OPTIMIZER, FIELD_DOUBLE, "dropout", F (dropout), N_("Dropout probability"),
    N_("For the dropout layers after fc6 and fc7"), 2, 0.05, NULL, -1 },
  { GROUP_OPTIMIZER, FIELD_ENUM, "rule", F (rule), N_("Update rule"), NULL, 0, 0, rule_labels,
    -1 },
  { GROUP_SCHEDULE, FIELD_ENUM, "schedule", F (schedule), N_("Schedule"), NULL, 0, 0,
    schedule_labels, -1 },
  { GROUP_SCHEDULE, FIELD_INT, "step-size", F (step_size), N_("Step every"),
    N_("Epochs between two decays"), 0, 1, NULL, AN_SCHEDULE_STEP },
  { GROUP_SCHEDULE, FIELD_DOUBLE, "step-gamma", F (step_gamma), N_("Decay factor"), NULL, 3,
    0.05, NULL, AN_SCHEDULE_STEP },
  { GROUP_SCHEDULE, FIELD_DOUBLE, "plateau-factor", F (plateau_factor), N_("Reduce by factor"),
    NULL, 3, 0.05, NULL, AN_SCHEDULE_PLATEAU },
  { GROUP_SCHEDULE, FIELD_INT, "plateau-patience", F (plateau_patience), N_("Plateau patience"),
    N_("Epochs without improvement before reducing"), 0, 1, NULL, AN_SCHEDULE_PLATEAU },
  { GROUP_SCHEDULE, FIELD_DOUBLE, "plateau-threshold", F (plateau_threshold),
    N_("Plateau threshold"), N_("Relative improvement that counts"), 4, 0.0001, NULL,
    AN_SCHEDULE_PLATEAU },
  { GROUP_SCHEDULE, FIELD_INT, "plateau-cooldown", F (plateau_cooldown), N_("Cooldown"),
    N_("Epochs to wait after a reduction"), 0, 1, NULL, AN_SCHEDULE_PLATEAU },
  { GROUP_SCHEDULE, FIELD_DOUBLE, "min-lr", F (min_lr), N_("Minimum learning rate"), NULL, 7,
    0.000001, NULL, -1 },
  { GROUP_EARLY_STOPPING, FIELD_BOOL, "early-stopping", F (early_stopping),
    N_("Stop when the validation loss stalls"), NULL, 0, 0, NULL, -1 },
  { GROUP_EARLY_STOPPING, FIELD_INT, "patience", F (patience), N_("Patience"),
    N_("Epochs without improvement"), 0, 1, NULL, -1 },
  { GROUP_EARLY_STOPPING, FIELD_DOUBLE, "delta", F (delta), N_("Minimum improvement"), NULL, 4,
    0.001, NULL, -1 },
  { GROUP_MODEL, FIELD_ENUM, "init", F (init), N_("Initialisation"), NULL, 0, 0, init_labels,
    -1 },
  { GROUP_MODEL, FIELD_ENUM, "lrn", F (lrn), N_("LRN convention"), NULL, 0, 0, lrn_labels, -1 },
  { GROUP_AUGMENTATION, FIELD_ENUM, "pipeline", F (pipeline), N_("Pipeline"),
    N_("Automatic: the paper's for large models on image folders, pad and crop otherwise"), 0, 0,
    pipeline_labels, -1 },
  { GROUP_AUGMENTATION, FIELD_BOOL, "augment-flip", F (augment_flip),
    N_("Horizontal flips"), NULL, 0, 0, NULL, -1 },
  { GROUP_AUGMENTATION, FIELD_BOOL, "augment-crop", F (augment_crop), N_("Random crops"),
    N_("Of the padded image, with pad and crop (the other pipelines always crop)"), 0, 0, NULL,
    -1 },
  { GROUP_AUGMENTATION, FIELD_BOOL, "augment-pca", F (augment_pca),
    N_("Colour jitter (“fancy PCA”)"), N_("Along the principal components of the RGB values"),
    0, 0, NULL, -1 },
  { GROUP_AUGMENTATION, FIELD_DOUBLE, "pca-std", F (pca_std), N_("Colour jitter strength"),
    NULL, 2, 0.05, NULL, -1 },
  { GROUP_REPRODUCIBILITY, FIELD_U64, "seed", F (seed), N_("Seed"),
    N_("The same seed gives the same run, bit for bit, on one device"), 0, 1, NULL, -1 },
};

#undef F

/* Dataset kinds, in the order of the Setup page's combo and the schema's choices. Labels are
 * short (a combo row's value is cut at 20 characters in libadwaita 1.2); the folder row says
 * what the folder must hold. */
typedef struct {
  const char *spec;
  const char *label;
  const char *folder_title; /* NULL: no folder (the installed Fashion-MNIST) */
  int classes;
  gboolean file;            /* a file, not a folder (packed) */
} DatasetKind;

static const DatasetKind dataset_kinds[] = {
  { "fashion-mnist", N_("Fashion-MNIST"), NULL, 10 },
  { "mnist", N_("MNIST"), N_("Folder of the MNIST IDX files"), 10 },
  { "cifar10", N_("CIFAR-10"), N_("Folder of the CIFAR-10 binary version"), 10 },
  { "cifar100", N_("CIFAR-100"), N_("Folder of the CIFAR-100 binary version"), 100 },
  { "folder", N_("Image folder"), N_("Folder with one sub-folder per class"), 0 },
  { "packed", N_("Packed file"), N_("File written by alexnet pack"), 0, TRUE },
};

static void
setup_row_free (gpointer p)
{
  SetupRow *r = p;

  g_strfreev (r->choices);
  g_free (r);
}

static gboolean
choice_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  const char *const *choices = user_data;
  const char *s = g_variant_get_string (variant, NULL);

  for (guint i = 0; choices[i] != NULL; i++)
    if (g_strcmp0 (choices[i], s) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
choice_set_mapping (const GValue *value, const GVariantType *type, gpointer user_data)
{
  const char *const *choices = user_data;
  guint i = g_value_get_uint (value);

  if (i >= g_strv_length ((char **) choices))
    return NULL;
  return g_variant_new_string (choices[i]);
}

static void
update_schedule_rows (AnSetupPage *self)
{
  int schedule = -1;

  for (guint i = 0; i < self->setup_rows->len; i++)
    {
      SetupRow *r = g_ptr_array_index (self->setup_rows, i);

      if (g_strcmp0 (r->spec->setting, "schedule") == 0)
        schedule = (int) adw_combo_row_get_selected (r->combo);
    }
  for (guint i = 0; i < self->setup_rows->len; i++)
    {
      SetupRow *r = g_ptr_array_index (self->setup_rows, i);

      if (r->spec->only_when_schedule >= 0)
        gtk_widget_set_visible (r->row, r->spec->only_when_schedule == schedule);
    }
}

/* Colour jitter needs colour: its rows are off while the dataset read is grey. */
static void
update_jitter_rows (AnSetupPage *self)
{
  gboolean grey = self->dataset_channels == 1;

  for (guint i = 0; i < self->setup_rows->len; i++)
    {
      SetupRow *r = g_ptr_array_index (self->setup_rows, i);

      if (g_strcmp0 (r->spec->setting, "augment-pca") != 0
          && g_strcmp0 (r->spec->setting, "pca-std") != 0)
        continue;
      gtk_widget_set_sensitive (r->row, !grey);
      gtk_widget_set_tooltip_text (r->row, grey ? _("The dataset is grey: there is no colour "
                                                    "to jitter")
                                                : NULL);
    }
}

static SetupRow *
build_row (AnSetupPage *self, const SetupRowSpec *spec)
{
  SetupRow *r = g_new0 (SetupRow, 1);
  double lo = 0, hi = 0;

  r->spec = spec;
  an_schema_bounds (self->settings, spec->setting, &lo, &hi, &r->choices);

  switch (spec->kind)
    {
    case FIELD_INT:
    case FIELD_U64:
    case FIELD_DOUBLE:
      {
        GtkWidget *spin;

        r->row = adw_action_row_new ();
        r->adjustment = gtk_adjustment_new (lo, lo, hi, spec->step, spec->step * 10, 0);
        spin = gtk_spin_button_new (r->adjustment, spec->step, spec->digits);
        gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
        gtk_spin_button_set_update_policy (GTK_SPIN_BUTTON (spin), GTK_UPDATE_IF_VALID);
        gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
        gtk_editable_set_width_chars (GTK_EDITABLE (spin), 10);
        adw_action_row_add_suffix (ADW_ACTION_ROW (r->row), spin);
        adw_action_row_set_activatable_widget (ADW_ACTION_ROW (r->row), spin);
        gtk_accessible_update_relation (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                        r->row, NULL, -1);
        gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _(spec->title), -1);
        g_settings_bind (self->settings, spec->setting, r->adjustment, "value",
                         G_SETTINGS_BIND_DEFAULT);
        break;
      }
    case FIELD_BOOL:
      r->row = adw_action_row_new ();
      r->toggle = GTK_SWITCH (gtk_switch_new ());
      gtk_widget_set_valign (GTK_WIDGET (r->toggle), GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (r->toggle), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _(spec->title), -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (r->row), GTK_WIDGET (r->toggle));
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (r->row), GTK_WIDGET (r->toggle));
      g_settings_bind (self->settings, spec->setting, r->toggle, "active",
                       G_SETTINGS_BIND_DEFAULT);
      break;
    case FIELD_ENUM:
    case FIELD_STRING:
      {
        g_autoptr (GtkStringList) model = gtk_string_list_new (NULL);

        for (guint i = 0; spec->labels[i] != NULL; i++)
          gtk_string_list_append (model, _(spec->labels[i]));
        r->row = adw_combo_row_new ();
        r->combo = ADW_COMBO_ROW (r->row);
        adw_combo_row_set_model (r->combo, G_LIST_MODEL (model));
        /* The row's own value label is cut at 20 characters (libadwaita 1.2); the subtitle
         * has room for the long choices. */
        if (spec->subtitle == NULL)
          adw_combo_row_set_use_subtitle (r->combo, TRUE);
        g_settings_bind_with_mapping (self->settings, spec->setting, r->combo, "selected",
                                      G_SETTINGS_BIND_DEFAULT, choice_get_mapping,
                                      choice_set_mapping, r->choices, NULL);
        break;
      }
    default:
      g_assert_not_reached ();
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (r->row), _(spec->title));
  if (spec->subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (r->row), _(spec->subtitle));
  return r;
}

static int
selected_dataset (AnSetupPage *self)
{
  guint i = adw_combo_row_get_selected (self->dataset_row);

  return MIN (i, G_N_ELEMENTS (dataset_kinds) - 1);
}

/* The number of classes the parameter count is given for: the dataset's own when known (an
 * image folder: once read), else 10. */
static int
dataset_classes (AnSetupPage *self)
{
  int classes = dataset_kinds[selected_dataset (self)].classes;

  return classes > 0 ? classes : self->dataset_classes > 0 ? self->dataset_classes : 10;
}

static gboolean
needs_folder (AnSetupPage *self)
{
  return dataset_kinds[selected_dataset (self)].folder_title != NULL;
}

static void
update_preset_details (AnSetupPage *self)
{
  guint i = adw_combo_row_get_selected (self->preset_row);
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) details = g_string_new (NULL);
  g_autoptr (GString) lrn = g_string_new (NULL);
  gint64 params;
  int classes = dataset_classes (self);

  g_clear_pointer (&self->preset, an_preset_free);
  if (self->preset_names == NULL || i >= g_strv_length (self->preset_names))
    return;
  self->preset = an_preset_load (self->preset_names[i], &error);
  if (self->preset == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->preset_details_row),
                                     error->message);
      adw_action_row_set_subtitle (self->preset_details_row, "");
      g_signal_emit (self, signals[SIGNAL_PRESET_CHANGED], 0);
      return;
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->preset_details_row),
                                 self->preset->description ? self->preset->description : "");

  if (self->preset->channels > 0)
    /* Translators: the model's input: channels × height × width */
    g_string_append_printf (details, _("Input %d×%d×%d"), self->preset->channels,
                            self->preset->height, self->preset->width);
  else
    /* Translators: the input takes its channels from the data set */
    g_string_append_printf (details, _("Input %d×%d, channels of the data"),
                            self->preset->height, self->preset->width);

  params = an_preset_param_count (self->preset, classes, NULL);
  if (params >= 0)
    {
      g_autofree char *count = an_format_count (params);

      g_string_append (details, " · ");
      /* Translators: "1,234,567 parameters for 10 classes" */
      g_string_append_printf (details, ngettext ("%s parameters for %d class",
                                                 "%s parameters for %d classes", classes),
                              count, classes);
    }

  for (int l = 0; l < self->preset->n_layers; l++)
    if (self->preset->layers[l].kind == AN_LAYER_LRN)
      g_string_append_printf (lrn, "%s%s", lrn->len ? ", " : "", self->preset->layers[l].name);
  g_string_append (details, " · ");
  if (lrn->len > 0)
    /* Translators: %s lists the LRN layers ("lrn1, lrn2") */
    g_string_append_printf (details, _("LRN: %s"), lrn->str);
  else
    g_string_append (details, _("no LRN"));
  g_string_append (details, " · ");
  g_string_append (details, self->preset->towers == 2 ? _("one or two towers") : _("one tower"));
  adw_action_row_set_subtitle (self->preset_details_row, details->str);

  for (guint r = 0; r < self->setup_rows->len; r++)
    {
      SetupRow *row = g_ptr_array_index (self->setup_rows, r);

      if (g_strcmp0 (row->spec->setting, "towers") == 0)
        gtk_widget_set_sensitive (row->row, self->preset->towers == 2);
    }
  g_signal_emit (self, signals[SIGNAL_PRESET_CHANGED], 0);
}

static void
update_folder_row (AnSetupPage *self)
{
  const DatasetKind *kind = &dataset_kinds[selected_dataset (self)];

  gtk_widget_set_visible (GTK_WIDGET (self->folder_row), kind->folder_title != NULL);
  if (kind->folder_title != NULL)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->folder_row), _(kind->folder_title));
  adw_action_row_set_subtitle (self->folder_row,
                               self->dataset_folder && *self->dataset_folder
                                 ? self->dataset_folder : _("None chosen"));
}

/* The spec the preview reads; NULL when the dataset needs a folder and none is chosen. */
static void
update_dataset_preview (AnSetupPage *self)
{
  int dataset = selected_dataset (self);
  g_autofree char *spec = NULL;

  if (!needs_folder (self))
    spec = g_strdup (dataset_kinds[dataset].spec);
  else if (self->dataset_folder != NULL && *self->dataset_folder != '\0')
    spec = g_strdup_printf ("%s:%s", dataset_kinds[dataset].spec, self->dataset_folder);
  dataset_preview (self, spec);
}

static void
on_dataset_changed (AnSetupPage *self)
{
  update_folder_row (self);
  update_preset_details (self);
  update_dataset_preview (self);
}

static void
on_folder_chosen (AnSetupPage *self, GFile *folder)
{
  g_autofree char *path = g_file_get_path (folder);

  if (path == NULL)
    {
      an_toast (GTK_WIDGET (self), dataset_kinds[selected_dataset (self)].file
                                     ? _("The file must be on this computer")
                                     : _("The folder must be on this computer"));
      return;
    }
  g_settings_set_string (self->settings, "dataset-folder", path);
}

static void
on_folder_clicked (AnSetupPage *self)
{
  if (dataset_kinds[selected_dataset (self)].file)
    an_choose_file (GTK_WIDGET (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                    _("Choose a Packed Dataset"), _("_Open"), NULL, AN_FILE_FILTER_PACKED,
                    (AnFileChosenFunc) on_folder_chosen, self);
  else
    an_choose_file (GTK_WIDGET (self), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                    _("Choose a Dataset Folder"), _("_Select"), NULL, AN_FILE_FILTER_NONE,
                    (AnFileChosenFunc) on_folder_chosen, self);
}

static void
on_folder_setting_changed (AnSetupPage *self)
{
  g_free (self->dataset_folder);
  self->dataset_folder = g_settings_get_string (self->settings, "dataset-folder");
  update_folder_row (self);
  if (needs_folder (self))
    update_dataset_preview (self);
}

static void
apply_recipe (AnSetupPage *self, const char *recipe)
{
  AnRunConfig cfg;
  g_autoptr (GError) error = NULL;

  an_setup_page_get_run_config (self, &cfg);
  if (an_run_config_apply_recipe (&cfg, recipe, &error))
    an_setup_page_set_run_config (self, &cfg);
  else
    an_toast (GTK_WIDGET (self), "%s", error->message);
  an_run_config_clear (&cfg);
}

typedef struct {
  const char *recipe;
  const char *title;
  const char *button;
} Recipe;

static const Recipe recipes[] = {
  { "paper", N_("The 2012 paper"), N_("_Paper Settings") },
  { "article", N_("The teaching article"), N_("_Article Settings") },
  { "default", N_("Settings that train at once"), N_("_Defaults") },
};

static void
on_recipe_clicked (GtkButton *button, AnSetupPage *self)
{
  apply_recipe (self, g_object_get_data (G_OBJECT (button), "recipe"));
}

/* What a recipe changes from the defaults, from the configuration's field table: "epochs 90,
 * init paper, batch 128..." ("the defaults" when nothing). */
static char *
describe_recipe (const char *recipe)
{
  g_autoptr (GString) text = g_string_new (NULL);
  AnRunConfig base, cfg;
  const AnConfigField *fields;
  guint n;

  an_run_config_init (&base);
  an_run_config_init (&cfg);
  if (!an_run_config_apply_recipe (&cfg, recipe, NULL))
    g_return_val_if_reached (NULL);
  fields = an_run_config_fields (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *was = an_run_config_get (&base, fields[i].key);
      g_autofree char *now = an_run_config_get (&cfg, fields[i].key);
      g_autofree char *name = g_strdelimit (g_strdup (fields[i].key), "_", ' ');

      if (g_strcmp0 (was, now) != 0)
        g_string_append_printf (text, "%s%s %s", text->len ? ", " : "", name, now);
    }
  an_run_config_clear (&base);
  an_run_config_clear (&cfg);
  if (text->len == 0)
    return g_strdup (_("The defaults: He initialisation, constant learning rate"));
  return g_strdup_printf (_("Sets %s"), text->str);
}

static void
build_recipe_rows (AnSetupPage *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (recipes); i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_with_mnemonic (_(recipes[i].button));
      g_autofree char *what = describe_recipe (recipes[i].recipe);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(recipes[i].title));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), what);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, what);
      g_object_set_data (G_OBJECT (button), "recipe", (gpointer) recipes[i].recipe);
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_recipe_clicked), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_preferences_group_add (self->recipes_group, row);
    }
}

void
an_setup_page_get_run_config (AnSetupPage *self, AnRunConfig *cfg)
{
  guint preset = adw_combo_row_get_selected (self->preset_row);
  int dataset = selected_dataset (self);

  g_return_if_fail (AN_IS_SETUP_PAGE (self));

  an_run_config_init (cfg);
  if (self->preset_names != NULL && preset < g_strv_length (self->preset_names))
    {
      g_free (cfg->model);
      cfg->model = g_strdup (self->preset_names[preset]);
    }
  g_free (cfg->data);
  if (!needs_folder (self) || self->dataset_folder == NULL || *self->dataset_folder == '\0')
    cfg->data = g_strdup (dataset_kinds[dataset].spec);
  else
    cfg->data = g_strdup_printf ("%s:%s", dataset_kinds[dataset].spec, self->dataset_folder);

  for (guint i = 0; i < self->setup_rows->len; i++)
    {
      SetupRow *r = g_ptr_array_index (self->setup_rows, i);
      guint8 *field = (guint8 *) cfg + r->spec->offset;

      switch (r->spec->kind)
        {
        case FIELD_INT:
          *(int *) field = (int) gtk_adjustment_get_value (r->adjustment);
          break;
        case FIELD_U64:
          *(guint64 *) field = (guint64) gtk_adjustment_get_value (r->adjustment);
          break;
        case FIELD_DOUBLE:
          *(double *) field = gtk_adjustment_get_value (r->adjustment);
          break;
        case FIELD_BOOL:
          *(gboolean *) field = gtk_switch_get_active (r->toggle);
          break;
        case FIELD_ENUM:
          *(int *) field = (int) adw_combo_row_get_selected (r->combo);
          break;
        case FIELD_STRING:
          {
            guint k = adw_combo_row_get_selected (r->combo);

            g_free (*(char **) field);
            *(char **) field = g_strdup (r->choices != NULL && k < g_strv_length (r->choices)
                                           ? r->choices[k] : "");
            break;
          }
        default:
          g_assert_not_reached ();
        }
    }
  if (self->preset != NULL && self->preset->towers != 2)
    cfg->towers = 1;
}

void
an_setup_page_set_run_config (AnSetupPage *self, const AnRunConfig *cfg)
{
  g_return_if_fail (AN_IS_SETUP_PAGE (self));

  if (cfg == NULL)
    return;
  for (guint i = 0; self->preset_names != NULL && self->preset_names[i] != NULL; i++)
    if (g_strcmp0 (self->preset_names[i], cfg->model) == 0)
      adw_combo_row_set_selected (self->preset_row, i);

  if (cfg->data != NULL)
    {
      g_auto (GStrv) parts = g_strsplit (cfg->data, ":", 2);

      for (guint i = 0; i < G_N_ELEMENTS (dataset_kinds); i++)
        if (g_strcmp0 (parts[0], dataset_kinds[i].spec) == 0)
          adw_combo_row_set_selected (self->dataset_row, i);
      if (parts[0] != NULL && parts[1] != NULL)
        g_settings_set_string (self->settings, "dataset-folder", parts[1]);
    }

  for (guint i = 0; i < self->setup_rows->len; i++)
    {
      SetupRow *r = g_ptr_array_index (self->setup_rows, i);
      const guint8 *field = (const guint8 *) cfg + r->spec->offset;

      switch (r->spec->kind)
        {
        case FIELD_INT:
          gtk_adjustment_set_value (r->adjustment, *(const int *) field);
          break;
        case FIELD_U64:
          gtk_adjustment_set_value (r->adjustment, (double) *(const guint64 *) field);
          break;
        case FIELD_DOUBLE:
          gtk_adjustment_set_value (r->adjustment, *(const double *) field);
          break;
        case FIELD_BOOL:
          gtk_switch_set_active (r->toggle, *(const gboolean *) field);
          break;
        case FIELD_ENUM:
          adw_combo_row_set_selected (r->combo, (guint) *(const int *) field);
          break;
        case FIELD_STRING:
          {
            const char *s = *(char *const *) field;

            for (guint k = 0; r->choices != NULL && r->choices[k] != NULL; k++)
              if (s != NULL && g_str_has_prefix (s, r->choices[k]))
                adw_combo_row_set_selected (r->combo, k);
            break;
          }
        default:
          g_assert_not_reached ();
        }
    }
}

void
an_setup_page_set_locked (AnSetupPage *self, gboolean locked)
{
  g_return_if_fail (AN_IS_SETUP_PAGE (self));

  gtk_widget_set_sensitive (GTK_WIDGET (self->setup_box), !locked);
  gtk_widget_set_visible (GTK_WIDGET (self->locked_label), locked);
}

const AnPreset *
an_setup_page_get_preset (AnSetupPage *self)
{
  g_return_val_if_fail (AN_IS_SETUP_PAGE (self), NULL);
  return self->preset;
}

static gboolean
preset_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  AnSetupPage *self = user_data;
  const char *name = g_variant_get_string (variant, NULL);

  for (guint i = 0; self->preset_names[i] != NULL; i++)
    if (g_strcmp0 (self->preset_names[i], name) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
preset_set_mapping (const GValue *value, const GVariantType *type, gpointer user_data)
{
  AnSetupPage *self = user_data;
  guint i = g_value_get_uint (value);

  if (i >= g_strv_length (self->preset_names))
    return NULL;
  return g_variant_new_string (self->preset_names[i]);
}


/* The dataset preview */

/* Samples larger than this (image folders) are subsampled to it: the row shows thumbnails. */
#define SAMPLE_MAX_SIDE 64
/* Samples are drawn at least this large, in whole screen pixels per image pixel. */
#define SAMPLE_TARGET_SIDE 56

typedef struct {
  char *spec;
  guint serial;
} PreviewJob;

static void
preview_job_free (gpointer data)
{
  PreviewJob *job = data;

  g_free (job->spec);
  g_free (job);
}

/* Indexing progress, from the loading thread to the page. */
typedef struct {
  AnSetupPage *page; /* a reference */
  guint serial;
  int split, classes_done, classes_total, images;
} PreviewProgress;

static gboolean
show_preview_progress (gpointer data)
{
  PreviewProgress *pp = data;
  AnSetupPage *self = pp->page;

  if (pp->serial == self->dataset_serial && self->dataset_loading)
    {
      g_autofree char *images = an_format_count (pp->images);
      g_autofree char *title = NULL;

      if (pp->split == 0)
        /* Translators: while a folder dataset is listed: images found so far, then class
         * folders listed of all */
        title = g_strdup_printf (ngettext ("Indexing the training images… %s image, class %d "
                                           "of %d",
                                           "Indexing the training images… %s images, class %d "
                                           "of %d", pp->images),
                                 images, pp->classes_done, pp->classes_total);
      else
        title = g_strdup_printf (ngettext ("Indexing the test images… %s image, class %d of %d",
                                           "Indexing the test images… %s images, class %d of %d",
                                           pp->images),
                                 images, pp->classes_done, pp->classes_total);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->dataset_info_row), title);
    }
  return G_SOURCE_REMOVE;
}

static void
preview_progress_free (gpointer data)
{
  PreviewProgress *pp = data;

  g_object_unref (pp->page);
  g_free (pp);
}

typedef struct {
  GTask *task;
  guint serial;
  gint64 last_us;
} ProgressSink;

static void
on_preview_progress (int split, int classes_done, int classes_total, int images, gpointer data)
{
  ProgressSink *sink = data;
  gint64 now = g_get_monotonic_time ();
  PreviewProgress *pp;

  /* at most ten updates a second, and always the last class */
  if (now - sink->last_us < 100000 && classes_done < classes_total)
    return;
  sink->last_us = now;
  pp = g_new0 (PreviewProgress, 1);
  pp->page = g_object_ref (g_task_get_source_object (sink->task));
  pp->serial = sink->serial;
  pp->split = split;
  pp->classes_done = classes_done;
  pp->classes_total = classes_total;
  pp->images = images;
  g_main_context_invoke_full (g_task_get_context (sink->task), G_PRIORITY_DEFAULT,
                              show_preview_progress, pp, preview_progress_free);
}

static void
preview_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  PreviewJob *job = task_data;
  GError *error = NULL;
  ProgressSink sink = { task, job->serial, 0 };
  AnDatasetPreview *p = an_dataset_preview_load_full (job->spec, SAMPLE_MAX_SIDE,
                                                      on_preview_progress, &sink, cancellable,
                                                      &error);

  if (p == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, p, (GDestroyNotify) an_dataset_preview_free);
}

static void
clear_samples (AnSetupPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->dataset_samples_box))) != NULL)
    gtk_flow_box_remove (self->dataset_samples_box, child);
  self->dataset_n_samples = 0;
  gtk_widget_set_visible (self->dataset_samples_row, FALSE);
}

static void
set_loading (AnSetupPage *self, gboolean loading)
{
  self->dataset_loading = loading;
  gtk_widget_set_visible (GTK_WIDGET (self->dataset_spinner), loading);
  gtk_spinner_set_spinning (self->dataset_spinner, loading);
}

static void
show_samples (AnSetupPage *self, const AnDatasetPreview *p)
{
  gsize sample = (gsize) p->channels * p->sample_h * p->sample_w;
  int zoom = MAX (1, (SAMPLE_TARGET_SIDE + MAX (p->sample_h, p->sample_w) - 1)
                       / MAX (p->sample_h, p->sample_w));

  for (int i = 0; i < p->n_samples; i++)
    {
      GtkWidget *tile = an_tile_grid_new ();
      const char *name = p->class_names[p->sample_class[i]];
      int count = p->class_counts ? p->class_counts[p->sample_class[i]] : 0;
      g_autofree char *count_text = an_format_count (count);
      /* Translators: a class's name and its number of training images */
      g_autofree char *tip = g_strdup_printf (ngettext ("%s: %s training image",
                                                        "%s: %s training images", count),
                                              name, count_text);

      an_tile_grid_set_zoom (AN_TILE_GRID (tile), zoom);
      an_tile_grid_set_image (AN_TILE_GRID (tile), p->samples + (gsize) i * sample, p->channels,
                              p->sample_h, p->sample_w);
      gtk_widget_set_halign (tile, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (tile, p->class_counts ? tip : name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (tile), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                      -1);
      gtk_flow_box_append (self->dataset_samples_box, tile);
      /* pictures to look at, not controls: keyboard focus goes past them */
      gtk_widget_set_focusable (gtk_widget_get_parent (tile), FALSE);
    }
  self->dataset_n_samples = p->n_samples;
  gtk_widget_set_visible (self->dataset_samples_row, p->n_samples > 0);
}

static void
show_preview (AnSetupPage *self, const AnDatasetPreview *p)
{
  g_autoptr (GString) title = g_string_new (NULL);
  g_autoptr (GString) subtitle = g_string_new (NULL);
  g_autofree char *names = g_strjoinv (", ", p->class_names);
  g_autofree char *train = an_format_count (p->n_train);
  g_autofree char *test = an_format_count (MAX (p->n_test, 0));
  int n_classes = (int) g_strv_length (p->class_names);

  /* Translators: the number of images in the training split ("60,000 training images") */
  g_string_append_printf (title, ngettext ("%s training image", "%s training images",
                                           p->n_train),
                          train);
  g_string_append (title, " · ");
  if (p->n_test >= 0)
    /* Translators: the number of images in the test split */
    g_string_append_printf (title, ngettext ("%s test image", "%s test images", p->n_test),
                            test);
  else
    g_string_append (title, _("no test split"));

  g_string_append_printf (subtitle,
                          p->channels == 3
                            /* Translators: image size in pixels, width × height */
                            ? _("%d×%d pixels, colour")
                            : _("%d×%d pixels, grey"),
                          p->width, p->height);
  g_string_append (subtitle, " · ");
  /* Translators: %d classes, then %s lists their names */
  g_string_append_printf (subtitle, ngettext ("%d class: %s", "%d classes: %s", n_classes),
                          n_classes, names);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->dataset_info_row), title->str);
  adw_action_row_set_subtitle (self->dataset_info_row, subtitle->str);
  self->dataset_n_train = p->n_train;
  self->dataset_n_test = p->n_test;
  self->dataset_channels = p->channels;
  update_jitter_rows (self);
  if (self->dataset_classes != n_classes)
    {
      self->dataset_classes = n_classes;
      update_preset_details (self); /* the parameter count for this many classes */
    }
  show_samples (self, p);
}

static void
on_preview_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AnSetupPage *self = AN_SETUP_PAGE (source);
  PreviewJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  AnDatasetPreview *p = g_task_propagate_pointer (G_TASK (result), &error);

  /* the window is closed, or another dataset was chosen since */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || job->serial != self->dataset_serial)
    {
      g_clear_pointer (&p, an_dataset_preview_free);
      return;
    }
  set_loading (self, FALSE);
  if (p == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->dataset_info_row),
                                     _("Cannot read this dataset"));
      adw_action_row_set_subtitle (self->dataset_info_row, error->message);
      an_toast (GTK_WIDGET (self), _("Cannot read the dataset: %s"), error->message);
      return;
    }
  show_preview (self, p);
  an_dataset_preview_free (p);
}

static void
dataset_preview (AnSetupPage *self, const char *spec)
{
  g_autoptr (GTask) task = NULL;
  PreviewJob *job;

  self->dataset_serial++;
  self->dataset_n_train = self->dataset_n_test = -1;
  self->dataset_channels = 0;
  update_jitter_rows (self);
  clear_samples (self);
  if (spec == NULL)
    {
      set_loading (self, FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->dataset_info_row),
                                     _("No folder chosen"));
      adw_action_row_set_subtitle (self->dataset_info_row,
                                   _("Choose the folder that holds the dataset’s files"));
      return;
    }

  set_loading (self, TRUE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->dataset_info_row),
                                 _("Reading the dataset…"));
  adw_action_row_set_subtitle (self->dataset_info_row, "");
  job = g_new0 (PreviewJob, 1);
  job->spec = g_strdup (spec);
  job->serial = self->dataset_serial;
  task = g_task_new (self, self->cancellable, on_preview_loaded, NULL);
  g_task_set_task_data (task, job, preview_job_free);
  g_task_set_source_tag (task, dataset_preview);
  g_task_run_in_thread (task, preview_thread);
}

gboolean
an_setup_page_get_dataset_preview (AnSetupPage *self, int *n_train, int *n_test, int *n_samples)
{
  g_return_val_if_fail (AN_IS_SETUP_PAGE (self), FALSE);

  if (n_train != NULL)
    *n_train = self->dataset_n_train;
  if (n_test != NULL)
    *n_test = self->dataset_n_test;
  if (n_samples != NULL)
    *n_samples = self->dataset_n_samples;
  return !self->dataset_loading;
}

GtkWidget *
an_setup_page_get_dataset_info_row (AnSetupPage *self)
{
  g_return_val_if_fail (AN_IS_SETUP_PAGE (self), NULL);
  return GTK_WIDGET (self->dataset_info_row);
}

GtkWidget *
an_setup_page_get_dataset_sample (AnSetupPage *self, int i)
{
  GtkFlowBoxChild *child;

  g_return_val_if_fail (AN_IS_SETUP_PAGE (self), NULL);

  child = gtk_flow_box_get_child_at_index (self->dataset_samples_box, i);
  return child != NULL ? gtk_flow_box_child_get_child (child) : NULL;
}

static void
an_setup_page_dispose (GObject *object)
{
  AnSetupPage *self = AN_SETUP_PAGE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  /* The bindings' mappings read the choices and preset names freed below. */
  for (guint i = 0; self->setup_rows != NULL && i < self->setup_rows->len; i++)
    {
      SetupRow *r = g_ptr_array_index (self->setup_rows, i);

      if (r->combo != NULL)
        g_settings_unbind (r->combo, "selected");
    }
  if (self->preset_row != NULL)
    {
      g_settings_unbind (self->preset_row, "selected");
      g_settings_unbind (self->dataset_row, "selected");
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), AN_TYPE_SETUP_PAGE);
  g_clear_pointer (&self->setup_rows, g_ptr_array_unref);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (an_setup_page_parent_class)->dispose (object);
}

static void
an_setup_page_finalize (GObject *object)
{
  AnSetupPage *self = AN_SETUP_PAGE (object);

  g_strfreev (self->preset_names);
  g_clear_pointer (&self->preset, an_preset_free);
  g_free (self->dataset_folder);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (an_setup_page_parent_class)->finalize (object);
}

static void
an_setup_page_class_init (AnSetupPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = an_setup_page_dispose;
  object_class->finalize = an_setup_page_finalize;

  /* The selected preset changed (an_setup_page_get_preset): the pages that list its layers
   * follow. */
  signals[SIGNAL_PRESET_CHANGED] =
    g_signal_new ("preset-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/alexnetstudio/AlexNetStudio/an-setup-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, AnSetupPage, name)
  BIND (setup_box);
  BIND (locked_label);
  BIND (recipes_group);
  BIND (preset_row);
  BIND (preset_details_row);
  BIND (dataset_row);
  BIND (folder_row);
  BIND (dataset_info_row);
  BIND (dataset_spinner);
  BIND (dataset_samples_row);
  BIND (dataset_samples_box);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_folder_clicked);
}

static void
an_setup_page_init (AnSetupPage *self)
{
  AdwPreferencesGroup *groups[N_GROUPS];
  g_autoptr (GtkStringList) presets = NULL;
  static GStrv dataset_choices;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new (APP_ID);
  self->cancellable = g_cancellable_new ();
  self->dataset_n_train = self->dataset_n_test = -1;
  self->setup_rows = g_ptr_array_new_with_free_func (setup_row_free);

  self->preset_names = an_preset_list ();
  presets = gtk_string_list_new ((const char *const *) self->preset_names);
  adw_combo_row_set_model (self->preset_row, G_LIST_MODEL (presets));
  g_settings_bind_with_mapping (self->settings, "last-preset", self->preset_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, preset_get_mapping, preset_set_mapping,
                                self, NULL);

  {
    g_autoptr (GtkStringList) kinds = gtk_string_list_new (NULL);

    for (guint i = 0; i < G_N_ELEMENTS (dataset_kinds); i++)
      gtk_string_list_append (kinds, _(dataset_kinds[i].label));
    adw_combo_row_set_model (self->dataset_row, G_LIST_MODEL (kinds));
  }
  if (dataset_choices == NULL)
    {
      double lo, hi;
      an_schema_bounds (self->settings, "dataset-kind", &lo, &hi, &dataset_choices);
    }
  g_settings_bind_with_mapping (self->settings, "dataset-kind", self->dataset_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, choice_get_mapping, choice_set_mapping,
                                dataset_choices, NULL);
  self->dataset_folder = g_settings_get_string (self->settings, "dataset-folder");
  g_signal_connect_object (self->settings, "changed::dataset-folder",
                           G_CALLBACK (on_folder_setting_changed), self, G_CONNECT_SWAPPED);

  build_recipe_rows (self);
  for (guint g = 0; g < N_GROUPS; g++)
    {
      groups[g] = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
      adw_preferences_group_set_title (groups[g], _(group_titles[g]));
      gtk_box_append (self->setup_box, GTK_WIDGET (groups[g]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (setup_rows); i++)
    {
      SetupRow *r = build_row (self, &setup_rows[i]);

      g_ptr_array_add (self->setup_rows, r);
      adw_preferences_group_add (groups[setup_rows[i].group], r->row);
      if (g_strcmp0 (setup_rows[i].setting, "schedule") == 0)
        g_signal_connect_object (r->combo, "notify::selected",
                                 G_CALLBACK (update_schedule_rows), self, G_CONNECT_SWAPPED);
    }
  update_schedule_rows (self);

  g_signal_connect_object (self->preset_row, "notify::selected",
                           G_CALLBACK (update_preset_details), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dataset_row, "notify::selected",
                           G_CALLBACK (on_dataset_changed), self, G_CONNECT_SWAPPED);
  update_folder_row (self);
  update_preset_details (self);
  update_dataset_preview (self);
}
