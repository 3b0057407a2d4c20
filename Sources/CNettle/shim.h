#ifndef ARDOISE_CNETTLE_H
#define ARDOISE_CNETTLE_H
/* SHA-256 and HMAC-SHA-256 of libnettle (the names without their nettle_ prefix are macros Swift does not import). */
#include <nettle/sha2.h>
#include <nettle/hmac.h>
#endif
