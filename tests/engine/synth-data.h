/* synth-data.h: small CIFAR-10-format datasets written by the tests themselves. */
#pragma once

#include <glib.h>

/* Writes data_batch_1..5.bin, test_batch.bin and batches.meta.txt into dir: per_batch records
 * per training file, test_count in the test file. learnable: each class is a bright bar
 * at its own height on noise (a net learns it in an epoch); otherwise labels are random. */
gboolean synth_cifar_write (const char *dir, int per_batch, int test_count, gboolean learnable,
                            guint64 seed, GError **error);
/* A class-k image of the learnable set as an 8-bit RGB PNG. */
gboolean synth_png_write (const char *path, int k, GError **error);
