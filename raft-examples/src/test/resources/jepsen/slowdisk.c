/*
 * Slow-disk fault for the Jepsen-style tests: an LD_PRELOAD shim that delays fsync and fdatasync by the
 * number of milliseconds written in the file named by $JEPSEN_SLOW_DISK_FILE (absent, empty or 0: no
 * delay). It only delays; every call still reaches the real fsync, so durability is never faked.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long delay_millis(void) {
    const char *path = getenv("JEPSEN_SLOW_DISK_FILE");
    if (path == NULL) {
        return 0;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    long ms = 0;
    if (fscanf(f, "%ld", &ms) != 1) {
        ms = 0;
    }
    fclose(f);
    return ms > 0 ? ms : 0;
}

static void slow_down(void) {
    long ms = delay_millis();
    if (ms > 0) {
        struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&t, NULL);
    }
}

int fsync(int fd) {
    static int (*real)(int) = NULL;
    if (real == NULL) {
        real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    }
    slow_down();
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int) = NULL;
    if (real == NULL) {
        real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    }
    slow_down();
    return real(fd);
}
