// pool2d_internal.hpp: what the fast pooling and its references share (not public): the
// window arithmetic of PyTorch's pooling kernels along one axis.
#pragma once

#include <algorithm>

#include "convlab/common.hpp"
#include "convlab/ops/pool2d.hpp"

namespace convlab {

// The cells the window of output index o reads along an axis of n cells: taps t = start + a d
// for a in [0, k), start = o stride - pad. first / last: the first tap inside [0, n) and one
// past the last (taps first, first + d, ... < last); empty when first >= last.
// In 64 bits: in ceil mode a dilated window may reach far past the input.
struct axis_taps {
    long long first, last;
    long long start;  // o stride - pad: tap a is at start + a d
};
inline axis_taps taps_of(int o, int stride, int pad, int k, int d, int n) {
    const long long start = (long long)o * stride - pad;
    const long long end = std::min<long long>(start + (long long)(k - 1) * d + 1, n);
    long long first = start;
    if (first < 0) first += (-first + d - 1) / d * d;
    return {first, end, start};
}

// The average's count along one axis (PyTorch's avg_pool2d): the window [o stride - pad,
// + k) clipped to the padded axis [-pad, n + pad), or to [0, n) when !include_pad.
inline long long avg_count(int o, int stride, int pad, int k, int n, bool include_pad) {
    const long long start = (long long)o * stride - pad;
    const long long end = std::min<long long>(start + k, (long long)n + pad);
    if (include_pad) return end - start;
    return std::min<long long>(end, n) - std::max<long long>(start, 0);
}

// Average pooling has no dilation in PyTorch: refused rather than ignored.
inline void require_avg_geometry(const pool2d_geometry& g) {
    if (g.dilation_h != 1 || g.dilation_w != 1)
        fail("dilation", "average pooling has no dilation (as PyTorch's AvgPool2d); got [" +
                             std::to_string(g.dilation_h) + ", " + std::to_string(g.dilation_w) +
                             "]");
}

// The common case (pool2d_pairs.cpp): disjoint windows 2 wide at stride 2 with no padding or
// dilation (LeNet's 2x2 pooling), computed without packing, bit for bit as the general path.
// Each call handles one (n, c) plane: xp is (H, W), yp / dyp are (Ho, Wo), dxp is (H, W).
bool fast_pairs(const pool2d_geometry& g);
void pairs_max_forward(const pool2d_geometry& g, const float* xp, float* yp);
void pairs_max_backward(const pool2d_geometry& g, const float* xp, const float* dyp, float* dxp);
void pairs_avg_forward(const pool2d_geometry& g, const float* xp, float* yp);
void pairs_avg_backward(const pool2d_geometry& g, const float* dyp, float* dxp);
// Zeroes the cells of a dx plane no window reads, the only ones the backward passes skip.
void zero_uncovered(const pool2d_geometry& g, float* dxp);

}  // namespace convlab
