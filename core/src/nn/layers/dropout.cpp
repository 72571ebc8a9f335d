// nn/layers/dropout.cpp: torch's Dropout. Training: each element is zeroed with probability
// p and the survivors scaled by 1 / (1 - p) ("inverted" dropout, so eval needs no rescaling);
// backward applies the same mask. Eval: the identity. The masks come from the layer's own
// stream, seeded from the network's seed: reproducible run to run, but never torch's masks
// (its generator is not ours).
#include <algorithm>
#include <cmath>

#include "convlab/common.hpp"
#include "convlab/nn/init.hpp"
#include "layer.hpp"

namespace convlab::layers {
namespace {

constexpr field_info fields[] = {{"p", field_type::number, "0.5"}};

void configure(layer_state& l, const std::vector<int>& in, const std::string& at) {
    const double p = l.spec.p;
    // p = 1 would zero everything and divide by zero; torch allows it, a network cannot learn.
    if (!(p >= 0 && p < 1)) fail(at + "p", "expected a number in [0, 1), got " + std::to_string(p));
    l.out_shape = in;
    l.scratch_size = l.in_size;  // the mask
    l.coupling = batch_coupling::in_training;  // one mask stream drawn over the whole batch
}

bool active(const layer_state& l, const layer_call& c) { return c.training && l.spec.p > 0; }

// saved is the mask, (batch, input...): 0 or 1 / (1 - p).
void forward(const layer_state& l, const layer_call& c, float* y) {
    const std::size_t n = static_cast<std::size_t>(c.batch) * l.in_size;
    if (!active(l, c)) {
        std::copy(c.x, c.x + n, y);
        return;
    }
    layer_memory& m = *c.memory;
    m.saved.resize(n);
    init_rng rng(m.rng);
    // Keep when u >= p, u uniform on the 2^24 points k / 2^24 of [0, 1).
    const double threshold = l.spec.p * 16777216.0;
    const float scale = static_cast<float>(1.0 / (1.0 - l.spec.p));
    for (std::size_t i = 0; i < n; ++i) {
        const double k = static_cast<double>(rng.next() >> 40);
        m.saved[i] = k >= threshold ? scale : 0.0f;
        y[i] = c.x[i] * m.saved[i];
    }
    m.rng = rng.next();
}

void backward(const layer_state& l, const layer_call& c, const float* dy, float* dx, float*,
              float*) {
    if (!dx) return;
    const std::size_t n = static_cast<std::size_t>(c.batch) * l.in_size;
    if (!active(l, c)) {
        std::copy(dy, dy + n, dx);
        return;
    }
    const float* mask = c.memory->saved.data();
    for (std::size_t i = 0; i < n; ++i) dx[i] = dy[i] * mask[i];
}

}  // namespace

const layer_def dropout_layer = {"dropout", fields, std::size(fields), configure, forward, backward};

}  // namespace convlab::layers
