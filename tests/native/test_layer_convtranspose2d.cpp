// test_layer_convtranspose2d.cpp: the convtranspose2d layer and conv2d's dilation / groups
// fields in a network: outputs and every gradient against PyTorch (conv-ext fixtures), torch's
// parameter shapes and default-initialisation bounds, and the fields' errors by name.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "convlab/common.hpp"
#include "convlab/nn/sequential.hpp"
#include "conv_ext_harness.hpp"
#include "harness.hpp"

using namespace convlab;
using conv_ext::case_name;

namespace {

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const convlab::invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}

// Sets the network's parameters from the fixture, runs forward and a vjp with its dy, and
// compares y, dx and every parameter gradient.
void check_layer(sequential& net, const harness::fixture& f, int N, bool bias, const std::string& what) {
    auto params = net.parameters();
    REQUIRE(params.size() == (bias ? 2u : 1u));
    const auto w = harness::as_float(f.at("w"));
    REQUIRE(params[0].size == w.size());
    std::copy(w.begin(), w.end(), params[0].data);
    if (bias) {
        const auto b = harness::as_float(f.at("b"));
        REQUIRE(params[1].size == b.size());
        std::copy(b.begin(), b.end(), params[1].data);
    }
    const auto x = harness::as_float(f.at("x")), dy = harness::as_float(f.at("dy"));
    const float* y = net.forward(x.data(), N);
    const auto want_y = harness::as_float(f.at("y"));
    harness::check_close(std::vector<float>(y, y + want_y.size()), want_y, 1e-4, what + " y");
    const float* dx = net.vjp(x.data(), N, dy.data());
    harness::check_close(std::vector<float>(dx, dx + x.size()), harness::as_float(f.at("dx")), 1e-4, what + " dx");
    harness::check_close(std::vector<float>(params[0].grad, params[0].grad + params[0].size),
                         harness::as_float(f.at("dw")), 1e-4, what + " dw");
    if (bias)
        harness::check_close(std::vector<float>(params[1].grad, params[1].grad + params[1].size),
                             harness::as_float(f.at("db")), 1e-4, what + " db");
}

layer_spec spec(const char* type, int out, int kh, int kw) {
    layer_spec s;
    s.type = type;
    s.out = out;
    s.kernel_h = kh, s.kernel_w = kw;
    return s;
}

}  // namespace

TEST_CASE("convtranspose2d layer: output and every gradient as torch's ConvTranspose2d") {
    for (const auto& f : harness::load_fixtures("conv_ext_convtranspose2d_torch.txt")) {
        const auto& p = f.at("params");  // N C H W out R S sh sw ph pw oph opw dh dw groups bias
        layer_spec s = spec("convtranspose2d", int(p[4]), int(p[5]), int(p[6]));
        s.stride_h = int(p[7]), s.stride_w = int(p[8]);
        s.pad_top = s.pad_bottom = int(p[9]), s.pad_left = s.pad_right = int(p[10]);
        s.output_pad_h = int(p[11]), s.output_pad_w = int(p[12]);
        s.dilation_h = int(p[13]), s.dilation_w = int(p[14]);
        s.groups = int(p[15]);
        s.bias = p[16] != 0;
        sequential net({s}, {int(p[1]), int(p[2]), int(p[3])}, 1);
        check_layer(net, f, int(p[0]), s.bias, case_name(f));
    }
}

TEST_CASE("conv2d layer with dilation and groups: output and every gradient as torch") {
    for (const auto& f : harness::load_fixtures("conv_ext_conv2d_torch.txt")) {
        const auto& p = f.at("params");  // N C H W K R S sh sw ph pw dh dw groups
        layer_spec s = spec("conv2d", int(p[4]), int(p[5]), int(p[6]));
        s.stride_h = int(p[7]), s.stride_w = int(p[8]);
        s.pad_top = s.pad_bottom = int(p[9]), s.pad_left = s.pad_right = int(p[10]);
        s.dilation_h = int(p[11]), s.dilation_w = int(p[12]);
        s.groups = int(p[13]);
        sequential net({s}, {int(p[1]), int(p[2]), int(p[3])}, 1);
        check_layer(net, f, int(p[0]), true, case_name(f));
    }
}

TEST_CASE("parameter shapes and torch's default-initialisation bounds (fan_in of the weight)") {
    layer_spec t = spec("convtranspose2d", 6, 3, 2);
    t.groups = 2, t.stride_h = t.stride_w = 2;
    layer_spec c = spec("conv2d", 8, 3, 3);
    c.groups = 2, c.dilation_h = c.dilation_w = 2;
    sequential net({t, c}, {4, 5, 5}, 7);
    auto params = net.parameters();
    REQUIRE(params.size() == 4);
    CHECK(params[0].shape == std::vector<int>{4, 3, 3, 2});  // (C_in, out / groups, R, S)
    CHECK(params[1].shape == std::vector<int>{6});
    CHECK(net.layer_output_shape(0) == std::vector<int>{6, 11, 10});
    CHECK(params[2].shape == std::vector<int>{8, 3, 3, 3});  // (out, C / groups, R, S)
    CHECK(net.layer_output_shape(1) == std::vector<int>{8, 7, 6});
    // torch: ConvTranspose2d's fan_in = weight.size(1) R S = 3 * 3 * 2; Conv2d's (C / groups) R S
    const double bounds[] = {1 / std::sqrt(18.0), 1 / std::sqrt(18.0), 1 / std::sqrt(27.0),
                             1 / std::sqrt(27.0)};
    for (int i = 0; i < 4; ++i) {
        float most = 0;
        for (std::size_t k = 0; k < params[i].size; ++k) most = std::fmax(most, std::fabs(params[i].data[k]));
        CHECK(most <= bounds[i]);
        if (params[i].size > 50) CHECK(most > 0.8 * bounds[i]);
    }
}

TEST_CASE("convtranspose2d and conv2d fields: errors name the layer and field") {
    auto build = [](layer_spec s, std::vector<int> in) { sequential net({s}, in, 1); };
    layer_spec t = spec("convtranspose2d", 4, 3, 3);
    t.stride_h = t.stride_w = 2;
    t.output_pad_h = t.output_pad_w = 2;
    CHECK(error_of([&] { build(t, {2, 4, 4}); })
              .find("layers[0].outputPadding: must be smaller than stride or dilation") == 0);
    t.output_pad_h = t.output_pad_w = 0;
    t.groups = 3;
    CHECK(error_of([&] { build(t, {2, 4, 4}); }).find("layers[0].groups: expected a divisor") == 0);
    t.groups = 1;
    t.pad_top = t.pad_bottom = t.pad_left = t.pad_right = 5;
    CHECK(error_of([&] { build(t, {2, 4, 4}); }).find("layers[0].padding: too large") == 0);
    CHECK(error_of([&] { build(t, {8}); }).find("layers[0].type: convtranspose2d needs a (C, H, W) input") == 0);
    layer_spec c = spec("conv2d", 4, 3, 3);
    c.output_pad_h = 1;
    CHECK(error_of([&] { build(c, {2, 6, 6}); }) == "layers[0].outputPadding: conv2d layers take no 'outputPadding'");
    layer_spec r = spec("relu", 0, 0, 0);
    r.groups = 2;
    CHECK(error_of([&] { build(r, {2, 6, 6}); }) == "layers[0].groups: relu layers take no 'groups'");
}
