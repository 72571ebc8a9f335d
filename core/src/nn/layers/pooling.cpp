// nn/layers/pooling.cpp: maxpool2d and avgpool2d, PyTorch's MaxPool2d / AvgPool2d (padding,
// dilation for max, ceilMode, countIncludePad): fields, shape rule, forward and backward.
// The shape rule and its checks are make_pool2d_geometry's, so the layer and cl.maxPool2d /
// cl.avgPool2d agree on every size.
#include <algorithm>

#include "convlab/common.hpp"
#include "layer.hpp"

namespace convlab::layers {
namespace {

constexpr field_info max_fields[] = {
    {"kernel", field_type::int_pair, "required"},
    {"stride", field_type::int_pair, "kernel"},
    {"padding", field_type::int_pair, "0"},
    {"dilation", field_type::int_pair, "1"},
    {"ceilMode", field_type::boolean, "false"},
};
constexpr field_info avg_fields[] = {
    {"kernel", field_type::int_pair, "required"},
    {"stride", field_type::int_pair, "kernel"},
    {"padding", field_type::int_pair, "0"},
    {"ceilMode", field_type::boolean, "false"},
    {"countIncludePad", field_type::boolean, "true"},
};

void configure(layer_state& l, const std::vector<int>& in, const std::string& at) {
    layer_spec& s = l.spec;
    require_spatial_input(l, in, at);
    resolve_kernel_stride(s, true, at);
    // A spec built in C++ can set what JavaScript cannot: 'same', or unequal sides.
    if (s.pad_same || s.pad_top != s.pad_bottom || s.pad_left != s.pad_right)
        fail(at + "padding", "pooling pads both sides of an axis alike (n or [h, w]), got [" +
                                 std::to_string(s.pad_top) + ", " + std::to_string(s.pad_left) +
                                 ", " + std::to_string(s.pad_bottom) + ", " +
                                 std::to_string(s.pad_right) + "]" + (s.pad_same ? " 'same'" : ""));
    try {
        l.pool = make_pool2d_geometry(1, in[0], in[1], in[2], s.kernel_h, s.kernel_w, s.stride_h,
                                      s.stride_w, s.pad_top, s.pad_left,
                                      s.dilation_h ? s.dilation_h : 1,
                                      s.dilation_w ? s.dilation_w : 1, s.ceil_mode,
                                      s.count_include_pad);
    } catch (const invalid_argument& e) {
        // "kernel: ..." -> "layers[i].kernel: ... (layer input [C, H, W])"
        const std::string what = e.what();
        fail(at + e.argument(), what.substr(std::min(what.size(), e.argument().size() + 2)) +
                                    " (layer input " + shape_text(in) + ")");
    }
    // After the geometry, so that a window too large for the input is named as the kernel.
    require_stride_fits(s.stride_h, in[1] + 2LL * s.pad_top, at);
    require_stride_fits(s.stride_w, in[2] + 2LL * s.pad_left, at);
    l.out_shape = {in[0], l.pool.Ho, l.pool.Wo};
}

pool2d_geometry for_batch(const layer_state& l, int batch) {
    pool2d_geometry g = l.pool;
    g.N = batch;
    return g;
}

void max_forward(const layer_state& l, const layer_call& c, float* y) {
    max_pool2d_forward(for_batch(l, c.batch), c.x, y);
}

void max_backward(const layer_state& l, const layer_call& c, const float* dy, float* dx, float*,
                  float*) {
    if (dx) max_pool2d_backward(for_batch(l, c.batch), c.x, dy, dx);
}

void avg_forward(const layer_state& l, const layer_call& c, float* y) {
    avg_pool2d_forward(for_batch(l, c.batch), c.x, y);
}

void avg_backward(const layer_state& l, const layer_call& c, const float* dy, float* dx, float*,
                  float*) {
    if (dx) avg_pool2d_backward(for_batch(l, c.batch), dy, dx);
}

}  // namespace

const layer_def maxpool2d_layer = {"maxpool2d",  max_fields,  std::size(max_fields),
                                   configure,    max_forward, max_backward};
const layer_def avgpool2d_layer = {"avgpool2d",  avg_fields,  std::size(avg_fields),
                                   configure,    avg_forward, avg_backward};

}  // namespace convlab::layers
