// fuzz_conv1d.cpp: convolve / correlate in every mode by every method (and 'auto') against
// the plain-loop reference and the direct method, on signals scaled by a power of two from
// 2^-140 (subnormal: the FFT once returned NaN there) to 2^100; and toeplitz_matrix.
#include <algorithm>
#include <cmath>
#include <limits>

#include "convlab/ops/conv1d.hpp"
#include "fuzz_common.hpp"

using namespace convlab;

namespace {

const conv1d_method methods[] = {
#define CONVLAB_CONV1D_VARIANT(id, name) conv1d_method::id,
#include "convlab/ops/conv1d_variants.inc"
#undef CONVLAB_CONV1D_VARIANT
    conv1d_method::automatic,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider in(data, size);
    const std::size_t n = in.ConsumeIntegralInRange<std::size_t>(1, 300);
    const std::size_t m = in.ConsumeIntegralInRange<std::size_t>(1, 120);
    const conv_mode mode = conv_mode(in.ConsumeIntegralInRange<int>(0, 2));
    const int exponent = in.ConsumeBool() ? in.ConsumeIntegralInRange<int>(-140, 100) : 0;
    auto f = fuzz::floats(in, n);
    const auto h = fuzz::floats(in, m);
    for (float& v : f) v = std::ldexp(v, exponent);

    std::vector<float> want(n + m - 1), h_reversed(h.rbegin(), h.rend()), want_corr(n + m - 1);
    convolve_full_ref(f.data(), n, h.data(), m, want.data());
    convolve_full_ref(f.data(), n, h_reversed.data(), m, want_corr.data());
    // bound on every output: max|f| sum|h|; float rounding of sums that long, and, when the
    // terms are subnormal, half a subnormal step for each of the m products and m sums
    double fmax = 0, hsum = 0;
    for (float v : f) fmax = std::fmax(fmax, std::fabs(double(v)));
    for (float v : h) hsum += std::fabs(double(v));
    const double tolerance =
        2e-5 * fmax * hsum + double(m) * double(std::numeric_limits<float>::denorm_min());
    const auto direct_mode = convolve(f.data(), n, h.data(), m, mode, conv1d_method::direct);
    const auto direct_corr = correlate(f.data(), n, h.data(), m, mode, conv1d_method::direct);
    for (conv1d_method method : methods) {
        fuzz::expect_close(convolve(f.data(), n, h.data(), m, conv_mode::full, method), want,
                           tolerance, conv1d_method_name(method));
        fuzz::expect_close(correlate(f.data(), n, h.data(), m, conv_mode::full, method), want_corr,
                           tolerance, conv1d_method_name(method));
        fuzz::expect_close(convolve(f.data(), n, h.data(), m, mode, method), direct_mode, tolerance,
                           "convolve in mode");
        fuzz::expect_close(correlate(f.data(), n, h.data(), m, mode, method), direct_corr,
                           tolerance, "correlate in mode");
    }
    // the Toeplitz matrix times f is the full convolution (eq. 2.12)
    if (n * (n + m - 1) <= 20000) {
        const auto T = toeplitz_matrix(h.data(), m, n);
        std::vector<float> product(n + m - 1);
        for (std::size_t i = 0; i < n + m - 1; ++i) {
            double acc = 0;
            for (std::size_t j = 0; j < n; ++j) acc += double(T[i * n + j]) * f[j];
            product[i] = float(acc);
        }
        fuzz::expect_close(product, want, tolerance, "toeplitz_matrix");
    }
    return 0;
}
