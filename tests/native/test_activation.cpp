// test_activation.cpp: relu, sigmoid and tanh forward and backward against PyTorch
// (tests/fixtures/nn_ops_activation.txt: lengths around the SIMD widths, saturation, zero),
// against double-precision central differences (away from relu's kink), and the name lookup.
#include "convlab/ops/activation.hpp"

#include <cmath>
#include <limits>

#include "convlab/common.hpp"
#include "harness.hpp"

namespace {

const char* name_of(convlab::activation a) {
    switch (a) {
        case convlab::activation::relu: return "relu";
        case convlab::activation::sigmoid: return "sigmoid";
        case convlab::activation::tanh: return "tanh";
    }
    return "?";
}

}  // namespace

TEST_CASE("activations match PyTorch, forward and backward") {
    const auto cases = harness::load_fixtures("nn_ops_activation.txt");
    REQUIRE(cases.size() == 27);
    const convlab::activation kinds[] = {convlab::activation::relu, convlab::activation::sigmoid,
                                         convlab::activation::tanh};
    for (const auto& c : cases) {
        const auto a = kinds[int(c.at("type")[0])];
        const auto x = harness::as_float(c.at("x")), dy = harness::as_float(c.at("dy"));
        const std::string what = std::string(name_of(a)) + " n=" + std::to_string(x.size());
        std::vector<float> y(x.size(), -7.f), dx(x.size(), -7.f);
        convlab::activation_forward(a, x.data(), y.data(), x.size());
        convlab::activation_backward(a, x.data(), y.data(), dy.data(), dx.data(), x.size());
        // Per element as well as overall: a saturated sigmoid of 1e-9 must not hide behind 1.
        harness::check_close(y, harness::as_float(c.at("y")), 1e-6, what + " y");
        // dx of a saturated tanh is dy (1 - y^2) with y rounded to float: the cancellation
        // costs a few float ulps of y relative to dx, so 1e-5 here (API.md promises 1e-4).
        harness::check_close(dx, harness::as_float(c.at("dx")), 1e-5, what + " dx");
        const auto want = harness::as_float(c.at("y"));
        for (std::size_t i = 0; i < y.size(); ++i) {
            INFO(what << " x[" << i << "] = " << x[i]);
            CHECK(std::fabs(y[i] - want[i]) <= 1e-6f * std::fabs(want[i]) + 1e-30f);
        }
    }
}

TEST_CASE("sigmoid and tanh match double-precision formulas over the whole float range") {
    // 200,001 points over [-100, 100] plus tiny and huge magnitudes: a few float ulps
    // relative, except sigmoid below about -87.3, which flushes to 0 (true values < 1.2e-38).
    std::vector<float> x;
    for (int i = -100000; i <= 100000; ++i) x.push_back(float(i) * 1e-3f);
    for (float v : {1e-38f, 1e-20f, 1e-10f, 3e-5f, 1e10f, 3e38f}) {
        x.push_back(v);
        x.push_back(-v);
    }
    for (auto a : {convlab::activation::sigmoid, convlab::activation::tanh}) {
        std::vector<float> y(x.size());
        convlab::activation_forward(a, x.data(), y.data(), x.size());
        double worst = 0;
        std::size_t worst_i = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const double xd = x[i];
            const double want =
                a == convlab::activation::sigmoid ? 1.0 / (1.0 + std::exp(-xd)) : std::tanh(xd);
            const double err = std::fabs(double(y[i]) - want);
            const double rel = want == 0 ? err : err / std::fabs(want);
            const bool flushed = a == convlab::activation::sigmoid && want < 1.2e-38 && err < 1.2e-38;
            if (!flushed && rel > worst) {
                worst = rel;
                worst_i = i;
            }
        }
        INFO(name_of(a) << ": worst relative error " << worst << " at x = " << x[worst_i]
                        << ", got " << y[worst_i]);
        CHECK(worst < 5e-7);
    }
}

TEST_CASE("sigmoid and tanh keep NaN, as PyTorch does") {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (auto a : {convlab::activation::relu, convlab::activation::sigmoid,
                   convlab::activation::tanh}) {
        std::vector<float> x = {1.f, nan, -2.f, 0.5f, nan}, y(x.size());
        convlab::activation_forward(a, x.data(), y.data(), x.size());
        INFO(name_of(a));
        CHECK(std::isnan(y[1]));
        CHECK(std::isnan(y[4]));
        CHECK(!std::isnan(y[0]));
    }
}

TEST_CASE("activation_forward works in place (y aliasing x)") {
    for (auto a : {convlab::activation::relu, convlab::activation::sigmoid,
                   convlab::activation::tanh}) {
        auto x = harness::random_vector(19, 5, -3.f, 3.f);
        std::vector<float> y(x.size());
        convlab::activation_forward(a, x.data(), y.data(), x.size());
        convlab::activation_forward(a, x.data(), x.data(), x.size());
        CHECK(x == y);
    }
}

TEST_CASE("activation backward equals central differences of the forward") {
    for (auto a : {convlab::activation::relu, convlab::activation::sigmoid,
                   convlab::activation::tanh}) {
        // 21 values: the SIMD loop and a tail. relu's kink at 0 has no derivative; keep inputs
        // farther than the step from it.
        auto x = harness::random_vector(21, 31, -4.f, 4.f);
        for (auto& v : x)
            if (std::fabs(v) < 0.05f) v = v < 0 ? -0.5f : 0.5f;
        const auto g = harness::random_vector(x.size(), 32);
        auto loss = [&] {
            std::vector<float> y(x.size());
            convlab::activation_forward(a, x.data(), y.data(), x.size());
            double total = 0;
            for (std::size_t i = 0; i < y.size(); ++i) total += double(y[i]) * g[i];
            return total;
        };
        std::vector<float> y(x.size()), dx(x.size());
        convlab::activation_forward(a, x.data(), y.data(), x.size());
        convlab::activation_backward(a, x.data(), y.data(), g.data(), dx.data(), x.size());
        const auto numeric = harness::numeric_gradient(x, loss, 1e-2f);
        harness::check_close(dx, harness::as_float(numeric), 2e-3, name_of(a));
    }
}

TEST_CASE("activation_from_name") {
    CHECK(convlab::activation_from_name("relu") == convlab::activation::relu);
    CHECK(convlab::activation_from_name("sigmoid") == convlab::activation::sigmoid);
    CHECK(convlab::activation_from_name("tanh") == convlab::activation::tanh);
    try {
        convlab::activation_from_name("softplus");
        FAIL("expected convlab::invalid_argument");
    } catch (const convlab::invalid_argument& e) {
        CHECK(e.argument() == "type");
        CHECK(std::string(e.what()) ==
              "type: expected 'relu', 'sigmoid' or 'tanh', got 'softplus'");
    }
    try {
        convlab::activation_from_name("ReLU", "layers[2].type");
        FAIL("expected convlab::invalid_argument");
    } catch (const convlab::invalid_argument& e) {
        CHECK(e.argument() == "layers[2].type");
    }
}
