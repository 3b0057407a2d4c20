#ifndef ARDOISE_CSYSTEMD_H
#define ARDOISE_CSYSTEMD_H
#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <systemd/sd-login.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-device.h>
#endif
