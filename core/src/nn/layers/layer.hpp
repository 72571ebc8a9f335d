// nn/layers/layer.hpp: the interface between sequential (which orchestrates) and a layer kind
// (which knows its fields, its shape rule, forward and backward). One file per kind or
// family in this folder defines `<id>_layer` for each row of convlab/nn/layer_kinds.inc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "convlab/nn/sequential.hpp"
#include "convlab/ops/activation.hpp"
#include "convlab/ops/conv2d.hpp"
#include "convlab/ops/conv_transpose2d.hpp"
#include "convlab/ops/pool2d.hpp"
#include "convlab/registry.hpp"

namespace convlab::layers {

// Most floats in one example's activation, one parameter tensor, or a batch's workspace:
// keeps every index product far from overflow and the total within WebAssembly memory.
constexpr long long kMaxElements = 1LL << 28;

// a * b, saturated just above kMaxElements so that chains of products cannot overflow.
long long mul_capped(long long a, long long b);
std::string shape_text(const std::vector<int>& s);
std::size_t element_count(const std::vector<int>& s);

struct layer_def;

// A non-trainable tensor a layer keeps between calls (batch norm's running statistics):
// named "<layer index>.<suffix>" as in torch's state_dict, set to `initial` at construction.
struct buffer_info {
    const char* suffix;
    std::vector<int> shape;  // {} for a scalar (torch's 0-d tensors)
    float initial;
};

// What a layer keeps from call to call, written by forward: its buffers (buffer_info order),
// what its backward needs from the last forward (batch mean / inverse deviation, dropout
// mask), and its own random stream.
struct layer_memory {
    std::vector<std::vector<float>> buffers;
    std::vector<float> saved;
    std::uint64_t rng = 0;
};

// Whether a layer's examples depend on each other, which decides whether a network may run a
// batch as independent slices (nn/sequential_run.cpp): not at all (every row of the output and
// of dL/d(input) comes from that example's rows alone, and a call writes no state), in
// training only (dropout's one random stream per call), or always (batch norm's statistics,
// a residual block's scratch: one per call).
enum class batch_coupling { none, in_training, always };

// One configured layer: what the shape rule computed, and its activations.
struct layer_state {
    const layer_def* def = nullptr;
    layer_spec spec;                 // defaults filled in
    std::vector<int> out_shape;      // one example
    std::size_t in_size = 0, out_size = 0;  // elements of one example
    conv2d_geometry conv{};          // N is set per call
    pool2d_geometry pool{};
    activation act = activation::relu;
    std::vector<int> weight_shape;   // empty: no parameters
    bool has_bias = false;
    // convtranspose2d: its geometry, and its bias's size (out), which is not weight_shape[0]
    conv_transpose2d_geometry transposed{};
    int bias_size = 0;               // 0: weight_shape[0]
    int weight = -1, bias = -1;      // indices into the network's parameters, -1 when absent
    std::vector<float> y;            // (batch, out_shape...)
    // Parameters start as gamma = 1, beta = 0 (batch norm) instead of U(-b, b); such a layer
    // draws nothing from the initialisation stream.
    bool init_ones_zeros = false;
    // Floats per example the layer keeps besides y (dropout's mask, a residual block's
    // sub-activations), counted against the size limit before a batch is laid out.
    std::size_t scratch_size = 0;
    // Training needs more than one value per statistic: the smallest batch it accepts.
    int min_training_batch = 1;
    batch_coupling coupling = batch_coupling::none;
    std::vector<buffer_info> buffers;
    // Written by forward through layer_call::memory, also for a residual block's sub-layers,
    // which it reaches through its own (const) state.
    mutable layer_memory memory;
    // A residual block's sub-layers (the network's own layers have none). Their parameters
    // live in the network like any other; the network points these at them once built.
    std::vector<layer_state> sub;
    const float *w = nullptr, *b = nullptr;
    float *dw = nullptr, *db = nullptr;
};

// What forward / backward see of one call. dx is nullptr when dL/d(input) is not wanted;
// dw / db are the parameter gradients (overwritten), nullptr when the layer has none.
struct layer_call {
    int batch;
    const float* x;   // (batch, input...)
    const float* y;   // (batch, output...), this layer's forward output
    const float* w;
    const float* b;
    bool training = true;            // torch's module.training: batch statistics, dropout on
    layer_memory* memory = nullptr;  // the layer's own (never nullptr inside a network)
};

struct layer_def {
    const char* type;
    const field_info* fields;
    std::size_t field_count;
    // The shape rule: checks spec (defaults filled in here) against the input shape `in`,
    // sets l.out_shape, geometry and weight_shape / has_bias; throws invalid_argument naming
    // at + field ("layers[i].kernel").
    void (*configure)(layer_state& l, const std::vector<int>& in, const std::string& at);
    void (*forward)(const layer_state& l, const layer_call& c, float* y);
    void (*backward)(const layer_state& l, const layer_call& c, const float* dy, float* dx,
                     float* dw, float* db);
};

#define CONVLAB_LAYER(id) extern const layer_def id##_layer;
#include "convlab/nn/layer_kinds.inc"
#undef CONVLAB_LAYER

const layer_def* find_layer(std::string_view type);

// Checks spec against its kind (type known, no field the kind does not take) and the input
// shape `in`, and configures l: out_shape, out_size, geometry, parameter shapes, sub-layers.
// Throws invalid_argument naming at + field ("layers[i].kernel", "layers[i].layers[j].out").
void configure_layer(layer_state& l, layer_spec spec, const std::vector<int>& in, const std::string& at);
// Whether l or any of its sub-layers has parameters.
bool holds_parameters(const layer_state& l);
const std::vector<const layer_def*>& all_layers();

// Shared by the spatial kinds (conv2d, pooling): the input must be (C, H, W); kernel given;
// stride defaulted to `default_stride` per axis when 0 (unset).
void require_spatial_input(const layer_state& l, const std::vector<int>& in, const std::string& at);
void resolve_kernel_stride(layer_spec& s, bool stride_defaults_to_kernel, const std::string& at);
// Refuses a stride beyond the (padded) extent it walks: such a window never moves, and the
// sizes derived from it are where overflow starts.
void require_stride_fits(int stride, long long extent, const std::string& at);
// The start of conv2d's and convtranspose2d's shape rule: a (C, H, W) input, kernel and stride
// (default 1), a positive `out`, the defaults of dilation (1 per axis) and groups (1), and
// groups dividing both C and out ("<at>groups"). Returns C / groups.
int resolve_conv_fields(layer_state& l, const std::vector<int>& in, const std::string& at);

}  // namespace convlab::layers
