/*
 * Failing-disk faults for FsyncFailureTest and DiskFullTest: an LD_PRELOAD shim driven by the file named
 * by $FAULTY_DISK_FILE. While it holds "eio", fsync and fdatasync fail with EIO; while it holds "enospc",
 * writes to regular files (and fallocate) fail with ENOSPC, writing nothing; anything else or no file:
 * the real calls. It never reports an operation that did not happen as done; it only reports failures.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static int mode_is(const char *wanted) {
    const char *path = getenv("FAULTY_DISK_FILE");
    if (path == NULL) {
        return 0;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    char mode[16] = {0};
    int n = fscanf(f, "%15s", mode);
    fclose(f);
    return n == 1 && strcmp(mode, wanted) == 0;
}

static int failing(void) {
    return mode_is("eio");
}

/* Only regular files run out of space: the JVM's pipes and terminals keep working. */
static int full(int fd) {
    struct stat st;
    return fd > 2 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && mode_is("enospc");
}

#define REAL(fn) \
    static __typeof__(&fn) real = NULL; \
    if (real == NULL) { \
        real = (__typeof__(&fn))dlsym(RTLD_NEXT, #fn); \
    }

ssize_t write(int fd, const void *buf, size_t count) {
    REAL(write)
    if (full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real(fd, buf, count);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
    REAL(pwrite)
    if (full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset) {
    REAL(pwrite64)
    if (full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
    REAL(writev)
    if (full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real(fd, iov, iovcnt);
}

int fallocate(int fd, int mode, off_t offset, off_t len) {
    REAL(fallocate)
    if (full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real(fd, mode, offset, len);
}

int fsync(int fd) {
    static int (*real)(int) = NULL;
    if (real == NULL) {
        real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    }
    if (failing()) {
        errno = EIO;
        return -1;
    }
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int) = NULL;
    if (real == NULL) {
        real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    }
    if (failing()) {
        errno = EIO;
        return -1;
    }
    return real(fd);
}
