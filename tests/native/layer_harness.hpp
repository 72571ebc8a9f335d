// tests/native/layer_harness.hpp: what the tests of the layer kinds share: their torch
// fixtures (tests/fixtures/layers_*.txt, written by generate_layers.py), one layer run as a network
// (output, dL/dx and parameter gradients of L = sum(dy * y) through vjp), and parameters or
// buffers written by name.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "convlab/common.hpp"
#include "convlab/nn/sequential.hpp"
#include "harness.hpp"

namespace harness {

// The message of the invalid_argument that building the network throws, "(no error)" if none.
inline std::string build_error(const std::vector<convlab::layer_spec>& layers, std::vector<int> input_shape) {
    try {
        convlab::sequential net(layers, std::move(input_shape), 0);
    } catch (const convlab::invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}

inline std::vector<fixture> layer_fixtures(const std::string& kind) {
    return load_fixtures("layers_" + kind + ".txt");
}

// The fixture's config starts with the (N, shape...) of x: `dims` numbers.
inline std::vector<int> example_shape(const fixture& f, std::size_t dims) {
    const auto& c = f.at("config");
    return std::vector<int>(c.begin() + 1, c.begin() + static_cast<long>(dims));
}

inline void write_tensor(convlab::sequential& net, const std::string& name,
                         const std::vector<double>& values) {
    for (auto& p : net.parameters())
        if (p.name == name) {
            REQUIRE(p.size == values.size());
            std::copy(values.begin(), values.end(), p.data);
            return;
        }
    FAIL("no parameter " << name);
}

struct layer_result {
    std::vector<float> y, dx, dweight, dbias;
};

// One vjp: y is the forward output of that same call, dweight / dbias the parameter
// gradients (empty without parameters).
inline layer_result run_vjp(convlab::sequential& net, const std::vector<float>& x, int batch,
                            const std::vector<float>& dy) {
    layer_result r;
    const float* dx = net.vjp(x.data(), batch, dy.data());
    r.dx.assign(dx, dx + x.size());
    const float* y = net.layer_output(net.layer_count() - 1);
    r.y.assign(y, y + dy.size());
    for (auto& p : net.parameters())
        (p.name.find("weight") != std::string::npos ? r.dweight : r.dbias).assign(p.grad, p.grad + p.size);
    return r;
}

inline std::vector<float> buffer(const convlab::sequential& net, const std::string& name) {
    for (const auto& b : net.buffers())
        if (b.name == name) return std::vector<float>(b.data, b.data + b.size);
    FAIL("no buffer " << name);
    return {};
}

}  // namespace harness
