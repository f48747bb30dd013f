/* LD_PRELOAD library for tests: fdatasync(2) and fsync(2) fail with EIO while the file named
 * by $TRAILD_TEST_FAIL_SYNC exists, as on a disk that has started to fail; otherwise they are
 * the real calls. Lets a test inject the fault into the real traild binary. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static int failing(void) {
  const char* flag = getenv("TRAILD_TEST_FAIL_SYNC");
  return flag != NULL && access(flag, F_OK) == 0;
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (failing()) {
    errno = EIO;
    return -1;
  }
  if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  return real(fd);
}

int fsync(int fd) {
  static int (*real)(int);
  if (failing()) {
    errno = EIO;
    return -1;
  }
  if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  return real(fd);
}
