// tests/native/harness.hpp: what every op test shares. Seeded random tensors, comparison
// against a reference with the worst element reported, reference vectors produced by
// numpy / scipy / PyTorch (tests/fixtures, written by tests/fixtures/generate.py), and a
// double-precision central-difference gradient check.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "convlab/common.hpp"
#include "convlab/nn/init.hpp"

namespace harness {

// The core's splitmix64 (convlab/nn/init.hpp): the same numbers on every platform (std
// distributions differ between libstdc++ and libc++).
struct rng : convlab::init_rng {
    using init_rng::init_rng;
    // Uniform in [lo, hi).
    float uniform(float lo = -1.f, float hi = 1.f) {
        return lo + (hi - lo) * static_cast<float>((next() >> 40) * (1.0 / 16777216.0));
    }
};

inline std::vector<float> random_vector(std::size_t n, std::uint64_t seed, float lo = -1.f,
                                        float hi = 1.f) {
    rng r(seed);
    std::vector<float> v(n);
    for (auto& x : v) x = r.uniform(lo, hi);
    return v;
}

// Largest |a - b| divided by max(1e-6, largest |b|): the measure API.md's tolerances use.
inline double max_relative_error(const float* a, const float* b, std::size_t n) {
    double worst = 0, scale = 1e-6;
    for (std::size_t i = 0; i < n; ++i) {
        worst = std::fmax(worst, std::fabs(double(a[i]) - double(b[i])));
        scale = std::fmax(scale, std::fabs(double(b[i])));
    }
    return worst / scale;
}

// CHECKs that `got` matches `want` within `tol` relative to want's largest magnitude, and on
// failure prints `what` (the case's parameters) and the worst index.
inline void check_close(const std::vector<float>& got, const std::vector<float>& want, double tol,
                        const std::string& what) {
    INFO(what);
    REQUIRE(got.size() == want.size());
    double scale = 1e-6;
    for (float w : want) scale = std::fmax(scale, std::fabs(double(w)));
    std::size_t worst_i = 0;
    double worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
        double d = std::fabs(double(got[i]) - double(want[i]));
        if (!(d <= worst)) { worst = d; worst_i = i; }  // catches NaN too
    }
    INFO("worst index " << worst_i << ": got " << (got.empty() ? 0.f : got[worst_i]) << ", want "
                        << (want.empty() ? 0.f : want[worst_i]) << ", scale " << scale);
    CHECK(worst / scale <= tol);
}

// A fixture file is lines "key: v1 v2 ...". Numbers only; keys are free text without ':'.
using fixture = std::map<std::string, std::vector<double>>;

inline std::vector<fixture> load_fixtures(const std::string& file) {
    std::ifstream in(std::string(CONVLAB_FIXTURES_DIR) + "/" + file);
    REQUIRE_MESSAGE(in.good(), "missing fixture file " << file);
    std::vector<fixture> cases;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (line == "---") { cases.emplace_back(); continue; }
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        if (cases.empty()) cases.emplace_back();
        std::istringstream values(line.substr(colon + 1));
        std::vector<double> v;
        std::string tok;
        while (values >> tok) v.push_back(std::stod(tok));
        cases.back()[line.substr(0, colon)] = std::move(v);
    }
    return cases;
}

inline std::vector<float> as_float(const std::vector<double>& v) {
    return std::vector<float>(v.begin(), v.end());
}

// Central differences in double precision: d loss / d p[i] ~ (L(p + e) - L(p - e)) / 2e for
// every i, where loss() evaluates the scalar loss in double at the current parameters.
// The loss is evaluated on the float parameters perturbed in place and restored.
inline std::vector<double> numeric_gradient(std::vector<float>& p,
                                            const std::function<double()>& loss, float eps) {
    std::vector<double> g(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
        const float saved = p[i];
        p[i] = saved + eps;
        const double up = loss();
        const double h1 = double(p[i]) - double(saved);
        p[i] = saved - eps;
        const double down = loss();
        const double h2 = double(saved) - double(p[i]);
        p[i] = saved;
        g[i] = (up - down) / (h1 + h2);
    }
    return g;
}

// What f throws as convlab::invalid_argument ("<argument>: <expected>"), or "(no error)".
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const convlab::invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace harness
