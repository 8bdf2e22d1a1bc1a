/* an-classifier.c */
#include "config.h"
