// convlab/nn/reference.hpp: plain-loop, double-accumulating versions of the element-wise and
// per-example ops a network runs (activations, losses, dense backward), to test the fast ones
// against. Same signatures and contracts as their ops/ counterparts.
#pragma once

#include <cstddef>
#include <cstdint>

#include "convlab/ops/activation.hpp"
#include "convlab/ops/loss.hpp"

namespace convlab {

void activation_forward_ref(activation a, const float* x, float* y, std::size_t n);
// dx = act'(x) * dy, from x alone (relu'(0) = 0), not from the forward output.
void activation_backward_ref(activation a, const float* x, const float* dy, float* dx,
                             std::size_t n);
// The mean loss and the gradient of that mean (dlogits may be nullptr), in double throughout.
loss_result loss_forward_backward_ref(loss_kind kind, const float* logits,
                                      const std::int32_t* labels, std::size_t B,
                                      std::size_t classes, float* dlogits);
// x is (B, I), w is (O, I), dy is (B, O); dx (B, I), dw (O, I), db (O) overwritten.
void dense_backward_ref(const float* x, const float* w, const float* dy, float* dx, float* dw,
                        float* db, std::size_t B, std::size_t I, std::size_t O);

}  // namespace convlab
