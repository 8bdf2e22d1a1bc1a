/* an-trainer.c */
#include "config.h"
