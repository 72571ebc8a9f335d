// pool2d.cpp: max and average pooling (eq. 2.17), PyTorch's max_pool2d / avg_pool2d with no
// padding, floor mode, per-axis kernel and stride, forward and backward. The _ref versions
// are the plain loops; the fast ones walk output rows with the window loop outside, so the
// inner loops run along rows. Padding, ceil mode and dilation are left out.
#include "convlab/ops/pool2d.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
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
//
// Output row by output row, the window loop (r, s) outside and the output column j inside, so
// the inner loop is a plain pass over a row (contiguous at stride 1, where the compiler
// vectorises it) and window elements are visited in row-major order: a strict '>' keeps the
// first maximum, as PyTorch does. (Window extraction through im2col, which the convolution
// uses, was measured slower here: pooling does too little work per element to pay for the copy.)

namespace {

template <class T>
T* workspace(std::vector<T>& v, std::size_t n) {
    if (v.size() < n) v.resize(n);
    return v.data();
}

// best (Wo) = max of each window of output row i of plane xp (H, W); at (Wo) = the flat index
// in xp of its first maximum (a NaN counts as a maximum and later NaNs take over, as PyTorch).
void max_row(const pool2d_geometry& g, const float* xp, int i, float* best, int* at) {
    const int sw = g.stride_w;
    const float* top = xp + std::size_t(i) * g.stride_h * g.W;
    for (int j = 0; j < g.Wo; ++j) best[j] = top[j * sw];
    if (at)
        for (int j = 0; j < g.Wo; ++j) at[j] = i * g.stride_h * g.W + j * sw;
    for (int r = 0; r < g.kernel_h; ++r) {
        const float* row = top + std::size_t(r) * g.W;
        for (int s = 0; s < g.kernel_w; ++s) {
            if (r == 0 && s == 0) continue;
            const float* v = row + s;
            if (at) {
                const int base = (i * g.stride_h + r) * g.W + s;
                for (int j = 0; j < g.Wo; ++j) {
                    const float e = v[j * sw];
                    const bool take = e > best[j] || e != e;
                    best[j] = take ? e : best[j];
                    at[j] = take ? base + j * sw : at[j];
                }
            } else {
                for (int j = 0; j < g.Wo; ++j) {
                    const float e = v[j * sw];
                    best[j] = (e > best[j] || e != e) ? e : best[j];
                }
            }
        }
    }
}

// The common 2x2 stride-2 window, four outputs at a time: the two input rows are combined
// lane by lane, then even and odd columns are separated with a shuffle and combined. Written
// with the GCC/Clang vector extension because xsimd 8.1 has no cross-register shuffle; it
// lowers to SSE natively and to SIMD128 under Emscripten. Max keeps PyTorch's NaN rule.
typedef float f32x4 __attribute__((vector_size(16)));
typedef int i32x4 __attribute__((vector_size(16)));

inline f32x4 load4(const float* p) {
    f32x4 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

inline f32x4 max_nan(f32x4 a, f32x4 b) {  // b where b > a or b is NaN, else a
    const i32x4 take = (b > a) | (b != b);
    return (f32x4)(((i32x4)a & ~take) | ((i32x4)b & take));
}

template <bool is_max>
void pool_2x2_stride_2_row(const float* top, const float* bottom, int Wo, float* out) {
    int j = 0;
    for (; j + 4 <= Wo; j += 4) {
        const f32x4 t0 = load4(top + 2 * j), t1 = load4(top + 2 * j + 4);
        const f32x4 b0 = load4(bottom + 2 * j), b1 = load4(bottom + 2 * j + 4);
        f32x4 r;
        if (is_max) {
            // row-major window order a b / c d: max(max(a, b), max(c, d)) with NaN winning
            const f32x4 a = __builtin_shufflevector(t0, t1, 0, 2, 4, 6);
            const f32x4 b = __builtin_shufflevector(t0, t1, 1, 3, 5, 7);
            const f32x4 c = __builtin_shufflevector(b0, b1, 0, 2, 4, 6);
            const f32x4 d = __builtin_shufflevector(b0, b1, 1, 3, 5, 7);
            r = max_nan(max_nan(max_nan(a, b), c), d);
        } else {
            const f32x4 v0 = t0 + b0, v1 = t1 + b1;
            r = (__builtin_shufflevector(v0, v1, 0, 2, 4, 6) +
                 __builtin_shufflevector(v0, v1, 1, 3, 5, 7)) *
                0.25f;
        }
        std::memcpy(out + j, &r, sizeof r);
    }
    for (; j < Wo; ++j) {
        const float a = top[2 * j], b = top[2 * j + 1], c = bottom[2 * j], d = bottom[2 * j + 1];
        if (is_max) {
            float m = a;
            for (float e : {b, c, d}) m = (e > m || e != e) ? e : m;
            out[j] = m;
        } else {
            out[j] = ((a + b) + (c + d)) * 0.25f;
        }
    }
}

// The gradient of one output row of 2x2 stride-2 max pooling: each window's dy goes to its
// first maximum (later NaNs take over, as in the forward rule). Windows do not overlap, so
// the four positions are written, not accumulated.
void max_pool_2x2_stride_2_backward_row(const float* top, const float* bottom, const float* dy,
                                        int Wo, float* dtop, float* dbottom) {
    int j = 0;
    const f32x4 zero = {0, 0, 0, 0};
    for (; j + 4 <= Wo; j += 4) {
        const f32x4 t0 = load4(top + 2 * j), t1 = load4(top + 2 * j + 4);
        const f32x4 b0 = load4(bottom + 2 * j), b1 = load4(bottom + 2 * j + 4);
        const f32x4 a = __builtin_shufflevector(t0, t1, 0, 2, 4, 6);
        const f32x4 b = __builtin_shufflevector(t0, t1, 1, 3, 5, 7);
        const f32x4 c = __builtin_shufflevector(b0, b1, 0, 2, 4, 6);
        const f32x4 d = __builtin_shufflevector(b0, b1, 1, 3, 5, 7);
        // which of a, b, c, d holds the maximum: one-hot masks, updated in window order
        f32x4 m = a;
        i32x4 in_a = {-1, -1, -1, -1}, in_b = {0, 0, 0, 0}, in_c = in_b, in_d = in_b;
        for (int q = 1; q < 4; ++q) {
            const f32x4 e = q == 1 ? b : q == 2 ? c : d;
            const i32x4 take = (e > m) | (e != e);
            m = (f32x4)(((i32x4)m & ~take) | ((i32x4)e & take));
            in_a &= ~take, in_b &= ~take, in_c &= ~take, in_d &= ~take;
            if (q == 1) in_b |= take;
            if (q == 2) in_c |= take;
            if (q == 3) in_d |= take;
        }
        const f32x4 g = load4(dy + j);
        const f32x4 ga = (f32x4)((i32x4)g & in_a), gb = (f32x4)((i32x4)g & in_b);
        const f32x4 gc = (f32x4)((i32x4)g & in_c), gd = (f32x4)((i32x4)g & in_d);
        const f32x4 out_t0 = __builtin_shufflevector(ga, gb, 0, 4, 1, 5);
        const f32x4 out_t1 = __builtin_shufflevector(ga, gb, 2, 6, 3, 7);
        const f32x4 out_b0 = __builtin_shufflevector(gc, gd, 0, 4, 1, 5);
        const f32x4 out_b1 = __builtin_shufflevector(gc, gd, 2, 6, 3, 7);
        std::memcpy(dtop + 2 * j, &out_t0, sizeof zero);
        std::memcpy(dtop + 2 * j + 4, &out_t1, sizeof zero);
        std::memcpy(dbottom + 2 * j, &out_b0, sizeof zero);
        std::memcpy(dbottom + 2 * j + 4, &out_b1, sizeof zero);
    }
    for (; j < Wo; ++j) {
        const float v[4] = {top[2 * j], top[2 * j + 1], bottom[2 * j], bottom[2 * j + 1]};
        int at = 0;
        for (int q = 1; q < 4; ++q)
            if (v[q] > v[at] || v[q] != v[q]) at = q;
        float* dst[4] = {dtop + 2 * j, dtop + 2 * j + 1, dbottom + 2 * j, dbottom + 2 * j + 1};
        for (int q = 0; q < 4; ++q) *dst[q] = q == at ? dy[j] : 0.f;
    }
}

bool is_2x2_stride_2(const pool2d_geometry& g) {
    return g.kernel_h == 2 && g.kernel_w == 2 && g.stride_h == 2 && g.stride_w == 2;
}

}  // namespace

void max_pool2d_forward(const pool2d_geometry& g, const float* x, float* y) {
    for (std::size_t p = 0; p < std::size_t(g.N) * g.C; ++p)
        for (int i = 0; i < g.Ho; ++i) {
            const float* xp = x + p * g.H * g.W;
            float* out = y + (p * g.Ho + i) * g.Wo;
            if (is_2x2_stride_2(g))
                pool_2x2_stride_2_row<true>(xp + std::size_t(2 * i) * g.W,
                                            xp + std::size_t(2 * i + 1) * g.W, g.Wo, out);
            else
                max_row(g, xp, i, out, nullptr);
        }
}

void max_pool2d_backward(const pool2d_geometry& g, const float* x, const float* dy, float* dx) {
    thread_local std::vector<float> best_buf;
    thread_local std::vector<int> at_buf;
    float* best = workspace(best_buf, g.Wo);
    int* at = workspace(at_buf, g.Wo);
    const std::size_t plane = std::size_t(g.H) * g.W;
    std::fill(dx, dx + std::size_t(g.N) * g.C * plane, 0.f);
    for (std::size_t p = 0; p < std::size_t(g.N) * g.C; ++p)
        for (int i = 0; i < g.Ho; ++i) {
            if (is_2x2_stride_2(g)) {
                const std::size_t top = p * plane + std::size_t(2 * i) * g.W;
                max_pool_2x2_stride_2_backward_row(x + top, x + top + g.W,
                                                   dy + (p * g.Ho + i) * g.Wo, g.Wo, dx + top,
                                                   dx + top + g.W);
                continue;
            }
            max_row(g, x + p * plane, i, best, at);
            const float* d = dy + (p * g.Ho + i) * g.Wo;
            float* dxp = dx + p * plane;
            for (int j = 0; j < g.Wo; ++j) dxp[at[j]] += d[j];
        }
}

void avg_pool2d_forward(const pool2d_geometry& g, const float* x, float* y) {
    const float scale = 1.f / float(g.kernel_h * g.kernel_w);
    const int sw = g.stride_w;
    for (std::size_t p = 0; p < std::size_t(g.N) * g.C; ++p)
        for (int i = 0; i < g.Ho; ++i) {
            float* out = y + (p * g.Ho + i) * g.Wo;
            if (is_2x2_stride_2(g)) {
                const float* xp = x + p * g.H * g.W;
                pool_2x2_stride_2_row<false>(xp + std::size_t(2 * i) * g.W,
                                             xp + std::size_t(2 * i + 1) * g.W, g.Wo, out);
                continue;
            }
            std::fill(out, out + g.Wo, 0.f);
            const float* top = x + p * g.H * g.W + std::size_t(i) * g.stride_h * g.W;
            for (int r = 0; r < g.kernel_h; ++r)
                for (int s = 0; s < g.kernel_w; ++s) {
                    const float* v = top + std::size_t(r) * g.W + s;
                    for (int j = 0; j < g.Wo; ++j) out[j] += v[j * sw];
                }
            for (int j = 0; j < g.Wo; ++j) out[j] *= scale;
        }
}

void avg_pool2d_backward(const pool2d_geometry& g, const float* dy, float* dx) {
    const float scale = 1.f / float(g.kernel_h * g.kernel_w);
    const int sw = g.stride_w;
    const std::size_t plane = std::size_t(g.H) * g.W;
    thread_local std::vector<float> scaled_buf;
    float* scaled = workspace(scaled_buf, g.Wo);
    std::fill(dx, dx + std::size_t(g.N) * g.C * plane, 0.f);
    for (std::size_t p = 0; p < std::size_t(g.N) * g.C; ++p)
        for (int i = 0; i < g.Ho; ++i) {
            const float* d = dy + (p * g.Ho + i) * g.Wo;
            for (int j = 0; j < g.Wo; ++j) scaled[j] = d[j] * scale;
            float* top = dx + p * plane + std::size_t(i) * g.stride_h * g.W;
            for (int r = 0; r < g.kernel_h; ++r)
                for (int s = 0; s < g.kernel_w; ++s) {
                    float* v = top + std::size_t(r) * g.W + s;
                    for (int j = 0; j < g.Wo; ++j) v[j * sw] += scaled[j];
                }
        }
}

}  // namespace convlab
