// test_layer_registry.cpp: the registries agree with the parsers that accept the names, every
// layer kind of layer_kinds.inc builds from its fields, unknown keys are refused with the
// nearest name, unsupported ones by name, and huge strides are refused before allocating.
#include <set>
#include <string>

#include "convlab/common.hpp"

#include "convlab/nn/options.hpp"
#include "convlab/nn/sequential.hpp"
#include "convlab/ops/activation.hpp"
#include "convlab/ops/conv1d.hpp"
#include "convlab/ops/loss.hpp"
#include "convlab/registry.hpp"
#include "harness.hpp"

using namespace convlab;

using harness::error_of;

namespace {

field_list fields(std::initializer_list<std::pair<std::string, field_value>> l) { return l; }

}  // namespace

TEST_CASE("every registered name is accepted by its parser") {
    for (const char* n : loss_names()) CHECK_NOTHROW(loss_from_name(n));
    for (const char* n : activation_names()) CHECK_NOTHROW(activation_from_name(n));
    for (const char* n : conv_mode_names()) CHECK_NOTHROW(conv_mode_from_name(n));
    CHECK(std::string(optimizer_names().at(0)) == "sgd");
    CHECK(loss_names().size() == 2);
    CHECK(activation_names().size() == 3);
    // Each activation is also a layer kind.
    for (const char* n : activation_names()) CHECK(find_layer_kind(n) != nullptr);
}

TEST_CASE("every layer kind builds from a minimal spec of its required fields") {
    std::set<std::string> seen;
    for (const layer_kind_info& k : layer_kinds()) {
        INFO("layer " << k.type);
        CHECK(seen.insert(k.type).second);
        field_list f = {{"type", text_value(k.type)}};
        for (std::size_t i = 0; i < k.field_count; ++i) {
            const field_info& fi = k.fields[i];
            if (std::string(fi.default_text) != "required") continue;
            f.push_back({fi.name, number_value(2)});
        }
        layer_spec s = layer_spec_from_fields(f, 0);
        if (s.type == "residual") s.layers = {layer_spec_from_fields({{"type", text_value("relu")}}, 1)};
        const bool flat_only = std::string(k.type) == "dense" || std::string(k.type) == "batchnorm1d";
        CHECK_NOTHROW(sequential({s}, flat_only ? std::vector<int>{6} : std::vector<int>{2, 6, 6}, 1));
        // And refuses an unknown field, naming the layer and the nearest name.
        f.push_back({"typ", number_value(1)});
        CHECK(error_of([&] { layer_spec_from_fields(f, 3); }) ==
              "layers[3]: unknown field 'typ'; did you mean 'type'?");
    }
}

TEST_CASE("unknown and unsupported keys are refused by name") {
    const field_list l = {{"type", text_value("conv2d")}, {"out", number_value(2)},
                          {"kernal", number_value(3)}};
    CHECK(error_of([&] { layer_spec_from_fields(l, 2); }) ==
          "layers[2]: unknown field 'kernal'; did you mean 'kernel'?");
    CHECK(error_of([&] { layer_spec_from_fields(fields({{"type", text_value("dense")}, {"out", number_value(2)}, {"foo", number_value(1)}}), 0); })
              .find("layers[0]: unknown field 'foo'") == 0);
    CHECK(error_of([&] { layer_spec_from_fields(fields({{"type", text_value("relu")}, {"out", number_value(2)}}), 0); })
              .find("layers[0]: unknown field 'out'") == 0);
    // conv2d honours dilation and groups; a table's `unsupported` entry is still refused by name
    CHECK(layer_spec_from_fields(fields({{"type", text_value("conv2d")}, {"dilation", number_value(2)}}), 1).dilation_h == 2);
    CHECK(layer_spec_from_fields(fields({{"type", text_value("conv2d")}, {"groups", number_value(3)}}), 1).groups == 3);
    CHECK(error_of([&] { layer_spec_from_fields(fields({{"type", text_value("conv2d")}, {"groups", number_value(0)}}), 1); })
              .find("layers[1].groups: expected a positive integer") == 0);
    {
        const field_info table[] = {{"dilation", field_type::unsupported, "1"}};
        CHECK(error_of([&] { check_fields(fields({{"dilation", number_value(2)}}), table, 1, "layers[1]", "layers[1].", "field"); })
                  .find("layers[1].dilation: not supported") == 0);
    }
    CHECK(error_of([&] { layer_spec_from_fields(fields({{"type", text_value("maxpool2d")}, {"kernel", number_value(3)}, {"padding", text_value("same")}}), 0); })
              .find("layers[0].padding: expected a non-negative integer or [h, w]") == 0);
    CHECK(error_of([&] { layer_spec_from_fields(fields({{"type", text_value("desne")}}), 0); }) ==
          "layers[0].type: expected one of conv2d, relu, sigmoid, tanh, maxpool2d, avgpool2d, "
          "flatten, dense, batchnorm2d, batchnorm1d, dropout, globalavgpool2d, leakyrelu, softmax, "
          "residual, convtranspose2d, got 'desne'; did you mean 'dense'?");
    const field_value xs = list_value({1, 1, 8, 8}), ws = list_value({1, 1, 3, 3});
    CHECK(error_of([&] { read_conv2d_call(xs, ws, fields({{"dilatation", number_value(2)}}), "conv2d"); }) ==
          "dilatation: unknown option 'dilatation'; did you mean 'dilation'?");
    CHECK(read_conv2d_call(xs, ws, fields({{"dilation", number_value(2)}}), "conv2d").geometry.Ho == 4);
    CHECK(read_conv2d_call(xs, ws, fields({{"groups", number_value(1)}}), "conv2d").geometry.groups == 1);
    CHECK(error_of([&] { read_conv2d_call(xs, ws, fields({{"dilation", number_value(0)}}), "conv2d"); })
              .find("dilation: expected a positive integer or [h, w]") == 0);
    CHECK(error_of([&] { read_conv2d_call(xs, ws, fields({{"groups", number_value(2)}}), "conv2d"); })
              .find("groups: expected a divisor") == 0);
    CHECK(error_of([&] { read_pool2d_call(xs, fields({{"kernel", number_value(3)}, {"ceilMode", number_value(1)}}), "maxPool2d"); })
              .find("ceilMode: expected true or false") == 0);
    CHECK(error_of([&] { read_pool2d_call(xs, fields({{"kernel", number_value(3)}, {"dilation", number_value(2)}}), "avgPool2d"); })
              .find("dilation: unknown option 'dilation'") == 0);
    CHECK(error_of([&] { read_train_options(fields({{"lr", number_value(0.1)}, {"momentun", number_value(0.9)}})); }) ==
          "momentun: unknown option 'momentun'; did you mean 'momentum'?");
    CHECK(error_of([&] { read_sequential_options(fields({{"inputShape", list_value({3})}, {"sed", number_value(1)}})); }) ==
          "sed: unknown option 'sed'; did you mean 'seed'?");
    // Every function's table refuses a key it does not list.
    for (const function_info& f : function_options()) {
        INFO(f.name);
        std::vector<std::string> names;
        for (std::size_t i = 0; i < f.option_count; ++i) names.push_back(f.options[i].name);
        CHECK(nearest_name("zzzzzzzzzzzz", names).empty());
    }
}

TEST_CASE("'same' padding is computed once, in the core, as PyTorch") {
    const conv2d_call c = read_conv2d_call(list_value({1, 1, 7, 6}), list_value({2, 1, 4, 4}),
                                           fields({{"padding", text_value("same")}}), "conv2d");
    CHECK(c.geometry.pad_top == 1);
    CHECK(c.geometry.pad_bottom == 2);
    CHECK(c.geometry.Ho == 7);
    CHECK(c.geometry.Wo == 6);
    CHECK(error_of([&] { read_conv2d_call(list_value({1, 1, 7, 6}), list_value({2, 1, 4, 4}), fields({{"padding", text_value("same")}, {"stride", number_value(2)}}), "conv2d"); })
              .find("padding: 'same' requires stride 1") == 0);
}

TEST_CASE("a stride beyond the input is refused before any allocation") {
    for (int stride : {1 << 30, 1 << 23}) {
        INFO("stride " << stride);
        const field_list f = {{"type", text_value("conv2d")}, {"out", number_value(4)},
                              {"kernel", number_value(3)}, {"stride", number_value(stride)}};
        const layer_spec s = layer_spec_from_fields(f, 0);
        CHECK(error_of([&] { sequential({s}, {1, 28, 28}, 1); })
                  .find("layers[0].stride: too large for this input") == 0);
        const field_list p = {{"type", text_value("maxpool2d")}, {"kernel", number_value(2)},
                              {"stride", number_value(stride)}};
        CHECK(error_of([&] { sequential({layer_spec_from_fields(p, 0)}, {1, 28, 28}, 1); })
                  .find("layers[0].stride: too large for this input") == 0);
    }
}
