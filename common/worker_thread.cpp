#include "common/worker_thread.hpp"

#include <pthread.h>
#include <signal.h>

namespace traild {

std::thread start_worker_thread(const std::string& name, std::function<void()> body) {
  // A thread inherits the signal mask it is created with.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  std::thread thread([name, body = std::move(body)] {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    body();
  });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return thread;
}

}  // namespace traild
