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

}  // namespace conv_ext
