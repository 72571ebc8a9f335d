// conv2d_direct_internal.hpp: what the direct convolution's two files share (not public): the
// packed input layout, the tile engine's arguments and entry point, and the reused buffers.
// conv2d_direct_engine.cpp holds the packing and the register-tile engine; conv2d_direct.cpp
// the forward and backward passes built on them.
#pragma once

#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <vector>

#include "convlab/ops/conv2d.hpp"
#include "kernel_arch.hpp"

namespace convlab::direct_conv {

using arch = kernel_arch;  // kernel_arch.hpp
using batch = xsimd::batch<float, arch>;
constexpr int VS = int(batch::size);

// Reusable buffers, one set per thread (the pool's chunks each use their own thread's).
template <int Slot>
inline float* workspace(std::size_t n) {
    thread_local std::vector<float> buffer;
    if (buffer.size() < n) buffer.resize(n);
    return buffer.data();
}

// A virtual input: source (Cs, Hs, Ws) with dil_h - 1 / dil_w - 1 zeros inserted between its
// rows / columns, then pad_t / pad_l rows / columns of zeros before (negative: cropped), seen
// as Hv x Wv and read by a kernel at stride sw along columns. Packed as
//   packed[((c Hv + h) sw + p) L + m] = virtual[c, h, m sw + p]  (0 past Wv),
// L long enough that the widest tile at the last output column stays inside.
struct packed_layout {
    int C, Hv, Wv, sw, L;
    std::size_t size() const { return std::size_t(C) * Hv * sw * L; }
    std::size_t at(int c, int h, int p) const { return ((std::size_t(c) * Hv + h) * sw + p) * L; }
};

void pack_input(const float* src, int Hs, int Ws, int dil_h, int dil_w, int pad_t, int pad_l,
                const packed_layout& lay, float* out);

// One direct correlation of a packed input (Cin channels) with weights packed for tiles of
// KB output channels, writing out (Cout, Ho, Wo) for one image.
struct engine {
    const float* packed;          // packed input of one image (packed_layout)
    const std::ptrdiff_t* off;    // (Cin R S): offset of (c, r, s) from an output row's base
    int taps;                     // Cin R S
    const float* wpack;           // (ceil(Cout / KB), taps, KB)
    const float* bias;            // (Cout) or nullptr
    int Cout, Ho, Wo;
    std::size_t row_step;         // packed offset between consecutive output rows
    float* out;                   // (Cout, Ho, Wo)
    // Optional (R = 0: every tap for every row): taps are (c, r, s) with R S per channel,
    // output row i reads packed rows i row_stride + r, and only rows in [band_lo, band_hi)
    // can be nonzero, so the taps of the other rows (zero padding) are skipped: their
    // products are exact zeros. The input gradient's dy is padded by R - 1 - pad on both
    // sides (LeNet-5's C3: 8 of 18 rows are zeros).
    int R = 0, S = 0, row_stride = 1, band_lo = 0, band_hi = 0;
};

inline int round_up(int n, int m) { return (n + m - 1) / m * m; }

// The packed input of the forward pass and of the weight gradient: only the rows and columns
// some window reads ((Ho - 1) sh + R by (Wo - 1) sw + S, not the whole padded input, so a huge
// padding that no window reaches costs nothing), in one phase when there is one output column
// (the phases only serve consecutive outputs). Refused before allocation if too large.
packed_layout read_region(const conv2d_geometry& g);

// The tile shape for a number of output channels. KB x VB accumulators + VB inputs + 1
// broadcast must fit V8's 15 usable xmm registers (it keeps xmm15 as scratch). Measured in
// WebAssembly: 6 x 2 tiles spilled (LeNet C3's input gradient, 6 output channels: 11.9 GFLOP/s
// with KB = 6, 17.8 with 4 + 2 padded, 22 with 3 + 3 at VB = 2), and VB = 3 ran slower than
// VB = 2 for every KB tried. So 4 x 2, or 3 x 2 when that pads less; few channels get wider
// column tiles (1 x 4, 2 x 4).
int tile_channels(int Cout);

// Runs e on tiles of KB output channels (KB = tile_channels(Cout); wpack packed for it).
void engine_dispatch(const engine& e, int KB);

// Offsets of every (c, r, s) from an output row's base in a packed layout, (Cin R S), in a
// reused buffer valid until the next call.
const std::ptrdiff_t* tap_offsets(const packed_layout& lay, int Cin, int R, int S);

}  // namespace convlab::direct_conv
