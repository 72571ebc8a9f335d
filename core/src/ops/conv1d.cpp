// conv1d.cpp: what every 1-D convolution method shares: argument checks, the registry's
// names, numpy's output lengths and window alignment for convolve and correlate, the plain-loop
// reference, the Toeplitz matrix of eq. (2.12) and the 'auto' cost model. The methods live in
// conv1d_direct.cpp, conv1d_toeplitz.cpp and conv1d_fft.cpp; each computes a window of the
// full convolution, so modes and correlation are handled here once. No gradients (the 1-D ops
// are for the lessons on section 2; networks use conv2d).
#include "convlab/ops/conv1d.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "conv1d_internal.hpp"
#include "convlab/common.hpp"

namespace convlab {

conv_mode conv_mode_from_name(std::string_view name, const char* argument) {
    if (name == "full") return conv_mode::full;
    if (name == "same") return conv_mode::same;
    if (name == "valid") return conv_mode::valid;
    fail(argument, "expected one of 'full', 'same', 'valid', got '" + std::string(name) + "'");
}

conv1d_method conv1d_method_from_name(std::string_view name, const char* argument) {
#define CONVLAB_CONV1D_VARIANT(id, text) \
    if (name == text) return conv1d_method::id;
#include "convlab/ops/conv1d_variants.inc"
#undef CONVLAB_CONV1D_VARIANT
    if (name == "auto") return conv1d_method::automatic;
    std::string expected = "expected one of";
#define CONVLAB_CONV1D_VARIANT(id, text) expected += std::string(" '") + text + "',";
#include "convlab/ops/conv1d_variants.inc"
#undef CONVLAB_CONV1D_VARIANT
    fail(argument, expected + " 'auto', got '" + std::string(name) + "'");
}

const char* conv1d_method_name(conv1d_method method) {
    switch (method) {
#define CONVLAB_CONV1D_VARIANT(id, text) \
    case conv1d_method::id: return text;
#include "convlab/ops/conv1d_variants.inc"
#undef CONVLAB_CONV1D_VARIANT
        case conv1d_method::automatic: return "auto";
    }
    return "auto";
}

std::size_t conv1d_output_length(std::size_t n, std::size_t m, conv_mode mode) {
    switch (mode) {
        case conv_mode::full: return n + m - 1;
        case conv_mode::same: return std::max(n, m);
        case conv_mode::valid: return std::max(n, m) - std::min(n, m) + 1;
    }
    fail("mode", "expected one of 'full', 'same', 'valid'");
}

namespace {

void check_signals(const float* f, std::size_t n, const float* h, std::size_t m) {
    require(n >= 1 && f != nullptr, "f", "expected a non-empty array");
    require(m >= 1 && h != nullptr, "h", "expected a non-empty array");
    require_positive(static_cast<long long>(n), "f");
    require_positive(static_cast<long long>(m), "h");
}

void check_method(conv1d_method method) {
    switch (method) {
#define CONVLAB_CONV1D_VARIANT(id, text) case conv1d_method::id:
#include "convlab/ops/conv1d_variants.inc"
#undef CONVLAB_CONV1D_VARIANT
        case conv1d_method::automatic: return;
    }
    fail("method", "expected a registered method or 'auto'");
}

// Where numpy's window starts in the full result (length n + m - 1). numpy computes both ops
// as a correlation of the longer array with the shorter one (k = min(n, m)), whose 'same'
// window starts k - 1 - floor(k / 2) into the full result and whose 'valid' window starts at
// k - 1. numpy.correlate(f, h) with n < m instead correlates h with f and reverses the result,
// which mirrors the window: its 'same' part starts at floor(n / 2).
std::size_t window_start(std::size_t n, std::size_t m, conv_mode mode, bool reversed_swap) {
    const std::size_t k = std::min(n, m);
    switch (mode) {
        case conv_mode::full: return 0;
        case conv_mode::valid: return k - 1;
        case conv_mode::same: return reversed_swap ? n / 2 : k - 1 - k / 2;
    }
    return 0;
}

// out is (len): the window [start, start + len) of the full convolution of f (n) and h (m).
void full_window(const float* f, std::size_t n, const float* h, std::size_t m, std::size_t start,
                 std::size_t len, conv1d_method method, float* out) {
    if (method == conv1d_method::automatic) method = conv1d_auto_method(n, m);
    switch (method) {
        case conv1d_method::direct: conv1d_direct_window(f, n, h, m, start, len, out); return;
        case conv1d_method::toeplitz: conv1d_toeplitz_window(f, n, h, m, start, len, out); return;
        case conv1d_method::fft: conv1d_fft_window(f, n, h, m, start, len, out); return;
        case conv1d_method::automatic: break;
    }
    fail("method", "expected a registered method or 'auto'");
}

}  // namespace

std::vector<float> convolve(const float* f, std::size_t n, const float* h, std::size_t m,
                            conv_mode mode, conv1d_method method) {
    check_signals(f, n, h, m);
    check_method(method);
    std::vector<float> out(conv1d_output_length(n, m, mode));
    full_window(f, n, h, m, window_start(n, m, mode, false), out.size(), method, out.data());
    return out;
}

std::vector<float> correlate(const float* f, std::size_t n, const float* h, std::size_t m,
                             conv_mode mode, conv1d_method method) {
    check_signals(f, n, h, m);
    check_method(method);
    // eq. (2.11): correlating with h is convolving with h reversed.
    std::vector<float> h_reversed(h, h + m);
    std::reverse(h_reversed.begin(), h_reversed.end());
    std::vector<float> out(conv1d_output_length(n, m, mode));
    full_window(f, n, h_reversed.data(), m, window_start(n, m, mode, n < m), out.size(), method,
                out.data());
    return out;
}

void convolve_full_ref(const float* f, std::size_t n, const float* h, std::size_t m, float* out) {
    check_signals(f, n, h, m);
    // eq. (2.6) with f and h zero outside [0, n) and [0, m): t runs where both are defined.
    for (std::size_t u = 0; u < n + m - 1; ++u) {
        double sum = 0;
        const std::size_t t_lo = u >= m - 1 ? u - (m - 1) : 0;
        const std::size_t t_hi = std::min(u, n - 1);
        for (std::size_t t = t_lo; t <= t_hi; ++t) sum += double(f[t]) * double(h[u - t]);
        out[u] = float(sum);
    }
}

std::vector<float> toeplitz_matrix(const float* h, std::size_t m, std::size_t n) {
    require(m >= 1 && h != nullptr, "h", "expected a non-empty array");
    require_positive(static_cast<long long>(m), "h");
    require_positive(static_cast<long long>(n), "n");
    require((n + m - 1) <= (std::size_t(1) << 28) / n, "n",
            "too large: the matrix would have " + std::to_string(n + m - 1) + " x " +
                std::to_string(n) + " entries");
    // H is (n + m - 1, n): H[i][j] = h[i - j], zero outside the band.
    std::vector<float> H((n + m - 1) * n, 0.f);
    for (std::size_t j = 0; j < n; ++j)
        for (std::size_t t = 0; t < m; ++t) H[(j + t) * n + j] = h[t];
    return H;
}

// The 'auto' cost model. Predicted time of each method for a signal of length n and a kernel
// of length m; k = min(n, m) is the kernel after the methods' swap, N = max(n, m):
//   direct:   a + b * N k                      (N k multiply-adds: the edges skip zero taps)
//                 + c * (N + k)                (copies, allocation, writing the result)
//   toeplitz: a + b * (N + k) (D + 1) B + c * (N + k)   (B, D from conv1d_toeplitz_block)
//   fft:      a + b * work(plan) + c * (N + k)          (conv1d_fft_make_plan's work units)
// The constants are robust least-squares fits (of log time) to the best of >= 5 runs (and of
// two sessions) of the full convolution on the grid n in {100, 300, 1000, 4000, 16384, 65536,
// 262144} x m in {1, 3, 5, 9, 15, 31, 63, 127, 255, 511, 1023, 2047} (84 sizes; bench/calibrate/conv1d/
// driver calling convolve(..., method) in a loop), on this project's machine (AMD EPYC with
// AVX-512, shared with other jobs), 2026-11-28, with the radix-4 scrambled-order FFT and the
// packed sgemm:
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
namespace {

struct linear_cost {
    double fixed, per_unit, per_point;  // seconds, seconds per unit, seconds per sample
    double operator()(double units, double points) const {
        return fixed + per_unit * units + per_point * points;
    }
};

struct conv1d_costs {
    linear_cost direct, toeplitz, fft;
};

#if defined(__wasm__)
constexpr conv1d_costs costs{{1.97e-7, 4.64e-11, 1.21e-10},
                             {6.63e-7, 4.93e-11, 6.13e-10},
                             {3.33e-7, 1.39e-10, 6.68e-11}};
#else
constexpr conv1d_costs costs{{1.04e-7, 1.75e-11, 3.30e-11},
                             {4.07e-7, 2.69e-11, 1.77e-10},
                             {1.65e-7, 1.34e-10, 1.27e-11}};
#endif

}  // namespace

conv1d_method conv1d_auto_method(std::size_t n, std::size_t m) {
    require(n >= 1, "f", "expected a non-empty array");
    require(m >= 1, "h", "expected a non-empty array");
    const std::size_t N = std::max(n, m), k = std::min(n, m);
    const double points = double(N + k);
    const double direct = costs.direct(double(N) * double(k), points);
    const std::size_t B = conv1d_toeplitz_block(k);
    const std::size_t D = k > 1 ? ceil_div(k - 1, B) : 0;
    const double toeplitz = costs.toeplitz(points * double((D + 1) * B), points);
    const double fft = costs.fft(conv1d_fft_make_plan(N, k).work, points);
    if (direct <= toeplitz && direct <= fft) return conv1d_method::direct;
    return fft <= toeplitz ? conv1d_method::fft : conv1d_method::toeplitz;
}

}  // namespace convlab
