// fuzz_common.hpp: what the harnesses share. Inputs are decoded with libFuzzer's
// FuzzedDataProvider into sizes and options (small, so each run is quick, with rare extreme
// values where the arithmetic is at stake) and data in [-1, 1]. An op may refuse what it is
// given, but only by throwing convlab::invalid_argument: anything else escapes the harness
// and libFuzzer reports it, as it does every sanitizer finding and every failed comparison.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "convlab/common.hpp"

namespace fuzz {

// Data in [-1, 1] on a grid of 1/2^14 (so ties occur), or, when `specials`, sometimes NaN,
// +-inf or 0.
inline std::vector<float> floats(FuzzedDataProvider& in, std::size_t n, bool specials = false) {
    std::vector<float> v(n);
    for (auto& x : v) {
        const int q = in.ConsumeIntegralInRange<int>(-16384, 16384);
        x = float(q) / 16384.f;
        if (specials && q % 97 == 0) x = q % 3 == 0 ? NAN : q % 3 == 1 ? INFINITY : -INFINITY;
    }
    return v;
}

// A size in [lo, hi], or rarely one of the extremes that overflowed 32-bit products.
inline int size_or_extreme(FuzzedDataProvider& in, int lo, int hi) {
    static const int extremes[] = {
        1 << 30, (1 << 30) + 1, (1 << 23) + 1, 1 << 20, 16384, 2048, 0x7fffffff, -1, 0};
    if (in.ConsumeIntegralInRange<int>(0, 15) == 0)
        return extremes[in.ConsumeIntegralInRange<int>(0, sizeof extremes / sizeof *extremes - 1)];
    return in.ConsumeIntegralInRange<int>(lo, hi);
}

// |got - want| <= tolerance at every index (NaN must match NaN, an infinity itself).
inline void expect_close(const std::vector<float>& got, const std::vector<float>& want,
                         double tolerance, const char* what) {
    if (got.size() != want.size()) {
        std::fprintf(stderr, "%s: size %zu, expected %zu\n", what, got.size(), want.size());
        std::abort();
    }
    for (std::size_t i = 0; i < got.size(); ++i) {
        const bool ok = std::isnan(want[i]) ? std::isnan(got[i])
                        : std::isinf(want[i])
                            ? got[i] == want[i]
                            : std::fabs(double(got[i]) - double(want[i])) <= tolerance;
        if (!ok) {
            std::fprintf(stderr, "%s: index %zu: got %.9g, expected %.9g (tolerance %g)\n", what, i,
                         double(got[i]), double(want[i]), tolerance);
            std::abort();
        }
    }
}

// The unit tests' relative measure: tol times the larger of 1 and the largest finite |want|
// (the inputs are of magnitude 1).
inline double relative(const std::vector<float>& want, double tol) {
    double scale = 1;
    for (float w : want)
        if (std::isfinite(w)) scale = std::fmax(scale, std::fabs(double(w)));
    return tol * scale;
}

// Runs f; a refusal (convlab::invalid_argument) returns false, anything else escapes.
template <class F>
bool accepted(F f) {
    try {
        f();
        return true;
    } catch (const convlab::invalid_argument&) {
        return false;
    }
}

}  // namespace fuzz
