// nn/layers/globalavgpool2d.cpp: torch's AdaptiveAvgPool2d(1): (C, H, W) -> (C, 1, 1), each
// channel's mean. Backward spreads dy / (H W) over the channel.
#include "layer.hpp"

namespace convlab::layers {
namespace {

void configure(layer_state& l, const std::vector<int>& in, const std::string& at) {
    require_spatial_input(l, in, at);
    l.out_shape = {in[0], 1, 1};
}

// x is (batch * C, S) with S = H * W; y is (batch * C).
void forward(const layer_state& l, const layer_call& c, float* y) {
    const std::size_t rows = static_cast<std::size_t>(c.batch) * l.out_size;
    const std::size_t S = l.in_size / l.out_size;
    for (std::size_t r = 0; r < rows; ++r) {
        const float* row = c.x + r * S;
        float sum = 0;
        for (std::size_t s = 0; s < S; ++s) sum += row[s];
        y[r] = sum / static_cast<float>(S);
    }
}

void backward(const layer_state& l, const layer_call& c, const float* dy, float* dx, float*,
              float*) {
    if (!dx) return;
    const std::size_t rows = static_cast<std::size_t>(c.batch) * l.out_size;
    const std::size_t S = l.in_size / l.out_size;
    for (std::size_t r = 0; r < rows; ++r) {
        const float g = dy[r] / static_cast<float>(S);
        for (std::size_t s = 0; s < S; ++s) dx[r * S + s] = g;
    }
}

}  // namespace

const layer_def globalavgpool2d_layer = {"globalavgpool2d", nullptr, 0, configure, forward, backward};

}  // namespace convlab::layers
