/* an-model.c */
#include "config.h"
