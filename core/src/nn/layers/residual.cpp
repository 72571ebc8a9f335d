// nn/layers/residual.cpp: a residual block, y = x + f(x), with f a sub-list of layers whose
// output shape equals its input's (He et al.'s identity shortcut; the notes' "allow for large
// depth"). Each sub-layer is configured, initialised and named like a layer of the network
// ("<i>.layers.<j>.weight"); the block runs them in order and, backward, in reverse, adding
// the shortcut's gradient dy to what flows out of f. Left out: projection shortcuts (a
// shortcut that changes the shape), which torch writes as a module of its own.
#include <algorithm>

#include "convlab/common.hpp"
#include "layer.hpp"

namespace convlab::layers {
namespace {

constexpr field_info fields[] = {{"layers", field_type::layer_list, "required"}};

void configure(layer_state& l, const std::vector<int>& in, const std::string& at) {
    std::vector<layer_spec>& specs = l.spec.layers;
    if (specs.empty()) fail(at + "layers", "expected at least one layer (y = x + f(x))");
    l.sub.resize(specs.size());
    std::vector<int> shape = in;
    std::size_t largest = l.in_size;
    for (std::size_t j = 0; j < specs.size(); ++j) {
        configure_layer(l.sub[j], specs[j], shape, at + "layers[" + std::to_string(j) + "].");
        largest = std::max(largest, l.sub[j].out_size);
        l.scratch_size += l.sub[j].out_size + l.sub[j].scratch_size;
        specs[j] = l.sub[j].spec;  // with its defaults filled in, as the network's own layers
        shape = l.sub[j].out_shape;
        l.min_training_batch = std::max(l.min_training_batch, l.sub[j].min_training_batch);
    }
    if (shape != in)
        fail(at + "layers", "the sub-network maps " + shape_text(in) + " to " + shape_text(shape) +
                                ": x + f(x) needs the output shape equal to the input's");
    l.out_shape = in;
    l.scratch_size += 2 * largest;  // layout_of's ping-pong buffers
    l.coupling = batch_coupling::always;  // memory.saved is laid out per call
}

// memory.saved holds, for `batch` examples: each sub-layer's output, then two buffers of the
// largest sub-layer size for the gradients flowing back (ping-pong).
struct layout {
    std::vector<std::size_t> offset;  // of sub-layer j's output
    std::size_t ping, pong;
};
layout layout_of(const layer_state& l, int batch) {
    layout s;
    std::size_t at = 0, largest = l.in_size;
    for (const layer_state& sub : l.sub) {
        s.offset.push_back(at);
        at += static_cast<std::size_t>(batch) * sub.out_size;
        largest = std::max(largest, sub.out_size);
    }
    s.ping = at;
    s.pong = at + static_cast<std::size_t>(batch) * largest;
    l.memory.saved.resize(s.pong + static_cast<std::size_t>(batch) * largest);
    return s;
}

layer_call sub_call(const layer_state& l, const layer_call& c, const layout& s, std::size_t j) {
    float* saved = l.memory.saved.data();
    const layer_state& sub = l.sub[j];
    return {c.batch, j == 0 ? c.x : saved + s.offset[j - 1], saved + s.offset[j], sub.w, sub.b,
            c.training, &sub.memory};
}

void forward(const layer_state& l, const layer_call& c, float* y) {
    const layout s = layout_of(l, c.batch);
    for (std::size_t j = 0; j < l.sub.size(); ++j) {
        const layer_call sc = sub_call(l, c, s, j);
        l.sub[j].def->forward(l.sub[j], sc, const_cast<float*>(sc.y));
    }
    const float* f = l.memory.saved.data() + s.offset.back();
    const std::size_t n = static_cast<std::size_t>(c.batch) * l.in_size;
    for (std::size_t i = 0; i < n; ++i) y[i] = c.x[i] + f[i];
}

// dL/dx = dy (the shortcut) + J_f^T dy. Sub-layer 0 gets no dx buffer when the network
// does not want dL/dx here: its parameter gradients are all that is needed.
void backward(const layer_state& l, const layer_call& c, const float* dy, float* dx, float*,
              float*) {
    const layout s = layout_of(l, c.batch);  // the forward's: same batch, nothing moves
    float* saved = l.memory.saved.data();
    const float* g = dy;
    for (std::size_t j = l.sub.size(); j-- > 0;) {
        float* out = g == saved + s.ping ? saved + s.pong : saved + s.ping;
        const layer_state& sub = l.sub[j];
        sub.def->backward(sub, sub_call(l, c, s, j), g, j > 0 || dx ? out : nullptr, sub.dw, sub.db);
        g = out;
    }
    if (!dx) return;
    const std::size_t n = static_cast<std::size_t>(c.batch) * l.in_size;
    for (std::size_t i = 0; i < n; ++i) dx[i] = dy[i] + g[i];
}

}  // namespace

const layer_def residual_layer = {"residual", fields, std::size(fields), configure, forward, backward};

}  // namespace convlab::layers
