// activation.cpp: relu, sigmoid and tanh applied element-wise, forward and backward side by
// side, vectorised with xsimd (a batch::size main loop; forward tails go through one padded
// batch, backward tails are scalar). sigmoid and tanh use their own exp (Cephes' expf) built
// from xsimd operations that map one-to-one onto WebAssembly SIMD128. The backward pass of
// sigmoid and tanh uses the forward output y, as autograd does; relu's uses x. Left out:
// other activations (softplus, GELU...), which API.md does not offer.
#include "convlab/ops/activation.hpp"

#include <xsimd/xsimd.hpp>

#include <cstdint>
#include <string>

#include "convlab/common.hpp"
#include "convlab/parallel.hpp"
#include "kernel_arch.hpp"

namespace convlab {

activation activation_from_name(std::string_view name, const char* argument) {
    if (name == "relu") return activation::relu;
    if (name == "sigmoid") return activation::sigmoid;
    if (name == "tanh") return activation::tanh;
    fail(argument, "expected 'relu', 'sigmoid' or 'tanh', got '" + std::string(name) + "'");
}

namespace {

// relu keeps NaN (x < 0 is false for it), as torch.relu does.
template <class B>
B relu_of(const B& x) {
    return xsimd::select(x < B(0.f), B(0.f), x);
}

// e^x for x <= 0, the only exponentials sigmoid and tanh need below (they never overflow).
// Cephes' expf: x = n ln 2 + r with |r| <= ln 2 / 2, e^r by a degree-6 polynomial (about 1
// ulp), 2^n built in the exponent bits. n is rounded by adding 1.5 * 2^23, whose ulp is 1,
// and read back from the sum's low bits, so nothing needs a float-to-int conversion:
// xsimd's own exp goes through SSE2 conversions that Emscripten emulates slowly, and ran at
// 0.23 elements/ns in WebAssembly (scalar std::exp: 0.41); this sigmoid runs at 0.73, tanh
// at 0.52 (scalar 0.11), relu at 6 (bench/wasm/activation_bench.cpp, CPU time, best of 30).
// Below ln(2^-126) the result flushes to 0 (true values there are < 1.2e-38).
template <class B>
B exp_nonpositive(const B& x) {
    using I = xsimd::batch<std::int32_t, typename B::arch_type>;
    const B lowest(-87.33654f);
    const B xc = xsimd::max(x, lowest);
    const B magic(12582912.f);
    const B t = xsimd::fma(xc, B(1.44269504088896341f), magic);
    const B n = t - magic;
    // r = x - n ln 2, with ln 2 split in two so that n * 0.693359375 is exact.
    B r = xsimd::fnma(n, B(0.693359375f), xc);
    r = xsimd::fnma(n, B(-2.12194440e-4f), r);
    // e^r = 1 + r + r^2 q(r), q of degree 5 evaluated by Estrin's scheme (pairs, then r^2 and
    // r^4) rather than Horner's: a dependency chain half as long, which is what limits this
    // loop (without FMA every Horner step is a multiply then an add).
    const B r2 = r * r, r4 = r2 * r2;
    const B q01 = xsimd::fma(B(1.6666665459e-1f), r, B(5.0000001201e-1f));
    const B q23 = xsimd::fma(B(8.3334519073e-3f), r, B(4.1665795894e-2f));
    const B q45 = xsimd::fma(B(1.9875691500e-4f), r, B(1.3981999507e-3f));
    const B q = xsimd::fma(r4, q45, xsimd::fma(r2, q23, q01));
    const B p = xsimd::fma(r2, q, r) + B(1.f);
    const I exponent = (xsimd::bitwise_cast<I>(t) - xsimd::bitwise_cast<I>(magic) + I(127)) << 23;
    return xsimd::select(x < lowest, B(0.f), p * xsimd::bitwise_cast<B>(exponent));
}

// 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0: the exponent is never positive,
// so nothing overflows and tiny results keep their relative accuracy. NaN stays NaN.
template <class B>
B sigmoid_of(const B& x) {
    const B e = exp_nonpositive(-xsimd::abs(x));
    const B s = B(1.f) / (B(1.f) + e);
    const B y = xsimd::select(x < B(0.f), e * s, s);
    return xsimd::select(xsimd::isnan(x), x, y);
}

// Cephes' tanhf: an odd polynomial below |x| = 0.625 (where 1 - e^-2|x| would cancel), else
// (1 - e) / (1 + e) with e = e^-2|x| and the sign of x. About 2 ulp. NaN stays NaN.
template <class B>
B tanh_of(const B& x) {
    const B ax = xsimd::abs(x);
    const B z = x * x;
    B p(-5.70498872745e-3f);
    p = xsimd::fma(p, z, B(2.06390887954e-2f));
    p = xsimd::fma(p, z, B(-5.37397155531e-2f));
    p = xsimd::fma(p, z, B(1.33314422036e-1f));
    p = xsimd::fma(p, z, B(-3.33332819422e-1f));
    const B small = xsimd::fma(x * z, p, x);
    const B e = exp_nonpositive(B(-2.f) * ax);
    const B large = (B(1.f) - e) / (B(1.f) + e);
    const B y = xsimd::select(ax < B(0.625f), small, xsimd::select(x < B(0.f), -large, large));
    return xsimd::select(xsimd::isnan(x), x, y);
}

// Applies f to x (n) into y (n): a batch::size main loop, and the tail through a padded
// batch so that every element gets the same arithmetic wherever it sits.
template <class Arch, class F>
void map(const float* x, float* y, std::size_t n, F f) {
    using batch = xsimd::batch<float, Arch>;
    constexpr std::size_t W = batch::size;
    std::size_t i = 0;
    for (; i + W <= n; i += W) f(batch::load_unaligned(x + i)).store_unaligned(y + i);
    if (i < n) {
        alignas(64) float tail[W] = {};
        for (std::size_t j = i; j < n; ++j) tail[j - i] = x[j];
        f(batch::load_aligned(tail)).store_aligned(tail);
        for (std::size_t j = i; j < n; ++j) y[j] = tail[j - i];
    }
}

template <class Arch>
void forward(activation a, const float* x, float* y, std::size_t n) {
    using batch = xsimd::batch<float, Arch>;
    switch (a) {
        case activation::relu: map<Arch>(x, y, n, [](const batch& v) { return relu_of(v); }); break;
        case activation::sigmoid:
            map<Arch>(x, y, n, [](const batch& v) { return sigmoid_of(v); });
            break;
        case activation::tanh: map<Arch>(x, y, n, [](const batch& v) { return tanh_of(v); }); break;
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

// Whole SIMD vectors per range (parallel_ranges).
constexpr std::size_t simd_width = xsimd::batch<float, kernel_arch>::size;

void activation_forward(activation a, const float* x, float* y, std::size_t n) {
    // x, y are (n); y may alias x.
    parallel_ranges(n, simd_width, [&](std::size_t i, std::size_t end) {
        forward<kernel_arch>(a, x + i, y + i, end - i);
    });
}

void activation_backward(activation a, const float* x, const float* y, const float* dy, float* dx,
                         std::size_t n) {
    // x, y (the forward output), dy, dx are (n); dx may alias dy.
    parallel_ranges(n, simd_width, [&](std::size_t i, std::size_t end) {
        backward<kernel_arch>(a, x + i, y + i, dy + i, dx + i, end - i);
    });
}

}  // namespace convlab
