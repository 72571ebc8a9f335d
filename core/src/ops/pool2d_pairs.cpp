// pool2d_pairs.cpp: the common case of pooling (pool2d.cpp dispatches to it): windows 2 wide
// at stride 2, no padding or dilation, whole windows.
// LeNet's 2x2 stride-2 pooling (and any kernel_h == stride_h with it) tiles the input with
// disjoint windows, so no packing is needed: each input row is read once, and two vectors of
// a row are split into the windows' left and right columns with two rounds of zip_lo / zip_hi
// (xsimd 8.1 has no general shuffle). Taps are visited in the same row-major order with the
// same strict '>' / NaN test as max_row, starting from -inf, and sums start from 0 in the same
// order, so results, ties, NaNs and signed zeros equal the general path's bit for bit.
//
// zip_lo / zip_hi work within each 128-bit lane (4 floats) on SSE2, SIMD128 and AVX2, so the
// split vectors hold outputs in lane order: lane l holds outputs 2l, 2l + 1, VS/2 + 2l,
// VS/2 + 2l + 1 (the identity when VS == 4). Outputs are stored and dy loaded in that order.
#include <algorithm>
#include <cstddef>
#include <limits>
#include <xsimd/xsimd.hpp>

#include "kernel_arch.hpp"
#include "pool2d_internal.hpp"

namespace convlab {
namespace {

using batch = xsimd::batch<float, kernel_arch>;
constexpr int VS = int(batch::size);

static_assert(VS % 4 == 0, "the split below assumes 128-bit lanes of 4 floats");

// left / right = the windows' first / second columns of row[0, 2 VS), in lane order.
inline void split_pairs(const float* row, batch& left, batch& right) {
    const batch t0 = batch::load_unaligned(row), t1 = batch::load_unaligned(row + VS);
    const batch u0 = xsimd::zip_lo(t0, t1), u1 = xsimd::zip_hi(t0, t1);
    left = xsimd::zip_lo(u0, u1);
    right = xsimd::zip_hi(u0, u1);
}

// The inverse of split_pairs: row[0, 2 VS) = left and right interleaved.
inline void join_pairs(const batch& left, const batch& right, float* row) {
    xsimd::zip_lo(left, right).store_unaligned(row);
    xsimd::zip_hi(left, right).store_unaligned(row + VS);
}

inline void store_lane_order(const batch& v, float* out) {
    if constexpr (VS == 4) {
        v.store_unaligned(out);
    } else {
        alignas(64) float t[VS];
        v.store_aligned(t);
        for (int l = 0; l < VS / 4; ++l) {
            std::memcpy(out + 2 * l, t + 4 * l, 2 * sizeof(float));
            std::memcpy(out + VS / 2 + 2 * l, t + 4 * l + 2, 2 * sizeof(float));
        }
    }
}

inline batch load_lane_order(const float* in) {
    if constexpr (VS == 4) {
        return batch::load_unaligned(in);
    } else {
        alignas(64) float t[VS];
        for (int l = 0; l < VS / 4; ++l) {
            std::memcpy(t + 4 * l, in + 2 * l, 2 * sizeof(float));
            std::memcpy(t + 4 * l + 2, in + VS / 2 + 2 * l, 2 * sizeof(float));
        }
        return batch::load_aligned(t);
    }
}

// vec(j) for the outputs j .. j + VS of a row, scalar(j) for one: whole vectors, then a last
// vector overlapping the previous one (its outputs and cells are rewritten with the same
// values) instead of a scalar tail of up to VS - 1 branchy outputs; scalar only below VS.
template <class V, class S>
void each_output(int Wo, V vec, S scalar) {
    int j = 0;
    for (; j + VS <= Wo; j += VS) vec(j);
    if (j < Wo && Wo >= VS) vec(Wo - VS), j = Wo;
    for (; j < Wo; ++j) scalar(j);
}

}  // namespace

// The cells of a plane no window reads (columns from 2 Wo, rows from Ho kernel_h): zero in
// the gradient, and the only cells the fast backward passes do not write.
void zero_uncovered(const pool2d_geometry& g, float* dxp) {
    const std::size_t covered_rows = std::size_t(g.Ho) * g.kernel_h;
    for (std::size_t h = 0; h < covered_rows; ++h)
        std::fill(dxp + h * g.W + 2 * std::size_t(g.Wo), dxp + (h + 1) * g.W, 0.f);
    std::fill(dxp + covered_rows * g.W, dxp + std::size_t(g.H) * g.W, 0.f);
}

bool fast_pairs(const pool2d_geometry& g) {
    return g.pad_h == 0 && g.pad_w == 0 && g.dilation_h == 1 && g.dilation_w == 1 &&
           g.kernel_w == 2 && g.stride_w == 2 && g.kernel_h == g.stride_h &&
           (long long)g.Ho * g.stride_h <= g.H && 2LL * g.Wo <= g.W;
}

void pairs_max_forward(const pool2d_geometry& g, const float* xp, float* yp) {
    const float lowest = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < g.Ho; ++i) {
        const float* top = xp + std::size_t(i) * g.kernel_h * g.W;
        float* out = yp + std::size_t(i) * g.Wo;
        each_output(
            g.Wo,
            [&](int j) {
                batch best(lowest);
                for (int r = 0; r < g.kernel_h; ++r) {
                    batch e[2];
                    split_pairs(top + std::size_t(r) * g.W + 2 * j, e[0], e[1]);
                    for (const batch& v : e)
                        best = xsimd::select((v > best) | xsimd::isnan(v), v, best);
                }
                store_lane_order(best, out + j);
            },
            [&](int j) {
                float best = lowest;
                for (int r = 0; r < g.kernel_h; ++r)
                    for (int s = 0; s < 2; ++s) {
                        const float e = top[std::size_t(r) * g.W + 2 * j + s];
                        best = e > best || e != e ? e : best;
                    }
                out[j] = best;
            });
    }
}

// Writes every cell a window reads (the windows are disjoint: each is written once).
void pairs_max_backward(const pool2d_geometry& g, const float* xp, const float* dyp, float* dxp) {
    const float lowest = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < g.Ho; ++i) {
        const std::size_t top = std::size_t(i) * g.kernel_h * g.W;
        const float* d = dyp + std::size_t(i) * g.Wo;
        each_output(
            g.Wo,
            [&](int j) {
                batch best(lowest), at(0.f);
                for (int r = 0; r < g.kernel_h; ++r) {
                    batch e[2];
                    split_pairs(xp + top + std::size_t(r) * g.W + 2 * j, e[0], e[1]);
                    for (int s = 0; s < 2; ++s) {
                        const auto take = (e[s] > best) | xsimd::isnan(e[s]);
                        best = xsimd::select(take, e[s], best);
                        at = xsimd::select(take, batch(float(2 * r + s)), at);
                    }
                }
                const batch dv = load_lane_order(d + j), zero(0.f);
                for (int r = 0; r < g.kernel_h; ++r)
                    join_pairs(xsimd::select(at == batch(float(2 * r)), dv, zero),
                               xsimd::select(at == batch(float(2 * r + 1)), dv, zero),
                               dxp + top + std::size_t(r) * g.W + 2 * j);
            },
            [&](int j) {
                float best = lowest;
                std::size_t at = top + 2 * std::size_t(j);
                for (int r = 0; r < g.kernel_h; ++r)
                    for (int s = 0; s < 2; ++s) {
                        const std::size_t k = top + std::size_t(r) * g.W + 2 * j + s;
                        const bool take = xp[k] > best || xp[k] != xp[k];
                        best = take ? xp[k] : best;
                        at = take ? k : at;
                    }
                for (int r = 0; r < g.kernel_h; ++r)
                    for (int s = 0; s < 2; ++s) dxp[top + std::size_t(r) * g.W + 2 * j + s] = 0.f;
                dxp[at] = d[j];
            });
    }
}

void pairs_avg_forward(const pool2d_geometry& g, const float* xp, float* yp) {
    const float scale = 1.f / float(2 * g.kernel_h);
    for (int i = 0; i < g.Ho; ++i) {
        const float* top = xp + std::size_t(i) * g.kernel_h * g.W;
        float* out = yp + std::size_t(i) * g.Wo;
        each_output(
            g.Wo,
            [&](int j) {
                batch sum(0.f);
                for (int r = 0; r < g.kernel_h; ++r) {
                    batch e[2];
                    split_pairs(top + std::size_t(r) * g.W + 2 * j, e[0], e[1]);
                    sum = sum + e[0];
                    sum = sum + e[1];
                }
                store_lane_order(sum * batch(scale), out + j);
            },
            [&](int j) {
                float sum = 0.f;
                for (int r = 0; r < g.kernel_h; ++r)
                    for (int s = 0; s < 2; ++s) sum = sum + top[std::size_t(r) * g.W + 2 * j + s];
                out[j] = sum * scale;
            });
    }
}

// Writes every cell a window reads: 0 + scale dy, the general path's sum.
void pairs_avg_backward(const pool2d_geometry& g, const float* dyp, float* dxp) {
    const float scale = 1.f / float(2 * g.kernel_h);
    for (int i = 0; i < g.Ho; ++i) {
        const std::size_t top = std::size_t(i) * g.kernel_h * g.W;
        const float* d = dyp + std::size_t(i) * g.Wo;
        each_output(
            g.Wo,
            [&](int j) {
                const batch v = batch(0.f) + batch(scale) * load_lane_order(d + j);
                for (int r = 0; r < g.kernel_h; ++r)
                    join_pairs(v, v, dxp + top + std::size_t(r) * g.W + 2 * j);
            },
            [&](int j) {
                const float v = 0.f + scale * d[j];
                for (int r = 0; r < g.kernel_h; ++r)
                    for (int s = 0; s < 2; ++s) dxp[top + std::size_t(r) * g.W + 2 * j + s] = v;
            });
    }
}

}  // namespace convlab
