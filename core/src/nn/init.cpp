// nn/init.cpp: PyTorch's default parameter distribution from a platform-independent
// generator (see nn/init.hpp for why no std:: distribution is used).
#include "convlab/nn/init.hpp"

#include <cmath>

namespace convlab {

float default_init_bound(std::size_t fan_in) {
    return static_cast<float>(1.0 / std::sqrt(static_cast<double>(fan_in)));
}

void init_uniform(init_rng& rng, float* p, std::size_t n, float bound) {
    for (std::size_t i = 0; i < n; ++i) p[i] = bound * rng.symmetric_unit();
}

}  // namespace convlab
