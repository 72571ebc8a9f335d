// activation.cpp: relu, sigmoid and tanh applied element-wise, forward and backward side by
// side, vectorised with xsimd (a batch::size main loop and a scalar tail). The backward pass
// of sigmoid and tanh uses the forward output y, as autograd does; relu's uses x.
#include "convlab/ops/activation.hpp"

#include <xsimd/xsimd.hpp>

#include <cmath>
#include <string>

#include "convlab/common.hpp"

namespace convlab {

activation activation_from_name(std::string_view name, const char* argument) {
    if (name == "relu") return activation::relu;
    if (name == "sigmoid") return activation::sigmoid;
    if (name == "tanh") return activation::tanh;
    fail(argument, "expected 'relu', 'sigmoid' or 'tanh', got '" + std::string(name) + "'");
}

namespace {

// As in gemm.cpp: AVX2 natively where present (xsimd's AVX-512 math trips GCC 12's
// maybe-uninitialized warnings, and is no faster on parts that split 512-bit ops); under
// Emscripten the SSE2 arch, i.e. WebAssembly SIMD128.
#if XSIMD_WITH_FMA3_AVX2
using kernel_arch = xsimd::fma3<xsimd::avx2>;
#else
using kernel_arch = xsimd::default_arch;
#endif

// relu keeps NaN (x < 0 is false for it), as torch.relu does.
template <class T>
T relu_of(const T& x) {
    return xsimd::select(x < T(0.f), T(0.f), x);
}
inline float relu_of(float x) { return x < 0.f ? 0.f : x; }

// 1 / (1 + e^-x): for x very negative e^-x is inf and the quotient 0, never NaN.
template <class T>
T sigmoid_of(const T& x) {
    return T(1.f) / (T(1.f) + xsimd::exp(-x));
}
inline float sigmoid_of(float x) { return 1.f / (1.f + std::exp(-x)); }

template <class Arch>
void forward(activation a, const float* x, float* y, std::size_t n) {
    using batch = xsimd::batch<float, Arch>;
    constexpr std::size_t W = batch::size;
    const std::size_t main = n - n % W;
    std::size_t i = 0;
    switch (a) {
        case activation::relu:
            for (; i < main; i += W) relu_of(batch::load_unaligned(x + i)).store_unaligned(y + i);
            for (; i < n; ++i) y[i] = relu_of(x[i]);
            break;
        case activation::sigmoid:
            for (; i < main; i += W)
                sigmoid_of(batch::load_unaligned(x + i)).store_unaligned(y + i);
            for (; i < n; ++i) y[i] = sigmoid_of(x[i]);
            break;
        case activation::tanh:
            for (; i < main; i += W) xsimd::tanh(batch::load_unaligned(x + i)).store_unaligned(y + i);
            for (; i < n; ++i) y[i] = std::tanh(x[i]);
            break;
    }
}

template <class Arch>
void backward(activation a, const float* x, const float* y, const float* dy, float* dx,
              std::size_t n) {
    using batch = xsimd::batch<float, Arch>;
    constexpr std::size_t W = batch::size;
    const std::size_t main = n - n % W;
    std::size_t i = 0;
    switch (a) {
        case activation::relu:
            // relu'(0) = 0, as in PyTorch.
            for (; i < main; i += W) {
                const batch xv = batch::load_unaligned(x + i);
                xsimd::select(xv > batch(0.f), batch::load_unaligned(dy + i), batch(0.f))
                    .store_unaligned(dx + i);
            }
            for (; i < n; ++i) dx[i] = x[i] > 0.f ? dy[i] : 0.f;
            break;
        case activation::sigmoid:
            // sigmoid' = y (1 - y)
            for (; i < main; i += W) {
                const batch yv = batch::load_unaligned(y + i);
                (batch::load_unaligned(dy + i) * yv * (batch(1.f) - yv)).store_unaligned(dx + i);
            }
            for (; i < n; ++i) dx[i] = dy[i] * y[i] * (1.f - y[i]);
            break;
        case activation::tanh:
            // tanh' = 1 - y^2
            for (; i < main; i += W) {
                const batch yv = batch::load_unaligned(y + i);
                (batch::load_unaligned(dy + i) * (batch(1.f) - yv * yv)).store_unaligned(dx + i);
            }
            for (; i < n; ++i) dx[i] = dy[i] * (1.f - y[i] * y[i]);
            break;
    }
}

}  // namespace

void activation_forward(activation a, const float* x, float* y, std::size_t n) {
    // x, y are (n); y may alias x.
    forward<kernel_arch>(a, x, y, n);
}

void activation_backward(activation a, const float* x, const float* y, const float* dy, float* dx,
                         std::size_t n) {
    // x, y (the forward output), dy, dx are (n); dx may alias dy.
    backward<kernel_arch>(a, x, y, dy, dx, n);
}

}  // namespace convlab
