// nn/layers/flatten.cpp: (C, H, W) -> (C * H * W), a copy both ways.
#include <algorithm>

#include "layer.hpp"

namespace convlab::layers {
namespace {

void configure(layer_state& l, const std::vector<int>&, const std::string&) {
    l.out_shape = {static_cast<int>(l.in_size)};
}

// A copy, not an alias: layer_output must stay valid after the caller frees x, and the copy
// costs nothing next to any real layer.
void forward(const layer_state& l, const layer_call& c, float* y) {
    std::copy(c.x, c.x + static_cast<std::size_t>(c.batch) * l.in_size, y);
}

void backward(const layer_state& l, const layer_call& c, const float* dy, float* dx, float*, float*) {
    if (dx) std::copy(dy, dy + static_cast<std::size_t>(c.batch) * l.in_size, dx);
}

}  // namespace

const layer_def flatten_layer = {"flatten", nullptr, 0, configure, forward, backward};

}  // namespace convlab::layers
