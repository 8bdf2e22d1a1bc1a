/* an-ref-private.h: the reference backend's op functions, X_ref for every op X of AN_OP_LIST
 * (an-backend.h has their signatures and contracts: forward overwrites, backward adds), one
 * file per op family: an-ref-conv.c, an-ref-activation.c, an-ref-lrn.c, an-ref-pool.c,
 * an-ref-dropout.c, an-ref-linear.c, an-ref-concat.c, an-ref-loss.c, an-ref-sgd.c.
 */
#pragma once

#include "an-backend.h"

G_BEGIN_DECLS

#define AN_REF_OP_DECL_(ENUM, field, family, Type) Type field##_ref;
AN_OP_LIST (AN_REF_OP_DECL_)
#undef AN_REF_OP_DECL_

G_END_DECLS
