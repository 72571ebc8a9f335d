// conv2d_direct_engine.cpp: the direct convolution's input packing and register-tile engine,
// shared by its forward pass and input gradient (conv2d_direct.cpp).
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
#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cstring>
#include <vector>

#include "conv2d_direct_internal.hpp"
#include "conv2d_internal.hpp"
#include "convlab/common.hpp"

namespace convlab::direct_conv {

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

namespace {

// The taps output row i reads: in each of `channels` blocks of `per_channel` taps, those
// from lo to hi (see engine::R).
struct tap_range {
    int lo, hi, per_channel, channels;
};

inline tap_range taps_for_row(const engine& e, int i) {
    if (e.R == 0) return {0, e.taps, e.taps, 1};
    const int h0 = i * e.row_stride;
    const int r_lo = std::clamp(e.band_lo - h0, 0, e.R);
    const int r_hi = std::clamp(e.band_hi - h0, r_lo, e.R);
    const int per_channel = e.R * e.S;
    return {r_lo * e.S, r_hi * e.S, per_channel, e.taps / per_channel};
}

// Calls tap(t) for every tap output row i reads, in order. A row that reads every tap runs
// the plain loop: the nested one, with its bounds, made LeNet-5's C1 forward 3x slower in
// WebAssembly.
template <class Tap>
inline void for_taps(const engine& e, int i, Tap&& tap) {
    const tap_range tr = taps_for_row(e, i);
    if (tr.lo == 0 && tr.hi == tr.per_channel) {
        for (int t = 0; t < e.taps; ++t) tap(t);
        return;
    }
    for (int c = 0, first = 0; c < tr.channels; ++c, first += tr.per_channel)
        for (int t = first + tr.lo; t < first + tr.hi; ++t) tap(t);
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
    const auto tap = [&](int t) {
        const float* p = x + e.off[t];
        batch xv[VB];
        for (int v = 0; v < VB; ++v) xv[v] = batch::load_unaligned(p + v * VS);
        const float* wt = wk + t * KB;
        for (int kb = 0; kb < KB; ++kb) {
            const batch wv(wt[kb]);
            for (int v = 0; v < VB; ++v) acc[kb][v] = xsimd::fma(wv, xv[v], acc[kb][v]);
        }
    };
    for_taps(e, i, tap);
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
    const auto tap = [&](int t) {
        batch wv[NB];
        for (int b = 0; b < NB; ++b)
            wv[b] = batch::load_unaligned(wk + b * block + t * KB);  // wpack zero past Cout
        const float* p = x + e.off[t];
        for (int j = 0; j < J; ++j) {
            const batch xv(p[j]);
            for (int b = 0; b < NB; ++b) acc[b][j] = xsimd::fma(wv[b], xv, acc[b][j]);
        }
    };
    for_taps(e, i, tap);
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

}  // namespace

// tile_channels: see conv2d_direct_internal.hpp for why these shapes.
int tile_channels(int Cout) { return Cout < 4 ? Cout : (Cout % 4 != 0 && Cout % 3 == 0) ? 3 : 4; }

void engine_dispatch(const engine& e, int KB) {
    switch (KB) {
        case 1: engine_run<1, 4>(e); break;
        case 2: engine_run<2, 4>(e); break;
        case 3: engine_run<3, 2>(e); break;
        default: engine_run<4, 2>(e); break;
    }
}

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

}  // namespace convlab::direct_conv
