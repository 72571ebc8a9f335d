// convlab/ops/dense.hpp: the fully connected layer y = W x + b of PyTorch's Linear,
// forward and backward side by side, on a batch.
#pragma once

#include <cstddef>

namespace convlab {

// x is (B, I), w is (O, I), b is (O) or nullptr, y is (B, O).
void dense_forward(const float* x, const float* w, const float* b, float* y, std::size_t B,
                   std::size_t I, std::size_t O);
// dy is (B, O). Writes dx (B, I), dw (O, I), db (O); any may be nullptr. Overwrites.
void dense_backward(const float* x, const float* w, const float* dy, float* dx, float* dw,
                    float* db, std::size_t B, std::size_t I, std::size_t O);

void dense_forward_ref(const float* x, const float* w, const float* b, float* y, std::size_t B,
                       std::size_t I, std::size_t O);

}  // namespace convlab
