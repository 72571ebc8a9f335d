// nn/layers/convtranspose2d.cpp: the convtranspose2d layer (PyTorch's ConvTranspose2d):
// fields, shape rule, forward and backward. Weights are (C_in, out / groups, R, S) and the bias
// (out), as torch's; the default initialisation's fan_in, weight elements per weight_shape[0]
// = (out / groups) R S, is the one torch computes for this weight.
#include <algorithm>

#include "convlab/common.hpp"
#include "convlab/ops/conv_transpose2d.hpp"
#include "layer.hpp"

namespace convlab::layers {
namespace {

constexpr field_info fields[] = {
    {"out", field_type::positive_int, "required"},
    {"kernel", field_type::int_pair, "required"},
    {"stride", field_type::int_pair, "1"},
    // n or [h, w], both sides alike; torch takes no 'same' / 'valid' here
    {"padding", field_type::int_pair, "0"},
    {"outputPadding", field_type::int_pair, "0"},
    {"dilation", field_type::int_pair, "1"},
    {"groups", field_type::positive_int, "1"},
    {"bias", field_type::boolean, "true"},
    {"method", field_type::text, "'auto'"},
};

void configure(layer_state& l, const std::vector<int>& in, const std::string& at) {
    layer_spec& s = l.spec;
    resolve_conv_fields(l, in, at);
    if (s.pad_top < 0 || s.pad_left < 0 || s.pad_top != s.pad_bottom || s.pad_left != s.pad_right)
        fail(at + "padding", "expected a non-negative integer or [h, w]");
    const long long fan_in = mul_capped(mul_capped(s.out / s.groups, s.kernel_h), s.kernel_w);
    if (mul_capped(fan_in, in[0]) > kMaxElements)
        fail(at + "out", "the weights would exceed 2^28 floats");
    try {
        l.transposed = make_conv_transpose2d_geometry(
            1, in[0], in[1], in[2], in[0], s.out / s.groups, s.kernel_h, s.kernel_w, s.stride_h,
            s.stride_w, s.pad_top, s.pad_left, s.output_pad_h, s.output_pad_w, s.dilation_h,
            s.dilation_w, s.groups);
    } catch (const invalid_argument& e) {
        // The geometry names its arguments as the op does; here they are this layer's fields
        // (its sizes come from the layer input and `out`).
        const std::string what = e.what();
        const std::string field = e.argument() == "xShape" || e.argument() == "wShape" ? "out" : e.argument();
        fail(at + field, what.substr(std::min(what.size(), e.argument().size() + 2)));
    }
    l.out_shape = {s.out, l.transposed.conv.H, l.transposed.conv.W};
    l.weight_shape = {in[0], s.out / s.groups, s.kernel_h, s.kernel_w};
    l.bias_size = s.out;
    l.has_bias = s.bias;
}

conv_transpose2d_geometry with_batch(const layer_state& l, int batch) {
    conv_transpose2d_geometry g = l.transposed;
    g.conv.N = batch;
    return g;
}

void forward(const layer_state& l, const layer_call& c, float* y) {
    conv_transpose2d_forward(with_batch(l, c.batch), c.x, c.w, c.b, y, l.spec.method);
}

void backward(const layer_state& l, const layer_call& c, const float* dy, float* dx, float* dw,
              float* db) {
    conv_transpose2d_backward(with_batch(l, c.batch), c.x, c.w, dy, dx, dw, db, l.spec.method);
}

}  // namespace

const layer_def convtranspose2d_layer = {"convtranspose2d", fields, std::size(fields), configure,
                                         forward, backward};

}  // namespace convlab::layers
