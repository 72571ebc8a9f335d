// conv1d_direct.cpp: the direct method, eq. (2.6) as a sliding sum, O(n m). Vectorised across
// consecutive outputs with xsimd: each kernel tap is broadcast and multiplied into a batch of
// outputs at once, so any kernel length vectorises (no horizontal sums). Leaves out blocking
// for cache: a window of the signal (k + 4 batches) stays in L1 by itself.
#include <algorithm>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "conv1d_internal.hpp"
#include "convlab/common.hpp"
#include "kernel_arch.hpp"

namespace convlab {

namespace {

// out[u] = sum_j kr[j] src[u + j] for u < len: a correlation with the reversed kernel kr.
// src is (len + k - 1), kr is (k), out is (len). src may be zero outside [z0, z1): taps that
// would only read those zeros are skipped, so the edges of a zero-padded signal cost what
// their non-zero products cost. Written once for any xsimd architecture: four batches of
// outputs per step (independent accumulators hide the FMA latency), then one batch at a time,
// then a scalar tail.
template <class Arch>
void sliding_sum(Arch, const float* src, const float* kr, std::size_t k, float* out,
                 std::size_t len, std::size_t z0 = 0, std::size_t z1 = ~std::size_t(0)) {
    using batch = xsimd::batch<float, Arch>;
    constexpr std::size_t width = batch::size;
    // Taps j such that outputs [u, u + count) read some src[x], x in [z0, z1).
    auto taps = [&](std::size_t u, std::size_t count, std::size_t& j0, std::size_t& j1) {
        j0 = z0 > u + count - 1 ? std::min(k, z0 - (u + count - 1)) : 0;
        j1 = z1 > u ? std::min(k, z1 - u) : 0;
        if (j1 < j0) j1 = j0;
    };
    std::size_t u = 0, j0, j1;
    for (; u + 4 * width <= len; u += 4 * width) {
        batch acc0(0.f), acc1(0.f), acc2(0.f), acc3(0.f);
        const float* s = src + u;
        taps(u, 4 * width, j0, j1);
        for (std::size_t j = j0; j < j1; ++j) {
            const batch w(kr[j]);
            acc0 = xsimd::fma(w, batch::load_unaligned(s + j), acc0);
            acc1 = xsimd::fma(w, batch::load_unaligned(s + j + width), acc1);
            acc2 = xsimd::fma(w, batch::load_unaligned(s + j + 2 * width), acc2);
            acc3 = xsimd::fma(w, batch::load_unaligned(s + j + 3 * width), acc3);
        }
        acc0.store_unaligned(out + u);
        acc1.store_unaligned(out + u + width);
        acc2.store_unaligned(out + u + 2 * width);
        acc3.store_unaligned(out + u + 3 * width);
    }
    for (; u + width <= len; u += width) {
        batch acc(0.f);
        taps(u, width, j0, j1);
        for (std::size_t j = j0; j < j1; ++j)
            acc = xsimd::fma(batch(kr[j]), batch::load_unaligned(src + u + j), acc);
        acc.store_unaligned(out + u);
    }
    for (; u < len; ++u) {
        float acc = 0.f;
        taps(u, 1, j0, j1);
        for (std::size_t j = j0; j < j1; ++j) acc += kr[j] * src[u + j];
        out[u] = acc;
    }
}

constexpr std::size_t width = xsimd::batch<float, kernel_arch>::size;

// Full-result indices [u0, u1) of a (n) * kernel (k), written to out (u1 - u0), through a
// zero-padded copy of the samples they read (a[u0 - (k - 1)] ... a[u1 - 1]), rounded up to
// whole batches so the short edge runs never fall into the scalar tail.
void padded_run(const float* a, std::size_t n, const float* kr, std::size_t k, std::size_t u0,
                std::size_t u1, float* out) {
    if (u0 >= u1) return;
    const std::size_t len = ceil_div(u1 - u0, width) * width;
    // padded[x] = a[u0 + x - (k - 1)], zero outside a; padded is (len + k - 1).
    std::vector<float> padded(len + k - 1, 0.f), result(len);
    // a occupies padded[z0, z1).
    const std::size_t z0 = u0 < k - 1 ? k - 1 - u0 : 0;
    const std::size_t z1 = std::min(padded.size(), n + k - 1 - u0);
    std::copy(a + (u0 + z0 - (k - 1)), a + (u0 + z1 - (k - 1)), padded.begin() + long(z0));
    sliding_sum(kernel_arch{}, padded.data(), kr, k, result.data(), len, z0, z1);
    std::copy(result.begin(), result.begin() + (u1 - u0), out);
}

}  // namespace

void conv1d_direct_window(const float* a, std::size_t na, const float* k, std::size_t nk,
                          std::size_t start, std::size_t len, float* out) {
    if (na < nk) std::swap(a, k), std::swap(na, nk);
    std::vector<float> kr(k, k + nk);
    std::reverse(kr.begin(), kr.end());
    // Output u reads a[u - (nk - 1)] ... a[u]: the interior (whole batches of outputs that
    // read only inside a) reads a in place; the two edges go through padded copies.
    const std::size_t end = start + len;
    const std::size_t lo = std::clamp(nk - 1, start, end);
    const std::size_t hi = lo + (std::clamp(na, lo, end) - lo) / width * width;
    padded_run(a, na, kr.data(), nk, start, lo, out);
    if (lo < hi)
        sliding_sum(kernel_arch{}, a + (lo - (nk - 1)), kr.data(), nk, out + (lo - start),
                    hi - lo);
    padded_run(a, na, kr.data(), nk, hi, end, out + (hi - start));
}

}  // namespace convlab
