/* an-image.c: 8-bit images in memory (CHW), PNG via libpng's simplified API, JPEG via
 * libjpeg(-turbo) (DCT-domain scaling, Exif orientation, CMYK), and the 8-bit bilinear resize.
 * Grey stays grey; everything else becomes RGB; alpha is composited onto black.
 * Resizing samples at half-pixel centres (PyTorch's align_corners=False, no antialiasing).
 */
#define G_LOG_DOMAIN "alexnet-data"
#include "config.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#include "an-dataset-private.h"
#include "an-error.h"
#include "an-png.h"

enum {
  JPEG_MAX_SCANS = 256, /* real progressive JPEGs use ~10; thousands is a decoding-time bomb */
};

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

void
an_image_free (AnImage *img)
{
  if (img == NULL)
    return;
  g_free (img->pixels);
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

/* The Exif Orientation tag (0x0112) of IFD0 in an APP1 "Exif" payload, 1 (upright) when absent
 * or malformed. Every offset is checked against the payload's length. */
static int
exif_orientation (const guint8 *data, gsize len)
{
  static const guint8 exif_magic[6] = { 'E', 'x', 'i', 'f', 0, 0 };
  if (len < sizeof exif_magic + 8 || memcmp (data, exif_magic, sizeof exif_magic) != 0)
    return 1;
  const guint8 *tiff = data + sizeof exif_magic;
  gsize tiff_len = len - sizeof exif_magic;
  gboolean little;
  if (tiff[0] == 'I' && tiff[1] == 'I' && tiff[2] == 42 && tiff[3] == 0)
    little = TRUE;
  else if (tiff[0] == 'M' && tiff[1] == 'M' && tiff[2] == 0 && tiff[3] == 42)
    little = FALSE;
  else
    return 1;
#define U16(p) (little ? (guint32) (p)[0] | (guint32) (p)[1] << 8 \
                       : (guint32) (p)[0] << 8 | (guint32) (p)[1])
#define U32(p) (little ? U16 (p) | U16 ((p) + 2) << 16 : U16 (p) << 16 | U16 ((p) + 2))
  guint32 ifd = U32 (tiff + 4);
  if (ifd > tiff_len || tiff_len - ifd < 2)
    return 1;
  guint32 entries = U16 (tiff + ifd);
  if ((tiff_len - ifd - 2) / 12 < entries)
    entries = (guint32) ((tiff_len - ifd - 2) / 12);
  for (guint32 i = 0; i < entries; i++)
    {
      const guint8 *entry = tiff + ifd + 2 + 12 * (gsize) i;
      /* tag, type (3 = SHORT), count, then the value itself when it fits in 4 bytes */
      if (U16 (entry) == 0x0112 && U16 (entry + 2) == 3 && U32 (entry + 4) >= 1)
        {
          guint32 value = U16 (entry + 8);
          return value >= 1 && value <= 8 ? (int) value : 1;
        }
    }
#undef U32
#undef U16
  return 1;
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
  /* DCT-domain scaling: the smallest of 1/8, 1/4, 1/2 whose shorter side is still
   * min_short_side, else full size */
  cinfo.scale_denom = 8;
  cinfo.scale_num = 8;
  if (min_short_side > 0)
    for (unsigned num = 1; num < 8; num *= 2)
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
  int channels = cinfo.output_components;
  gsize stride = (gsize) cinfo.output_width * channels;
  buffer = g_try_malloc (stride * cinfo.output_height);
  if (buffer == NULL)
    {
      g_set_error (error, AN_ERROR, AN_ERROR_NO_MEMORY, "%s: out of memory for %ux%u pixels",
                   what, cinfo.output_width, cinfo.output_height);
      jpeg_destroy_decompress (&cinfo);
      return NULL;
    }
  gsize out_stride = cmyk ? (gsize) cinfo.output_width * 3 : stride;
  while (cinfo.output_scanline < cinfo.output_height)
    {
      /* CMYK rows are read one row ahead and shrink to RGB in place, behind the reading */
      JSAMPROW row = buffer + out_stride * cinfo.output_scanline;
      jpeg_read_scanlines (&cinfo, &row, 1);
      if (cmyk)
        cmyk_to_rgb (row, (int) cinfo.output_width);
    }
  img = image_from_interleaved (buffer, cmyk ? 3 : channels, FALSE, (int) cinfo.output_height,
                                (int) cinfo.output_width);
  jpeg_finish_decompress (&cinfo);
  jpeg_destroy_decompress (&cinfo);
  g_free (buffer);
  return image_orient (img, orientation);
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
  g_set_error (error, AN_ERROR, AN_ERROR_FORMAT, "%s: not a PNG or JPEG image", what);
  return NULL;
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

void
an_bilinear_tap (int i, int src, int dst, int *lo, int *hi, float *frac)
{
  float s = ((float) i + 0.5f) * (float) src / (float) dst - 0.5f;
  if (s < 0.0f)
    s = 0.0f;
  int l = (int) s;
  if (l > src - 1)
    l = src - 1;
  *lo = l;
  *hi = l + 1 < src ? l + 1 : l;
  *frac = s - (float) l;
}

AnImage *
an_image_resize (const AnImage *img, int height, int width)
{
  AnImage *out = an_image_new (img->channels, height, width);
  gsize src_plane = (gsize) img->height * img->width, dst_plane = (gsize) height * width;
  for (int y = 0; y < height; y++)
    {
      int y0, y1;
      float fy;
      an_bilinear_tap (y, img->height, height, &y0, &y1, &fy);
      for (int x = 0; x < width; x++)
        {
          int x0, x1;
          float fx;
          an_bilinear_tap (x, img->width, width, &x0, &x1, &fx);
          for (int c = 0; c < img->channels; c++)
            {
              const guint8 *p = img->pixels + c * src_plane;
              float top = p[y0 * img->width + x0] * (1 - fx) + p[y0 * img->width + x1] * fx;
              float bottom = p[y1 * img->width + x0] * (1 - fx) + p[y1 * img->width + x1] * fx;
              float v = top * (1 - fy) + bottom * fy;
              out->pixels[c * dst_plane + (gsize) y * width + x] = (guint8) (v + 0.5f);
            }
        }
    }
  return out;
}
