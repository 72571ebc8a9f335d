// cpu_time.hpp: this process's CPU time in seconds, for the micro-benchmarks. On a machine
// shared by many processes wall-clock rates mostly measure the others; CPU time counts only
// the slices we ran (what is left, cache and core sharing, is why we still keep the best of
// many runs). Under Emscripten it asks Node's process.cpuUsage() (microseconds), since
// Emscripten 3.1.6's clock_gettime has no CLOCK_PROCESS_CPUTIME_ID. Benchmark code only.
#pragma once

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
// clang-format off
EM_JS(double, cpu_seconds, (), {
    const u = process.cpuUsage();
    return (u.user + u.system) * 1e-6;
});
// clang-format on
#else
#include <time.h>
inline double cpu_seconds() {
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}
#endif
