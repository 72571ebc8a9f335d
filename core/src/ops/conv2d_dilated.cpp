// conv2d_dilated.cpp: the im2col method with dilated windows, so a dilated kernel costs its R S
// taps per output and not the (R - 1) dh + 1 by (S - 1) dw + 1 of its zero-filled form. Per
// image and group, the windows of output rows [i0, i1) become the columns of
//   cols (Cg R S, (i1 - i0) Wo),  cols[(c R + r) S + s][(i - i0) Wo + j] = x[c, i sh + r dh - pt, j sw + s dw - pl]
// (0 in the padding), and, as in conv2d_im2col.cpp,
//   y (Kg, Ho Wo) = w_g (Kg, Cg R S) cols,  dw_g += dy cols^T,  dx += col2im(w_g^T dy).
// A group's channels of one image are contiguous, so groups need no copies here. Rows are
// taken in chunks that keep the column matrix near 256 KiB.
#include "conv2d_dilated.hpp"

#include <algorithm>
#include <vector>

#include "conv2d_internal.hpp"
#include "convlab/common.hpp"
#include "convlab/ops/gemm.hpp"

namespace convlab {

namespace {

float* workspace(std::size_t n) {
    thread_local std::vector<float> buffer;
    if (buffer.size() < n) buffer.resize(n);
    return buffer.data();
}

struct plan {
    int Cg, Kg;
    std::size_t taps;    // Cg R S: rows of the column matrix
    std::size_t plane;   // Ho Wo
    int rows;            // output rows per chunk
};

plan plan_of(const conv2d_geometry& g) {
    plan p;
    p.Cg = g.C / g.groups, p.Kg = g.K / g.groups;
    p.taps = std::size_t(p.Cg) * g.R * g.S;
    p.plane = std::size_t(g.Ho) * g.Wo;
    const long long row = require_elements({p.Cg, g.R, g.S, g.Wo}, "wShape", max_workspace_elements);
    require_workspace(row, "wShape", "im2col");
    p.rows = int(std::clamp<long long>(256 * 1024 / sizeof(float) / std::max(row, 1LL), 1, g.Ho));
    return p;
}

// x is one group's (Cg, H, W); writes the chunk's column matrix, or with `back` adds it onto x
// (col2im, the adjoint).
template <bool back>
void windows(const conv2d_geometry& g, const plan& p, const float* x_in, float* x_out, int i0,
             int i1, float* cols) {
    const std::size_t n_cols = std::size_t(i1 - i0) * g.Wo;
    for (int c = 0; c < p.Cg; ++c)
        for (int r = 0; r < g.R; ++r)
            for (int s = 0; s < g.S; ++s) {
                float* row = cols + ((std::size_t(c) * g.R + r) * g.S + s) * n_cols;
                for (int i = i0; i < i1; ++i) {
                    float* out = row + std::size_t(i - i0) * g.Wo;
                    const int h = i * g.stride_h + r * g.dilation_h - g.pad_top;
                    const bool inside = h >= 0 && h < g.H;
                    for (int j = 0; j < g.Wo; ++j) {
                        const int v = j * g.stride_w + s * g.dilation_w - g.pad_left;
                        const bool ok = inside && v >= 0 && v < g.W;
                        const std::size_t at = (std::size_t(c) * g.H + h) * g.W + v;
                        if (back) {
                            if (ok) x_out[at] += out[j];
                        } else {
                            out[j] = ok ? x_in[at] : 0.f;
                        }
                    }
                }
            }
}

}  // namespace

void conv2d_dilated_im2col_forward(const conv2d_geometry& g, const float* x, const float* w,
                                   const float* bias, float* y) {
    const plan p = plan_of(g);
    float* cols = workspace(p.taps * std::size_t(p.rows) * g.Wo);
    const std::size_t x_group = std::size_t(p.Cg) * g.H * g.W, y_group = std::size_t(p.Kg) * p.plane;
    for (int n = 0; n < g.N; ++n)
        for (int gi = 0; gi < g.groups; ++gi) {
            const float* xg = x + (std::size_t(n) * g.groups + gi) * x_group;
            float* yg = y + (std::size_t(n) * g.groups + gi) * y_group;
            const float* wg = w + std::size_t(gi) * p.Kg * p.taps;
            for (int i0 = 0; i0 < g.Ho; i0 += p.rows) {
                const int i1 = std::min(g.Ho, i0 + p.rows);
                const std::size_t n_cols = std::size_t(i1 - i0) * g.Wo;
                windows<false>(g, p, xg, nullptr, i0, i1, cols);
                sgemm(false, false, p.Kg, n_cols, p.taps, 1.f, wg, p.taps, cols, n_cols, 0.f,
                      yg + std::size_t(i0) * g.Wo, p.plane);
            }
            if (bias)
                for (int k = 0; k < p.Kg; ++k) {
                    const float b = bias[gi * p.Kg + k];
                    float* yk = yg + k * p.plane;
                    for (std::size_t q = 0; q < p.plane; ++q) yk[q] += b;
                }
        }
}

void conv2d_dilated_im2col_backward(const conv2d_geometry& g, const float* x, const float* w,
                                    const float* dy, float* dx, float* dw, float* db) {
    const plan p = plan_of(g);
    float* cols = workspace(p.taps * std::size_t(p.rows) * g.Wo);
    const std::size_t x_group = std::size_t(p.Cg) * g.H * g.W, y_group = std::size_t(p.Kg) * p.plane;
    if (db) conv2d_bias_backward(g, dy, db);
    if (dw) std::fill(dw, dw + std::size_t(g.K) * p.taps, 0.f);
    if (dx) std::fill(dx, dx + std::size_t(g.N) * g.C * g.H * g.W, 0.f);
    for (int n = 0; n < g.N; ++n)
        for (int gi = 0; gi < g.groups; ++gi) {
            const std::size_t xo = (std::size_t(n) * g.groups + gi) * x_group;
            const float* dyg = dy + (std::size_t(n) * g.groups + gi) * y_group;
            const float* wg = w + std::size_t(gi) * p.Kg * p.taps;
            for (int i0 = 0; i0 < g.Ho; i0 += p.rows) {
                const int i1 = std::min(g.Ho, i0 + p.rows);
                const std::size_t n_cols = std::size_t(i1 - i0) * g.Wo;
                const float* dy_chunk = dyg + std::size_t(i0) * g.Wo;
                if (dw) {
                    windows<false>(g, p, x + xo, nullptr, i0, i1, cols);
                    sgemm(false, true, p.Kg, p.taps, n_cols, 1.f, dy_chunk, p.plane, cols, n_cols,
                          1.f, dw + std::size_t(gi) * p.Kg * p.taps, p.taps);
                }
                if (dx) {
                    sgemm(true, false, p.taps, n_cols, p.Kg, 1.f, wg, p.taps, dy_chunk, p.plane,
                          0.f, cols, n_cols);
                    windows<true>(g, p, nullptr, dx + xo, i0, i1, cols);
                }
            }
        }
}

}  // namespace convlab
