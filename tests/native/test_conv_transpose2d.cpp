// test_conv_transpose2d.cpp: the transposed convolution (PyTorch's ConvTranspose2d), every
// conv2d method and 'auto' and the plain-loop reference against PyTorch's values
// (tests/fixtures/conv_ext_convtranspose2d_torch.txt, from conv-ext/generate.py), the reference's
// gradients against central differences, and the geometry's errors by name.
#include <string>
#include <vector>

#include "convlab/common.hpp"
#include "convlab/ops/conv_transpose2d.hpp"
#include "conv_ext_harness.hpp"
#include "harness.hpp"

using namespace convlab;
using conv_ext::all_methods;

namespace {

// N C H W out R S sh sw ph pw oph opw dh dw groups bias
conv_transpose2d_geometry geometry_of(const std::vector<double>& p) {
    const int groups = int(p[15]);
    return make_conv_transpose2d_geometry(int(p[0]), int(p[1]), int(p[2]), int(p[3]), int(p[1]),
                                          int(p[4]) / groups, int(p[5]), int(p[6]), int(p[7]),
                                          int(p[8]), int(p[9]), int(p[10]), int(p[11]),
                                          int(p[12]), int(p[13]), int(p[14]), groups);
}

std::size_t x_size(const conv_transpose2d_geometry& g) {
    return std::size_t(g.conv.N) * g.conv.K * g.H * g.W;
}
std::size_t w_size(const conv_transpose2d_geometry& g) {
    return std::size_t(g.conv.K) * (g.conv.C / g.conv.groups) * g.conv.R * g.conv.S;
}
std::size_t y_size(const conv_transpose2d_geometry& g) {
    return std::size_t(g.conv.N) * g.conv.C * g.conv.H * g.conv.W;
}

}  // namespace

TEST_CASE("conv_transpose2d: every method and the reference match PyTorch's ConvTranspose2d") {
    const auto cases = harness::load_fixtures("conv_ext_convtranspose2d_torch.txt");
    REQUIRE(cases.size() >= 6);
    for (const auto& f : cases) {
        const auto& p = f.at("params");
        const bool bias = p[16] != 0;
        const conv_transpose2d_geometry g = geometry_of(p);
        const auto x = harness::as_float(f.at("x")), w = harness::as_float(f.at("w")),
                   dy = harness::as_float(f.at("dy"));
        const std::vector<float> b = bias ? harness::as_float(f.at("b")) : std::vector<float>();
        REQUIRE(x.size() == x_size(g));
        REQUIRE(w.size() == w_size(g));
        REQUIRE(dy.size() == y_size(g));
        conv_ext::check_every_variant(f, [&](conv2d_method m, bool ref) {
            conv_ext::outputs r{std::vector<float>(y_size(g)), std::vector<float>(x_size(g)),
                                std::vector<float>(w_size(g)), std::vector<float>(g.conv.C)};
            const float* bp = bias ? b.data() : nullptr;
            if (ref) {
                conv_transpose2d_forward_ref(g, x.data(), w.data(), bp, r.y.data());
                conv_transpose2d_backward_ref(g, x.data(), w.data(), dy.data(), r.dx.data(), r.dw.data(), r.db.data());
            } else {
                conv_transpose2d_forward(g, x.data(), w.data(), bp, r.y.data(), m);
                conv_transpose2d_backward(g, x.data(), w.data(), dy.data(), r.dx.data(), r.dw.data(), r.db.data(), m);
            }
            return r;
        });
    }
}

TEST_CASE("conv_transpose2d reference: gradients match central differences") {
    // output_padding 2 past stride 1 (dilation 3): the case whose input is zero-extended
    const conv_transpose2d_geometry g =
        make_conv_transpose2d_geometry(2, 4, 3, 4, 4, 1, 2, 3, 1, 2, 1, 0, 2, 1, 3, 2, 2);
    CHECK(g.conv.Ho > g.H);
    auto x = harness::random_vector(x_size(g), 31);
    auto w = harness::random_vector(w_size(g), 32);
    const auto b = harness::random_vector(g.conv.C, 33), dy = harness::random_vector(y_size(g), 34);
    auto loss = [&] {
        std::vector<float> y(y_size(g));
        conv_transpose2d_forward_ref(g, x.data(), w.data(), b.data(), y.data());
        double l = 0;
        for (std::size_t i = 0; i < y.size(); ++i) l += double(y[i]) * dy[i];
        return l;
    };
    std::vector<float> dx(x_size(g)), dw(w_size(g)), db(g.conv.C);
    conv_transpose2d_backward_ref(g, x.data(), w.data(), dy.data(), dx.data(), dw.data(), db.data());
    const auto ndx = harness::numeric_gradient(x, loss, 1e-2f);
    const auto ndw = harness::numeric_gradient(w, loss, 1e-2f);
    harness::check_close(dx, std::vector<float>(ndx.begin(), ndx.end()), 1e-3, "dx");
    harness::check_close(dw, std::vector<float>(ndw.begin(), ndw.end()), 1e-3, "dw");
    // and the adjoint construction agrees with the reference on this geometry, every method
    for (conv2d_method m : all_methods) {
        std::vector<float> y(y_size(g)), y_ref(y_size(g)), dx2(x_size(g)), dw2(w_size(g));
        conv_transpose2d_forward(g, x.data(), w.data(), b.data(), y.data(), m);
        conv_transpose2d_forward_ref(g, x.data(), w.data(), b.data(), y_ref.data());
        harness::check_close(y, y_ref, 1e-4, std::string("y ") + conv2d_method_name(m));
        conv_transpose2d_backward(g, x.data(), w.data(), dy.data(), dx2.data(), dw2.data(), nullptr, m);
        harness::check_close(dx2, dx, 1e-4, std::string("dx ") + conv2d_method_name(m));
        harness::check_close(dw2, dw, 1e-4, std::string("dw ") + conv2d_method_name(m));
    }
}

TEST_CASE("conv_transpose2d geometry: output size, and every bad argument named") {
    const conv_transpose2d_geometry g =
        make_conv_transpose2d_geometry(1, 4, 5, 6, 4, 3, 3, 4, 2, 3, 1, 2, 1, 2, 1, 1, 2);
    CHECK(g.conv.H == (5 - 1) * 2 - 2 * 1 + 1 * (3 - 1) + 1 + 1);
    CHECK(g.conv.W == (6 - 1) * 3 - 2 * 2 + 1 * (4 - 1) + 2 + 1);
    CHECK(g.conv.C == 6);
    CHECK(g.conv.Ho == 5);
    CHECK(g.conv.Wo == 6);

    struct bad {
        const char* what;
        int C, Cw, stride, pad, opad, dilation, groups;
        const char* argument;
        const char* message_part;
    };
    const bad cases[] = {
        {"weights for other channels", 4, 2, 1, 0, 0, 1, 1, "wShape", "expected 4 input channels"},
        {"output padding equal to stride", 4, 4, 2, 0, 2, 1, 1, "outputPadding",
         "must be smaller than stride or dilation"},
        {"output padding with stride 1", 4, 4, 1, 0, 1, 1, 1, "outputPadding", "smaller than stride"},
        {"groups not dividing C", 4, 4, 1, 0, 0, 1, 3, "groups", "divisor"},
        {"zero dilation", 4, 4, 1, 0, 0, 0, 1, "dilation", "positive"},
        {"zero stride", 4, 4, 0, 0, 0, 1, 1, "stride", "positive"},
        {"padding eating the output", 4, 4, 1, 4, 0, 1, 1, "padding", "too large"},
        {"negative padding", 4, 4, 1, -1, 0, 1, 1, "padding", "expected integers"},
    };
    for (const bad& c : cases) {
        INFO(c.what);
        try {
            make_conv_transpose2d_geometry(1, c.C, 3, 3, c.Cw, 2, 3, 3, c.stride, c.stride, c.pad,
                                           c.pad, c.opad, c.opad, c.dilation, c.dilation, c.groups);
            FAIL("expected an error");
        } catch (const convlab::invalid_argument& e) {
            INFO(e.what());
            CHECK(e.argument() == c.argument);
            CHECK(std::string(e.what()).find(c.message_part) != std::string::npos);
        }
    }
}
