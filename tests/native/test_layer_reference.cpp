// test_layer_reference.cpp: the fast activation, loss and dense backward ops a network runs
// against the plain double-accumulating loops of nn/reference.hpp, on random data including
// large logits (the stable log-sum-exp must match the naive formula where it does not overflow).
#include <vector>

#include "convlab/nn/reference.hpp"
#include "convlab/ops/dense.hpp"
#include "harness.hpp"

using namespace convlab;

TEST_CASE("activation forward and backward match the plain loops") {
    for (activation a : {activation::relu, activation::sigmoid, activation::tanh}) {
        for (std::size_t n : {1u, 3u, 17u, 1000u}) {
            INFO("activation " << int(a) << ", n " << n);
            auto x = harness::random_vector(n, 7 + n, -6.f, 6.f);
            if (n > 3) x[2] = 0.f;  // relu'(0) = 0
            const auto dy = harness::random_vector(n, 11 + n);
            std::vector<float> y(n), y_ref(n), dx(n), dx_ref(n);
            activation_forward(a, x.data(), y.data(), n);
            activation_forward_ref(a, x.data(), y_ref.data(), n);
            harness::check_close(y, y_ref, 2e-6, "forward");
            activation_backward(a, x.data(), y.data(), dy.data(), dx.data(), n);
            activation_backward_ref(a, x.data(), dy.data(), dx_ref.data(), n);
            // The fast backward works from the float forward output (1 - y^2, y (1 - y)), as
            // autograd does; in saturation that loses digits the plain loop keeps.
            harness::check_close(dx, dx_ref, 1e-4, "backward");
        }
    }
}

TEST_CASE("both losses: value, accuracy and gradient match the plain loops") {
    for (loss_kind k : {loss_kind::softmax_cross_entropy, loss_kind::mse}) {
        for (std::size_t B : {1u, 4u, 33u}) {
            const std::size_t C = 10;
            INFO("loss " << int(k) << ", batch " << B);
            const auto logits = harness::random_vector(B * C, 3 + B, -20.f, 20.f);
            std::vector<std::int32_t> labels(B);
            for (std::size_t b = 0; b < B; ++b) labels[b] = static_cast<std::int32_t>((b * 7) % C);
            std::vector<float> g(B * C), g_ref(B * C);
            const loss_result r = loss_forward_backward(k, logits.data(), labels.data(), B, C, g.data());
            const loss_result rr =
                loss_forward_backward_ref(k, logits.data(), labels.data(), B, C, g_ref.data());
            CHECK(r.loss == doctest::Approx(rr.loss).epsilon(1e-9));
            CHECK(r.correct == rr.correct);
            harness::check_close(g, g_ref, 1e-6, "gradient");
            // Without a gradient buffer: the same value.
            CHECK(loss_forward_backward(k, logits.data(), labels.data(), B, C, nullptr).loss ==
                  doctest::Approx(rr.loss).epsilon(1e-9));
        }
    }
}

TEST_CASE("dense backward matches the plain loops") {
    struct dims { std::size_t B, I, O; };
    for (dims d : {dims{1, 1, 1}, dims{3, 5, 2}, dims{8, 400, 120}, dims{17, 84, 10}}) {
        INFO("B " << d.B << " I " << d.I << " O " << d.O);
        const auto x = harness::random_vector(d.B * d.I, 1);
        const auto w = harness::random_vector(d.O * d.I, 2);
        const auto dy = harness::random_vector(d.B * d.O, 3);
        std::vector<float> dx(d.B * d.I), dw(d.O * d.I), db(d.O);
        std::vector<float> dx_r(dx.size()), dw_r(dw.size()), db_r(db.size());
        dense_backward(x.data(), w.data(), dy.data(), dx.data(), dw.data(), db.data(), d.B, d.I, d.O);
        dense_backward_ref(x.data(), w.data(), dy.data(), dx_r.data(), dw_r.data(), db_r.data(), d.B,
                           d.I, d.O);
        harness::check_close(dx, dx_r, 1e-5, "dx");
        harness::check_close(dw, dw_r, 1e-5, "dw");
        harness::check_close(db, db_r, 1e-5, "db");
    }
}
