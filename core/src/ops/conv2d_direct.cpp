// conv2d_direct.cpp: 2-D convolution by direct loops vectorised with xsimd, no im2col: the
// forward and backward passes. The input packing and the register-tile engine they run on are
// in conv2d_direct_engine.cpp (shared through conv2d_direct_internal.hpp).
//
// Forward: per image the input is packed (zero-padded, each row split into stride_w phases)
// and the engine accumulates tiles of output channels by output columns.
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
// Threads take whole images; the weight gradient sums fixed chunks of the batch in their own
// slots, added in a fixed tree (convlab/parallel.hpp), so no result depends on the thread
// count. Dilation and groups are left out, as in the rest of conv2d.
#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cstring>
#include <vector>

#include "conv2d_direct_internal.hpp"
#include "conv2d_internal.hpp"
#include "convlab/common.hpp"
#include "convlab/ops/conv2d.hpp"
#include "convlab/parallel.hpp"

namespace convlab {

using namespace direct_conv;

// x is (N, C, H, W), w is (K, C, R, S), bias is (K) or nullptr, y is (N, K, Ho, Wo).
void conv2d_direct_forward(const conv2d_geometry& g, const float* x, const float* w,
                           const float* bias, float* y) {
    const int KB = tile_channels(g.K);
    const packed_layout lay = read_region(g);
    const int taps = g.C * g.R * g.S;
    require_workspace(require_elements({round_up(g.K, KB), taps}, "wShape"), "wShape", "direct");
    float* wpack = workspace<1>(std::size_t(round_up(g.K, KB)) * taps);
    const std::ptrdiff_t* off = tap_offsets(lay, g.C, g.R, g.S);
    // wpack[kblock][t][kb] = w[k0 + kb][t], zero past K
    for (int k0 = 0; k0 < g.K; k0 += KB)
        for (int t = 0; t < taps; ++t)
            for (int kb = 0; kb < KB; ++kb)
                wpack[(std::size_t(k0 / KB) * taps + t) * KB + kb] =
                    k0 + kb < g.K ? w[std::size_t(k0 + kb) * taps + t] : 0.f;
    // images are independent: threads take whole images, each packing into its own buffer
    const int band_lo = std::min(g.pad_top, lay.Hv);
    const int band_hi = std::clamp(g.pad_top + g.H, band_lo, lay.Hv);
    parallel_for(g.N, [&](std::size_t n) {
        float* packed = workspace<0>(lay.size());
        pack_input(x + n * g.C * g.H * g.W, g.H, g.W, 1, 1, g.pad_top, g.pad_left, lay, packed);
        // the padding rows above and below the image are zeros
        const engine e{packed, off, taps, wpack, bias, g.K, g.Ho, g.Wo,
                       std::size_t(g.stride_h) * lay.sw * lay.L, y + n * g.K * g.Ho * g.Wo,
                       g.R, g.S, g.stride_h, band_lo, band_hi};
        engine_dispatch(e, KB);
    });
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
        const int band_lo = std::max(pt, 0);
        const int band_hi = std::clamp(pt + (g.Ho - 1) * g.stride_h + 1, band_lo, lay.Hv);
        parallel_for(g.N, [&](std::size_t n) {
            float* packed = workspace<0>(lay.size());
            pack_input(dy + n * y_image, g.Ho, g.Wo, g.stride_h, g.stride_w, pt, pl, lay, packed);
            // dy's rows sit in [pt, pt + (Ho - 1) stride_h] of the packed rows, zeros around
            const engine e{packed, off, taps, wpack, nullptr, g.C, g.H, g.W,
                           std::size_t(lay.L), dx + n * x_image, g.R, g.S, 1, band_lo, band_hi};
            engine_dispatch(e, KB);
        });
    }

    if (dw) {
        // 3 channels x 3 kernel columns of accumulators (+ 3 inputs + 1 dy = 13 registers);
        // 4 x 3 spilled (C-shaped layer: 27.9 GFLOP/s against 38.7).
        const int KB = std::min(g.K, 3);
        const int Wr = round_up(g.Wo, VS);
        const packed_layout lay = read_region(g);
        require_workspace(require_elements({round_up(g.K, KB), g.Ho, Wr}, "xShape"), "xShape",
                          "direct");
        const int K_pad = round_up(g.K, KB);
        alignas(64) float lane[64];
        for (int l = 0; l < VS; ++l) lane[l] = float(l);
        const auto last_mask =
            batch::load_aligned(lane) < batch(float(g.Wo - (Wr - VS)));
        // fixed chunks of the batch, each into its own slot, added in a fixed tree
        const std::size_t len = std::size_t(g.K) * g.C * g.R * g.S;
        parallel_sum(g.N, dw, len, [&](std::size_t n0, std::size_t n1, float* dws) {
            float* packed = workspace<2>(lay.size());
            float* dy_pad = workspace<3>(std::size_t(K_pad) * g.Ho * Wr);
            for (std::size_t n = n0; n < n1; ++n) {
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
                    case 1: weight_grad_image<1, 3>(g, lay, packed, dy_pad, Wr, last_mask, dws); break;
                    case 2: weight_grad_image<2, 3>(g, lay, packed, dy_pad, Wr, last_mask, dws); break;
                    default: weight_grad_image<3, 3>(g, lay, packed, dy_pad, Wr, last_mask, dws); break;
                }
            }
        });
    }
}

}  // namespace convlab
