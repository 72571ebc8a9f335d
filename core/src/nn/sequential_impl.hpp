// nn/sequential_impl.hpp: the state behind convlab::sequential, shared by sequential.cpp
// (building a network, its parameters and buffers, the public calls) and sequential_run.cpp
// (running a batch through the layers, whole or in slices).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "convlab/common.hpp"
#include "convlab/nn/init.hpp"
#include "convlab/nn/optimizer.hpp"
#include "convlab/nn/sequential.hpp"
#include "convlab/parallel.hpp"
#include "layers/layer.hpp"

namespace convlab {

struct sequential::impl {
    struct param_state {
        std::string name;
        std::vector<int> shape;
        std::vector<float> data, grad;  // (shape...)
        std::size_t offset = 0;         // where its gradient starts in a slot of grad_slots
    };
    struct buffer_state {
        std::string name;
        std::vector<int> shape;
        std::vector<float>* data;  // in its layer's memory
    };

    std::vector<int> input_shape;
    std::size_t input_size = 0;
    std::vector<layers::layer_state> layers;
    std::vector<param_state> params;
    std::vector<buffer_state> buffers;  // in layer order
    bool training = true;
    std::size_t first_param_layer = 0;  // backward stops here unless dL/dx is wanted
    std::size_t largest_size = 0;       // largest per-example size of the input or any output
    int batch = 0;                      // batch the buffers are laid out for, 0 before any call
    // (batch, largest_size) each: ping-pong for dL/d(act); slices use two of them while the
    // third holds the gradient they start from
    std::vector<float> grad_a, grad_b, grad_c;
    // layer i's parameters: params[first_param[i] .. first_param[i + 1])
    std::vector<std::size_t> first_param;
    std::size_t param_floats = 0;    // of all parameters
    std::vector<float> grad_slots;   // (slices, floats of the sliced layers' parameters)
    std::vector<float> stage_x;      // (staged batch, input...): staging()
    std::vector<std::int32_t> stage_labels;
    optimizer opt;  // torch's optimizer.state for params

    int add_param(const std::string& prefix, const char* suffix, std::vector<int> shape) {
        param_state p;
        p.name = prefix + "." + suffix;
        p.data.assign(layers::element_count(shape), 0.0f);
        p.grad.assign(p.data.size(), 0.0f);
        p.shape = std::move(shape);
        params.push_back(std::move(p));
        return static_cast<int>(params.size() - 1);
    }
    float* data_of(int index) { return index < 0 ? nullptr : params[index].data.data(); }
    float* grad_of(int index) { return index < 0 ? nullptr : params[index].grad.data(); }

    void check_layer(std::size_t i) const {
        if (i >= layers.size())
            fail("layer", "expected an index below " + std::to_string(layers.size()) + ", got " +
                              std::to_string(i));
    }

    // Lays the buffers out for `n` examples. Vectors never shrink their capacity, so going
    // back to a smaller or equal batch allocates nothing.
    void prepare(int n, const float* x);

    layers::layer_call call_of(std::size_t i, const float* x) {
        const layers::layer_state& l = layers[i];
        return {batch,           i == 0 ? x : layers[i - 1].y.data(),
                l.y.data(),      data_of(l.weight),
                data_of(l.bias), training,
                &layers[i].memory};
    }

    // Floats of the parameters of layers [0, i): where layer i's gradients start in a slot.
    std::size_t floats_before(std::size_t i) const {
        return first_param[i] == params.size() ? param_floats : params[first_param[i]].offset;
    }

    // How the current batch runs: `slices` slices through layers [0, end), then the rest
    // whole. end == 0: every layer whole.
    struct slice_plan {
        std::size_t slices, end;
    };
    slice_plan plan() const;
    // The batch is checked against every layer before anything runs, so that a refusal leaves
    // the running statistics untouched.
    void check_training_batch() const;
    // x is (batch, input...). Fills every layer's y.
    void run_forward(const float* x);
    // x is (batch, input...), dy is (batch, output...) = dL/d(network output), and may be
    // grad_a but not grad_b. Overwrites every parameter gradient. Returns dL/dx in one of the
    // gradient buffers when want_dx, else nullptr (and skips the layers before the first
    // parameter).
    const float* run_backward(const float* x, const float* dy, bool want_dx);
    // Layer i's call for the examples of slice s.
    layers::layer_call slice_call(std::size_t i, const float* x, index_span s);
    // Backward through the sliced layers [0, p.end), dy = dL/d(output of layer end - 1), (batch,
    // ...), in none of `part`'s buffers. Each slice ping-pongs in its own rows of those two
    // buffers ([begin largest_size, end largest_size)), so none writes where another reads, and
    // writes its parameter gradients to its slot; the slots are then added into the
    // parameters' gradients. Returns dL/dx, (batch, input...), when want_dx.
    const float* backward_slices(const float* x, const float* dy, bool want_dx, slice_plan p,
                                 float* const part[2]);

    // Checks layer i (spec s) against its input shape `in`, fills its shapes and geometry,
    // and adds its parameters.
    void add_layer(std::size_t i, layer_spec s, const std::vector<int>& in);
    void add_state(layers::layer_state& l, const std::string& prefix);
    void init_layer(layers::layer_state& l, init_rng& rng, std::uint64_t seed, std::uint64_t& count);
};

}  // namespace convlab
