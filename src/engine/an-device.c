/* an-device.c: device strings (an-device.h). */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <string.h>

#include "an-device.h"
#include "an-error.h"

/* A GPU index: digits only, no sign, at most AN_DEVICE_MAX_INDEX; *p is moved past it. */
static gboolean
parse_index (const char **p, int *out)
{
  int v = 0;

  if (!g_ascii_isdigit (**p))
    return FALSE;
  for (; g_ascii_isdigit (**p); (*p)++)
    {
      v = v * 10 + (**p - '0');
      if (v > AN_DEVICE_MAX_INDEX)
        return FALSE;
    }
  *out = v;
  return TRUE;
}

static gboolean
parse (const char *s, AnDevice *d)
{
  const char *p;

  *d = (AnDevice) { .kind = AN_DEVICE_CPU };
  if (s == NULL)
    return FALSE;
  if (strcmp (s, "cpu") == 0)
    return TRUE;
  if (strcmp (s, "auto") == 0)
    {
      d->kind = AN_DEVICE_AUTO;
      return TRUE;
    }
  d->kind = AN_DEVICE_CUDA;
  if (strcmp (s, "cuda") == 0)
    return TRUE;
  if (!g_str_has_prefix (s, "cuda:"))
    return FALSE;
  p = s + strlen ("cuda:");
  if (!parse_index (&p, &d->cuda[0]))
    return FALSE;
  d->cuda[1] = d->cuda[0];
  if (*p == ',' && (p++, !parse_index (&p, &d->cuda[1])))
    return FALSE;
  return *p == '\0';
}

gboolean
an_device_parse (const char *text, AnDevice *out, GError **error)
{
  AnDevice d;

  if (!parse (text, &d))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_PARSE,
                   "“%s” is not one of cpu, auto, cuda, cuda:N, cuda:N,M (N, M up to %d)",
                   text ? text : "", AN_DEVICE_MAX_INDEX);
      return FALSE;
    }
  if (out != NULL)
    *out = d;
  return TRUE;
}
