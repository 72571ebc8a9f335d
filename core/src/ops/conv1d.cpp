// conv1d.cpp: what every 1-D convolution method shares: argument checks, the registry's
// names, numpy's output lengths and window alignment for convolve and correlate, the plain-loop
// reference and the Toeplitz matrix of eq. (2.12) ('auto' is priced by conv1d_cost.cpp). The
// methods live in conv1d_direct.cpp, conv1d_toeplitz.cpp and conv1d_fft.cpp; each computes a
// window of the full convolution, so modes and correlation are handled here once. No gradients
// (the 1-D ops are for the lessons on section 2; networks use conv2d).
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

// conv1d_auto_method, the 'auto' cost model, is in conv1d_cost.cpp.

}  // namespace convlab
