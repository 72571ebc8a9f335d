// test_layer_pooling.cpp: the maxpool2d / avgpool2d layers with PyTorch's padding, dilation,
// ceilMode and countIncludePad: the shape rule is make_pool2d_geometry's, every layer output
// and input gradient equals the op's, a ResNet stem (conv, tanh, maxpool 3 / 2 / 1) has
// central-difference gradients and trains, and invalid fields name the layer's field.
#include <algorithm>
#include <string>
#include <vector>

#include "convlab/common.hpp"
#include "convlab/nn/options.hpp"
#include "convlab/nn/sequential.hpp"
#include "convlab/ops/loss.hpp"
#include "convlab/ops/pool2d.hpp"
#include "harness.hpp"
#include "nn_harness.hpp"

using namespace convlab;

namespace {

layer_spec pool(const char* type, int kernel, int stride, int pad) {
    layer_spec s;
    s.type = type;
    s.kernel_h = s.kernel_w = kernel;
    s.stride_h = s.stride_w = stride;
    s.pad_top = s.pad_bottom = s.pad_left = s.pad_right = pad;
    return s;
}

using harness::make;

std::string error_of(const std::vector<layer_spec>& layers, std::vector<int> input_shape) {
    try {
        sequential net(layers, std::move(input_shape), 0);
    } catch (const invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("pooling layers equal the ops with padding, dilation, ceil mode, countIncludePad") {
    layer_spec dilated = pool("maxpool2d", 2, 2, 1);
    dilated.dilation_h = 2, dilated.dilation_w = 3, dilated.ceil_mode = true;
    layer_spec avg_excl = pool("avgpool2d", 3, 2, 1);
    avg_excl.count_include_pad = false, avg_excl.ceil_mode = true;
    const int C = 2, H = 7, W = 8;
    for (const layer_spec& s : {pool("maxpool2d", 3, 2, 1), dilated, pool("avgpool2d", 3, 2, 1), avg_excl}) {
        INFO(s.type << " dilation " << s.dilation_h << " ceil " << s.ceil_mode);
        const bool is_max = s.type == "maxpool2d";
        const auto g = make_pool2d_geometry(
            3, C, H, W, s.kernel_h, s.kernel_w, s.stride_h, s.stride_w, s.pad_top, s.pad_left,
            std::max(1, s.dilation_h), std::max(1, s.dilation_w), s.ceil_mode, s.count_include_pad);
        sequential net({s}, {C, H, W}, 0);
        CHECK(net.output_shape() == std::vector<int>{C, g.Ho, g.Wo});
        const auto x = harness::random_vector(3 * C * H * W, 21);
        const auto dy = harness::random_vector(3 * C * g.Ho * g.Wo, 22);
        std::vector<float> y(dy.size()), dx(x.size());
        (is_max ? max_pool2d_forward_ref : avg_pool2d_forward_ref)(g, x.data(), y.data());
        const float* ny = net.forward(x.data(), 3);
        harness::check_close(std::vector<float>(ny, ny + y.size()), y, 1e-6, "forward");
        if (is_max)
            max_pool2d_backward_ref(g, x.data(), dy.data(), dx.data());
        else
            avg_pool2d_backward_ref(g, dy.data(), dx.data());
        const float* ndx = net.vjp(x.data(), 3, dy.data());
        harness::check_close(std::vector<float>(ndx, ndx + dx.size()), dx, 1e-6, "vjp");
    }
}

// tanh rather than a ResNet's relu: relu's zeros tie in a max window, where a central
// difference straddles the kink and disagrees with any one-sided gradient.
TEST_CASE("a ResNet stem (conv, tanh, maxpool 3 / 2 / 1): 4x4, central differences, training") {
    const std::vector<layer_spec> layers{make("conv2d", 3, 3), make("tanh"),
                                         pool("maxpool2d", 3, 2, 1), make("flatten"),
                                         make("dense", 3)};
    std::vector<layer_spec> padded = layers;
    padded[0].pad_top = padded[0].pad_left = padded[0].pad_bottom = padded[0].pad_right = 1;
    sequential net(padded, {2, 7, 7}, 5);
    CHECK(net.layer_output_shape(2) == std::vector<int>{3, 4, 4});
    const int batch = 2;
    const auto x = harness::random_vector(batch * net.input_size(), 31);
    const std::vector<std::int32_t> labels{1, 2};
    const auto loss_at = [&] {
        const float* y = net.forward(x.data(), batch);
        return double(loss_forward_backward(loss_kind::softmax_cross_entropy, y, labels.data(),
                                            batch, net.output_size(), nullptr)
                          .loss);
    };
    net.backward(x.data(), labels.data(), batch, loss_kind::softmax_cross_entropy);
    // A step of 1e-4: with 1e-3 two values of some window (seeds 31, 33) swap places within
    // the step, and the difference mixes both winners' gradients.
    harness::check_parameter_gradients(net, loss_at, 1e-4f, 5e-3, "stem");
    train_options o;
    o.lr = 0.1f;
    const double first = net.train_step(x.data(), labels.data(), batch, o).loss;
    double last = first;
    for (int i = 0; i < 20; ++i) last = net.train_step(x.data(), labels.data(), batch, o).loss;
    CHECK(last < first);
}

TEST_CASE("pooling layer fields: read from a spec, checked, errors name the field") {
    field_list fields{{"type", text_value("maxpool2d")}, {"kernel", number_value(3)},
                      {"stride", number_value(2)},       {"padding", list_value({1, 0})},
                      {"dilation", number_value(2)},     {"ceilMode", bool_value(true)}};
    const layer_spec s = layer_spec_from_fields(fields, 0);
    CHECK(s.pad_top == 1);
    CHECK(s.pad_bottom == 1);
    CHECK(s.pad_left == 0);
    CHECK(s.dilation_h == 2);
    CHECK(s.ceil_mode);
    field_list avg{{"type", text_value("avgpool2d")}, {"kernel", number_value(2)},
                   {"countIncludePad", bool_value(false)}};
    CHECK_FALSE(layer_spec_from_fields(avg, 0).count_include_pad);

    CHECK(error_of({pool("maxpool2d", 3, 2, 2)}, {1, 7, 7}).rfind("layers[0].padding: expected at most half", 0) == 0);
    layer_spec uneven = pool("maxpool2d", 3, 2, 1);
    uneven.pad_bottom = 0;
    CHECK(error_of({uneven}, {1, 7, 7}).rfind("layers[0].padding: pooling pads both sides", 0) == 0);
    layer_spec avg_dilated = pool("avgpool2d", 2, 2, 0);
    avg_dilated.dilation_h = 2;
    CHECK(error_of({avg_dilated}, {1, 7, 7}) == "layers[0].dilation: avgpool2d layers take no 'dilation'");
    layer_spec too_wide = pool("maxpool2d", 3, 1, 0);
    too_wide.dilation_h = too_wide.dilation_w = 4;
    CHECK(error_of({too_wide}, {1, 7, 7}).rfind("layers[0].dilation: expected a window no larger", 0) == 0);
    CHECK(error_of({make("conv2d", 2, 3), [] {
                        layer_spec c = make("relu");
                        c.ceil_mode = true;
                        return c;
                    }()},
                   {1, 7, 7}) == "layers[1].ceilMode: relu layers take no 'ceilMode'");
}
