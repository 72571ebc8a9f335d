// nn/sequential.cpp: the layer list of nn/sequential.hpp. It only orchestrates: each layer
// kind's shape rule, forward and backward live in nn/layers/. The constructor checks every
// layer against the shape flowing into it and computes all output shapes up front, so
// forward and backward never meet a bad size. Forward keeps each layer's output (backward and
// the lessons need them); backward walks the layers in reverse, each turning dL/d(output) into
// dL/d(input) and its parameter gradients: the chain rule of eq. (1.5) applied one Jacobian at
// a time, never forming a Jacobian.
// Running a batch through the layers (whole, or in slices of the batch) is sequential_run.cpp.
#include "convlab/nn/sequential.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "named_tensors.hpp"
#include "sequential_impl.hpp"

namespace convlab {

using layers::element_count;
using layers::kMaxElements;
using layers::layer_state;
using layers::mul_capped;
using layers::shape_text;

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
    for (impl::param_state& p : m.params) {
        p.offset = m.param_floats;
        m.param_floats += p.data.size();
    }

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
    for (const impl::buffer_state& b : impl_->buffers)
        views.push_back({b.name, b.shape, b.data->data(), b.data->size()});
    return views;
}

void sequential::set_buffers(const std::vector<buffer_view>& list) {
    std::vector<std::string> names;
    std::vector<std::vector<int>> shapes;
    for (const impl::buffer_state& b : impl_->buffers) names.push_back(b.name), shapes.push_back(b.shape);
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
