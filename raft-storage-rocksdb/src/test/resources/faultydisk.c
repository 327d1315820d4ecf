/*
 * Failing-disk fault for FsyncFailureTest: an LD_PRELOAD shim whose fsync and fdatasync fail with EIO
 * while the file named by $FAULTY_DISK_FILE holds "eio" (absent or anything else: the real call). It
 * never reports a sync that did not happen as done; it only reports failures.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failing(void) {
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
    return n == 1 && strcmp(mode, "eio") == 0;
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
