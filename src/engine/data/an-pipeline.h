/* an-pipeline.h: the input pipelines by name: how one 8-bit image of any size becomes the
 * model's normalised (channels, height, width) input, for training (random crops, flips,
 * colour jitter), for evaluation (one centre view) and for ten-crop evaluation.
 *
 * Every random choice is a pure function of (seed, epoch, image) through an-rng.h, so the
 * tensor of an image does not depend on the thread that makes it nor on what was made before.
 * The geometry is written out in docs/DATA.md ("Pipelines"); tools/pipeline_golden.py computes
 * it independently for the tests.
 */
#pragma once

#include "an-dataset.h"

G_BEGIN_DECLS

typedef enum {
  AN_PIPELINE_AUTO = 0,        /* paper for inputs larger than 64x64 on image folders and
                                * packed files, pad-crop otherwise (an_pipeline_resolve) */
  AN_PIPELINE_PAD_CROP = 1,    /* resize (or pad) to the input, pad by 4 + random crop */
  AN_PIPELINE_PAPER = 2,       /* shorter side to 256, centre 256x256, random input crops */
  AN_PIPELINE_TORCHVISION = 3, /* RandomResizedCrop for training, Resize + CenterCrop else */
} AnPipeline;

/* "auto", "pad-crop", "paper", "torchvision" in value order, NULL-terminated. */
extern const char *const an_pipeline_names[];
const char *an_pipeline_to_string (AnPipeline p);

/* The side of the square the paper's pipeline works in: 256, or the input's larger side when
 * that is more. Also the size `alexnet pack` stores. */
#define AN_PIPELINE_BASE_SIZE 256
int an_pipeline_base_size (const AnInputSpec *spec);

/* What auto means for this input and dataset: large inputs (either side over 64) on an image
 * folder or a packed file (images of their own size) take paper, everything else pad-crop.
 * Other values are returned as they are. */
AnPipeline an_pipeline_resolve (AnPipeline p, const AnInputSpec *spec, gboolean image_files);

/* The smallest shorter side a decoded image may have for this pipeline to see what it would
 * see at full size (a JPEG decoder may scale down in the DCT domain to it): the base size for
 * paper and torchvision, the input's larger side for pad-crop. */
int an_pipeline_min_short_side (AnPipeline p, const AnInputSpec *spec);

/* Views for evaluation: 0..4 the top-left, top-right, bottom-left, bottom-right and centre
 * crops, 5..9 the same mirrored. AN_PIPELINE_VIEW_CENTRE is the one plain evaluation uses. */
enum {
  AN_PIPELINE_VIEW_CENTRE = 4,
  AN_PIPELINE_VIEWS = 10,
};

/* Where the output comes from, in an image of (h, w):
 * the image is first resized to (base_h, base_w) (no resize when equal to (h, w)), then the
 * window (y, x, crop_h, crop_w) of that is taken, resized to the input's size when it differs,
 * and mirrored left-right when flip. pad-crop: base is the input size, the window may lie up to
 * 4 pixels outside it (y, x in -4..4), filled with black (zero_pad, training) or with the edge
 * values (ten-crop views). */
typedef struct {
  int base_h, base_w;
  int y, x, crop_h, crop_w;
  gboolean flip;
  gboolean zero_pad;
} AnPipelineGeometry;

/* The geometry an_pipeline_sample uses (p resolved as an_pipeline_sample does). train: the
 * random crop and flip of (seed, epoch, image), with the spec's flip (and, for pad-crop, crop)
 * switches; otherwise view (0..9) decides. */
void an_pipeline_geometry (AnPipeline p, const AnInputSpec *spec, int h, int w, gboolean train,
                           guint64 seed, int epoch, int image, int view,
                           AnPipelineGeometry *g);

/* One image (channels 1 or 3, CHW, h x w) to the normalised input tensor out
 * (spec->channels x spec->height x spec->width): the geometry above, then the PCA colour jitter
 * when train and spec->pca, then normalisation. AN_PIPELINE_AUTO here means pad-crop for inputs
 * of at most 64x64 and paper for larger ones. Thread-safe; allocates scratch per call. */
void an_pipeline_sample (AnPipeline p, const AnInputSpec *spec, const guint8 *pixels,
                         int channels, int h, int w, gboolean train, guint64 seed, int epoch,
                         int image, int view, float *out);

/* TRUE for datasets of image files, whose images have their own sizes: folder:, packed:. */
gboolean an_pipeline_image_files (const char *data_spec);
/* The paper's offline step: the shorter side resized to size (antialiased, rounded to 8 bits),
 * then the centre size x size square. */
AnImage *an_pipeline_square (const AnImage *img, int size);

G_END_DECLS
