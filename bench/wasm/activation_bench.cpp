// activation_bench.cpp: elements per nanosecond of activation_forward / _backward (xsimd)
// against a plain scalar loop (std::exp / std::tanh), to check that vectorising pays in the
// WebAssembly build. Timed in process CPU time, best of many runs. Not a test.
#include <cmath>
#include <cstdio>
#include <vector>

#include "convlab/ops/activation.hpp"
#include "cpu_time.hpp"

namespace {

using forward_fn = void (*)(convlab::activation, const float*, float*, std::size_t);

__attribute__((noinline)) void scalar_forward(convlab::activation a, const float* x, float* y,
                                              std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
        y[i] = a == convlab::activation::relu      ? (x[i] < 0.f ? 0.f : x[i])
               : a == convlab::activation::sigmoid ? 1.f / (1.f + std::exp(-x[i]))
                                                   : std::tanh(x[i]);
}

// Through volatile pointers, so that V8 tiers each up (see gemm_bench.cpp).
volatile forward_fn fast_ptr = &convlab::activation_forward;
volatile forward_fn scalar_ptr = &scalar_forward;

double rate(forward_fn f, convlab::activation a, const std::vector<float>& x, std::vector<float>& y) {
    double best = 0;
    for (int rep = 0; rep < 30; ++rep) {
        const double t0 = cpu_seconds();
        long calls = 0;
        double s = 0;
        do {
            f(a, x.data(), y.data(), x.size());
            ++calls;
            s = cpu_seconds() - t0;
        } while (s < 0.01);
        best = std::fmax(best, double(x.size()) * calls / s * 1e-9);
    }
    return best;
}

}  // namespace

int main() {
    std::vector<float> x(6 * 28 * 28 * 8), y(x.size());  // LeNet conv1 output, batch 8
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(int(i % 200) - 100) * 0.05f;
    const char* names[] = {"relu", "sigmoid", "tanh"};
    for (auto a : {convlab::activation::relu, convlab::activation::sigmoid,
                   convlab::activation::tanh}) {
        const double fast = rate(fast_ptr, a, x, y), scalar = rate(scalar_ptr, a, x, y);
        std::printf("%-8s xsimd %5.2f  scalar %5.2f  elements/ns  (y[3]=%g)\n", names[int(a)], fast,
                    scalar, y[3]);
    }
}
