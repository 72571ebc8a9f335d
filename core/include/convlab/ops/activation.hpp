// convlab/ops/activation.hpp: the scalar non-linearities of the detector stage, applied
// element-wise, forward and backward side by side.
#pragma once

#include <cstddef>
#include <string_view>

namespace convlab {

enum class activation { relu, sigmoid, tanh };

activation activation_from_name(std::string_view name, const char* argument = "type");

// x, y are (n). y = act(x).
void activation_forward(activation a, const float* x, float* y, std::size_t n);
// x, y (the forward output), dy, dx are (n). dx = act'(x) * dy. relu'(0) = 0 as in PyTorch.
void activation_backward(activation a, const float* x, const float* y, const float* dy, float* dx,
                         std::size_t n);

}  // namespace convlab
