/* fuzz-checkpoint.c: libFuzzer target for the checkpoint reader (an_checkpoint_read), the
 * run configuration it parses from CONF and the DATA section's lines.
 * Every section's CRC-32 is set right before reading, so the fuzzer reaches the payload
 * decoders instead of stopping at the checksum; a file that reads is written and read back,
 * and must give the same parameters. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "an-checkpoint.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t len);

static char *input_path, *copy_path;
static int input_fd = -1;

static void
remove_files (void)
{
  g_unlink (input_path);
  g_unlink (copy_path);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  input_fd = g_file_open_tmp ("fuzz-checkpoint-XXXXXX", &input_path, NULL);
  g_assert (input_fd >= 0);
  copy_path = g_strconcat (input_path, ".copy", NULL);
  atexit (remove_files);
  return 0;
}

/* The file layout of docs/FILES.md: 12 bytes of magic and version, then sections of a 4-byte
 * tag, a u64 payload length, the payload's CRC-32 and the payload. */
static void
fix_checksums (guint8 *p, gsize len)
{
  gsize off = 12;
  while (off + 16 <= len)
    {
      guint64 n;
      memcpy (&n, p + off + 4, 8);
      n = GUINT64_FROM_LE (n);
      if (n > len - off - 16)
        return;
      guint32 crc = GUINT32_TO_LE ((guint32) crc32_z (crc32_z (0, Z_NULL, 0), p + off + 16, n));
      memcpy (p + off + 12, &crc, 4);
      off += 16 + n;
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t len)
{
  g_autofree guint8 *fixed = g_memdup2 (data, len);
  fix_checksums (fixed, len);
  g_assert (ftruncate (input_fd, 0) == 0);
  g_assert (pwrite (input_fd, fixed, len, 0) == (gssize) len);

  g_autoptr (GError) error = NULL;
  g_autoptr (AnCheckpoint) ck = an_checkpoint_read (input_path, &error);
  if (ck == NULL)
    {
      g_assert (error != NULL && error->message != NULL);
      return 0;
    }
  g_assert_no_error (error);
  g_assert (an_checkpoint_write (ck, copy_path, &error));
  g_autoptr (AnCheckpoint) back = an_checkpoint_read (copy_path, &error);
  g_assert_no_error (error);
  g_assert (back->n_params == ck->n_params && back->epoch == ck->epoch);
  g_assert (memcmp (back->params, ck->params, ck->n_params * sizeof (float)) == 0);
  g_assert ((back->epochs == NULL) == (ck->epochs == NULL));
  return 0;
}
