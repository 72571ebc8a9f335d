// test_conv2d_groups.cpp: 2-D convolution with PyTorch's dilation and groups, every method of
// the registry (and 'auto') and the plain-loop reference against PyTorch's values
// (tests/fixtures/conv_ext_conv2d_torch.txt, from conv-ext/generate.py), every method against the
// reference on further shapes, the reference's gradients against central differences, and the
// new arguments' errors.
#include <string>
#include <vector>

#include "convlab/common.hpp"
#include "convlab/ops/conv2d.hpp"
#include "conv_ext_harness.hpp"
#include "harness.hpp"

using namespace convlab;
using conv_ext::all_methods;

namespace {

std::size_t x_size(const conv2d_geometry& g) { return std::size_t(g.N) * g.C * g.H * g.W; }
std::size_t w_size(const conv2d_geometry& g) {
    return std::size_t(g.K) * (g.C / g.groups) * g.R * g.S;
}
std::size_t y_size(const conv2d_geometry& g) { return std::size_t(g.N) * g.K * g.Ho * g.Wo; }

// N C H W K R S sh sw ph pw dh dw groups
conv2d_geometry geometry_of(const std::vector<double>& p) {
    const int C = int(p[1]), groups = int(p[13]);
    return make_conv2d_geometry(int(p[0]), C, int(p[2]), int(p[3]), int(p[4]), C / groups,
                                int(p[5]), int(p[6]), int(p[7]), int(p[8]), int(p[9]), int(p[10]),
                                int(p[9]), int(p[10]), int(p[11]), int(p[12]), groups);
}

using result = conv_ext::outputs;

result run(const conv2d_geometry& g, const std::vector<float>& x, const std::vector<float>& w,
           const std::vector<float>& b, const std::vector<float>& dy, conv2d_method m, bool ref) {
    result r{std::vector<float>(y_size(g)), std::vector<float>(x_size(g)),
             std::vector<float>(w_size(g)), std::vector<float>(g.K)};
    if (ref) {
        conv2d_forward_ref(g, x.data(), w.data(), b.data(), r.y.data());
        conv2d_backward_ref(g, x.data(), w.data(), dy.data(), r.dx.data(), r.dw.data(), r.db.data());
    } else {
        conv2d_forward(g, x.data(), w.data(), b.data(), r.y.data(), m);
        conv2d_backward(g, x.data(), w.data(), dy.data(), r.dx.data(), r.dw.data(), r.db.data(), m);
    }
    return r;
}

}  // namespace

TEST_CASE("conv2d with dilation and groups: every method and the reference match PyTorch") {
    const auto cases = harness::load_fixtures("conv_ext_conv2d_torch.txt");
    REQUIRE(cases.size() >= 8);
    for (const auto& f : cases) {
        const conv2d_geometry g = geometry_of(f.at("params"));
        const auto x = harness::as_float(f.at("x")), w = harness::as_float(f.at("w")),
                   b = harness::as_float(f.at("b")), dy = harness::as_float(f.at("dy"));
        REQUIRE(x.size() == x_size(g));
        REQUIRE(w.size() == w_size(g));
        REQUIRE(dy.size() == y_size(g));
        conv_ext::check_every_variant(f, [&](conv2d_method m, bool ref) { return run(g, x, w, b, dy, m, ref); });
    }
}

TEST_CASE("conv2d with dilation and groups: every method matches the reference, partial outputs") {
    struct shape {
        const char* name;
        int N, C, H, W, K, R, S, sh, sw, pt, pl, pb, pr, dh, dw, groups;
    };
    const shape shapes[] = {
        {"lenet_sized_groups_2", 2, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 2},
        {"depthwise_32ch_same", 1, 32, 9, 9, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 32},
        {"dilation_4_asymmetric_padding", 1, 3, 17, 15, 5, 3, 3, 1, 2, 4, 1, 3, 2, 4, 3, 1},
        {"stride_clamped_by_dilated_extent", 1, 2, 9, 9, 2, 3, 3, 50, 50, 0, 0, 0, 0, 2, 2, 2},
        {"pointwise_groups_4", 2, 8, 5, 7, 12, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 4},
        {"width_17_dilation_2_groups_3", 1, 9, 6, 17, 6, 3, 2, 1, 1, 2, 2, 2, 2, 2, 2, 3},
    };
    for (const shape& c : shapes) {
        const conv2d_geometry g = make_conv2d_geometry(
            c.N, c.C, c.H, c.W, c.K, c.C / c.groups, c.R, c.S, c.sh, c.sw, c.pt, c.pl, c.pb, c.pr,
            c.dh, c.dw, c.groups);
        const auto x = harness::random_vector(x_size(g), 11), w = harness::random_vector(w_size(g), 12),
                   b = harness::random_vector(g.K, 13), dy = harness::random_vector(y_size(g), 14);
        const result want = run(g, x, w, b, dy, conv2d_method::automatic, true);
        for (conv2d_method m : all_methods) {
            const std::string what = std::string(c.name) + " " + conv2d_method_name(m);
            const result got = run(g, x, w, b, dy, m, false);
            harness::check_close(got.y, want.y, 1e-4, what + " y");
            harness::check_close(got.dx, want.dx, 1e-4, what + " dx");
            harness::check_close(got.dw, want.dw, 1e-4, what + " dw");
            harness::check_close(got.db, want.db, 1e-4, what + " db");
            // each gradient alone, as a network asks for them
            std::vector<float> dx(x_size(g)), dw(w_size(g));
            conv2d_backward(g, x.data(), w.data(), dy.data(), dx.data(), nullptr, nullptr, m);
            harness::check_close(dx, want.dx, 1e-4, what + " dx alone");
            conv2d_backward(g, x.data(), w.data(), dy.data(), nullptr, dw.data(), nullptr, m);
            harness::check_close(dw, want.dw, 1e-4, what + " dw alone");
        }
    }
}

TEST_CASE("conv2d reference with dilation and groups: gradients match central differences") {
    const conv2d_geometry g =
        make_conv2d_geometry(2, 4, 7, 6, 6, 2, 3, 2, 2, 1, 1, 2, 2, 1, 2, 3, 2);
    auto x = harness::random_vector(x_size(g), 21);
    auto w = harness::random_vector(w_size(g), 22);
    const auto b = harness::random_vector(g.K, 23), dy = harness::random_vector(y_size(g), 24);
    // L = sum(y * dy): its gradients are what backward returns for gradient dy.
    auto loss = [&] {
        std::vector<float> y(y_size(g));
        conv2d_forward_ref(g, x.data(), w.data(), b.data(), y.data());
        double l = 0;
        for (std::size_t i = 0; i < y.size(); ++i) l += double(y[i]) * dy[i];
        return l;
    };
    std::vector<float> dx(x_size(g)), dw(w_size(g)), db(g.K);
    conv2d_backward_ref(g, x.data(), w.data(), dy.data(), dx.data(), dw.data(), db.data());
    const auto ndx = harness::numeric_gradient(x, loss, 1e-2f);
    const auto ndw = harness::numeric_gradient(w, loss, 1e-2f);
    harness::check_close(dx, std::vector<float>(ndx.begin(), ndx.end()), 1e-3, "dx");
    harness::check_close(dw, std::vector<float>(ndw.begin(), ndw.end()), 1e-3, "dw");
}

TEST_CASE("conv2d geometry with dilation and groups: output size, and every bad argument named") {
    const conv2d_geometry g = make_conv2d_geometry(1, 4, 11, 10, 6, 2, 3, 3, 2, 2, 2, 2, 2, 2, 2, 3, 2);
    CHECK(g.Ho == (11 + 4 - 2 * 2 - 1) / 2 + 1);
    CHECK(g.Wo == (10 + 4 - 3 * 2 - 1) / 2 + 1);
    CHECK(g.R == 3);
    CHECK(g.groups == 2);
    CHECK(!conv2d_is_plain(g));
    const conv2d_geometry e = conv2d_group_geometry(g);
    CHECK(e.C == 2);
    CHECK(e.K == 3);
    CHECK(e.R == 5);
    CHECK(e.S == 7);
    CHECK(conv2d_is_plain(e));
    CHECK(conv2d_is_plain(make_conv2d_geometry(1, 2, 5, 5, 3, 2, 3, 3, 1, 1, 0, 0, 0, 0)));
    // 'auto' prices the group's plain geometry, whatever method that picks
    CHECK(conv2d_auto_method(g) == conv2d_auto_method(e));

    struct bad {
        const char* what;
        int C, K, Cw, R, dh, groups;
        const char* argument;
        const char* message_part;
    };
    const bad cases[] = {
        {"zero dilation", 4, 6, 4, 3, 0, 1, "dilation", "positive"},
        {"zero groups", 4, 6, 4, 3, 1, 0, "groups", "positive"},
        {"groups not dividing C", 4, 6, 1, 3, 1, 3, "groups", "divisor"},
        {"groups not dividing K", 4, 6, 1, 3, 1, 4, "groups", "divisor"},
        {"weights with all channels", 4, 6, 4, 3, 1, 2, "wShape", "expected 2 input channels per group"},
        {"dilated kernel too large", 4, 6, 4, 3, 5, 1, "dilation", "dilated kernel (11x3"},
        {"ungrouped channel mismatch", 4, 6, 2, 3, 1, 1, "wShape", "to match xShape[1]"},
        {"kernel too large before dilation", 4, 6, 4, 11, 2, 1, "wShape", "kernel larger than the padded input"},
        {"dilation past int", 4, 6, 4, 3, 1 << 30, 1, "dilation", "dilated kernel (2147483649x3"},
        {"zero kernel with dilation", 4, 6, 4, 0, 3, 1, "wShape", "positive"},
    };
    for (const bad& c : cases) {
        INFO(c.what);
        try {
            make_conv2d_geometry(1, c.C, 10, 10, c.K, c.Cw, c.R, 3, 1, 1, 0, 0, 0, 0, c.dh, 1, c.groups);
            FAIL("expected an error");
        } catch (const convlab::invalid_argument& e) {
            INFO(e.what());
            CHECK(e.argument() == c.argument);
            CHECK(std::string(e.what()).find(c.message_part) != std::string::npos);
        }
    }
}

TEST_CASE("conv2d with a huge dilation: im2col and 'auto' compute it, the zero-filled kernel is refused by name") {
    // a 2x2 kernel 2^14 apart on one pixel padded by 2^14 above and left: 4 taps for im2col, a
    // (2^14 + 1)^2 zero-filled kernel (past the 2^28 workspace floats) for direct and fft
    const conv2d_geometry g = make_conv2d_geometry(1, 1, 1, 1, 1, 1, 2, 2, 1, 1, 16384, 16384,
                                                   0, 0, 16384, 16384, 1);
    REQUIRE(g.Ho == 1);
    REQUIRE(g.Wo == 1);
    const std::vector<float> x = {3.f}, w = {0.5f, -2.f, 4.f, 7.f}, dy = {2.f};
    CHECK(conv2d_auto_method(g) == conv2d_method::im2col);
    for (conv2d_method m : {conv2d_method::im2col, conv2d_method::automatic}) {
        // only the tap (1, 1) lands on the pixel (1 * 16384 - 16384 = 0)
        std::vector<float> y(1), dx(1), dw(4), db(1);
        conv2d_forward(g, x.data(), w.data(), nullptr, y.data(), m);
        CHECK(y[0] == 21.f);
        conv2d_backward(g, x.data(), w.data(), dy.data(), dx.data(), dw.data(), db.data(), m);
        CHECK(dx[0] == 14.f);
        CHECK(dw == std::vector<float>{0.f, 0.f, 0.f, 6.f});
        CHECK(db[0] == 2.f);
    }
    for (conv2d_method m : {conv2d_method::direct, conv2d_method::fft}) {
        std::vector<float> y(1);
        try {
            conv2d_forward(g, x.data(), w.data(), nullptr, y.data(), m);
            FAIL("expected an error");
        } catch (const convlab::invalid_argument& e) {
            INFO(e.what());
            CHECK(e.argument() == "dilation");
            CHECK(std::string(e.what()).find("'im2col' takes it") != std::string::npos);
        }
    }
}
