#define G_LOG_DOMAIN "alexnet-ui"
#include "config.h"

/* an-reflow-grid.c: two columns or one, by the width allocated. */

#include "an-reflow-grid.h"

#define MAX_COLUMNS 2

struct _AnReflowGrid {
  GtkWidget parent_instance;

  int min_column_width;
  int spacing;
  int columns; /* at the last allocation */
  GtkWidget *side; /* beside the grid when there is room, else below it */
  gboolean side_below; /* at the last allocation */
};

G_DEFINE_FINAL_TYPE (AnReflowGrid, an_reflow_grid, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_MIN_COLUMN_WIDTH, PROP_SPACING, N_PROPS };
static GParamSpec *properties[N_PROPS];

static int
n_children (AnReflowGrid *self)
{
  int n = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self)); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    n += c != self->side && gtk_widget_should_layout (c);
  return n;
}

static int
columns_for_width (AnReflowGrid *self, int width, int n)
{
  int cols = MAX_COLUMNS;

  while (cols > 1 && width < cols * self->min_column_width + (cols - 1) * self->spacing)
    cols--;
  return MAX (1, MIN (cols, n));
}

/* The largest minimum and natural size of the children in one orientation. */
static void
child_sizes (AnReflowGrid *self, GtkOrientation orientation, int for_size, int *min, int *nat)
{
  *min = *nat = 0;
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self)); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      int cmin = 0, cnat = 0;

      if (c == self->side || !gtk_widget_should_layout (c))
        continue;
      gtk_widget_measure (c, orientation, for_size, &cmin, &cnat, NULL, NULL);
      *min = MAX (*min, cmin);
      *nat = MAX (*nat, cnat);
    }
}

/* The width of the side widget when it goes beside the grid; 0 when it goes below (or there
 * is none). */
static int
side_width (AnReflowGrid *self, int width)
{
  int min = 0, nat = 0;

  if (self->side == NULL || !gtk_widget_should_layout (self->side))
    return 0;
  gtk_widget_measure (self->side, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  if (width >= MAX_COLUMNS * self->min_column_width + MAX_COLUMNS * self->spacing + nat)
    return nat;
  return 0;
}

/* The grid alone at this width. */
static void
measure_grid_height (AnReflowGrid *self, int width, int n, int *minimum, int *natural)
{
  int cols = columns_for_width (self, width, n);
  int rows = (n + cols - 1) / cols;
  int cmin, cnat;

  child_sizes (self, GTK_ORIENTATION_VERTICAL, -1, &cmin, &cnat);
  *minimum = rows * cmin + (rows - 1) * self->spacing;
  *natural = rows * cnat + (rows - 1) * self->spacing;
}

static void
an_reflow_grid_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                        int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  AnReflowGrid *self = AN_REFLOW_GRID (widget);
  gboolean has_side = self->side != NULL && gtk_widget_should_layout (self->side);
  int n = n_children (self), cmin = 0, cnat = 0, smin = 0, snat = 0;

  *minimum = *natural = 0;
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int cols = MIN (MAX_COLUMNS, n);

      if (n > 0)
        child_sizes (self, orientation, -1, &cmin, &cnat);
      if (has_side)
        gtk_widget_measure (self->side, orientation, -1, &smin, &snat, NULL, NULL);
      *minimum = MAX (cmin, smin);
      *natural = MAX (cols * MAX (cnat, self->min_column_width) + (cols - 1) * self->spacing,
                      cmin)
                 + (has_side ? self->spacing + snat : 0);
    }
  else
    {
      int width = for_size >= 0 ? for_size : G_MAXINT / 4;
      int side = side_width (self, width);
      int gmin = 0, gnat = 0;

      if (n > 0)
        measure_grid_height (self, side > 0 ? width - side - self->spacing : width, n, &gmin,
                             &gnat);
      if (has_side)
        gtk_widget_measure (self->side, orientation, side > 0 ? side : width, &smin, &snat,
                            NULL, NULL);
      if (side > 0 || !has_side)
        {
          *minimum = MAX (gmin, smin);
          *natural = MAX (gnat, snat);
        }
      else
        {
          *minimum = gmin + self->spacing + smin;
          *natural = gnat + self->spacing + snat;
        }
    }
}

static void
an_reflow_grid_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  AnReflowGrid *self = AN_REFLOW_GRID (widget);
  int n = n_children (self), cols, rows, cw, rh, i = 0;
  int side = side_width (self, width);
  int grid_w = width, grid_h = height;

  self->side_below = FALSE;
  if (self->side != NULL && gtk_widget_should_layout (self->side))
    {
      GtkAllocation a;

      if (side > 0)
        {
          grid_w = width - side - self->spacing;
          a = (GtkAllocation) { grid_w + self->spacing, 0, side, height };
        }
      else
        {
          int smin = 0, gmin = 0, gnat = 0;

          gtk_widget_measure (self->side, GTK_ORIENTATION_VERTICAL, width, &smin, NULL, NULL,
                              NULL);
          if (n > 0)
            measure_grid_height (self, width, n, &gmin, &gnat);
          /* the grid gets what the side widget leaves, at least its minimum */
          grid_h = MAX (gmin, height - smin - self->spacing);
          a = (GtkAllocation) { 0, grid_h + self->spacing, width,
                                MAX (smin, height - grid_h - self->spacing) };
          self->side_below = TRUE;
        }
      gtk_widget_size_allocate (self->side, &a, -1);
    }
  if (n == 0)
    return;
  cols = columns_for_width (self, grid_w, n);
  rows = (n + cols - 1) / cols;
  cw = MAX (0, (grid_w - (cols - 1) * self->spacing) / cols);
  rh = MAX (0, (grid_h - (rows - 1) * self->spacing) / rows);
  self->columns = cols;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkAllocation a;

      if (c == self->side || !gtk_widget_should_layout (c))
        continue;
      a.x = (i % cols) * (cw + self->spacing);
      a.y = (i / cols) * (rh + self->spacing);
      a.width = cw;
      a.height = rh;
      gtk_widget_size_allocate (c, &a, -1);
      i++;
    }
}

static GtkSizeRequestMode
an_reflow_grid_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

GtkWidget *
an_reflow_grid_new (void)
{
  return g_object_new (AN_TYPE_REFLOW_GRID, NULL);
}

void
an_reflow_grid_append (AnReflowGrid *self, GtkWidget *child)
{
  g_return_if_fail (AN_IS_REFLOW_GRID (self));
  g_return_if_fail (GTK_IS_WIDGET (child));

  gtk_widget_set_parent (child, GTK_WIDGET (self));
}

void
an_reflow_grid_set_side (AnReflowGrid *self, GtkWidget *side)
{
  g_return_if_fail (AN_IS_REFLOW_GRID (self));
  g_return_if_fail (GTK_IS_WIDGET (side));
  g_return_if_fail (self->side == NULL);

  self->side = side;
  gtk_widget_set_parent (side, GTK_WIDGET (self));
}

gboolean
an_reflow_grid_get_side_below (AnReflowGrid *self)
{
  g_return_val_if_fail (AN_IS_REFLOW_GRID (self), FALSE);
  return self->side_below;
}

int
an_reflow_grid_get_columns (AnReflowGrid *self)
{
  g_return_val_if_fail (AN_IS_REFLOW_GRID (self), 0);
  return self->columns;
}

static void
an_reflow_grid_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AnReflowGrid *self = AN_REFLOW_GRID (object);

  switch (prop_id)
    {
    case PROP_MIN_COLUMN_WIDTH:
      g_value_set_int (value, self->min_column_width);
      break;
    case PROP_SPACING:
      g_value_set_int (value, self->spacing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
an_reflow_grid_set_property (GObject *object, guint prop_id, const GValue *value,
                             GParamSpec *pspec)
{
  AnReflowGrid *self = AN_REFLOW_GRID (object);
  int *field = prop_id == PROP_MIN_COLUMN_WIDTH ? &self->min_column_width : &self->spacing;

  if (prop_id != PROP_MIN_COLUMN_WIDTH && prop_id != PROP_SPACING)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  if (*field == g_value_get_int (value))
    return;
  *field = g_value_get_int (value);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (object, pspec);
}

static void
an_reflow_grid_dispose (GObject *object)
{
  GtkWidget *child;

  AN_REFLOW_GRID (object)->side = NULL;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (an_reflow_grid_parent_class)->dispose (object);
}

static void
an_reflow_grid_class_init (AnReflowGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = an_reflow_grid_dispose;
  object_class->get_property = an_reflow_grid_get_property;
  object_class->set_property = an_reflow_grid_set_property;
  widget_class->measure = an_reflow_grid_measure;
  widget_class->size_allocate = an_reflow_grid_size_allocate;
  widget_class->get_request_mode = an_reflow_grid_get_request_mode;

  properties[PROP_MIN_COLUMN_WIDTH] =
    g_param_spec_int ("min-column-width", NULL, NULL, 0, G_MAXINT, 360,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPACING] =
    g_param_spec_int ("spacing", NULL, NULL, 0, G_MAXINT, 12,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
an_reflow_grid_init (AnReflowGrid *self)
{
  self->min_column_width = 360;
  self->spacing = 12;
  self->columns = 1;
}
