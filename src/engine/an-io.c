/* an-io.c: see an-io.h. */
#define G_LOG_DOMAIN "alexnet-engine"
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "an-io.h"

gboolean
an_write_all (int fd, const void *data, gsize len)
{
  const guint8 *p = data;
  while (len > 0)
    {
      gssize n = write (fd, p, MIN (len, (gsize) 1 << 30));
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      if (n == 0)
        {
          errno = EIO;
          return FALSE;
        }
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}
