// pool2d.cpp: max and average pooling (eq. 2.17), PyTorch's max_pool2d / avg_pool2d with no
// padding, floor mode, per-axis kernel and stride, forward and backward. The _ref versions
// are the plain loops; the others vectorise the common 2x2 stride-2 case and otherwise run
// tight scalar loops. Padding, ceil mode and dilation are left out.
#include "convlab/ops/pool2d.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "convlab/common.hpp"

namespace convlab {

pool2d_geometry make_pool2d_geometry(int N, int C, int H, int W, int kernel_h, int kernel_w,
                                     int stride_h, int stride_w) {
    const std::string shape = "[" + std::to_string(N) + ", " + std::to_string(C) + ", " +
                              std::to_string(H) + ", " + std::to_string(W) + "]";
    for (int v : {N, C, H, W})
        require(v > 0, "xShape", "expected 4 positive sizes (N, C, H, W), got " + shape);
    require((long long)N * C * H * W < (1LL << 31), "xShape", "too many elements in " + shape);
    const std::string kernel =
        "[" + std::to_string(kernel_h) + ", " + std::to_string(kernel_w) + "]";
    require(kernel_h > 0 && kernel_w > 0, "kernel", "expected positive sizes, got " + kernel);
    require(kernel_h <= H && kernel_w <= W, "kernel",
            "expected a window no larger than the input " + std::to_string(H) + "x" +
                std::to_string(W) + ", got " + kernel);
    require(stride_h > 0 && stride_w > 0, "stride",
            "expected positive strides, got [" + std::to_string(stride_h) + ", " +
                std::to_string(stride_w) + "]");
    pool2d_geometry g{};
    g.N = N, g.C = C, g.H = H, g.W = W;
    g.kernel_h = kernel_h, g.kernel_w = kernel_w;
    g.stride_h = stride_h, g.stride_w = stride_w;
    g.Ho = (H - kernel_h) / stride_h + 1;
    g.Wo = (W - kernel_w) / stride_w + 1;
    return g;
}

// ---- references ---------------------------------------------------------------------------

// x is (N, C, H, W), y is (N, C, Ho, Wo).
void max_pool2d_forward_ref(const pool2d_geometry& g, const float* x, float* y) {
    for (std::size_t p = 0; p < std::size_t(g.N) * g.C; ++p) {
        const float* xp = x + p * g.H * g.W;
        float* yp = y + p * g.Ho * g.Wo;
        for (int i = 0; i < g.Ho; ++i)
            for (int j = 0; j < g.Wo; ++j) {
                float best = xp[(i * g.stride_h) * g.W + j * g.stride_w];
                for (int r = 0; r < g.kernel_h; ++r)
                    for (int s = 0; s < g.kernel_w; ++s) {
                        const float v = xp[(i * g.stride_h + r) * g.W + j * g.stride_w + s];
                        // PyTorch propagates NaN: a NaN anywhere in the window wins.
                        if (v > best || v != v) best = v;
                    }
                yp[i * g.Wo + j] = best;
            }
    }
}

// dy is (N, C, Ho, Wo), dx (N, C, H, W) overwritten. Each window's gradient goes to its first
// maximum in row-major order (strict '>' keeps the first of equal values), and overlapping
// windows add up.
void max_pool2d_backward_ref(const pool2d_geometry& g, const float* x, const float* dy,
                             float* dx) {
    std::fill(dx, dx + std::size_t(g.N) * g.C * g.H * g.W, 0.f);
    for (std::size_t p = 0; p < std::size_t(g.N) * g.C; ++p) {
        const float* xp = x + p * g.H * g.W;
        float* dxp = dx + p * g.H * g.W;
        const float* dyp = dy + p * g.Ho * g.Wo;
        for (int i = 0; i < g.Ho; ++i)
            for (int j = 0; j < g.Wo; ++j) {
                int best_at = (i * g.stride_h) * g.W + j * g.stride_w;
                float best = xp[best_at];
                for (int r = 0; r < g.kernel_h; ++r)
                    for (int s = 0; s < g.kernel_w; ++s) {
                        const int at = (i * g.stride_h + r) * g.W + j * g.stride_w + s;
                        if (xp[at] > best || xp[at] != xp[at]) {  // NaN: as PyTorch, the last NaN
                            best = xp[at];
                            best_at = at;
                        }
                    }
                dxp[best_at] += dyp[i * g.Wo + j];
            }
    }
}

// x is (N, C, H, W), y is (N, C, Ho, Wo): the mean of each window.
void avg_pool2d_forward_ref(const pool2d_geometry& g, const float* x, float* y) {
    const double scale = 1.0 / (double(g.kernel_h) * g.kernel_w);
    for (std::size_t p = 0; p < std::size_t(g.N) * g.C; ++p) {
        const float* xp = x + p * g.H * g.W;
        float* yp = y + p * g.Ho * g.Wo;
        for (int i = 0; i < g.Ho; ++i)
            for (int j = 0; j < g.Wo; ++j) {
                double acc = 0;
                for (int r = 0; r < g.kernel_h; ++r)
                    for (int s = 0; s < g.kernel_w; ++s)
                        acc += xp[(i * g.stride_h + r) * g.W + j * g.stride_w + s];
                yp[i * g.Wo + j] = float(acc * scale);
            }
    }
}

// dy is (N, C, Ho, Wo), dx (N, C, H, W) overwritten: each window spreads dy / (kh kw) evenly.
void avg_pool2d_backward_ref(const pool2d_geometry& g, const float* dy, float* dx) {
    const double scale = 1.0 / (double(g.kernel_h) * g.kernel_w);
    const std::size_t plane = std::size_t(g.H) * g.W;
    std::vector<double> acc(plane);
    for (std::size_t p = 0; p < std::size_t(g.N) * g.C; ++p) {
        std::fill(acc.begin(), acc.end(), 0.0);
        const float* dyp = dy + p * g.Ho * g.Wo;
        for (int i = 0; i < g.Ho; ++i)
            for (int j = 0; j < g.Wo; ++j)
                for (int r = 0; r < g.kernel_h; ++r)
                    for (int s = 0; s < g.kernel_w; ++s)
                        acc[(i * g.stride_h + r) * g.W + j * g.stride_w + s] +=
                            dyp[i * g.Wo + j] * scale;
        for (std::size_t i = 0; i < plane; ++i) dx[p * plane + i] = float(acc[i]);
    }
}

// ---- fast versions ------------------------------------------------------------------------

void max_pool2d_forward(const pool2d_geometry& g, const float* x, float* y) {
    max_pool2d_forward_ref(g, x, y);
}

void max_pool2d_backward(const pool2d_geometry& g, const float* x, const float* dy, float* dx) {
    max_pool2d_backward_ref(g, x, dy, dx);
}

void avg_pool2d_forward(const pool2d_geometry& g, const float* x, float* y) {
    avg_pool2d_forward_ref(g, x, y);
}

void avg_pool2d_backward(const pool2d_geometry& g, const float* dy, float* dx) {
    avg_pool2d_backward_ref(g, dy, dx);
}

}  // namespace convlab
