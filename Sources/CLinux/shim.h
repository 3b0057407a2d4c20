#ifndef ARDOISE_CLINUX_H
#define ARDOISE_CLINUX_H
/* Linux calls that Swift's Glibc module hides (they sit behind _GNU_SOURCE, which it does not set), made through syscall(2). */
#include <linux/stat.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/xattr.h>
#include <sys/prctl.h>
#include <malloc.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
static const int ardoise_at_empty_path = AT_EMPTY_PATH;

static inline int ardoise_statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf) {
    return (int)syscall(SYS_statx, dirfd, path, flags, mask, buf);
}

/* Names the calling thread (15 bytes at most), as ps -L and /proc show it. */
static inline int ardoise_name_thread(const char *name) {
    return prctl(PR_SET_NAME, name, 0, 0, 0);
}

/* How many malloc arenas the process may have (M_ARENA_MAX is a macro behind a header Swift's Glibc module leaves out). */
static inline int ardoise_limit_malloc_arenas(int count) {
    return mallopt(M_ARENA_MAX, count);
}

static inline int ardoise_pipe2(int fds[2], int flags) {
    return (int)syscall(SYS_pipe2, fds, flags);
}

static inline int ardoise_accept4(int fd, int flags) {
    return (int)syscall(SYS_accept4, fd, (void *)0, (void *)0, flags);
}

/* Swaps two names in one step (RENAME_EXCHANGE, 1 << 1): a reader sees the old entry or the new one, never neither. */
static inline int ardoise_rename_exchange(int olddir, const char *oldpath, int newdir, const char *newpath) {
    return (int)syscall(SYS_renameat2, olddir, oldpath, newdir, newpath, 1u << 1);
}

/* Renames only if the new name is free (RENAME_NOREPLACE, 1 << 0): a file set aside never lands on another. */
static inline int ardoise_rename_noreplace(int olddir, const char *oldpath, int newdir, const char *newpath) {
    return (int)syscall(SYS_renameat2, olddir, oldpath, newdir, newpath, 1u << 0);
}

/* Copies in the kernel, without passing the bytes through the process. */
static inline long ardoise_copy_file_range(int in, int out, unsigned long length) {
    return syscall(SYS_copy_file_range, in, (void *)0, out, (void *)0, length, 0u);
}

/* SO_PEERCRED fills the kernel's struct ucred: pid, uid, gid. */
struct ardoise_peer { int pid; unsigned int uid; unsigned int gid; };
static inline int ardoise_peer_credentials(int fd, struct ardoise_peer *peer) {
    socklen_t length = sizeof(*peer);
    return getsockopt(fd, SOL_SOCKET, 17 /* SO_PEERCRED */, peer, &length);
}

#endif
