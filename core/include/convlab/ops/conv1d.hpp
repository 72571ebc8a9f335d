// convlab/ops/conv1d.hpp: 1-D discrete convolution (eq. 2.6) and cross-correlation
// (eq. 2.10) of finite signals, with numpy.convolve / numpy.correlate's modes, by three
// methods: a direct sliding sum, the Toeplitz matrix product of eq. (2.12), and the FFT
// product of eq. (2.16) (overlap-add for long signals). 'auto' picks the fastest by a cost
// model calibrated on measurements.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace convlab {

enum class conv_mode { full, same, valid };

enum class conv1d_method {
#define CONVLAB_CONV1D_VARIANT(id, name) id,
#include "convlab/ops/conv1d_variants.inc"
#undef CONVLAB_CONV1D_VARIANT
    automatic
};

// Parses "full" | "same" | "valid"; throws invalid_argument naming `argument` otherwise.
conv_mode conv_mode_from_name(std::string_view name, const char* argument = "mode");
// Parses a registry name or "auto"; throws invalid_argument naming `argument` otherwise.
conv1d_method conv1d_method_from_name(std::string_view name, const char* argument = "method");
const char* conv1d_method_name(conv1d_method method);

// Length of the result for signal length n and kernel length m (numpy's rules; 'same' is
// max(n, m), 'valid' is max(n, m) - min(n, m) + 1).
std::size_t conv1d_output_length(std::size_t n, std::size_t m, conv_mode mode);

// f is (n), h is (m), n, m >= 1. Returns (conv1d_output_length(n, m, mode)).
// convolve: (f * h)[u] = sum_t f[t] h[u - t]                  (numpy.convolve(f, h, mode))
// correlate: c[k] = sum_n f[n + k] h[n], numpy.correlate(f, h, mode) alignment, including
//            numpy's reversal when f is shorter than h.
std::vector<float> convolve(const float* f, std::size_t n, const float* h, std::size_t m,
                            conv_mode mode = conv_mode::full,
                            conv1d_method method = conv1d_method::automatic);
std::vector<float> correlate(const float* f, std::size_t n, const float* h, std::size_t m,
                             conv_mode mode = conv_mode::full,
                             conv1d_method method = conv1d_method::automatic);

// Plain-loop references (double accumulation), 'full' mode: out is (n + m - 1).
void convolve_full_ref(const float* f, std::size_t n, const float* h, std::size_t m, float* out);

// The matrix H_n^h of eq. (2.12), (n + m - 1) x n, row-major: H[i][j] = h[i - j] (0 outside).
std::vector<float> toeplitz_matrix(const float* h, std::size_t m, std::size_t n);

// What 'auto' would choose for these sizes (never returns automatic).
conv1d_method conv1d_auto_method(std::size_t n, std::size_t m);

}  // namespace convlab
