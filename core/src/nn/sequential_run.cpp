// nn/sequential_run.cpp: running a batch through a sequential network's layers, forward and
// backward.
//
// Slices: the layers at the front of a network that treat each example on its own (see
// layers::batch_coupling) and have few parameters for their activations (convolutions,
// pooling, activations: not a dense layer, whose weights a slice would read once more and
// whose gradient it would add once more) run a batch as fixed slices, each slice through all
// of those layers in one task of the thread pool, forward and then backward. A slice's
// activations stay in its thread's cache, and a training step hands the pool two jobs for
// them instead of several per layer. Each slice writes its parameter gradients to a slot of
// its own; the slots are added in a fixed tree. The slices depend on the batch size only
// (chunk_count(batch, 1, reduction_chunks), like every batch sum in the kernels), so no
// result depends on the thread count (convlab/parallel.hpp). The remaining layers run over
// the whole batch, one after another, each kernel split over the pool.
#include <algorithm>
#include <cstring>
#include <functional>
#include <string>

#include "sequential_impl.hpp"

namespace convlab {

using layers::kMaxElements;
using layers::layer_state;
using layers::mul_capped;

void sequential::impl::prepare(int n, const float* x) {
    require(x != nullptr, "x", "expected an input array");
    require_positive(n, "batch");
    if (n == batch) return;
    long long total = mul_capped(n, 3 * static_cast<long long>(largest_size));
    for (const auto& l : layers) total += mul_capped(n, static_cast<long long>(l.out_size + l.scratch_size));
    if (total > kMaxElements)
        fail("batch", "too large: " + std::to_string(n) +
                          " examples would need more than 2^28 floats of activations");
    for (auto& l : layers) l.y.resize(static_cast<std::size_t>(n) * l.out_size);
    grad_a.resize(static_cast<std::size_t>(n) * largest_size);
    grad_b.resize(static_cast<std::size_t>(n) * largest_size);
    grad_c.resize(static_cast<std::size_t>(n) * largest_size);
    batch = n;
}

sequential::impl::slice_plan sequential::impl::plan() const {
    const std::size_t n = chunk_count(static_cast<std::size_t>(batch), 1, reduction_chunks);
    const std::size_t rows = static_cast<std::size_t>(batch) / n;
    std::size_t end = 0;
    if (n > 1)
        for (const layer_state& l : layers) {
            if (l.coupling == layers::batch_coupling::always ||
                (training && l.coupling == layers::batch_coupling::in_training))
                break;
            if (floats_before(end + 1) - floats_before(end) > rows * l.out_size) break;
            ++end;
        }
    return {end == 0 ? 1 : n, end};
}

void sequential::impl::check_training_batch() const {
    if (training)
        for (std::size_t i = 0; i < layers.size(); ++i)
            if (batch < layers[i].min_training_batch)
                fail("batch", "layers[" + std::to_string(i) + "] (" + layers[i].spec.type +
                                  ") in training mode needs more than one value per "
                                  "channel: a batch of at least " +
                                  std::to_string(layers[i].min_training_batch) +
                                  ", got " + std::to_string(batch) + " (or call eval())");
}

void sequential::impl::run_forward(const float* x) {
    check_training_batch();
    const slice_plan p = plan();
    if (p.end > 0)
        parallel_for(p.slices, [&](std::size_t t) {
            const index_span s = chunk_span(static_cast<std::size_t>(batch), p.slices, t);
            for (std::size_t i = 0; i < p.end; ++i)
                layers[i].def->forward(layers[i], slice_call(i, x, s),
                                       layers[i].y.data() + s.begin * layers[i].out_size);
        });
    for (std::size_t i = p.end; i < layers.size(); ++i)
        layers[i].def->forward(layers[i], call_of(i, x), layers[i].y.data());
}

layers::layer_call sequential::impl::slice_call(std::size_t i, const float* x, index_span s) {
    layers::layer_call c = call_of(i, x);
    c.batch = static_cast<int>(s.end - s.begin);
    c.x += s.begin * layers[i].in_size;
    c.y += s.begin * layers[i].out_size;
    return c;
}

const float* sequential::impl::backward_slices(const float* x, const float* dy, bool want_dx,
                                              slice_plan p, float* const part[2]) {
    if (!want_dx && p.end <= first_param_layer) return nullptr;  // nothing to compute
    const std::size_t len = floats_before(p.end);
    if (grad_slots.size() < p.slices * len) grad_slots.resize(p.slices * len);
    float* dx_of[reduction_chunks];
    const std::size_t dy_size = layers[p.end - 1].out_size;
    parallel_for(p.slices, [&](std::size_t t) {
        const index_span s = chunk_span(static_cast<std::size_t>(batch), p.slices, t);
        float* slot = grad_slots.data() + t * len;
        const float* g = dy + s.begin * dy_size;
        float* dx = nullptr;
        int next = 0;
        for (std::size_t i = p.end; i-- > 0;) {
            if (!want_dx && i < first_param_layer) break;
            layer_state& l = layers[i];
            dx = part[next] + s.begin * largest_size;
            l.def->backward(l, slice_call(i, x, s), g,
                            want_dx || i > first_param_layer ? dx : nullptr,
                            l.weight < 0 ? nullptr : slot + params[l.weight].offset,
                            l.bias < 0 ? nullptr : slot + params[l.bias].offset);
            g = dx;
            next ^= 1;
        }
        dx_of[t] = dx;
    });
    tree_sum(grad_slots.data(), p.slices, len, len);
    for (std::size_t q = 0; q < first_param[p.end]; ++q)
        std::copy_n(grad_slots.data() + params[q].offset, params[q].grad.size(),
                    params[q].grad.data());
    if (!want_dx) return nullptr;
    // Each slice's dL/dx sits at the start of its rows of one buffer: packed into (batch,
    // input...) in order, each moving to a lower or equal address past the ones before it.
    float* packed = dx_of[0];
    for (std::size_t t = 1; t < p.slices; ++t) {
        const index_span s = chunk_span(static_cast<std::size_t>(batch), p.slices, t);
        std::memmove(packed + s.begin * input_size, dx_of[t],
                     (s.end - s.begin) * input_size * sizeof(float));
    }
    return packed;
}

const float* sequential::impl::run_backward(const float* x, const float* dy, bool want_dx) {
    const slice_plan p = plan();
    for (std::size_t i = layers.size(); i-- > p.end;) {
        if (!want_dx && i < first_param_layer) break;
        layer_state& l = layers[i];
        const bool need_dx = want_dx || i > first_param_layer;
        float* dx = dy == grad_a.data() ? grad_b.data() : grad_a.data();
        l.def->backward(l, call_of(i, x), dy, need_dx ? dx : nullptr, grad_of(l.weight),
                        grad_of(l.bias));
        dy = dx;
    }
    if (p.end > 0) {
        // the slices ping-pong in the two buffers dy is not in
        auto inside = [&](const std::vector<float>& v) {
            return !std::less<const float*>()(dy, v.data()) &&
                   std::less<const float*>()(dy, v.data() + v.size());
        };
        float* const part[2] = {inside(grad_a) ? grad_c.data() : grad_a.data(),
                                inside(grad_b) ? grad_c.data() : grad_b.data()};
        return backward_slices(x, dy, want_dx, p, part);
    }
    return want_dx ? dy : nullptr;
}

}  // namespace convlab
