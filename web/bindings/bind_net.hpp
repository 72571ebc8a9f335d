// bind_net.hpp: one network behind the JS Network class (bind_net.cpp).
#pragma once

#include <memory>

#include "bind_common.hpp"
#include "convlab/nn/sequential.hpp"

namespace bind {

// Created empty so that construction errors come back as values from init() (an Embind
// constructor could only throw them).
class net_handle {
public:
    // layers: an array of the caller's layer objects; options: { inputShape, seed }.
    val init(val layers, val options);

    val output_shape() const { return int_array(net_->output_shape()); }
    val input_shape() const { return int_array(net_->input_shape()); }
    int input_size() const { return static_cast<int>(net_->input_size()); }
    int output_size() const { return static_cast<int>(net_->output_size()); }
    int layer_count() const { return static_cast<int>(net_->layer_count()); }
    val layer_output_shape(int i) const { return int_array(net_->layer_output_shape(i)); }
    std::string layer_type(int i) const { return net_->layer(i).type; }

    // [{ name, shape, data, grad, size }] with data/grad heap addresses owned by the network.
    val parameters();
    // [{ name, shape, data, size }] momentum buffers, [] while there are none.
    val optimizer_state() const;
    // list: [{ name, shape, data, size }] with data the heap address of `size` floats.
    val set_optimizer_state(val list);
    // torch's train() / eval() and module.training.
    void set_training(bool training) { net_->set_training(training); }
    bool training() const { return net_->training(); }
    // [{ name, shape, data, size }] batch norm's running statistics, data heap addresses.
    val buffers() const;
    // list: [{ name, shape, data, size }] as set_optimizer_state's.
    val set_buffers(val list);

    // Every array is (address, count); batch is the caller's value (undefined: inferred from
    // x's count). The counts are checked here against the network's shapes.
    val forward(address x, double nx, val batch);
    val layer_output(val index);
    val backward(address x, double nx, address labels, double nl, val batch, val options);
    val train_step(address x, double nx, address labels, double nl, val batch, val options);
    // { loss, accuracy, predictions: Int32Array } without gradients.
    val evaluate(address x, double nx, address labels, double nl, val batch, val options);
    val vjp(address x, double nx, val batch, address dy, double ndy);
    // { x, labels, batch } heap addresses of the network's staging buffers for `batch`.
    val staging(val batch);
    void reset_optimizer() { net_->reset_optimizer(); }

private:
    int batch_of(double nx, const val& batch) const;
    void require_labels(double nl, int batch) const;
    template <class Read, class Step>
    val labelled(double nx, double nl, const val& batch, const val& options, Read read, Step step);

    std::unique_ptr<convlab::sequential> net_;
};

}  // namespace bind
