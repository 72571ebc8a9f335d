// gemm_tile.hpp: the register tile of gemm.cpp's micro-kernel for a batch width, in one place
// so that the conv2d cost model (conv2d_cost.cpp) counts the tiles the kernel computes.
// Not public.
#pragma once

#include <cstddef>

namespace convlab {

// MR rows of C by NB registers of W floats (NR = NB W columns).
// - SIMD128 (W = 4): 4 x 8. V8 keeps xmm15 as its scratch register, leaving 15; without FMA
//   each step needs a product temporary besides the broadcast A and the NB B registers, so
//   6 x 8 (12 + 2 + 1 + 1 = 16) spills one accumulator to the stack every step, read back
//   through store forwarding (case C: 45 GFLOP/s); 5 x 8 fits only without unrolling, and
//   unrolled the interleaved B loads spill (43); 3 x 12 leaves FP units idle (36). 4 x 8
//   unrolled twice: 51, no spill in V8's code (checked with node --print-wasm-code), and 4
//   divides the channel counts networks use.
// - AVX2 + FMA natively (W = 8): 6 x 16, 12 accumulators + 2 B + 1 A of 16 ymm registers.
template <std::size_t Width>
struct gemm_tile {
#ifdef CONVLAB_GEMM_MR  // for tile experiments from bench/wasm
    static constexpr std::size_t MR = CONVLAB_GEMM_MR;
    static constexpr std::size_t NB = CONVLAB_GEMM_NB;
#else
    static constexpr std::size_t MR = Width == 4 ? 4 : 6;
    static constexpr std::size_t NB = 2;
#endif
    static constexpr std::size_t W = Width;
    static constexpr std::size_t NR = NB * W;
};

}  // namespace convlab
