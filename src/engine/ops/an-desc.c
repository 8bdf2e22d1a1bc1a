/* an-desc.c: descriptor checks and transfers between backends. */
#include "config.h"
#include "an-backend.h"
