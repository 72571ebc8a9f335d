// test_layer_dropout.cpp: the dropout layer. torch's masks come from its own generator, so
// the checks are its definition: in training each element is 0 or x / (1 - p), about a
// fraction p are zeroed, backward uses the very mask of its forward, masks change from call
// to call but repeat for the same seed; in eval mode (and for p = 0) the identity, as torch's
// eval-mode fixture. p outside [0, 1) is refused by name.
#include <cmath>
#include <string>
#include <vector>

#include "convlab/common.hpp"
#include "convlab/nn/sequential.hpp"
#include "harness.hpp"
#include "layer_harness.hpp"
#include "nn_harness.hpp"

using namespace convlab;

namespace {

layer_spec dropout(double p) {
    layer_spec s = harness::make("dropout");
    s.p = p;
    return s;
}

}  // namespace

TEST_CASE("dropout zeroes a fraction p, scales the rest by 1 / (1 - p), and backward uses the mask") {
    for (const double p : {0.1, 0.5, 0.8}) {
        INFO("p " << p);
        const int B = 8, n = 1000;
        sequential net({dropout(p)}, {n}, 3);
        const auto x = harness::random_vector(B * n, 7, 0.5f, 1.5f);  // never 0: a zero marks a drop
        const auto dy = harness::random_vector(B * n, 8);
        const auto r = harness::run_vjp(net, x, B, dy);
        const float scale = static_cast<float>(1.0 / (1.0 - p));
        int zeros = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (r.y[i] == 0.0f) {
                ++zeros;
                CHECK(r.dx[i] == 0.0f);
            } else {
                CHECK(r.y[i] == x[i] * scale);
                CHECK(r.dx[i] == dy[i] * scale);
            }
        }
        // Binomial(8000, p): 5 standard deviations.
        const double expected = p * B * n, sd = std::sqrt(B * n * p * (1 - p));
        CHECK(std::fabs(zeros - expected) < 5 * sd);
        // A new mask on the next call; the same masks from the same seed.
        const float* again = net.forward(x.data(), B);
        CHECK(std::vector<float>(again, again + x.size()) != r.y);
        sequential twin({dropout(p)}, {n}, 3);
        CHECK(harness::run_vjp(twin, x, B, dy).y == r.y);
    }
}

TEST_CASE("dropout is the identity in eval mode (torch's fixture) and for p = 0") {
    const auto f = harness::layer_fixtures("dropout").at(0);
    const auto& c = f.at("config");
    sequential net({dropout(c[4])}, harness::example_shape(f, 4), 1);
    net.set_training(false);
    const auto x = harness::as_float(f.at("x"));
    const float* y = net.forward(x.data(), static_cast<int>(c[0]));
    CHECK(std::vector<float>(y, y + x.size()) == harness::as_float(f.at("eval.y")));
    sequential none({dropout(0)}, {5}, 1);
    const std::vector<float> v{1, 2, 3, 4, 5};
    CHECK(harness::run_vjp(none, v, 1, v).y == v);
}

TEST_CASE("adding dropout changes no initial parameter; bad p is refused by name") {
    sequential with({harness::make("dense", 4), dropout(0.5), harness::make("dense", 2)}, {3}, 11);
    sequential without({harness::make("dense", 4), harness::make("dense", 2)}, {3}, 11);
    const auto a = with.parameters(), b = without.parameters();
    for (std::size_t k = 0; k < a.size(); ++k)
        CHECK(std::vector<float>(a[k].data, a[k].data + a[k].size) == std::vector<float>(b[k].data, b[k].data + b[k].size));
    for (const double p : {1.0, -0.1, double(NAN)}) {
        std::string message;
        try {
            sequential net({dropout(p)}, {3}, 1);
        } catch (const invalid_argument& e) {
            message = e.what();
        }
        CHECK(message.find("layers[0].p: expected a number in [0, 1)") == 0);
    }
}
