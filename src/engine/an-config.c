/* an-config.c */
#include "config.h"
