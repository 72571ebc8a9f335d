// conv2d.cpp: what every 2-D convolution method shares: the registry's names, the checked
// geometry and the dispatch from a method to its implementation ('automatic' is priced by
// conv2d_cost.cpp). The methods themselves live in conv2d_ref.cpp, conv2d_direct.cpp,
// conv2d_im2col.cpp and conv2d_fft.cpp.
#include "convlab/ops/conv2d.hpp"

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "conv2d_internal.hpp"
#include "convlab/common.hpp"
#include "convlab/parallel.hpp"
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

// Each channel's sum runs over the batch in one fixed order; threads take whole channels.
void conv2d_bias_backward(const conv2d_geometry& g, const float* dy, float* db) {
    using batch = xsimd::batch<float, kernel_arch>;
    constexpr std::size_t width = batch::size;
    const std::size_t plane = std::size_t(g.Ho) * g.Wo;
    const std::size_t chunks = chunk_count(g.K, std::max<std::size_t>(1, 65536 / std::max<std::size_t>(1, plane * g.N)), 64);
    parallel_for(chunks, [&](std::size_t t) {
        const index_span ks = chunk_span(g.K, chunks, t);
        for (std::size_t k = ks.begin; k < ks.end; ++k) {
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
    });
}

void conv2d_forward(const conv2d_geometry& g, const float* x, const float* w, const float* bias,
                    float* y, conv2d_method method) {
    if (method == conv2d_method::automatic) method = conv2d_auto_method(g);
    if (!conv2d_is_plain(g)) return conv2d_general_forward(g, x, w, bias, y, method);
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
    if (!conv2d_is_plain(g)) return conv2d_general_backward(g, x, w, dy, dx, dw, db, method);
    switch (method) {
        case conv2d_method::direct: conv2d_direct_backward(g, x, w, dy, dx, dw, db); return;
        case conv2d_method::im2col: conv2d_im2col_backward(g, x, w, dy, dx, dw, db); return;
        case conv2d_method::fft: conv2d_fft_backward(g, x, w, dy, dx, dw, db); return;
        case conv2d_method::automatic: break;
    }
    conv2d_backward_ref(g, x, w, dy, dx, dw, db);
}

// The 'automatic' choices (conv2d_auto_method, conv2d_auto_backward_methods) are the cost
// model of conv2d_cost.cpp.

}  // namespace convlab
