// test_fft.cpp: the DFT of any length against numpy.fft (tests/fixtures/signals_fft.txt), the
// O(n^2) double-precision definition, and closed forms (delta, constant, cosine, Hermitian
// symmetry of real signals). Bluestein lengths (primes, 100, 1000, 4097) and radix-2 lengths
// both appear.
#include "convlab/ops/fft.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "convlab/common.hpp"
#include "harness.hpp"

namespace {

constexpr double pi = 3.14159265358979323846;

// The input generate_signals.py describes: each value is the float nearest to the quotient,
// the same float numpy's astype(float32) gives.
void fixture_input(std::size_t n, std::vector<float>& re, std::vector<float>& im) {
    re.resize(n);
    im.resize(n);
    for (std::size_t t = 0; t < n; ++t) {
        re[t] = float(double(long((t * 7919 + 13) % 201) - 100) / 100.0);
        im[t] = float(double(long((t * 104729 + 7) % 199) - 99) / 100.0);
    }
}

struct spectrum {
    std::vector<float> re, im;
};

spectrum forward(std::vector<float> re, std::vector<float> im) {
    convlab::fft_forward(re.data(), im.data(), re.size());
    return {re, im};
}

spectrum reference(const std::vector<float>& re, const std::vector<float>& im, bool inverse) {
    spectrum s{std::vector<float>(re.size()), std::vector<float>(re.size())};
    convlab::fft_ref(re.data(), im.data(), s.re.data(), s.im.data(), re.size(), inverse);
    return s;
}

// Compares re and im together, relative to the largest magnitude of either part.
void check_spectrum(const spectrum& got, const spectrum& want, double tol, const std::string& what) {
    std::vector<float> g(got.re), w(want.re);
    g.insert(g.end(), got.im.begin(), got.im.end());
    w.insert(w.end(), want.im.begin(), want.im.end());
    harness::check_close(g, w, tol, what);
}

}  // namespace

TEST_CASE("fft matches numpy.fft.fft on lengths 1 ... 4097") {
    const auto cases = harness::load_fixtures("signals_fft.txt");
    REQUIRE(cases.size() == 16);
    for (const auto& c : cases) {
        const std::size_t n = std::size_t(c.at("n")[0]);
        std::vector<float> re, im;
        fixture_input(n, re, im);
        const spectrum fast = forward(re, im);
        const spectrum slow = reference(re, im, false);
        spectrum got_fast, got_slow, want{harness::as_float(c.at("re")), harness::as_float(c.at("im"))};
        for (double bin : c.at("bins")) {
            const std::size_t k = std::size_t(bin);
            got_fast.re.push_back(fast.re[k]), got_fast.im.push_back(fast.im[k]);
            got_slow.re.push_back(slow.re[k]), got_slow.im.push_back(slow.im[k]);
        }
        const std::string what = "n = " + std::to_string(n);
        check_spectrum(got_fast, want, 2e-6, "fft_forward, " + what);
        check_spectrum(got_slow, want, 1e-6, "fft_ref, " + what);
    }
}

TEST_CASE("fft and its inverse match the O(n^2) definition for every length up to 70") {
    for (std::size_t n = 1; n <= 70; ++n) {
        const auto re = harness::random_vector(n, 100 + n), im = harness::random_vector(n, 900 + n);
        const std::string what = "n = " + std::to_string(n);
        check_spectrum(forward(re, im), reference(re, im, false), 2e-6, "forward, " + what);
        std::vector<float> r(re), i(im);
        convlab::fft_inverse(r.data(), i.data(), n);
        check_spectrum({r, i}, reference(re, im, true), 2e-6, "inverse, " + what);
    }
}

TEST_CASE("fft_inverse undoes fft_forward on long radix-2 and Bluestein lengths") {
    for (std::size_t n : {4096u, 4099u, 65536u, 100003u}) {
        const auto re = harness::random_vector(n, n), im = harness::random_vector(n, n + 1);
        std::vector<float> r(re), i(im);
        convlab::fft_forward(r.data(), i.data(), n);
        convlab::fft_inverse(r.data(), i.data(), n);
        check_spectrum({r, i}, {re, im}, 5e-6, "round trip, n = " + std::to_string(n));
    }
}

TEST_CASE("fft closed forms: delta, constant, cosine, Hermitian symmetry") {
    for (std::size_t n : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 16u, 17u, 31u, 100u, 128u, 1000u, 1024u}) {
        const std::string what = "n = " + std::to_string(n);
        // A unit impulse at 0 has the flat spectrum X[k] = 1.
        std::vector<float> delta(n, 0.f), zero(n, 0.f);
        delta[0] = 1.f;
        check_spectrum(forward(delta, zero), {std::vector<float>(n, 1.f), zero}, 1e-6,
                       "delta, " + what);
        // A constant c has X = n c delta.
        std::vector<float> scaled_delta(n, 0.f);
        scaled_delta[0] = 2.5f * float(n);
        check_spectrum(forward(std::vector<float>(n, 2.5f), zero), {scaled_delta, zero}, 1e-6,
                       "constant, " + what);
        // cos(2 pi k0 t / n) = (e^{+} + e^{-}) / 2: spikes of n / 2 at k0 and n - k0 (one spike
        // of n when k0 = n - k0).
        if (n >= 3) {
            const std::size_t k0 = n / 3;
            std::vector<float> wave(n), spikes(n, 0.f);
            for (std::size_t t = 0; t < n; ++t)
                wave[t] = float(std::cos(2 * pi * double((t * k0) % n) / double(n)));
            spikes[k0] += float(n) / 2, spikes[n - k0] += float(n) / 2;
            check_spectrum(forward(wave, zero), {spikes, zero}, 2e-6, "cosine, " + what);
        }
        // A real signal's spectrum is Hermitian: X[n - k] = conj(X[k]).
        const auto x = harness::random_vector(n, 7 * n);
        const spectrum s = forward(x, zero);
        spectrum mirrored{std::vector<float>(n), std::vector<float>(n)};
        for (std::size_t k = 0; k < n; ++k) {
            mirrored.re[k] = s.re[(n - k) % n];
            mirrored.im[k] = -s.im[(n - k) % n];
        }
        check_spectrum(s, mirrored, 1e-6, "Hermitian symmetry, " + what);
        CHECK(std::fabs(s.im[0]) <= 1e-5f * std::fabs(float(n)));
    }
}

// WebAssembly builds without pthreads cannot start threads (and need no locking).
#if !defined(__wasm__) || defined(__EMSCRIPTEN_PTHREADS__)
TEST_CASE("fft is safe while other threads grow the twiddle cache") {
    // Each thread runs sizes in its own order, so the cached table is replaced (grown) while
    // others read it. The expected spectra come from the double-precision definition.
    const std::vector<std::size_t> sizes = {64, 4096, 256, 1u << 15, 1000, 16, 1u << 13, 3000};
    std::vector<spectrum> inputs, wants;
    for (std::size_t n : sizes) {
        const auto re = harness::random_vector(n, 31 * n), im = harness::random_vector(n, 37 * n);
        inputs.push_back({re, im});
        wants.push_back(n <= 4096 ? reference(re, im, false) : spectrum{});
    }
    std::vector<double> errors(4 * sizes.size(), 0.0);
    std::vector<std::thread> threads;
    for (std::size_t w = 0; w < 4; ++w)
        threads.emplace_back([&, w] {
            for (std::size_t r = 0; r < sizes.size(); ++r) {
                const std::size_t i = (r + 3 * w) % sizes.size();
                spectrum got = forward(inputs[i].re, inputs[i].im);
                if (sizes[i] > 4096) {  // too long for fft_ref: check the round trip instead
                    convlab::fft_inverse(got.re.data(), got.im.data(), sizes[i]);
                    errors[w * sizes.size() + i] =
                        std::max(harness::max_relative_error(got.re.data(), inputs[i].re.data(), sizes[i]),
                                 harness::max_relative_error(got.im.data(), inputs[i].im.data(), sizes[i]));
                } else {
                    errors[w * sizes.size() + i] = std::max(
                        harness::max_relative_error(got.re.data(), wants[i].re.data(), sizes[i]),
                        harness::max_relative_error(got.im.data(), wants[i].im.data(), sizes[i]));
                }
            }
        });
    for (auto& t : threads) t.join();
    for (std::size_t e = 0; e < errors.size(); ++e) {
        INFO("thread " << e / sizes.size() << ", n = " << sizes[e % sizes.size()]);
        CHECK(errors[e] <= 1e-5);
    }
}
#endif

TEST_CASE("fft rejects an empty signal, naming re") {
    float re = 0, im = 0;
    CHECK_THROWS_WITH_AS(convlab::fft_forward(&re, &im, 0), "re: expected a non-empty array",
                         convlab::invalid_argument);
    CHECK_THROWS_WITH_AS(convlab::fft_inverse(&re, &im, 0), "re: expected a non-empty array",
                         convlab::invalid_argument);
    float out_re = 0, out_im = 0;
    CHECK_THROWS_AS(convlab::fft_ref(&re, &im, &out_re, &out_im, 0, false), convlab::invalid_argument);
}
