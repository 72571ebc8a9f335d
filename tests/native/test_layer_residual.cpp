// test_layer_residual.cpp: the residual block y = x + f(x): it equals the identity plus its
// sub-network run alone, its gradients (parameters and input) equal central differences,
// nested blocks work, its sub-layers' parameters and buffers are named "<i>.layers.<j>.*"
// as torch names them, and a bad sub-network is refused naming "layers[i].layers[j].<field>".
// (Its agreement with torch after SGD steps is in test_layer_nets.cpp.)
#include <string>
#include <vector>

#include "convlab/nn/sequential.hpp"
#include "harness.hpp"
#include "layer_harness.hpp"
#include "nn_harness.hpp"

using namespace convlab;
using harness::make;

namespace {

layer_spec residual(std::vector<layer_spec> layers) {
    layer_spec s = make("residual");
    s.layers = std::move(layers);
    return s;
}

layer_spec padded(layer_spec s, int pad) {
    s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = pad;
    return s;
}

}  // namespace

TEST_CASE("a residual block is x plus its sub-network, forward and backward") {
    const std::vector<layer_spec> f{padded(make("conv2d", 3, 3), 1), make("tanh"), padded(make("conv2d", 3, 3), 1)};
    sequential block({residual(f)}, {3, 5, 4}, 7);
    sequential alone(f, {3, 5, 4}, 7);
    REQUIRE(block.parameters().size() == alone.parameters().size());
    for (std::size_t k = 0; k < alone.parameters().size(); ++k) {
        const auto a = alone.parameters()[k], b = block.parameters()[k];
        CHECK(b.name == "0.layers." + a.name);  // and the same initial values: the same stream
        CHECK(std::vector<float>(a.data, a.data + a.size) == std::vector<float>(b.data, b.data + b.size));
    }
    const int N = 2;
    const auto x = harness::random_vector(N * 60, 3), dy = harness::random_vector(N * 60, 4);
    const auto rb = harness::run_vjp(block, x, N, dy), ra = harness::run_vjp(alone, x, N, dy);
    std::vector<float> want_y(x.size()), want_dx(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) want_y[i] = x[i] + ra.y[i], want_dx[i] = dy[i] + ra.dx[i];
    harness::check_close(rb.y, want_y, 1e-6, "y");
    harness::check_close(rb.dx, want_dx, 1e-6, "dx");
    for (std::size_t k = 0; k < alone.parameters().size(); ++k) {
        const auto a = alone.parameters()[k], b = block.parameters()[k];
        harness::check_close(std::vector<float>(b.grad, b.grad + b.size), std::vector<float>(a.grad, a.grad + a.size), 1e-6, b.name);
    }
}

TEST_CASE("nested residual blocks with batch norm: central differences, names, buffers") {
    const layer_spec inner = residual({make("dense", 6), make("tanh")});
    const std::vector<layer_spec> layers{make("dense", 6), residual({make("batchnorm1d"), inner, make("dense", 6)}),
                                         make("tanh"), make("dense", 3)};
    sequential net(layers, {4}, 2);
    std::vector<std::string> names;
    for (const auto& p : net.parameters()) names.push_back(p.name);
    CHECK(names == std::vector<std::string>{"0.weight", "0.bias", "1.layers.0.weight", "1.layers.0.bias",
                                            "1.layers.1.layers.0.weight", "1.layers.1.layers.0.bias",
                                            "1.layers.2.weight", "1.layers.2.bias", "3.weight", "3.bias"});
    REQUIRE(net.buffers().size() == 3);
    CHECK(net.buffers()[0].name == "1.layers.0.running_mean");
    CHECK(net.layer(1).layers.at(1).layers.at(0).out == 6);
    const int N = 5;
    const auto x = harness::random_vector(N * 4, 8, -2.f, 2.f);
    const std::vector<std::int32_t> labels{0, 1, 2, 1, 0};
    for (bool training : {true, false}) {
        INFO("training " << training);
        net.set_training(training);
        auto loss = [&] { return net.evaluate(x.data(), labels.data(), N, loss_kind::softmax_cross_entropy, nullptr).loss; };
        net.backward(x.data(), labels.data(), N, loss_kind::softmax_cross_entropy);
        harness::check_parameter_gradients(net, loss, 3e-3f, 2e-3, "gradcheck");
    }
    net.set_training(true);
    std::vector<float> one(4, 1.f);
    std::string message;
    try {
        net.forward(one.data(), 1);
    } catch (const invalid_argument& e) {
        message = e.what();
    }
    CHECK(message.find("batch: layers[1] (residual) in training mode needs more than one value per channel") == 0);
}

TEST_CASE("a bad sub-network is refused naming layers[i].layers[j]") {
    CHECK(harness::build_error({residual({})}, {3}).find("layers[0].layers: expected at least one layer") == 0);
    CHECK(harness::build_error({make("relu"), residual({make("dense", 2)})}, {3}) ==
          "layers[1].layers: the sub-network maps (3) to (2): x + f(x) needs the output shape equal to the input's");
    CHECK(harness::build_error({residual({make("relu"), make("dense", 0)})}, {3}).find("layers[0].layers[1].out") == 0);
    CHECK(harness::build_error({residual({residual({make("conv2d", 2, 3)})})}, {3}).find("layers[0].layers[0].layers[0].type") == 0);
    layer_spec relu = make("relu");
    relu.layers = {make("relu")};
    CHECK(harness::build_error({relu}, {3}) == "layers[0].layers: relu layers take no 'layers'");
}

TEST_CASE("a residual block's sub-activations count against the size limit before anything runs") {
    // 2^20 features: 3 x 2^20 floats per example for the network's own buffers, 3 x 2^20 more
    // inside the block; a batch of 60 passes the first count alone but not the whole.
    sequential net({residual({make("relu")})}, {1 << 20}, 1);
    const std::vector<float> x(1);  // never read: the batch is refused first
    std::string message;
    try {
        net.forward(x.data(), 60);
    } catch (const invalid_argument& e) {
        message = e.what();
    }
    CHECK(message.find("batch: too large: 60 examples") == 0);
}
