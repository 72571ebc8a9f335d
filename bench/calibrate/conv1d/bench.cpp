// bench.cpp: the timing driver behind conv1d's 'auto' cost model (core/src/ops/conv1d_cost.cpp).
// For each signal length n and kernel length m, times the full convolution by each method
// (the best of >= 5 calls, repeated up to 50 ms; wall-clock time per call, as the model was
// fitted: one call is often below the resolution of Node's process CPU time), and prints the
// counts the model scales: taps (N k), the Toeplitz product's taps and the FFT plan's work.
//   bench [wide]   wide: the fitting grid, 7 n x 12 m (else a quick 3 x 5 check)
// Its output is fit.py's input. Calibration only: not a test, not part of any build target.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <string>
#include "convlab/ops/conv1d.hpp"
#include "conv1d_cost.hpp"      // core/src/ops: the counts the model scales
#include "conv1d_internal.hpp"  // core/src/ops: the FFT plan's size
#include "convlab/common.hpp"
using namespace convlab;
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
double time_method(const std::vector<float>& f, const std::vector<float>& h, conv1d_method method) {
  double best = 1e9;
  // repeat until ~0.05 s total or 5 reps min
  double total = 0; int reps = 0;
  while (reps < 5 || (total < 0.05 && reps < 2000)) {
    double t0 = now();
    auto y = convolve(f.data(), f.size(), h.data(), h.size(), conv_mode::full, method);
    double dt = now() - t0;
    if (y[0] == 12345.f) std::printf("x");
    best = dt < best ? dt : best; total += dt; ++reps;
  }
  return best;
}
int main(int argc, char** argv) {
  std::vector<size_t> ns = {1000, 16384, 262144}, ms = {5, 15, 63, 255, 1023};
  if (argc > 1 && std::string(argv[1]) == "wide") { ns = {100, 300, 1000, 4000, 16384, 65536, 262144}; ms = {1, 3, 5, 9, 15, 31, 63, 127, 255, 511, 1023, 2047}; }
  std::printf("%8s %6s %12s %12s %12s %8s %8s %12s %12s %12s %6s\n", "n", "m", "direct_us", "toeplitz_us", "fft_us", "auto", "auto/best", "taps", "gemm_taps", "fft_work", "P");
  for (size_t n : ns) for (size_t m : ms) {
    std::vector<float> f(n), h(m);
    for (auto& x : f) x = float(std::rand()) / float(RAND_MAX) - 0.5f;
    for (auto& x : h) x = float(std::rand()) / float(RAND_MAX) - 0.5f;
    double t[3];
    t[0] = time_method(f, h, conv1d_method::direct);
    t[1] = time_method(f, h, conv1d_method::toeplitz);
    t[2] = time_method(f, h, conv1d_method::fft);
    conv1d_method a = conv1d_auto_method(n, m);
    double best = std::min(t[0], std::min(t[1], t[2]));
    const conv1d_cost_counts c = conv1d_count_costs(n, m);
    const size_t p = conv1d_fft_make_plan(std::max(n, m), std::min(n, m)).p;
    std::printf("%8zu %6zu %12.2f %12.2f %12.2f %8s %8.2f %12.0f %12.0f %12.0f %6zu\n", n, m, t[0]*1e6, t[1]*1e6, t[2]*1e6, conv1d_method_name(a), t[int(a)]/best, c.direct, c.toeplitz, c.fft, p);
  }
}
