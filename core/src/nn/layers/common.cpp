// nn/layers/common.cpp: the layer table and the checks the spatial kinds share.
#include <algorithm>

#include "convlab/common.hpp"
#include "convlab/registry.hpp"
#include "layer.hpp"

namespace convlab::layers {

long long mul_capped(long long a, long long b) {
    if (a != 0 && b > (kMaxElements + 1) / a) return kMaxElements + 1;
    return std::min(a * b, kMaxElements + 1);
}

std::string shape_text(const std::vector<int>& s) {
    std::string t = "(";
    for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + ")";
}

std::size_t element_count(const std::vector<int>& s) {
    std::size_t n = 1;
    for (int d : s) n *= static_cast<std::size_t>(d);
    return n;
}

namespace {

// Whether a spec sets `field` away from its default: a field its kind does not list is
// almost certainly a mistake in the layer list.
bool spec_sets(const layer_spec& s, std::string_view field) {
    if (field == "out") return s.out != 0;
    if (field == "kernel") return s.kernel_h != 0 || s.kernel_w != 0;
    if (field == "stride") return s.stride_h != 0 || s.stride_w != 0;
    if (field == "padding") return (s.pad_top | s.pad_left | s.pad_bottom | s.pad_right) != 0 || s.pad_same;
    if (field == "dilation") return s.dilation_h != 0 || s.dilation_w != 0;
    if (field == "ceilMode") return s.ceil_mode;
    if (field == "countIncludePad") return !s.count_include_pad;
    if (field == "bias") return !s.bias;
    if (field == "method") return s.method != conv2d_method::automatic;
    if (field == "groups") return s.groups != 0;
    if (field == "outputPadding") return s.output_pad_h != 0 || s.output_pad_w != 0;
    const layer_spec d;
    if (field == "eps") return s.eps != d.eps;
    if (field == "momentum") return s.momentum != d.momentum;
    if (field == "p") return s.p != d.p;
    if (field == "negativeSlope") return s.negative_slope != d.negative_slope;
    if (field == "layers") return !s.layers.empty();
    return false;
}

constexpr const char* kCheckedFields[] = {"layers", "out",     "kernel",   "stride",   "padding",
                                          "dilation", "ceilMode", "countIncludePad", "bias",
                                          "method",  "groups",   "outputPadding", "eps",
                                          "momentum", "p",      "negativeSlope"};

}  // namespace

void configure_layer(layer_state& l, layer_spec s, const std::vector<int>& in, const std::string& at) {
    const layer_def* def = find_layer(s.type);
    if (def == nullptr) {
        std::vector<std::string> types;
        for (const layer_def* d : all_layers()) types.push_back(d->type);
        fail(at + "type", one_of_text(s.type, types, false));
    }
    for (const char* field : kCheckedFields) {
        bool listed = false;
        for (std::size_t k = 0; k < def->field_count; ++k)
            listed |= std::string_view(def->fields[k].name) == field &&
                      def->fields[k].type != field_type::unsupported;
        if (!listed && spec_sets(s, field))
            fail(at + field, s.type + " layers take no '" + field + "'");
    }
    l.def = def;
    l.in_size = element_count(in);
    l.spec = std::move(s);
    def->configure(l, in, at);
    long long out_size = 1;
    for (int d : l.out_shape) out_size = mul_capped(out_size, d);
    if (out_size > kMaxElements) fail(at + "type", "the output would exceed 2^28 floats");
    l.out_size = static_cast<std::size_t>(out_size);
}

bool holds_parameters(const layer_state& l) {
    if (!l.weight_shape.empty()) return true;
    for (const layer_state& s : l.sub)
        if (holds_parameters(s)) return true;
    return false;
}

const std::vector<const layer_def*>& all_layers() {
    static const std::vector<const layer_def*> list = {
#define CONVLAB_LAYER(id) &id##_layer,
#include "convlab/nn/layer_kinds.inc"
#undef CONVLAB_LAYER
    };
    return list;
}

const layer_def* find_layer(std::string_view type) {
    for (const layer_def* d : all_layers())
        if (type == d->type) return d;
    return nullptr;
}

void require_spatial_input(const layer_state& l, const std::vector<int>& in, const std::string& at) {
    if (in.size() == 3) return;
    fail(at + "type", std::string(l.def->type) + " needs a (C, H, W) input, but its input is " +
                          shape_text(in) +
                          (at == "layers[0]." ? " (inputShape has one element)"
                                              : ": put convolution and pooling before flatten"));
}

void resolve_kernel_stride(layer_spec& s, bool stride_defaults_to_kernel, const std::string& at) {
    if (s.kernel_h <= 0 || s.kernel_w <= 0)
        fail(at + "kernel", "expected a positive integer or [h, w], got [" +
                                std::to_string(s.kernel_h) + ", " + std::to_string(s.kernel_w) + "]");
    require_positive(s.kernel_h, (at + "kernel").c_str());
    require_positive(s.kernel_w, (at + "kernel").c_str());
    if (s.stride_h < 0 || s.stride_w < 0)
        fail(at + "stride", "expected a positive integer or [h, w], got [" +
                                std::to_string(s.stride_h) + ", " + std::to_string(s.stride_w) + "]");
    if (s.stride_h == 0) s.stride_h = stride_defaults_to_kernel ? s.kernel_h : 1;
    if (s.stride_w == 0) s.stride_w = stride_defaults_to_kernel ? s.kernel_w : 1;
    require_positive(s.stride_h, (at + "stride").c_str());
    require_positive(s.stride_w, (at + "stride").c_str());
}

void require_stride_fits(int stride, long long extent, const std::string& at) {
    if (stride > extent)
        fail(at + "stride", "too large for this input: " + std::to_string(stride) +
                                " exceeds the extent " + std::to_string(extent) + " it steps over");
}

}  // namespace convlab::layers
