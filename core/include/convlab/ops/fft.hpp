// convlab/ops/fft.hpp: discrete Fourier transform of any length n >= 1, the tool behind
// eq. (2.16). Radix-2 for powers of two, Bluestein's chirp-z (through a power-of-two FFT)
// otherwise, so every length is exact to rounding. Split real/imaginary arrays.
#pragma once

#include <cstddef>

namespace convlab {

// re, im are (n). In place. Forward: X[k] = sum_t x[t] exp(-2 pi i t k / n).
void fft_forward(float* re, float* im, std::size_t n);
// re, im are (n). In place. Inverse, scaled by 1/n, so fft_inverse(fft_forward(x)) == x.
void fft_inverse(float* re, float* im, std::size_t n);
// The O(n^2) definition in double precision, for tests and lessons. out_* are (n).
void fft_ref(const float* re, const float* im, float* out_re, float* out_im, std::size_t n,
             bool inverse);

}  // namespace convlab
