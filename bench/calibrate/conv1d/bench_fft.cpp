// bench_fft.cpp: time of one power-of-two FFT per p log2 p, for p = 4 ... 2^20, ordered and
// scrambled-order (forward + inverse, halved). It measured the work units of conv1d_fft.cpp's
// transform_work (the fixed cost per call, the factor once the arrays leave L2) that the
// 'auto' model scales. Calibration only. Wall-clock time, best of >= 5 calls.
#include <chrono>
#include <cstdio>
#include <cmath>
#include <vector>
#include "convlab/ops/fft.hpp"
#include "fft_internal.hpp"  // core/src/ops
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
int main() {
  for (size_t p = 4; p <= (1u << 20); p *= 2) {
    std::vector<float> re(p, 0.5f), im(p, 0.25f);
    double best = 1e9, total = 0; int reps = 0;
    while (reps < 5 || (total < 0.05 && reps < 100000)) {
      double t0 = now(); convlab::fft_forward(re.data(), im.data(), p); double dt = now() - t0;
      best = std::min(best, dt); total += dt; ++reps;
      for (size_t i = 0; i < p; ++i) re[i] = 0.5f, im[i] = 0.25f;
    }
    double best2 = 1e9; total = 0; reps = 0;
    while (reps < 5 || (total < 0.05 && reps < 100000)) {
      double t0 = now(); convlab::fft_pow2_forward_scrambled(re.data(), im.data(), p); convlab::fft_pow2_inverse_scrambled(re.data(), im.data(), p); double dt = (now() - t0) / 2;
      best2 = std::min(best2, dt); total += dt; ++reps;
      for (size_t i = 0; i < p; ++i) re[i] = 0.5f, im[i] = 0.25f;
    }
    std::printf("%8zu %10.3f us  %6.3f ns/(p log2 p)   scrambled %10.3f us %6.3f\n", p, best * 1e6, best * 1e9 / (p * std::log2(p)), best2 * 1e6, best2 * 1e9 / (p * std::log2(p)));
  }
}
