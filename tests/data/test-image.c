/* test-image.c: PNG and JPEG decoding (grey, RGB, RGBA, grey+alpha, palette), the 8-bit
 * resize when enlarging, and image-folder datasets built from files written here. */
#define G_LOG_DOMAIN "alexnet-test"
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <png.h>
#include <zlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "an-error.h"
#include "data-test-util.h"
#include "an-dataset-preview.h"

static AnImage *
pattern_image (int channels, int height, int width, int seed)
{
  AnImage *img = an_image_new (channels, height, width);
  for (int c = 0; c < channels; c++)
    for (int y = 0; y < height; y++)
      for (int x = 0; x < width; x++)
        img->pixels[((gsize) c * height + y) * width + x] = test_pattern (seed, c, y, x);
  return img;
}

/* A smooth image: JPEG keeps it within a few levels. */
static AnImage *
smooth_image (int channels, int height, int width)
{
  AnImage *img = an_image_new (channels, height, width);
  for (int c = 0; c < channels; c++)
    for (int y = 0; y < height; y++)
      for (int x = 0; x < width; x++)
        img->pixels[((gsize) c * height + y) * width + x] =
          (guint8) (30 + c * 40 + 3 * y + 2 * x);
  return img;
}

static void
assert_same_image (const AnImage *a, const AnImage *b)
{
  g_assert_cmpint (a->channels, ==, b->channels);
  g_assert_cmpint (a->height, ==, b->height);
  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpmem (a->pixels, (gsize) a->channels * a->height * a->width, b->pixels,
                   (gsize) b->channels * b->height * b->width);
}

static void
test_png (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "x.png", NULL);
  GError *error = NULL;
  for (int channels = 1; channels <= 3; channels += 2)
    {
      g_autoptr (AnImage) img = pattern_image (channels, 7, 9, channels);
      g_assert_true (an_image_save_png (img, path, &error));
      g_assert_no_error (error);
      g_autoptr (AnImage) back = an_image_load (path, &error);
      g_assert_no_error (error);
      assert_same_image (img, back);
    }

  /* RGBA and grey+alpha: alpha composited on black, c * a / 255 rounded */
  for (int channels = 2; channels <= 4; channels += 2)
    {
      g_autoptr (AnImage) img = pattern_image (channels, 3, 4, 5);
      guint8 *alpha = img->pixels + (gsize) (channels - 1) * 12;
      static const guint8 alphas[12] = { 0, 255, 128, 1, 254, 64, 200, 100, 0, 255, 30, 77 };
      memcpy (alpha, alphas, 12);
      g_assert_true (an_image_save_png (img, path, &error));
      g_autoptr (AnImage) back = an_image_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (back->channels, ==, channels - 1);
      for (int c = 0; c < channels - 1; c++)
        for (int p = 0; p < 12; p++)
          {
            double want = img->pixels[c * 12 + p] * alphas[p] / 255.0;
            g_assert_cmpfloat (fabs (back->pixels[c * 12 + p] - want), <=, 0.5);
          }
    }
  test_rmdir (dir);
}

/* A 16-bit PNG through libpng's classic writer: samples stored as given, big-endian. */
static void
write_png16 (const char *path, int color_type, int channels, int height, int width,
             const guint16 *samples)
{
  FILE *f = fopen (path, "wb");
  g_assert_nonnull (f);
  png_structp w = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (w);
  png_init_io (w, f);
  png_set_IHDR (w, info, width, height, 16, color_type, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (w, info);
  g_autofree guint8 *row = g_new (guint8, (gsize) width * channels * 2);
  for (int y = 0; y < height; y++)
    {
      for (int i = 0; i < width * channels; i++)
        {
          row[2 * i] = samples[y * width * channels + i] >> 8;
          row[2 * i + 1] = samples[y * width * channels + i] & 0xff;
        }
      png_write_row (w, row);
    }
  png_write_end (w, info);
  png_destroy_write_struct (&w, &info);
  fclose (f);
}

static void
test_png16 (void)
{
  /* 16-bit samples scale to 8 bits linearly (no sRGB curve): v * 255 / 65535, rounded */
  enum { H = 2, W = 3 };
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "x16.png", NULL);
  guint16 rgb[H * W * 3];
  for (int i = 0; i < H * W * 3; i++)
    rgb[i] = (guint16) (i * 3001 + 7);
  write_png16 (path, PNG_COLOR_TYPE_RGB, 3, H, W, rgb);
  GError *error = NULL;
  g_autoptr (AnImage) img = an_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (img->channels, ==, 3);
  for (int p = 0; p < H * W; p++)
    for (int c = 0; c < 3; c++)
      {
        double want = rgb[p * 3 + c] * 255.0 / 65535.0;
        g_assert_cmpfloat (fabs (img->pixels[c * H * W + p] - want), <=, 0.5 + 1e-9);
      }

  /* 16-bit grey + alpha: composited on black, c * a */
  guint16 ga[H * W * 2];
  for (int p = 0; p < H * W; p++)
    {
      ga[2 * p] = (guint16) (40000 + p * 4000);
      ga[2 * p + 1] = (guint16) (p * 13000);
    }
  write_png16 (path, PNG_COLOR_TYPE_GRAY_ALPHA, 2, H, W, ga);
  g_autoptr (AnImage) grey = an_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (grey->channels, ==, 1);
  for (int p = 0; p < H * W; p++)
    {
      double want = ga[2 * p] / 65535.0 * ga[2 * p + 1] / 65535.0 * 255.0;
      g_assert_cmpfloat (fabs (grey->pixels[p] - want), <=, 1.0);
    }
  test_rmdir (dir);
}

static void
test_png_palette (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "palette.png", NULL);
  static const guint8 colormap[4][3] = { { 255, 0, 0 }, { 0, 128, 0 }, { 10, 20, 30 }, { 7, 7, 7 } };
  guint8 indices[2 * 5];
  for (int p = 0; p < 10; p++)
    indices[p] = (guint8) ((p * 3) % 4);
  png_image png = { 0 };
  png.version = PNG_IMAGE_VERSION;
  png.width = 5;
  png.height = 2;
  png.format = PNG_FORMAT_RGB_COLORMAP;
  png.colormap_entries = 4;
  g_assert_true (png_image_write_to_file (&png, path, FALSE, indices, 0, colormap));
  GError *error = NULL;
  g_autoptr (AnImage) img = an_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (img->channels, ==, 3);
  for (int c = 0; c < 3; c++)
    for (int p = 0; p < 10; p++)
      g_assert_cmpuint (img->pixels[c * 10 + p], ==, colormap[indices[p]][c]);
  test_rmdir (dir);
}

static void
test_jpeg (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "x.jpg", NULL);
  GError *error = NULL;
  /* quality 100 on a smooth ramp: a few levels of error at most (4:2:0 chroma included) */
  const int tolerance = 3;
  for (int channels = 1; channels <= 3; channels += 2)
    {
      g_autoptr (AnImage) img = smooth_image (channels, 16, 24);
      test_write_jpeg (img, path, 100);
      g_autoptr (AnImage) back = an_image_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (back->channels, ==, channels);
      g_assert_cmpint (back->height, ==, 16);
      g_assert_cmpint (back->width, ==, 24);
      int worst = 0;
      for (gsize i = 0; i < (gsize) channels * 16 * 24; i++)
        worst = MAX (worst, abs ((int) back->pixels[i] - (int) img->pixels[i]));
      g_test_message ("JPEG %d channel(s): max error %d levels (tolerance %d)", channels, worst,
                      tolerance);
      g_assert_cmpint (worst, <=, tolerance);
    }
  test_rmdir (dir);
}

static void
test_bad_bytes (void)
{
  g_autofree char *dir = test_tmpdir ();
  GError *error = NULL;

  /* not an image: the message names the file and the formats read */
  static const char text[] = "hello, this is a text file and no image at all\n";
  g_assert_null (an_image_from_bytes ((const guint8 *) text, sizeof text - 1, "notes.txt",
                                      &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_test_message ("text: %s", error->message);
  g_assert_nonnull (strstr (error->message, "notes.txt: not an image in a format this app reads"));
  g_assert_nonnull (strstr (error->message, "PNG, JPEG"));
  g_clear_error (&error);

  g_autofree char *png_path = g_build_filename (dir, "x.png", NULL);
  g_autofree char *jpg_path = g_build_filename (dir, "x.jpg", NULL);
  g_autoptr (AnImage) img = smooth_image (3, 20, 20);
  g_assert_true (an_image_save_png (img, png_path, &error));
  test_write_jpeg (img, jpg_path, 90);
  const char *paths[2] = { png_path, jpg_path };
  for (int k = 0; k < 2; k++)
    {
      g_autofree char *data = NULL;
      gsize len = 0;
      g_assert_true (g_file_get_contents (paths[k], &data, &len, NULL));
      /* the magic alone picks the decoder, whatever the name */
      g_autoptr (AnImage) ok = an_image_from_bytes ((const guint8 *) data, len, "noext", &error);
      g_assert_no_error (error);
      g_assert_cmpint (ok->width, ==, 20);
      /* truncated */
      g_assert_null (an_image_from_bytes ((const guint8 *) data, len * 2 / 3, "cut", &error));
      g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
      g_test_message ("truncated: %s", error->message);
      g_assert_nonnull (strstr (error->message, k == 0 ? "cut: unreadable PNG"
                                                       : "cut: unreadable JPEG"));
      g_clear_error (&error);
    }

  /* a valid header claiming 32768x32768 pixels is refused before any pixel is allocated */
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (png_path, &data, &len, NULL));
  guint8 *ihdr = (guint8 *) data + 8; /* length, "IHDR", width, height, ..., CRC */
  static const guint8 side[4] = { 0, 0, 0x80, 0 };
  memcpy (ihdr + 8, side, 4);
  memcpy (ihdr + 12, side, 4);
  guint32 crc = (guint32) crc32 (0, ihdr + 4, 17);
  guint8 crc_be[4] = { crc >> 24, crc >> 16, crc >> 8, crc };
  memcpy (ihdr + 21, crc_be, 4);
  g_assert_null (an_image_from_bytes ((const guint8 *) data, len, "huge.png", &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_test_message ("huge: %s", error->message);
  g_assert_nonnull (strstr (error->message, "huge.png: image size 32768x32768 out of range"));
  g_clear_error (&error);
  test_rmdir (dir);
}

static void
test_max_pixels (void)
{
  g_autofree char *dir = test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "x.png", NULL);
  GError *error = NULL;
  g_autoptr (AnImage) img = smooth_image (1, 10, 11);
  g_assert_true (an_image_save_png (img, path, &error));
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_null (an_image_decode ((const guint8 *) data, len, "x.png", 109, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "11x10 out of range"));
  g_clear_error (&error);
  g_autoptr (AnImage) fits = an_image_decode ((const guint8 *) data, len, "x.png", 110, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fits->width, ==, 11);
  test_rmdir (dir);
}

static void
test_resize (void)
{
  /* half-pixel centres: 2 -> 4 samples at source positions 0 (clamped), 0.25, 0.75, 1 */
  g_autoptr (AnImage) img = an_image_new (1, 2, 2);
  img->pixels[0] = 0;
  img->pixels[1] = 100;
  img->pixels[2] = 200;
  img->pixels[3] = 40;
  g_autoptr (AnImage) big = an_image_resize (img, 4, 4);
  double row0[4] = { 0, 25, 75, 100 }, row3[4] = { 200, 160, 80, 40 };
  for (int x = 0; x < 4; x++)
    {
      g_assert_cmpuint (big->pixels[x], ==, (guint8) (row0[x] + 0.5));
      g_assert_cmpuint (big->pixels[12 + x], ==, (guint8) (row3[x] + 0.5));
      /* row 1 sits at 0.25: a quarter of the way from row 0 to row 3's values */
      double want = row0[x] * 0.75 + row3[x] * 0.25;
      g_assert_cmpfloat (fabs (big->pixels[4 + x] - want), <=, 0.5);
    }
  /* same size: unchanged (shrinking is checked against Pillow in test-resize.c) */
  g_autoptr (AnImage) pat = pattern_image (3, 6, 8, 1);
  g_autoptr (AnImage) same = an_image_resize (pat, 6, 8);
  assert_same_image (pat, same);
}

static char *
class_dir (const char *root, const char *name)
{
  char *dir = g_build_filename (root, name, NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

static void
save_png (const AnImage *img, const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GError *error = NULL;
  g_assert_true (an_image_save_png (img, path, &error));
  g_assert_no_error (error);
}

static void
test_folder (void)
{
  g_autofree char *root = test_tmpdir ();
  g_autofree char *cat = class_dir (root, "cat");
  g_autofree char *ant = class_dir (root, "ant");
  g_autofree char *hidden = class_dir (root, ".cache");
  g_autoptr (AnImage) grey = pattern_image (1, 5, 6, 1);
  g_autoptr (AnImage) rgb = pattern_image (3, 5, 6, 2);
  g_autoptr (AnImage) rgba = pattern_image (4, 5, 6, 3);
  memset (rgba->pixels + 3 * 30, 255, 30); /* opaque */
  g_autoptr (AnImage) smooth = smooth_image (3, 5, 6);
  save_png (grey, ant, "x.png");
  save_png (rgba, cat, "b.PNG");
  save_png (rgb, cat, "a.png");
  g_autofree char *jpg = g_build_filename (cat, "c.jpeg", NULL);
  test_write_jpeg (smooth, jpg, 100);
  g_autofree char *readme = g_build_filename (cat, "README.txt", NULL);
  test_write_file (readme, "not an image", 12);
  save_png (rgb, hidden, "ignored.png");

  g_autofree char *spec = g_strconcat ("folder:", root, "/", NULL);
  g_autofree char *base = g_path_get_basename (root);
  g_autofree char *want_name = g_strconcat ("folder:", base, NULL);
  GError *error = NULL;
  g_autoptr (AnDataset) ds = an_dataset_load (spec, AN_SPLIT_TRAIN, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ds->name, ==, want_name);
  g_assert_cmpint (ds->count, ==, 4);
  g_assert_cmpint (ds->num_classes, ==, 2);
  g_assert_cmpstr (ds->class_names[0], ==, "ant");
  g_assert_cmpstr (ds->class_names[1], ==, "cat");
  g_assert_null (ds->class_names[2]);
  g_assert_cmpint (ds->channels, ==, 3);
  g_assert_cmpint (ds->height, ==, 5);
  g_assert_cmpint (ds->width, ==, 6);
  static const int labels[4] = { 0, 1, 1, 1 };
  for (int i = 0; i < 4; i++)
    g_assert_cmpint (ds->labels[i], ==, labels[i]);
  /* indexed, not decoded: images come from their files, each at its own size */
  g_assert_null (ds->pixels);
  g_assert_nonnull (ds->paths);
  g_autofree char *first = g_build_filename (ant, "x.png", NULL);
  g_assert_cmpstr (ds->paths[0], ==, first);
  g_assert_cmpint (ds->class_start[0], ==, 0);
  g_assert_cmpint (ds->class_start[1], ==, 1);
  g_assert_cmpint (ds->class_start[2], ==, 4);
  /* image 0: grey; 1: a.png; 2: b.PNG without alpha */
  g_autoptr (AnImage) im0 = an_dataset_get_image (ds, 0, 0, &error);
  g_autoptr (AnImage) im1 = an_dataset_get_image (ds, 1, 0, &error);
  g_autoptr (AnImage) im2 = an_dataset_get_image (ds, 2, 0, &error);
  g_autoptr (AnImage) im3 = an_dataset_get_image (ds, 3, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (im0->channels, ==, 1);
  g_assert_cmpint (im2->channels, ==, 3);
  g_assert_cmpmem (im0->pixels, 30, grey->pixels, 30);
  g_assert_cmpmem (im1->pixels, 90, rgb->pixels, 90);
  g_assert_cmpmem (im2->pixels, 90, rgba->pixels, 90);
  /* a replacement for a broken image: the next of the class, wrapping */
  g_assert_cmpint (an_dataset_same_class (ds, 1, 1), ==, 2);
  g_assert_cmpint (an_dataset_same_class (ds, 3, 1), ==, 1);
  g_assert_cmpint (an_dataset_same_class (ds, 0, 1), ==, 0);
  int worst = 0;
  for (int p = 0; p < 90; p++)
    worst = MAX (worst, abs ((int) im3->pixels[p] - (int) smooth->pixels[p]));
  g_test_message ("folder JPEG max error %d levels (tolerance 3)", worst);
  g_assert_cmpint (worst, <=, 3);

  /* a requested size is the nominal one; the images stay as they are in their files */
  g_autoptr (AnDataset) sized = an_dataset_load (spec, AN_SPLIT_TRAIN, 8, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sized->height, ==, 8);
  g_assert_cmpint (sized->width, ==, 10);
  g_autoptr (AnImage) im1_sized = an_dataset_get_image (sized, 1, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (im1_sized->pixels, 90, rgb->pixels, 90);

  /* no test/ folder: no test split */
  g_assert_null (an_dataset_load (spec, AN_SPLIT_TEST, 0, 0, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_IO);
  g_clear_error (&error);
  test_rmdir (root);
}

static void
test_folder_splits_and_grey (void)
{
  g_autofree char *root = test_tmpdir ();
  g_autofree char *train = g_build_filename (root, "train", NULL);
  g_autofree char *test = g_build_filename (root, "test", NULL);
  g_autofree char *train_a = class_dir (train, "a");
  g_autofree char *train_b = class_dir (train, "b");
  g_autofree char *test_a = class_dir (test, "a");
  g_autofree char *test_b = class_dir (test, "b");
  g_autoptr (AnImage) g1 = pattern_image (1, 4, 4, 1);
  g_autoptr (AnImage) g2 = pattern_image (1, 4, 4, 2);
  save_png (g1, train_a, "1.png");
  save_png (g2, train_b, "1.png");
  save_png (g2, train_b, "2.png");
  save_png (g1, test_a, "1.png");
  save_png (g1, test_b, "1.png");
  g_autofree char *spec = g_strconcat ("folder:", root, NULL);
  GError *error = NULL;
  g_autoptr (AnDataset) tr = an_dataset_load (spec, AN_SPLIT_TRAIN, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tr->count, ==, 3);
  g_assert_cmpint (tr->channels, ==, 1);
  g_assert_cmpint (tr->labels[2], ==, 1);
  g_autoptr (AnDataset) te = an_dataset_load (spec, AN_SPLIT_TEST, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (te->count, ==, 2);
  test_rmdir (root);
}

/* Progress reports: "split classes_done/classes_total images" per class folder listed. */
static void
on_progress (int split, int classes_done, int classes_total, int images, gpointer data)
{
  g_string_append_printf (data, "%d %d/%d %d;", split, classes_done, classes_total, images);
}

/* The window's dataset preview: counts of both splits, one sample per class (the class's first
 * image), resized when larger than asked; no test/ folder: n_test -1. */
static void
test_folder_preview (void)
{
  g_autofree char *root = test_tmpdir ();
  g_autofree char *train = g_build_filename (root, "train", NULL);
  g_autofree char *test = g_build_filename (root, "test", NULL);
  g_autofree char *train_a = class_dir (train, "a");
  g_autofree char *train_b = class_dir (train, "b");
  g_autofree char *test_a = class_dir (test, "a");
  g_autoptr (AnImage) g1 = pattern_image (1, 4, 4, 1);
  g_autoptr (AnImage) g2 = pattern_image (1, 4, 4, 2);
  save_png (g1, train_a, "1.png");
  save_png (g2, train_b, "1.png");
  save_png (g1, train_b, "2.png");
  save_png (g1, test_a, "1.png");
  g_autofree char *spec = g_strconcat ("folder:", root, NULL);
  g_autofree char *train_spec = g_strconcat ("folder:", train, NULL);
  GError *error = NULL;

  g_autoptr (AnDatasetPreview) p = an_dataset_preview_load (spec, 64, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (p->n_train, ==, 3);
  g_assert_cmpint (p->n_test, ==, 1);
  g_assert_cmpint (p->channels, ==, 1);
  g_assert_cmpint (p->height, ==, 4);
  g_assert_cmpstr (p->class_names[1], ==, "b");
  g_assert_cmpint (p->n_samples, ==, 2);
  g_assert_cmpint (p->sample_class[1], ==, 1);
  g_assert_cmpint (p->sample_h, ==, 4);
  g_assert_cmpmem (p->samples, 16, g1->pixels, 16);
  g_assert_cmpmem (p->samples + 16, 16, g2->pixels, 16);

  /* progress while indexing: after each class folder of each split, with the images so far */
  g_autoptr (GString) progress = g_string_new (NULL);
  g_autoptr (AnDatasetPreview) again =
    an_dataset_preview_load_full (spec, 64, on_progress, progress, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (progress->str, ==, "0 1/2 1;0 2/2 3;1 1/1 1;");
  g_assert_cmpint (again->n_train, ==, 3);

  /* cancelled: stops between class folders with the cancellation error */
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  g_cancellable_cancel (cancel);
  g_assert_null (an_dataset_preview_load_full (spec, 64, NULL, NULL, cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  g_autoptr (AnDatasetPreview) small = an_dataset_preview_load (train_spec, 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (small->n_test, ==, -1);
  g_assert_cmpint (small->sample_h, ==, 2);
  g_assert_cmpint (small->sample_w, ==, 2);
  /* a folder's sample: the class's first image decoded and resized (anti-aliased) */
  g_autoptr (AnImage) g2_small = an_image_resize (g2, 2, 2);
  g_assert_cmpmem (small->samples + 4, 4, g2_small->pixels, 4);
  /* counts per class from the index */
  g_assert_cmpint (small->class_counts[0], ==, 1);
  g_assert_cmpint (small->class_counts[1], ==, 2);

  g_assert_null (an_dataset_preview_load ("folder:/nowhere/at/all", 64, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  test_rmdir (root);
}

static void
test_folder_bad (void)
{
  g_autofree char *root = test_tmpdir ();
  g_autofree char *spec = g_strconcat ("folder:", root, NULL);
  GError *error = NULL;

  g_assert_null (an_dataset_load (spec, AN_SPLIT_TRAIN, 0, 0, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "no class sub-folders"));
  g_clear_error (&error);

  g_autofree char *a = class_dir (root, "a");
  g_autofree char *b = class_dir (root, "b");
  g_autoptr (AnImage) img = pattern_image (3, 4, 4, 1);
  save_png (img, a, "1.png");
  g_assert_null (an_dataset_load (spec, AN_SPLIT_TRAIN, 0, 0, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "/b: empty class folder"));
  g_clear_error (&error);

  g_autofree char *broken = g_build_filename (b, "broken.jpg", NULL);
  test_write_file (broken, "\xff\xd8\xff\xe0 not really", 15);
  g_assert_null (an_dataset_load (spec, AN_SPLIT_TRAIN, 0, 0, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_FORMAT);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "broken.jpg: unreadable JPEG"));
  g_clear_error (&error);

  g_autofree char *missing = g_strconcat ("folder:", root, "/nowhere", NULL);
  g_assert_null (an_dataset_load (missing, AN_SPLIT_TRAIN, 0, 0, &error));
  g_assert_error (error, AN_ERROR, AN_ERROR_IO);
  g_clear_error (&error);
  test_rmdir (root);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/image/png", test_png);
  g_test_add_func ("/data/image/png16", test_png16);
  g_test_add_func ("/data/image/png-palette", test_png_palette);
  g_test_add_func ("/data/image/jpeg", test_jpeg);
  g_test_add_func ("/data/image/bad-bytes", test_bad_bytes);
  g_test_add_func ("/data/image/max-pixels", test_max_pixels);
  g_test_add_func ("/data/image/resize", test_resize);
  g_test_add_func ("/data/folder/classes", test_folder);
  g_test_add_func ("/data/folder/splits-and-grey", test_folder_splits_and_grey);
  g_test_add_func ("/data/folder/bad", test_folder_bad);
  g_test_add_func ("/data/folder/preview", test_folder_preview);
  return g_test_run ();
}
