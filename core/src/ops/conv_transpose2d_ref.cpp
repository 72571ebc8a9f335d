// conv_transpose2d_ref.cpp: the transposed convolution written out as PyTorch defines it, each
// input element scattering its products over the output, accumulating in double. Independent
// of conv2d, so the tests hold the adjoint construction of conv_transpose2d.cpp to it.
#include <vector>

#include "convlab/ops/conv_transpose2d.hpp"

namespace convlab {

namespace {

// Calls f(xi, wi, yi) for every (input element, weight, output element) triple the forward
// pass multiplies: y[yi] += x[xi] w[wi].
template <class F>
void for_each_tap(const conv_transpose2d_geometry& g, F f) {
    const conv2d_geometry& c = g.conv;
    const int C = c.K, out = c.C, Cg = C / c.groups, Og = out / c.groups;
    const int Ho = c.H, Wo = c.W;
    for (int n = 0; n < c.N; ++n)
        for (int ci = 0; ci < C; ++ci)
            for (int o = 0; o < Og; ++o) {
                const int oc = (ci / Cg) * Og + o;
                for (int i = 0; i < g.H; ++i)
                    for (int j = 0; j < g.W; ++j)
                        for (int r = 0; r < c.R; ++r) {
                            const int h = i * c.stride_h + r * c.dilation_h - c.pad_top;
                            if (h < 0 || h >= Ho) continue;
                            for (int s = 0; s < c.S; ++s) {
                                const int v = j * c.stride_w + s * c.dilation_w - c.pad_left;
                                if (v < 0 || v >= Wo) continue;
                                f(((std::size_t(n) * C + ci) * g.H + i) * g.W + j,
                                  ((std::size_t(ci) * Og + o) * c.R + r) * c.S + s,
                                  ((std::size_t(n) * out + oc) * Ho + h) * Wo + v);
                            }
                        }
            }
}

}  // namespace

void conv_transpose2d_forward_ref(const conv_transpose2d_geometry& g, const float* x,
                                  const float* w, const float* bias, float* y) {
    const conv2d_geometry& c = g.conv;
    const std::size_t plane = std::size_t(c.H) * c.W, count = std::size_t(c.N) * c.C * plane;
    std::vector<double> acc(count);
    for (std::size_t i = 0; i < count; ++i) acc[i] = bias ? bias[(i / plane) % c.C] : 0.0;
    for_each_tap(g, [&](std::size_t xi, std::size_t wi, std::size_t yi) {
        acc[yi] += double(x[xi]) * double(w[wi]);
    });
    for (std::size_t i = 0; i < count; ++i) y[i] = float(acc[i]);
}

void conv_transpose2d_backward_ref(const conv_transpose2d_geometry& g, const float* x,
                                   const float* w, const float* dy, float* dx, float* dw,
                                   float* db) {
    const conv2d_geometry& c = g.conv;
    const std::size_t x_count = std::size_t(c.N) * c.K * g.H * g.W;
    const std::size_t w_count = std::size_t(c.K) * (c.C / c.groups) * c.R * c.S;
    std::vector<double> dx_acc(x_count), dw_acc(w_count);
    for_each_tap(g, [&](std::size_t xi, std::size_t wi, std::size_t yi) {
        dx_acc[xi] += double(w[wi]) * double(dy[yi]);
        dw_acc[wi] += double(x[xi]) * double(dy[yi]);
    });
    if (dx)
        for (std::size_t i = 0; i < x_count; ++i) dx[i] = float(dx_acc[i]);
    if (dw)
        for (std::size_t i = 0; i < w_count; ++i) dw[i] = float(dw_acc[i]);
    if (db) {
        const std::size_t plane = std::size_t(c.H) * c.W;
        for (int o = 0; o < c.C; ++o) {
            double acc = 0;
            for (int n = 0; n < c.N; ++n)
                for (std::size_t i = 0; i < plane; ++i)
                    acc += dy[(std::size_t(n) * c.C + o) * plane + i];
            db[o] = float(acc);
        }
    }
}

}  // namespace convlab
