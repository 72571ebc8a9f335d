// fft_internal.hpp: power-of-two transforms that skip the bit-reversal permutation, for the
// core's own products of spectra (conv1d's FFT method). Not public: the order of their spectra
// is scrambled (bit-reversed), which only a pointwise product may ignore.
#pragma once

#include <cstddef>

namespace convlab {

// re, im are (p), p a power of two. Natural order in, the forward DFT in bit-reversed order out
// (decimation in frequency).
void fft_pow2_forward_scrambled(float* re, float* im, std::size_t p);
// re, im are (p). A spectrum in bit-reversed order in, p times the inverse DFT in natural order
// out (decimation in time; unscaled: multiply by 1 / p).
void fft_pow2_inverse_scrambled(float* re, float* im, std::size_t p);

}  // namespace convlab
