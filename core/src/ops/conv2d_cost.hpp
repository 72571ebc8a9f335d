// conv2d_cost.hpp: the cost model behind conv2d's 'automatic' (not public). The counts are
// defined once, here and in conv2d_cost.cpp: the model multiplies them by the fitted costs of
// conv2d_cost_coefficients.inc, and bench/calibrate/conv2d/fit.py reads the same counts (through
// bench/calibrate/conv2d/counts.cpp) to fit those costs.
#pragma once

#include <array>
#include <cstddef>

#include "convlab/ops/conv2d.hpp"

namespace convlab {

enum class conv2d_pass { forward, input, weight };

// The most terms any (method, pass) has.
constexpr std::size_t conv2d_cost_terms = 6;

// The counted operations of one method (direct, im2col or fft) and pass; the predicted time
// in nanoseconds is their dot product with that (method, pass)'s costs. Unused terms are 0.
std::array<double, conv2d_cost_terms> conv2d_cost_counts(const conv2d_geometry& g,
                                                         conv2d_method method, conv2d_pass pass);

}  // namespace convlab
