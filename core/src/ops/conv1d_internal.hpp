// conv1d_internal.hpp: what the 1-D convolution methods share inside the core (not public).
// Every method computes one window of the full convolution, so conv1d.cpp maps numpy's modes
// (and correlate's kernel reversal) to a window once, for all methods.
#pragma once

#include <cstddef>

namespace convlab {

// out[q] = (a * k)[start + q] for q < len, the full convolution sum_t a[t] k[u - t] of a (na)
// and k (nk), which has length na + nk - 1; start + len <= na + nk - 1, len >= 1.
// Every method may swap a and k (convolution commutes) so the shorter one is the kernel.
void conv1d_direct_window(const float* a, std::size_t na, const float* k, std::size_t nk,
                          std::size_t start, std::size_t len, float* out);
void conv1d_toeplitz_window(const float* a, std::size_t na, const float* k, std::size_t nk,
                            std::size_t start, std::size_t len, float* out);
void conv1d_fft_window(const float* a, std::size_t na, const float* k, std::size_t nk,
                       std::size_t start, std::size_t len, float* out);

// The FFT method's plan for a signal of length n >= m and kernel of length m: the transform size
// and its work in units of one complex butterfly pass over one point (p log2 p per transform),
// the quantity the 'auto' cost model scales.
struct conv1d_fft_plan {
    std::size_t p;        // transform size, a power of two
    std::size_t blocks;   // overlap-add blocks (1: one transform of the whole result)
    double work;
};
conv1d_fft_plan conv1d_fft_make_plan(std::size_t n, std::size_t m);

// The Toeplitz method's block size B for a kernel of length m: the output is computed B
// samples at a time, each a row of a (rows x (D + 1) B) window matrix times a B x (D + 1) B
// block of the Toeplitz matrix, D = ceil((m - 1) / B).
std::size_t conv1d_toeplitz_block(std::size_t m);

}  // namespace convlab
