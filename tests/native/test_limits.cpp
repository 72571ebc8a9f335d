// test_limits.cpp: extreme but well-formed sizes. Each op either computes the answer (checked
// against its plain-loop reference) or refuses with convlab::invalid_argument naming the
// argument, before it allocates; none may read or write out of bounds (the debug preset runs
// this under ASan and UBSan, tests/wasm runs it in WebAssembly). Every crash the fuzzers
// (tests/fuzz) found is kept here as a case.
#include <cmath>
#include <string>
#include <vector>

#include "convlab/common.hpp"
#include "convlab/nn/options.hpp"
#include "convlab/nn/sequential.hpp"
#include "convlab/ops/conv1d.hpp"
#include "convlab/ops/conv2d.hpp"
#include "convlab/ops/dense.hpp"
#include "convlab/ops/fft.hpp"
#include "convlab/ops/pool2d.hpp"
#include "harness.hpp"

using namespace convlab;

namespace {

const std::vector<conv2d_method> all_conv2d_methods = {
#define CONVLAB_CONV2D_VARIANT(id, name) conv2d_method::id,
#include "convlab/ops/conv2d_variants.inc"
#undef CONVLAB_CONV2D_VARIANT
    conv2d_method::automatic,
};

// The message of the invalid_argument that f throws (and CHECK that it throws one).
template <class F>
std::string refusal(F f) {
    try {
        f();
    } catch (const convlab::invalid_argument& e) {
        return e.what();
    }
    FAIL("expected convlab::invalid_argument");
    return "";
}

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

std::size_t x_size(const conv2d_geometry& g) { return std::size_t(g.N) * g.C * g.H * g.W; }
std::size_t w_size(const conv2d_geometry& g) { return std::size_t(g.K) * g.C * g.R * g.S; }
std::size_t y_size(const conv2d_geometry& g) { return std::size_t(g.N) * g.K * g.Ho * g.Wo; }

// |got - want| <= 1e-5 max(1, |want|): the inputs are of magnitude 1, so an output that is
// exactly 0 (a window wholly in the padding) may carry the FFT's rounding of that magnitude.
void check_near(const std::vector<float>& got, const std::vector<float>& want, const char* what) {
    INFO(what);
    REQUIRE(got.size() == want.size());
    double scale = 1, worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
        scale = std::fmax(scale, std::fabs(double(want[i])));
        worst = std::fmax(worst, std::fabs(double(got[i]) - double(want[i])));
    }
    CHECK(worst <= 1e-5 * scale);
}

// Every method, forward and backward, against the reference; a method that refuses must name
// `refused_argument` ("" when every method must compute).
void check_conv2d_all_methods(const conv2d_geometry& g, const std::string& what,
                              const std::string& refused_argument = "") {
    INFO(what);
    const auto x = harness::random_vector(x_size(g), 1);
    const auto w = harness::random_vector(w_size(g), 2);
    const auto b = harness::random_vector(std::size_t(g.K), 3);
    const auto dy = harness::random_vector(y_size(g), 4);
    std::vector<float> y_ref(y_size(g)), dx_ref(x_size(g)), dw_ref(w_size(g)), db_ref(g.K);
    conv2d_forward_ref(g, x.data(), w.data(), b.data(), y_ref.data());
    conv2d_backward_ref(g, x.data(), w.data(), dy.data(), dx_ref.data(), dw_ref.data(),
                        db_ref.data());
    for (conv2d_method m : all_conv2d_methods) {
        INFO("method " << std::string(conv2d_method_name(m)));
        std::vector<float> y(y_size(g)), dx(x_size(g)), dw(w_size(g)), db(g.K);
        try {
            conv2d_forward(g, x.data(), w.data(), b.data(), y.data(), m);
            conv2d_backward(g, x.data(), w.data(), dy.data(), dx.data(), dw.data(), db.data(), m);
        } catch (const convlab::invalid_argument& e) {
            CHECK(!refused_argument.empty());
            CHECK(m != conv2d_method::automatic);  // 'auto' never picks a method that refuses
            CHECK(e.argument() == refused_argument);
            continue;
        }
        check_near(y, y_ref, "y");
        check_near(dx, dx_ref, "dx");
        check_near(dw, dw_ref, "dw");
        check_near(db, db_ref, "db");
    }
}

}  // namespace

TEST_CASE("limits: conv2d with stride 2^30 and padding 1 on a 1x1 input computes it") {
    for (int k : {1, 3}) {
        const auto g = make_conv2d_geometry(1, 1, 1, 1, 2, 1, k, k, 1 << 30, 1 << 30, 1, 1, 1, 1);
        CHECK(g.Ho == 1);
        CHECK(g.Wo == 1);
        check_conv2d_all_methods(g, "kernel " + std::to_string(k));
    }
    // by hand: the 3x3 window over the padded 3x3 input sees the one pixel at its centre
    const auto g = make_conv2d_geometry(1, 1, 1, 1, 1, 1, 3, 3, 1 << 30, 1 << 30, 1, 1, 1, 1);
    const std::vector<float> x{2.f}, w{0, 0, 0, 0, 3.f, 0, 0, 0, 0}, b{0.5f};
    float y = 0;
    conv2d_forward(g, x.data(), w.data(), b.data(), &y, conv2d_method::direct);
    CHECK(y == 6.5f);
}

TEST_CASE("limits: a stride past one output row is stored as the smallest with the same output") {
    const auto g = make_conv2d_geometry(1, 1, 5, 6, 1, 1, 2, 3, 1 << 30, 7, 0, 0, 0, 0);
    CHECK(g.Ho == 1);
    CHECK(g.stride_h == 4);  // (5 - 2) / 4 + 1 == 1, like (5 - 2) / 2^30 + 1
    CHECK(g.Wo == 1);
    CHECK(g.stride_w == 4);
    // strides that leave more than one output are kept
    const auto g2 = make_conv2d_geometry(1, 1, 9, 9, 1, 1, 3, 3, 3, 2, 0, 0, 0, 0);
    CHECK(g2.stride_h == 3);
    CHECK(g2.stride_w == 2);
}

TEST_CASE("limits: conv2d fft with padding 16384 and stride 2^30 refuses before allocating") {
    const auto g =
        make_conv2d_geometry(1, 1, 1, 1, 1, 1, 1, 1, 1 << 30, 1 << 30, 16384, 16384, 16384, 16384);
    check_conv2d_all_methods(g, "padding 16384", "padding");
    const std::vector<float> x{1.f}, w{1.f};
    float y = 0;
    const std::string e = refusal([&] { conv2d_fft_forward(g, x.data(), w.data(), nullptr, &y); });
    CHECK(starts_with(e, "padding: too large for method 'fft'"));
}

TEST_CASE("limits: padding 2048 on a 1x1 input: auto and direct compute it, fft refuses") {
    const auto g =
        make_conv2d_geometry(1, 1, 1, 1, 1, 1, 1, 1, 1 << 30, 1 << 30, 2048, 2048, 2048, 2048);
    CHECK(conv2d_auto_method(g) != conv2d_method::fft);
    CHECK(conv2d_auto_backward_methods(g).input != conv2d_method::fft);
    CHECK(conv2d_auto_backward_methods(g).weight != conv2d_method::fft);
    check_conv2d_all_methods(g, "padding 2048", "padding");
    // stride 1: a 4097 x 4097 output, still without the fft's grid
    const auto g1 = make_conv2d_geometry(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2048, 2048, 2048, 2048);
    const std::vector<float> x{1.5f}, w{2.f}, b{0.25f};
    std::vector<float> y(y_size(g1));
    conv2d_forward(g1, x.data(), w.data(), b.data(), y.data(), conv2d_method::direct);
    CHECK(y[0] == 0.25f);
    CHECK(y[2048 * 4097 + 2048] == 3.25f);
}

TEST_CASE("limits: conv2d backward with stride 2^30 (direct and auto) matches the reference") {
    for (int pad : {0, 1, 3}) {
        const auto g =
            make_conv2d_geometry(2, 3, 4, 5, 2, 3, 3, 2, 1 << 30, 1 << 30, pad, pad, pad, pad);
        check_conv2d_all_methods(g, "padding " + std::to_string(pad));
    }
    // one axis huge, the other ordinary
    const auto g = make_conv2d_geometry(1, 2, 9, 11, 3, 2, 3, 3, 2, 1 << 30, 1, 1, 1, 1);
    check_conv2d_all_methods(g, "stride [2, 2^30]");
    const auto g2 = make_conv2d_geometry(1, 2, 9, 11, 3, 2, 3, 3, (1 << 23) + 1, 3, 0, 2, 1, 0);
    check_conv2d_all_methods(g2, "stride [2^23 + 1, 3]");
}

TEST_CASE("limits: conv2d geometry names the argument of every limit") {
    CHECK(starts_with(
        refusal([] { make_conv2d_geometry(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 << 30, 0, 0, 0); }),
        "padding: too large ("));
    CHECK(starts_with(
        refusal([] { make_conv2d_geometry(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, 0, 0, 0); }),
        "padding: expected non-negative padding"));
    CHECK(
        starts_with(refusal([] { make_conv2d_geometry(1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0); }),
                    "stride: expected positive strides"));
    CHECK(starts_with(
        refusal([] { make_conv2d_geometry(1, 1, 1 << 30, 1, 1, 1, 1, 1, 1, 1, 1 << 20, 0, 0, 0); }),
        "padding: too large for this input"));
    CHECK(starts_with(
        refusal([] { make_conv2d_geometry(1, 1, 1 << 30, 4, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0); }),
        "xShape: too many elements"));
    CHECK(starts_with(refusal([] {
                          make_conv2d_geometry(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 << 20, 1 << 20,
                                               1 << 20, 1 << 20);
                      }),
                      "padding: too large ("));  // a 2^21 + 1 square padded image
}

TEST_CASE("limits: convolve with method fft of values near 1e-40 is not NaN") {
    for (float scale : {1e-40f, 1e-38f, 1e-30f, 1e30f}) {
        for (std::size_t n : {5, 300, 5000}) {
            INFO("scale " << scale << ", n " << n);
            std::vector<float> f = harness::random_vector(n, 7);
            std::vector<float> h = harness::random_vector(7, 8);
            for (float& v : f) v *= scale;
            std::vector<float> want(n + 6);
            convolve_full_ref(f.data(), n, h.data(), 7, want.data());
            const auto got =
                convolve(f.data(), n, h.data(), 7, conv_mode::full, conv1d_method::fft);
            for (float v : got) REQUIRE(std::isfinite(v));
            // tiny values lose relative precision to subnormal rounding, never more
            harness::check_close(got, want, scale < 1e-37f ? 1e-2 : 1e-5, "fft");
        }
    }
    // the kernel tiny, the signal ordinary, and both tiny
    const std::vector<float> f{1.f, -2.f, 3.f}, h{1e-40f, 2e-40f};
    std::vector<float> want(4);
    convolve_full_ref(f.data(), 3, h.data(), 2, want.data());
    const auto got = convolve(f.data(), 3, h.data(), 2, conv_mode::full, conv1d_method::fft);
    harness::check_close(got, want, 1e-2, "kernel 1e-40");
    const auto tiny = convolve(h.data(), 2, h.data(), 2, conv_mode::full, conv1d_method::fft);
    for (float v : tiny) CHECK(v == 0.f);  // 1e-80 rounds to zero in float, not NaN
}

TEST_CASE("limits: 1-D sizes past the stated limits are refused with the argument named") {
    std::vector<float> one{1.f};
    CHECK(starts_with(
        refusal([&] { fft_forward(one.data(), one.data(), std::size_t(max_fft_length) + 1); }),
        "re: too large"));
    CHECK(starts_with(refusal([&] { toeplitz_matrix(one.data(), 1, std::size_t(1) << 20); }),
                      "n: too large"));
    CHECK(starts_with(refusal([&] {
                          dense_forward(one.data(), one.data(), nullptr, one.data(),
                                        std::size_t(1) << 20, std::size_t(1) << 20, 1);
                      }),
                      "x: too large"));
}

namespace {

// Max and average (where the geometry allows it), fast against reference, forward and backward.
void check_pool_against_ref(const pool2d_geometry& g, const std::string& what) {
    INFO(what);
    const std::size_t nx = std::size_t(g.N) * g.C * g.H * g.W;
    const std::size_t ny = std::size_t(g.N) * g.C * g.Ho * g.Wo;
    const auto x = harness::random_vector(nx, 11);
    const auto dy = harness::random_vector(ny, 12);
    std::vector<float> y(ny), y_ref(ny), dx(nx), dx_ref(nx);
    max_pool2d_forward(g, x.data(), y.data());
    max_pool2d_forward_ref(g, x.data(), y_ref.data());
    CHECK(y == y_ref);
    max_pool2d_backward(g, x.data(), dy.data(), dx.data());
    max_pool2d_backward_ref(g, x.data(), dy.data(), dx_ref.data());
    harness::check_close(dx, dx_ref, 1e-6, "max dx");
    if (g.dilation_h != 1 || g.dilation_w != 1) return;
    avg_pool2d_forward(g, x.data(), y.data());
    avg_pool2d_forward_ref(g, x.data(), y_ref.data());
    harness::check_close(y, y_ref, 1e-6, "avg y");
    avg_pool2d_backward(g, dy.data(), dx.data());
    avg_pool2d_backward_ref(g, dy.data(), dx_ref.data());
    harness::check_close(dx, dx_ref, 1e-6, "avg dx");
}

}  // namespace

TEST_CASE("limits: pooling with huge strides, kernels, dilations and padding") {
    const int big = 1 << 30;
    check_pool_against_ref(make_pool2d_geometry(2, 3, 5, 6, 2, 3, big, big), "stride 2^30");
    check_pool_against_ref(make_pool2d_geometry(1, 2, 5, 7, 3, 3, big, 2, 1, 1, 1, 1, true, false),
                           "stride [2^30, 2], padding 1, ceil");
    // ceil mode lets a window reach past the padded input if it starts inside it
    const auto k = make_pool2d_geometry(1, 1, 1, 1, big, big, big, big, 0, 0, 1, 1, true, true);
    CHECK(k.Ho == 1);
    check_pool_against_ref(k, "kernel 2^30, stride 2^30, ceil");
    const std::vector<float> one{4.f};
    float y = 0;
    avg_pool2d_forward(k, one.data(), &y);
    CHECK(y == 4.f);  // PyTorch divides by the window clipped to the padded input: 1 cell
    const auto d = make_pool2d_geometry(1, 1, 3, 4, 2, 2, big, big, 1, 1, big, big, true, true);
    check_pool_against_ref(d, "dilation 2^30, ceil");
    const int pad = 1 << 20;
    check_pool_against_ref(make_pool2d_geometry(1, 1, 2, 3, 2 * pad, 2 * pad + 1, 1, big, pad, pad,
                                                1, 1, false, false),
                           "padding 2^20");
    CHECK_THROWS_WITH_AS(
        make_pool2d_geometry(1, 1, 2, 2, big, big, 1, 1, big / 2, 0, 1, 1, false, true),
        doctest::Contains("padding: too large"), convlab::invalid_argument);
    CHECK_THROWS_WITH_AS(make_pool2d_geometry(1, 1, 2, 2, 2, 2, 1, 1, 0, 0, big, 1, false, true),
                         doctest::Contains("dilation: expected a window no larger"),
                         convlab::invalid_argument);
}

TEST_CASE("limits: convolve by fft with an all-zero operand is exactly zero (property-test find)") {
    const std::vector<float> zero{0.f},
        h{3.375f, 2.9375f, -2.25f, -0.875f, -0.375f, -2.125f, 0.25f};
    for (conv_mode mode : {conv_mode::full, conv_mode::same, conv_mode::valid}) {
        for (const auto& y :
             {convolve(zero.data(), 1, h.data(), h.size(), mode, conv1d_method::fft),
              correlate(h.data(), h.size(), zero.data(), 1, mode, conv1d_method::fft)})
            for (float v : y) CHECK(v == 0.f);
    }
}

TEST_CASE("limits: a learning rate or momentum past the float range is refused naming it") {
    // Read as a double it is finite; as the float the step uses, an infinity: refused when read.
    layer_spec dense;
    dense.type = "dense";
    dense.out = 3;
    sequential net({dense}, {4}, 1);
    const std::vector<float> x(8, 0.5f);
    const std::vector<std::int32_t> labels{0, 2};
    for (const char* key : {"lr", "momentum"}) {
        const std::string message = refusal([&] { read_train_options({{key, number_value(1e308)}}); });
        CHECK(starts_with(message, std::string(key) + ": too large for a float"));
    }
    CHECK(std::isfinite(net.evaluate(x.data(), labels.data(), 2, loss_kind::mse, nullptr).loss));
}
