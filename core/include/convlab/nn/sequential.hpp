// convlab/nn/sequential.hpp: a feed-forward network as a list of layers (conv2d, pooling,
// activations, flatten, dense), PyTorch nn.Sequential's parameter names and default
// initialisation from a seed, backward by the chain rule of eq. (1.5), and SGD with momentum
// exactly as torch.optim.SGD. One example's activations are (C, H, W) or (features).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "convlab/ops/conv2d.hpp"
#include "convlab/ops/loss.hpp"

namespace convlab {

struct layer_spec {
    std::string type;         // conv2d | relu | sigmoid | tanh | maxpool2d | avgpool2d | flatten | dense
    int out = 0;              // conv2d: out channels; dense: out features
    int kernel_h = 0, kernel_w = 0;
    int stride_h = 0, stride_w = 0;           // 0: default (1 for conv2d, kernel for pooling)
    int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
    bool pad_same = false;    // conv2d padding 'same' (stride 1 only)
    bool bias = true;
    conv2d_method method = conv2d_method::automatic;
};

struct parameter_view {
    std::string name;         // "<layer index>.weight" / "<layer index>.bias"
    std::vector<int> shape;
    float* data;              // owned by the network
    float* grad;              // same shape, filled by backward
    std::size_t size;
};

struct train_options {
    loss_kind loss = loss_kind::softmax_cross_entropy;
    float lr = 0.01f;
    float momentum = 0.0f;
};

struct step_result {
    double loss;
    double accuracy;          // fraction of the batch classified correctly
};

class sequential {
public:
    // input_shape is (C, H, W) for images or (features, 1, 1)... use input_dims to give 1 or 3
    // dims. Throws invalid_argument naming "layers[i].<field>" or "inputShape".
    sequential(std::vector<layer_spec> layers, std::vector<int> input_shape, std::uint64_t seed);
    ~sequential();
    sequential(const sequential&) = delete;
    sequential& operator=(const sequential&) = delete;

    const std::vector<int>& output_shape() const;
    std::size_t input_size() const;   // elements of one example
    std::size_t output_size() const;  // elements of one example's output
    std::size_t layer_count() const;
    // Shape of one example after layer i (for lessons that show every layer).
    const std::vector<int>& layer_output_shape(std::size_t i) const;

    std::vector<parameter_view> parameters();
    // x is (batch, input...). Returns a pointer to (batch, output...) valid until the next
    // call. Activations of every layer stay available through layer_output().
    const float* forward(const float* x, int batch);
    // Output of layer i from the last forward, (batch, layer_output_shape(i)...).
    const float* layer_output(std::size_t i) const;
    // Forward, loss and backward; fills every parameter's grad. Does not update.
    step_result backward(const float* x, const std::int32_t* labels, int batch, loss_kind loss);
    // backward, then one SGD step with momentum: v = momentum * v + g (v = g on the first
    // step), p -= lr * v.
    step_result train_step(const float* x, const std::int32_t* labels, int batch,
                           const train_options& options);
    // Forgets the momentum buffers.
    void reset_optimizer();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace convlab
