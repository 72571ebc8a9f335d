// tests/native/nn_harness.hpp: what the network tests share: a layer spec in one line, and a
// network's parameter gradients checked against double-precision central differences.
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "convlab/nn/sequential.hpp"
#include "harness.hpp"

namespace harness {

inline convlab::layer_spec make(const char* type, int out = 0, int kernel = 0) {
    convlab::layer_spec s;
    s.type = type;
    s.out = out;
    s.kernel_h = s.kernel_w = kernel;
    return s;
}

// Every parameter's grad, as the last backward left it, against central differences of
// loss() (which runs the network at its current parameters), to `tol` relative to the
// largest gradient of each tensor. Parameters are restored afterwards.
inline void check_parameter_gradients(convlab::sequential& net, const std::function<double()>& loss,
                                      float eps, double tol, const std::string& what) {
    for (auto& p : net.parameters()) {
        const std::vector<float> analytic(p.grad, p.grad + p.size);
        std::vector<float> values(p.data, p.data + p.size);
        const auto numeric = numeric_gradient(
            values,
            [&] {
                std::copy(values.begin(), values.end(), p.data);
                return loss();
            },
            eps);
        std::copy(values.begin(), values.end(), p.data);
        check_close(analytic, std::vector<float>(numeric.begin(), numeric.end()), tol,
                    what + " " + p.name);
    }
}

}  // namespace harness
