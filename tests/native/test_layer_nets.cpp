// test_layer_nets.cpp: small networks of the new kinds against torch after three steps of
// torch.optim.SGD (lr 0.1): conv-batchnorm2d-relu-pool-globalavgpool2d-dense, a residual
// block (conv-bn-relu-conv-bn) between convolutions, an MLP with batchnorm1d and leakyrelu,
// and a softmax output trained with the squared error. Each step's
// loss, the final parameters, the running statistics and the eval-mode output are torch's
// (tests/fixtures/layers_net_*.txt); tests/node/layers-nets.test.mjs checks the same files
// on the WebAssembly build.
#include <string>
#include <vector>

#include "convlab/nn/sequential.hpp"
#include "harness.hpp"
#include "layer_harness.hpp"
#include "nn_harness.hpp"

using namespace convlab;
using harness::as_float;
using harness::make;

namespace {

layer_spec padded(layer_spec s, int pad) {
    s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = pad;
    return s;
}

layer_spec residual(std::vector<layer_spec> layers) {
    layer_spec s = make("residual");
    s.layers = std::move(layers);
    return s;
}

struct net_case {
    const char* name;
    std::vector<layer_spec> layers;
    std::vector<int> input_shape;
    loss_kind loss;
};

std::vector<net_case> cases() {
    layer_spec leaky = make("leakyrelu");
    leaky.negative_slope = 0.1;
    return {
        {"conv_bn",
         {padded(make("conv2d", 4, 3), 1), make("batchnorm2d"), make("relu"), make("maxpool2d", 0, 2),
          make("globalavgpool2d"), make("flatten"), make("dense", 3)},
         {2, 8, 8},
         loss_kind::softmax_cross_entropy},
        {"residual",
         {padded(make("conv2d", 4, 3), 1), residual({padded(make("conv2d", 4, 3), 1), make("batchnorm2d"), make("relu"),
                                                     padded(make("conv2d", 4, 3), 1), make("batchnorm2d")}),
          make("relu"), make("globalavgpool2d"), make("flatten"), make("dense", 3)},
         {2, 6, 6},
         loss_kind::softmax_cross_entropy},
        {"mlp_bn1d", {make("dense", 8), make("batchnorm1d"), leaky, make("dense", 3)}, {6}, loss_kind::softmax_cross_entropy},
        {"conv_softmax",
         {make("conv2d", 3, 3), make("leakyrelu"), make("globalavgpool2d"), make("flatten"), make("dense", 4), make("softmax")},
         {2, 5, 5},
         loss_kind::mse},
    };
}

}  // namespace

TEST_CASE("networks with batch norm, leakyrelu, global pooling and softmax train as torch") {
    for (const net_case& c : cases()) {
        INFO(std::string(c.name));
        const auto f = harness::load_fixtures(std::string("layers_net_") + c.name + ".txt").at(0);
        sequential net(c.layers, c.input_shape, 1);
        for (const auto& p : net.parameters()) harness::write_tensor(net, p.name, f.at("param " + p.name));
        const auto x = as_float(f.at("x"));
        const std::vector<std::int32_t> labels(f.at("labels").begin(), f.at("labels").end());
        const int batch = static_cast<int>(labels.size());
        train_options o;
        o.lr = 0.1f;
        o.loss = c.loss;
        const auto& losses = f.at("losses");
        for (std::size_t step = 0; step < losses.size(); ++step) {
            INFO("step " << step);
            CHECK(net.train_step(x.data(), labels.data(), batch, o).loss == doctest::Approx(losses[step]).epsilon(1e-5));
        }
        for (const auto& p : net.parameters())
            harness::check_close(std::vector<float>(p.data, p.data + p.size), as_float(f.at("final " + p.name)), 2e-5, p.name);
        for (const auto& b : net.buffers())
            harness::check_close(std::vector<float>(b.data, b.data + b.size), as_float(f.at("buffer " + b.name)), 2e-5, b.name);
        net.set_training(false);
        const float* y = net.forward(x.data(), batch);
        harness::check_close(std::vector<float>(y, y + f.at("eval.y").size()), as_float(f.at("eval.y")), 2e-5, "eval output");
    }
}
