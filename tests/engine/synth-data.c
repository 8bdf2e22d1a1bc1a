/* synth-data.c: see synth-data.h. */
#include "config.h"

#include <string.h>

#include "an-rng.h"
#include "data/an-dataset.h"
#include "synth-data.h"

static void
draw (guint8 *rgb, int k, guint64 seed, guint64 index, gboolean learnable)
{
  for (int i = 0; i < 3072; i++)
    rgb[i] = (guint8) (an_rng_u64 (seed, 77, index * 3072 + i) % 96);
  if (!learnable)
    return;
  /* class k: a horizontal bar on rows 3k .. 3k+2, brightest in channel k % 3 (a mirror image
   * keeps its class, so horizontal flips can stay on) */
  for (int c = 0; c < 3; c++)
    for (int y = 3 * k; y < 3 * k + 3; y++)
      for (int x = 4; x < 28; x++)
        rgb[c * 1024 + y * 32 + x] = c == k % 3 ? 250 : 160;
}

static gboolean
write_file (const char *dir, const char *name, int count, gboolean learnable, guint64 seed,
            guint64 first, GError **error)
{
  gsize len = (gsize) count * 3073;
  g_autofree guint8 *buf = g_malloc (len);
  for (int r = 0; r < count; r++)
    {
      guint64 idx = first + r;
      int k = (int) (an_rng_u64 (seed, 78, idx) % 10);
      buf[(gsize) r * 3073] = (guint8) k;
      draw (buf + (gsize) r * 3073 + 1, k, seed, idx, learnable);
    }
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return g_file_set_contents (path, (const char *) buf, len, error);
}

gboolean
synth_cifar_write (const char *dir, int per_batch, int test_count, gboolean learnable,
                   guint64 seed, GError **error)
{
  if (g_mkdir_with_parents (dir, 0755) != 0)
    return FALSE;
  for (int b = 1; b <= 5; b++)
    {
      g_autofree char *name = g_strdup_printf ("data_batch_%d.bin", b);
      if (!write_file (dir, name, per_batch, learnable, seed, (guint64) b * 100000, error))
        return FALSE;
    }
  if (!write_file (dir, "test_batch.bin", test_count, learnable, seed, 900000, error))
    return FALSE;
  g_autofree char *meta = g_build_filename (dir, "batches.meta.txt", NULL);
  const char *names = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n";
  return g_file_set_contents (meta, names, -1, error);
}

gboolean
synth_png_write (const char *path, int k, GError **error)
{
  g_autoptr (AnImage) img = an_image_new (3, 32, 32);
  draw (img->pixels, k, 5, 12345, TRUE);
  return an_image_save_png (img, path, error);
}
