// nn/layers/dense.cpp: the fully connected layer (PyTorch's Linear) on a flat input.
#include "convlab/common.hpp"
#include "convlab/ops/dense.hpp"
#include "layer.hpp"

namespace convlab::layers {
namespace {

constexpr field_info fields[] = {
    {"out", field_type::positive_int, "required"},
    {"bias", field_type::boolean, "true"},
};

void configure(layer_state& l, const std::vector<int>& in, const std::string& at) {
    const layer_spec& s = l.spec;
    if (s.out <= 0)
        fail(at + "out", "expected a positive number of output features, got " + std::to_string(s.out));
    require_positive(s.out, (at + "out").c_str());
    if (in.size() != 1)
        fail(at + "type", "dense needs a flat input, but its input is " + shape_text(in) +
                              ": add { type: 'flatten' } before it");
    if (mul_capped(in[0], s.out) > kMaxElements)
        fail(at + "out", "the weights would exceed 2^28 floats");
    l.out_shape = {s.out};
    l.weight_shape = {s.out, in[0]};
    l.has_bias = s.bias;
}

void forward(const layer_state& l, const layer_call& c, float* y) {
    dense_forward(c.x, c.w, c.b, y, static_cast<std::size_t>(c.batch), l.in_size, l.out_size);
}

void backward(const layer_state& l, const layer_call& c, const float* dy, float* dx, float* dw,
              float* db) {
    dense_backward(c.x, c.w, dy, dx, dw, db, static_cast<std::size_t>(c.batch), l.in_size,
                   l.out_size);
}

}  // namespace

const layer_def dense_layer = {"dense", fields, std::size(fields), configure, forward, backward};

}  // namespace convlab::layers
