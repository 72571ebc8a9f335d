// convlab/nn/sequential.hpp: a feed-forward network as a list of layers (conv2d, pooling,
// activations, batch norm, dropout, flatten, dense, ...: layer_kinds.inc), PyTorch
// nn.Sequential's parameter and buffer names and default initialisation from a seed, torch's
// train / eval modes, backward by the chain rule of eq. (1.5), and torch.optim's SGD, Adam,
// AdamW and RMSprop (nn/optimizer.hpp). One example's activations are (C, H, W) or
// (features). A residual block holds a sub-list of layers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "convlab/nn/optimizer.hpp"
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
    // The layers with statistics or randomness, with torch's defaults.
    double eps = 1e-5;             // batchnorm2d / batchnorm1d: added to the variance
    double momentum = 0.1;         // batchnorm: running = (1 - momentum) running + momentum batch
    double p = 0.5;                // dropout: probability of zeroing an element, in [0, 1)
    double negative_slope = 0.01;  // leakyrelu: the slope for x < 0
    // residual: the sub-network f of y = x + f(x), whose output shape must equal its input's.
    std::vector<layer_spec> layers;
    // conv2d and convtranspose2d (which also read dilation_h / dilation_w); 0: default
    int groups = 0;                          // PyTorch's groups; 0: default 1
    int output_pad_h = 0, output_pad_w = 0;  // convtranspose2d: PyTorch's output_padding
};

struct parameter_view {
    std::string name;        // "<layer index>.weight" / "<layer index>.bias"; inside a residual
                             // block "<i>.layers.<j>.weight" (torch's names for a module whose
                             // sub-network is an nn.Sequential attribute named layers)
    std::vector<int> shape;  // conv weight (K, C, R, S), dense weight (out, in), bias (K)
    float* data;             // owned by the network; writable (setParameters copies into it)
    float* grad;             // same shape, overwritten by backward / vjp / train_step
    std::size_t size;
};

// A non-trainable tensor (batch norm's running_mean, running_var, num_batches_tracked), named
// "<layer index>.<name>" as in torch's state_dict. buffers() returns views into the network;
// set_buffers() reads views of the caller's memory.
struct buffer_view {
    std::string name;
    std::vector<int> shape;  // {} for num_batches_tracked (a scalar, one element)
    const float* data;       // (shape...)
    std::size_t size;
};

// The loss and the optimiser (convlab/nn/optimizer.hpp) of one train_step.
struct train_options : optimizer_options {
    loss_kind loss = loss_kind::softmax_cross_entropy;
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

    // torch's module.train() / module.eval(); a network starts in training mode. Training:
    // batch norm normalises with the batch's statistics and updates its running ones on every
    // forward-type call (forward, backward, evaluate, vjp, train_step), dropout zeroes. Eval:
    // batch norm uses the running statistics, dropout is the identity. backward, vjp and
    // train_step in eval mode differentiate the eval-mode function, as torch does.
    void set_training(bool training);
    bool training() const;
    // The buffers in layer order, valid for the network's lifetime (their values change with
    // every training-mode forward). num_batches_tracked is stored as a float: exact up to 2^24.
    std::vector<buffer_view> buffers() const;
    // Copies the buffers in, as torch's load_state_dict does for them: every buffer exactly
    // once, matched by name (any order), with its shape and size; checked completely before
    // anything is written, throwing invalid_argument naming "list", "list[i].name",
    // "list[i].shape" or "list[i].data".
    void set_buffers(const std::vector<buffer_view>& list);

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
    // backward, then one step of options.optimizer (nn/optimizer.hpp) on every parameter.
    // The options are checked first (invalid_argument naming the option, e.g. "betas"); a
    // step with another optimiser than the one whose state the network holds is refused
    // ("optimizer") until reset_optimizer(). Returns the loss and accuracy before the update.
    step_result train_step(const float* x, const std::int32_t* labels, int batch,
                           const train_options& options);
    // Forgets the optimiser state (torch's optimizer.state): the next step starts afresh
    // (SGD: v = g; Adam: step 1 with zero moments).
    void reset_optimizer();
    // True once a step has created optimiser state (SGD: a step with momentum) or
    // set_optimizer_state() gave it, until reset_optimizer(). SGD steps without momentum
    // change neither the flag nor the buffers.
    bool has_optimizer_state() const;
    // The state as named tensors (optimizer::views: SGD's momentum buffers named as
    // their parameters; Adam's, AdamW's and RMSprop's "<optimizer>.step" then
    // "<parameter>.<slot>"), or none when !has_optimizer_state(). The views point into the
    // network: valid until the next step, reset or set. Saved with the parameters, they let a
    // run resume exactly.
    std::vector<optimizer_state_view> optimizer_state() const;
    // Copies a list of that form in, as torch's optimizer.load_state_dict: every tensor
    // exactly once, matched by name (any order), with its shape and size; checked completely
    // before anything is written, throwing invalid_argument naming "list", "list[i].name",
    // "list[i].shape" or "list[i].data". The next step continues from it (SGD:
    // v = momentum * v + g, not v = g). An empty list is reset_optimizer().
    void set_optimizer_state(const std::vector<optimizer_state_view>& list);

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace convlab
