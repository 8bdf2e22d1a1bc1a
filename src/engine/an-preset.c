/* an-preset.c */
#include "config.h"
