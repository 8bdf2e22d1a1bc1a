/* an-image.c: 8-bit images in memory (CHW), PNG via libpng's simplified API, JPEG via
 * libjpeg(-turbo) (DCT-domain scaling, Exif orientation, CMYK), and the resampling.
 * Grey stays grey; everything else becomes RGB; alpha is composited onto black.
 * Resampling is Pillow's "bilinear": a triangle filter at half-pixel centres, widened by the
 * shrink factor when shrinking (antialiased), so it is plain bilinear when enlarging.
 */
#define G_LOG_DOMAIN "alexnet-data"
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#include "an-dataset-private.h"
#include "an-error.h"
#include "an-png.h"

enum {
  JPEG_MAX_SCANS = 256, /* real progressive JPEGs use ~10; thousands is a decoding-time bomb */
};

/* ---- per-thread buffers ----
 * A batcher worker decodes, resizes and frees a few buffers of the same sizes for every
 * image; these are over malloc's mmap threshold (a 500x375 image is 563 KB), so each would
 * be mapped, faulted in page by page and unmapped again, image after image. Each thread
 * keeps its last few buffers (up to POOL_KEEP bytes each) for the next image. */
enum { POOL_SLOTS = 4, POOL_KEEP = 4 << 20 };

typedef struct {
  gpointer data[POOL_SLOTS];
  gsize size[POOL_SLOTS];
} Pool;

static void
pool_free (gpointer p)
{
  Pool *pool = p;
  for (int i = 0; i < POOL_SLOTS; i++)
    g_free (pool->data[i]);
  g_free (pool);
}

static GPrivate pool_key = G_PRIVATE_INIT (pool_free);

static Pool *
pool_get (void)
{
  Pool *pool = g_private_get (&pool_key);
  if (pool == NULL)
    {
      pool = g_new0 (Pool, 1);
      g_private_set (&pool_key, pool);
    }
  return pool;
}

/* A buffer of at least size bytes (uninitialised), NULL when out of memory; g_free or
 * pool_give it. */
static gpointer
pool_take (gsize size)
{
  if (size <= POOL_KEEP)
    {
      Pool *pool = pool_get ();
      int best = -1;
      for (int i = 0; i < POOL_SLOTS; i++)
        if (pool->data[i] != NULL && pool->size[i] >= size &&
            (best < 0 || pool->size[i] < pool->size[best]))
          best = i;
      if (best >= 0)
        {
          gpointer data = pool->data[best];
          pool->data[best] = NULL;
          return data;
        }
    }
  return g_try_malloc (size);
}

/* Hands back a buffer of (at least) size bytes from pool_take or g_malloc. */
static void
pool_give (gpointer data, gsize size)
{
  if (data == NULL)
    return;
  if (size > POOL_KEEP)
    {
      g_free (data);
      return;
    }
  /* an empty slot, else the one with the smallest buffer, if smaller than this one */
  Pool *pool = pool_get ();
  int slot = 0;
  for (int i = 0; i < POOL_SLOTS; i++)
    {
      if (pool->data[i] == NULL)
        {
          slot = i;
          break;
        }
      if (pool->size[i] < pool->size[slot])
        slot = i;
    }
  if (pool->data[slot] != NULL && pool->size[slot] >= size)
    {
      g_free (data);
      return;
    }
  g_free (pool->data[slot]);
  pool->data[slot] = data;
  pool->size[slot] = size;
}

AnImage *
an_image_new (int channels, int height, int width)
{
  g_return_val_if_fail (channels >= 1 && channels <= 4 && height > 0 && width > 0, NULL);
  AnImage *img = g_new0 (AnImage, 1);
  img->channels = channels;
  img->height = height;
  img->width = width;
  img->pixels = g_malloc0 ((gsize) channels * height * width);
  return img;
}

/* an_image_new without clearing the pixels, NULL when out of memory: for decoders that write
 * every pixel */
static AnImage *
an_image_try_new_uninit (int channels, int height, int width)
{
  guint8 *pixels = pool_take ((gsize) channels * height * width);
  if (pixels == NULL)
    return NULL;
  AnImage *img = g_new0 (AnImage, 1);
  img->channels = channels;
  img->height = height;
  img->width = width;
  img->pixels = pixels;
  return img;
}

void
an_image_free (AnImage *img)
{
  if (img == NULL)
    return;
  pool_give (img->pixels, (gsize) img->channels * img->height * img->width);
  g_free (img);
}

static gboolean
check_size (guint64 height, guint64 width, guint64 max_pixels, const char *what, GError **error)
{
  if (height == 0 || width == 0 || height > G_MAXINT / 4 || width > G_MAXINT / 4 ||
      height * width > max_pixels)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "%s: image size %" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT
                   " out of range (at most %" G_GUINT64_FORMAT " pixels)", what, width, height,
                   max_pixels);
      return FALSE;
    }
  return TRUE;
}

/* Interleaved 8-bit (HWC, with or without a trailing alpha) to CHW, alpha composited on black. */
static AnImage *
image_from_interleaved (const guint8 *src, int in_channels, gboolean alpha, int height,
                        int width)
{
  int colour = alpha ? in_channels - 1 : in_channels;
  AnImage *img = an_image_new (colour, height, width);
  gsize plane = (gsize) height * width;
  for (gsize p = 0; p < plane; p++)
    {
      const guint8 *px = src + p * in_channels;
      for (int c = 0; c < colour; c++)
        img->pixels[c * plane + p] =
          alpha ? (guint8) ((px[c] * px[colour] + 127) / 255) : px[c];
    }
  return img;
}

static AnImage *
decode_png (const guint8 *data, gsize len, const char *what, guint64 max_pixels, GError **error)
{
  png_image png = { 0 };
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory (&png, data, len))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: unreadable PNG: %s", what,
                   png.message);
      png_image_free (&png);
      return NULL;
    }
  if (!check_size (png.height, png.width, max_pixels, what, error))
    {
      png_image_free (&png);
      return NULL;
    }
  gboolean colour = (png.format & PNG_FORMAT_FLAG_COLOR) != 0;
  gboolean alpha = (png.format & PNG_FORMAT_FLAG_ALPHA) != 0;
  /* 16-bit files are read as 16-bit: converting them to 8 bits libpng would also apply the
   * sRGB curve. Its 16-bit output with alpha is premultiplied, i.e. already on black. */
  gboolean wide = (png.format & PNG_FORMAT_FLAG_LINEAR) != 0;
  /* 8-bit alpha is composited here: libpng would composite in linear light, and 8-bit
   * samples pass through it unchanged only when no alpha is removed. */
  png.format = (colour ? PNG_FORMAT_FLAG_COLOR : 0) | (alpha ? PNG_FORMAT_FLAG_ALPHA : 0) |
               (wide ? PNG_FORMAT_FLAG_LINEAR : 0);
  gsize size = PNG_IMAGE_SIZE (png);
  guint8 *buffer = g_try_malloc (size);
  if (buffer == NULL)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_NO_MEMORY, "%s: out of memory for %ux%u pixels",
                   what, png.width, png.height);
      png_image_free (&png);
      return NULL;
    }
  if (!png_image_finish_read (&png, NULL, buffer, 0, NULL))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: unreadable PNG: %s", what,
                   png.message);
      png_image_free (&png);
      g_free (buffer);
      return NULL;
    }
  int channels = (int) PNG_IMAGE_PIXEL_CHANNELS (png.format);
  AnImage *img;
  if (wide)
    {
      gsize samples = (gsize) png.width * png.height * channels;
      const guint16 *wide_samples = (const guint16 *) buffer;
      for (gsize i = 0; i < samples; i++)
        buffer[i] = (guint8) ((wide_samples[i] * 255u + 32767u) / 65535u);
      img = image_from_interleaved (buffer, channels, FALSE, (int) png.height, (int) png.width);
      if (alpha)
        {
          /* drop the (premultiplied) alpha plane: keep the colour planes only */
          AnImage *opaque = an_image_new (channels - 1, img->height, img->width);
          memcpy (opaque->pixels, img->pixels,
                  (gsize) (channels - 1) * img->height * img->width);
          an_image_free (img);
          img = opaque;
        }
    }
  else
    img = image_from_interleaved (buffer, channels, alpha, (int) png.height, (int) png.width);
  png_image_free (&png);
  g_free (buffer);
  return img;
}

typedef struct {
  struct jpeg_error_mgr base;
  struct jpeg_progress_mgr progress;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
} JpegErrors;

static void
jpeg_fail (j_common_ptr cinfo)
{
  JpegErrors *err = (JpegErrors *) cinfo->err;
  err->base.format_message (cinfo, err->message);
  longjmp (err->jump, 1);
}

/* Warnings are corrupt-data notices; a file that ends early is an error, the rest pass. */
static void
jpeg_warn (j_common_ptr cinfo, int level)
{
  JpegErrors *err = (JpegErrors *) cinfo->err;
  if (level < 0 && err->base.msg_code == JWRN_JPEG_EOF)
    jpeg_fail (cinfo);
}

static void
jpeg_limit_scans (j_common_ptr cinfo)
{
  j_decompress_ptr d = (j_decompress_ptr) cinfo;
  if (d->is_decompressor && d->input_scan_number > JPEG_MAX_SCANS)
    {
      JpegErrors *err = (JpegErrors *) cinfo->err;
      g_snprintf (err->message, sizeof err->message, "more than %d progressive scans",
                  JPEG_MAX_SCANS);
      longjmp (err->jump, 1);
    }
}

/* A SHORT or LONG tag of a TIFF structure's first IFD (a TIFF file, or the body of an Exif
 * block), FALSE when absent or malformed. Every offset is checked against len. */
static gboolean
tiff_ifd0_tag (const guint8 *tiff, gsize len, guint32 tag, guint32 *value)
{
  gboolean little;
  if (len < 8)
    return FALSE;
  if (tiff[0] == 'I' && tiff[1] == 'I' && tiff[2] == 42 && tiff[3] == 0)
    little = TRUE;
  else if (tiff[0] == 'M' && tiff[1] == 'M' && tiff[2] == 0 && tiff[3] == 42)
    little = FALSE;
  else
    return FALSE;
#define U16(p) (little ? (guint32) (p)[0] | (guint32) (p)[1] << 8 \
                       : (guint32) (p)[0] << 8 | (guint32) (p)[1])
#define U32(p) (little ? U16 (p) | U16 ((p) + 2) << 16 : U16 (p) << 16 | U16 ((p) + 2))
  guint32 ifd = U32 (tiff + 4);
  if (ifd > len || len - ifd < 2)
    return FALSE;
  guint32 entries = U16 (tiff + ifd);
  if ((len - ifd - 2) / 12 < entries)
    entries = (guint32) ((len - ifd - 2) / 12);
  for (guint32 i = 0; i < entries; i++)
    {
      /* tag, type (3 = SHORT, 4 = LONG), count, then the value itself (it fits in 4 bytes) */
      const guint8 *entry = tiff + ifd + 2 + 12 * (gsize) i;
      guint32 type = U16 (entry + 2);
      if (U16 (entry) == tag && (type == 3 || type == 4) && U32 (entry + 4) >= 1)
        {
          *value = type == 3 ? U16 (entry + 8) : U32 (entry + 8);
          return TRUE;
        }
    }
#undef U32
#undef U16
  return FALSE;
}

/* The Exif Orientation tag (0x0112) of IFD0 in an APP1 "Exif" payload, 1 (upright) when absent,
 * malformed or out of range. */
static int
exif_orientation (const guint8 *data, gsize len)
{
  static const guint8 exif_magic[6] = { 'E', 'x', 'i', 'f', 0, 0 };
  guint32 value;
  if (len < sizeof exif_magic || memcmp (data, exif_magic, sizeof exif_magic) != 0 ||
      !tiff_ifd0_tag (data + sizeof exif_magic, len - sizeof exif_magic, 0x0112, &value))
    return 1;
  return value >= 1 && value <= 8 ? (int) value : 1;
}

/* The upright image of one stored with the Exif orientation given (1..8): output pixel
 * (y, x) comes from stored pixel (sy, sx); orientations 5-8 swap width and height. */
static AnImage *
image_orient (AnImage *img, int orientation)
{
  if (orientation <= 1 || orientation > 8)
    return img;
  int H = img->height, W = img->width;
  gboolean swap = orientation >= 5;
  int oh = swap ? W : H, ow = swap ? H : W;
  AnImage *out = an_image_new (img->channels, oh, ow);
  gsize plane = (gsize) H * W;
  for (int y = 0; y < oh; y++)
    for (int x = 0; x < ow; x++)
      {
        int sy, sx;
        switch (orientation)
          {
          case 2: sy = y; sx = W - 1 - x; break;         /* mirrored left-right */
          case 3: sy = H - 1 - y; sx = W - 1 - x; break; /* rotated 180 */
          case 4: sy = H - 1 - y; sx = x; break;         /* mirrored top-bottom */
          case 5: sy = x; sx = y; break;                 /* transposed */
          case 6: sy = H - 1 - x; sx = y; break;         /* needs 90 degrees clockwise */
          case 7: sy = H - 1 - x; sx = W - 1 - y; break; /* transversed */
          default: sy = x; sx = W - 1 - y; break;        /* 8: needs 90 counter-clockwise */
          }
        for (int c = 0; c < img->channels; c++)
          out->pixels[c * plane + (gsize) y * ow + x] =
            img->pixels[c * plane + (gsize) sy * W + sx];
      }
  an_image_free (img);
  return out;
}

/* a * b / 255 rounded, for 8-bit a and b */
static inline int
mul255 (int a, int b)
{
  int t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

/* CMYK scanline (4 samples a pixel) to RGB in place: R = (255 - C)(255 - K) / 255. The inks
 * are taken as stored inverted, as Photoshop writes them (Adobe's convention; Pillow assumes
 * it for every CMYK JPEG too). */
static void
cmyk_to_rgb (guint8 *row, int width)
{
  for (int x = 0; x < width; x++)
    {
      const guint8 *in = row + 4 * x;
      int ink[4];
      for (int c = 0; c < 4; c++)
        ink[c] = 255 - in[c];
      int paper = 255 - ink[3];
      guint8 rgb[3];
      for (int c = 0; c < 3; c++)
        rgb[c] = (guint8) (paper - mul255 (ink[c], paper));
      memcpy (row + 3 * x, rgb, 3);
    }
}

static AnImage *
decode_jpeg (const guint8 *data, gsize len, const char *what, guint64 max_pixels,
             int min_short_side, GError **error)
{
  struct jpeg_decompress_struct cinfo;
  JpegErrors err;
  /* volatile: these change between setjmp and a possible longjmp */
  guint8 *volatile buffer = NULL;
  AnImage *volatile img = NULL;
  memset (&err, 0, sizeof err);
  cinfo.err = jpeg_std_error (&err.base);
  err.base.error_exit = jpeg_fail;
  err.base.emit_message = jpeg_warn;
  if (setjmp (err.jump))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: unreadable JPEG: %s", what,
                     err.message);
      jpeg_destroy_decompress (&cinfo);
      g_free (buffer);
      an_image_free (img);
      return NULL;
    }
  jpeg_create_decompress (&cinfo);
  err.progress.progress_monitor = jpeg_limit_scans;
  cinfo.progress = &err.progress;
  jpeg_mem_src (&cinfo, data, (unsigned long) len);
  jpeg_save_markers (&cinfo, JPEG_APP0 + 1, 0xffff);
  jpeg_read_header (&cinfo, TRUE);
  if (!check_size (cinfo.image_height, cinfo.image_width, max_pixels, what, error))
    {
      jpeg_destroy_decompress (&cinfo);
      return NULL;
    }
  gboolean cmyk = FALSE;
  switch (cinfo.jpeg_color_space)
    {
    case JCS_GRAYSCALE:
      cinfo.out_color_space = JCS_GRAYSCALE;
      break;
    case JCS_YCbCr:
    case JCS_RGB:
      cinfo.out_color_space = JCS_RGB;
      break;
    case JCS_CMYK:
    case JCS_YCCK: /* libjpeg turns YCCK back into CMYK */
      cinfo.out_color_space = JCS_CMYK;
      cmyk = TRUE;
      break;
    default:
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: unsupported JPEG colour space %d",
                   what, (int) cinfo.jpeg_color_space);
      jpeg_destroy_decompress (&cinfo);
      return NULL;
    }
  /* DCT-domain scaling: the smallest of 1/8, 2/8, ..., 7/8 whose shorter side is still
   * min_short_side, else full size (libjpeg's scaled inverse DCTs: the image is never
   * decoded at full size first) */
  cinfo.scale_denom = 8;
  cinfo.scale_num = 8;
  if (min_short_side > 0)
    for (unsigned num = 1; num < 8; num++)
      {
        cinfo.scale_num = num;
        jpeg_calc_output_dimensions (&cinfo);
        if (MIN (cinfo.output_width, cinfo.output_height) >= (unsigned) min_short_side)
          break;
        cinfo.scale_num = 8;
      }
  int orientation = 1;
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m != NULL && orientation == 1; m = m->next)
    if (m->marker == JPEG_APP0 + 1)
      orientation = exif_orientation (m->data, m->data_length);
  jpeg_start_decompress (&cinfo);
  int channels = cinfo.output_components, width = (int) cinfo.output_width;
  int height = (int) cinfo.output_height, colour = cmyk ? 3 : channels;
  /* rows are read a few at a time and spread straight into the planes (CHW) */
  enum { ROWS = 8 };
  buffer = g_try_malloc ((gsize) ROWS * width * channels);
  img = an_image_try_new_uninit (colour, height, width);
  if (buffer == NULL || img == NULL)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_NO_MEMORY, "%s: out of memory for %ux%u pixels",
                   what, cinfo.output_width, cinfo.output_height);
      jpeg_destroy_decompress (&cinfo);
      g_free (buffer);
      an_image_free (img);
      return NULL;
    }
  gsize plane = (gsize) height * width;
  while (cinfo.output_scanline < cinfo.output_height)
    {
      JSAMPROW rows[ROWS];
      for (int r = 0; r < ROWS; r++)
        rows[r] = buffer + (gsize) r * width * channels;
      int y0 = (int) cinfo.output_scanline;
      int got = (int) jpeg_read_scanlines (&cinfo, rows, ROWS);
      for (int r = 0; r < got; r++)
        {
          guint8 *row = rows[r];
          guint8 *out = img->pixels + (gsize) (y0 + r) * width;
          if (cmyk)
            cmyk_to_rgb (row, width);
          if (colour == 1)
            memcpy (out, row, width);
          else
            for (int x = 0; x < width; x++)
              {
                out[x] = row[3 * x];
                out[plane + x] = row[3 * x + 1];
                out[2 * plane + x] = row[3 * x + 2];
              }
        }
    }
  jpeg_finish_decompress (&cinfo);
  jpeg_destroy_decompress (&cinfo);
  g_free (buffer);
  return image_orient (img, orientation);
}

/* ---- other formats through gdk-pixbuf ---- */

typedef struct {
  guint64 max_pixels;
  int width, height; /* as announced, before any pixel is allocated */
  guint64 updated;   /* pixels reported decoded (a pixel may count more than once) */
  gboolean reported; /* whether the loader reports progress at all */
} PixbufSize;

static void
on_area_updated (GdkPixbufLoader *loader, int x, int y, int width, int height,
                 PixbufSize *size)
{
  size->reported = TRUE;
  size->updated += (guint64) MAX (width, 0) * (guint64) MAX (height, 0);
}

/* A WebP file (RIFF) shorter than its header says: gdk-pixbuf's loader would return the
 * part it got without an error. */
static gboolean
riff_truncated (const guint8 *data, gsize len)
{
  if (len < 12 || memcmp (data, "RIFF", 4) != 0 || memcmp (data + 8, "WEBP", 4) != 0)
    return FALSE;
  guint64 size = (guint64) data[4] | (guint64) data[5] << 8 | (guint64) data[6] << 16 |
                 (guint64) data[7] << 24;
  return len < size + 8;
}

static void
on_size_prepared (GdkPixbufLoader *loader, int width, int height, PixbufSize *size)
{
  size->width = width;
  size->height = height;
  /* too big: have scaling loaders allocate next to nothing; the caller stops feeding it */
  if (width <= 0 || height <= 0 || (guint64) width * (guint64) height > size->max_pixels)
    gdk_pixbuf_loader_set_size (loader, 1, 1);
}

/* The formats read through gdk-pixbuf, by its names for them. A closed list: each is
 * recognised by its magic here and its header's size checked before its loader sees it, since
 * loaders allocate from header fields before they announce a size. */
static const char *const pixbuf_formats[] = { "webp", "bmp", "gif", "tiff", "ico" };

/* gdk-pixbuf's format of that name when its loader is installed and enabled. */
static GdkPixbufFormat *
installed_format (const char *name)
{
  GdkPixbufFormat *found = NULL;
  GSList *formats = gdk_pixbuf_get_formats ();
  for (GSList *l = formats; l != NULL && found == NULL; l = l->next)
    {
      g_autofree char *n = gdk_pixbuf_format_get_name (l->data);
      if (g_str_equal (n, name) && !gdk_pixbuf_format_is_disabled (l->data))
        found = l->data;
    }
  g_slist_free (formats);
  return found;
}

char *
an_image_formats (void)
{
  GString *names = g_string_new ("PNG, JPEG");
  for (gsize i = 0; i < G_N_ELEMENTS (pixbuf_formats); i++)
    if (installed_format (pixbuf_formats[i]) != NULL)
      {
        g_autofree char *upper = g_ascii_strup (pixbuf_formats[i], -1);
        g_string_append_printf (names, ", %s", upper);
      }
  return g_string_free (names, FALSE);
}

/* The lower-case extensions of the formats read, built once (a folder index asks per file). */
static GHashTable *
supported_extensions (void)
{
  static GHashTable *table;
  if (g_once_init_enter (&table))
    {
      GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      static const char *const own[] = { "png", "jpg", "jpeg", "jpe", "jfif" };
      for (gsize i = 0; i < G_N_ELEMENTS (own); i++)
        g_hash_table_add (t, g_strdup (own[i]));
      for (gsize i = 0; i < G_N_ELEMENTS (pixbuf_formats); i++)
        {
          GdkPixbufFormat *f = installed_format (pixbuf_formats[i]);
          char **exts = f != NULL ? gdk_pixbuf_format_get_extensions (f) : NULL;
          for (char **e = exts; e != NULL && *e != NULL; e++)
            g_hash_table_add (t, g_ascii_strdown (*e, -1));
          g_strfreev (exts);
        }
      g_once_init_leave (&table, t);
    }
  return table;
}

gboolean
an_image_name_supported (const char *name)
{
  const char *dot = strrchr (name, '.');
  if (dot == NULL || dot[1] == '\0')
    return FALSE;
  g_autofree char *ext = g_ascii_strdown (dot + 1, -1);
  return g_hash_table_contains (supported_extensions (), ext);
}

/* 8-bit RGB(A) pixbuf to CHW: alpha composited on black as for PNG; grey when every pixel
 * is (gdk-pixbuf has no grey layout). */
static AnImage *
image_from_pixbuf (GdkPixbuf *pixbuf)
{
  int w = gdk_pixbuf_get_width (pixbuf), h = gdk_pixbuf_get_height (pixbuf);
  int n = gdk_pixbuf_get_n_channels (pixbuf), stride = gdk_pixbuf_get_rowstride (pixbuf);
  gboolean alpha = gdk_pixbuf_get_has_alpha (pixbuf);
  const guint8 *px = gdk_pixbuf_read_pixels (pixbuf);
  g_autofree guint8 *packed = g_new (guint8, (gsize) w * h * n);
  for (int y = 0; y < h; y++)
    memcpy (packed + (gsize) y * w * n, px + (gsize) y * stride, (gsize) w * n);
  AnImage *img = image_from_interleaved (packed, n, alpha, h, w);
  gsize plane = (gsize) h * w;
  if (img->channels == 3 && memcmp (img->pixels, img->pixels + plane, plane) == 0 &&
      memcmp (img->pixels, img->pixels + 2 * plane, plane) == 0)
    {
      AnImage *grey = an_image_new (1, h, w);
      memcpy (grey->pixels, img->pixels, plane);
      an_image_free (img);
      img = grey;
    }
  return img;
}

/* The gdk-pixbuf format of data by its magic, NULL when none of pixbuf_formats. */
static const char *
sniff_pixbuf_format (const guint8 *d, gsize len)
{
  if (len >= 12 && memcmp (d, "RIFF", 4) == 0 && memcmp (d + 8, "WEBP", 4) == 0)
    return "webp";
  if (len >= 2 && d[0] == 'B' && d[1] == 'M')
    return "bmp";
  if (len >= 6 && (memcmp (d, "GIF87a", 6) == 0 || memcmp (d, "GIF89a", 6) == 0))
    return "gif";
  if (len >= 4 && (memcmp (d, "II*\0", 4) == 0 || memcmp (d, "MM\0*", 4) == 0))
    return "tiff";
  if (len >= 4 && d[0] == 0 && d[1] == 0 && (d[2] == 1 || d[2] == 2) && d[3] == 0)
    return "ico"; /* icons and cursors */
  return NULL;
}

static inline guint32
le16 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8;
}

static inline guint32
le32 (const guint8 *p)
{
  return le16 (p) | le16 (p + 2) << 16;
}

/* The picture's size from its header (0 x 0 when the header does not say it simply), FALSE
 * with the reason in *why when the header is malformed. */
static gboolean
pixbuf_header_size (const char *format, const guint8 *d, gsize len, guint64 *width,
                    guint64 *height, const char **why)
{
  *width = *height = 0;
  *why = "truncated header";
  if (g_str_equal (format, "bmp"))
    {
      /* file header (14 bytes: magic, size, reserved, pixel offset), then the info header,
       * whose size picks its version */
      if (len < 26)
        return FALSE;
      guint32 offset = le32 (d + 10), info = le32 (d + 14);
      static const guint32 versions[] = { 12, 16, 40, 52, 56, 64, 108, 124 };
      gboolean known = FALSE;
      for (gsize i = 0; i < G_N_ELEMENTS (versions); i++)
        known |= info == versions[i];
      if (!known)
        {
          *why = "unknown header version";
          return FALSE;
        }
      if (offset > len)
        {
          *why = "pixel data past the end of the file";
          return FALSE;
        }
      if (info == 12)
        {
          *width = le16 (d + 18);
          *height = le16 (d + 20);
        }
      else
        {
          gint32 w = (gint32) le32 (d + 18), h = (gint32) le32 (d + 22); /* h < 0: top-down */
          *width = w < 0 ? (guint64) - (gint64) w : (guint64) w;
          *height = h < 0 ? (guint64) - (gint64) h : (guint64) h;
        }
      return TRUE;
    }
  if (g_str_equal (format, "gif"))
    {
      if (len < 10)
        return FALSE;
      *width = le16 (d + 6); /* the logical screen, which frames are drawn into */
      *height = le16 (d + 8);
      return TRUE;
    }
  if (g_str_equal (format, "webp"))
    {
      /* the first chunk: extended (VP8X, canvas size), lossless (VP8L) or lossy (VP8) */
      if (len >= 30 && memcmp (d + 12, "VP8X", 4) == 0)
        {
          *width = 1 + (le32 (d + 24) & 0xffffff);
          *height = 1 + (le32 (d + 27) & 0xffffff);
        }
      else if (len >= 25 && memcmp (d + 12, "VP8L", 4) == 0)
        {
          guint32 bits = le32 (d + 21);
          *width = 1 + (bits & 0x3fff);
          *height = 1 + ((bits >> 14) & 0x3fff);
        }
      else if (len >= 30 && memcmp (d + 12, "VP8 ", 4) == 0)
        {
          *width = le16 (d + 26) & 0x3fff;
          *height = le16 (d + 28) & 0x3fff;
        }
      return TRUE;
    }
  if (g_str_equal (format, "tiff"))
    {
      guint32 w, h;
      if (tiff_ifd0_tag (d, len, 256, &w) && tiff_ifd0_tag (d, len, 257, &h))
        {
          *width = w;
          *height = h;
        }
      return TRUE;
    }
  return TRUE; /* ico: at most 256x256 an entry */
}

static AnImage *
decode_pixbuf (const guint8 *data, gsize len, const char *what, guint64 max_pixels,
               GError **error)
{
  enum { CHUNK = 1 << 16 };
  const char *type = sniff_pixbuf_format (data, len);
  g_autoptr (GdkPixbufLoader) loader =
    type != NULL ? gdk_pixbuf_loader_new_with_type (type, NULL) : NULL;
  if (loader == NULL)
    {
      g_autofree char *names = an_image_formats ();
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT,
                   "%s: not an image in a format this app reads (%s)", what, names);
      return NULL;
    }
  guint64 header_w, header_h;
  const char *why;
  g_autofree char *type_upper = g_ascii_strup (type, -1);
  if (!pixbuf_header_size (type, data, len, &header_w, &header_h, &why))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: unreadable %s image: %s", what,
                   type_upper, why);
      gdk_pixbuf_loader_close (loader, NULL);
      return NULL;
    }
  if (header_w != 0 && !check_size (header_h, header_w, max_pixels, what, error))
    {
      gdk_pixbuf_loader_close (loader, NULL);
      return NULL;
    }
  PixbufSize size = { max_pixels, 0, 0, 0, FALSE };
  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &size);
  g_signal_connect (loader, "area-updated", G_CALLBACK (on_area_updated), &size);
  GError *local = NULL;
  gboolean ok = TRUE, too_big = FALSE;
  /* fed in chunks so that an oversized image is dropped as soon as its size is known */
  for (gsize at = 0; ok && at < len && !too_big; at += CHUNK)
    {
      ok = gdk_pixbuf_loader_write (loader, data + at, MIN ((gsize) CHUNK, len - at), &local);
      too_big = size.width != 0 && !check_size ((guint64) MAX (size.height, 0),
                                                (guint64) MAX (size.width, 0), max_pixels,
                                                what, NULL);
    }
  /* closing is required even after a failure; its own error then adds nothing */
  if (!gdk_pixbuf_loader_close (loader, ok && !too_big ? &local : NULL))
    ok = FALSE;
  /* some loaders only announce the size once closed */
  too_big = too_big || (size.width != 0 && !check_size ((guint64) MAX (size.height, 0),
                                                        (guint64) MAX (size.width, 0),
                                                        max_pixels, what, NULL));
  if (too_big)
    {
      g_clear_error (&local);
      check_size ((guint64) MAX (size.height, 0), (guint64) MAX (size.width, 0), max_pixels,
                  what, error);
      return NULL;
    }
  if (!ok)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: unreadable %s image: %s", what,
                   type_upper, local != NULL ? local->message : "no image");
      g_clear_error (&local);
      return NULL;
    }
  GdkPixbuf *pixbuf = gdk_pixbuf_loader_get_pixbuf (loader); /* a GIF's first frame */
  if (pixbuf == NULL || gdk_pixbuf_get_bits_per_sample (pixbuf) != 8 ||
      gdk_pixbuf_get_colorspace (pixbuf) != GDK_COLORSPACE_RGB ||
      !check_size ((guint64) gdk_pixbuf_get_height (pixbuf),
                   (guint64) gdk_pixbuf_get_width (pixbuf), max_pixels, what, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: unreadable %s image: no picture",
                     what, type_upper);
      return NULL;
    }
  /* Loaders hand out what they have of a cut file (rows, frames) without an error: a file is
   * whole when every pixel was reported decoded. */
  if (riff_truncated (data, len) ||
      (size.reported && size.updated < (guint64) gdk_pixbuf_get_width (pixbuf) *
                                          (guint64) gdk_pixbuf_get_height (pixbuf)))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: unreadable %s image: truncated", what,
                   type_upper);
      return NULL;
    }
  /* TIFF's orientation tag is honoured as JPEG's Exif one */
  g_autoptr (GdkPixbuf) upright = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  return image_from_pixbuf (upright != NULL ? upright : pixbuf);
}

AnImage *
an_image_decode_scaled (const guint8 *data, gsize len, const char *what, guint64 max_pixels,
                        int min_short_side, GError **error)
{
  static const guint8 png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  static const guint8 jpeg_magic[3] = { 0xff, 0xd8, 0xff };
  if (len >= sizeof png_magic && memcmp (data, png_magic, sizeof png_magic) == 0)
    return decode_png (data, len, what, max_pixels, error);
  if (len >= sizeof jpeg_magic && memcmp (data, jpeg_magic, sizeof jpeg_magic) == 0)
    return decode_jpeg (data, len, what, max_pixels, min_short_side, error);
  return decode_pixbuf (data, len, what, max_pixels, error);
}

AnImage *
an_image_decode (const guint8 *data, gsize len, const char *what, guint64 max_pixels,
                 GError **error)
{
  return an_image_decode_scaled (data, len, what, max_pixels, 0, error);
}

AnImage *
an_image_from_bytes (const guint8 *data, gsize len, const char *what, GError **error)
{
  return an_image_decode (data, len, what ? what : "image", AN_IMAGE_MAX_PIXELS, error);
}

AnImage *
an_image_load (const char *path, GError **error)
{
  GMappedFile *file = an_data_map_file (path, AN_DATA_MAX_BYTES, error);
  if (file == NULL)
    return NULL;
  AnImage *img = an_image_decode ((const guint8 *) g_mapped_file_get_contents (file),
                                  g_mapped_file_get_length (file), path, AN_IMAGE_MAX_PIXELS,
                                  error);
  g_mapped_file_unref (file);
  return img;
}

AnImage *
an_image_load_scaled (const char *path, int min_short_side, GError **error)
{
  /* read, not mapped: a file truncated while a training run reads it must give a decoding
   * error, not a SIGBUS */
  g_autofree char *data = NULL;
  gsize len = 0;
  GError *local = NULL;
  if (!g_file_get_contents (path, &data, &len, &local))
    {
      g_set_error (error, AN_ERROR, AN_ERROR_IO, "%s", local->message);
      g_error_free (local);
      return NULL;
    }
  return an_image_decode_scaled ((const guint8 *) data, len, path, AN_IMAGE_MAX_PIXELS,
                                 min_short_side, error);
}

gboolean
an_image_save_png (const AnImage *img, const char *path, GError **error)
{
  g_return_val_if_fail (img != NULL && img->channels >= 1 && img->channels <= 4, FALSE);
  static const AnPngFormat formats[] = { AN_PNG_GREY, AN_PNG_GREY_ALPHA, AN_PNG_RGB,
                                         AN_PNG_RGBA };
  gsize plane = (gsize) img->height * img->width;
  g_autofree guint8 *hwc = g_malloc (plane * img->channels);
  for (gsize p = 0; p < plane; p++)
    for (int c = 0; c < img->channels; c++)
      hwc[p * img->channels + c] = img->pixels[c * plane + p];
  return an_png_write (path, hwc, img->width, img->height, (gsize) img->width * img->channels,
                       formats[img->channels - 1], error);
}

/* The triangle ("bilinear") filter: support 1 at scale 1. */
static inline double
triangle (double x)
{
  x = fabs (x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

/* The source span and normalised weights of each of dst samples taken from src: sample i is
 * centred on source position (i + 0.5) * src / dst, and when shrinking the filter is
 * stretched by the shrink factor, so that every source sample contributes (Pillow's rule). */
typedef struct {
  int ksize;
  int *first, *count;
  float *weights; /* n x ksize */
} Taps;

/* The taps of dst samples i0 .. i0 + n - 1 of dst taken from src: those of sample i depend
 * on i, src and dst only, so that a window of the output is computed exactly as the whole. */
static void
taps_init (Taps *t, int src, int dst, int i0, int n)
{
  double scale = (double) src / dst;
  double stretch = MAX (scale, 1.0);
  double support = stretch; /* the triangle's support, 1, stretched */
  t->ksize = (int) ceil (support) * 2 + 1;
  t->first = g_new (int, n);
  t->count = g_new (int, n);
  t->weights = g_new0 (float, (gsize) n * t->ksize);
  for (int j = 0; j < n; j++)
    {
      int i = i0 + j;
      double centre = (i + 0.5) * scale;
      int lo = (int) (centre - support + 0.5), hi = (int) (centre + support + 0.5);
      lo = MAX (lo, 0);
      hi = MIN (hi, src);
      hi = MIN (hi, lo + t->ksize);
      float *w = t->weights + (gsize) j * t->ksize;
      double sum = 0.0;
      for (int k = 0; k < hi - lo; k++)
        sum += triangle ((lo + k - centre + 0.5) / stretch);
      for (int k = 0; k < hi - lo && sum > 0.0; k++)
        w[k] = (float) (triangle ((lo + k - centre + 0.5) / stretch) / sum);
      t->first[j] = lo;
      t->count[j] = hi - lo;
    }
}

static void
taps_clear (Taps *t)
{
  g_free (t->first);
  g_free (t->count);
  g_free (t->weights);
}

void
an_resample_window (const guint8 *src, int sh, int sw, int dh, int dw, int y0, int x0, int oh,
                    int ow, float *dst)
{
  g_return_if_fail (sh > 0 && sw > 0 && dh > 0 && dw > 0 && oh > 0 && ow > 0);
  g_return_if_fail (y0 >= 0 && x0 >= 0 && y0 + oh <= dh && x0 + ow <= dw);
  Taps across, down;
  taps_init (&across, sw, dw, x0, ow);
  taps_init (&down, sh, dh, y0, oh);
  /* the source columns the window reads, converted to float once a row (exact for 8 bits) */
  int col0 = across.first[0];
  int cols = across.first[ow - 1] + across.count[ow - 1] - col0;
  /* horizontal pass over the source rows that the vertical one reads */
  int row0 = down.first[0];
  int rows = down.first[oh - 1] + down.count[oh - 1] - row0;
  gsize mid_size = ((gsize) rows * ow + cols) * sizeof (float);
  float *mid = pool_take (mid_size);
  if (mid == NULL)
    g_error ("out of memory resampling %dx%d to %dx%d", sw, sh, dw, dh);
  float *line = mid + (gsize) rows * ow;
  for (int y = 0; y < rows; y++)
    {
      const guint8 *in = src + (gsize) (row0 + y) * sw + col0;
#pragma omp simd
      for (int x = 0; x < cols; x++)
        line[x] = in[x];
      float *out = mid + (gsize) y * ow;
      for (int x = 0; x < ow; x++)
        {
          const float *w = across.weights + (gsize) x * across.ksize;
          const float *p = line + (across.first[x] - col0);
          float v = 0.0f;
          for (int k = 0; k < across.count[x]; k++)
            v += w[k] * p[k];
          out[x] = v;
        }
    }
  for (int y = 0; y < oh; y++)
    {
      float *out = dst + (gsize) y * ow;
      const float *w = down.weights + (gsize) y * down.ksize;
      const float *in = mid + (gsize) (down.first[y] - row0) * ow;
#pragma omp simd
      for (int x = 0; x < ow; x++)
        out[x] = 0.0f;
      for (int k = 0; k < down.count[y]; k++)
        {
          const float wk = w[k], *row = in + (gsize) k * ow;
#pragma omp simd
          for (int x = 0; x < ow; x++)
            out[x] += wk * row[x];
        }
    }
  pool_give (mid, mid_size);
  taps_clear (&across);
  taps_clear (&down);
}

void
an_resample_plane (const guint8 *src, int sh, int sw, float *dst, int dh, int dw)
{
  an_resample_window (src, sh, sw, dh, dw, 0, 0, dh, dw, dst);
}

static inline guint8
round_level (float v)
{
  return (guint8) CLAMP (v + 0.5f, 0.0f, 255.0f);
}

AnImage *
an_image_resize_window (const AnImage *img, int height, int width, int y0, int x0, int oh,
                        int ow)
{
  AnImage *out = an_image_try_new_uninit (img->channels, oh, ow);
  gsize src_plane = (gsize) img->height * img->width, dst_plane = (gsize) oh * ow;
  float *plane = pool_take (dst_plane * sizeof (float));
  if (out == NULL || plane == NULL)
    g_error ("out of memory resizing to %dx%d", ow, oh);
  for (int c = 0; c < img->channels; c++)
    {
      an_resample_window (img->pixels + c * src_plane, img->height, img->width, height, width,
                          y0, x0, oh, ow, plane);
      guint8 *o = out->pixels + c * dst_plane;
#pragma omp simd
      for (gsize i = 0; i < dst_plane; i++)
        o[i] = round_level (plane[i]);
    }
  pool_give (plane, dst_plane * sizeof (float));
  return out;
}

AnImage *
an_image_resize (const AnImage *img, int height, int width)
{
  return an_image_resize_window (img, height, width, 0, 0, height, width);
}
