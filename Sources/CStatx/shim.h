#ifndef ARDOISE_CSTATX_H
#define ARDOISE_CSTATX_H
#include <linux/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <fcntl.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
static const int ardoise_at_empty_path = AT_EMPTY_PATH;

/* statx(2) through syscall(2): the glibc wrapper is hidden behind _GNU_SOURCE, which Swift's Glibc module does not set. */
static inline int ardoise_statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf) {
    return (int)syscall(SYS_statx, dirfd, path, flags, mask, buf);
}

#endif
