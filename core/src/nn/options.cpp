// nn/options.cpp: the readers of convlab/nn/options.hpp.
#include "convlab/nn/options.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "convlab/common.hpp"
#include "convlab/registry.hpp"

namespace convlab {

void check_options(const field_list& options, const char* fn) {
    const function_info& f = function_options(fn);
    check_fields(options, f.options, f.option_count, "", "", "option");
}

conv1d_call read_conv1d_options(const field_list& options, const char* fn) {
    check_options(options, fn);
    conv1d_call c{conv_mode::full, conv1d_method::automatic};
    if (const field_value* v = find_field(options, "mode"))
        c.mode = conv_mode_from_name(read_text(*v, "mode"), "mode");
    if (const field_value* v = find_field(options, "method"))
        c.method = conv1d_method_from_name(read_text(*v, "method"), "method");
    return c;
}

namespace {

// padding: n | [h, w] | 'valid' | 'same' -> pads (top, left, bottom, right). 'same' follows
// PyTorch: total kernel - 1, the odd one out after; stride 1 only.
void read_padding(const field_value& v, const std::string& name, int kernel_h, int kernel_w,
                  int stride_h, int stride_w, int pads[4]) {
    if (v.type == field_value::kind::text) {
        if (v.text == "valid") {
            pads[0] = pads[1] = pads[2] = pads[3] = 0;
            return;
        }
        if (v.text == "same") {
            if (stride_h != 1 || stride_w != 1)
                fail(name, "'same' requires stride 1 (as in PyTorch), got stride [" +
                               std::to_string(stride_h) + ", " + std::to_string(stride_w) + "]");
            const pad_pair ph = same_padding(kernel_h), pw = same_padding(kernel_w);
            pads[0] = ph.before, pads[1] = pw.before, pads[2] = ph.after, pads[3] = pw.after;
            return;
        }
        fail(name, "expected a non-negative integer, [h, w], 'valid' or 'same', got " + describe(v));
    }
    const auto [h, w] = read_int_pair(v, name, 0);
    pads[0] = pads[2] = h;
    pads[1] = pads[3] = w;
}

}  // namespace

conv2d_call read_conv2d_call(const field_value& x_shape, const field_value& w_shape,
                             const field_list& options, const char* fn) {
    const std::vector<int> xs = read_shape(x_shape, "xShape", {4});
    const std::vector<int> ws = read_shape(w_shape, "wShape", {4});
    check_options(options, fn);
    int sh = 1, sw = 1;
    if (const field_value* v = find_field(options, "stride")) std::tie(sh, sw) = read_int_pair(*v, "stride", 1);
    int dh = 1, dw = 1, groups = 1;
    if (const field_value* v = find_field(options, "dilation")) std::tie(dh, dw) = read_int_pair(*v, "dilation", 1);
    if (const field_value* v = find_field(options, "groups")) groups = read_positive_int(*v, "groups");
    // 'same' pads for the dilated kernel's extent, as PyTorch does
    int pads[4] = {0, 0, 0, 0};
    if (const field_value* v = find_field(options, "padding"))
        read_padding(*v, "padding", int(std::min<long long>((ws[2] - 1LL) * dh + 1, 1 << 30)),
                     int(std::min<long long>((ws[3] - 1LL) * dw + 1, 1 << 30)), sh, sw, pads);
    conv2d_method method = conv2d_method::automatic;
    if (const field_value* v = find_field(options, "method"))
        method = conv2d_method_from_name(read_text(*v, "method"), "method");
    if (groups == 1 && ws[1] != xs[1])
        fail("wShape", "expected " + std::to_string(xs[1]) + " input channels (xShape[1]), got " +
                           std::to_string(ws[1]));
    return {make_conv2d_geometry(xs[0], xs[1], xs[2], xs[3], ws[0], ws[1], ws[2], ws[3], sh, sw,
                                 pads[0], pads[1], pads[2], pads[3], dh, dw, groups),
            method};
}

conv_transpose2d_call read_conv_transpose2d_call(const field_value& x_shape,
                                                 const field_value& w_shape,
                                                 const field_list& options, const char* fn) {
    const std::vector<int> xs = read_shape(x_shape, "xShape", {4});
    const std::vector<int> ws = read_shape(w_shape, "wShape", {4});
    check_options(options, fn);
    int pair[4][2] = {{1, 1}, {0, 0}, {0, 0}, {1, 1}};  // stride, padding, outputPadding, dilation
    const char* names[] = {"stride", "padding", "outputPadding", "dilation"};
    for (int i = 0; i < 4; ++i)
        if (const field_value* v = find_field(options, names[i]))
            std::tie(pair[i][0], pair[i][1]) = read_int_pair(*v, names[i], i == 1 || i == 2 ? 0 : 1);
    int groups = 1;
    if (const field_value* v = find_field(options, "groups")) groups = read_positive_int(*v, "groups");
    conv2d_method method = conv2d_method::automatic;
    if (const field_value* v = find_field(options, "method"))
        method = conv2d_method_from_name(read_text(*v, "method"), "method");
    return {make_conv_transpose2d_geometry(xs[0], xs[1], xs[2], xs[3], ws[0], ws[1], ws[2], ws[3],
                                           pair[0][0], pair[0][1], pair[1][0], pair[1][1],
                                           pair[2][0], pair[2][1], pair[3][0], pair[3][1], groups),
            method};
}

pool2d_geometry read_pool2d_call(const field_value& x_shape, const field_list& options,
                                 const char* fn) {
    const std::vector<int> xs = read_shape(x_shape, "xShape", {4});
    check_options(options, fn);
    const field_value* k = find_field(options, "kernel");
    if (k == nullptr) fail("kernel", "expected a positive integer or [h, w], got undefined");
    const auto [kh, kw] = read_int_pair(*k, "kernel", 1);
    int sh = kh, sw = kw;
    if (const field_value* v = find_field(options, "stride")) std::tie(sh, sw) = read_int_pair(*v, "stride", 1);
    // Absent from avgPool2d's table, so check_options has already refused 'dilation' there.
    int ph = 0, pw = 0, dh = 1, dw = 1;
    if (const field_value* v = find_field(options, "padding")) std::tie(ph, pw) = read_int_pair(*v, "padding", 0);
    if (const field_value* v = find_field(options, "dilation")) std::tie(dh, dw) = read_int_pair(*v, "dilation", 1);
    bool ceil = false, include_pad = true;
    if (const field_value* v = find_field(options, "ceilMode")) ceil = read_bool(*v, "ceilMode");
    if (const field_value* v = find_field(options, "countIncludePad"))
        include_pad = read_bool(*v, "countIncludePad");
    return make_pool2d_geometry(xs[0], xs[1], xs[2], xs[3], kh, kw, sh, sw, ph, pw, dh, dw, ceil,
                                include_pad);
}

namespace {
loss_kind read_loss(const field_list& options) {
    const field_value* v = find_field(options, "loss");
    return v ? loss_from_name(read_text(*v, "loss"), "loss") : loss_kind::softmax_cross_entropy;
}
}  // namespace

loss_kind read_loss_options(const field_list& options, const char* fn) {
    check_options(options, fn);
    return read_loss(options);
}

train_options read_train_options(const field_list& options) {
    check_options(options, "Network.trainStep");
    optimizer_kind kind = optimizer_kind::sgd;
    if (const field_value* v = find_field(options, "optimizer"))
        kind = optimizer_from_name(read_text(*v, "optimizer"), "optimizer");
    train_options o;
    static_cast<optimizer_options&>(o) = default_optimizer_options(kind);
    o.loss = read_loss(options);
    for (const auto& [key, v] : options) {
        if (key == "loss" || key == "optimizer") continue;
        if (!optimizer_uses(kind, key)) {
            std::string own;
            const function_info& f = function_options("Network.trainStep");
            for (std::size_t i = 0; i < f.option_count; ++i)
                if (optimizer_uses(kind, f.options[i].name))
                    own += (own.empty() ? "" : ", ") + std::string(f.options[i].name);
            fail(key, std::string("'") + optimizer_name(kind) + "' takes no '" + key + "' (its options: " + own + ")");
        }
        if (key == "nesterov" || key == "amsgrad" || key == "centered") {
            (key == "nesterov" ? o.nesterov : key == "amsgrad" ? o.amsgrad : o.centered) = read_bool(v, key);
        } else if (key == "betas") {
            if (v.type != field_value::kind::list || v.list.size() != 2 || !std::isfinite(v.list[0]) ||
                !std::isfinite(v.list[1]))
                fail(key, "expected [beta1, beta2], two numbers in [0, 1), got " + describe(v));
            o.beta1 = v.list[0];
            o.beta2 = v.list[1];
        } else {
            const double x = read_number(v, key);
            if (x < 0 && key != "dampening") fail(key, "expected a number >= 0, got " + describe(v));
            // The step computes in float: a value past its range would become infinite there.
            if (std::fabs(x) > std::numeric_limits<float>::max())
                fail(key, "too large for a float, got " + describe(v));
            double& field = key == "lr" ? o.lr : key == "momentum" ? o.momentum
                          : key == "dampening" ? o.dampening : key == "weightDecay" ? o.weight_decay
                          : key == "eps" ? o.eps : o.alpha;
            field = x;
        }
    }
    check_optimizer_options(o);
    return o;
}

sequential_options read_sequential_options(const field_list& options) {
    check_options(options, "sequential");
    sequential_options o;
    const field_value* shape = find_field(options, "inputShape");
    if (shape == nullptr) fail("inputShape", "expected [C, H, W] or [features], got undefined");
    o.input_shape = read_shape(*shape, "inputShape", {1, 3});
    if (const field_value* v = find_field(options, "seed")) {
        const bool ok = v->type == field_value::kind::number && std::isfinite(v->number) &&
                        v->number == std::floor(v->number) && v->number >= 0 &&
                        v->number <= 9007199254740991.0;
        if (!ok) fail("seed", "expected a non-negative integer, got " + describe(*v));
        o.seed = static_cast<std::uint64_t>(v->number);
    }
    return o;
}

layer_spec layer_spec_from_fields(const field_list& fields, std::size_t index) {
    return layer_spec_from_fields(fields, "layers[" + std::to_string(index) + "]");
}

layer_spec layer_spec_from_fields(const field_list& fields, const std::string& where) {
    const std::string at = where + ".";
    const field_value* type = find_field(fields, "type");
    std::vector<std::string> types;
    for (const layer_kind_info& k : layer_kinds()) types.push_back(k.type);
    if (type == nullptr || type->type != field_value::kind::text)
        fail(at + "type", "expected a layer type such as 'relu', got " +
                              (type ? describe(*type) : std::string("undefined")));
    const layer_kind_info* kind = find_layer_kind(type->text);
    if (kind == nullptr) fail(at + "type", one_of_text(type->text, types, false));
    check_fields(fields, kind->fields, kind->field_count, where, at, "field", {"type"});

    layer_spec s;
    s.type = type->text;
    // Pooling's padding is PyTorch's: n or [h, w] on both sides, no 'same' / 'valid'.
    bool pooling = false;
    for (std::size_t k = 0; k < kind->field_count; ++k)
        pooling |= std::string_view(kind->fields[k].name) == "padding" &&
                   kind->fields[k].type == field_type::int_pair;
    for (const auto& [key, v] : fields) {
        const std::string name = at + key;
        if (key == "out") {
            s.out = read_positive_int(v, name);
        } else if (key == "kernel") {
            std::tie(s.kernel_h, s.kernel_w) = read_int_pair(v, name, 1);
        } else if (key == "stride") {
            std::tie(s.stride_h, s.stride_w) = read_int_pair(v, name, 1);
        } else if (key == "padding" && pooling) {
            std::tie(s.pad_top, s.pad_left) = read_int_pair(v, name, 0);
            s.pad_bottom = s.pad_top, s.pad_right = s.pad_left;
        } else if (key == "padding") {
            if (v.type == field_value::kind::text && v.text == "same") {
                s.pad_same = true;  // resolved by the layer once the kernel and stride are known
            } else {
                int pads[4];
                read_padding(v, name, 1, 1, 1, 1, pads);
                s.pad_top = pads[0], s.pad_left = pads[1], s.pad_bottom = pads[2], s.pad_right = pads[3];
            }
        } else if (key == "dilation") {
            std::tie(s.dilation_h, s.dilation_w) = read_int_pair(v, name, 1);
        } else if (key == "ceilMode") {
            s.ceil_mode = read_bool(v, name);
        } else if (key == "countIncludePad") {
            s.count_include_pad = read_bool(v, name);
        } else if (key == "bias") {
            s.bias = read_bool(v, name);
        } else if (key == "method") {
            s.method = conv2d_method_from_name(read_text(v, name), name.c_str());
        } else if (key == "eps" || key == "momentum" || key == "p" || key == "negativeSlope") {
            // Ranges are the layer's shape rule's (a spec built in C++ is checked alike).
            const double x = read_number(v, name);
            (key == "eps" ? s.eps : key == "momentum" ? s.momentum : key == "p" ? s.p : s.negative_slope) = x;
        } else if (key == "groups") {
            s.groups = read_positive_int(v, name);
        } else if (key == "outputPadding") {
            std::tie(s.output_pad_h, s.output_pad_w) = read_int_pair(v, name, 0);
        }
    }
    return s;
}

}  // namespace convlab
