/* an-metrics.c */
#include "config.h"
