/* LD_PRELOAD library for tests: fdatasync(2) and fsync(2) fail with EIO while the file named
 * by $TRAILD_TEST_FAIL_SYNC exists, as on a disk that has started to fail; otherwise they are
 * the real calls. Lets a test inject the fault into the real traild binary. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static int fail_or_call(const char* name, int fd) {
  const char* flag = getenv("TRAILD_TEST_FAIL_SYNC");
  if (flag != NULL && access(flag, F_OK) == 0) {
    errno = EIO;
    return -1;
  }
  int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, name);
  return real(fd);
}

int fdatasync(int fd) { return fail_or_call("fdatasync", fd); }
int fsync(int fd) { return fail_or_call("fsync", fd); }
