// conv_transpose2d.cpp: the transposed convolution as the adjoint of conv2d (see
// convlab/ops/conv_transpose2d.hpp), so it runs on every conv2d method and inherits their
// dilation and groups. The plain loops are in conv_transpose2d_ref.cpp.
#include "convlab/ops/conv_transpose2d.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "convlab/common.hpp"

namespace convlab {

namespace {

std::string pair_text(long long a, long long b) {
    return "[" + std::to_string(a) + ", " + std::to_string(b) + "]";
}

// Output extent of one axis, checked: "padding" when it is not positive.
long long output_extent(long long in, long long stride, long long pad, long long output_pad,
                        long long dilation, long long kernel) {
    return (in - 1) * stride - 2 * pad + dilation * (kernel - 1) + output_pad + 1;
}

float* workspace(std::size_t n) {
    thread_local std::vector<float> buffer;
    if (buffer.size() < n) buffer.resize(n);
    return buffer.data();
}

bool padded(const conv_transpose2d_geometry& g) { return g.H != g.conv.Ho || g.W != g.conv.Wo; }

// x (N, C, H, W) -> xp (N, C, conv.Ho, conv.Wo), the rows and columns past the input zero.
void pad_input(const conv_transpose2d_geometry& g, const float* x, float* xp) {
    const conv2d_geometry& c = g.conv;
    std::fill(xp, xp + std::size_t(c.N) * c.K * c.Ho * c.Wo, 0.f);
    for (std::size_t p = 0; p < std::size_t(c.N) * c.K; ++p)
        for (int i = 0; i < g.H; ++i)
            std::memcpy(xp + (p * c.Ho + i) * c.Wo, x + (p * g.H + i) * g.W, sizeof(float) * g.W);
}

}  // namespace

conv_transpose2d_geometry make_conv_transpose2d_geometry(
    int N, int C, int H, int W, int Cw, int out_per_group, int R, int S, int stride_h,
    int stride_w, int pad_h, int pad_w, int output_pad_h, int output_pad_w, int dilation_h,
    int dilation_w, int groups) {
    for (int v : {N, C, H, W})
        require(v > 0, "xShape", "expected 4 positive sizes (N, C, H, W)");
    for (int v : {Cw, out_per_group, R, S})
        require(v > 0, "wShape", "expected 4 positive sizes (C, out / groups, R, S)");
    require(Cw == C, "wShape",
            "expected " + std::to_string(C) + " input channels (xShape[1]) in wShape[0], got " +
                std::to_string(Cw));
    if (stride_h < 1 || stride_w < 1)
        fail("stride", "expected positive integers, got " + pair_text(stride_h, stride_w));
    if (dilation_h < 1 || dilation_w < 1)
        fail("dilation", "expected positive integers, got " + pair_text(dilation_h, dilation_w));
    if (pad_h < 0 || pad_w < 0 || pad_h > max_padding || pad_w > max_padding)
        fail("padding", "expected integers in [0, " + std::to_string(max_padding) + "], got " +
                            pair_text(pad_h, pad_w));
    if (groups < 1) fail("groups", "expected a positive integer, got " + std::to_string(groups));
    if (C % groups != 0)
        fail("groups", "expected a divisor of the input channels (" + std::to_string(C) +
                           "), got " + std::to_string(groups));
    if (output_pad_h < 0 || output_pad_w < 0 ||
        (output_pad_h >= stride_h && output_pad_h >= dilation_h) ||
        (output_pad_w >= stride_w && output_pad_w >= dilation_w))
        fail("outputPadding", "must be smaller than stride or dilation (as in PyTorch), got " +
                                  pair_text(output_pad_h, output_pad_w) + " with stride " +
                                  pair_text(stride_h, stride_w) + " and dilation " +
                                  pair_text(dilation_h, dilation_w));
    const long long Ho = output_extent(H, stride_h, pad_h, output_pad_h, dilation_h, R);
    const long long Wo = output_extent(W, stride_w, pad_w, output_pad_w, dilation_w, S);
    if (Ho < 1 || Wo < 1)
        fail("padding", "too large: the output would be " + std::to_string(Ho) + "x" +
                            std::to_string(Wo) + " (padding " + pair_text(pad_h, pad_w) + ")");
    if (Ho > max_extent || Wo > max_extent)
        fail("xShape", "too large: the output would be " + std::to_string(Ho) + "x" +
                           std::to_string(Wo) + "; the limit is " + std::to_string(max_extent) +
                           " per axis");
    const long long out = 1LL * out_per_group * groups;
    if (out > (1LL << 30)) fail("wShape", "too many output channels");
    conv_transpose2d_geometry g{};
    g.conv = make_conv2d_geometry(N, int(out), int(Ho), int(Wo), C, out_per_group, R, S,
                                  stride_h, stride_w, pad_h, pad_w, pad_h, pad_w, dilation_h,
                                  dilation_w, groups);
    g.H = H, g.W = W;
    // conv's output has H + floor(output_pad_h / stride_h) rows: at least this op's input
    require_elements({N, C, g.conv.Ho, g.conv.Wo}, "xShape");
    return g;
}

void conv_transpose2d_forward(const conv_transpose2d_geometry& g, const float* x, const float* w,
                              const float* bias, float* y, conv2d_method method) {
    const conv2d_geometry& c = g.conv;
    const float* dy = x;
    if (padded(g)) {
        float* xp = workspace(std::size_t(c.N) * c.K * c.Ho * c.Wo);
        pad_input(g, x, xp);
        dy = xp;
    }
    // conv's input gradient; its x argument feeds only the weight gradient (not asked for
    // here), so y, of x's size, stands in for it
    conv2d_backward(c, y, w, dy, y, nullptr, nullptr, method);
    if (bias) {
        const std::size_t plane = std::size_t(c.H) * c.W;
        for (int n = 0; n < c.N; ++n)
            for (int o = 0; o < c.C; ++o) {
                float* p = y + (std::size_t(n) * c.C + o) * plane;
                for (std::size_t i = 0; i < plane; ++i) p[i] += bias[o];
            }
    }
}

void conv_transpose2d_backward(const conv_transpose2d_geometry& g, const float* x,
                               const float* w, const float* dy, float* dx, float* dw, float* db,
                               conv2d_method method) {
    const conv2d_geometry& c = g.conv;
    const std::size_t conv_out = std::size_t(c.N) * c.K * c.Ho * c.Wo;
    if (dx) {
        if (padded(g)) {
            float* full = workspace(conv_out);
            conv2d_forward(c, dy, w, nullptr, full, method);
            for (std::size_t p = 0; p < std::size_t(c.N) * c.K; ++p)
                for (int i = 0; i < g.H; ++i)
                    std::memcpy(dx + (p * g.H + i) * g.W, full + (p * c.Ho + i) * c.Wo,
                                sizeof(float) * g.W);
        } else {
            conv2d_forward(c, dy, w, nullptr, dx, method);
        }
    }
    if (dw) {
        const float* xs = x;
        if (padded(g)) {
            float* xp = workspace(conv_out);
            pad_input(g, x, xp);
            xs = xp;
        }
        conv2d_backward(c, dy, w, xs, nullptr, dw, nullptr, method);
    }
    if (db) {
        const std::size_t plane = std::size_t(c.H) * c.W;
        for (int o = 0; o < c.C; ++o) {
            double acc = 0;
            for (int n = 0; n < c.N; ++n) {
                const float* p = dy + (std::size_t(n) * c.C + o) * plane;
                for (std::size_t i = 0; i < plane; ++i) acc += p[i];
            }
            db[o] = float(acc);
        }
    }
}

}  // namespace convlab
