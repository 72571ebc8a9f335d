// pool2d_ref.cpp: the plain-loop references of max and average pooling, PyTorch's CPU kernels
// (max_pool2d_with_indices, avg_pool2d) written out with double accumulation. The fast
// versions in pool2d.cpp are tested against these, and these against PyTorch's values.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "convlab/ops/pool2d.hpp"
#include "pool2d_internal.hpp"

namespace convlab {

namespace {

// Each output's maximum and the flat index in its plane of where it came from (-1: the window
// holds no input cell). Visits taps in row-major order; a strictly larger value or a NaN takes
// over, so the first maximum and the last NaN win. The index starts at the first cell inside
// the input, so a window of -inf values sends its gradient there (as PyTorch).
template <class Visit>
void max_windows(const pool2d_geometry& g, const float* x, Visit visit) {
    const std::size_t plane = std::size_t(g.H) * g.W;
    for (std::size_t p = 0; p < std::size_t(g.N) * g.C; ++p) {
        const float* xp = x + p * plane;
        for (int i = 0; i < g.Ho; ++i) {
            const axis_taps th = taps_of(i, g.stride_h, g.pad_h, g.kernel_h, g.dilation_h, g.H);
            for (int j = 0; j < g.Wo; ++j) {
                const axis_taps tw = taps_of(j, g.stride_w, g.pad_w, g.kernel_w, g.dilation_w, g.W);
                float best = -std::numeric_limits<float>::infinity();
                long long at = -1;
                if (th.first < th.last && tw.first < tw.last)
                    at = (long long)th.first * g.W + tw.first;
                for (long long h = th.first; h < th.last; h += g.dilation_h)
                    for (long long w = tw.first; w < tw.last; w += g.dilation_w) {
                        const float v = xp[std::size_t(h) * g.W + w];
                        if (v > best || std::isnan(v)) best = v, at = (long long)h * g.W + w;
                    }
                visit(p, (p * g.Ho + i) * g.Wo + j, best, at);
            }
        }
    }
}

}  // namespace

void max_pool2d_forward_ref(const pool2d_geometry& g, const float* x, float* y) {
    max_windows(g, x, [&](std::size_t, std::size_t o, float best, long long) { y[o] = best; });
}

void max_pool2d_backward_ref(const pool2d_geometry& g, const float* x, const float* dy, float* dx) {
    const std::size_t plane = std::size_t(g.H) * g.W;
    std::vector<double> acc(std::size_t(g.N) * g.C * plane, 0.0);
    max_windows(g, x, [&](std::size_t p, std::size_t o, float, long long at) {
        if (at >= 0) acc[p * plane + std::size_t(at)] += dy[o];
    });
    for (std::size_t i = 0; i < acc.size(); ++i) dx[i] = float(acc[i]);
}

namespace {

// Each average window's cells (rows th, columns tw, clipped to the input) and its divisor.
template <class Visit>
void avg_windows(const pool2d_geometry& g, Visit visit) {
    require_avg_geometry(g);
    for (std::size_t p = 0; p < std::size_t(g.N) * g.C; ++p)
        for (int i = 0; i < g.Ho; ++i) {
            const axis_taps th = taps_of(i, g.stride_h, g.pad_h, g.kernel_h, 1, g.H);
            const long long ch =
                avg_count(i, g.stride_h, g.pad_h, g.kernel_h, g.H, g.count_include_pad);
            for (int j = 0; j < g.Wo; ++j) {
                const axis_taps tw = taps_of(j, g.stride_w, g.pad_w, g.kernel_w, 1, g.W);
                const long long cw =
                    avg_count(j, g.stride_w, g.pad_w, g.kernel_w, g.W, g.count_include_pad);
                visit(p, (p * g.Ho + i) * g.Wo + j, th, tw, double(ch) * double(cw));
            }
        }
}

}  // namespace

void avg_pool2d_forward_ref(const pool2d_geometry& g, const float* x, float* y) {
    const std::size_t plane = std::size_t(g.H) * g.W;
    avg_windows(g, [&](std::size_t p, std::size_t o, axis_taps th, axis_taps tw, double divisor) {
        double acc = 0;
        for (long long h = th.first; h < th.last; ++h)
            for (long long w = tw.first; w < tw.last; ++w)
                acc += x[p * plane + std::size_t(h) * g.W + w];
        y[o] = float(acc / divisor);
    });
}

void avg_pool2d_backward_ref(const pool2d_geometry& g, const float* dy, float* dx) {
    const std::size_t plane = std::size_t(g.H) * g.W;
    std::vector<double> acc(std::size_t(g.N) * g.C * plane, 0.0);
    avg_windows(g, [&](std::size_t p, std::size_t o, axis_taps th, axis_taps tw, double divisor) {
        const double share = dy[o] / divisor;
        for (long long h = th.first; h < th.last; ++h)
            for (long long w = tw.first; w < tw.last; ++w)
                acc[p * plane + std::size_t(h) * g.W + w] += share;
    });
    for (std::size_t i = 0; i < acc.size(); ++i) dx[i] = float(acc[i]);
}

}  // namespace convlab
