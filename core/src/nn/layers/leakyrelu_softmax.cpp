// nn/layers/leakyrelu_softmax.cpp: leakyrelu (torch's LeakyReLU: x for x > 0, else
// negativeSlope x) and softmax (torch's Softmax(dim=1) on each example flattened: a
// probability vector over all its elements). Both keep the input's shape. Softmax subtracts
// each example's maximum before exp, so large logits cannot overflow; its backward is the
// Jacobian-vector product dx = y (dy - <dy, y>), never the Jacobian.
#include <algorithm>
#include <cmath>

#include "convlab/common.hpp"
#include "layer.hpp"

namespace convlab::layers {
namespace {

constexpr field_info leaky_fields[] = {{"negativeSlope", field_type::number, "0.01"}};

void leaky_configure(layer_state& l, const std::vector<int>& in, const std::string& at) {
    if (!std::isfinite(l.spec.negative_slope))
        fail(at + "negativeSlope", "expected a finite number, got " + std::to_string(l.spec.negative_slope));
    l.out_shape = in;
}

void leaky_forward(const layer_state& l, const layer_call& c, float* y) {
    const std::size_t n = static_cast<std::size_t>(c.batch) * l.in_size;
    const float slope = static_cast<float>(l.spec.negative_slope);
    for (std::size_t i = 0; i < n; ++i) y[i] = c.x[i] > 0 ? c.x[i] : c.x[i] * slope;
}

// At x = 0 the slope side, as torch's leaky_relu_backward (x > 0 ? dy : dy * slope).
void leaky_backward(const layer_state& l, const layer_call& c, const float* dy, float* dx,
                    float*, float*) {
    if (!dx) return;
    const std::size_t n = static_cast<std::size_t>(c.batch) * l.in_size;
    const float slope = static_cast<float>(l.spec.negative_slope);
    for (std::size_t i = 0; i < n; ++i) dx[i] = c.x[i] > 0 ? dy[i] : dy[i] * slope;
}

void softmax_configure(layer_state& l, const std::vector<int>& in, const std::string&) {
    l.out_shape = in;
}

void softmax_forward(const layer_state& l, const layer_call& c, float* y) {
    const std::size_t n = l.in_size;
    for (int b = 0; b < c.batch; ++b) {
        const float* x = c.x + static_cast<std::size_t>(b) * n;
        float* out = y + static_cast<std::size_t>(b) * n;
        const float top = *std::max_element(x, x + n);
        float sum = 0;
        for (std::size_t i = 0; i < n; ++i) sum += out[i] = std::exp(x[i] - top);
        const float inv = 1.0f / sum;
        for (std::size_t i = 0; i < n; ++i) out[i] *= inv;
    }
}

void softmax_backward(const layer_state& l, const layer_call& c, const float* dy, float* dx,
                      float*, float*) {
    if (!dx) return;
    const std::size_t n = l.in_size;
    for (int b = 0; b < c.batch; ++b) {
        const std::size_t o = static_cast<std::size_t>(b) * n;
        float dot = 0;
        for (std::size_t i = 0; i < n; ++i) dot += dy[o + i] * c.y[o + i];
        for (std::size_t i = 0; i < n; ++i) dx[o + i] = c.y[o + i] * (dy[o + i] - dot);
    }
}

}  // namespace

const layer_def leakyrelu_layer = {"leakyrelu",     leaky_fields,  std::size(leaky_fields),
                                   leaky_configure, leaky_forward, leaky_backward};
const layer_def softmax_layer = {"softmax",         nullptr,         0,
                                 softmax_configure, softmax_forward, softmax_backward};

}  // namespace convlab::layers
