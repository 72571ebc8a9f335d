// test_loss.cpp: softmax cross-entropy and mse (one-hot) against PyTorch (F.cross_entropy,
// F.mse_loss and autograd, tests/fixtures/nn_ops_loss.txt, including logits of +-1000 and
// tied maxima), against double-precision central differences, and the argument errors.
#include "convlab/ops/loss.hpp"

#include <cmath>
#include <limits>

#include "convlab/common.hpp"
#include "harness.hpp"

namespace {

std::vector<std::int32_t> as_labels(const std::vector<double>& v) {
    return std::vector<std::int32_t>(v.begin(), v.end());
}

const char* name_of(convlab::loss_kind k) {
    return k == convlab::loss_kind::mse ? "mse" : "softmax-cross-entropy";
}

}  // namespace

TEST_CASE("losses match PyTorch: value, gradient and correct count") {
    const auto cases = harness::load_fixtures("nn_ops_loss.txt");
    REQUIRE(cases.size() == 16);
    for (const auto& c : cases) {
        const auto& shape = c.at("shape");
        const auto kind =
            shape[0] == 0 ? convlab::loss_kind::softmax_cross_entropy : convlab::loss_kind::mse;
        const std::size_t B = std::size_t(shape[1]), classes = std::size_t(shape[2]);
        const auto logits = harness::as_float(c.at("logits"));
        const auto labels = as_labels(c.at("labels"));
        const std::string what = std::string(name_of(kind)) + " B=" + std::to_string(B) +
                                 " classes=" + std::to_string(classes);
        INFO(what);
        std::vector<float> d(B * classes, -7.f);
        const auto r =
            convlab::loss_forward_backward(kind, logits.data(), labels.data(), B, classes, d.data());
        const double want = c.at("loss")[0];
        CHECK(r.loss == doctest::Approx(want).epsilon(1e-6));
        CHECK(r.correct == int(c.at("correct")[0]));
        harness::check_close(d, harness::as_float(c.at("dlogits")), 1e-5, what + " dlogits");
        // Without a gradient buffer the loss and count are the same.
        const auto r2 =
            convlab::loss_forward_backward(kind, logits.data(), labels.data(), B, classes, nullptr);
        CHECK(r2.loss == r.loss);
        CHECK(r2.correct == r.correct);
    }
}

TEST_CASE("loss gradients equal central differences of the loss") {
    for (auto kind : {convlab::loss_kind::softmax_cross_entropy, convlab::loss_kind::mse}) {
        const std::size_t B = 5, classes = 7;
        auto z = harness::random_vector(B * classes, 41, -3.f, 3.f);
        const std::vector<std::int32_t> labels = {0, 6, 3, 3, 1};
        auto loss = [&] {
            return convlab::loss_forward_backward(kind, z.data(), labels.data(), B, classes,
                                                  nullptr)
                .loss;
        };
        std::vector<float> d(z.size());
        convlab::loss_forward_backward(kind, z.data(), labels.data(), B, classes, d.data());
        const auto numeric = harness::numeric_gradient(z, loss, 1e-3f);
        harness::check_close(d, harness::as_float(numeric), 1e-4, name_of(kind));
    }
}

TEST_CASE("closed forms: uniform logits give log(classes); exact one-hot gives mse 0") {
    const std::vector<float> z(4 * 10, 0.25f);
    const std::vector<std::int32_t> labels = {0, 3, 9, 4};
    auto r = convlab::loss_forward_backward(convlab::loss_kind::softmax_cross_entropy, z.data(),
                                            labels.data(), 4, 10, nullptr);
    CHECK(r.loss == doctest::Approx(std::log(10.0)).epsilon(1e-12));
    CHECK(r.correct == 1);  // all tied: the first class wins, and only label 0 is class 0
    std::vector<float> one_hot(4 * 10, 0.f);
    for (std::size_t n = 0; n < 4; ++n) one_hot[n * 10 + std::size_t(labels[n])] = 1.f;
    std::vector<float> d(40, -1.f);
    r = convlab::loss_forward_backward(convlab::loss_kind::mse, one_hot.data(), labels.data(), 4,
                                       10, d.data());
    CHECK(r.loss == 0.0);
    CHECK(r.correct == 4);
    CHECK(d == std::vector<float>(40, 0.f));
}

TEST_CASE("labels out of range throw invalid_argument naming labels, before writing") {
    const std::vector<float> z(3 * 4, 0.5f);
    for (std::int32_t bad : {-1, 4, 1000}) {
        const std::vector<std::int32_t> labels = {0, 3, bad};
        std::vector<float> d(12, -7.f);
        try {
            convlab::loss_forward_backward(convlab::loss_kind::softmax_cross_entropy, z.data(),
                                           labels.data(), 3, 4, d.data());
            FAIL("expected convlab::invalid_argument");
        } catch (const convlab::invalid_argument& e) {
            CHECK(e.argument() == "labels");
            CHECK(std::string(e.what()) == "labels: expected class indices in [0, 4), got " +
                                               std::to_string(bad) + " at index 2");
        }
        CHECK(d == std::vector<float>(12, -7.f));
    }
}

TEST_CASE("loss_from_name") {
    CHECK(convlab::loss_from_name("softmax-cross-entropy") ==
          convlab::loss_kind::softmax_cross_entropy);
    CHECK(convlab::loss_from_name("mse") == convlab::loss_kind::mse);
    for (const char* bad : {"cross-entropy", "MSE", ""}) {
        try {
            convlab::loss_from_name(bad);
            FAIL("expected convlab::invalid_argument");
        } catch (const convlab::invalid_argument& e) {
            CHECK(e.argument() == "loss");
            CHECK(std::string(e.what()) ==
                  std::string("loss: expected 'softmax-cross-entropy' or 'mse', got '") + bad +
                      "'");
        }
    }
}
