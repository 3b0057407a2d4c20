#ifndef ARDOISE_CCUPS_H
#define ARDOISE_CCUPS_H
/* libcups's types only: the program opens the library itself (dlopen) when it first purges print jobs. */
#include <cups/cups.h>
#endif
