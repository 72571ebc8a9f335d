// nn/sgd.cpp: torch.optim.SGD's update, written as its two separate tensor operations
// (buf.mul_(momentum).add_(g), then p.add_(buf, alpha=-lr)) so the roundings match.
#include "convlab/nn/sgd.hpp"

namespace convlab {

void sgd_step(float* p, const float* g, float* v, std::size_t n, float lr, float momentum,
              bool first) {
    if (momentum == 0.0f) {
        for (std::size_t i = 0; i < n; ++i) p[i] -= lr * g[i];
        return;
    }
    if (first) {
        for (std::size_t i = 0; i < n; ++i) v[i] = g[i];
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            const float decayed = momentum * v[i];
            v[i] = decayed + g[i];
        }
    }
    for (std::size_t i = 0; i < n; ++i) p[i] -= lr * v[i];
}

}  // namespace convlab
