// convlab/nn/sgd.hpp: one step of stochastic gradient descent (eq. 1.2) with momentum,
// exactly as torch.optim.SGD with dampening 0, no weight decay and no Nesterov (left out).
#pragma once

#include <cstddef>

namespace convlab {

// p, g, v are (n). With momentum == 0: p -= lr * g, v untouched (may be nullptr).
// Otherwise v = g on the first step (first == true) and v = momentum * v + g after, then
// p -= lr * v. v is the optimiser's state, kept between steps by the caller.
void sgd_step(float* p, const float* g, float* v, std::size_t n, float lr, float momentum,
              bool first);

}  // namespace convlab
