// kernel_arch.hpp: the one xsimd architecture the core's SIMD kernels (gemm and its packing,
// conv2d direct and bias gradient, conv1d direct, the FFT, pooling, activations) are written for, chosen once here (not
// public): the register width and count that their tiles are sized for are then those of one
// known architecture per build.
//
// Natively on x86 with AVX2 + FMA: 8-float registers with fused multiply-add, 16 of them like
// V8's WebAssembly code generator has, which the gemm and conv2d tiles are sized for. AVX-512
// is left out even where the host has it: the native build only runs tests, and xsimd 8.1's
// AVX-512 code trips GCC 12's maybe-uninitialized warnings. Elsewhere xsimd's best, which
// under Emscripten -msimd128 -msse2 is sse2 lowered to WebAssembly SIMD128: 4 floats, no FMA
// (xsimd::fma becomes mul + add).
#pragma once

#include <xsimd/xsimd.hpp>

namespace convlab {

#if XSIMD_WITH_FMA3_AVX2
using kernel_arch = xsimd::fma3<xsimd::avx2>;
#else
using kernel_arch = xsimd::default_arch;
#endif

}  // namespace convlab
