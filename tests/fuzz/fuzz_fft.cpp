// fuzz_fft.cpp: fft_forward / fft_inverse of every length up to 520 (powers of two and
// Bluestein's) against the O(n^2) definition, and the round trip.
#include <cmath>

#include "convlab/ops/fft.hpp"
#include "fuzz_common.hpp"

using namespace convlab;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider in(data, size);
    const std::size_t n = in.ConsumeIntegralInRange<std::size_t>(1, 520);
    const auto re = fuzz::floats(in, n), im = fuzz::floats(in, n);
    double norm = 0;
    for (std::size_t i = 0; i < n; ++i) norm += std::fabs(double(re[i])) + std::fabs(double(im[i]));
    const double tolerance = 1e-5 * (norm + 1);
    for (bool inverse : {false, true}) {
        std::vector<float> want_re(n), want_im(n);
        fft_ref(re.data(), im.data(), want_re.data(), want_im.data(), n, inverse);
        auto got_re = re, got_im = im;
        if (inverse)
            fft_inverse(got_re.data(), got_im.data(), n);
        else
            fft_forward(got_re.data(), got_im.data(), n);
        const double tol = inverse ? tolerance / double(n) : tolerance;
        fuzz::expect_close(got_re, want_re, tol, "fft re");
        fuzz::expect_close(got_im, want_im, tol, "fft im");
        if (inverse) continue;
        fft_inverse(got_re.data(), got_im.data(), n);
        fuzz::expect_close(got_re, re, tolerance / double(n) * 2 + 1e-6, "round trip re");
        fuzz::expect_close(got_im, im, tolerance / double(n) * 2 + 1e-6, "round trip im");
    }
    return 0;
}
