// nn/sgd.cpp: torch.optim.SGD's update, written as its two separate tensor operations
// (buf.mul_(momentum).add_(g), then p.add_(buf, alpha=-lr)) so the roundings match.
#include "convlab/nn/sgd.hpp"

#include "convlab/parallel.hpp"

namespace convlab {

void sgd_step(float* p, const float* g, float* v, std::size_t n, float lr, float momentum,
              bool first) {
    // One pass over each element (v, then p from the v just computed: the same operations in
    // the same order as the two tensor operations), in the pool's element ranges.
    parallel_ranges(n, 1, [&](std::size_t begin, std::size_t end) {
        if (momentum == 0.0f) {
            for (std::size_t i = begin; i < end; ++i) p[i] -= lr * g[i];
            return;
        }
        for (std::size_t i = begin; i < end; ++i) {
            float vi = g[i];
            if (!first) {
                const float decayed = momentum * v[i];
                vi = decayed + g[i];
            }
            v[i] = vi;
            p[i] -= lr * vi;
        }
    });
}

}  // namespace convlab
