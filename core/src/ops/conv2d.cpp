// conv2d.cpp: what every 2-D convolution method shares: the registry's names, the checked
// geometry, the dispatch from a method to its implementation, and the 'automatic' choice.
// The methods themselves live in conv2d_ref.cpp, conv2d_direct.cpp, conv2d_im2col.cpp and
// conv2d_fft.cpp.
#include "convlab/ops/conv2d.hpp"

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "conv2d_internal.hpp"
#include "convlab/common.hpp"
#include "kernel_arch.hpp"

namespace convlab {

conv2d_method conv2d_method_from_name(std::string_view name, const char* argument) {
#define CONVLAB_CONV2D_VARIANT(id, text) \
    if (name == text) return conv2d_method::id;
#include "convlab/ops/conv2d_variants.inc"
#undef CONVLAB_CONV2D_VARIANT
    if (name == "auto") return conv2d_method::automatic;
    std::string expected = "expected one of";
#define CONVLAB_CONV2D_VARIANT(id, text) expected += std::string(" '") + text + "',";
#include "convlab/ops/conv2d_variants.inc"
#undef CONVLAB_CONV2D_VARIANT
    fail(argument, expected + " 'auto', got '" + std::string(name) + "'");
}

const char* conv2d_method_name(conv2d_method method) {
    switch (method) {
#define CONVLAB_CONV2D_VARIANT(id, text) \
    case conv2d_method::id: return text;
#include "convlab/ops/conv2d_variants.inc"
#undef CONVLAB_CONV2D_VARIANT
        case conv2d_method::automatic: return "auto";
    }
    return "auto";
}

namespace {

std::string shape_text(long long a, long long b, long long c, long long d) {
    return "[" + std::to_string(a) + ", " + std::to_string(b) + ", " + std::to_string(c) + ", " +
           std::to_string(d) + "]";
}

// Element counts are kept below 2^31 so int indices and the float buffers JS hands us fit.
void require_count(long long a, long long b, long long c, long long d, const char* argument) {
    const long long limit = 1LL << 31;
    long long n = a;
    for (long long f : {b, c, d}) {
        if (n > limit / f) fail(argument, "too many elements in " + shape_text(a, b, c, d));
        n *= f;
    }
    if (n >= limit) fail(argument, "too many elements in " + shape_text(a, b, c, d));
}

}  // namespace

conv2d_geometry make_conv2d_geometry(int N, int C, int H, int W, int K, int Cw, int R, int S,
                                     int stride_h, int stride_w, int pad_top, int pad_left,
                                     int pad_bottom, int pad_right) {
    for (int v : {N, C, H, W})
        require(v > 0, "xShape",
                "expected 4 positive sizes (N, C, H, W), got " + shape_text(N, C, H, W));
    for (int v : {K, Cw, R, S})
        require(v > 0, "wShape",
                "expected 4 positive sizes (K, C, R, S), got " + shape_text(K, Cw, R, S));
    require_count(N, C, H, W, "xShape");
    require_count(K, Cw, R, S, "wShape");
    require(Cw == C, "wShape",
            "expected " + std::to_string(C) + " input channels to match xShape[1], got " +
                std::to_string(Cw));
    require(stride_h > 0 && stride_w > 0, "stride",
            "expected positive strides, got [" + std::to_string(stride_h) + ", " +
                std::to_string(stride_w) + "]");
    // (messages are built only on failure: a network makes geometries in its training step)
    auto pads = [&] {
        return "[" + std::to_string(pad_top) + ", " + std::to_string(pad_left) + ", " +
               std::to_string(pad_bottom) + ", " + std::to_string(pad_right) +
               "] (top, left, bottom, right)";
    };
    for (int p : {pad_top, pad_left, pad_bottom, pad_right}) {
        if (p < 0) fail("padding", "expected non-negative padding, got " + pads());
        if (p > max_padding)
            fail("padding", "too large (" + pads() + "; the limit is " +
                                std::to_string(max_padding) + " per side)");
    }
    if (H > max_extent || W > max_extent)
        fail("xShape", "too large (" + shape_text(N, C, H, W) + "; the limit is " +
                           std::to_string(max_extent) + " per axis)");
    const long long Hp = (long long)H + pad_top + pad_bottom;
    const long long Wp = (long long)W + pad_left + pad_right;
    if (Hp > max_extent || Wp > max_extent)
        fail("padding", "too large for this input (" + pads() + " makes it " +
                            std::to_string(Hp) + "x" + std::to_string(Wp) + "; the limit is " +
                            std::to_string(max_extent) + " per axis)");
    if (R > Hp || S > Wp)
        fail("wShape", "kernel larger than the padded input: kernel " + std::to_string(R) + "x" +
                           std::to_string(S) + ", padded input " + std::to_string(Hp) + "x" +
                           std::to_string(Wp));
    // A stride past Hp - R + 1 leaves one output row, whose window starts at 0: the stride then
    // only ever multiplies 0, and Hp - R + 1 gives the same Ho by the same formula. Storing that
    // keeps every method's buffers (the direct method keeps one phase per stride step) bounded
    // by the input, so a stride of 2^30 costs what a stride of Hp does.
    stride_h = int(std::min<long long>(stride_h, Hp - R + 1));
    stride_w = int(std::min<long long>(stride_w, Wp - S + 1));
    conv2d_geometry g{};
    g.N = N, g.C = C, g.H = H, g.W = W;
    g.K = K, g.R = R, g.S = S;
    g.stride_h = stride_h, g.stride_w = stride_w;
    g.pad_top = pad_top, g.pad_left = pad_left, g.pad_bottom = pad_bottom, g.pad_right = pad_right;
    g.Ho = int((Hp - R) / stride_h + 1);
    g.Wo = int((Wp - S) / stride_w + 1);
    // the largest buffer any method derives from the input: the padded image
    require_elements({N, C, Hp, Wp}, "padding");
    require_count(N, K, g.Ho, g.Wo, "xShape");
    return g;
}

void conv2d_bias_backward(const conv2d_geometry& g, const float* dy, float* db) {
    using batch = xsimd::batch<float, kernel_arch>;
    constexpr std::size_t width = batch::size;
    const std::size_t plane = std::size_t(g.Ho) * g.Wo;
    for (int k = 0; k < g.K; ++k) {
        double acc = 0;
        for (int n = 0; n < g.N; ++n) {
            const float* d = dy + (std::size_t(n) * g.K + k) * plane;
            batch part(0.f);
            std::size_t p = 0;
            for (; p + width <= plane; p += width) part += batch::load_unaligned(d + p);
            float sum = xsimd::hadd(part);
            for (; p < plane; ++p) sum += d[p];
            acc += sum;
        }
        db[k] = float(acc);
    }
}

void conv2d_forward(const conv2d_geometry& g, const float* x, const float* w, const float* bias,
                    float* y, conv2d_method method) {
    if (method == conv2d_method::automatic) method = conv2d_auto_method(g);
    switch (method) {
        case conv2d_method::direct: conv2d_direct_forward(g, x, w, bias, y); return;
        case conv2d_method::im2col: conv2d_im2col_forward(g, x, w, bias, y); return;
        case conv2d_method::fft: conv2d_fft_forward(g, x, w, bias, y); return;
        case conv2d_method::automatic: break;
    }
    conv2d_forward_ref(g, x, w, bias, y);
}

void conv2d_backward(const conv2d_geometry& g, const float* x, const float* w, const float* dy,
                     float* dx, float* dw, float* db, conv2d_method method) {
    if (method == conv2d_method::automatic) {
        // the two gradients are separate computations: each gets its fastest method
        const conv2d_backward_methods m = conv2d_auto_backward_methods(g);
        if (m.input == m.weight || !dx || !(dw || db)) {
            conv2d_backward(g, x, w, dy, dx, dw, db, dx ? m.input : m.weight);
        } else {
            conv2d_backward(g, x, w, dy, dx, nullptr, nullptr, m.input);
            conv2d_backward(g, x, w, dy, nullptr, dw, db, m.weight);
        }
        return;
    }
    switch (method) {
        case conv2d_method::direct: conv2d_direct_backward(g, x, w, dy, dx, dw, db); return;
        case conv2d_method::im2col: conv2d_im2col_backward(g, x, w, dy, dx, dw, db); return;
        case conv2d_method::fft: conv2d_fft_backward(g, x, w, dy, dx, dw, db); return;
        case conv2d_method::automatic: break;
    }
    conv2d_backward_ref(g, x, w, dy, dx, dw, db);
}

// ---- the cost model behind 'automatic' ------------------------------------------------------
//
// Each method's time is predicted as a sum of counted operations times a cost per operation
// (nanoseconds), the counts following the loops of conv2d_direct.cpp, conv2d_im2col.cpp (over
// gemm.cpp's 6 x 8 register tile) and conv2d_fft.cpp for 4-lane SIMD (the WebAssembly build;
// native builds use the same numbers as a proxy). How the costs were measured: bench/calibrate/conv2d/
// driver, built with em++ -O3 -msimd128 -msse2 and run in Node 20 (one thread) on this
// project's 2-core AMD EPYC (Zen 5) machine, timed forward, input-gradient and weight-gradient
// passes of every method on 27 shapes (A-D of the benchmark; LeNet-like 1- and 6-channel 5x5;
// ResNet-like 3x3 with 32 to 512 channels; pointwise 8 to 256 channels, stride 1 and 2; stride
// 2 with 3x3, 5x5, 7x7; 7x7 to 31x31 kernels over 1 to 16 channels), each the minimum of two
// runs of >= 20 ms of process CPU time (process.cpuUsage, so other processes on the shared
// machine do not count). The costs are a non-negative least-squares fit of these counts to the
// times, minimising relative error (A-D weighted 3x), one fit per method and pass. The model picks within 10% of
// the fastest method for A-D in every pass; its worst residual elsewhere is ~40%, so FFT, whose
// misses cost the most, must promise a 20% win. A pointwise convolution (1x1, stride 1,
// unpadded) is a plain GEMM and always goes to im2col (which then skips im2col).

namespace {

constexpr double simd_lanes = 4;

double cdiv(double a, double b) { return std::ceil(a / b); }

// The direct engine: N images, Cout output channels from Cin channels with an R x S kernel,
// an Ho x Wo output, over a packed input of Hv rows of L floats per channel.
struct engine_cost {
    double per_tile_tap, per_vector_channel_tap, per_tile_channel, per_packed;
};

double direct_engine_ns(double N, int Cout, int Cin, int R, int S, double Ho, int Wo, double Hv,
                        double L, const engine_cost& c) {
    // the register tile of conv2d_direct.cpp's tile_channels / engine_dispatch
    const int KB = Cout < 4 ? Cout : (Cout % 4 != 0 && Cout % 3 == 0) ? 3 : 4;
    const int VB = KB <= 2 ? 4 : 2;
    const double blocks = cdiv(Cout, KB), taps = double(Cin) * R * S;
    const int full = Wo / int(VB * simd_lanes);
    const int rest = Wo - full * int(VB * simd_lanes);
    const double tiles = full + (rest ? 1 : 0);
    const double vectors = full * VB + cdiv(rest, simd_lanes);
    const double rows = N * blocks * Ho;
    return rows * taps * (tiles * c.per_tile_tap + vectors * KB * c.per_vector_channel_tap) +
           rows * tiles * Cin * c.per_tile_channel + N * Cin * Hv * L * c.per_packed;
}

struct gemm_cost {
    double per_tile_step, per_packed, per_call, per_tile, per_copy, per_copy_segment;
};

// gemm (M, Nn, Kd) once per image, plus `copied` floats of im2col / col2im per image, moved
// in `segments` runs (one per column-matrix row and output row: short runs cost their loop).
double gemm_ns(double N, double M, double Nn, double Kd, double copied, double segments,
               const gemm_cost& c) {
    const double tiles = cdiv(M, 6) * cdiv(Nn, 8);
    return N * (tiles * Kd * c.per_tile_step + (M * Kd + Kd * Nn) * c.per_packed + c.per_call +
                tiles * c.per_tile + copied * c.per_copy + segments * c.per_copy_segment);
}

struct fft_cost {
    double per_point_log, per_product, per_point;
};

double fft_ns(const conv2d_geometry& g, const fft_cost& c) {
    auto pow2 = [](int n) { double p = 1; while (p < n) p *= 2; return p; };
    const double area = pow2(g.H + g.pad_top + g.pad_bottom) * pow2(g.W + g.pad_left + g.pad_right);
    const double transforms = (double(g.N) * g.C + double(g.K) * g.C + double(g.N) * g.K) / 2;
    return transforms * area * (std::log2(area) * c.per_point_log + c.per_point) +
           double(g.N) * g.K * g.C * area * c.per_product;
}

// Fitted costs, in ns (see above). Forward, input gradient, weight gradient. Zeros are
// terms the fit found no use for (GEMM packing is absorbed by the per-step cost).
constexpr engine_cost direct_forward_cost{0.447, 0.07432, 0.1694, 0.7111};
constexpr engine_cost direct_input_cost{0.3573, 0.08386, 0.2473, 0.5337};
constexpr double direct_weight_cost[4] = {1.652, 0.002394, 2.548, 0.761};
constexpr gemm_cost im2col_forward_cost{1.574, 0, 0, 3.466, 0.1264, 7.911};
constexpr gemm_cost im2col_input_cost{1.805, 0, 0, 0, 0.2691, 8.149};
constexpr gemm_cost im2col_weight_cost{1.645, 0.0562, 3860, 3.289, 0.1321, 5.682};
constexpr fft_cost fft_forward_cost{0, 0.1687, 9.003};
constexpr fft_cost fft_input_cost{0, 0.2104, 9.269};
constexpr fft_cost fft_weight_cost{0, 0.243, 9.268};

struct predicted {
    double direct, im2col, fft;
};

enum class pass { forward, input, weight };

predicted predict(const conv2d_geometry& g, pass which) {
    const double N = g.N, crs = double(g.C) * g.R * g.S, hw_out = double(g.Ho) * g.Wo;
    const double copied = conv2d_is_pointwise(g) ? 0 : crs * hw_out;
    const double segments = conv2d_is_pointwise(g) ? 0 : crs * g.Ho;
    const double Hp = g.H + g.pad_top + g.pad_bottom;
    predicted p{};
    switch (which) {
        case pass::forward: {
            const double L = (cdiv(g.Wo, simd_lanes) * simd_lanes + (g.S - 1) / g.stride_w) * g.stride_w;
            p.direct = direct_engine_ns(N, g.K, g.C, g.R, g.S, g.Ho, g.Wo, Hp, L, direct_forward_cost);
            p.im2col = gemm_ns(N, g.K, hw_out, crs, copied, segments, im2col_forward_cost);
            p.fft = fft_ns(g, fft_forward_cost);
            break;
        }
        case pass::input: {
            const double L = cdiv(g.W, simd_lanes) * simd_lanes + g.S - 1;
            p.direct = direct_engine_ns(N, g.C, g.K, g.R, g.S, g.H, g.W, g.H + g.R - 1, L,
                                        direct_input_cost);
            p.im2col = gemm_ns(N, crs, hw_out, g.K, copied, segments, im2col_input_cost);
            p.fft = fft_ns(g, fft_input_cost);
            break;
        }
        case pass::weight: {
            // conv2d_direct.cpp's dw tiles: 3 channels x up to 3 kernel columns
            const double KB = std::min(g.K, 3);
            const double s_blocks = cdiv(g.S, 3);
            const double steps = g.Ho * cdiv(g.Wo, simd_lanes);
            const double f = N * cdiv(g.K, KB) * g.C * g.R;
            const double* c = direct_weight_cost;
            p.direct = f * (s_blocks * steps * c[0] + steps * KB * g.S * c[1] + s_blocks * KB * 3 * c[2]) +
                       N * (g.C * Hp * (g.W + g.pad_left + g.pad_right) + double(g.K) * hw_out) * c[3];
            p.im2col = gemm_ns(N, g.K, crs, hw_out, copied, segments, im2col_weight_cost);
            p.fft = fft_ns(g, fft_weight_cost);
            break;
        }
    }
    return p;
}

conv2d_method cheapest(const predicted& p, const conv2d_geometry& g) {
    if (conv2d_is_pointwise(g)) return conv2d_method::im2col;
    const double best_other = std::min(p.direct, p.im2col);
    if (p.fft < 0.8 * best_other) return conv2d_method::fft;
    return p.direct <= p.im2col ? conv2d_method::direct : conv2d_method::im2col;
}

}  // namespace

conv2d_method conv2d_auto_method(const conv2d_geometry& g) {
    return cheapest(predict(g, pass::forward), g);
}

conv2d_backward_methods conv2d_auto_backward_methods(const conv2d_geometry& g) {
    return {cheapest(predict(g, pass::input), g), cheapest(predict(g, pass::weight), g)};
}

}  // namespace convlab
