// tests/native/conv_ext_harness.hpp: what the tests of dilation, groups and the transposed
// convolution share (their fixtures come from tests/fixtures/conv-ext/generate.py).
#pragma once

#include <string>
#include <vector>

#include "convlab/ops/conv2d.hpp"
#include "harness.hpp"

namespace conv_ext {

// Every method of the registry, then 'auto'.
inline const std::vector<convlab::conv2d_method> all_methods = {
#define CONVLAB_CONV2D_VARIANT(id, name) convlab::conv2d_method::id,
#include "convlab/ops/conv2d_variants.inc"
#undef CONVLAB_CONV2D_VARIANT
    convlab::conv2d_method::automatic,
};

// The case's "name <what it tests>" key.
inline std::string case_name(const harness::fixture& f) {
    for (const auto& [key, values] : f)
        if (key.rfind("name ", 0) == 0) return key.substr(5);
    return "?";
}

// What one run of an op writes, each compared with the fixture's y, dx, dw and db (db only
// when the case has one).
struct outputs {
    std::vector<float> y, dx, dw, db;
};

// Runs `run(method, ref)` -> outputs for every method, 'auto' and the plain-loop reference
// (ref true), and checks each against the fixture f to 1e-4.
template <class Run>
void check_every_variant(const harness::fixture& f, Run run) {
    for (std::size_t variant = 0; variant <= all_methods.size(); ++variant) {
        const bool ref = variant == all_methods.size();
        const convlab::conv2d_method m = ref ? convlab::conv2d_method::automatic : all_methods[variant];
        const std::string what = case_name(f) + " " + (ref ? "ref" : convlab::conv2d_method_name(m));
        const outputs r = run(m, ref);
        harness::check_close(r.y, harness::as_float(f.at("y")), 1e-4, what + " y");
        harness::check_close(r.dx, harness::as_float(f.at("dx")), 1e-4, what + " dx");
        harness::check_close(r.dw, harness::as_float(f.at("dw")), 1e-4, what + " dw");
        if (f.count("db")) harness::check_close(r.db, harness::as_float(f.at("db")), 1e-4, what + " db");
    }
}

}  // namespace conv_ext
