// conv1d_cost.cpp: the 'auto' cost model of the 1-D convolution. Predicted time of each method
// for a signal of length n and a kernel of length m; k = min(n, m) is the kernel after the
// methods' swap, N = max(n, m), and the counts are conv1d_count_costs':
//   direct:   a + b * N k                      (N k multiply-adds: the edges skip zero taps)
//                 + c * (N + k)                (copies, allocation, writing the result)
//   toeplitz: a + b * (N + k) (D + 1) B + c * (N + k)   (B, D from conv1d_toeplitz_block)
//   fft:      a + b * work(plan) + c * (N + k)          (conv1d_fft_make_plan's work units)
// The constants, in conv1d_cost_coefficients.inc
// (written by bench/calibrate/conv1d/fit.py), are robust least-squares fits (of log time) to the
// best of >= 5 runs (and of two sessions) of the full convolution on the grid n in {100, 300,
// 1000, 4000, 16384, 65536, 262144} x m in {1, 3, 5, 9, 15, 31, 63, 127, 255, 511, 1023, 2047}
// (84 sizes; bench/calibrate/conv1d/ driver calling convolve(..., method) in a loop), on this
// project's machine (AMD EPYC with AVX-512, shared with other jobs), 2026-11-28, with the
// radix-4 scrambled-order FFT and the packed sgemm:
//   native (g++ 12 -O3 -march=native, xsimd avx512): direct 0.018 ns per multiply-add, FFT
//     0.13 ns per work unit. Measured crossover direct -> fft: m between 1023 and 2047 for
//     n = 100, 511 - 1023 for n = 300, 127 - 255 for n = 1k ... 64k, 63 - 127 for n = 256k.
//   WebAssembly (em++ 3.1.6 -O3 -msimd128 -msse2, Node 20): direct 0.046 ns per multiply-add
//     (4 lanes, no fused multiply-add), FFT 0.14 ns per unit. Crossover: m between 127 and 255
//     for n <= 300, 63 - 127 for n = 1k, 31 - 63 for n >= 4k.
// Toeplitz never wins on either: it does the direct method's products plus the band's zeros,
// through a general matrix product. The fits predict measured times within a factor 1.4
// (direct, fft, bar a few runs slowed by other jobs) to 1.8 (toeplitz), and pick a method within
// 7% of the fastest on every grid size (the fastest one on n in {1k, 16k, 256k} x m in
// {5, 15, 63, 255, 1023}, both builds).
#include "conv1d_cost.hpp"

#include <algorithm>

#include "conv1d_internal.hpp"
#include "convlab/common.hpp"
#include "convlab/ops/conv1d.hpp"

namespace convlab {

conv1d_cost_counts conv1d_count_costs(std::size_t n, std::size_t m) {
    const std::size_t N = std::max(n, m), k = std::min(n, m);
    const std::size_t B = conv1d_toeplitz_block(k);
    const std::size_t D = k > 1 ? ceil_div(k - 1, B) : 0;
    const double points = double(N + k);
    return {double(N) * double(k), points * double((D + 1) * B), conv1d_fft_make_plan(N, k).work,
            points};
}

namespace {

struct linear_cost {
    double fixed, per_unit, per_point;  // seconds, seconds per unit, seconds per sample
    double operator()(double units, double points) const {
        return fixed + per_unit * units + per_point * points;
    }
};

enum class build { native, wasm };

#if defined(__wasm__)
constexpr build this_build = build::wasm;
#else
constexpr build this_build = build::native;
#endif

struct cost_row {
    build fitted_on;
    conv1d_method method;
    linear_cost cost;
};

constexpr cost_row fitted_costs[] = {
#define CONVLAB_CONV1D_COST(build_name, method, fixed, per_unit, per_point) \
    {build::build_name, conv1d_method::method, {fixed, per_unit, per_point}},
#include "conv1d_cost_coefficients.inc"
#undef CONVLAB_CONV1D_COST
};

// The costs of `method` measured on the build that runs.
constexpr linear_cost cost_of(conv1d_method method) {
    for (const cost_row& row : fitted_costs)
        if (row.fitted_on == this_build && row.method == method) return row.cost;
    return {1e300, 0, 0};  // not fitted: never picked
}

constexpr linear_cost direct_cost = cost_of(conv1d_method::direct);
constexpr linear_cost toeplitz_cost = cost_of(conv1d_method::toeplitz);
constexpr linear_cost fft_cost = cost_of(conv1d_method::fft);

}  // namespace

conv1d_method conv1d_auto_method(std::size_t n, std::size_t m) {
    require(n >= 1, "f", "expected a non-empty array");
    require(m >= 1, "h", "expected a non-empty array");
    const conv1d_cost_counts c = conv1d_count_costs(n, m);
    const double direct = direct_cost(c.direct, c.points);
    const double toeplitz = toeplitz_cost(c.toeplitz, c.points);
    const double fft = fft_cost(c.fft, c.points);
    if (direct <= toeplitz && direct <= fft) return conv1d_method::direct;
    return fft <= toeplitz ? conv1d_method::fft : conv1d_method::toeplitz;
}

}  // namespace convlab
