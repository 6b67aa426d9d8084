// Test program: ends by SIGSEGV, as a crashing job would (status 17).
// Prints one line first, so tests can also see its output captured.
#include <csignal>
#include <cstdio>

int main() {
  std::puts("about to crash");
  std::fflush(stdout);
  std::raise(SIGSEGV);
  return 0; // not reached: SIGSEGV's default action ends the process
}
