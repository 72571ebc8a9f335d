// convlab/nn/options.hpp: a public function's options object (as a field_list) -> the core's
// typed arguments, checked here once: unknown keys refused with the nearest known name,
// types, ranges, and 'same' padding resolved. The bindings call these and nothing else
// checks the same things.
#pragma once

#include <cstdint>
#include <vector>

#include "convlab/nn/sequential.hpp"
#include "convlab/ops/conv1d.hpp"
#include "convlab/ops/conv2d.hpp"
#include "convlab/ops/conv_transpose2d.hpp"
#include "convlab/ops/pool2d.hpp"
#include "convlab/registry.hpp"

namespace convlab {

// Refuses keys that function_options(fn) does not list (and unsupported ones).
void check_options(const field_list& options, const char* fn);

struct conv1d_call {
    conv_mode mode;
    conv1d_method method;
};
conv1d_call read_conv1d_options(const field_list& options, const char* fn);

struct conv2d_call {
    conv2d_geometry geometry;
    conv2d_method method;
};
// x_shape, w_shape: arrays of 4 positive integers ("xShape", "wShape"); options: stride,
// padding (n, [h, w], 'same', 'valid'), method; fn names the options table.
conv2d_call read_conv2d_call(const field_value& x_shape, const field_value& w_shape,
                             const field_list& options, const char* fn);
// x_shape (N, C, H, W), w_shape (C, out / groups, R, S); options: stride, padding (n or
// [h, w]), outputPadding, dilation, groups, method; fn names the options table.
struct conv_transpose2d_call {
    conv_transpose2d_geometry geometry;
    conv2d_method method;
};
conv_transpose2d_call read_conv_transpose2d_call(const field_value& x_shape,
                                                 const field_value& w_shape,
                                                 const field_list& options, const char* fn);
pool2d_geometry read_pool2d_call(const field_value& x_shape, const field_list& options,
                                 const char* fn);

// Network.backward / Network.evaluate ({ loss }) and Network.trainStep.
loss_kind read_loss_options(const field_list& options, const char* fn);
train_options read_train_options(const field_list& options);

struct sequential_options {
    std::vector<int> input_shape;
    std::uint64_t seed = 0;
};
sequential_options read_sequential_options(const field_list& options);

// One layer spec as written ({ type: 'conv2d', out: 6, kernel: 5 }) -> layer_spec, refusing
// unknown fields ("layers[2]: unknown field 'kernal'; did you mean 'kernel'?"), fields of the
// wrong type, and type names not in layer_kinds.inc.
layer_spec layer_spec_from_fields(const field_list& fields, std::size_t index);
// The same for a spec anywhere, `where` naming it ("layers[1].layers[0]"). A residual's
// `layers` (a field_list cannot hold objects) is not read here: the caller fills spec.layers
// from its own objects, each through this function.
layer_spec layer_spec_from_fields(const field_list& fields, const std::string& where);

}  // namespace convlab
