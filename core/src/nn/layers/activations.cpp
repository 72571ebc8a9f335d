// nn/layers/activations.cpp: the element-wise layers relu, sigmoid and tanh (no fields, the
// output shape is the input's).
#include "layer.hpp"

namespace convlab::layers {
namespace {

void configure(layer_state& l, const std::vector<int>& in, const std::string& at) {
    l.act = activation_from_name(l.def->type, (at + "type").c_str());
    l.out_shape = in;
}

void forward(const layer_state& l, const layer_call& c, float* y) {
    activation_forward(l.act, c.x, y, static_cast<std::size_t>(c.batch) * l.in_size);
}

void backward(const layer_state& l, const layer_call& c, const float* dy, float* dx, float*, float*) {
    if (dx) activation_backward(l.act, c.x, c.y, dy, dx, static_cast<std::size_t>(c.batch) * l.in_size);
}

}  // namespace

const layer_def relu_layer = {"relu", nullptr, 0, configure, forward, backward};
const layer_def sigmoid_layer = {"sigmoid", nullptr, 0, configure, forward, backward};
const layer_def tanh_layer = {"tanh", nullptr, 0, configure, forward, backward};

}  // namespace convlab::layers
