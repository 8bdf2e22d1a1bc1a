/* an-schedule.c */
#include "config.h"
