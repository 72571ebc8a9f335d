// test_dense.cpp: dense_forward / dense_backward against PyTorch (F.linear and autograd,
// tests/fixtures/nn_ops_dense.txt), the fast forward against dense_forward_ref on shapes
// around the GEMM tiles, and the backward against double-precision central differences.
#include "convlab/ops/dense.hpp"

#include <sstream>

#include "harness.hpp"

namespace {

std::string describe(std::size_t B, std::size_t I, std::size_t O) {
    std::ostringstream s;
    s << "B=" << B << " I=" << I << " O=" << O;
    return s.str();
}

}  // namespace

TEST_CASE("dense forward and backward match PyTorch") {
    const auto cases = harness::load_fixtures("nn_ops_dense.txt");
    REQUIRE(cases.size() >= 8);
    for (const auto& c : cases) {
        const auto& shape = c.at("shape");
        const std::size_t B = std::size_t(shape[0]), I = std::size_t(shape[1]),
                          O = std::size_t(shape[2]);
        const bool bias = shape[3] != 0;
        const std::string what = describe(B, I, O) + (bias ? " with bias" : " without bias");
        const auto x = harness::as_float(c.at("x")), w = harness::as_float(c.at("w")),
                   dy = harness::as_float(c.at("dy"));
        const std::vector<float> b = bias ? harness::as_float(c.at("b")) : std::vector<float>{};
        std::vector<float> y(B * O, -7.f), y_ref(B * O), dx(B * I, -7.f), dw(O * I, -7.f),
            db(O, -7.f);
        convlab::dense_forward(x.data(), w.data(), bias ? b.data() : nullptr, y.data(), B, I, O);
        convlab::dense_forward_ref(x.data(), w.data(), bias ? b.data() : nullptr, y_ref.data(), B,
                                   I, O);
        convlab::dense_backward(x.data(), w.data(), dy.data(), dx.data(), dw.data(), db.data(), B,
                                I, O);
        harness::check_close(y, harness::as_float(c.at("y")), 1e-5, what + " y");
        harness::check_close(y_ref, harness::as_float(c.at("y")), 1e-6, what + " y (ref)");
        harness::check_close(dx, harness::as_float(c.at("dx")), 1e-5, what + " dx");
        harness::check_close(dw, harness::as_float(c.at("dw")), 1e-5, what + " dw");
        harness::check_close(db, harness::as_float(c.at("db")), 1e-5, what + " db");
    }
}

TEST_CASE("dense_forward matches dense_forward_ref around the GEMM tiles") {
    std::uint64_t seed = 7;
    for (std::size_t B : {1, 3, 4, 5, 7, 16, 64})
        for (std::size_t I : {1, 9, 37, 784})
            for (std::size_t O : {1, 7, 8, 9, 17, 100}) {
                const auto x = harness::random_vector(B * I, seed++);
                const auto w = harness::random_vector(O * I, seed++);
                const auto b = harness::random_vector(O, seed++);
                std::vector<float> y(B * O), y_ref(B * O);
                convlab::dense_forward(x.data(), w.data(), b.data(), y.data(), B, I, O);
                convlab::dense_forward_ref(x.data(), w.data(), b.data(), y_ref.data(), B, I, O);
                harness::check_close(y, y_ref, 1e-5, describe(B, I, O));
            }
}

TEST_CASE("dense_backward is the gradient of dense_forward (central differences)") {
    // L = sum(y * g) for a fixed g, so dL/dy = g; the layer is linear in each parameter and
    // central differences are exact up to float rounding in the forward pass.
    struct shape {
        std::size_t B, I, O;
    };
    for (const shape s : {shape{1, 1, 1}, shape{2, 5, 3}, shape{4, 9, 13}, shape{3, 17, 6}}) {
        auto x = harness::random_vector(s.B * s.I, 11 + s.I);
        auto w = harness::random_vector(s.O * s.I, 12 + s.I);
        auto b = harness::random_vector(s.O, 13 + s.I);
        const auto g = harness::random_vector(s.B * s.O, 14 + s.I);
        auto loss = [&] {
            std::vector<float> y(s.B * s.O);
            convlab::dense_forward(x.data(), w.data(), b.data(), y.data(), s.B, s.I, s.O);
            double total = 0;
            for (std::size_t i = 0; i < y.size(); ++i) total += double(y[i]) * g[i];
            return total;
        };
        std::vector<float> dx(x.size()), dw(w.size()), db(b.size());
        convlab::dense_backward(x.data(), w.data(), g.data(), dx.data(), dw.data(), db.data(),
                                s.B, s.I, s.O);
        const std::string what = describe(s.B, s.I, s.O);
        const auto nx = harness::numeric_gradient(x, loss, 1e-2f);
        const auto nw = harness::numeric_gradient(w, loss, 1e-2f);
        const auto nb = harness::numeric_gradient(b, loss, 1e-2f);
        harness::check_close(dx, harness::as_float(nx), 1e-3, what + " dx");
        harness::check_close(dw, harness::as_float(nw), 1e-3, what + " dw");
        harness::check_close(db, harness::as_float(nb), 1e-3, what + " db");
    }
}

TEST_CASE("dense_backward skips outputs passed as nullptr and leaves the others right") {
    const std::size_t B = 3, I = 5, O = 4;
    const auto x = harness::random_vector(B * I, 21), w = harness::random_vector(O * I, 22),
               dy = harness::random_vector(B * O, 23);
    std::vector<float> dx(B * I), dw(O * I), db(O);
    convlab::dense_backward(x.data(), w.data(), dy.data(), dx.data(), dw.data(), db.data(), B, I,
                            O);
    std::vector<float> dw_only(O * I, 5.f);
    convlab::dense_backward(x.data(), w.data(), dy.data(), nullptr, dw_only.data(), nullptr, B, I,
                            O);
    CHECK(dw_only == dw);
    std::vector<float> dx_only(B * I, 5.f), db_only(O, 5.f);
    convlab::dense_backward(x.data(), w.data(), dy.data(), dx_only.data(), nullptr,
                            db_only.data(), B, I, O);
    CHECK(dx_only == dx);
    CHECK(db_only == db);
    // db by hand: the column sums of dy.
    for (std::size_t o = 0; o < O; ++o)
        CHECK(db[o] == doctest::Approx(dy[o] + dy[O + o] + dy[2 * O + o]).epsilon(1e-6));
}
