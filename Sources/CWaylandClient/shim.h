#ifndef ARDOISE_CWAYLANDCLIENT_H
#define ARDOISE_CWAYLANDCLIENT_H
/* libwayland-client's ABI (wayland-util.h): the agent opens the library with dlopen, so neither it nor its headers are
 * needed where no Wayland desktop runs. */
#include <stdint.h>

struct ardoise_wl_interface;

struct ardoise_wl_message {
    const char *name;
    const char *signature;
    const struct ardoise_wl_interface **types;
};

struct ardoise_wl_interface {
    const char *name;
    int version;
    int method_count;
    const struct ardoise_wl_message *methods;
    int event_count;
    const struct ardoise_wl_message *events;
};

union ardoise_wl_argument {
    int32_t i;
    uint32_t u;
    int32_t f;
    const char *s;
    void *o;
    uint32_t n;
    void *a;
    int32_t h;
};

#endif
