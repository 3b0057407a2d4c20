#ifndef ARDOISE_CCUPS_H
#define ARDOISE_CCUPS_H
#include <cups/cups.h>
#endif
