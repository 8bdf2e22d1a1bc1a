/* an-cli.c: the commands' options, help, errors and JSON (an-cli.h).
 * A command's GOptionContext is built from its configuration fields (the field table's
 * spelling, placeholder and summary) and its own options; every value goes through a callback,
 * so a configuration value is checked by an_run_config_set with the table's ranges, and the
 * help is written from the same entries. GOption's own help is off: --help prints ours.
 */
#define G_LOG_DOMAIN "alexnet"
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "an-cli.h"

/* Help: the option column, then its text, wrapped at the width of a terminal. */
#define HELP_TEXT_COLUMN 28
#define HELP_WIDTH 100

typedef enum {
  TARGET_FIELD,
  TARGET_OPTION,
  TARGET_RECIPE,
  TARGET_HELP,
} TargetKind;

typedef struct {
  TargetKind kind;
  const AnConfigField *field;
  const AnCliOption *option;
} Target;

/* A configuration value, applied once the recipe is known. */
typedef struct {
  const AnConfigField *field;
  char *spelled; /* the option as typed: "--lr" */
  char *value;
} Pending;

struct _AnCliArgs {
  const AnCliCommand *cmd;
  AnRunConfig config;
  GHashTable *targets; /* "--lr", "-o" -> Target */
  GArray *pending;     /* of Pending */
  GHashTable *given;   /* field key or own option name -> value ("" for flags) */
  char *recipe;
  gboolean help;
  char **rest;
};

static const char *const section_titles[AN_CONFIG_N_SECTIONS] = {
  [AN_CONFIG_SECTION_DATA] = "Data",
  [AN_CONFIG_SECTION_DEVICE] = "Device",
  [AN_CONFIG_SECTION_OPTIMIZER] = "Optimizer",
  [AN_CONFIG_SECTION_SCHEDULE] = "Learning-rate schedule",
  [AN_CONFIG_SECTION_EARLY_STOPPING] = "Early stopping",
  [AN_CONFIG_SECTION_MODEL] = "Model",
  [AN_CONFIG_SECTION_AUGMENTATION] = "Augmentation",
  [AN_CONFIG_SECTION_REPRODUCIBILITY] = "Reproducibility",
  [AN_CONFIG_SECTION_OUTPUT] = "Output",
};

static const AnCliOption help_option = {
  "help", 'h', AN_CLI_FLAG, NULL, 0, 0, 0, NULL, "this help",
};

static const AnCliOption recipe_option = {
  "recipe", 0, AN_CLI_TEXT, "NAME", 0, 0, 0, NULL,
  "default|paper|article: the training settings of a recipe (He initialisation and a cosine "
  "decay; the 2012 paper's; the teaching article's), applied before the options that follow",
};

/* ---- errors ---------------------------------------------------------------------------- */

int
an_cli_usage (const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  fprintf (stderr, "alexnet: %s (see 'alexnet help')\n", msg);
  return AN_CLI_EXIT_USAGE;
}

int
an_cli_fail (const GError *error)
{
  fprintf (stderr, "alexnet: %s\n", error ? error->message : "failed");
  return 1;
}

/* ---- the options of a command ---------------------------------------------------------- */

static char *
dashed_key (const AnConfigField *f)
{
  return g_strdelimit (g_strdup (f->key), "_", '-');
}

static const char *
field_placeholder (const AnConfigField *f)
{
  switch (f->type)
    {
    case AN_CONFIG_INT:
    case AN_CONFIG_UINT64:
      return "N";
    case AN_CONFIG_DOUBLE:
      return "X";
    case AN_CONFIG_BOOLEAN:
      return "BOOL";
    case AN_CONFIG_ENUM:
      return "NAME";
    case AN_CONFIG_STRING:
      return f->arg ? f->arg : "TEXT";
    }
  g_return_val_if_reached ("VALUE");
}

/* Calls fn for each configuration field of cmd, in table order. */
static void
foreach_field (const AnCliCommand *cmd,
               void (*fn) (const AnConfigField *f, const AnCliField *as, gpointer data),
               gpointer data)
{
  guint n;
  const AnConfigField *fields = an_run_config_fields (&n);

  for (guint i = 0; i < n; i++)
    {
      const AnCliField *as = NULL;

      for (const AnCliField *c = cmd->fields; c && c->key && !as; c++)
        if (g_str_equal (c->key, fields[i].key))
          as = c;
      if (cmd->every_field || as)
        fn (&fields[i], as, data);
    }
}

static gboolean
on_option (const char *name, const char *value, gpointer data, GError **error)
{
  AnCliArgs *a = data;
  const Target *t = g_hash_table_lookup (a->targets, name);

  g_return_val_if_fail (t != NULL, FALSE);
  switch (t->kind)
    {
    case TARGET_HELP:
      a->help = TRUE;
      return TRUE;
    case TARGET_RECIPE:
      g_free (a->recipe);
      a->recipe = g_strdup (value);
      return TRUE;
    case TARGET_FIELD:
      {
        Pending p = { t->field, g_strdup (name), g_strdup (value) };

        g_array_append_val (a->pending, p);
        g_hash_table_replace (a->given, g_strdup (t->field->key), g_strdup (value));
        return TRUE;
      }
    case TARGET_OPTION:
      if (t->option->kind == AN_CLI_INT)
        {
          gint64 v;

          if (!g_ascii_string_to_signed (value, 10, t->option->lo, t->option->hi, &v, NULL))
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "%s: “%s” is not a whole number in [%d, %d]", name, value,
                           t->option->lo, t->option->hi);
              return FALSE;
            }
        }
      g_hash_table_replace (a->given, g_strdup (t->option->name), g_strdup (value ? value : ""));
      return TRUE;
    }
  g_return_val_if_reached (FALSE);
}

typedef struct {
  AnCliArgs *args;
  GArray *entries; /* of GOptionEntry */
  GPtrArray *strings;
} EntryBuilder;

static void
add_entry (EntryBuilder *eb, const char *long_name, char short_name, gboolean has_value,
           gboolean hidden, Target target)
{
  char *name = g_strdup (long_name);
  /* values as the bytes given: a path need not be in the locale's encoding */
  int flags = has_value ? G_OPTION_FLAG_FILENAME : G_OPTION_FLAG_NO_ARG;
  GOptionEntry e = {
    name, short_name, flags | (hidden ? G_OPTION_FLAG_HIDDEN : 0), G_OPTION_ARG_CALLBACK,
    (gpointer) on_option, NULL, NULL,
  };

  g_ptr_array_add (eb->strings, name);
  g_array_append_val (eb->entries, e);
  g_hash_table_insert (eb->args->targets, g_strconcat ("--", long_name, NULL),
                       g_memdup2 (&target, sizeof target));
  if (short_name)
    g_hash_table_insert (eb->args->targets, g_strdup_printf ("-%c", short_name),
                         g_memdup2 (&target, sizeof target));
}

static void
add_field_entries (const AnConfigField *f, const AnCliField *as, gpointer data)
{
  EntryBuilder *eb = data;
  g_autofree char *dashed = dashed_key (f);
  Target t = { TARGET_FIELD, f, NULL };

  add_entry (eb, f->option ? f->option : dashed, 0, TRUE, FALSE, t);
  if (f->option && !g_str_equal (f->option, dashed))
    add_entry (eb, dashed, 0, TRUE, TRUE, t);
}

static void
add_option_entries (EntryBuilder *eb, const AnCliOption *o, TargetKind kind)
{
  Target t = { kind, NULL, o };

  add_entry (eb, o->name, o->short_name, o->kind != AN_CLI_FLAG, FALSE, t);
}

static void
args_free (AnCliArgs *a)
{
  for (guint i = 0; i < a->pending->len; i++)
    {
      Pending *p = &g_array_index (a->pending, Pending, i);

      g_free (p->spelled);
      g_free (p->value);
    }
  g_array_unref (a->pending);
  g_hash_table_unref (a->targets);
  g_hash_table_unref (a->given);
  g_free (a->recipe);
  g_strfreev (a->rest);
  an_run_config_clear (&a->config);
  g_free (a);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnCliArgs, args_free)

/* The configuration from the recipe and the options; FALSE + the usage message. */
static gboolean
apply_config (AnCliArgs *a, char **message)
{
  g_autoptr (GError) error = NULL;

  if (a->recipe && !an_run_config_apply_recipe (&a->config, a->recipe, &error))
    {
      *message = g_strdup_printf ("--recipe: %s", error->message);
      return FALSE;
    }
  for (guint i = 0; i < a->pending->len; i++)
    {
      Pending *p = &g_array_index (a->pending, Pending, i);

      if (!an_run_config_set (&a->config, p->field->key, p->value, &error))
        {
          *message = g_strdup_printf ("%s: %s", p->spelled, error->message);
          return FALSE;
        }
    }
  if (!an_run_config_validate (&a->config, &error))
    {
      *message = g_strdup (error->message);
      return FALSE;
    }
  return TRUE;
}

int
an_cli_run (const AnCliCommand *cmd, int argc, char **argv)
{
  g_autoptr (AnCliArgs) a = g_new0 (AnCliArgs, 1);
  g_autoptr (GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;
  g_auto (GStrv) rest = g_new0 (char *, argc + 1);
  GOptionGroup *group;

  a->cmd = cmd;
  an_run_config_init (&a->config);
  a->targets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  a->pending = g_array_new (FALSE, FALSE, sizeof (Pending));
  a->given = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  EntryBuilder eb = { a, entries, strings };
  add_option_entries (&eb, &help_option, TARGET_HELP);
  if (cmd->recipe)
    add_option_entries (&eb, &recipe_option, TARGET_RECIPE);
  for (const AnCliOption *o = cmd->options; o && o->name; o++)
    add_option_entries (&eb, o, TARGET_OPTION);
  foreach_field (cmd, add_field_entries, &eb);

  group = g_option_group_new (cmd->name, cmd->summary, cmd->summary, a, NULL);
  g_option_group_add_entries (group, (const GOptionEntry *) (gpointer) entries->data);
  g_option_context_set_main_group (ctx, group);
  g_option_context_set_help_enabled (ctx, FALSE);

  /* GOption takes what it parses out of its array, leaving the command and the positionals */
  for (int i = 0; i < argc; i++)
    rest[i] = g_strdup (argv[i]);
  if (!g_option_context_parse_strv (ctx, &rest, &error))
    return an_cli_usage ("%s: %s", cmd->name, error->message);
  if (a->help)
    {
      an_cli_print_help (stdout, cmd);
      return 0;
    }
  if (!apply_config (a, &message))
    return an_cli_usage ("%s", message);
  a->rest = g_strdupv (rest[0] ? rest + 1 : rest);
  if (cmd->args == NULL && a->rest[0] != NULL)
    return an_cli_usage ("%s: unexpected argument '%s'", cmd->name, a->rest[0]);
  return cmd->run (a);
}

AnRunConfig *
an_cli_args_config (AnCliArgs *args)
{
  return &args->config;
}

gboolean
an_cli_args_given (AnCliArgs *args, const char *key)
{
  return g_hash_table_contains (args->given, key);
}

static const AnCliOption *
find_option (const AnCliCommand *cmd, const char *name)
{
  for (const AnCliOption *o = cmd->options; o && o->name; o++)
    if (g_str_equal (o->name, name))
      return o;
  g_return_val_if_reached (NULL);
}

gboolean
an_cli_args_flag (AnCliArgs *args, const char *name)
{
  g_return_val_if_fail (find_option (args->cmd, name)->kind == AN_CLI_FLAG, FALSE);
  return g_hash_table_contains (args->given, name);
}

int
an_cli_args_int (AnCliArgs *args, const char *name)
{
  const AnCliOption *o = find_option (args->cmd, name);
  const char *v = g_hash_table_lookup (args->given, name);

  g_return_val_if_fail (o->kind == AN_CLI_INT, 0);
  /* checked against the range when it was parsed */
  return v ? (int) g_ascii_strtoll (v, NULL, 10) : o->def;
}

const char *
an_cli_args_text (AnCliArgs *args, const char *name)
{
  g_return_val_if_fail (find_option (args->cmd, name)->kind == AN_CLI_TEXT, NULL);
  return g_hash_table_lookup (args->given, name);
}

char **
an_cli_args_rest (AnCliArgs *args)
{
  return args->rest;
}

const AnCliCommand *
an_cli_args_command (AnCliArgs *args)
{
  return args->cmd;
}

/* ---- help ------------------------------------------------------------------------------ */

/* "  left   text..." with text wrapped at HELP_WIDTH under column. */
static void
wrap (FILE *f, const char *left, const char *text, int column)
{
  g_auto (GStrv) words = g_strsplit (text, " ", -1);
  int col = fprintf (f, "  %s", left);

  if (*left && col + 2 > column)
    {
      fputc ('\n', f);
      col = 0;
    }
  for (int i = 0; words[i]; i++)
    {
      int len = (int) g_utf8_strlen (words[i], -1);
      gboolean first = col <= column;

      if (!first && col + 1 + len > HELP_WIDTH)
        {
          fputc ('\n', f);
          col = 0;
          first = TRUE;
        }
      if (col < column)
        col += fprintf (f, "%*s", column - col, "");
      col += fprintf (f, "%s%s", first ? "" : " ", words[i]);
    }
  fputc ('\n', f);
}

static void
help_line (FILE *f, const char *left, const char *text)
{
  wrap (f, left, text, HELP_TEXT_COLUMN);
}

typedef struct {
  FILE *f;
  AnRunConfig defaults;
  int section;      /* the section being written, -1 for all */
  gboolean heading; /* its heading is still to be written */
} HelpState;

static void
help_field (const AnConfigField *fd, const AnCliField *as, gpointer data)
{
  HelpState *h = data;
  g_autofree char *dashed = dashed_key (fd);
  g_autofree char *values = an_config_field_values (fd);
  g_autofree char *def = an_run_config_get (&h->defaults, fd->key);
  g_autofree char *left = g_strdup_printf ("--%s %s", fd->option ? fd->option : dashed,
                                           field_placeholder (fd));
  g_autoptr (GString) text = g_string_new (fd->summary);

  if (h->section >= 0 && (int) fd->section != h->section)
    return;
  if (h->heading)
    {
      h->heading = FALSE;
      fprintf (h->f, "\n %s:\n", section_titles[fd->section]);
    }
  if (values && (fd->type == AN_CONFIG_INT || fd->type == AN_CONFIG_DOUBLE ||
                 fd->type == AN_CONFIG_UINT64))
    g_string_append_printf (text, "; in %s", values);
  else if (values && fd->type != AN_CONFIG_ENUM)
    g_string_append_printf (text, "; %s", values);
  else if (values)
    g_string_append_printf (text, "; one of %s", values);
  if (as && as->default_text)
    g_string_append_printf (text, "; default: %s", as->default_text);
  else
    g_string_append_printf (text, "; default %s", *def ? def : "none");
  if (fd->option && !g_str_equal (fd->option, dashed))
    g_string_append_printf (text, " (also --%s)", dashed);
  help_line (h->f, left, text->str);
}

static void
print_option (FILE *f, const AnCliOption *o)
{
  g_autofree char *left = NULL;
  g_autoptr (GString) text = g_string_new (o->help);

  if (o->short_name)
    left = g_strdup_printf ("-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
                            o->arg ? o->arg : "");
  else
    left = g_strdup_printf ("--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
  if (o->kind == AN_CLI_INT)
    g_string_append_printf (text, "; in [%d, %d]; default %d", o->lo, o->hi, o->def);
  else if (o->kind == AN_CLI_TEXT && o->def_text)
    g_string_append_printf (text, "; default %s", o->def_text);
  help_line (f, left, text->str);
}

static void
count_field (const AnConfigField *f, const AnCliField *as, gpointer data)
{
  (*(int *) data)++;
}

void
an_cli_print_help (FILE *f, const AnCliCommand *cmd)
{
  HelpState h = { f, { 0 }, -1, FALSE };
  int n_fields = 0;
  g_autofree char *usage = g_strdup_printf ("alexnet %s [OPTIONS]%s%s", cmd->name,
                                            cmd->args ? " " : "", cmd->args ? cmd->args : "");

  fprintf (f, "%s\n", usage);
  wrap (f, "", cmd->summary, 2);
  fputc ('\n', f);
  if (cmd->recipe)
    print_option (f, &recipe_option);
  for (const AnCliOption *o = cmd->options; o && o->name; o++)
    print_option (f, o);

  foreach_field (cmd, count_field, &n_fields);
  an_run_config_init (&h.defaults);
  if (n_fields > 8)
    {
      /* a long list reads better in the table's sections */
      for (h.section = 0; h.section < AN_CONFIG_N_SECTIONS; h.section++)
        {
          h.heading = TRUE;
          foreach_field (cmd, help_field, &h);
        }
    }
  else
    foreach_field (cmd, help_field, &h);
  an_run_config_clear (&h.defaults);
  if (n_fields > 8)
    fputc ('\n', f);
  print_option (f, &help_option);
}

/* ---- JSON ------------------------------------------------------------------------------ */

static void
member (JsonBuilder *b, const char *name)
{
  if (name)
    json_builder_set_member_name (b, name);
}

void
an_cli_json_number (JsonBuilder *b, const char *name, double v)
{
  member (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

void
an_cli_json_int (JsonBuilder *b, const char *name, gint64 v)
{
  member (b, name);
  json_builder_add_int_value (b, v);
}

void
an_cli_json_bool (JsonBuilder *b, const char *name, gboolean v)
{
  member (b, name);
  json_builder_add_boolean_value (b, v);
}

void
an_cli_json_string (JsonBuilder *b, const char *name, const char *s)
{
  member (b, name);
  if (s == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  g_autofree char *valid = g_utf8_make_valid (s, -1);
  json_builder_add_string_value (b, valid);
}

void
an_cli_json_print (JsonBuilder *b)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = NULL;

  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}
