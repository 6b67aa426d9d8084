// Test and benchmark program: writes `rate` lines per second to stdout for
// `seconds` seconds ("line <n> ..." padded to about 80 bytes), paced in
// 1 ms slices so the output arrives as a job's would, not as one burst.
//
//   line_burst <rate> <seconds>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: line_burst <rate> <seconds>\n");
    return 2;
  }
  const long rate = std::atol(argv[1]);
  const long seconds = std::atol(argv[2]);
  const long total = rate * seconds;
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  long written = 0;
  while (written < total) {
    // Lines due by now: catch up after a slow write, never run ahead.
    auto elapsed = std::chrono::duration<double>(clock::now() - start).count();
    long due = static_cast<long>(elapsed * static_cast<double>(rate)) + 1;
    if (due > total)
      due = total;
    for (; written < due; ++written)
      std::printf("line %08ld of the burst, padded to look like a log line"
                  " ....\n",
                  written);
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return 0;
}
