// nn/layers/pooling.cpp: maxpool2d and avgpool2d (PyTorch's MaxPool2d / AvgPool2d without
// padding): fields, shape rule, forward and backward.
//
// padding, dilation, ceilMode and countIncludePad are listed so that they are refused by
// name ("not supported") rather than ignored. To wire them once pool2d_geometry carries them:
// give them their field types here, read them in layer_spec_from_fields (nn/spec.cpp), and
// pass them to make_pool2d_geometry in configure() below.
#include "convlab/common.hpp"
#include "layer.hpp"

namespace convlab::layers {
namespace {

constexpr field_info max_fields[] = {
    {"kernel", field_type::int_pair, "required"},
    {"stride", field_type::int_pair, "kernel"},
    {"padding", field_type::unsupported, "0"},
    {"dilation", field_type::unsupported, "1"},
    {"ceilMode", field_type::unsupported, "false"},
};
constexpr field_info avg_fields[] = {
    {"kernel", field_type::int_pair, "required"},
    {"stride", field_type::int_pair, "kernel"},
    {"padding", field_type::unsupported, "0"},
    {"ceilMode", field_type::unsupported, "false"},
    {"countIncludePad", field_type::unsupported, "true"},
};

void configure(layer_state& l, const std::vector<int>& in, const std::string& at) {
    layer_spec& s = l.spec;
    require_spatial_input(l, in, at);
    resolve_kernel_stride(s, true, at);
    if (in[1] < s.kernel_h || in[2] < s.kernel_w)
        fail(at + "kernel", std::to_string(s.kernel_h) + "x" + std::to_string(s.kernel_w) +
                                " window is larger than the input " + std::to_string(in[1]) + "x" +
                                std::to_string(in[2]) + " (layer input " + shape_text(in) + ")");
    require_stride_fits(s.stride_h, in[1], at);
    require_stride_fits(s.stride_w, in[2], at);
    try {
        l.pool = make_pool2d_geometry(1, in[0], in[1], in[2], s.kernel_h, s.kernel_w, s.stride_h,
                                      s.stride_w);
    } catch (const invalid_argument& e) {
        fail(at + "type", e.what());
    }
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
