/* A program that logs through glibc's syslog(3), as countless daemons do: each argument
   becomes one message to /dev/log (the tests point /dev/log at traild in a private mount
   namespace). */
#include <syslog.h>

int main(int argc, char** argv) {
  openlog("glibc-client", LOG_PID | LOG_NDELAY, LOG_AUTH);
  for (int i = 1; i < argc; ++i) syslog(LOG_NOTICE, "%s", argv[i]);
  closelog();
  return 0;
}
