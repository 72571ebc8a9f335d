// conv2d_cost.cpp: the cost model behind conv2d's 'automatic'.
//
// Each method's time is predicted as a sum of counted operations times a cost per operation
// (nanoseconds), the counts following the loops of conv2d_direct.cpp, conv2d_im2col.cpp (over
// the 4 x 8 register tile gemm.cpp runs on 4 lanes, gemm_tile.hpp) and conv2d_fft.cpp for
// 4-lane SIMD (the WebAssembly build; native builds use the same numbers as a proxy). The
// costs live in conv2d_cost_coefficients.inc, which bench/calibrate/conv2d/fit.py writes: a
// non-negative least-squares fit of these counts (read through bench/calibrate/conv2d/
// counts.cpp) to the timed forward, input-gradient and weight-gradient passes of every method
// on 27 shapes (A-D of the benchmark; LeNet-like 1- and 6-channel 5x5; ResNet-like 3x3 with 32
// to 512 channels; pointwise 8 to 256 channels, stride 1 and 2; stride 2 with 3x3, 5x5, 7x7;
// 7x7 to 31x31 kernels over 1 to 16 channels), minimising relative error (A-D weighted 3x),
// one fit per method and pass. The timings: bench/calibrate/conv2d/ driver, em++ -O3
// -msimd128 -msse2, Node 20 (one thread), this project's 2-core AMD EPYC (Zen 5) machine, each
// the minimum of two runs of >= 20 ms of process CPU time (process.cpuUsage, so other
// processes on the shared machine do not count). The model picks within 10% of the fastest
// method for A-D in every pass; its worst residual elsewhere is ~40%, so FFT, whose misses
// cost the most, must promise a 20% win. A pointwise convolution (1x1, stride 1, unpadded) is a
// plain GEMM and always goes to im2col (which then skips im2col).
#include "conv2d_cost.hpp"

#include <algorithm>
#include <cmath>

#include "conv2d_dilated.hpp"
#include "conv2d_internal.hpp"
#include "gemm_tile.hpp"

namespace convlab {

namespace {

using counts = std::array<double, conv2d_cost_terms>;

// The WebAssembly build's batch width, which the costs were measured on.
constexpr int simd_lanes = 4;
using priced_tile = gemm_tile<simd_lanes>;

double cdiv(double a, double b) { return std::ceil(a / b); }

// The direct engine: N images, Cout output channels from Cin channels with an R x S kernel,
// an Ho x Wo output, over a packed input of Hv rows of L floats per channel. Terms: per tile
// and tap, per vector, channel and tap, per tile and input channel, per packed float.
counts direct_engine(double N, int Cout, int Cin, int R, int S, double Ho, int Wo, double Hv,
                     double L) {
    // the register tile of conv2d_direct.cpp's tile_channels / engine_dispatch
    const int KB = Cout < 4 ? Cout : (Cout % 4 != 0 && Cout % 3 == 0) ? 3 : 4;
    const int VB = KB <= 2 ? 4 : 2;
    const double blocks = cdiv(Cout, KB), taps = double(Cin) * R * S;
    const int full = Wo / (VB * simd_lanes);
    const int rest = Wo - full * VB * simd_lanes;
    const double tiles = full + (rest ? 1 : 0);
    const double vectors = full * VB + cdiv(rest, simd_lanes);
    const double rows = N * blocks * Ho;
    return {rows * taps * tiles, rows * taps * vectors * KB, rows * tiles * Cin, N * Cin * Hv * L};
}

// conv2d_direct.cpp's weight gradient, in tiles of up to 3 channels x 3 kernel columns. Terms:
// per tile step, per step, channel and kernel column, per tile, per float read.
counts direct_weight(const conv2d_geometry& g) {
    const double N = g.N, KB = std::min(g.K, 3), s_blocks = cdiv(g.S, 3);
    const double steps = g.Ho * cdiv(g.Wo, simd_lanes);
    const double f = N * cdiv(g.K, KB) * g.C * g.R;
    const double Hp = g.H + g.pad_top + g.pad_bottom, Wp = g.W + g.pad_left + g.pad_right;
    return {f * s_blocks * steps, f * steps * KB * g.S, f * s_blocks * KB * 3,
            N * (g.C * Hp * Wp + double(g.K) * g.Ho * g.Wo)};
}

// gemm (M, Nn, Kd) once per image, plus `copied` floats of im2col / col2im per image, moved
// in `segments` runs (one per column-matrix row and output row: short runs cost their loop).
// Terms: per tile step, per packed float, per call, per tile, per copied float, per segment.
counts gemm(double N, double M, double Nn, double Kd, double copied, double segments) {
    const double tiles = cdiv(M, priced_tile::MR) * cdiv(Nn, priced_tile::NR);
    return {N * tiles * Kd, N * (M * Kd + Kd * Nn), N, N * tiles, N * copied, N * segments};
}

// Terms: per point and log2 of the transform size, per pointwise product, per point.
counts fft(const conv2d_geometry& g) {
    auto pow2 = [](int n) { double p = 1; while (p < n) p *= 2; return p; };
    const double area = pow2(g.H + g.pad_top + g.pad_bottom) * pow2(g.W + g.pad_left + g.pad_right);
    const double transforms = (double(g.N) * g.C + double(g.K) * g.C + double(g.N) * g.K) / 2;
    return {transforms * area * std::log2(area), double(g.N) * g.K * g.C * area,
            transforms * area};
}

counts direct(const conv2d_geometry& g, conv2d_pass pass) {
    const double Hp = g.H + g.pad_top + g.pad_bottom;
    switch (pass) {
        case conv2d_pass::forward: {
            const double L =
                (cdiv(g.Wo, simd_lanes) * simd_lanes + (g.S - 1) / g.stride_w) * g.stride_w;
            return direct_engine(g.N, g.K, g.C, g.R, g.S, g.Ho, g.Wo, Hp, L);
        }
        case conv2d_pass::input: {
            const double L = cdiv(g.W, simd_lanes) * simd_lanes + g.S - 1;
            return direct_engine(g.N, g.C, g.K, g.R, g.S, g.H, g.W, g.H + g.R - 1, L);
        }
        case conv2d_pass::weight: return direct_weight(g);
    }
    return {};
}

counts im2col(const conv2d_geometry& g, conv2d_pass pass) {
    const double crs = double(g.C) * g.R * g.S, hw_out = double(g.Ho) * g.Wo;
    const double copied = conv2d_is_pointwise(g) ? 0 : crs * hw_out;
    const double segments = conv2d_is_pointwise(g) ? 0 : crs * g.Ho;
    switch (pass) {
        case conv2d_pass::forward: return gemm(g.N, g.K, hw_out, crs, copied, segments);
        case conv2d_pass::input: return gemm(g.N, crs, hw_out, g.K, copied, segments);
        case conv2d_pass::weight: return gemm(g.N, g.K, crs, hw_out, copied, segments);
    }
    return {};
}

struct cost_row {
    conv2d_method method;
    conv2d_pass pass;
    double ns[conv2d_cost_terms];
};

constexpr cost_row fitted_costs[] = {
#define CONVLAB_CONV2D_COST(method, pass, ...) \
    {conv2d_method::method, conv2d_pass::pass, {__VA_ARGS__}},
#include "conv2d_cost_coefficients.inc"
#undef CONVLAB_CONV2D_COST
};

double predicted_ns(const conv2d_geometry& g, conv2d_method method, conv2d_pass pass) {
    const counts n = conv2d_cost_counts(g, method, pass);
    for (const cost_row& row : fitted_costs) {
        if (row.method != method || row.pass != pass) continue;
        double t = 0;
        for (std::size_t i = 0; i < conv2d_cost_terms; ++i) t += n[i] * row.ns[i];
        return t;
    }
    return HUGE_VAL;  // not fitted: never picked
}

conv2d_method cheapest(const conv2d_geometry& g, conv2d_pass pass) {
    if (conv2d_is_pointwise(g)) return conv2d_method::im2col;
    const double direct = predicted_ns(g, conv2d_method::direct, pass);
    const double im2col = predicted_ns(g, conv2d_method::im2col, pass);
    if (predicted_ns(g, conv2d_method::fft, pass) < 0.8 * std::min(direct, im2col))
        return conv2d_method::fft;
    return direct <= im2col ? conv2d_method::direct : conv2d_method::im2col;
}

}  // namespace

std::array<double, conv2d_cost_terms> conv2d_cost_counts(const conv2d_geometry& g,
                                                         conv2d_method method, conv2d_pass pass) {
    switch (method) {
        case conv2d_method::direct: return direct(g, pass);
        case conv2d_method::im2col: return im2col(g, pass);
        case conv2d_method::fft: return fft(g);
        default: return {};
    }
}

conv2d_method conv2d_auto_method(const conv2d_geometry& g) {
    if (!conv2d_is_plain(g))
        return conv2d_general_method(g, conv2d_auto_method(conv2d_group_geometry(g)));
    if (conv2d_is_dense(g)) return conv2d_method::im2col;
    return cheapest(g, conv2d_pass::forward);
}

conv2d_backward_methods conv2d_auto_backward_methods(const conv2d_geometry& g) {
    if (!conv2d_is_plain(g)) {
        const conv2d_backward_methods m = conv2d_auto_backward_methods(conv2d_group_geometry(g));
        return {conv2d_general_method(g, m.input), conv2d_general_method(g, m.weight)};
    }
    if (conv2d_is_dense(g)) return {conv2d_method::im2col, conv2d_method::im2col};
    return {cheapest(g, conv2d_pass::input), cheapest(g, conv2d_pass::weight)};
}

}  // namespace convlab
