// nn/layers/conv2d.cpp: the conv2d layer (PyTorch's Conv2d): fields, shape rule, forward and
// backward. 'same' padding is resolved here, once, into explicit pads (for the dilated
// kernel's extent, as PyTorch does). Weights are (out, C / groups, R, S).
#include <algorithm>

#include "convlab/common.hpp"
#include "layer.hpp"

namespace convlab::layers {

int resolve_conv_fields(layer_state& l, const std::vector<int>& in, const std::string& at) {
    layer_spec& s = l.spec;
    require_spatial_input(l, in, at);
    resolve_kernel_stride(s, false, at);
    if (s.out <= 0)
        fail(at + "out", "expected a positive number of output channels, got " + std::to_string(s.out));
    require_positive(s.out, (at + "out").c_str());
    const int in_channels = in[0];
    if (s.dilation_h == 0) s.dilation_h = 1;
    if (s.dilation_w == 0) s.dilation_w = 1;
    if (s.groups == 0) s.groups = 1;
    require_positive(s.dilation_h, (at + "dilation").c_str());
    require_positive(s.dilation_w, (at + "dilation").c_str());
    require_positive(s.groups, (at + "groups").c_str());
    if (in_channels % s.groups != 0 || s.out % s.groups != 0)
        fail(at + "groups", "expected a divisor of both the input channels (" +
                                std::to_string(in_channels) + ") and out (" + std::to_string(s.out) +
                                "), got " + std::to_string(s.groups));
    return in_channels / s.groups;
}

namespace {

constexpr field_info fields[] = {
    {"out", field_type::positive_int, "required"},
    {"kernel", field_type::int_pair, "required"},
    {"stride", field_type::int_pair, "1"},
    {"padding", field_type::padding, "0"},
    {"bias", field_type::boolean, "true"},
    {"method", field_type::text, "'auto'"},
    {"dilation", field_type::int_pair, "1"},
    {"groups", field_type::positive_int, "1"},
};

void configure(layer_state& l, const std::vector<int>& in, const std::string& at) {
    layer_spec& s = l.spec;
    const int in_channels = resolve_conv_fields(l, in, at);
    // the dilated kernel's extent: what 'same' pads for and what must fit in the padded input
    const long long kh = (s.kernel_h - 1LL) * s.dilation_h + 1, kw = (s.kernel_w - 1LL) * s.dilation_w + 1;
    if (s.pad_top < 0 || s.pad_left < 0 || s.pad_bottom < 0 || s.pad_right < 0)
        fail(at + "padding", "expected non-negative integers, 'same' or 'valid'");
    if (s.pad_same) {
        if (s.pad_top | s.pad_left | s.pad_bottom | s.pad_right)
            fail(at + "padding", "'same' cannot be combined with explicit padding");
        if (s.stride_h != 1 || s.stride_w != 1)
            fail(at + "padding", "'same' needs stride 1, got stride [" + std::to_string(s.stride_h) +
                                     ", " + std::to_string(s.stride_w) + "]");
        if (kh > (1 << 30) || kw > (1 << 30)) fail(at + "dilation", "too large");
        const pad_pair ph = same_padding(int(kh)), pw = same_padding(int(kw));
        s.pad_top = ph.before, s.pad_bottom = ph.after;
        s.pad_left = pw.before, s.pad_right = pw.after;
    }
    if (std::max({s.pad_top, s.pad_left, s.pad_bottom, s.pad_right}) > (1 << 30))
        fail(at + "padding", "too large");
    const long long hp = 0LL + in[1] + s.pad_top + s.pad_bottom;
    const long long wp = 0LL + in[2] + s.pad_left + s.pad_right;
    if (hp < s.kernel_h || wp < s.kernel_w)
        fail(at + "kernel", std::to_string(s.kernel_h) + "x" + std::to_string(s.kernel_w) +
                                " is larger than the padded input " + std::to_string(hp) + "x" +
                                std::to_string(wp) + " (layer input " + shape_text(in) + ")");
    if (hp < kh || wp < kw)
        fail(at + "dilation", "the dilated kernel " + std::to_string(kh) + "x" + std::to_string(kw) +
                                  " is larger than the padded input " + std::to_string(hp) + "x" +
                                  std::to_string(wp) + " (layer input " + shape_text(in) + ")");
    require_stride_fits(s.stride_h, hp, at);
    require_stride_fits(s.stride_w, wp, at);
    const long long fan_in = mul_capped(mul_capped(in_channels, s.kernel_h), s.kernel_w);
    if (mul_capped(fan_in, s.out) > kMaxElements)
        fail(at + "out", "the weights would exceed 2^28 floats");
    try {
        l.conv = make_conv2d_geometry(1, in[0], in[1], in[2], s.out, in_channels, s.kernel_h,
                                      s.kernel_w, s.stride_h, s.stride_w, s.pad_top, s.pad_left,
                                      s.pad_bottom, s.pad_right, s.dilation_h, s.dilation_w,
                                      s.groups);
    } catch (const invalid_argument& e) {
        // The geometry's own limits (the padded input's size) are not all checked above: its
        // refusal names the argument, which becomes this layer's field.
        const std::string what = e.what();
        fail(at + e.argument(), what.substr(std::min(what.size(), e.argument().size() + 2)));
    }
    l.out_shape = {s.out, l.conv.Ho, l.conv.Wo};
    l.weight_shape = {s.out, in_channels, s.kernel_h, s.kernel_w};
    l.has_bias = s.bias;
}

void forward(const layer_state& l, const layer_call& c, float* y) {
    conv2d_geometry g = l.conv;
    g.N = c.batch;
    conv2d_forward(g, c.x, c.w, c.b, y, l.spec.method);
}

void backward(const layer_state& l, const layer_call& c, const float* dy, float* dx, float* dw,
              float* db) {
    conv2d_geometry g = l.conv;
    g.N = c.batch;
    conv2d_backward(g, c.x, c.w, dy, dx, dw, db, l.spec.method);
}

}  // namespace

const layer_def conv2d_layer = {"conv2d", fields, std::size(fields), configure, forward, backward};

}  // namespace convlab::layers
