// test_conv1d.cpp: 1-D convolution and correlation (eqs. 2.6, 2.10, 2.12, 2.16). Every method
// of the registry (and 'auto') against numpy in every mode (tests/fixtures/signals_conv1d.txt,
// sizes n < m, n == m, n > m, 1, SIMD widths +-1, primes); eq. (2.12)'s matrix written out by
// hand; the Gaussian kernel of example 2.2 against eq. (2.9); commutativity; long signals
// against the plain-loop reference; errors naming the argument.
#include "convlab/ops/conv1d.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "convlab/common.hpp"
#include "harness.hpp"

namespace {

using convlab::conv1d_method;
using convlab::conv_mode;

// Every registered method and 'auto': a method added to the registry is tested here at once.
const std::vector<conv1d_method> all_methods = {
#define CONVLAB_CONV1D_VARIANT(id, name) conv1d_method::id,
#include "convlab/ops/conv1d_variants.inc"
#undef CONVLAB_CONV1D_VARIANT
    conv1d_method::automatic};

const char* mode_names[] = {"full", "same", "valid"};

std::vector<float> full_ref(const std::vector<float>& f, const std::vector<float>& h) {
    std::vector<float> out(f.size() + h.size() - 1);
    convlab::convolve_full_ref(f.data(), f.size(), h.data(), h.size(), out.data());
    return out;
}

std::string describe(const char* op, std::size_t n, std::size_t m, const char* mode,
                     conv1d_method method) {
    return std::string(op) + "(n = " + std::to_string(n) + ", m = " + std::to_string(m) +
           ", mode = " + mode + ", method = " + convlab::conv1d_method_name(method) + ")";
}

}  // namespace

TEST_CASE("convolve and correlate match numpy in every mode, for every method") {
    const auto cases = harness::load_fixtures("signals_conv1d.txt");
    REQUIRE(cases.size() >= 150);
    for (const auto& c : cases) {
        const auto f = harness::as_float(c.at("f")), h = harness::as_float(c.at("h"));
        REQUIRE(f.size() == std::size_t(c.at("n")[0]));
        REQUIRE(h.size() == std::size_t(c.at("m")[0]));
        for (const char* mode_name : mode_names) {
            const conv_mode mode = convlab::conv_mode_from_name(mode_name);
            const auto want_conv = harness::as_float(c.at(std::string("convolve_") + mode_name));
            const auto want_corr = harness::as_float(c.at(std::string("correlate_") + mode_name));
            CHECK(convlab::conv1d_output_length(f.size(), h.size(), mode) == want_conv.size());
            for (conv1d_method method : all_methods) {
                const double tol = method == conv1d_method::direct ? 1e-6 : 1e-5;
                harness::check_close(
                    convlab::convolve(f.data(), f.size(), h.data(), h.size(), mode, method),
                    want_conv, tol, describe("convolve", f.size(), h.size(), mode_name, method));
                harness::check_close(
                    convlab::correlate(f.data(), f.size(), h.data(), h.size(), mode, method),
                    want_corr, tol, describe("correlate", f.size(), h.size(), mode_name, method));
            }
        }
    }
}

TEST_CASE("toeplitz_matrix is eq. (2.12)'s H_n^h: h = [1, 2, 3], n = 4") {
    const float h[] = {1, 2, 3};
    // (n + m - 1) x n = 6 x 4, h running down each column, shifted one row per column.
    const std::vector<float> want = {
        1, 0, 0, 0,  //
        2, 1, 0, 0,  //
        3, 2, 1, 0,  //
        0, 3, 2, 1,  //
        0, 0, 3, 2,  //
        0, 0, 0, 3,  //
    };
    const auto H = convlab::toeplitz_matrix(h, 3, 4);
    CHECK(H == want);
}

TEST_CASE("toeplitz_matrix times f is the full convolution") {
    for (auto [n, m] : {std::pair<std::size_t, std::size_t>{1, 1}, {5, 3}, {3, 5}, {17, 16}, {9, 9}}) {
        const auto f = harness::random_vector(n, n * 31 + m), h = harness::random_vector(m, m * 17);
        const auto H = convlab::toeplitz_matrix(h.data(), m, n);
        std::vector<float> product(n + m - 1, 0.f);
        for (std::size_t i = 0; i < n + m - 1; ++i)
            for (std::size_t j = 0; j < n; ++j) product[i] += H[i * n + j] * f[j];
        harness::check_close(product, full_ref(f, h), 1e-6,
                             "n = " + std::to_string(n) + ", m = " + std::to_string(m));
    }
}

TEST_CASE("the Gaussian kernel of example 2.2 follows eq. (2.9)") {
    // h[t] for t = -2 ... 2 (eq. 2.8), stored from index 0, so 'same' mode centres it on u.
    const std::vector<float> h = {1.f / 16, 4.f / 16, 6.f / 16, 4.f / 16, 1.f / 16};
    for (conv1d_method method : all_methods) {
        INFO("method = " << convlab::conv1d_method_name(method));
        // An impulse of 16 at t = 2 spreads into the kernel's weights around u = 2.
        const std::vector<float> impulse = {0, 0, 16, 0, 0, 0, 0};
        harness::check_close(
            convlab::convolve(impulse.data(), 7, h.data(), 5, conv_mode::same, method),
            {1, 4, 6, 4, 1, 0, 0}, 1e-6, "impulse at 2");
        // A ramp f[t] = t: inside, (6u + 4(u-1) + 4(u+1) + (u-2) + (u+2)) / 16 = u; at the edges
        // the missing neighbours are zero: u = 0: (4*1 + 2) / 16, u = 1: (6 + 4*2 + 3) / 16,
        // u = 8: (6*8 + 4*7 + 4*9 + 6) / 16, u = 9: (6*9 + 4*8 + 7) / 16.
        const std::vector<float> ramp = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        const std::vector<float> by_hand = {6.f / 16, 17.f / 16, 2, 3, 4, 5, 6, 7,
                                            118.f / 16, 93.f / 16};
        const auto got = convlab::convolve(ramp.data(), 10, h.data(), 5, conv_mode::same, method);
        harness::check_close(got, by_hand, 1e-6, "ramp");
        // Eq. (2.9) for every u of a random signal (zero outside [0, n)).
        const auto f = harness::random_vector(23, 2024);
        auto at = [&](long t) { return t < 0 || t >= 23 ? 0.f : f[std::size_t(t)]; };
        std::vector<float> eq_2_9(23);
        for (long u = 0; u < 23; ++u)
            eq_2_9[std::size_t(u)] = (6 * at(u) + 4 * at(u - 1) + 4 * at(u + 1) + at(u - 2) +
                                      at(u + 2)) / 16;
        harness::check_close(convlab::convolve(f.data(), 23, h.data(), 5, conv_mode::same, method),
                             eq_2_9, 1e-6, "eq. (2.9) on a random signal");
    }
}

TEST_CASE("convolution commutes: f * h == h * f in every mode") {
    for (auto [n, m] : {std::pair<std::size_t, std::size_t>{1, 7}, {4, 9}, {16, 15}, {33, 100}}) {
        const auto f = harness::random_vector(n, 5 * n), h = harness::random_vector(m, 11 * m);
        for (const char* mode_name : mode_names) {
            const conv_mode mode = convlab::conv_mode_from_name(mode_name);
            for (conv1d_method method : all_methods)
                harness::check_close(
                    convlab::convolve(f.data(), n, h.data(), m, mode, method),
                    convlab::convolve(h.data(), m, f.data(), n, mode, conv1d_method::direct), 1e-5,
                    describe("convolve", n, m, mode_name, method) + " vs h * f");
        }
    }
}

TEST_CASE("every method matches the reference on long signals") {
    // Long signals exercise overlap-add's block edges, the Toeplitz method's row groups and the
    // direct method's interior/edge split.
    const std::pair<std::size_t, std::size_t> sizes[] = {
        {300000, 1023}, {100000, 5}, {65537, 63}, {4097, 4096}, {1023, 300000}, {20000, 257}};
    for (auto [n, m] : sizes) {
        const auto f = harness::random_vector(n, n + 3), h = harness::random_vector(m, m + 5);
        const auto want = full_ref(f, h);
        for (conv1d_method method : all_methods) {
            const auto got = convlab::convolve(f.data(), n, h.data(), m, conv_mode::full, method);
            harness::check_close(got, want, 1e-4, describe("convolve", n, m, "full", method));
        }
        // A 'valid' window on a long signal: the FFT method computes only the blocks it needs.
        const std::size_t k = std::min(n, m);
        std::vector<float> valid(want.begin() + long(k - 1), want.end() - long(k - 1));
        harness::check_close(
            convlab::convolve(f.data(), n, h.data(), m, conv_mode::valid, conv1d_method::fft),
            valid, 1e-4, describe("convolve", n, m, "valid", conv1d_method::fft));
    }
}

TEST_CASE("every method keeps its accuracy when f and h differ in scale by 1e8") {
    // (100, 30) and (900, 1000) take the FFT method's single packed product, the others overlap-add.
    for (auto [n, m] : {std::pair<std::size_t, std::size_t>{100, 30}, {900, 1000}, {1000, 300}, {50000, 63}}) {
        auto f = harness::random_vector(n, 77), h = harness::random_vector(m, 78);
        for (auto& x : f) x *= 1e4f;
        for (auto& x : h) x *= 1e-4f;
        const auto want = full_ref(f, h);
        for (conv1d_method method : all_methods)
            harness::check_close(convlab::convolve(f.data(), n, h.data(), m, conv_mode::full, method),
                                 want, 1e-4, describe("convolve", n, m, "full", method));
    }
}

TEST_CASE("auto returns a concrete method for every size") {
    for (std::size_t n : {1u, 2u, 5u, 100u, 1000u, 16384u, 262144u})
        for (std::size_t m : {1u, 5u, 15u, 63u, 255u, 1023u, 100000u}) {
            const conv1d_method chosen = convlab::conv1d_auto_method(n, m);
            INFO("n = " << n << ", m = " << m);
            CHECK(chosen != conv1d_method::automatic);
            const std::string name = convlab::conv1d_method_name(chosen);
            CHECK(convlab::conv1d_method_from_name(name) == chosen);
            // Convolution commutes, so the choice does too.
            CHECK(convlab::conv1d_auto_method(m, n) == chosen);
        }
}

TEST_CASE("names round-trip through the registry") {
#define CONVLAB_CONV1D_VARIANT(id, name) \
    CHECK(convlab::conv1d_method_from_name(name) == conv1d_method::id); \
    CHECK(std::string(convlab::conv1d_method_name(conv1d_method::id)) == name);
#include "convlab/ops/conv1d_variants.inc"
#undef CONVLAB_CONV1D_VARIANT
    CHECK(convlab::conv1d_method_from_name("auto") == conv1d_method::automatic);
    CHECK(convlab::conv_mode_from_name("full") == conv_mode::full);
    CHECK(convlab::conv_mode_from_name("same") == conv_mode::same);
    CHECK(convlab::conv_mode_from_name("valid") == conv_mode::valid);
}

TEST_CASE("bad arguments throw invalid_argument naming them") {
    const float x[] = {1, 2, 3};
    auto argument_of = [](auto&& call) -> std::string {
        try {
            call();
        } catch (const convlab::invalid_argument& e) {
            return e.argument() + " | " + e.what();
        }
        return "no exception";
    };
    for (conv1d_method method : all_methods) {
        CHECK(argument_of([&] { convlab::convolve(x, 0, x, 3, conv_mode::full, method); }) ==
              "f | f: expected a non-empty array");
        CHECK(argument_of([&] { convlab::convolve(x, 3, x, 0, conv_mode::full, method); }) ==
              "h | h: expected a non-empty array");
        CHECK(argument_of([&] { convlab::correlate(x, 0, x, 3, conv_mode::same, method); }) ==
              "f | f: expected a non-empty array");
        CHECK(argument_of([&] { convlab::correlate(x, 3, nullptr, 3, conv_mode::same, method); }) ==
              "h | h: expected a non-empty array");
    }
    CHECK(argument_of([&] { convlab::conv_mode_from_name("circular"); }).rfind("mode | mode: ", 0) == 0);
    CHECK(argument_of([&] { convlab::conv1d_method_from_name("winograd"); }).rfind("method | method: ", 0) == 0);
    CHECK(argument_of([&] { convlab::convolve(x, 3, x, 3, conv_mode(7)); }).rfind("mode | ", 0) == 0);
    CHECK(argument_of([&] { convlab::convolve(x, 3, x, 3, conv_mode::full, conv1d_method(42)); })
              .rfind("method | ", 0) == 0);
    CHECK(argument_of([&] { convlab::toeplitz_matrix(x, 0, 4); }) == "h | h: expected a non-empty array");
    CHECK(argument_of([&] { convlab::toeplitz_matrix(x, 3, 0); }).rfind("n | ", 0) == 0);
    CHECK(argument_of([&] { convlab::conv1d_auto_method(0, 3); }).rfind("f | ", 0) == 0);
}

TEST_CASE("subnormal results: every method within half a subnormal step per product and sum") {
    // Found by fuzz_conv1d (tests/fuzz/corpus/conv1d/subnormal-products): with f scaled far
    // down, each product rounds to the subnormal grid (spacing denorm_min), so a method's
    // error is absolute, up to m steps, however small the result; relative checks cannot hold.
    const std::size_t n = 200, m = 60;
    auto f = harness::random_vector(n, 7);
    const auto h = harness::random_vector(m, 8);
    for (float& v : f) v = std::ldexp(v, -135);
    const auto want = full_ref(f, h);
    const double step = double(std::numeric_limits<float>::denorm_min());
    for (conv1d_method method : all_methods) {
        const auto got = convlab::convolve(f.data(), n, h.data(), m, convlab::conv_mode::full, method);
        REQUIRE(got.size() == want.size());
        double worst = 0;
        for (std::size_t i = 0; i < got.size(); ++i)
            worst = std::max(worst, std::fabs(double(got[i]) - double(want[i])));
        INFO(std::string(convlab::conv1d_method_name(method)) << ": worst error " << worst / step << " steps");
        CHECK(worst <= double(m) * step + 2e-5 * std::ldexp(1.0, -135) * double(m));
    }
}
