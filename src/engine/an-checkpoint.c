/* an-checkpoint.c */
#include "config.h"
