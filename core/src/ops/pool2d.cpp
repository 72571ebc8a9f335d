// pool2d.cpp: max and average pooling (eq. 2.17), PyTorch's max_pool2d / avg_pool2d with no
// padding, floor mode, per-axis kernel and stride, forward and backward. The _ref versions
// are the plain loops; the others extract windows with im2col and reduce them with xsimd.
// Padding, ceil mode and dilation are left out.
#include "convlab/ops/pool2d.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "convlab/common.hpp"
#include "convlab/ops/im2col.hpp"

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
//
// Built on window extraction (im2col.hpp), as the convolution is: each (n, c) plane is one
// single-channel image whose windows become the kh kw rows of a column matrix (kh kw, Ho Wo);
// pooling is then a vectorised reduction down those rows, and the gradient a column matrix
// handed back through col2im, which adds overlapping windows' contributions.

namespace {

using batch = xsimd::batch<float>;
constexpr std::size_t VS = batch::size;

float* workspace(std::vector<float>& v, std::size_t n) {
    if (v.size() < n) v.resize(n);
    return v.data();
}

// best (m) = max over the rows of cols (rows, m); where (m) = the row of the first maximum
// (a NaN counts as a maximum and later NaNs take over, as in PyTorch), stored as float.
void max_down_rows(const float* cols, std::size_t rows, std::size_t m, float* best, float* where) {
    std::size_t p = 0;
    for (; p + VS <= m; p += VS) {
        batch b = batch::load_unaligned(cols + p);
        batch at(0.f);
        for (std::size_t r = 1; r < rows; ++r) {
            const batch v = batch::load_unaligned(cols + r * m + p);
            const auto take = (v > b) | (v != v);
            b = xsimd::select(take, v, b);
            at = xsimd::select(take, batch(float(r)), at);
        }
        b.store_unaligned(best + p);
        if (where) at.store_unaligned(where + p);
    }
    for (; p < m; ++p) {
        float b = cols[p];
        std::size_t at = 0;
        for (std::size_t r = 1; r < rows; ++r) {
            const float v = cols[r * m + p];
            if (v > b || v != v) b = v, at = r;
        }
        best[p] = b;
        if (where) where[p] = float(at);
    }
}

}  // namespace

void max_pool2d_forward(const pool2d_geometry& g, const float* x, float* y) {
    const window_geometry wg = window_geometry_of(g);
    thread_local std::vector<float> cols_buf;
    float* cols = workspace(cols_buf, wg.rows() * wg.cols());
    for (std::size_t p = 0; p < std::size_t(g.N) * g.C; ++p) {
        im2col(wg, x + p * g.H * g.W, cols);
        max_down_rows(cols, wg.rows(), wg.cols(), y + p * wg.cols(), nullptr);
    }
}

void max_pool2d_backward(const pool2d_geometry& g, const float* x, const float* dy, float* dx) {
    const window_geometry wg = window_geometry_of(g);
    const std::size_t rows = wg.rows(), m = wg.cols();
    thread_local std::vector<float> cols_buf, best_buf, where_buf;
    float* cols = workspace(cols_buf, rows * m);
    float* best = workspace(best_buf, m);
    float* where = workspace(where_buf, m);
    for (std::size_t p = 0; p < std::size_t(g.N) * g.C; ++p) {
        im2col(wg, x + p * g.H * g.W, cols);
        max_down_rows(cols, rows, m, best, where);
        // the gradient's column matrix: dy where the window's first maximum sits, else 0
        const float* d = dy + p * m;
        for (std::size_t r = 0; r < rows; ++r) {
            float* out = cols + r * m;
            const batch vr = batch(float(r));
            std::size_t q = 0;
            for (; q + VS <= m; q += VS)
                xsimd::select(batch::load_unaligned(where + q) == vr, batch::load_unaligned(d + q),
                              batch(0.f))
                    .store_unaligned(out + q);
            for (; q < m; ++q) out[q] = where[q] == float(r) ? d[q] : 0.f;
        }
        col2im(wg, cols, dx + p * g.H * g.W);
    }
}

void avg_pool2d_forward(const pool2d_geometry& g, const float* x, float* y) {
    const window_geometry wg = window_geometry_of(g);
    const std::size_t rows = wg.rows(), m = wg.cols();
    const float scale = 1.f / float(rows);
    thread_local std::vector<float> cols_buf;
    float* cols = workspace(cols_buf, rows * m);
    for (std::size_t p = 0; p < std::size_t(g.N) * g.C; ++p) {
        im2col(wg, x + p * g.H * g.W, cols);
        float* out = y + p * m;
        std::size_t q = 0;
        for (; q + VS <= m; q += VS) {
            batch s = batch::load_unaligned(cols + q);
            for (std::size_t r = 1; r < rows; ++r) s += batch::load_unaligned(cols + r * m + q);
            (s * batch(scale)).store_unaligned(out + q);
        }
        for (; q < m; ++q) {
            float s = cols[q];
            for (std::size_t r = 1; r < rows; ++r) s += cols[r * m + q];
            out[q] = s * scale;
        }
    }
}

void avg_pool2d_backward(const pool2d_geometry& g, const float* dy, float* dx) {
    const window_geometry wg = window_geometry_of(g);
    const std::size_t rows = wg.rows(), m = wg.cols();
    const float scale = 1.f / float(rows);
    thread_local std::vector<float> cols_buf;
    float* cols = workspace(cols_buf, rows * m);
    for (std::size_t p = 0; p < std::size_t(g.N) * g.C; ++p) {
        const float* d = dy + p * m;
        for (std::size_t q = 0; q < m; ++q) cols[q] = d[q] * scale;
        for (std::size_t r = 1; r < rows; ++r) std::memcpy(cols + r * m, cols, sizeof(float) * m);
        col2im(wg, cols, dx + p * g.H * g.W);
    }
}

}  // namespace convlab
