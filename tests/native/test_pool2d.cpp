// test_pool2d.cpp: max and average pooling, the fast versions and the references, against
// PyTorch's values (tests/fixtures/pool2d_torch.txt and pool2d_ties_torch.txt, from
// generate_conv2d.py; pool2d_padded_torch.txt with padding, dilation, ceil mode and
// count_include_pad, from generate_pool2d.py), against each other on edge shapes, against
// hand-worked ties, and against double-precision central differences; plus the argument errors.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "convlab/common.hpp"
#include "convlab/ops/pool2d.hpp"
#include "harness.hpp"

using namespace convlab;

namespace {

std::string describe(const std::string& name, const pool2d_geometry& g) {
    std::ostringstream o;
    o << name << ": x (" << g.N << ", " << g.C << ", " << g.H << ", " << g.W << "), kernel ["
      << g.kernel_h << ", " << g.kernel_w << "], stride [" << g.stride_h << ", " << g.stride_w
      << "], padding [" << g.pad_h << ", " << g.pad_w << "], dilation [" << g.dilation_h << ", "
      << g.dilation_w << "], ceil " << g.ceil_mode << ", include pad " << g.count_include_pad
      << ", output " << g.Ho << "x" << g.Wo;
    return o.str();
}

bool equal_or_both_nan(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
    return true;
}

std::size_t x_size(const pool2d_geometry& g) { return std::size_t(g.N) * g.C * g.H * g.W; }
std::size_t y_size(const pool2d_geometry& g) { return std::size_t(g.N) * g.C * g.Ho * g.Wo; }

struct pool_fns {
    const char* name;
    void (*max_forward)(const pool2d_geometry&, const float*, float*);
    void (*max_backward)(const pool2d_geometry&, const float*, const float*, float*);
    void (*avg_forward)(const pool2d_geometry&, const float*, float*);
    void (*avg_backward)(const pool2d_geometry&, const float*, float*);
};

const pool_fns implementations[] = {
    {"fast", max_pool2d_forward, max_pool2d_backward, avg_pool2d_forward, avg_pool2d_backward},
    {"reference", max_pool2d_forward_ref, max_pool2d_backward_ref, avg_pool2d_forward_ref,
     avg_pool2d_backward_ref},
};

void check_fixture_file(const char* file) {
    const auto cases = harness::load_fixtures(file);
    REQUIRE(cases.size() >= 10);
    for (const auto& f : cases) {
        std::string name;
        for (const auto& [key, values] : f)
            if (key.rfind("name ", 0) == 0) name = key.substr(5);
        const auto& s = f.at("shape");
        REQUIRE(s.size() == 8);
        const auto g = make_pool2d_geometry(int(s[0]), int(s[1]), int(s[2]), int(s[3]),
                                            int(s[4]), int(s[5]), int(s[6]), int(s[7]));
        const auto x = harness::as_float(f.at("x")), dy = harness::as_float(f.at("dy"));
        REQUIRE(x.size() == x_size(g));
        REQUIRE(dy.size() == y_size(g));
        for (const auto& impl : implementations) {
            const std::string what = describe(name, g) + ", " + impl.name + ", " + file;
            std::vector<float> y(y_size(g), NAN), dx(x_size(g), NAN);
            impl.max_forward(g, x.data(), y.data());
            harness::check_close(y, harness::as_float(f.at("max_y")), 1e-6, what + ", max y");
            impl.max_backward(g, x.data(), dy.data(), dx.data());
            harness::check_close(dx, harness::as_float(f.at("max_dx")), 1e-6, what + ", max dx");
            std::fill(y.begin(), y.end(), NAN);
            std::fill(dx.begin(), dx.end(), NAN);
            impl.avg_forward(g, x.data(), y.data());
            harness::check_close(y, harness::as_float(f.at("avg_y")), 1e-5, what + ", avg y");
            impl.avg_backward(g, dy.data(), dx.data());
            harness::check_close(dx, harness::as_float(f.at("avg_dx")), 1e-5, what + ", avg dx");
        }
    }
}

// Cases with a "geometry" line of 14 numbers (generate_pool2d.py); avg_* only where the
// dilation is 1 (PyTorch's avg_pool2d has none).
void check_padded_fixture_file(const char* file) {
    const auto cases = harness::load_fixtures(file);
    REQUIRE(cases.size() >= 15);
    for (const auto& f : cases) {
        std::string name;
        for (const auto& [key, values] : f)
            if (key.rfind("name ", 0) == 0) name = key.substr(5);
        const auto& s = f.at("geometry");
        REQUIRE(s.size() == 14);
        int v[14];
        for (int i = 0; i < 14; ++i) v[i] = int(s[i]);
        const auto g = make_pool2d_geometry(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
                                            v[9], v[10], v[11], v[12] != 0, v[13] != 0);
        const auto x = harness::as_float(f.at("x")), dy = harness::as_float(f.at("dy"));
        REQUIRE(x.size() == x_size(g));
        REQUIRE(dy.size() == y_size(g));  // torch's output size
        for (const auto& impl : implementations) {
            const std::string what = describe(name, g) + ", " + impl.name + ", " + file;
            std::vector<float> y(y_size(g), NAN), dx(x_size(g), NAN);
            impl.max_forward(g, x.data(), y.data());
            harness::check_close(y, harness::as_float(f.at("max_y")), 1e-6, what + ", max y");
            impl.max_backward(g, x.data(), dy.data(), dx.data());
            harness::check_close(dx, harness::as_float(f.at("max_dx")), 1e-6, what + ", max dx");
            if (!f.count("avg_y")) {
                CHECK(g.dilation_h * g.dilation_w > 1);
                continue;
            }
            std::fill(y.begin(), y.end(), NAN);
            std::fill(dx.begin(), dx.end(), NAN);
            impl.avg_forward(g, x.data(), y.data());
            harness::check_close(y, harness::as_float(f.at("avg_y")), 1e-5, what + ", avg y");
            impl.avg_backward(g, dy.data(), dx.data());
            harness::check_close(dx, harness::as_float(f.at("avg_dx")), 1e-5, what + ", avg dx");
        }
    }
}

}  // namespace

TEST_CASE("pool2d: padding, dilation, ceil mode and countIncludePad match PyTorch, gradients too") {
    check_padded_fixture_file("pool2d_padded_torch.txt");
}

TEST_CASE("pool2d: a ResNet stem's maxpool 3, stride 2, padding 1 on 7x7 gives torch's 4x4") {
    const auto g = make_pool2d_geometry(1, 64, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1, false, true);
    CHECK(g.Ho == 4);
    CHECK(g.Wo == 4);
    const auto c = make_pool2d_geometry(1, 1, 6, 6, 3, 3, 2, 2, 0, 0, 1, 1, true, true);
    CHECK(c.Ho == 3);  // ceil((6 - 3) / 2) + 1
    // the last window would start in the right padding (6 >= 5 + 1): dropped, as torch
    const auto d = make_pool2d_geometry(1, 1, 5, 5, 3, 3, 3, 3, 1, 1, 1, 1, true, true);
    CHECK(d.Ho == 2);
}

TEST_CASE("pool2d: padded cells never win a max, and -inf or empty windows follow torch") {
    // all values -inf: torch sends the gradient to the window's first cell inside the input
    const float inf = INFINITY;
    const auto g = make_pool2d_geometry(1, 1, 2, 2, 3, 3, 2, 2, 1, 1, 1, 1, false, true);
    const std::vector<float> x{-inf, -inf, -inf, -inf}, dy{5.f};
    // a dilated window whose taps all fall in the padding: -inf and no gradient (torch: -inf)
    const auto e = make_pool2d_geometry(1, 1, 1, 3, 1, 2, 1, 2, 0, 1, 1, 5, true, true);
    INFO(describe("empty window", e));
    REQUIRE(e.Wo == 1);
    const std::vector<float> xe{1.f, 2.f, 3.f};
    for (const auto& impl : implementations) {
        INFO(impl.name);
        float y = 0;
        std::vector<float> dx(4, NAN);
        impl.max_forward(g, x.data(), &y);
        CHECK(y == -inf);
        impl.max_backward(g, x.data(), dy.data(), dx.data());
        CHECK(dx == std::vector<float>{5.f, 0, 0, 0});
        std::vector<float> neg{-3.f, -2.f, -4.f, -5.f};  // padding (0) must not win
        impl.max_forward(g, neg.data(), &y);
        CHECK(y == -2.f);
        impl.max_forward(e, xe.data(), &y);
        CHECK(y == -inf);
        std::vector<float> dxe(3, NAN);
        impl.max_backward(e, xe.data(), dy.data(), dxe.data());
        CHECK(dxe == std::vector<float>{0, 0, 0});
    }
}

TEST_CASE("pool2d: fast versions equal the references with padding, dilation and ceil mode") {
    std::uint64_t seed = 5000;
    int checked = 0;
    for (int H : {1, 4, 7})
        for (int W : {1, 5, 9, 19, 38})
            for (int k : {1, 2, 3, 4})
                for (int s : {1, 2, 3})
                    for (int d : {1, 2})
                        for (int ceil = 0; ceil < 2; ++ceil) {
                            const int pad = (k / 2 + s + d) % (k / 2 + 1);
                            pool2d_geometry g;
                            try {
                                g = make_pool2d_geometry(2, 2, H, W, k, k == 4 ? 3 : k, s, s == 3 ? 2 : s,
                                                         pad, k / 2, d, d == 2 ? 1 : 2, ceil, (s + k) % 2);
                            } catch (const convlab::invalid_argument&) {
                                continue;  // window larger than the padded input
                            }
                            ++checked;
                            const std::string what = describe("sweep", g);
                            auto x = harness::random_vector(x_size(g), ++seed);
                            for (std::size_t i = 0; i < x.size(); i += 5) x[i] = x[i / 3];
                            const auto dy = harness::random_vector(y_size(g), ++seed);
                            std::vector<float> y(y_size(g)), y_ref(y_size(g)), dx(x_size(g)),
                                dx_ref(x_size(g));
                            max_pool2d_forward(g, x.data(), y.data());
                            max_pool2d_forward_ref(g, x.data(), y_ref.data());
                            CHECK(y == y_ref);  // exact, -inf included
                            max_pool2d_backward(g, x.data(), dy.data(), dx.data());
                            max_pool2d_backward_ref(g, x.data(), dy.data(), dx_ref.data());
                            harness::check_close(dx, dx_ref, 1e-6, what + ", max dx");
                            if (g.dilation_h != 1 || g.dilation_w != 1) continue;
                            avg_pool2d_forward(g, x.data(), y.data());
                            avg_pool2d_forward_ref(g, x.data(), y_ref.data());
                            harness::check_close(y, y_ref, 1e-6, what + ", avg y");
                            avg_pool2d_backward(g, dy.data(), dx.data());
                            avg_pool2d_backward_ref(g, dy.data(), dx_ref.data());
                            harness::check_close(dx, dx_ref, 1e-6, what + ", avg dx");
                        }
    CHECK(checked > 300);
}

TEST_CASE("pool2d: max and average match PyTorch's values and autograd gradients") {
    check_fixture_file("pool2d_torch.txt");
}

TEST_CASE("pool2d: max pooling ties send the gradient where PyTorch does (first maximum)") {
    check_fixture_file("pool2d_ties_torch.txt");
}

TEST_CASE("pool2d: max pooling ties by hand, including overlapping windows") {
    // One 3x4 plane, kernel 2x2, stride 1 (overlapping): windows at (i, j), i < 2, j < 3.
    //   x = 1 5 5 0        window (0,0) = {1,5,2,5}: first max at (0,1)
    //       2 5 3 5        window (0,1) = {5,5,5,3}: first max at (0,1)
    //       5 4 5 5        window (0,2) = {5,0,3,5}: first max at (0,2)
    //                      window (1,0) = {2,5,5,4}: first max at (1,1)
    //                      window (1,1) = {5,3,4,5}: first max at (1,1)
    //                      window (1,2) = {3,5,5,5}: first max at (1,3)
    const auto g = make_pool2d_geometry(1, 1, 3, 4, 2, 2, 1, 1);
    const std::vector<float> x = {1, 5, 5, 0, 2, 5, 3, 5, 5, 4, 5, 5};
    const std::vector<float> dy = {1, 10, 100, 1000, 10000, 100000};
    std::vector<float> want(12, 0.f);
    want[1] = 1 + 10;
    want[2] = 100;
    want[5] = 1000 + 10000;
    want[7] = 100000;
    for (const auto& impl : implementations) {
        INFO(impl.name);
        std::vector<float> y(6, NAN), dx(12, NAN);
        impl.max_forward(g, x.data(), y.data());
        CHECK(y == std::vector<float>{5, 5, 5, 5, 5, 5});
        impl.max_backward(g, x.data(), dy.data(), dx.data());
        CHECK(dx == want);
    }
    // All-equal 2x2/2 windows: every gradient lands on each window's top-left element.
    const auto g2 = make_pool2d_geometry(1, 1, 4, 4, 2, 2, 2, 2);
    const std::vector<float> flat(16, 3.f), dy2 = {1, 2, 3, 4};
    const std::vector<float> want2 = {1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0};
    for (const auto& impl : implementations) {
        INFO(impl.name);
        std::vector<float> dx(16, NAN);
        impl.max_backward(g2, flat.data(), dy2.data(), dx.data());
        CHECK(dx == want2);
    }
}

TEST_CASE("pool2d: max pooling propagates NaN and sends its gradient there, as PyTorch does") {
    // torch.nn.functional.max_pool2d returns NaN for a window holding one, and its CPU kernel
    // records the NaN's index (the last NaN when there are several).
    const auto g = make_pool2d_geometry(1, 1, 2, 4, 2, 2, 2, 2);
    const std::vector<float> x = {1, NAN, 5, 6, 9, NAN, 7, 8};
    const std::vector<float> dy = {10, 20};
    for (const auto& impl : implementations) {
        INFO(impl.name);
        std::vector<float> y(2, 0.f), dx(8, NAN);
        impl.max_forward(g, x.data(), y.data());
        CHECK(std::isnan(y[0]));
        CHECK(y[1] == 8.f);
        impl.max_backward(g, x.data(), dy.data(), dx.data());
        CHECK(dx == std::vector<float>{0, 0, 0, 0, 0, 10, 0, 20});
    }
}

TEST_CASE("pool2d: NaN handling of the fast versions equals the reference's in every lane") {
    // NaNs sprinkled over a plane wide enough for the vectorised 2x2 stride-2 path and its
    // scalar tail (Wo = 9), and over an overlapping 3x3 stride-1 pooling.
    for (const auto& [kernel, stride] : {std::pair{2, 2}, std::pair{3, 1}}) {
        const auto g = make_pool2d_geometry(2, 1, 6, 18, kernel, kernel, stride, stride);
        INFO(describe("nan_sprinkled", g));
        auto x = harness::random_vector(x_size(g), 4242);
        for (std::size_t i = 0; i < x.size(); i += 5) x[i] = NAN;
        x[1] = NAN;  // a window with two NaNs
        const auto dy = harness::random_vector(y_size(g), 4243);
        std::vector<float> y(y_size(g)), y_ref(y_size(g)), dx(x_size(g)), dx_ref(x_size(g));
        max_pool2d_forward(g, x.data(), y.data());
        max_pool2d_forward_ref(g, x.data(), y_ref.data());
        CHECK(equal_or_both_nan(y, y_ref));
        max_pool2d_backward(g, x.data(), dy.data(), dx.data());
        max_pool2d_backward_ref(g, x.data(), dy.data(), dx_ref.data());
        harness::check_close(dx, dx_ref, 1e-6, describe("nan_sprinkled", g) + ", max dx");
    }
}

TEST_CASE("pool2d: the 2-wide stride-2 path equals the reference at every SIMD width, ties and NaN") {
    // Wo around 4 and 8 (SIMD128 and AVX2 widths) and their multiples, odd H and W (a row or
    // column no window reads), kernel_h == stride_h of 1 to 3; values from a small set so ties
    // are common, some NaNs (one or two per window), and all -inf windows (the gradient goes to
    // the window's first cell).
    const int wos[] = {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25};
    std::uint64_t seed = 7100;
    for (int kh = 1; kh <= 3; ++kh)
        for (int wo : wos)
            for (int extra : {0, 1}) {
                const auto g = make_pool2d_geometry(2, 2, 3 * kh + extra, 2 * wo + extra, kh, 2,
                                                    kh, 2);
                REQUIRE(g.Wo == wo);
                const std::string what = describe("pairs", g);
                INFO(what);
                auto x = harness::random_vector(x_size(g), ++seed);
                for (std::size_t i = 0; i < x.size(); ++i) {
                    x[i] = std::floor(x[i] * 3.f);  // -3 .. 2: many ties
                    if (i % 13 == 5) x[i] = NAN;
                    if (i % 29 == 3) x[i] = -INFINITY;
                }
                // one window all -inf, one with two NaNs
                for (int r = 0; r < kh; ++r)
                    for (int s = 0; s < 2; ++s) x[std::size_t(r) * g.W + s] = -INFINITY;
                x[std::size_t(g.H) * g.W + 2 * (wo - 1)] = NAN;
                x[std::size_t(g.H) * g.W + 2 * (wo - 1) + 1] = NAN;
                const auto dy = harness::random_vector(y_size(g), ++seed);
                std::vector<float> y(y_size(g), 7.f), y_ref(y_size(g)), dx(x_size(g), 7.f),
                    dx_ref(x_size(g));
                max_pool2d_forward(g, x.data(), y.data());
                max_pool2d_forward_ref(g, x.data(), y_ref.data());
                CHECK(equal_or_both_nan(y, y_ref));
                max_pool2d_backward(g, x.data(), dy.data(), dx.data());
                max_pool2d_backward_ref(g, x.data(), dy.data(), dx_ref.data());
                CHECK(dx == dx_ref);  // each cell is one dy or 0: exact
                for (float& v : x)
                    if (!std::isfinite(v)) v = 0.5f;
                std::fill(y.begin(), y.end(), 7.f);
                std::fill(dx.begin(), dx.end(), 7.f);
                avg_pool2d_forward(g, x.data(), y.data());
                avg_pool2d_forward_ref(g, x.data(), y_ref.data());
                harness::check_close(y, y_ref, 1e-6, what + ", avg y");
                avg_pool2d_backward(g, dy.data(), dx.data());
                avg_pool2d_backward_ref(g, dy.data(), dx_ref.data());
                harness::check_close(dx, dx_ref, 1e-6, what + ", avg dx");
            }
}

TEST_CASE("pool2d: fast versions equal the references on edge shapes") {
    struct shape {
        const char* name;
        int N, C, H, W, kh, kw, sh, sw;
    };
    const shape shapes[] = {
        {"2x2_stride_2_lenet_28", 2, 6, 28, 28, 2, 2, 2, 2},
        {"2x2_stride_2_lenet_10", 2, 16, 10, 10, 2, 2, 2, 2},
        {"2x2_stride_2_odd_floor", 1, 3, 9, 11, 2, 2, 2, 2},
        {"2x2_stride_2_width_7", 1, 2, 6, 7, 2, 2, 2, 2},
        {"2x2_stride_2_width_9", 1, 2, 6, 9, 2, 2, 2, 2},
        {"2x2_stride_2_width_15", 1, 2, 4, 15, 2, 2, 2, 2},
        {"2x2_stride_2_width_17", 1, 2, 4, 17, 2, 2, 2, 2},
        {"2x2_stride_2_width_33", 1, 2, 4, 33, 2, 2, 2, 2},
        {"2x2_stride_2_width_65", 1, 1, 2, 65, 2, 2, 2, 2},
        {"2x2_stride_2_width_2", 1, 2, 2, 2, 2, 2, 2, 2},
        {"3x3_stride_2_overlap", 2, 3, 13, 13, 3, 3, 2, 2},
        {"3x3_stride_1_overlap", 1, 2, 8, 9, 3, 3, 1, 1},
        {"2x3_stride_2x1", 1, 2, 9, 10, 2, 3, 2, 1},
        {"stride_larger_than_kernel", 1, 2, 11, 13, 2, 3, 4, 5},
        {"kernel_equals_input", 2, 2, 5, 7, 5, 7, 2, 3},
        {"1x1_stride_1", 1, 2, 3, 5, 1, 1, 1, 1},
        {"prime_31", 1, 1, 31, 31, 3, 3, 3, 3},
    };
    std::uint64_t seed = 900;
    for (const auto& s : shapes) {
        const auto g = make_pool2d_geometry(s.N, s.C, s.H, s.W, s.kh, s.kw, s.sh, s.sw);
        const std::string what = describe(s.name, g);
        INFO(what);
        // a few repeated values so ties are exercised as well
        auto x = harness::random_vector(x_size(g), ++seed);
        for (std::size_t i = 0; i < x.size(); i += 7) x[i] = x[i / 2];
        const auto dy = harness::random_vector(y_size(g), ++seed);
        std::vector<float> y(y_size(g), NAN), y_ref(y_size(g)), dx(x_size(g), NAN),
            dx_ref(x_size(g));
        max_pool2d_forward(g, x.data(), y.data());
        max_pool2d_forward_ref(g, x.data(), y_ref.data());
        CHECK(y == y_ref);
        max_pool2d_backward(g, x.data(), dy.data(), dx.data());
        max_pool2d_backward_ref(g, x.data(), dy.data(), dx_ref.data());
        harness::check_close(dx, dx_ref, 1e-6, what + ", max dx");
        std::fill(y.begin(), y.end(), NAN);
        std::fill(dx.begin(), dx.end(), NAN);
        avg_pool2d_forward(g, x.data(), y.data());
        avg_pool2d_forward_ref(g, x.data(), y_ref.data());
        harness::check_close(y, y_ref, 1e-6, what + ", avg y");
        avg_pool2d_backward(g, dy.data(), dx.data());
        avg_pool2d_backward_ref(g, dy.data(), dx_ref.data());
        harness::check_close(dx, dx_ref, 1e-6, what + ", avg dx");
    }
}

TEST_CASE("pool2d gradients: both poolings against double-precision central differences") {
    struct grad_case {
        const char* name;
        int N, C, H, W, kh, kw, sh, sw;
        float eps;
    };
    const grad_case cases[] = {
        {"gradcheck_2x2_stride_2", 2, 2, 6, 7, 2, 2, 2, 2, 1e-3f},
        {"gradcheck_3x3_stride_2_overlap", 1, 2, 7, 7, 3, 3, 2, 2, 1e-3f},
        {"gradcheck_2x3_stride_1x2", 1, 1, 5, 8, 2, 3, 1, 2, 1e-3f},
    };
    for (const auto& c : cases) {
        const auto g = make_pool2d_geometry(c.N, c.C, c.H, c.W, c.kh, c.kw, c.sh, c.sw);
        const std::string what = describe(c.name, g) + ", eps " + std::to_string(c.eps);
        INFO(what);
        // Distinct values at least 0.01 apart (a shuffled ramp): no ties, and an eps of 1e-3
        // never moves a maximum, so the max is differentiable there.
        std::vector<float> x(x_size(g));
        std::vector<std::size_t> order(x.size());
        std::iota(order.begin(), order.end(), 0);
        harness::rng r(77);
        for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[r.next() % i]);
        for (std::size_t i = 0; i < x.size(); ++i) x[order[i]] = -1.f + 0.01f * float(i);
        const auto weights = harness::random_vector(y_size(g), 78);
        // L = sum weights * pool(x), each pool written out in double
        auto max_loss = [&] {
            double total = 0;
            for (int p = 0; p < g.N * g.C; ++p)
                for (int i = 0; i < g.Ho; ++i)
                    for (int j = 0; j < g.Wo; ++j) {
                        double best = -1e300;
                        for (int a = 0; a < g.kernel_h; ++a)
                            for (int b = 0; b < g.kernel_w; ++b)
                                best = std::max<double>(
                                    best, x[(p * g.H + i * g.stride_h + a) * g.W + j * g.stride_w + b]);
                        total += weights[(p * g.Ho + i) * g.Wo + j] * best;
                    }
            return total;
        };
        auto avg_loss = [&] {
            double total = 0;
            for (int p = 0; p < g.N * g.C; ++p)
                for (int i = 0; i < g.Ho; ++i)
                    for (int j = 0; j < g.Wo; ++j) {
                        double sum = 0;
                        for (int a = 0; a < g.kernel_h; ++a)
                            for (int b = 0; b < g.kernel_w; ++b)
                                sum += x[(p * g.H + i * g.stride_h + a) * g.W + j * g.stride_w + b];
                        total += weights[(p * g.Ho + i) * g.Wo + j] * sum / (g.kernel_h * g.kernel_w);
                    }
            return total;
        };
        const auto max_num = harness::numeric_gradient(x, max_loss, c.eps);
        const auto avg_num = harness::numeric_gradient(x, avg_loss, c.eps);
        for (const auto& impl : implementations) {
            std::vector<float> dx(x.size());
            impl.max_backward(g, x.data(), weights.data(), dx.data());
            harness::check_close(dx, std::vector<float>(max_num.begin(), max_num.end()), 1e-4,
                                 what + ", " + impl.name + ", max");
            impl.avg_backward(g, weights.data(), dx.data());
            harness::check_close(dx, std::vector<float>(avg_num.begin(), avg_num.end()), 1e-4,
                                 what + ", " + impl.name + ", avg");
        }
    }
}

TEST_CASE("pool2d geometry: output sizes and every invalid argument named") {
    const auto g = make_pool2d_geometry(2, 3, 9, 11, 3, 2, 2, 3);
    CHECK(g.Ho == (9 - 3) / 2 + 1);
    CHECK(g.Wo == (11 - 2) / 3 + 1);
    struct bad {
        const char* what;
        int N, C, H, W, kh, kw, sh, sw;
        const char* argument;
        const char* part;
    };
    const bad cases[] = {
        {"zero channels", 1, 0, 4, 4, 2, 2, 2, 2, "xShape", "positive"},
        {"negative width", 1, 1, 4, -4, 2, 2, 2, 2, "xShape", "positive"},
        {"too many elements", 65536, 65536, 2, 2, 2, 2, 2, 2, "xShape", "too many"},
        {"zero kernel", 1, 1, 4, 4, 0, 2, 2, 2, "kernel", "positive"},
        {"kernel taller than input", 1, 1, 4, 4, 5, 2, 2, 2, "kernel", "no larger than the input"},
        {"kernel wider than input", 1, 1, 4, 4, 2, 5, 2, 2, "kernel", "no larger than the input"},
        {"zero stride", 1, 1, 4, 4, 2, 2, 0, 2, "stride", "positive"},
        {"negative stride", 1, 1, 4, 4, 2, 2, 2, -1, "stride", "positive"},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        try {
            make_pool2d_geometry(c.N, c.C, c.H, c.W, c.kh, c.kw, c.sh, c.sw);
            FAIL("expected an error");
        } catch (const convlab::invalid_argument& e) {
            INFO(e.what());
            CHECK(e.argument() == c.argument);
            CHECK(std::string(e.what()).find(c.part) != std::string::npos);
        }
    }
}

TEST_CASE("pool2d geometry: padding, dilation and ceil mode checked as PyTorch does") {
    struct bad {
        const char* what;
        int H, W, k, s, pad, d;
        bool ceil;
        const char* argument;
        const char* part;
    };
    const bad cases[] = {
        {"padding over half the kernel", 7, 7, 3, 2, 2, 1, false, "padding", "at most half"},
        {"negative padding", 7, 7, 3, 2, -1, 1, false, "padding", "non-negative"},
        {"zero dilation", 7, 7, 3, 2, 1, 0, false, "dilation", "positive"},
        {"dilated window past the input", 4, 4, 3, 1, 0, 2, false, "dilation", "no larger"},
        {"kernel past the padded input", 2, 2, 5, 1, 1, 1, true, "kernel", "no larger"},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        try {
            make_pool2d_geometry(1, 1, c.H, c.W, c.k, c.k, c.s, c.s, c.pad, c.pad, c.d, c.d,
                                 c.ceil, true);
            FAIL("expected an error");
        } catch (const convlab::invalid_argument& e) {
            INFO(e.what());
            CHECK(e.argument() == c.argument);
            CHECK(std::string(e.what()).find(c.part) != std::string::npos);
        }
    }
    // average pooling has no dilation in PyTorch: refused, never ignored
    const auto g = make_pool2d_geometry(1, 1, 6, 6, 2, 2, 1, 1, 0, 0, 2, 2, false, true);
    std::vector<float> x(36, 1.f), y(y_size(g)), dx(36);
    for (const auto& impl : implementations) {
        INFO(impl.name);
        CHECK_THROWS_WITH_AS(impl.avg_forward(g, x.data(), y.data()),
                             doctest::Contains("dilation"), convlab::invalid_argument);
        CHECK_THROWS_WITH_AS(impl.avg_backward(g, y.data(), dx.data()),
                             doctest::Contains("dilation"), convlab::invalid_argument);
    }
}
