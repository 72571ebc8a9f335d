// nn/sequential.cpp: the layer list of nn/sequential.hpp. It only orchestrates: each layer
// kind's shape rule, forward and backward live in nn/layers/. The constructor checks every
// layer against the shape flowing into it and computes all output shapes up front, so
// forward and backward never meet a bad size. Forward keeps each layer's output (backward and
// the lessons need them); backward walks the layers in reverse, each turning dL/d(output) into
// dL/d(input) and its parameter gradients: the chain rule of eq. (1.5) applied one Jacobian at
// a time, never forming a Jacobian.
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
#include "convlab/nn/sequential.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>

#include "convlab/common.hpp"
#include "convlab/nn/init.hpp"
#include "convlab/parallel.hpp"
#include "layers/layer.hpp"
#include "named_tensors.hpp"

namespace convlab {
namespace {

using layers::element_count;
using layers::kMaxElements;
using layers::layer_state;
using layers::mul_capped;
using layers::shape_text;

struct param_state {
    std::string name;
    std::vector<int> shape;
    std::vector<float> data, grad;  // (shape...)
};

struct buffer_state {
    std::string name;
    std::vector<int> shape;
    std::vector<float>* data;  // in its layer's memory
};

}  // namespace

struct sequential::impl {
    std::vector<int> input_shape;
    std::size_t input_size = 0;
    std::vector<layer_state> layers;
    std::vector<param_state> params;
    std::vector<buffer_state> buffers;  // in layer order
    bool training = true;
    std::size_t first_param_layer = 0;  // backward stops here unless dL/dx is wanted
    std::size_t largest_size = 0;       // largest per-example size of the input or any output
    int batch = 0;                      // batch the buffers are laid out for, 0 before any call
    // (batch, largest_size) each: ping-pong for dL/d(act); slices use two of them while the
    // third holds the gradient they start from
    std::vector<float> grad_a, grad_b, grad_c;
    // layer i's parameters: params[first_param[i] .. first_param[i + 1])
    std::vector<std::size_t> first_param;
    std::vector<std::size_t> param_offset;  // where params[p]'s gradient starts in a slot
    std::vector<float> grad_slots;          // (slices, floats of the sliced layers' gradients)
    std::vector<float> stage_x;         // (staged batch, input...): staging()
    std::vector<std::int32_t> stage_labels;
    optimizer opt;  // torch's optimizer.state for params

    int add_param(const std::string& prefix, const char* suffix, std::vector<int> shape) {
        param_state p;
        p.name = prefix + "." + suffix;
        p.data.assign(element_count(shape), 0.0f);
        p.grad.assign(p.data.size(), 0.0f);
        p.shape = std::move(shape);
        params.push_back(std::move(p));
        return static_cast<int>(params.size() - 1);
    }
    float* data_of(int index) { return index < 0 ? nullptr : params[index].data.data(); }
    float* grad_of(int index) { return index < 0 ? nullptr : params[index].grad.data(); }

    void check_layer(std::size_t i) const {
        if (i >= layers.size())
            fail("layer", "expected an index below " + std::to_string(layers.size()) + ", got " +
                              std::to_string(i));
    }

    // Lays the buffers out for `n` examples. Vectors never shrink their capacity, so going
    // back to a smaller or equal batch allocates nothing.
    void prepare(int n, const float* x) {
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

    layers::layer_call call_of(std::size_t i, const float* x) {
        const layer_state& l = layers[i];
        return {batch,           i == 0 ? x : layers[i - 1].y.data(),
                l.y.data(),      data_of(l.weight),
                data_of(l.bias), training,
                &layers[i].memory};
    }

    // How the current batch runs: `slices` slices through layers [0, end), then the rest
    // whole. end == 0: every layer whole.
    struct slice_plan {
        std::size_t slices, end;
    };
    slice_plan plan() const {
        const std::size_t n = chunk_count(static_cast<std::size_t>(batch), 1, reduction_chunks);
        const std::size_t rows = static_cast<std::size_t>(batch) / n;
        std::size_t end = 0;
        if (n > 1)
            for (const layer_state& l : layers) {
                if (l.coupling == layers::batch_coupling::always ||
                    (training && l.coupling == layers::batch_coupling::in_training))
                    break;
                std::size_t floats = 0;
                for (std::size_t p = first_param[end]; p < first_param[end + 1]; ++p)
                    floats += params[p].data.size();
                if (floats > rows * l.out_size) break;
                ++end;
            }
        return {end == 0 ? 1 : n, end};
    }

    // The batch is checked against every layer before anything runs, so that a refusal leaves
    // the running statistics untouched.
    void check_training_batch() const {
        if (training)
            for (std::size_t i = 0; i < layers.size(); ++i)
                if (batch < layers[i].min_training_batch)
                    fail("batch", "layers[" + std::to_string(i) + "] (" + layers[i].spec.type +
                                      ") in training mode needs more than one value per "
                                      "channel: a batch of at least " +
                                      std::to_string(layers[i].min_training_batch) +
                                      ", got " + std::to_string(batch) + " (or call eval())");
    }

    // x is (batch, input...). Fills every layer's y.
    void run_forward(const float* x) {
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

    // Layer i's call for the examples of slice s.
    layers::layer_call slice_call(std::size_t i, const float* x, index_span s) {
        layers::layer_call c = call_of(i, x);
        c.batch = static_cast<int>(s.end - s.begin);
        c.x += s.begin * layers[i].in_size;
        c.y += s.begin * layers[i].out_size;
        return c;
    }

    // Backward through the sliced layers [0, p.end), dy = dL/d(output of layer end - 1), (batch,
    // ...), in none of `part`'s buffers. Each slice ping-pongs in its own rows of those two
    // buffers ([begin largest_size, end largest_size)), so none writes where another reads, and
    // writes its parameter gradients to its slot; the slots are then added into the
    // parameters' gradients. Returns dL/dx, (batch, input...), when want_dx.
    const float* backward_slices(const float* x, const float* dy, bool want_dx, slice_plan p,
                                 float* const part[2]) {
        if (!want_dx && p.end <= first_param_layer) return nullptr;  // nothing to compute
        const std::size_t len = first_param[p.end] == params.size()
                                    ? param_offset.back()
                                    : param_offset[first_param[p.end]];
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
                                l.weight < 0 ? nullptr : slot + param_offset[l.weight],
                                l.bias < 0 ? nullptr : slot + param_offset[l.bias]);
                g = dx;
                next ^= 1;
            }
            dx_of[t] = dx;
        });
        tree_sum(grad_slots.data(), p.slices, len, len);
        for (std::size_t q = 0; q < first_param[p.end]; ++q)
            std::copy_n(grad_slots.data() + param_offset[q], params[q].grad.size(),
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

    // x is (batch, input...), dy is (batch, output...) = dL/d(network output), and may be
    // grad_a but not grad_b. Overwrites every parameter gradient. Returns dL/dx in one of the
    // gradient buffers when want_dx, else nullptr (and skips the layers before the first
    // parameter).
    const float* run_backward(const float* x, const float* dy, bool want_dx) {
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

    // Checks layer i (spec s) against its input shape `in`, fills its shapes and geometry,
    // and adds its parameters.
    void add_layer(std::size_t i, layer_spec s, const std::vector<int>& in);
    void add_state(layer_state& l, const std::string& prefix);
    void init_layer(layer_state& l, init_rng& rng, std::uint64_t seed, std::uint64_t& count);
};

void sequential::impl::add_layer(std::size_t i, layer_spec s, const std::vector<int>& in) {
    first_param.push_back(params.size());
    layer_state l;
    layers::configure_layer(l, std::move(s), in, "layers[" + std::to_string(i) + "].");
    layers.push_back(std::move(l));
    add_state(layers.back(), std::to_string(i));
}

// Parameters and buffers of l, then of its sub-layers ("<prefix>.layers.<j>", torch's names
// for a block whose sub-network is an nn.Sequential attribute `layers`), in that order. l is
// in its final place: the buffers' addresses are kept.
void sequential::impl::add_state(layer_state& l, const std::string& prefix) {
    if (!l.weight_shape.empty()) {
        l.weight = add_param(prefix, "weight", l.weight_shape);
        if (l.has_bias) l.bias = add_param(prefix, "bias", {l.bias_size ? l.bias_size : l.weight_shape[0]});
    }
    for (const layers::buffer_info& b : l.buffers)
        l.memory.buffers.emplace_back(element_count(b.shape), b.initial);
    for (std::size_t k = 0; k < l.buffers.size(); ++k)
        buffers.push_back({prefix + "." + l.buffers[k].suffix, l.buffers[k].shape, &l.memory.buffers[k]});
    for (std::size_t j = 0; j < l.sub.size(); ++j) add_state(l.sub[j], prefix + ".layers." + std::to_string(j));
}

// PyTorch's reset_parameters for Conv2d and Linear: weight and bias both U(-b, b) with
// b = 1 / sqrt(fan_in), fan_in = weight elements per output unit; batch norm's gamma = 1,
// beta = 0 without drawing. Layer by layer, sub-layers in place. Also gives each layer its
// own random stream (dropout's masks), apart from the initialisation's so that adding a
// dropout layer does not change any parameter, and points l.w / l.b / l.dw / l.db at its
// parameters (the params vector is complete: its storage no longer moves).
void sequential::impl::init_layer(layer_state& l, init_rng& rng, std::uint64_t seed,
                                  std::uint64_t& count) {
    l.memory.rng = init_rng(seed ^ (0xD1B54A32D192ED03ull * ++count)).next();
    l.w = data_of(l.weight), l.b = data_of(l.bias);
    l.dw = grad_of(l.weight), l.db = grad_of(l.bias);
    if (l.weight >= 0) {
        param_state& w = params[l.weight];
        float* b = data_of(l.bias);
        if (l.init_ones_zeros) {
            std::fill(w.data.begin(), w.data.end(), 1.0f);
            if (b) std::fill(b, b + params[l.bias].data.size(), 0.0f);
        } else {
            const float bound = default_init_bound(w.data.size() / static_cast<std::size_t>(w.shape[0]));
            init_uniform(rng, w.data.data(), w.data.size(), bound);
            if (b) init_uniform(rng, b, params[l.bias].data.size(), bound);
        }
    }
    for (layer_state& s : l.sub) init_layer(s, rng, seed, count);
}

sequential::sequential(std::vector<layer_spec> layers, std::vector<int> input_shape,
                       std::uint64_t seed)
    : impl_(std::make_unique<impl>()) {
    impl& m = *impl_;
    if (input_shape.size() != 1 && input_shape.size() != 3)
        fail("inputShape", "expected [C, H, W] or [features], got " +
                               std::to_string(input_shape.size()) + " dimensions");
    long long in_size = 1;
    for (int d : input_shape) {
        if (d <= 0) fail("inputShape", "expected positive sizes, got " + shape_text(input_shape));
        require_positive(d, "inputShape");
        in_size = mul_capped(in_size, d);
    }
    if (in_size > kMaxElements) fail("inputShape", "one example would exceed 2^28 floats");
    if (layers.empty()) fail("layers", "expected at least one layer");
    m.input_shape = std::move(input_shape);
    m.input_size = static_cast<std::size_t>(in_size);
    m.largest_size = m.input_size;

    std::vector<int> shape = m.input_shape;
    m.first_param_layer = layers.size();
    m.layers.reserve(layers.size());  // buffer_state points into each layer's memory
    for (std::size_t i = 0; i < layers.size(); ++i) {
        m.add_layer(i, std::move(layers[i]), shape);
        const layer_state& l = m.layers.back();
        if (layers::holds_parameters(l) && m.first_param_layer == layers.size()) m.first_param_layer = i;
        m.largest_size = std::max(m.largest_size, l.out_size);
        shape = l.out_shape;
    }

    m.first_param.push_back(m.params.size());
    std::size_t offset = 0;
    for (const param_state& p : m.params) {
        m.param_offset.push_back(offset);
        offset += p.data.size();
    }
    m.param_offset.push_back(offset);

    init_rng rng(seed);
    std::uint64_t count = 0;
    for (auto& l : m.layers) m.init_layer(l, rng, seed, count);
    // params is complete: its vectors keep their addresses from here on.
    std::vector<optimizer_param> bound;
    for (auto& p : m.params) bound.push_back({p.name, p.shape, p.data.data(), p.grad.data(), p.data.size()});
    m.opt.bind(std::move(bound));
}

sequential::~sequential() = default;

const std::vector<int>& sequential::input_shape() const { return impl_->input_shape; }
const std::vector<int>& sequential::output_shape() const { return impl_->layers.back().out_shape; }
std::size_t sequential::input_size() const { return impl_->input_size; }
std::size_t sequential::output_size() const { return impl_->layers.back().out_size; }
std::size_t sequential::layer_count() const { return impl_->layers.size(); }

const layer_spec& sequential::layer(std::size_t i) const {
    impl_->check_layer(i);
    return impl_->layers[i].spec;
}

const std::vector<int>& sequential::layer_output_shape(std::size_t i) const {
    impl_->check_layer(i);
    return impl_->layers[i].out_shape;
}

std::vector<parameter_view> sequential::parameters() {
    std::vector<parameter_view> views;
    views.reserve(impl_->params.size());
    for (auto& p : impl_->params)
        views.push_back({p.name, p.shape, p.data.data(), p.grad.data(), p.data.size()});
    return views;
}

std::size_t sequential::parameter_count() const {
    std::size_t n = 0;
    for (const auto& p : impl_->params) n += p.data.size();
    return n;
}

void sequential::set_training(bool training) { impl_->training = training; }

bool sequential::training() const { return impl_->training; }

std::vector<buffer_view> sequential::buffers() const {
    std::vector<buffer_view> views;
    views.reserve(impl_->buffers.size());
    for (const buffer_state& b : impl_->buffers)
        views.push_back({b.name, b.shape, b.data->data(), b.data->size()});
    return views;
}

void sequential::set_buffers(const std::vector<buffer_view>& list) {
    std::vector<std::string> names;
    std::vector<std::vector<int>> shapes;
    for (const buffer_state& b : impl_->buffers) names.push_back(b.name), shapes.push_back(b.shape);
    const std::vector<std::size_t> source = match_named(list, names, shapes, "buffer");
    for (std::size_t j = 0; j < source.size(); ++j) {
        const buffer_view& e = list[source[j]];
        std::copy(e.data, e.data + e.size, impl_->buffers[j].data->begin());
    }
}

const float* sequential::forward(const float* x, int batch) {
    impl_->prepare(batch, x);
    impl_->run_forward(x);
    return impl_->layers.back().y.data();
}

const float* sequential::layer_output(std::size_t i) const {
    impl_->check_layer(i);
    return impl_->batch == 0 ? nullptr : impl_->layers[i].y.data();
}

int sequential::last_batch() const { return impl_->batch; }

step_result sequential::backward(const float* x, const std::int32_t* labels, int batch,
                                 loss_kind loss) {
    require(labels != nullptr, "labels", "expected one class index per example");
    const float* y = forward(x, batch);
    impl& m = *impl_;
    // The loss gradient goes to grad_a; run_backward then alternates grad_b, grad_a, ...
    const loss_result r = loss_forward_backward(loss, y, labels, static_cast<std::size_t>(batch),
                                                output_size(), m.grad_a.data());
    m.run_backward(x, m.grad_a.data(), false);
    return {r.loss, static_cast<double>(r.correct) / batch};
}

step_result sequential::evaluate(const float* x, const std::int32_t* labels, int batch,
                                 loss_kind loss, std::int32_t* predictions) {
    require(labels != nullptr, "labels", "expected one class index per example");
    const float* y = forward(x, batch);
    const std::size_t classes = output_size();
    const loss_result r = loss_forward_backward(loss, y, labels, static_cast<std::size_t>(batch),
                                                classes, nullptr);
    if (predictions != nullptr)
        for (int b = 0; b < batch; ++b) {
            const float* row = y + static_cast<std::size_t>(b) * classes;
            predictions[b] = static_cast<std::int32_t>(std::max_element(row, row + classes) - row);
        }
    return {r.loss, static_cast<double>(r.correct) / batch};
}

staging_view sequential::staging(int batch) {
    require_positive(batch, "batch");
    impl& m = *impl_;
    const long long n = mul_capped(batch, static_cast<long long>(m.input_size));
    if (n > kMaxElements) fail("batch", "too large: the staged inputs would exceed 2^28 floats");
    const std::size_t need = static_cast<std::size_t>(n);
    if (m.stage_x.size() < need) m.stage_x.resize(need);
    if (m.stage_labels.size() < static_cast<std::size_t>(batch)) m.stage_labels.resize(batch);
    return {m.stage_x.data(), m.stage_labels.data(), batch};
}

const float* sequential::vjp(const float* x, int batch, const float* grad_output) {
    require(grad_output != nullptr, "gradOutput", "expected (batch, output...) values");
    forward(x, batch);
    return impl_->run_backward(x, grad_output, true);
}

step_result sequential::train_step(const float* x, const std::int32_t* labels, int batch,
                                   const train_options& options) {
    impl_->opt.check(options);  // before backward: a refused step changes nothing
    const step_result r = backward(x, labels, batch, options.loss);
    impl_->opt.step(options);
    return r;
}

void sequential::reset_optimizer() { impl_->opt.reset(); }

bool sequential::has_optimizer_state() const { return !impl_->opt.empty(); }

std::vector<optimizer_state_view> sequential::optimizer_state() const { return impl_->opt.views(); }

void sequential::set_optimizer_state(const std::vector<optimizer_state_view>& list) {
    impl_->opt.load(list);
}

}  // namespace convlab
