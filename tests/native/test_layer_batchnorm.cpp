// test_layer_batchnorm.cpp: batchnorm2d and batchnorm1d against torch's BatchNorm2d /
// BatchNorm1d (output and every gradient in training and eval mode, running statistics after
// three training forwards), against the plain-loop reference on awkward shapes, against
// central differences inside a network in both modes, and their refusals by name: eps,
// momentum, input shapes, a training batch with one value per channel.
#include <string>
#include <vector>

#include "convlab/common.hpp"
#include "convlab/nn/reference.hpp"
#include "convlab/nn/sequential.hpp"
#include "harness.hpp"
#include "layer_harness.hpp"
#include "nn_harness.hpp"

using namespace convlab;
using harness::as_float;
using harness::check_close;

namespace {

layer_spec bn(const char* type, double eps = 1e-5, double momentum = 0.1) {
    layer_spec s;
    s.type = type;
    s.eps = eps;
    s.momentum = momentum;
    return s;
}

void check_result(const harness::layer_result& r, const harness::fixture& f, const std::string& mode,
                  const std::string& what) {
    check_close(r.y, as_float(f.at(mode + ".y")), 2e-6, what + " " + mode + " y");
    check_close(r.dx, as_float(f.at(mode + ".dx")), 2e-5, what + " " + mode + " dx");
    check_close(r.dweight, as_float(f.at(mode + ".dweight")), 2e-5, what + " " + mode + " dweight");
    check_close(r.dbias, as_float(f.at(mode + ".dbias")), 2e-6, what + " " + mode + " dbias");
}

}  // namespace

TEST_CASE("batchnorm2d and batchnorm1d equal torch in training and eval mode") {
    for (const char* kind : {"batchnorm2d", "batchnorm1d"}) {
        const std::size_t dims = kind[9] == '2' ? 4 : 2;
        for (const auto& f : harness::layer_fixtures(kind)) {
            const auto& c = f.at("config");
            const std::vector<int> shape = harness::example_shape(f, dims);
            const int N = static_cast<int>(c[0]);
            const std::string what = std::string(kind) + " N " + std::to_string(N) + " shape " +
                                     std::to_string(shape[0]) + " eps " + std::to_string(c[dims]);
            INFO(what);
            const layer_spec s = bn(kind, c[dims], c[dims + 1]);
            const auto x = as_float(f.at("x")), dy = as_float(f.at("dy"));

            sequential net({s}, shape, 1);
            CHECK(net.training());
            harness::write_tensor(net, "0.weight", f.at("weight"));
            harness::write_tensor(net, "0.bias", f.at("bias"));
            check_result(harness::run_vjp(net, x, N, dy), f, "train", what);

            sequential stats({s}, shape, 1);
            harness::write_tensor(stats, "0.weight", f.at("weight"));
            harness::write_tensor(stats, "0.bias", f.at("bias"));
            for (const char* key : {"x", "x2", "x3"}) stats.forward(as_float(f.at(key)).data(), N);
            check_close(harness::buffer(stats, "0.running_mean"), as_float(f.at("running_mean")), 1e-6, what + " running_mean");
            check_close(harness::buffer(stats, "0.running_var"), as_float(f.at("running_var")), 1e-6, what + " running_var");
            CHECK(harness::buffer(stats, "0.num_batches_tracked") == std::vector<float>{3.0f});
            stats.set_training(false);
            CHECK_FALSE(stats.training());
            const auto before = harness::buffer(stats, "0.running_var");
            check_result(harness::run_vjp(stats, x, N, dy), f, "eval", what);
            // Eval-mode calls leave the statistics alone.
            CHECK(harness::buffer(stats, "0.num_batches_tracked") == std::vector<float>{3.0f});
            CHECK(harness::buffer(stats, "0.running_var") == before);
        }
    }
}

TEST_CASE("batch norm equals its plain-loop reference on awkward shapes, both modes") {
    struct shape_case { int N; std::vector<int> shape; };
    for (const shape_case& sc : {shape_case{3, {5, 7, 9}}, shape_case{2, {1, 1, 17}}, shape_case{5, {3, 1, 1}},
                                 shape_case{7, {13}}, shape_case{2, {4}}, shape_case{1, {2, 3, 3}}}) {
        const char* kind = sc.shape.size() == 3 ? "batchnorm2d" : "batchnorm1d";
        const std::size_t C = sc.shape[0], S = sc.shape.size() == 3 ? sc.shape[1] * sc.shape[2] : 1,
                          N = sc.N;
        INFO(kind << " N " << N << " C " << C << " S " << S);
        sequential net({bn(kind, 1e-4, 0.25)}, sc.shape, 1);
        const auto gamma = harness::random_vector(C, 3, 0.5f, 1.5f), beta = harness::random_vector(C, 4);
        std::copy(gamma.begin(), gamma.end(), net.parameters()[0].data);
        std::copy(beta.begin(), beta.end(), net.parameters()[1].data);
        const auto x = harness::random_vector(N * C * S, 5, -2.f, 3.f), dy = harness::random_vector(N * C * S, 6);
        for (bool training : {true, false}) {
            INFO("training " << training);
            net.set_training(training);
            auto rm = harness::buffer(net, "0.running_mean"), rv = harness::buffer(net, "0.running_var");
            std::vector<float> y(x.size()), dx(x.size()), dg(C), db(C);
            batchnorm_forward_ref(x.data(), gamma.data(), beta.data(), rm.data(), rv.data(), y.data(), N, C, S, 1e-4, training);
            batchnorm_backward_ref(x.data(), gamma.data(), rm.data(), rv.data(), dy.data(), dx.data(), dg.data(), db.data(), N, C, S, 1e-4, training);
            if (training) batchnorm_update_running_ref(x.data(), rm.data(), rv.data(), N, C, S, 0.25);
            const auto r = harness::run_vjp(net, x, sc.N, dy);
            check_close(r.y, y, 1e-5, "y");
            // A batch of two normalises to +-1: dx nearly cancels, relative errors grow.
            check_close(r.dx, dx, sc.N == 2 && S == 1 ? 5e-4 : 1e-4, "dx");
            check_close(r.dweight, dg, 1e-5, "dgamma");
            check_close(r.dbias, db, 1e-5, "dbeta");
            check_close(harness::buffer(net, "0.running_mean"), rm, 1e-6, "running_mean");
            check_close(harness::buffer(net, "0.running_var"), rv, 1e-6, "running_var");
        }
    }
}

TEST_CASE("a network with batch norm has central-difference gradients in both modes") {
    // Without the bias before a batch norm, as in practice: in training mode its gradient is
    // exactly 0, where a relative check is meaningless.
    layer_spec conv = harness::make("conv2d", 3, 3), dense = harness::make("dense", 5);
    conv.bias = dense.bias = false;
    for (const bool two_d : {true, false}) {
        const std::vector<layer_spec> layers =
            two_d ? std::vector<layer_spec>{conv, bn("batchnorm2d"), harness::make("tanh"),
                                            harness::make("flatten"), harness::make("dense", 4)}
                  : std::vector<layer_spec>{dense, bn("batchnorm1d"), harness::make("tanh"),
                                            harness::make("dense", 4)};
        const std::vector<int> shape = two_d ? std::vector<int>{2, 5, 5} : std::vector<int>{6};
        sequential net(layers, shape, 9);
        // Move gamma and beta off 1 and 0, and the running statistics off 0 and 1.
        for (auto& p : net.parameters())
            if (p.name[0] == '1')
                for (std::size_t i = 0; i < p.size; ++i) p.data[i] += 0.3f * static_cast<float>(i) - 0.2f;
        const int N = 4;
        const auto x = harness::random_vector(N * (two_d ? 50 : 6), 10, -1.5f, 2.f);
        const std::vector<std::int32_t> labels{0, 3, 1, 2};
        for (int k = 0; k < 3; ++k) net.forward(x.data(), N);
        for (bool training : {true, false}) {
            INFO((two_d ? "batchnorm2d" : "batchnorm1d") << " training " << training);
            net.set_training(training);
            // The numeric side must not run backward: that would overwrite the analytic grads.
            auto loss = [&] { return net.evaluate(x.data(), labels.data(), N, loss_kind::softmax_cross_entropy, nullptr).loss; };
            net.backward(x.data(), labels.data(), N, loss_kind::softmax_cross_entropy);
            harness::check_parameter_gradients(net, loss, 3e-3f, 2e-3, "gradcheck");
        }
    }
}

TEST_CASE("batch norm starts at gamma 1, beta 0 and draws nothing from the initialisation") {
    sequential with({harness::make("conv2d", 2, 3), bn("batchnorm2d"), harness::make("flatten"), harness::make("dense", 3)}, {1, 5, 5}, 42);
    sequential without({harness::make("conv2d", 2, 3), harness::make("flatten"), harness::make("dense", 3)}, {1, 5, 5}, 42);
    const auto a = with.parameters(), b = without.parameters();
    REQUIRE(a.size() == 6);
    CHECK(std::vector<float>(a[2].data, a[2].data + 2) == std::vector<float>{1, 1});
    CHECK(std::vector<float>(a[3].data, a[3].data + 2) == std::vector<float>{0, 0});
    CHECK(std::vector<float>(a[4].data, a[4].data + a[4].size) == std::vector<float>(b[2].data, b[2].data + b[2].size));
    const auto buffers = with.buffers();
    REQUIRE(buffers.size() == 3);
    CHECK(buffers[0].name == "1.running_mean");
    CHECK(buffers[1].name == "1.running_var");
    CHECK(buffers[2].name == "1.num_batches_tracked");
    CHECK(buffers[2].shape.empty());
    CHECK(harness::buffer(with, "1.running_var") == std::vector<float>{1, 1});
}

TEST_CASE("batch norm refuses bad fields, shapes and single-value training batches by name") {
    CHECK(harness::build_error({bn("batchnorm2d", 0)}, {2, 3, 3}).find("layers[0].eps: expected a finite number > 0") == 0);
    CHECK(harness::build_error({bn("batchnorm1d", 1e-5, 1.5)}, {4}).find("layers[0].momentum: expected a number in [0, 1]") == 0);
    CHECK(harness::build_error({bn("batchnorm1d")}, {2, 3, 3}).find("layers[0].type: batchnorm1d needs a flat input") == 0);
    CHECK(harness::build_error({harness::make("flatten"), bn("batchnorm2d")}, {2, 3, 3}).find("layers[1].type: batchnorm2d needs a (C, H, W) input") == 0);
    layer_spec relu = harness::make("relu");
    relu.eps = 0.5;
    CHECK(harness::build_error({relu}, {4}) == "layers[0].eps: relu layers take no 'eps'");

    sequential net({harness::make("dense", 3), bn("batchnorm1d")}, {2}, 1);
    const std::vector<float> x{1, 2};
    std::string message;
    try {
        net.forward(x.data(), 1);
    } catch (const invalid_argument& e) {
        message = e.what();
    }
    CHECK(message.find("batch: layers[1] (batchnorm1d) in training mode needs more than one value per channel") == 0);
    CHECK(harness::buffer(net, "1.num_batches_tracked") == std::vector<float>{0});
    net.set_training(false);
    CHECK_NOTHROW(net.forward(x.data(), 1));
    // (C, H, W) with H W > 1 has several values per channel even in a batch of one.
    sequential image({bn("batchnorm2d")}, {2, 2, 1}, 1);
    CHECK_NOTHROW(image.forward(std::vector<float>(4, 1.f).data(), 1));
}

TEST_CASE("set_buffers checks every entry before writing, naming it") {
    sequential net({bn("batchnorm1d"), harness::make("dense", 2), bn("batchnorm1d")}, {3}, 1);
    std::vector<float> m3{1, 2, 3}, v3{4, 5, 6}, m2{7, 8}, v2{9, 10}, one{11};
    std::vector<buffer_view> list{{"2.running_var", {2}, v2.data(), 2}, {"0.running_mean", {3}, m3.data(), 3},
                                  {"0.running_var", {3}, v3.data(), 3}, {"0.num_batches_tracked", {}, one.data(), 1},
                                  {"2.running_mean", {2}, m2.data(), 2}, {"2.num_batches_tracked", {}, one.data(), 1}};
    auto error = [&](std::vector<buffer_view> l) {
        try {
            net.set_buffers(l);
        } catch (const invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    auto bad = list;
    bad[1].name = "0.running_men";
    CHECK(error(bad).find("list[1].name: expected one of '0.running_mean'") == 0);
    bad = list;
    bad[4].name = "2.running_var";
    CHECK(error(bad) == "list[4].name: '2.running_var' appears twice");
    bad = list;
    bad[0].shape = {3};
    CHECK(error(bad) == "list[0].shape: expected (2) for '2.running_var', got (3)");
    bad = list;
    bad[3].size = 2;
    CHECK(error(bad) == "list[3].data: expected 1 elements for shape (), got 2");
    bad = list;
    bad.pop_back();
    CHECK(error(bad) == "list: missing buffer '2.num_batches_tracked'");
    CHECK(harness::buffer(net, "0.running_mean") == std::vector<float>{0, 0, 0});
    CHECK(error(list) == "(no error)");
    CHECK(harness::buffer(net, "0.running_mean") == m3);
    CHECK(harness::buffer(net, "2.running_var") == v2);
    CHECK(harness::buffer(net, "2.num_batches_tracked") == one);
}
