// nn/sequential.cpp: the layer list of nn/sequential.hpp. The constructor checks every layer
// against the shape flowing into it and computes all output shapes up front, so forward and
// backward never meet a bad size. Forward keeps each layer's output (backward and the
// lessons need them); backward walks the layers in reverse, each op's backward turning
// dL/d(output) into dL/d(input) and its parameter gradients: the chain rule of eq. (1.5)
// applied one Jacobian at a time, never forming a Jacobian.
#include "convlab/nn/sequential.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "convlab/common.hpp"
#include "convlab/nn/init.hpp"
#include "convlab/nn/sgd.hpp"
#include "convlab/ops/activation.hpp"
#include "convlab/ops/dense.hpp"
#include "convlab/ops/pool2d.hpp"

namespace convlab {
namespace {

enum class layer_kind { conv2d, relu, sigmoid, tanh, maxpool2d, avgpool2d, flatten, dense };

const char* const kLayerTypes =
    "expected one of conv2d, relu, sigmoid, tanh, maxpool2d, avgpool2d, flatten, dense";

// Most floats in one example's activation, one parameter tensor, or a batch's workspace:
// keeps every index product far from overflow and the total within WebAssembly memory (1 GB).
constexpr long long kMaxElements = 1LL << 28;

// a * b, saturated just above kMaxElements so that chains of products cannot overflow.
long long mul_capped(long long a, long long b) {
    if (a != 0 && b > (kMaxElements + 1) / a) return kMaxElements + 1;
    return std::min(a * b, kMaxElements + 1);
}

std::string shape_text(const std::vector<int>& s) {
    std::string t = "(";
    for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + ")";
}

std::size_t element_count(const std::vector<int>& s) {
    std::size_t n = 1;
    for (int d : s) n *= static_cast<std::size_t>(d);
    return n;
}

struct layer_state {
    layer_spec spec;  // defaults filled in
    layer_kind kind;
    std::vector<int> out_shape;     // one example
    std::size_t in_size, out_size;  // elements of one example
    conv2d_geometry conv{};         // N is set per call
    pool2d_geometry pool{};
    activation act = activation::relu;
    int weight = -1, bias = -1;  // indices into impl::params, -1 when absent
    std::vector<float> y;        // (batch, out_shape...)
};

struct param_state {
    std::string name;
    std::vector<int> shape;
    std::vector<float> data, grad;  // (shape...)
    std::vector<float> velocity;    // (shape...) once a step with momentum has run
};

layer_kind kind_from_type(const std::string& type, const std::string& argument) {
    if (type == "conv2d") return layer_kind::conv2d;
    if (type == "relu") return layer_kind::relu;
    if (type == "sigmoid") return layer_kind::sigmoid;
    if (type == "tanh") return layer_kind::tanh;
    if (type == "maxpool2d") return layer_kind::maxpool2d;
    if (type == "avgpool2d") return layer_kind::avgpool2d;
    if (type == "flatten") return layer_kind::flatten;
    if (type == "dense") return layer_kind::dense;
    fail(argument, std::string(kLayerTypes) + ", got '" + type + "'");
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

    // x is (batch, input...). Fills every layer's y.
    void run_forward(const float* x) {
        const std::size_t B = static_cast<std::size_t>(batch);
        const float* in = x;
        for (auto& l : layers) {
            float* out = l.y.data();
            switch (l.kind) {
                case layer_kind::conv2d: {
                    conv2d_geometry g = l.conv;
                    g.N = batch;
                    conv2d_forward(g, in, data_of(l.weight), data_of(l.bias), out, l.spec.method);
                    break;
                }
                case layer_kind::relu:
                case layer_kind::sigmoid:
                case layer_kind::tanh:
                    activation_forward(l.act, in, out, B * l.in_size);
                    break;
                case layer_kind::maxpool2d: {
                    pool2d_geometry g = l.pool;
                    g.N = batch;
                    max_pool2d_forward(g, in, out);
                    break;
                }
                case layer_kind::avgpool2d: {
                    pool2d_geometry g = l.pool;
                    g.N = batch;
                    avg_pool2d_forward(g, in, out);
                    break;
                }
                case layer_kind::flatten:
                    // A copy, not an alias: layer_output must stay valid after the caller
                    // frees x, and the copy costs nothing next to any real layer.
                    std::copy(in, in + B * l.in_size, out);
                    break;
                case layer_kind::dense:
                    dense_forward(in, data_of(l.weight), data_of(l.bias), out, B, l.in_size,
                                  l.out_size);
                    break;
            }
            in = out;
        }
    }

    // x is (batch, input...), dy is (batch, output...) = dL/d(network output), and may be
    // grad_a but not grad_b. Overwrites every parameter gradient. Returns dL/dx in grad_a or
    // grad_b when want_dx, else nullptr (and skips the layers before the first parameter).
    const float* run_backward(const float* x, const float* dy, bool want_dx) {
        const std::size_t B = static_cast<std::size_t>(batch);
        for (std::size_t i = layers.size(); i-- > 0;) {
            if (!want_dx && i < first_param_layer) break;
            layer_state& l = layers[i];
            const float* in = i == 0 ? x : layers[i - 1].y.data();
            const bool need_dx = want_dx || i > first_param_layer;
            float* dx = dy == grad_a.data() ? grad_b.data() : grad_a.data();
            switch (l.kind) {
                case layer_kind::conv2d: {
                    conv2d_geometry g = l.conv;
                    g.N = batch;
                    conv2d_backward(g, in, data_of(l.weight), dy, need_dx ? dx : nullptr,
                                    grad_of(l.weight), grad_of(l.bias), l.spec.method);
                    break;
                }
                case layer_kind::relu:
                case layer_kind::sigmoid:
                case layer_kind::tanh:
                    if (need_dx) activation_backward(l.act, in, l.y.data(), dy, dx, B * l.in_size);
                    break;
                case layer_kind::maxpool2d: {
                    pool2d_geometry g = l.pool;
                    g.N = batch;
                    if (need_dx) max_pool2d_backward(g, in, dy, dx);
                    break;
                }
                case layer_kind::avgpool2d: {
                    pool2d_geometry g = l.pool;
                    g.N = batch;
                    if (need_dx) avg_pool2d_backward(g, dy, dx);
                    break;
                }
                case layer_kind::flatten:
                    if (need_dx) std::copy(dy, dy + B * l.in_size, dx);
                    break;
                case layer_kind::dense:
                    dense_backward(in, data_of(l.weight), dy, need_dx ? dx : nullptr,
                                   grad_of(l.weight), grad_of(l.bias), B, l.in_size, l.out_size);
                    break;
            }
            dy = dx;
        }
        return want_dx ? dy : nullptr;
    }

    // Checks layer i (spec s) against its input shape `in` and fills l's shapes and
    // geometry. Adds its parameters.
    void add_layer(std::size_t i, layer_spec s, const std::vector<int>& in);
};

void sequential::impl::add_layer(std::size_t i, layer_spec s, const std::vector<int>& in) {
    const std::string at = "layers[" + std::to_string(i) + "].";
    const layer_kind kind = kind_from_type(s.type, at + "type");
    const bool is_conv = kind == layer_kind::conv2d;
    const bool is_pool = kind == layer_kind::maxpool2d || kind == layer_kind::avgpool2d;
    const bool is_dense = kind == layer_kind::dense;

    // A field the layer type ignores is almost certainly a mistake in the layer list.
    auto unused = [&](bool given, const char* field) {
        if (given) fail(at + field, s.type + " layers take no '" + field + "'");
    };
    unused(!is_conv && !is_dense && s.out != 0, "out");
    unused(!is_conv && !is_pool && (s.kernel_h != 0 || s.kernel_w != 0), "kernel");
    unused(!is_conv && !is_pool && (s.stride_h != 0 || s.stride_w != 0), "stride");
    unused(!is_conv && (s.pad_top | s.pad_left | s.pad_bottom | s.pad_right) != 0, "padding");
    unused(!is_conv && s.pad_same, "padding");
    unused(!is_conv && !is_dense && !s.bias, "bias");
    unused(!is_conv && s.method != conv2d_method::automatic, "method");

    layer_state l;
    l.kind = kind;
    l.in_size = element_count(in);
    std::vector<int> out;

    if (is_conv || is_pool) {
        if (in.size() != 3)
            fail(at + "type", s.type + " needs a (C, H, W) input, but its input is " +
                                  shape_text(in) +
                                  (i == 0 ? " (inputShape has one element)"
                                          : ": put convolution and pooling before flatten"));
        if (s.kernel_h <= 0 || s.kernel_w <= 0)
            fail(at + "kernel", "expected a positive integer or [h, w], got [" +
                                    std::to_string(s.kernel_h) + ", " + std::to_string(s.kernel_w) +
                                    "]");
        require_positive(s.kernel_h, (at + "kernel").c_str());
        require_positive(s.kernel_w, (at + "kernel").c_str());
        if (s.stride_h < 0 || s.stride_w < 0)
            fail(at + "stride", "expected a positive integer or [h, w], got [" +
                                    std::to_string(s.stride_h) + ", " + std::to_string(s.stride_w) +
                                    "]");
        const int default_h = is_conv ? 1 : s.kernel_h, default_w = is_conv ? 1 : s.kernel_w;
        if (s.stride_h == 0) s.stride_h = default_h;
        if (s.stride_w == 0) s.stride_w = default_w;
        require_positive(s.stride_h, (at + "stride").c_str());
        require_positive(s.stride_w, (at + "stride").c_str());
    }
    if (is_conv || is_dense) {
        if (s.out <= 0)
            fail(at + "out", std::string("expected a positive number of output ") +
                                 (is_conv ? "channels" : "features") + ", got " +
                                 std::to_string(s.out));
        require_positive(s.out, (at + "out").c_str());
    }

    switch (kind) {
        case layer_kind::conv2d: {
            if (s.pad_top < 0 || s.pad_left < 0 || s.pad_bottom < 0 || s.pad_right < 0)
                fail(at + "padding", "expected non-negative integers, 'same' or 'valid'");
            if (s.pad_same) {
                if (s.pad_top | s.pad_left | s.pad_bottom | s.pad_right)
                    fail(at + "padding", "'same' cannot be combined with explicit padding");
                if (s.stride_h != 1 || s.stride_w != 1)
                    fail(at + "padding", "'same' needs stride 1, got stride [" +
                                             std::to_string(s.stride_h) + ", " +
                                             std::to_string(s.stride_w) + "]");
                const pad_pair ph = same_padding(s.kernel_h), pw = same_padding(s.kernel_w);
                s.pad_top = ph.before, s.pad_bottom = ph.after;
                s.pad_left = pw.before, s.pad_right = pw.after;
            }
            if (std::max({s.pad_top, s.pad_left, s.pad_bottom, s.pad_right}) > (1 << 30))
                fail(at + "padding", "too large");
            const long long hp = 0LL + in[1] + s.pad_top + s.pad_bottom;
            const long long wp = 0LL + in[2] + s.pad_left + s.pad_right;
            if (hp < s.kernel_h || wp < s.kernel_w)
                fail(at + "kernel", std::to_string(s.kernel_h) + "x" + std::to_string(s.kernel_w) +
                                        " is larger than the padded input " + std::to_string(hp) +
                                        "x" + std::to_string(wp) + " (layer input " +
                                        shape_text(in) + ")");
            const long long fan_in = mul_capped(mul_capped(in[0], s.kernel_h), s.kernel_w);
            if (mul_capped(fan_in, s.out) > kMaxElements)
                fail(at + "out", "the weights would exceed 2^28 floats");
            try {
                l.conv = make_conv2d_geometry(1, in[0], in[1], in[2], s.out, in[0], s.kernel_h,
                                              s.kernel_w, s.stride_h, s.stride_w, s.pad_top,
                                              s.pad_left, s.pad_bottom, s.pad_right);
            } catch (const invalid_argument& e) {  // checked above; kept as a safety net
                fail(at + "type", e.what());
            }
            out = {s.out, l.conv.Ho, l.conv.Wo};
            l.weight = add_param(i, "weight", {s.out, in[0], s.kernel_h, s.kernel_w});
            if (s.bias) l.bias = add_param(i, "bias", {s.out});
            break;
        }
        case layer_kind::relu:
        case layer_kind::sigmoid:
        case layer_kind::tanh:
            l.act = activation_from_name(s.type, (at + "type").c_str());
            out = in;
            break;
        case layer_kind::maxpool2d:
        case layer_kind::avgpool2d: {
            if (in[1] < s.kernel_h || in[2] < s.kernel_w)
                fail(at + "kernel", std::to_string(s.kernel_h) + "x" + std::to_string(s.kernel_w) +
                                        " window is larger than the input " +
                                        std::to_string(in[1]) + "x" + std::to_string(in[2]) +
                                        " (layer input " + shape_text(in) + ")");
            try {
                l.pool = make_pool2d_geometry(1, in[0], in[1], in[2], s.kernel_h, s.kernel_w,
                                              s.stride_h, s.stride_w);
            } catch (const invalid_argument& e) {
                fail(at + "type", e.what());
            }
            out = {in[0], l.pool.Ho, l.pool.Wo};
            break;
        }
        case layer_kind::flatten:
            out = {static_cast<int>(l.in_size)};
            break;
        case layer_kind::dense:
            if (in.size() != 1)
                fail(at + "type", "dense needs a flat input, but its input is " + shape_text(in) +
                                      ": add { type: 'flatten' } before it");
            if (mul_capped(in[0], s.out) > kMaxElements)
                fail(at + "out", "the weights would exceed 2^28 floats");
            out = {s.out};
            l.weight = add_param(i, "weight", {s.out, in[0]});
            if (s.bias) l.bias = add_param(i, "bias", {s.out});
            break;
    }
    long long out_size = 1;
    for (int d : out) out_size = mul_capped(out_size, d);
    if (out_size > kMaxElements) fail(at + "type", "the output would exceed 2^28 floats");
    l.out_size = static_cast<std::size_t>(out_size);
    l.out_shape = std::move(out);
    l.spec = std::move(s);
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
