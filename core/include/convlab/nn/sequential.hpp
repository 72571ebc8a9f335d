// convlab/nn/sequential.hpp: a feed-forward network as a list of layers (conv2d, pooling,
// activations, flatten, dense), PyTorch nn.Sequential's parameter names and default
// initialisation from a seed, backward by the chain rule of eq. (1.5), and SGD with momentum
// exactly as torch.optim.SGD. One example's activations are (C, H, W) or (features).
// Left out: batch norm, dropout, residual connections, optimisers other than SGD.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "convlab/ops/conv2d.hpp"
#include "convlab/ops/loss.hpp"

namespace convlab {

// One layer as the user wrote it. A field a layer type does not use must keep its default
// (the constructor rejects e.g. a relu with `out`, which is almost certainly a typo).
struct layer_spec {
    std::string type;  // a row of convlab/nn/layer_kinds.inc
    int out = 0;       // conv2d: out channels; dense: out features
    int kernel_h = 0, kernel_w = 0;  // conv2d, pooling
    int stride_h = 0, stride_w = 0;  // 0: default (1 for conv2d, kernel for pooling)
    // conv2d; pooling pads both sides of an axis alike (top = bottom, left = right)
    int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
    int dilation_h = 0, dilation_w = 0;  // maxpool2d; 0: default 1
    bool ceil_mode = false;              // pooling: PyTorch's ceil_mode
    bool count_include_pad = true;       // avgpool2d: PyTorch's count_include_pad
    bool pad_same = false;  // conv2d padding 'same' (stride 1 only; pads must stay 0)
    bool bias = true;       // conv2d, dense
    conv2d_method method = conv2d_method::automatic;  // conv2d only
    // conv2d and convtranspose2d (which also read dilation_h / dilation_w); 0: default
    int groups = 0;                          // PyTorch's groups; 0: default 1
    int output_pad_h = 0, output_pad_w = 0;  // convtranspose2d: PyTorch's output_padding
};

struct parameter_view {
    std::string name;        // "<layer index>.weight" / "<layer index>.bias"
    std::vector<int> shape;  // conv weight (K, C, R, S), dense weight (out, in), bias (K)
    float* data;             // owned by the network; writable (setParameters copies into it)
    float* grad;             // same shape, overwritten by backward / vjp / train_step
    std::size_t size;
};

// One parameter's momentum buffer v (torch.optim.SGD's state[p]["momentum_buffer"]), named
// and shaped as its parameter. optimizer_state() returns views into the network;
// set_optimizer_state() reads views of the caller's memory.
struct optimizer_state_view {
    std::string name;        // as parameters()
    std::vector<int> shape;  // the parameter's
    const float* data;       // (shape...)
    std::size_t size;
};

struct train_options {
    loss_kind loss = loss_kind::softmax_cross_entropy;
    float lr = 0.01f;       // >= 0, finite ("lr")
    float momentum = 0.0f;  // >= 0, finite ("momentum")
};

struct step_result {
    double loss;      // mean over the batch, before the update
    double accuracy;  // fraction of the batch classified correctly (first maximum wins)
};

// Buffers the network owns for one batch of inputs and labels, so that a caller (the
// bindings) can write a batch in place and train on it without copying or allocating.
struct staging_view {
    float* x;                // (batch, input...)
    std::int32_t* labels;    // (batch)
    int batch;
};

class sequential {
  public:
    // input_shape is one example's shape: [C, H, W] for images or [features] for flat
    // inputs (conv2d and pooling layers then throw). Parameters are drawn from `seed` (see
    // nn/init.hpp): layer by layer, weight then bias. Every layer's output shape is computed
    // here; throws invalid_argument naming "layers", "layers[i].<field>" or "inputShape".
    sequential(std::vector<layer_spec> layers, std::vector<int> input_shape, std::uint64_t seed);
    ~sequential();
    sequential(const sequential&) = delete;
    sequential& operator=(const sequential&) = delete;

    const std::vector<int>& input_shape() const;
    const std::vector<int>& output_shape() const;
    std::size_t input_size() const;   // elements of one example
    std::size_t output_size() const;  // elements of one example's output
    std::size_t layer_count() const;
    // Layer i with defaults filled in (strides, 'same' resolved into pads). Throws "layer"
    // when i >= layer_count(), as do the other per-layer accessors.
    const layer_spec& layer(std::size_t i) const;
    // Shape of one example after layer i (for lessons that show every layer).
    const std::vector<int>& layer_output_shape(std::size_t i) const;

    // Views in layer order (weight before bias), valid for the network's lifetime.
    std::vector<parameter_view> parameters();
    std::size_t parameter_count() const;  // total number of scalars

    // x is (batch, input...). Returns a pointer to (batch, output...) valid until the next
    // call. Activations of every layer stay available through layer_output(). Buffers are
    // reused while the batch size does not grow, so steady-state training allocates nothing.
    const float* forward(const float* x, int batch);
    // Output of layer i from the last forward / backward / vjp / train_step,
    // (last_batch(), layer_output_shape(i)...). nullptr before the first call.
    const float* layer_output(std::size_t i) const;
    // Batch size of the last forward-type call; 0 before the first.
    int last_batch() const;
    // Forward, loss and backward; fills every parameter's grad (overwritten, not
    // accumulated). labels is (batch), class indices into the flattened output. Does not
    // update. The loss sees each example's output flattened to (output_size()).
    step_result backward(const float* x, const std::int32_t* labels, int batch, loss_kind loss);
    // Forward and loss without gradients: the mean loss, the accuracy, and each example's
    // predicted class (first maximum wins) written to predictions (batch) unless nullptr.
    step_result evaluate(const float* x, const std::int32_t* labels, int batch, loss_kind loss,
                         std::int32_t* predictions);
    // Staging buffers for `batch` examples. They grow when batch does (invalidating earlier
    // pointers) and are never shrunk, so the same or a smaller batch allocates nothing.
    staging_view staging(int batch);
    // Vector-Jacobian product: forward, then back-propagates grad_output (batch, output...)
    // instead of a loss gradient. Fills every parameter's grad with grad_output^T d y / d p
    // and returns grad_output^T d y / d x, (batch, input...), valid until the next call.
    // With a unit vector as grad_output this is one row of the Jacobian of eq. (1.3).
    const float* vjp(const float* x, int batch, const float* grad_output);
    // backward, then one SGD step with momentum (nn/sgd.hpp): v = momentum * v + g (v = g on
    // the first step), p -= lr * v. Returns the loss and accuracy before the update.
    step_result train_step(const float* x, const std::int32_t* labels, int batch,
                           const train_options& options);
    // Forgets the momentum buffers: the next step with momentum starts again from v = g.
    void reset_optimizer();
    // True once a step with momentum has run or set_optimizer_state() gave buffers, until
    // reset_optimizer() (steps without momentum change neither the flag nor the buffers).
    bool has_optimizer_state() const;
    // The momentum buffers in parameters() order, or none when !has_optimizer_state(). The
    // views point into the network: valid for its lifetime, their values change with every
    // step with momentum. Saved with the parameters, they let a run resume exactly.
    std::vector<optimizer_state_view> optimizer_state() const;
    // Copies the buffers in, as torch's optimizer.load_state_dict: every parameter exactly
    // once, matched by name (any order), with its shape and size; checked completely before
    // anything is written, throwing invalid_argument naming "list", "list[i].name",
    // "list[i].shape" or "list[i].data". The next step with momentum continues from them
    // (v = momentum * v + g, not v = g). An empty list is reset_optimizer().
    void set_optimizer_state(const std::vector<optimizer_state_view>& list);

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace convlab
