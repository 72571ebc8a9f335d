// convlab/nn/sgd.hpp: one step of stochastic gradient descent (eq. 1.2) with momentum, as
// torch.optim.SGD with dampening 0, no weight decay and no Nesterov. train_step uses it for
// exactly those options, so that runs keep the numbers they always had (it rounds lr * v
// before subtracting, where torch fuses the two); nn/optimizer.hpp's sgd_update does the rest.
#pragma once

#include <cstddef>

namespace convlab {

// p, g, v are (n). With momentum == 0: p -= lr * g, v untouched (may be nullptr).
// Otherwise v = g on the first step (first == true) and v = momentum * v + g after, then
// p -= lr * v. v is the optimiser's state, kept between steps by the caller.
void sgd_step(float* p, const float* g, float* v, std::size_t n, float lr, float momentum,
              bool first);

}  // namespace convlab
