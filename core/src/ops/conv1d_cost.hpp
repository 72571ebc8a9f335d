// conv1d_cost.hpp: the counts behind conv1d's 'auto' cost model (not public), defined once for
// the model (conv1d_cost.cpp) and the calibration driver (bench/calibrate/conv1d/bench.cpp),
// whose output bench/calibrate/conv1d/fit.py fits into conv1d_cost_coefficients.inc.
#pragma once

#include <cstddef>

namespace convlab {

// For a signal of length n and a kernel of length m (k = min(n, m), N = max(n, m)): the units
// each method's time scales with, and the samples every method copies and writes.
struct conv1d_cost_counts {
    double direct;    // N k multiply-adds (the edges skip zero taps)
    double toeplitz;  // (N + k) (D + 1) B: the Toeplitz product's taps, zeros of the band included
    double fft;       // conv1d_fft_make_plan's work units
    double points;    // N + k: copies, allocation, writing the result
};
conv1d_cost_counts conv1d_count_costs(std::size_t n, std::size_t m);

}  // namespace convlab
