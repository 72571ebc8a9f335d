// conv2d_direct.cpp: 2-D convolution by direct loops vectorised with xsimd, no im2col.
//
// Forward: per image the input is first copied into a zero-padded "packed" buffer, each row
// split into stride_w phases (phase p holds columns p, p + sw, p + 2 sw, ...), so that for
// every kernel column s the inputs of consecutive outputs j are consecutive floats
// (column j sw + s is element j + s / sw of phase s % sw). A register tile of KB output
// channels by VB vectors of output columns of one output row then accumulates over every
// (c, r, s) with one contiguous load per vector and one broadcast weight per channel: the
// (c, r, s) loop is a flat loop over a table of offsets, so C = 1 (LeNet's first layer) runs
// as well as C = 256. Columns past the last full tile are computed on a narrower tile whose
// extra lanes read the zero padding and are not stored, or, when they fit in one vector and a
// block is one vector of channels (WebAssembly: KB = 4), on a tile with the channels in the
// lanes and one accumulator per column (engine_tail_channels).
//
// Input gradient: the same engine on the transposed problem. dx is the full correlation of dy,
// dilated by the stride (zeros between rows/columns), with the kernel flipped in r and s and
// its K and C swapped: a stride-1 direct convolution with padding R - 1 - pad (possibly
// negative, which crops).
//
// Weight gradient: dw[k, c, r, s] = sum_{i, j} dy[k, i, j] x_packed[c, i sh + r, j sw + s], a
// dot product over output positions, vectorised over j with KB output channels by SB kernel
// columns of accumulators; lanes past Wo are masked so padding never multiplies garbage.
//
// Dilation and groups are left out, as in the rest of conv2d.
#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cstring>
#include <vector>

#include "conv2d_internal.hpp"
#include "convlab/common.hpp"
#include "convlab/ops/conv2d.hpp"
#include "kernel_arch.hpp"

namespace convlab {

namespace {

using arch = kernel_arch;  // kernel_arch.hpp
using batch = xsimd::batch<float, arch>;
constexpr int VS = int(batch::size);

// Reusable buffers (the module is single-threaded; thread_local keeps native tests safe).
template <int Slot>
float* workspace(std::size_t n) {
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
                const packed_layout& lay, float* out) {
    for (int c = 0; c < lay.C; ++c)
        for (int h = 0; h < lay.Hv; ++h) {
            const int a = h - pad_t;  // row of the dilated source
            const bool row_in = a >= 0 && a % dil_h == 0 && a / dil_h < Hs;
            const float* row = src + (std::size_t(c) * Hs + (row_in ? a / dil_h : 0)) * Ws;
            for (int p = 0; p < lay.sw; ++p) {
                float* dst = out + lay.at(c, h, p);
                if (!row_in) {
                    std::fill(dst, dst + lay.L, 0.f);
                    continue;
                }
                if (dil_w == 1 && lay.sw == 1) {
                    // the common case: zeros, a copy of the row, zeros
                    const int lo = std::clamp(pad_l, 0, lay.L);
                    const int hi = std::clamp(std::min(pad_l + Ws, lay.Wv), lo, lay.L);
                    std::fill(dst, dst + lo, 0.f);
                    std::memcpy(dst + lo, row + (lo - pad_l), sizeof(float) * (hi - lo));
                    std::fill(dst + hi, dst + lay.L, 0.f);
                    continue;
                }
                for (int m = 0; m < lay.L; ++m) {
                    const int v = m * lay.sw + p;
                    const int b = v - pad_l;
                    dst[m] = (v < lay.Wv && b >= 0 && b % dil_w == 0 && b / dil_w < Ws)
                                 ? row[b / dil_w]
                                 : 0.f;
                }
            }
        }
}

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
};

int round_up(int n, int m) { return (n + m - 1) / m * m; }

// The packed input of the forward pass and of the weight gradient: only the rows and columns
// some window reads ((Ho - 1) sh + R by (Wo - 1) sw + S, not the whole padded input, so a huge
// padding that no window reaches costs nothing), in one phase when there is one output column
// (the phases only serve consecutive outputs). Refused before allocation if too large.
packed_layout read_region(const conv2d_geometry& g) {
    const int sw = g.Wo == 1 ? 1 : g.stride_w;
    packed_layout lay{g.C, (g.Ho - 1) * g.stride_h + g.R, (g.Wo - 1) * g.stride_w + g.S, sw, 0};
    lay.L = round_up(g.Wo, VS) + (g.S - 1) / sw;
    require_workspace(require_elements({g.C, lay.Hv, sw, lay.L}, "xShape"), "xShape", "direct");
    return lay;
}

// Accumulates one tile: KB channels from k0, VB vectors of columns from j0; stores `valid`
// columns (the rest of a narrow last tile lands in the zero padding and is dropped).
template <int KB, int VB>
inline void engine_tile(const engine& e, int k0, const float* wk, const float* base, int j0,
                        int i, int valid) {
    batch acc[KB][VB];
    for (int kb = 0; kb < KB; ++kb) {
        const batch b0((e.bias && k0 + kb < e.Cout) ? e.bias[k0 + kb] : 0.f);
        for (int v = 0; v < VB; ++v) acc[kb][v] = b0;
    }
    const float* x = base + j0;
    for (int t = 0; t < e.taps; ++t) {
        const float* p = x + e.off[t];
        batch xv[VB];
        for (int v = 0; v < VB; ++v) xv[v] = batch::load_unaligned(p + v * VS);
        const float* wt = wk + t * KB;
        for (int kb = 0; kb < KB; ++kb) {
            const batch wv(wt[kb]);
            for (int v = 0; v < VB; ++v) acc[kb][v] = xsimd::fma(wv, xv[v], acc[kb][v]);
        }
    }
    for (int kb = 0; kb < KB && k0 + kb < e.Cout; ++kb) {
        float* dst = e.out + (std::size_t(k0 + kb) * e.Ho + i) * e.Wo + j0;
        if (valid == VB * VS) {
            for (int v = 0; v < VB; ++v) acc[kb][v].store_unaligned(dst + v * VS);
        } else {
            alignas(64) float tmp[VB * VS];
            for (int v = 0; v < VB; ++v) acc[kb][v].store_aligned(tmp + v * VS);
            for (int j = 0; j < VB * VS && j < valid; ++j) dst[j] = tmp[j];
        }
    }
}

// The same tail turned around, for KB == VS: lanes are the KB channels of a block and each of
// the J <= VS tail columns gets one accumulator, so per tap it costs one weight load, J input
// broadcasts and J multiply-adds, where the column-vector tile above costs KB weight
// broadcasts and KB multiply-adds for one vector of mostly dropped lanes (Wo = 10: a tail of
// 2 columns; measured in WebAssembly it took ~40% of that forward pass as a column tile).
template <int KB, int J, int NB>
inline void engine_tail_channels(const engine& e, int k0, const float* base, int j0, int i) {
    static_assert(KB == VS, "one weight vector per tap");
    // NB blocks share each input broadcast: NB J accumulators + NB weights + 1 input <= 15
    static_assert(NB * J + NB + 1 <= 15, "V8's 15 usable xmm registers");
    const std::size_t block = std::size_t(e.taps) * KB;
    const float* wk = e.wpack + std::size_t(k0 / KB) * block;
    alignas(64) float lanes[VS];
    batch acc[NB][J];
    for (int b = 0; b < NB; ++b) {
        for (int kb = 0; kb < KB; ++kb) {
            const int k = k0 + b * KB + kb;
            lanes[kb] = (e.bias && k < e.Cout) ? e.bias[k] : 0.f;
        }
        for (int j = 0; j < J; ++j) acc[b][j] = batch::load_aligned(lanes);
    }
    const float* x = base + j0;
    for (int t = 0; t < e.taps; ++t) {
        batch wv[NB];
        for (int b = 0; b < NB; ++b)
            wv[b] = batch::load_unaligned(wk + b * block + t * KB);  // wpack zero past Cout
        const float* p = x + e.off[t];
        for (int j = 0; j < J; ++j) {
            const batch xv(p[j]);
            for (int b = 0; b < NB; ++b) acc[b][j] = xsimd::fma(wv[b], xv, acc[b][j]);
        }
    }
    for (int b = 0; b < NB; ++b)
        for (int j = 0; j < J; ++j) {
            acc[b][j].store_aligned(lanes);
            for (int kb = 0; kb < KB && k0 + b * KB + kb < e.Cout; ++kb)
                e.out[(std::size_t(k0 + b * KB + kb) * e.Ho + i) * e.Wo + j0 + j] = lanes[kb];
        }
}

// All rows' tails of J columns from j0, NB blocks at a time, then the blocks left one by one.
template <int KB, int J>
void engine_tails(const engine& e, int j0) {
    constexpr int NB = J <= 2 ? 4 : J == 3 ? 3 : 2;
    int k0 = 0;
    for (; k0 + NB * KB <= round_up(e.Cout, KB); k0 += NB * KB)
        for (int i = 0; i < e.Ho; ++i)
            engine_tail_channels<KB, J, NB>(e, k0, e.packed + i * e.row_step, j0, i);
    for (; k0 < e.Cout; k0 += KB)
        for (int i = 0; i < e.Ho; ++i)
            engine_tail_channels<KB, J, 1>(e, k0, e.packed + i * e.row_step, j0, i);
}

template <int KB, int VB>
void engine_run(const engine& e) {
    const int tail_j0 = e.Wo / (VB * VS) * (VB * VS), tail = e.Wo - tail_j0;
    // a tail of one vector goes to engine_tails after the loop when the blocks fill a vector
    const bool channel_tail = KB == VS && VS == 4 && tail > 0 && tail <= VS;
    for (int k0 = 0; k0 < e.Cout; k0 += KB) {
        const float* wk = e.wpack + std::size_t(k0 / KB) * e.taps * KB;
        for (int i = 0; i < e.Ho; ++i) {
            const float* base = e.packed + i * e.row_step;
            int j0 = 0;
            for (; j0 + VB * VS <= e.Wo; j0 += VB * VS)
                engine_tile<KB, VB>(e, k0, wk, base, j0, i, VB * VS);
            const int rest = e.Wo - j0;  // the tail: a narrower tile, partly stored
            if (rest <= 0 || channel_tail) continue;
            switch ((rest + VS - 1) / VS) {
                case 1: engine_tile<KB, 1>(e, k0, wk, base, j0, i, rest); break;
                case 2: engine_tile<KB, (VB >= 2 ? 2 : 1)>(e, k0, wk, base, j0, i, rest); break;
                case 3: engine_tile<KB, (VB >= 3 ? 3 : 1)>(e, k0, wk, base, j0, i, rest); break;
                default: engine_tile<KB, VB>(e, k0, wk, base, j0, i, rest); break;
            }
        }
    }
    if constexpr (KB == VS && VS == 4) {
        if (!channel_tail) return;
        switch (tail) {
            case 1: engine_tails<KB, 1>(e, tail_j0); break;
            case 2: engine_tails<KB, 2>(e, tail_j0); break;
            case 3: engine_tails<KB, 3>(e, tail_j0); break;
            default: engine_tails<KB, 4>(e, tail_j0); break;
        }
    }
}

// The tile shape for a number of output channels. KB x VB accumulators + VB inputs + 1
// broadcast must fit V8's 15 usable xmm registers (it keeps xmm15 as scratch). Measured in
// WebAssembly: 6 x 2 tiles spilled (LeNet C3's input gradient, 6 output channels: 11.9 GFLOP/s
// with KB = 6, 17.8 with 4 + 2 padded, 22 with 3 + 3 at VB = 2), and VB = 3 ran slower than
// VB = 2 for every KB tried. So 4 x 2, or 3 x 2 when that pads less; few channels get wider
// column tiles (1 x 4, 2 x 4).
int tile_channels(int Cout) { return Cout < 4 ? Cout : (Cout % 4 != 0 && Cout % 3 == 0) ? 3 : 4; }

void engine_dispatch(const engine& e, int KB) {
    switch (KB) {
        case 1: engine_run<1, 4>(e); break;
        case 2: engine_run<2, 4>(e); break;
        case 3: engine_run<3, 2>(e); break;
        default: engine_run<4, 2>(e); break;
    }
}

// Offsets of every (c, r, s) from an output row's base in a packed layout, (Cin R S), in a
// reused buffer valid until the next call.
const std::ptrdiff_t* tap_offsets(const packed_layout& lay, int Cin, int R, int S) {
    thread_local std::vector<std::ptrdiff_t> buffer;
    buffer.resize(std::size_t(Cin) * R * S);
    std::ptrdiff_t* off = buffer.data();
    for (int c = 0; c < Cin; ++c)
        for (int r = 0; r < R; ++r)
            for (int s = 0; s < S; ++s)
                *off++ = std::ptrdiff_t(lay.at(c, r, s % lay.sw)) + s / lay.sw;
    return buffer.data();
}

}  // namespace

// x is (N, C, H, W), w is (K, C, R, S), bias is (K) or nullptr, y is (N, K, Ho, Wo).
void conv2d_direct_forward(const conv2d_geometry& g, const float* x, const float* w,
                           const float* bias, float* y) {
    const int KB = tile_channels(g.K);
    const packed_layout lay = read_region(g);
    const int taps = g.C * g.R * g.S;
    require_workspace(require_elements({round_up(g.K, KB), taps}, "wShape"), "wShape", "direct");
    float* packed = workspace<0>(lay.size());
    float* wpack = workspace<1>(std::size_t(round_up(g.K, KB)) * taps);
    const std::ptrdiff_t* off = tap_offsets(lay, g.C, g.R, g.S);
    // wpack[kblock][t][kb] = w[k0 + kb][t], zero past K
    for (int k0 = 0; k0 < g.K; k0 += KB)
        for (int t = 0; t < taps; ++t)
            for (int kb = 0; kb < KB; ++kb)
                wpack[(std::size_t(k0 / KB) * taps + t) * KB + kb] =
                    k0 + kb < g.K ? w[std::size_t(k0 + kb) * taps + t] : 0.f;
    for (int n = 0; n < g.N; ++n) {
        pack_input(x + std::size_t(n) * g.C * g.H * g.W, g.H, g.W, 1, 1, g.pad_top, g.pad_left,
                   lay, packed);
        const engine e{packed, off, taps, wpack, bias, g.K, g.Ho, g.Wo,
                       std::size_t(g.stride_h) * lay.sw * lay.L,
                       y + std::size_t(n) * g.K * g.Ho * g.Wo};
        engine_dispatch(e, KB);
    }
}

namespace {

// dw[k, c, r, s0 .. s0 + SB) += sum over one image of dy[k] x_packed[c, i sh + r, j sw + s],
// for k in [k0, k0 + KB). dy_pad is (ceil(K / KB) KB, Ho, Wr) with zero rows and columns
// past K and Wo; mask keeps the lanes j < Wo of the last vector.
template <int KB, int SB>
void weight_grad_tile(const conv2d_geometry& g, const packed_layout& lay, const float* packed,
                      const float* dy_pad, int Wr, xsimd::batch_bool<float, arch> last_mask,
                      int k0, int c, int r, int s0, float* dw) {
    batch acc[KB][SB];
    for (int kb = 0; kb < KB; ++kb)
        for (int s = 0; s < SB; ++s) acc[kb][s] = batch(0.f);
    const int full = g.Wo / VS * VS;  // vectors before `full` need no mask
    // (the divisions stay out of the loops: wasm's integer division is slow)
    const float* xs[SB];
    for (int s = 0; s < SB; ++s)
        xs[s] = packed + lay.at(c, r, (s0 + s) % lay.sw) + (s0 + s) / lay.sw;
    const std::size_t x_step = std::size_t(g.stride_h) * lay.sw * lay.L;
    const std::size_t k_step = std::size_t(g.Ho) * Wr;
    const float* d = dy_pad + std::size_t(k0) * k_step;
    for (int i = 0; i < g.Ho; ++i, d += Wr) {
        for (int j = 0; j < Wr; j += VS) {
            batch xv[SB];
            for (int s = 0; s < SB; ++s) xv[s] = batch::load_unaligned(xs[s] + j);
            if (j >= full)
                for (int s = 0; s < SB; ++s) xv[s] = xsimd::select(last_mask, xv[s], batch(0.f));
            for (int kb = 0; kb < KB; ++kb) {
                const batch dv = batch::load_unaligned(d + kb * k_step + j);
                for (int s = 0; s < SB; ++s) acc[kb][s] = xsimd::fma(dv, xv[s], acc[kb][s]);
            }
        }
        for (int s = 0; s < SB; ++s) xs[s] += x_step;
    }
    for (int kb = 0; kb < KB && k0 + kb < g.K; ++kb)
        for (int s = 0; s < SB; ++s)
            dw[((std::size_t(k0 + kb) * g.C + c) * g.R + r) * g.S + s0 + s] +=
                xsimd::hadd(acc[kb][s]);
}

template <int KB, int SB>
void weight_grad_image(const conv2d_geometry& g, const packed_layout& lay, const float* packed,
                       const float* dy_pad, int Wr, xsimd::batch_bool<float, arch> last_mask,
                       float* dw) {
    for (int k0 = 0; k0 < g.K; k0 += KB)
        for (int c = 0; c < g.C; ++c)
            for (int r = 0; r < g.R; ++r) {
                int s0 = 0;
                for (; s0 + SB <= g.S; s0 += SB)
                    weight_grad_tile<KB, SB>(g, lay, packed, dy_pad, Wr, last_mask, k0, c, r, s0, dw);
                switch (g.S - s0) {
                    case 3: weight_grad_tile<KB, 3>(g, lay, packed, dy_pad, Wr, last_mask, k0, c, r, s0, dw); break;
                    case 2: weight_grad_tile<KB, 2>(g, lay, packed, dy_pad, Wr, last_mask, k0, c, r, s0, dw); break;
                    case 1: weight_grad_tile<KB, 1>(g, lay, packed, dy_pad, Wr, last_mask, k0, c, r, s0, dw); break;
                    default: break;
                }
            }
}

}  // namespace

// dy is (N, K, Ho, Wo); dx (N, C, H, W), dw (K, C, R, S), db (K), each optional, overwritten.
void conv2d_direct_backward(const conv2d_geometry& g, const float* x, const float* w,
                            const float* dy, float* dx, float* dw, float* db) {
    const std::size_t x_image = std::size_t(g.C) * g.H * g.W;
    const std::size_t y_image = std::size_t(g.K) * g.Ho * g.Wo;
    if (db) conv2d_bias_backward(g, dy, db);

    if (dx) {
        // dx = stride-1 correlation of dy (dilated by the stride, padded by R - 1 - pad_top on
        // top and R - 1 - pad_bottom + the rows the floor dropped below) with w flipped, K and C
        // swapped.
        const int rem_h = (g.H + g.pad_top + g.pad_bottom - g.R) % g.stride_h;
        const int rem_w = (g.W + g.pad_left + g.pad_right - g.S) % g.stride_w;
        const int pt = g.R - 1 - g.pad_top, pl = g.S - 1 - g.pad_left;
        const int KB = tile_channels(g.C);
        packed_layout lay{g.K, (g.Ho - 1) * g.stride_h + 1 + pt + (g.R - 1 - g.pad_bottom + rem_h),
                          (g.Wo - 1) * g.stride_w + 1 + pl + (g.S - 1 - g.pad_right + rem_w), 1, 0};
        lay.L = round_up(g.W, VS) + g.S - 1;
        const int taps = g.K * g.R * g.S;
        require_workspace(require_elements({g.K, lay.Hv, lay.L}, "xShape"), "xShape", "direct");
        require_workspace(require_elements({round_up(g.C, KB), taps}, "wShape"), "wShape",
                          "direct");
        float* packed = workspace<0>(lay.size());
        float* wpack = workspace<1>(std::size_t(round_up(g.C, KB)) * taps);
        const std::ptrdiff_t* off = tap_offsets(lay, g.K, g.R, g.S);
        // wpack[cblock][(k, r, s)][cb] = w[k][c0 + cb][R - 1 - r][S - 1 - s]
        for (int c0 = 0; c0 < g.C; c0 += KB)
            for (int k = 0; k < g.K; ++k)
                for (int r = 0; r < g.R; ++r)
                    for (int s = 0; s < g.S; ++s)
                        for (int cb = 0; cb < KB; ++cb) {
                            const int t = (k * g.R + r) * g.S + s;
                            wpack[(std::size_t(c0 / KB) * taps + t) * KB + cb] =
                                c0 + cb < g.C ? w[((std::size_t(k) * g.C + c0 + cb) * g.R +
                                                   (g.R - 1 - r)) * g.S + (g.S - 1 - s)]
                                              : 0.f;
                        }
        for (int n = 0; n < g.N; ++n) {
            pack_input(dy + n * y_image, g.Ho, g.Wo, g.stride_h, g.stride_w, pt, pl, lay, packed);
            const engine e{packed, off, taps, wpack, nullptr, g.C, g.H, g.W,
                           std::size_t(lay.L), dx + n * x_image};
            engine_dispatch(e, KB);
        }
    }

    if (dw) {
        std::fill(dw, dw + std::size_t(g.K) * g.C * g.R * g.S, 0.f);
        // 3 channels x 3 kernel columns of accumulators (+ 3 inputs + 1 dy = 13 registers);
        // 4 x 3 spilled (C-shaped layer: 27.9 GFLOP/s against 38.7).
        const int KB = std::min(g.K, 3);
        const int Wr = round_up(g.Wo, VS);
        const packed_layout lay = read_region(g);
        require_workspace(require_elements({round_up(g.K, KB), g.Ho, Wr}, "xShape"), "xShape",
                          "direct");
        float* packed = workspace<2>(lay.size());
        const int K_pad = round_up(g.K, KB);
        float* dy_pad = workspace<3>(std::size_t(K_pad) * g.Ho * Wr);
        alignas(64) float lane[64];
        for (int l = 0; l < VS; ++l) lane[l] = float(l);
        const auto last_mask =
            batch::load_aligned(lane) < batch(float(g.Wo - (Wr - VS)));
        for (int n = 0; n < g.N; ++n) {
            pack_input(x + n * x_image, g.H, g.W, 1, 1, g.pad_top, g.pad_left, lay, packed);
            const float* dyn = dy + n * y_image;
            for (int k = 0; k < K_pad; ++k)
                for (int i = 0; i < g.Ho; ++i) {
                    float* dst = dy_pad + (std::size_t(k) * g.Ho + i) * Wr;
                    if (k < g.K) {
                        std::memcpy(dst, dyn + (std::size_t(k) * g.Ho + i) * g.Wo,
                                    sizeof(float) * g.Wo);
                        std::fill(dst + g.Wo, dst + Wr, 0.f);
                    } else {
                        std::fill(dst, dst + Wr, 0.f);
                    }
                }
            switch (KB) {
                case 1: weight_grad_image<1, 3>(g, lay, packed, dy_pad, Wr, last_mask, dw); break;
                case 2: weight_grad_image<2, 3>(g, lay, packed, dy_pad, Wr, last_mask, dw); break;
                default: weight_grad_image<3, 3>(g, lay, packed, dy_pad, Wr, last_mask, dw); break;
            }
        }
    }
}

}  // namespace convlab
