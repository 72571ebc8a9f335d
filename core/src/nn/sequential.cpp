// nn/sequential.cpp: the layer list of nn/sequential.hpp. It only orchestrates: each layer
// kind's shape rule, forward and backward live in nn/layers/. The constructor checks every
// layer against the shape flowing into it and computes all output shapes up front, so
// forward and backward never meet a bad size. Forward keeps each layer's output (backward and
// the lessons need them); backward walks the layers in reverse, each turning dL/d(output) into
// dL/d(input) and its parameter gradients: the chain rule of eq. (1.5) applied one Jacobian at
// a time, never forming a Jacobian.
#include "convlab/nn/sequential.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "convlab/common.hpp"
#include "convlab/nn/init.hpp"
#include "convlab/nn/sgd.hpp"
#include "layers/layer.hpp"

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
    std::vector<float> velocity;    // (shape...) once a step with momentum has run
};

// Whether a spec sets `field` away from its default: a field its kind does not list is
// almost certainly a mistake in the layer list.
bool spec_sets(const layer_spec& s, std::string_view field) {
    if (field == "out") return s.out != 0;
    if (field == "kernel") return s.kernel_h != 0 || s.kernel_w != 0;
    if (field == "stride") return s.stride_h != 0 || s.stride_w != 0;
    if (field == "padding") return (s.pad_top | s.pad_left | s.pad_bottom | s.pad_right) != 0 || s.pad_same;
    if (field == "dilation") return s.dilation_h != 0 || s.dilation_w != 0;
    if (field == "ceilMode") return s.ceil_mode;
    if (field == "countIncludePad") return !s.count_include_pad;
    if (field == "bias") return !s.bias;
    if (field == "method") return s.method != conv2d_method::automatic;
    if (field == "groups") return s.groups != 0;
    if (field == "outputPadding") return s.output_pad_h != 0 || s.output_pad_w != 0;
    return false;
}

}  // namespace

struct sequential::impl {
    std::vector<int> input_shape;
    std::size_t input_size = 0;
    std::vector<layer_state> layers;
    std::vector<param_state> params;
    std::size_t first_param_layer = 0;  // backward stops here unless dL/dx is wanted
    std::size_t largest_size = 0;       // largest per-example size of the input or any output
    int batch = 0;                      // batch the buffers are laid out for, 0 before any call
    std::vector<float> grad_a, grad_b;  // (batch, largest_size) each: ping-pong for dL/d(act)
    std::vector<float> stage_x;         // (staged batch, input...): staging()
    std::vector<std::int32_t> stage_labels;
    bool has_velocity = false;

    int add_param(std::size_t layer, const char* suffix, std::vector<int> shape) {
        param_state p;
        p.name = std::to_string(layer) + "." + suffix;
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
        long long total = mul_capped(n, 2 * static_cast<long long>(largest_size));
        for (const auto& l : layers) total += mul_capped(n, static_cast<long long>(l.out_size));
        if (total > kMaxElements)
            fail("batch", "too large: " + std::to_string(n) +
                              " examples would need more than 2^28 floats of activations");
        for (auto& l : layers) l.y.resize(static_cast<std::size_t>(n) * l.out_size);
        grad_a.resize(static_cast<std::size_t>(n) * largest_size);
        grad_b.resize(static_cast<std::size_t>(n) * largest_size);
        batch = n;
    }

    layers::layer_call call_of(std::size_t i, const float* x) {
        const layer_state& l = layers[i];
        return {batch, i == 0 ? x : layers[i - 1].y.data(), l.y.data(), data_of(l.weight),
                data_of(l.bias)};
    }

    // x is (batch, input...). Fills every layer's y.
    void run_forward(const float* x) {
        for (std::size_t i = 0; i < layers.size(); ++i)
            layers[i].def->forward(layers[i], call_of(i, x), layers[i].y.data());
    }

    // x is (batch, input...), dy is (batch, output...) = dL/d(network output), and may be
    // grad_a but not grad_b. Overwrites every parameter gradient. Returns dL/dx in grad_a or
    // grad_b when want_dx, else nullptr (and skips the layers before the first parameter).
    const float* run_backward(const float* x, const float* dy, bool want_dx) {
        for (std::size_t i = layers.size(); i-- > 0;) {
            if (!want_dx && i < first_param_layer) break;
            layer_state& l = layers[i];
            const bool need_dx = want_dx || i > first_param_layer;
            float* dx = dy == grad_a.data() ? grad_b.data() : grad_a.data();
            l.def->backward(l, call_of(i, x), dy, need_dx ? dx : nullptr, grad_of(l.weight),
                            grad_of(l.bias));
            dy = dx;
        }
        return want_dx ? dy : nullptr;
    }

    // Checks layer i (spec s) against its input shape `in`, fills its shapes and geometry,
    // and adds its parameters.
    void add_layer(std::size_t i, layer_spec s, const std::vector<int>& in);
};

void sequential::impl::add_layer(std::size_t i, layer_spec s, const std::vector<int>& in) {
    const std::string at = "layers[" + std::to_string(i) + "].";
    const layers::layer_def* def = layers::find_layer(s.type);
    if (def == nullptr) {
        std::vector<std::string> types;
        for (const layers::layer_def* d : layers::all_layers()) types.push_back(d->type);
        fail(at + "type", one_of_text(s.type, types, false));
    }
    for (const char* field : {"out", "kernel", "stride", "padding", "dilation", "ceilMode",
                              "countIncludePad", "bias", "method", "groups", "outputPadding"}) {
        bool listed = false;
        for (std::size_t k = 0; k < def->field_count; ++k)
            listed |= std::string_view(def->fields[k].name) == field &&
                      def->fields[k].type != field_type::unsupported;
        if (!listed && spec_sets(s, field))
            fail(at + field, s.type + " layers take no '" + field + "'");
    }
    layer_state l;
    l.def = def;
    l.in_size = element_count(in);
    l.spec = std::move(s);
    def->configure(l, in, at);
    long long out_size = 1;
    for (int d : l.out_shape) out_size = mul_capped(out_size, d);
    if (out_size > kMaxElements) fail(at + "type", "the output would exceed 2^28 floats");
    l.out_size = static_cast<std::size_t>(out_size);
    if (!l.weight_shape.empty()) {
        l.weight = add_param(i, "weight", l.weight_shape);
        if (l.has_bias) l.bias = add_param(i, "bias", {l.bias_size ? l.bias_size : l.weight_shape[0]});
    }
    layers.push_back(std::move(l));
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
    for (std::size_t i = 0; i < layers.size(); ++i) {
        m.add_layer(i, std::move(layers[i]), shape);
        const layer_state& l = m.layers.back();
        if (l.weight >= 0 && m.first_param_layer == layers.size()) m.first_param_layer = i;
        m.largest_size = std::max(m.largest_size, l.out_size);
        shape = l.out_shape;
    }

    // PyTorch's reset_parameters for Conv2d and Linear: weight and bias both U(-b, b) with
    // b = 1 / sqrt(fan_in), fan_in = weight elements per output unit.
    init_rng rng(seed);
    for (const auto& l : m.layers) {
        if (l.weight < 0) continue;
        param_state& w = m.params[l.weight];
        const float bound =
            default_init_bound(w.data.size() / static_cast<std::size_t>(w.shape[0]));
        init_uniform(rng, w.data.data(), w.data.size(), bound);
        if (l.bias >= 0) {
            param_state& b = m.params[l.bias];
            init_uniform(rng, b.data.data(), b.data.size(), bound);
        }
    }
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
    if (!std::isfinite(options.lr) || options.lr < 0)
        fail("lr", "expected a finite number >= 0, got " + std::to_string(options.lr));
    if (!std::isfinite(options.momentum) || options.momentum < 0)
        fail("momentum", "expected a finite number >= 0, got " + std::to_string(options.momentum));
    const step_result r = backward(x, labels, batch, options.loss);
    impl& m = *impl_;
    const bool first = !m.has_velocity;
    for (auto& p : m.params) {
        if (options.momentum != 0.0f && p.velocity.size() != p.data.size())
            p.velocity.resize(p.data.size());
        sgd_step(p.data.data(), p.grad.data(), p.velocity.data(), p.data.size(), options.lr,
                 options.momentum, first);
    }
    // As in torch.optim.SGD, steps without momentum neither create nor change the buffers.
    if (options.momentum != 0.0f) m.has_velocity = true;
    return r;
}

void sequential::reset_optimizer() { impl_->has_velocity = false; }

bool sequential::has_optimizer_state() const { return impl_->has_velocity; }

std::vector<optimizer_state_view> sequential::optimizer_state() const {
    std::vector<optimizer_state_view> views;
    if (!impl_->has_velocity) return views;
    // has_velocity implies every buffer has its parameter's size (train_step and
    // set_optimizer_state size them all at once).
    views.reserve(impl_->params.size());
    for (const auto& p : impl_->params)
        views.push_back({p.name, p.shape, p.velocity.data(), p.velocity.size()});
    return views;
}

void sequential::set_optimizer_state(const std::vector<optimizer_state_view>& list) {
    impl& m = *impl_;
    if (list.empty()) {
        reset_optimizer();
        return;
    }
    // source[j]: the entry for parameter j. Everything is checked before anything is written.
    std::vector<const optimizer_state_view*> source(m.params.size(), nullptr);
    for (std::size_t i = 0; i < list.size(); ++i) {
        const optimizer_state_view& e = list[i];
        const std::string at = "list[" + std::to_string(i) + "].";
        std::size_t j = 0;
        while (j < m.params.size() && m.params[j].name != e.name) ++j;
        if (j == m.params.size()) {
            std::string names;
            for (const auto& p : m.params) names += (names.empty() ? "'" : ", '") + p.name + "'";
            fail(at + "name", "expected one of " + (names.empty() ? "(no parameters)" : names) +
                                  ", got '" + e.name + "'");
        }
        const param_state& p = m.params[j];
        if (source[j] != nullptr) fail(at + "name", "'" + e.name + "' appears twice");
        if (e.shape != p.shape)
            fail(at + "shape", "expected " + shape_text(p.shape) + " for '" + p.name + "', got " +
                                   shape_text(e.shape));
        if (e.data == nullptr || e.size != p.data.size())
            fail(at + "data", "expected " + std::to_string(p.data.size()) + " elements for shape " +
                                  shape_text(p.shape) + ", got " +
                                  (e.data == nullptr ? "none" : std::to_string(e.size)));
        source[j] = &e;
    }
    for (std::size_t j = 0; j < m.params.size(); ++j)
        if (source[j] == nullptr) fail("list", "missing parameter '" + m.params[j].name + "'");
    for (std::size_t j = 0; j < m.params.size(); ++j)
        m.params[j].velocity.assign(source[j]->data, source[j]->data + source[j]->size);
    m.has_velocity = true;
}

}  // namespace convlab
