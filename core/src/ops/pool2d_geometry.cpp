// pool2d_geometry.cpp: the checked geometry of pooling (PyTorch's output-size rule with
// padding, dilation and ceil mode, and every size checked before anything is allocated).
#include <algorithm>
#include <string>

#include "convlab/common.hpp"
#include "convlab/ops/pool2d.hpp"

namespace convlab {

namespace {

std::string pair_text(long long a, long long b) {
    return "[" + std::to_string(a) + ", " + std::to_string(b) + "]";
}

// PyTorch's pooling_output_shape along one axis (division rounding down, so a window past the
// padded input gives 0 or less, which the caller refuses). 64 bits: eff may be ~2^62.
long long pooled_size(long long n, long long eff, long long stride, long long pad, bool ceil_mode) {
    const long long num = n + 2 * pad - eff + (ceil_mode ? stride - 1 : 0);
    long long out = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1;
    if (ceil_mode && out > 1 && (out - 1) * stride >= n + pad) --out;
    return out;
}

}  // namespace

pool2d_geometry make_pool2d_geometry(int N, int C, int H, int W, int kernel_h, int kernel_w,
                                     int stride_h, int stride_w) {
    return make_pool2d_geometry(N, C, H, W, kernel_h, kernel_w, stride_h, stride_w, 0, 0, 1, 1,
                                false, true);
}

pool2d_geometry make_pool2d_geometry(int N, int C, int H, int W, int kernel_h, int kernel_w,
                                     int stride_h, int stride_w, int pad_h, int pad_w,
                                     int dilation_h, int dilation_w, bool ceil_mode,
                                     bool count_include_pad) {
    auto shape = [&] {
        return "[" + std::to_string(N) + ", " + std::to_string(C) + ", " + std::to_string(H) +
               ", " + std::to_string(W) + "]";
    };
    if (N <= 0 || C <= 0 || H <= 0 || W <= 0)
        fail("xShape", "expected 4 positive sizes (N, C, H, W), got " + shape());
    if ((long long)N * C * H * W > max_tensor_elements)
        fail("xShape", "too many elements in " + shape());
    if (kernel_h <= 0 || kernel_w <= 0)
        fail("kernel", "expected positive sizes, got " + pair_text(kernel_h, kernel_w));
    if (stride_h <= 0 || stride_w <= 0)
        fail("stride", "expected positive strides, got " + pair_text(stride_h, stride_w));
    if (pad_h < 0 || pad_w < 0)
        fail("padding", "expected non-negative padding, got " + pair_text(pad_h, pad_w));
    if (dilation_h <= 0 || dilation_w <= 0)
        fail("dilation", "expected positive dilations, got " + pair_text(dilation_h, dilation_w));
    // PyTorch's rule, which also keeps every window touching the input
    if (pad_h > kernel_h / 2 || pad_w > kernel_w / 2)
        fail("padding", "expected at most half the kernel " + pair_text(kernel_h, kernel_w) +
                            " (as PyTorch), got " + pair_text(pad_h, pad_w));
    if (pad_h > max_padding || pad_w > max_padding)
        fail("padding", "too large (" + pair_text(pad_h, pad_w) + "; the limit is " +
                            std::to_string(max_padding) + ")");
    if (H > max_extent || W > max_extent)
        fail("xShape", "too large (" + shape() + "; the limit is " + std::to_string(max_extent) +
                           " per axis)");
    const long long Hp = (long long)H + 2LL * pad_h, Wp = (long long)W + 2LL * pad_w;
    const long long eff_h = (long long)(kernel_h - 1) * dilation_h + 1;
    const long long eff_w = (long long)(kernel_w - 1) * dilation_w + 1;
    const long long Ho = pooled_size(H, eff_h, stride_h, pad_h, ceil_mode);
    const long long Wo = pooled_size(W, eff_w, stride_w, pad_w, ceil_mode);
    if (Ho < 1 || Wo < 1) {
        // (in ceil mode a window may reach past the padded input, as long as it starts in it)
        const bool dilated = (Ho < 1 && dilation_h > 1) || (Wo < 1 && dilation_w > 1);
        fail(
            dilated ? "dilation" : "kernel",
            "expected a window no larger than the input " + std::to_string(H) + "x" +
                std::to_string(W) +
                (pad_h || pad_w ? " (padded: " + std::to_string(Hp) + "x" + std::to_string(Wp) + ")"
                                : std::string()) +
                ", got " + pair_text(kernel_h, kernel_w) +
                (dilated ? " dilated by " + pair_text(dilation_h, dilation_w) + " (spans " +
                               pair_text(eff_h, eff_w) + ")"
                         : std::string()));
    }
    require_elements({N, C, Ho, Wo}, "xShape");
    pool2d_geometry g{};
    g.N = N, g.C = C, g.H = H, g.W = W;
    g.kernel_h = kernel_h, g.kernel_w = kernel_w;
    // One output along an axis only ever multiplies its stride by 0; any stride of at least
    // Hp + eff gives that one output by the formula above, so a larger one is stored as that,
    // keeping every product of a stride and an index within 32 bits.
    g.stride_h = int(Ho == 1 ? std::min<long long>(stride_h, Hp + eff_h) : stride_h);
    g.stride_w = int(Wo == 1 ? std::min<long long>(stride_w, Wp + eff_w) : stride_w);
    g.pad_h = pad_h, g.pad_w = pad_w;
    g.dilation_h = dilation_h, g.dilation_w = dilation_w;
    g.ceil_mode = ceil_mode;
    g.count_include_pad = count_include_pad;
    g.Ho = int(Ho);
    g.Wo = int(Wo);
    return g;
}

}  // namespace convlab
