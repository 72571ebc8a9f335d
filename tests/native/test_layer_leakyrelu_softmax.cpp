// test_layer_leakyrelu_softmax.cpp: the leakyrelu, softmax and globalavgpool2d layers against
// torch (LeakyReLU, Softmax(dim=1) of the flattened example, AdaptiveAvgPool2d(1)) and against
// their plain-loop references (softmax's with the full Jacobian formed), softmax's stability
// for huge logits, and their refusals by name.
#include <cmath>
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

layer_spec leaky(double slope) {
    layer_spec s = harness::make("leakyrelu");
    s.negative_slope = slope;
    return s;
}

}  // namespace

TEST_CASE("leakyrelu, softmax and globalavgpool2d equal torch") {
    for (const char* kind : {"leakyrelu", "softmax", "globalavgpool2d"}) {
        for (const auto& f : harness::layer_fixtures(kind)) {
            const auto& c = f.at("config");
            const bool image = kind[0] == 'g' || (kind[0] != 'l' && c.size() == 4) ||
                               (kind[0] == 'l' && c.size() == 5);
            const std::vector<int> shape = harness::example_shape(f, image ? 4 : 2);
            const layer_spec s = kind[0] == 'l' ? leaky(c.back()) : harness::make(kind);
            INFO(kind << " config " << c.size() << " N " << c[0] << " shape[0] " << shape[0]);
            sequential net({s}, shape, 1);
            const auto r = harness::run_vjp(net, as_float(f.at("x")), static_cast<int>(c[0]), as_float(f.at("dy")));
            check_close(r.y, as_float(f.at("train.y")), 1e-6, "y");
            check_close(r.dx, as_float(f.at("train.dx")), 1e-6, "dx");
            net.set_training(false);  // no state: the same function in eval mode
            const auto e = harness::run_vjp(net, as_float(f.at("x")), static_cast<int>(c[0]), as_float(f.at("dy")));
            CHECK(e.y == r.y);
        }
    }
}

TEST_CASE("the three layers equal their references; the sizes straddle a SIMD width") {
    for (const int n : {1, 3, 4, 5, 7, 8, 9, 16, 17, 31}) {
        INFO("n " << n);
        const int B = 3;
        const auto x = harness::random_vector(B * n, 31 + n, -8.f, 8.f), dy = harness::random_vector(B * n, 41 + n);
        std::vector<float> y(x.size()), dx(x.size());

        sequential s({harness::make("softmax")}, {n}, 1);
        softmax_forward_ref(x.data(), y.data(), B, n);
        softmax_backward_ref(x.data(), dy.data(), dx.data(), B, n);
        auto r = harness::run_vjp(s, x, B, dy);
        check_close(r.y, y, 1e-6, "softmax y");
        check_close(r.dx, dx, 1e-5, "softmax dx");

        sequential l({leaky(0.07)}, {n}, 1);
        leakyrelu_forward_ref(x.data(), y.data(), x.size(), 0.07);
        leakyrelu_backward_ref(x.data(), dy.data(), dx.data(), x.size(), 0.07);
        r = harness::run_vjp(l, x, B, dy);
        check_close(r.y, y, 1e-7, "leakyrelu y");
        check_close(r.dx, dx, 1e-7, "leakyrelu dx");

        sequential g({harness::make("globalavgpool2d")}, {2, n, 3}, 1);
        const auto xi = harness::random_vector(B * 2 * n * 3, 51 + n), dyi = harness::random_vector(B * 2, 61 + n);
        std::vector<float> yi(B * 2), dxi(xi.size());
        global_avg_pool_forward_ref(xi.data(), yi.data(), B * 2, n * 3);
        global_avg_pool_backward_ref(dyi.data(), dxi.data(), B * 2, n * 3);
        r = harness::run_vjp(g, xi, B, dyi);
        CHECK(g.output_shape() == std::vector<int>{2, 1, 1});
        check_close(r.y, yi, 1e-6, "globalavgpool2d y");
        check_close(r.dx, dxi, 1e-7, "globalavgpool2d dx");
    }
}

TEST_CASE("softmax is stable for huge logits and sums to one over the whole example") {
    sequential net({harness::make("softmax")}, {2, 1, 2}, 1);
    const std::vector<float> x{1000.f, 999.f, -1000.f, 1000.f};
    const float* y = net.forward(x.data(), 1);
    float sum = 0;
    for (int i = 0; i < 4; ++i) {
        CHECK(std::isfinite(y[i]));
        sum += y[i];
    }
    CHECK(sum == doctest::Approx(1.0f));
    CHECK(y[0] == doctest::Approx(1.0 / (2 + std::exp(-1.0))));
    CHECK(y[2] == 0.0f);
}

TEST_CASE("leakyrelu at 0 takes the slope side, as torch; bad fields are refused by name") {
    sequential net({leaky(0.25)}, {1}, 1);
    const std::vector<float> x{0.f}, dy{2.f};
    CHECK(harness::run_vjp(net, x, 1, dy).dx == std::vector<float>{0.5f});
    CHECK(harness::build_error({leaky(NAN)}, {3}).find("layers[0].negativeSlope: expected a finite number") == 0);
    CHECK(harness::build_error({harness::make("globalavgpool2d")}, {3}).find("layers[0].type: globalavgpool2d needs a (C, H, W) input") == 0);
    layer_spec p = harness::make("softmax");
    p.negative_slope = 0.5;
    CHECK(harness::build_error({p}, {3}) == "layers[0].negativeSlope: softmax layers take no 'negativeSlope'");
}
