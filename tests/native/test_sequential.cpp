// test_sequential.cpp: the sequential network against PyTorch (tests/fixtures/nn_*.txt from
// generate_nn.py: forward, every layer's output, both losses, every gradient, three SGD steps
// with momentum and the momentum buffers after them) under every conv2d method of the
// registry; a network restored mid-way from its parameters and optimizer_state against
// torch's unbroken run; double-precision central differences through whole small networks;
// vjp rows against a finite-difference Jacobian; the documented initialisation
// (re-implemented in Python) and its distribution; torch's SGD on hand-computed numbers;
// determinism, buffer reuse across batch sizes, and every error.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

#include "convlab/common.hpp"
#include "convlab/nn/init.hpp"
#include "convlab/nn/sequential.hpp"
#include "convlab/nn/sgd.hpp"
#include "harness.hpp"
#include "nn_harness.hpp"

using convlab::layer_spec;
using convlab::loss_kind;
using convlab::sequential;

namespace {

using harness::make;

layer_spec with_padding(layer_spec s, int top, int left, int bottom, int right) {
    s.pad_top = top, s.pad_left = left, s.pad_bottom = bottom, s.pad_right = right;
    return s;
}

// The networks of generate_nn.py; keep the two in step.
std::vector<layer_spec> lenet_layers() {
    return {with_padding(make("conv2d", 6, 5), 2, 2, 2, 2),
            make("relu"),
            make("maxpool2d", 0, 2),
            make("conv2d", 16, 5),
            make("relu"),
            make("maxpool2d", 0, 2),
            make("flatten"),
            make("dense", 120),
            make("relu"),
            make("dense", 84),
            make("relu"),
            make("dense", 10)};
}

std::vector<layer_spec> mlp_layers() {
    layer_spec no_bias = make("dense", 12);
    no_bias.bias = false;
    return {make("flatten"), make("dense", 16), make("sigmoid"),
            no_bias,         make("tanh"),      make("dense", 6)};
}

std::vector<layer_spec> conv_avg_layers() {
    layer_spec c0 = make("conv2d", 4, 3), c3 = make("conv2d", 5, 2), p5 = make("avgpool2d", 0, 2);
    c0.pad_same = c3.pad_same = true;
    p5.stride_h = p5.stride_w = 1;
    return {c0, make("tanh"),    make("avgpool2d", 0, 2), c3, make("sigmoid"),
            p5, make("flatten"), make("dense", 7)};
}

std::vector<layer_spec> conv_strided_layers() {
    layer_spec c0 = with_padding(make("conv2d", 3), 1, 0, 0, 1);
    c0.kernel_h = 3, c0.kernel_w = 2, c0.stride_h = 2, c0.stride_w = 1;
    layer_spec pool = make("maxpool2d", 0, 3);
    pool.stride_h = pool.stride_w = 2;
    layer_spec c3 = make("conv2d", 4, 1);
    c3.bias = false;
    return {c0, make("relu"), pool, c3, make("flatten"), make("dense", 4)};
}

struct fixture_net {
    const char* file;
    std::vector<layer_spec> (*layers)();
    std::vector<int> input_shape;
};

const fixture_net kFixtureNets[] = {
    {"nn_lenet.txt", lenet_layers, {1, 28, 28}},
    {"nn_mlp.txt", mlp_layers, {20}},
    {"nn_conv_avg.txt", conv_avg_layers, {3, 9, 9}},
    {"nn_conv_strided.txt", conv_strided_layers, {2, 11, 10}},
};

// generate_nn.py's pattern(): exactly rounded double arithmetic, so the same floats as numpy.
std::vector<float> pattern(std::size_t n, long long tag, double scale) {
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        const long long k = (static_cast<long long>(i) * 7919 + tag * 104729) % 2001;
        v[i] = static_cast<float>(static_cast<double>(k - 1000) / 1000.0 * scale);
    }
    return v;
}

// Parameter j (in order) = pattern(size, j + 1, 1 / sqrt(fan_in)), as generate_nn.py.
void set_pattern_parameters(sequential& net) {
    double scale = 1;
    long long tag = 1;
    for (auto& p : net.parameters()) {
        if (p.name.size() > 7 && p.name.compare(p.name.size() - 7, 7, ".weight") == 0)
            scale = 1.0 / std::sqrt(static_cast<double>(p.size / p.shape[0]));
        const auto v = pattern(p.size, tag++, scale);
        std::copy(v.begin(), v.end(), p.data);
    }
}

// Checks got (n) against fixture[key], which may hold every stride-th element plus the
// whole tensor's sum and sum of magnitudes (see generate_nn.py).
void check_tensor(const harness::fixture& f, const std::string& key, const float* got,
                  std::size_t n, double tol, const std::string& what) {
    INFO(what << " " << key);
    REQUIRE(f.count(key) == 1);
    const auto stride_it = f.find(key + ".stride");
    const std::size_t stride = stride_it == f.end() ? 1 : std::size_t(stride_it->second[0]);
    std::vector<float> sampled;
    for (std::size_t i = 0; i < n; i += stride) sampled.push_back(got[i]);
    harness::check_close(sampled, harness::as_float(f.at(key)), tol, what + " " + key);
    if (stride > 1) {
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i) sum += got[i];
        const double want = f.at(key + ".sum")[0], scale = f.at(key + ".abssum")[0];
        INFO("sum " << sum << ", want " << want << ", sum of magnitudes " << scale);
        CHECK(std::fabs(sum - want) <= tol * scale);
    }
}

void check_scalar(double got, double want, double tol, const std::string& what) {
    INFO(what << ": got " << got << ", want " << want);
    CHECK(std::fabs(got - want) <= tol * std::fmax(std::fabs(want), 1e-3));
}

std::vector<layer_spec> with_method(std::vector<layer_spec> layers, convlab::conv2d_method m) {
    for (auto& l : layers)
        if (l.type == "conv2d") l.method = m;
    return layers;
}

std::vector<convlab::conv2d_method> every_conv2d_method() {
    return {
#define CONVLAB_CONV2D_VARIANT(id, name) convlab::conv2d_method::id,
#include "convlab/ops/conv2d_variants.inc"
#undef CONVLAB_CONV2D_VARIANT
        convlab::conv2d_method::automatic};
}

std::string method_name(convlab::conv2d_method m) {
    return m == convlab::conv2d_method::automatic ? "auto" : convlab::conv2d_method_name(m);
}

std::vector<std::int32_t> labels_of(const harness::fixture& f) {
    std::vector<std::int32_t> labels;
    for (double v : f.at("labels")) labels.push_back(static_cast<std::int32_t>(v));
    return labels;
}

// The fixture's torch.optim.SGD run, "sgd: <0 ce | 1 mse> <lr> <momentum> <steps>".
convlab::train_options sgd_options(const harness::fixture& f) {
    const auto& sgd = f.at("sgd");
    convlab::train_options options;
    options.loss = sgd[0] == 0 ? loss_kind::softmax_cross_entropy : loss_kind::mse;
    options.lr = static_cast<float>(sgd[1]);
    options.momentum = static_cast<float>(sgd[2]);
    return options;
}

}  // namespace

TEST_CASE("sequential matches PyTorch: forward, layer outputs, losses, gradients, SGD") {
    const double tol = 1e-4;
    for (const auto& fn : kFixtureNets) {
        const harness::fixture f = harness::load_fixtures(fn.file).at(0);
        const int batch = static_cast<int>(f.at("batch")[0]);
        const auto labels = labels_of(f);
        std::size_t in_size = 1;
        for (int d : fn.input_shape) in_size *= static_cast<std::size_t>(d);
        const auto x = pattern(batch * in_size, 100, 1.0);

        for (auto method : every_conv2d_method()) {
            const std::string what = std::string(fn.file) + " method " + method_name(method);
            INFO(what);
            sequential net(with_method(fn.layers(), method), fn.input_shape, 7);
            set_pattern_parameters(net);
            const auto& want_shape = f.at("output_shape");
            CHECK(std::vector<double>(net.output_shape().begin(), net.output_shape().end()) ==
                  want_shape);

            const float* y = net.forward(x.data(), batch);
            check_tensor(f, "output", y, batch * net.output_size(), tol, what);
            for (std::size_t i = 0; i < net.layer_count(); ++i) {
                std::size_t n = batch;
                for (int d : net.layer_output_shape(i)) n *= static_cast<std::size_t>(d);
                check_tensor(f, "layer." + std::to_string(i), net.layer_output(i), n, tol, what);
            }

            for (auto [kind, tag] : {std::pair{loss_kind::softmax_cross_entropy, "ce"},
                                     std::pair{loss_kind::mse, "mse"}}) {
                const auto r = net.backward(x.data(), labels.data(), batch, kind);
                check_scalar(r.loss, f.at(std::string("loss.") + tag)[0], tol, what + " loss");
                check_scalar(r.accuracy, f.at("accuracy")[0], 1e-8, what + " accuracy");
                for (auto& p : net.parameters())
                    check_tensor(f, std::string("grad.") + tag + "." + p.name, p.grad, p.size, tol,
                                 what);
            }

            // Three steps of torch.optim.SGD from the pattern parameters.
            const convlab::train_options options = sgd_options(f);
            set_pattern_parameters(net);
            net.reset_optimizer();
            for (int step = 0; step < static_cast<int>(f.at("sgd")[3]); ++step) {
                const auto r = net.train_step(x.data(), labels.data(), batch, options);
                check_scalar(r.loss, f.at("sgd.losses")[step], tol,
                             what + " step " + std::to_string(step) + " loss");
                check_scalar(r.accuracy, f.at("sgd.accuracies")[step], 1e-8, what + " accuracy");
            }
            for (auto& p : net.parameters())
                check_tensor(f, "after." + p.name, p.data, p.size, tol, what);
            // The momentum buffers are torch's optimizer.state[p]["momentum_buffer"].
            const auto state = net.optimizer_state();
            CHECK(net.has_optimizer_state() == (options.momentum != 0));
            CHECK(state.size() == (options.momentum != 0 ? net.parameters().size() : 0));
            for (const auto& v : state)
                check_tensor(f, "momentum." + v.name, v.data, v.size, tol, what);
        }
    }
}

namespace {

// A network's parameters and momentum buffers, copied out (plain data, as a saved run).
struct saved_state {
    std::vector<std::string> names;
    std::vector<std::vector<int>> shapes;
    std::vector<std::vector<float>> parameters, momentum;
};

saved_state save(sequential& net) {
    saved_state s;
    for (auto& p : net.parameters()) {
        s.names.push_back(p.name);
        s.shapes.push_back(p.shape);
        s.parameters.emplace_back(p.data, p.data + p.size);
    }
    for (const auto& v : net.optimizer_state()) s.momentum.emplace_back(v.data, v.data + v.size);
    return s;
}

// Views of s's buffers for set_optimizer_state, in s's order.
std::vector<convlab::optimizer_state_view> momentum_views(const saved_state& s) {
    std::vector<convlab::optimizer_state_view> list;
    for (std::size_t i = 0; i < s.momentum.size(); ++i)
        list.push_back({s.names[i], s.shapes[i], s.momentum[i].data(), s.momentum[i].size()});
    return list;
}

void restore(sequential& net, const saved_state& s) {
    auto params = net.parameters();
    REQUIRE(params.size() == s.parameters.size());
    for (std::size_t i = 0; i < params.size(); ++i)
        std::copy(s.parameters[i].begin(), s.parameters[i].end(), params[i].data);
    net.set_optimizer_state(momentum_views(s));
}

}  // namespace

TEST_CASE("a network restored from its parameters and optimizer_state continues torch's SGD") {
    // k steps, save, a fresh network (another seed) restored from the copy, the remaining
    // steps: torch's losses and final parameters of the unbroken run, and bit for bit what
    // the original network does when it simply goes on.
    const double tol = 1e-4;
    for (const auto& fn : kFixtureNets) {
        const harness::fixture f = harness::load_fixtures(fn.file).at(0);
        const int batch = static_cast<int>(f.at("batch")[0]);
        const auto labels = labels_of(f);
        const convlab::train_options options = sgd_options(f);
        const int steps = static_cast<int>(f.at("sgd")[3]);
        for (int k = 1; k < steps; ++k) {
            const std::string what =
                std::string(fn.file) + " saved after step " + std::to_string(k);
            INFO(what);
            sequential original(fn.layers(), fn.input_shape, 7);
            set_pattern_parameters(original);
            const auto x = pattern(batch * original.input_size(), 100, 1.0);
            for (int step = 0; step < k; ++step)
                original.train_step(x.data(), labels.data(), batch, options);
            const saved_state saved = save(original);
            CHECK(saved.momentum.size() == (options.momentum != 0 ? saved.parameters.size() : 0));

            sequential resumed(fn.layers(), fn.input_shape, 99);
            restore(resumed, saved);
            CHECK(resumed.has_optimizer_state() == (options.momentum != 0));
            for (int step = k; step < steps; ++step) {
                const auto a = original.train_step(x.data(), labels.data(), batch, options);
                const auto b = resumed.train_step(x.data(), labels.data(), batch, options);
                CHECK(b.loss == a.loss);
                check_scalar(b.loss, f.at("sgd.losses")[step], tol,
                             what + ": step " + std::to_string(step) + " loss");
            }
            for (auto& p : resumed.parameters())
                check_tensor(f, "after." + p.name, p.data, p.size, tol, what);
            const saved_state a = save(original), b = save(resumed);
            CHECK(b.parameters == a.parameters);
            CHECK(b.momentum == a.momentum);
        }
    }
}

TEST_CASE("optimizer_state: empty until a step with momentum, round-trips, reset and clear") {
    const std::vector<layer_spec> layers = {make("dense", 4), make("relu"), make("dense", 3)};
    const auto x = harness::random_vector(2 * 5, 5);
    const std::vector<std::int32_t> labels = {2, 0};
    sequential net(layers, {5}, 3);
    CHECK_FALSE(net.has_optimizer_state());
    CHECK(net.optimizer_state().empty());
    convlab::train_options o;
    o.lr = 0.1f;
    net.train_step(x.data(), labels.data(), 2, o);  // momentum 0 keeps no state (as torch)
    CHECK_FALSE(net.has_optimizer_state());
    CHECK(net.optimizer_state().empty());
    o.momentum = 0.9f;
    net.train_step(x.data(), labels.data(), 2, o);
    REQUIRE(net.has_optimizer_state());
    const auto views = net.optimizer_state();
    const auto params = net.parameters();
    REQUIRE(views.size() == params.size());
    for (std::size_t i = 0; i < views.size(); ++i) {
        CHECK(views[i].name == params[i].name);
        CHECK(views[i].shape == params[i].shape);
        CHECK(views[i].size == params[i].size);
        // After one step v = g (torch's first step clones the gradient).
        CHECK(std::vector<float>(views[i].data, views[i].data + views[i].size) ==
              std::vector<float>(params[i].grad, params[i].grad + params[i].size));
    }

    // Set then read back: the same values, in any order of the list.
    saved_state s = save(net);
    for (auto& m : s.momentum)
        for (auto& v : m) v = v * 0.5f + 1.0f;
    auto list = momentum_views(s);
    std::reverse(list.begin(), list.end());
    net.set_optimizer_state(list);
    CHECK(save(net).momentum == s.momentum);

    // A step after setting continues from the buffers: v = 0.9 v + g, p -= lr v.
    const auto before = save(net);
    net.train_step(x.data(), labels.data(), 2, o);
    const auto after = save(net);
    auto grads = net.parameters();
    for (std::size_t i = 0; i < grads.size(); ++i) {
        for (std::size_t j = 0; j < grads[i].size; ++j) {
            const float decayed = 0.9f * before.momentum[i][j];  // two roundings, as sgd.cpp
            const float v = decayed + grads[i].grad[j];
            REQUIRE(after.momentum[i][j] == v);
            REQUIRE(after.parameters[i][j] == before.parameters[i][j] - 0.1f * v);
        }
    }

    net.reset_optimizer();
    CHECK_FALSE(net.has_optimizer_state());
    CHECK(net.optimizer_state().empty());
    net.set_optimizer_state(momentum_views(s));
    CHECK(net.has_optimizer_state());
    net.set_optimizer_state({});  // an empty list is reset_optimizer()
    CHECK_FALSE(net.has_optimizer_state());
    // ... so the next step starts again from v = g.
    net.train_step(x.data(), labels.data(), 2, o);
    const auto fresh = net.optimizer_state();
    grads = net.parameters();
    for (std::size_t i = 0; i < fresh.size(); ++i)
        CHECK(std::vector<float>(fresh[i].data, fresh[i].data + fresh[i].size) ==
              std::vector<float>(grads[i].grad, grads[i].grad + grads[i].size));
}

TEST_CASE("LeNet-5 of API.md: shapes, parameter names and shapes as PyTorch nn.Sequential") {
    sequential net(lenet_layers(), {1, 28, 28}, 1);
    CHECK(net.output_shape() == std::vector<int>{10});
    CHECK(net.input_size() == 784);
    CHECK(net.output_size() == 10);
    const std::vector<std::vector<int>> shapes = {
        {6, 28, 28}, {6, 28, 28}, {6, 14, 14}, {16, 10, 10}, {16, 10, 10}, {16, 5, 5},
        {400},       {120},       {120},       {84},         {84},         {10}};
    REQUIRE(net.layer_count() == shapes.size());
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        INFO("layer " << i);
        CHECK(net.layer_output_shape(i) == shapes[i]);
        CHECK(net.layer(i).type == lenet_layers()[i].type);
    }
    // Defaults filled in: pooling stride = kernel, conv stride 1.
    CHECK(net.layer(2).stride_h == 2);
    CHECK(net.layer(2).stride_w == 2);
    CHECK(net.layer(3).stride_h == 1);

    const std::vector<std::pair<std::string, std::vector<int>>> params = {
        {"0.weight", {6, 1, 5, 5}}, {"0.bias", {6}},          {"3.weight", {16, 6, 5, 5}},
        {"3.bias", {16}},           {"7.weight", {120, 400}}, {"7.bias", {120}},
        {"9.weight", {84, 120}},    {"9.bias", {84}},         {"11.weight", {10, 84}},
        {"11.bias", {10}}};
    const auto views = net.parameters();
    REQUIRE(views.size() == params.size());
    std::size_t total = 0;
    for (std::size_t i = 0; i < params.size(); ++i) {
        CHECK(views[i].name == params[i].first);
        CHECK(views[i].shape == params[i].second);
        std::size_t n = 1;
        for (int d : params[i].second) n *= static_cast<std::size_t>(d);
        CHECK(views[i].size == n);
        total += n;
    }
    CHECK(total == 61706);
    CHECK(net.parameter_count() == 61706);
    CHECK(net.layer_output(0) == nullptr);  // nothing has run yet
    CHECK(net.last_batch() == 0);
}

TEST_CASE("'same' padding resolves as PyTorch: the extra pad of an even kernel after") {
    layer_spec c = make("conv2d", 2, 4);
    c.pad_same = true;
    sequential net({c}, {1, 7, 6}, 1);
    CHECK(net.output_shape() == std::vector<int>{2, 7, 6});
    CHECK(net.layer(0).pad_top == 1);
    CHECK(net.layer(0).pad_bottom == 2);
    CHECK(net.layer(0).pad_left == 1);
    CHECK(net.layer(0).pad_right == 2);
}

namespace {

// Mean loss of the network on (x, labels) at its current parameters, without gradients.
double loss_at(sequential& net, const std::vector<float>& x,
               const std::vector<std::int32_t>& labels, int batch, loss_kind kind) {
    const float* y = net.forward(x.data(), batch);
    return convlab::loss_forward_backward(kind, y, labels.data(), batch, net.output_size(), nullptr)
        .loss;
}

struct gradcheck_case {
    const char* name;
    std::vector<layer_spec> layers;
    std::vector<int> input_shape;
    int batch;
    float eps;   // central-difference step
    double tol;  // relative to the largest gradient of each tensor
};

std::vector<gradcheck_case> gradcheck_cases() {
    layer_spec same = make("conv2d", 3, 3);
    same.pad_same = true;
    layer_spec strided = with_padding(make("conv2d", 2), 0, 1, 1, 0);
    strided.kernel_h = 2, strided.kernel_w = 3, strided.stride_h = 2, strided.stride_w = 1;
    layer_spec pool = make("maxpool2d", 0, 2);
    pool.stride_h = 1;
    return {
        {"smooth: conv same, tanh, avgpool, dense, sigmoid, dense",
         {same, make("tanh"), make("avgpool2d", 0, 2), make("flatten"), make("dense", 4),
          make("sigmoid"), make("dense", 3)},
         {2, 5, 5},
         2,
         1e-2f,
         2e-3},
        {"kinks: strided asymmetric conv, relu, maxpool stride (1, 2), 1x1 conv, dense",
         {strided, make("relu"), pool, make("conv2d", 3, 1), make("flatten"), make("dense", 3)},
         {2, 6, 5},
         3,
         1e-3f,
         5e-3},
        {"mlp: dense, tanh, dense, sigmoid, dense",
         {make("dense", 5), make("tanh"), make("dense", 4), make("sigmoid"), make("dense", 3)},
         {6},
         4,
         1e-2f,
         2e-3},
    };
}

}  // namespace

TEST_CASE("gradients equal double-precision central differences of the loss") {
    for (const auto& c : gradcheck_cases()) {
        for (auto kind : {loss_kind::softmax_cross_entropy, loss_kind::mse}) {
            const std::string what =
                std::string(c.name) + (kind == loss_kind::mse ? " (mse)" : " (cross-entropy)");
            INFO(what);
            sequential net(c.layers, c.input_shape, 3);
            const auto x = harness::random_vector(c.batch * net.input_size(), 11);
            std::vector<std::int32_t> labels;
            for (int b = 0; b < c.batch; ++b) labels.push_back(b % int(net.output_size()));
            net.backward(x.data(), labels.data(), c.batch, kind);
            harness::check_parameter_gradients(
                net, [&] { return loss_at(net, x, labels, c.batch, kind); }, c.eps, c.tol, what);
        }
    }
}

TEST_CASE("vjp with unit vectors gives the rows of the finite-difference Jacobian (eq. 1.3)") {
    for (const auto& c : gradcheck_cases()) {
        INFO(c.name);
        sequential net(c.layers, c.input_shape, 5);
        const int batch = 2;
        auto x = harness::random_vector(batch * net.input_size(), 17);
        const std::size_t n_in = x.size(), n_out = batch * net.output_size();

        // Finite-difference Jacobian J[j][k] = d y_j / d x_k, (n_out, n_in).
        std::vector<double> jacobian(n_out * n_in);
        for (std::size_t k = 0; k < n_in; ++k) {
            const float saved = x[k];
            x[k] = saved + c.eps;
            const std::vector<float> up(net.forward(x.data(), batch),
                                        net.forward(x.data(), batch) + n_out);
            x[k] = saved - c.eps;
            const float* down = net.forward(x.data(), batch);
            const double h = (double(saved + c.eps) - double(saved - c.eps));
            for (std::size_t j = 0; j < n_out; ++j)
                jacobian[j * n_in + k] = (double(up[j]) - double(down[j])) / h;
            x[k] = saved;
        }
        for (std::size_t j = 0; j < n_out; ++j) {
            std::vector<float> e(n_out, 0.f);
            e[j] = 1.f;
            const float* row = net.vjp(x.data(), batch, e.data());
            const std::vector<float> got(row, row + n_in);
            const std::vector<float> want(jacobian.begin() + j * n_in,
                                          jacobian.begin() + (j + 1) * n_in);
            harness::check_close(got, want, c.tol, "row " + std::to_string(j));
            // An output of example 0 does not depend on example 1's input, and vice versa.
            const std::size_t own = j / net.output_size();
            for (std::size_t k = 0; k < n_in; ++k)
                if (k / net.input_size() != own) REQUIRE(got[k] == 0.f);
        }

        // The parameter gradients vjp fills are d y_j / d p for the unit vector e_j.
        const std::size_t j = n_out - 1;
        std::vector<float> e(n_out, 0.f);
        e[j] = 1.f;
        net.vjp(x.data(), batch, e.data());
        for (auto& p : net.parameters()) {
            const std::vector<float> analytic(p.grad, p.grad + p.size);
            std::vector<float> values(p.data, p.data + p.size);
            const auto numeric = harness::numeric_gradient(
                values,
                [&] {
                    std::copy(values.begin(), values.end(), p.data);
                    return double(net.forward(x.data(), batch)[j]);
                },
                c.eps);
            std::copy(values.begin(), values.end(), p.data);
            harness::check_close(analytic, std::vector<float>(numeric.begin(), numeric.end()),
                                 c.tol, std::string("d y_j / d ") + p.name);
        }
    }
}

TEST_CASE("initialisation is the documented splitmix64 stream (fixture re-implements it)") {
    // Input (2, 5, 5): conv2d 3@3x3, flatten, dense 4, as generate_nn.py's generate_init.
    for (const auto& f : harness::load_fixtures("nn_init.txt")) {
        const std::uint64_t seed =
            (std::uint64_t(f.at("seed_hi")[0]) << 32) | std::uint64_t(f.at("seed_lo")[0]);
        INFO("seed " << seed);
        sequential net({make("conv2d", 3, 3), make("flatten"), make("dense", 4)}, {2, 5, 5}, seed);
        for (auto& p : net.parameters()) {
            INFO(p.name);
            const auto want = harness::as_float(f.at(p.name));
            REQUIRE(want.size() == p.size);
            // Bit-exact: this is what makes native and WebAssembly networks start alike.
            CHECK(std::memcmp(want.data(), p.data, p.size * sizeof(float)) == 0);
        }
    }
}

TEST_CASE("initialisation follows PyTorch's default U(-1/sqrt(fan_in), 1/sqrt(fan_in))") {
    sequential a(lenet_layers(), {1, 28, 28}, 1), same(lenet_layers(), {1, 28, 28}, 1),
        other(lenet_layers(), {1, 28, 28}, 2);
    const std::vector<double> fan_in = {25, 25, 150, 150, 400, 400, 120, 120, 84, 84};
    auto pa = a.parameters(), ps = same.parameters(), po = other.parameters();
    for (std::size_t i = 0; i < pa.size(); ++i) {
        const auto& p = pa[i];
        INFO(p.name);
        const double bound = 1.0 / std::sqrt(fan_in[i]);
        double sum = 0, sum2 = 0, lo = 1, hi = -1;
        for (std::size_t k = 0; k < p.size; ++k) {
            sum += p.data[k];
            sum2 += double(p.data[k]) * p.data[k];
            lo = std::fmin(lo, p.data[k]);
            hi = std::fmax(hi, p.data[k]);
        }
        CHECK(lo >= -bound);
        CHECK(hi < bound);
        const double n = double(p.size), mean = sum / n, var = sum2 / n - mean * mean;
        // U(-b, b): mean 0 and variance b^2 / 3; allow 5 standard errors.
        CHECK(std::fabs(mean) <= 5 * bound / std::sqrt(3 * n));
        const double var_want = bound * bound / 3, var_se = bound * bound * std::sqrt(4.0 / 45 / n);
        CHECK(std::fabs(var - var_want) <= 5 * var_se);
        if (p.size >= 1000) {  // the extremes come close to the bounds
            CHECK(lo < -0.99 * bound);
            CHECK(hi > 0.99 * bound);
        }
        CHECK(std::memcmp(p.data, ps[i].data, p.size * sizeof(float)) == 0);
        std::size_t differ = 0;
        for (std::size_t k = 0; k < p.size; ++k) differ += p.data[k] != po[i].data[k];
        CHECK(differ >= p.size - 1);  // another seed: (almost) every value changes
        for (std::size_t k = 0; k < p.size; ++k) REQUIRE(p.grad[k] == 0.f);
    }
    // The unit values are exact multiples of 2^-23 in [-1, 1).
    convlab::init_rng rng(42);
    for (int i = 0; i < 1000; ++i) {
        const float u = rng.symmetric_unit();
        REQUIRE(u >= -1.f);
        REQUIRE(u < 1.f);
        REQUIRE(std::ldexp(double(u), 23) == std::floor(std::ldexp(double(u), 23)));
    }
    CHECK(convlab::default_init_bound(25) == 0.2f);
}

TEST_CASE("sgd_step is torch.optim.SGD: v = g first, then v = m v + g; p -= lr v") {
    float p[2] = {1.0f, -2.0f}, v[2] = {123.f, 456.f};
    const float g1[2] = {0.5f, 0.25f}, g2[2] = {0.25f, -1.0f};
    convlab::sgd_step(p, g1, v, 2, 0.1f, 0.9f, true);
    CHECK(v[0] == 0.5f);
    CHECK(v[1] == 0.25f);
    CHECK(p[0] == doctest::Approx(0.95).epsilon(1e-7));
    CHECK(p[1] == doctest::Approx(-2.025).epsilon(1e-7));
    convlab::sgd_step(p, g2, v, 2, 0.1f, 0.9f, false);
    CHECK(v[0] == doctest::Approx(0.7).epsilon(1e-7));     // 0.9 * 0.5 + 0.25
    CHECK(v[1] == doctest::Approx(-0.775).epsilon(1e-7));  // 0.9 * 0.25 - 1
    CHECK(p[0] == doctest::Approx(0.88).epsilon(1e-7));
    CHECK(p[1] == doctest::Approx(-1.9475).epsilon(1e-7));
    // Without momentum the buffer is neither read nor written.
    convlab::sgd_step(p, g1, nullptr, 2, 0.5f, 0.0f, false);
    CHECK(p[0] == doctest::Approx(0.63).epsilon(1e-7));
    CHECK(p[1] == doctest::Approx(-2.0725).epsilon(1e-7));
}

TEST_CASE("train_step: plain SGD, momentum buffers and reset_optimizer") {
    const std::vector<layer_spec> layers = {make("dense", 5), make("tanh"), make("dense", 3)};
    const auto x = harness::random_vector(4 * 6, 3);
    const std::vector<std::int32_t> labels = {0, 2, 1, 2};
    auto snapshot = [](sequential& net, bool grads) {
        std::vector<float> all;
        for (auto& p : net.parameters())
            all.insert(all.end(), grads ? p.grad : p.data, (grads ? p.grad : p.data) + p.size);
        return all;
    };
    sequential net(layers, {6}, 9);
    convlab::train_options plain;
    plain.lr = 0.25f;
    // Momentum 0: p -= lr * g with g the gradient at the old parameters.
    auto before = snapshot(net, false);
    net.train_step(x.data(), labels.data(), 4, plain);
    auto g = snapshot(net, true), after = snapshot(net, false);
    for (std::size_t i = 0; i < g.size(); ++i) REQUIRE(after[i] == before[i] - 0.25f * g[i]);

    // Momentum 0.5: first step v = g; second v = 0.5 g1 + g2; after reset v = g again.
    convlab::train_options heavy = plain;
    heavy.momentum = 0.5f;
    before = snapshot(net, false);
    net.train_step(x.data(), labels.data(), 4, heavy);
    const auto g1 = snapshot(net, true);
    after = snapshot(net, false);
    for (std::size_t i = 0; i < g1.size(); ++i) REQUIRE(after[i] == before[i] - 0.25f * g1[i]);
    before = after;
    net.train_step(x.data(), labels.data(), 4, heavy);
    const auto g2 = snapshot(net, true);
    after = snapshot(net, false);
    for (std::size_t i = 0; i < g2.size(); ++i) {
        const float v = 0.5f * g1[i] + g2[i];
        REQUIRE(after[i] == doctest::Approx(before[i] - 0.25f * v).epsilon(1e-6));
    }
    net.reset_optimizer();
    before = after;
    net.train_step(x.data(), labels.data(), 4, heavy);
    const auto g3 = snapshot(net, true);
    after = snapshot(net, false);
    for (std::size_t i = 0; i < g3.size(); ++i) REQUIRE(after[i] == before[i] - 0.25f * g3[i]);

    // backward fills the gradients without updating, and overwrites rather than adds.
    before = snapshot(net, false);
    net.backward(x.data(), labels.data(), 4, loss_kind::softmax_cross_entropy);
    const auto once = snapshot(net, true);
    net.backward(x.data(), labels.data(), 4, loss_kind::softmax_cross_entropy);
    CHECK(snapshot(net, true) == once);
    CHECK(snapshot(net, false) == before);
}

TEST_CASE("a batch runs in slices: each example's dL/dx as alone, parameter gradients summed") {
    // Batches of 2 or more run their front layers as slices of the batch (nn/sequential.cpp):
    // every example's dL/dx must be what it gets alone (bit for bit: the same arithmetic on
    // the same rows), the parameter gradients the sum of the examples' (up to rounding), and
    // dL/dx packed back into (batch, input...) order when the slices' buffers are wider than
    // the input. 11 examples: 8 slices of 1 or 2. Three networks: LeNet-5 (convolutions
    // sliced, dense layers over the whole batch), convolutions only (all sliced, the loss's
    // gradient read straight from the slices), and dropout in eval mode (sliced) and training
    // mode (not sliced: one mask stream per call; dL/dx then checked against the mask).
    struct net_case {
        const char* name;
        std::vector<layer_spec> layers;
        std::vector<int> input;
        bool eval;
    };
    layer_spec dropout = make("dropout");
    dropout.p = 0.5;
    const net_case cases[] = {
        {"lenet", lenet_layers(), {1, 28, 28}, false},
        {"conv_only", {with_padding(make("conv2d", 3, 3), 1, 1, 1, 1), make("relu"),
                       make("conv2d", 2, 3), make("maxpool2d", 0, 2)}, {1, 8, 8}, false},
        {"dropout_eval", {make("conv2d", 4, 3), dropout, make("flatten"), make("dense", 5)}, {2, 6, 6}, true},
    };
    const int batch = 11;
    for (const net_case& c : cases) {
        INFO(c.name);
        sequential net(c.layers, c.input, 3);
        if (c.eval) net.set_training(false);
        const std::size_t n_in = net.input_size(), n_out = net.output_size();
        const auto x = harness::random_vector(batch * n_in, 21);
        const auto dy = harness::random_vector(batch * n_out, 22);
        std::vector<float> dx_alone(batch * n_in);
        std::vector<std::vector<double>> grad_sum;
        for (auto& p : net.parameters()) grad_sum.emplace_back(p.size, 0.0);
        for (int b = 0; b < batch; ++b) {
            const float* d = net.vjp(x.data() + b * n_in, 1, dy.data() + b * n_out);
            std::copy(d, d + n_in, dx_alone.begin() + b * n_in);
            auto params = net.parameters();
            for (std::size_t q = 0; q < params.size(); ++q)
                for (std::size_t k = 0; k < params[q].size; ++k) grad_sum[q][k] += params[q].grad[k];
        }
        const float* d = net.vjp(x.data(), batch, dy.data());
        CHECK(std::vector<float>(d, d + batch * n_in) == dx_alone);
        auto params = net.parameters();
        for (std::size_t q = 0; q < params.size(); ++q) {
            const std::vector<float> got(params[q].grad, params[q].grad + params[q].size);
            const std::vector<float> want(grad_sum[q].begin(), grad_sum[q].end());
            harness::check_close(got, want, 1e-5, params[q].name);
        }
        // and the loss's route (backward) gives the gradients vjp gives for dL/dy
        std::vector<std::int32_t> labels(batch);
        for (int b = 0; b < batch; ++b) labels[b] = b % int(n_out);
        const float* y = net.forward(x.data(), batch);
        std::vector<float> dlogits(batch * n_out);
        convlab::loss_forward_backward(loss_kind::softmax_cross_entropy, y, labels.data(), batch,
                                       n_out, dlogits.data());
        net.vjp(x.data(), batch, dlogits.data());
        std::vector<std::vector<float>> via_vjp;
        for (auto& p : net.parameters()) via_vjp.emplace_back(p.grad, p.grad + p.size);
        net.backward(x.data(), labels.data(), batch, loss_kind::softmax_cross_entropy);
        params = net.parameters();
        for (std::size_t q = 0; q < params.size(); ++q)
            CHECK(std::vector<float>(params[q].grad, params[q].grad + params[q].size) == via_vjp[q]);
    }
    // dropout in training (not sliced): dL/dx = mask dy, the mask 0 or 1 / (1 - p) = 2
    sequential net({make("flatten"), dropout}, {1, 4, 5}, 9);
    const auto x = harness::random_vector(batch * 20, 23), dy = harness::random_vector(batch * 20, 24);
    const float* dx = net.vjp(x.data(), batch, dy.data());
    int zeros = 0;
    for (int i = 0; i < batch * 20; ++i) {
        const float ratio = dx[i] / dy[i];
        CHECK((ratio == 0.f || ratio == 2.f));
        zeros += ratio == 0.f;
    }
    CHECK(zeros > 40);
    CHECK(zeros < 180);
}

TEST_CASE("the same seed, settings and data give the same numbers") {
    auto run = [] {
        sequential net(conv_avg_layers(), {3, 9, 9}, 1234);
        const auto x = harness::random_vector(5 * net.input_size(), 8);
        const std::vector<std::int32_t> labels = {1, 6, 0, 3, 3};
        convlab::train_options o;
        o.lr = 0.05f;
        o.momentum = 0.9f;
        std::vector<double> losses;
        for (int step = 0; step < 4; ++step)
            losses.push_back(net.train_step(x.data(), labels.data(), 5, o).loss);
        std::vector<float> all;
        for (auto& p : net.parameters()) all.insert(all.end(), p.data, p.data + p.size);
        return std::pair{losses, all};
    };
    const auto a = run(), b = run();
    CHECK(a.first == b.first);
    CHECK(a.second == b.second);
    CHECK(a.first.back() < a.first.front());  // and it learns
}

TEST_CASE("buffers follow the batch size: batch 4, then 1, then 4 again") {
    sequential net(lenet_layers(), {1, 28, 28}, 3);
    const auto x = harness::random_vector(4 * 784, 21);
    const std::vector<float> four(net.forward(x.data(), 4), net.forward(x.data(), 4) + 40);
    for (int b = 0; b < 4; ++b) {
        const float* one = net.forward(x.data() + b * 784, 1);
        CHECK(net.last_batch() == 1);
        harness::check_close(std::vector<float>(one, one + 10),
                             std::vector<float>(four.begin() + b * 10, four.begin() + b * 10 + 10),
                             1e-5, "example " + std::to_string(b));
        // layer_output(11) is the network output
        CHECK(net.layer_output(11) == one);
    }
    const float* again = net.forward(x.data(), 4);
    harness::check_close(std::vector<float>(again, again + 40), four, 0, "batch 4 again");
}

namespace {

// Runs f and checks it throws convlab::invalid_argument for `argument`, with `needle` in
// the message.
template <class F>
void check_error(F&& f, const std::string& argument, const std::string& needle = "") {
    INFO("expected an error naming " << argument);
    try {
        f();
        FAIL("no exception");
    } catch (const convlab::invalid_argument& e) {
        INFO("message: " << e.what());
        CHECK(e.argument() == argument);
        CHECK(std::string(e.what()).find(needle) != std::string::npos);
    }
}

}  // namespace

TEST_CASE("invalid layer lists and input shapes name the offending field") {
    const std::vector<int> image = {1, 8, 8}, flat = {10};
    auto build = [](std::vector<layer_spec> layers, std::vector<int> shape) {
        return [layers, shape] { sequential net(layers, shape, 1); };
    };
    check_error(build({make("relu"), make("flatten"), make("dense", 3), make("sofmax")}, image),
                "layers[3].type", "expected one of conv2d, relu");
    check_error(build({make("conv2d", 0, 3)}, image), "layers[0].out", "positive");
    check_error(build({make("conv2d", -2, 3)}, image), "layers[0].out");
    check_error(build({make("conv2d", 4, 0)}, image), "layers[0].kernel");
    check_error(build({make("conv2d", 4, 9)}, image), "layers[0].kernel", "larger than");
    check_error(build({make("maxpool2d", 0, 0)}, image), "layers[0].kernel");
    check_error(build({make("relu"), make("avgpool2d", 0, 9)}, image), "layers[1].kernel");
    check_error(build({make("dense", 0)}, flat), "layers[0].out");
    check_error(build({make("conv2d", 4, 3), make("dense", 10)}, image), "layers[1].type",
                "flatten");
    check_error(build({make("conv2d", 4, 3)}, flat), "layers[0].type", "(C, H, W)");
    check_error(build({make("maxpool2d", 0, 2)}, flat), "layers[0].type");
    check_error(build({make("flatten"), make("conv2d", 2, 1)}, image), "layers[1].type");
    check_error(build({make("relu", 5)}, image), "layers[0].out");
    check_error(build({make("flatten", 0, 2)}, image), "layers[0].kernel");
    {
        layer_spec s = make("conv2d", 2, 3);
        s.pad_same = true;
        s.stride_h = 2;
        check_error(build({s}, image), "layers[0].padding", "stride 1");
        s.stride_h = 0;
        s.pad_left = 1;
        check_error(build({s}, image), "layers[0].padding");
        s = make("conv2d", 2, 3);
        s.pad_bottom = -1;
        check_error(build({s}, image), "layers[0].padding");
        s = make("conv2d", 2, 3);
        s.stride_w = -1;
        check_error(build({s}, image), "layers[0].stride");
        s = make("relu");
        s.stride_h = 2;
        check_error(build({s}, image), "layers[0].stride");
        s = make("dense", 3);
        s.pad_same = true;
        check_error(build({make("flatten"), s}, image), "layers[1].padding");
        s = make("maxpool2d", 0, 2);
        s.method = convlab::conv2d_method::direct;
        check_error(build({s}, image), "layers[0].method");
        s = make("conv2d", 2, 3);
        s.kernel_w = 0;
        check_error(build({s}, image), "layers[0].kernel");
        // A padded input past the geometry's size limit is refused naming the padding.
        s = with_padding(make("conv2d", 1, 3), 1 << 20, 1 << 20, 1 << 20, 1 << 20);
        check_error(build({s}, {1, 3, 3}), "layers[0].padding", "too large (1 x 1 x 2097155");
    }
    // A layer whose output would be enormous.
    check_error(build({make("dense", 1 << 15), make("dense", 1 << 14)}, flat), "layers[1].out");
    check_error(build({make("relu")}, {1, 8}), "inputShape");
    check_error(build({make("relu")}, {}), "inputShape");
    check_error(build({make("relu")}, {1, 0, 8}), "inputShape");
    check_error(build({make("relu")}, {-3}), "inputShape");
    check_error(build({}, image), "layers");
}

TEST_CASE("invalid calls name the argument and leave the network usable") {
    sequential net({make("flatten"), make("dense", 3)}, {2, 2, 2}, 1);
    const auto x = harness::random_vector(2 * 8, 1);
    const std::vector<std::int32_t> good = {0, 2}, bad = {0, 3};
    check_error([&] { net.forward(x.data(), 0); }, "batch");
    check_error([&] { net.forward(x.data(), -1); }, "batch");
    check_error([&] { net.forward(nullptr, 2); }, "x");
    check_error([&] { net.backward(x.data(), bad.data(), 2, loss_kind::mse); }, "labels");
    check_error([&] { net.backward(x.data(), nullptr, 2, loss_kind::mse); }, "labels");
    check_error([&] { net.vjp(x.data(), 2, nullptr); }, "gradOutput");
    check_error([&] { net.layer_output(2); }, "layer");
    check_error([&] { net.layer_output_shape(5); }, "layer");
    check_error([&] { net.layer(2); }, "layer");
    convlab::train_options o;
    o.lr = -0.1f;
    check_error([&] { net.train_step(x.data(), good.data(), 2, o); }, "lr");
    o.lr = std::numeric_limits<float>::quiet_NaN();
    check_error([&] { net.train_step(x.data(), good.data(), 2, o); }, "lr");
    o.lr = 0.1f;
    o.momentum = std::numeric_limits<float>::infinity();
    check_error([&] { net.train_step(x.data(), good.data(), 2, o); }, "momentum");
    o.momentum = -0.5f;
    check_error([&] { net.train_step(x.data(), good.data(), 2, o); }, "momentum");
    // Still works, and the failed calls updated nothing.
    std::vector<float> before;
    for (auto& p : net.parameters()) before.insert(before.end(), p.data, p.data + p.size);
    o.momentum = 0.f;
    o.lr = 0.f;
    const auto r = net.train_step(x.data(), good.data(), 2, o);
    CHECK(std::isfinite(r.loss));
    std::vector<float> after;
    for (auto& p : net.parameters()) after.insert(after.end(), p.data, p.data + p.size);
    CHECK(after == before);
}

TEST_CASE("set_optimizer_state checks every entry before writing, naming it") {
    sequential net({make("flatten"), make("dense", 3)}, {2, 2, 2}, 1);
    const auto x = harness::random_vector(2 * 8, 1);
    const std::vector<std::int32_t> labels = {0, 2};
    convlab::train_options o;
    o.lr = 0.1f;
    o.momentum = 0.9f;
    net.train_step(x.data(), labels.data(), 2, o);
    const saved_state good = save(net);  // 1.weight (3, 8), 1.bias (3)
    REQUIRE(good.momentum.size() == 2);
    auto with = [&](std::size_t i, auto change) {
        auto list = momentum_views(good);
        change(list[i]);
        return [&net, list] { net.set_optimizer_state(list); };
    };
    check_error(with(1, [](auto& e) { e.name = "1.weigth"; }), "list[1].name",
                "expected one of '1.weight', '1.bias', got '1.weigth'");
    check_error(with(1, [](auto& e) { e.name = "1.weight"; }), "list[1].name", "appears twice");
    auto transposed = [](auto& e) { e.shape = {8, 3}; };
    check_error(with(0, transposed), "list[0].shape", "expected (3, 8) for '1.weight', got (8, 3)");
    check_error(with(1, [](auto& e) { e.shape = {}; }), "list[1].shape");
    check_error(with(0, [](auto& e) { e.size = 23; }), "list[0].data", "expected 24 elements");
    check_error(with(0, [](auto& e) { e.size = 25; }), "list[0].data");
    check_error(with(1, [](auto& e) { e.data = nullptr; }), "list[1].data", "got none");
    check_error([&] { net.set_optimizer_state({momentum_views(good)[1]}); }, "list",
                "missing parameter '1.weight'");
    // The failed calls wrote nothing: state and flag as before, and training goes on.
    CHECK(net.has_optimizer_state());
    CHECK(save(net).momentum == good.momentum);
    net.train_step(x.data(), labels.data(), 2, o);
    CHECK(save(net).momentum != good.momentum);

    // A network without parameters takes only the empty list.
    sequential bare({make("relu")}, {4}, 1);
    bare.set_optimizer_state({});
    check_error([&] { bare.set_optimizer_state(momentum_views(good)); }, "list[0].name",
                "no parameters");
}
