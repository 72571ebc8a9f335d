// conv2d_ref.cpp: the plain-loop 2-D convolution, eq. (2.20) written out index by index,
// forward and backward, accumulating in double. It is what the lessons show and what the
// tests hold every fast method to; speed is not its concern. Dilation and groups (PyTorch's)
// are written out here too, so the fast methods' handling of them has an independent check.
#include <vector>

#include "convlab/ops/conv2d.hpp"

namespace convlab {

// x is (N, C, H, W), w is (K, Cg, R, S) with Cg = C / groups, bias is (K) or nullptr, y is
// (N, K, Ho, Wo). With Kg = K / groups and c = (k / Kg) Cg + cg:
// y[n, k, i, j] = bias[k] + sum_{cg, r, s} w[k, cg, r, s] x[n, c, i sh + r dh - pt, j sw + s dw - pl],
// with x read as 0 outside the image (zero padding).
void conv2d_forward_ref(const conv2d_geometry& g, const float* x, const float* w,
                        const float* bias, float* y) {
    const int Cg = g.C / g.groups, Kg = g.K / g.groups;
    for (int n = 0; n < g.N; ++n)
        for (int k = 0; k < g.K; ++k)
            for (int i = 0; i < g.Ho; ++i)
                for (int j = 0; j < g.Wo; ++j) {
                    double acc = bias ? bias[k] : 0.0;
                    for (int cg = 0; cg < Cg; ++cg) {
                        const int c = (k / Kg) * Cg + cg;
                        for (int r = 0; r < g.R; ++r) {
                            const int h = i * g.stride_h + r * g.dilation_h - g.pad_top;
                            if (h < 0 || h >= g.H) continue;
                            for (int s = 0; s < g.S; ++s) {
                                const int v = j * g.stride_w + s * g.dilation_w - g.pad_left;
                                if (v < 0 || v >= g.W) continue;
                                acc += double(w[((std::size_t(k) * Cg + cg) * g.R + r) * g.S + s]) *
                                       double(x[((std::size_t(n) * g.C + c) * g.H + h) * g.W + v]);
                            }
                        }
                    }
                    y[((std::size_t(n) * g.K + k) * g.Ho + i) * g.Wo + j] = float(acc);
                }
}

// dy is (N, K, Ho, Wo); dx (N, C, H, W), dw (K, Cg, R, S), db (K), each optional. Every output
// y[n, k, i, j] that read x[n, c, h, v] through w[k, cg, r, s] sends dy there times the other:
//   dx[n, c, h, v] += w[k, cg, r, s] dy[n, k, i, j],  dw[k, cg, r, s] += x[n, c, h, v] dy[n, k, i, j].
void conv2d_backward_ref(const conv2d_geometry& g, const float* x, const float* w,
                         const float* dy, float* dx, float* dw, float* db) {
    const int Cg = g.C / g.groups, Kg = g.K / g.groups;
    const std::size_t x_count = std::size_t(g.N) * g.C * g.H * g.W;
    const std::size_t w_count = std::size_t(g.K) * Cg * g.R * g.S;
    std::vector<double> dx_acc(dx ? x_count : 0), dw_acc(dw ? w_count : 0), db_acc(g.K);
    for (int n = 0; n < g.N; ++n)
        for (int k = 0; k < g.K; ++k)
            for (int i = 0; i < g.Ho; ++i)
                for (int j = 0; j < g.Wo; ++j) {
                    const double d = dy[((std::size_t(n) * g.K + k) * g.Ho + i) * g.Wo + j];
                    db_acc[k] += d;
                    for (int cg = 0; cg < Cg; ++cg) {
                        const int c = (k / Kg) * Cg + cg;
                        for (int r = 0; r < g.R; ++r) {
                            const int h = i * g.stride_h + r * g.dilation_h - g.pad_top;
                            if (h < 0 || h >= g.H) continue;
                            for (int s = 0; s < g.S; ++s) {
                                const int v = j * g.stride_w + s * g.dilation_w - g.pad_left;
                                if (v < 0 || v >= g.W) continue;
                                const std::size_t xi = ((std::size_t(n) * g.C + c) * g.H + h) * g.W + v;
                                const std::size_t wi = ((std::size_t(k) * Cg + cg) * g.R + r) * g.S + s;
                                if (dx) dx_acc[xi] += double(w[wi]) * d;
                                if (dw) dw_acc[wi] += double(x[xi]) * d;
                            }
                        }
                    }
                }
    if (dx)
        for (std::size_t i = 0; i < x_count; ++i) dx[i] = float(dx_acc[i]);
    if (dw)
        for (std::size_t i = 0; i < w_count; ++i) dw[i] = float(dw_acc[i]);
    if (db)
        for (int k = 0; k < g.K; ++k) db[k] = float(db_acc[k]);
}

}  // namespace convlab
