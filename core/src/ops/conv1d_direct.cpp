// conv1d_direct.cpp: the direct method, eq. (2.6) as a sliding sum, O(n m). Vectorised across
// consecutive outputs with xsimd: each kernel tap is broadcast and multiplied into a batch of
// outputs at once, so any kernel length vectorises (no horizontal sums). Leaves out blocking
// for cache: a window of the signal (k + 4 batches) stays in L1 by itself.
#include <algorithm>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "conv1d_internal.hpp"

namespace convlab {

namespace {

// out[u] = sum_j kr[j] src[u + j] for u < len: a correlation with the reversed kernel kr.
// src is (len + k - 1), kr is (k), out is (len). Written once for any xsimd architecture:
// four batches of outputs per step (independent accumulators hide the FMA latency), then one
// batch at a time, then a scalar tail.
template <class Arch>
void sliding_sum(Arch, const float* src, const float* kr, std::size_t k, float* out,
                 std::size_t len) {
    using batch = xsimd::batch<float, Arch>;
    constexpr std::size_t width = batch::size;
    std::size_t u = 0;
    for (; u + 4 * width <= len; u += 4 * width) {
        batch acc0(0.f), acc1(0.f), acc2(0.f), acc3(0.f);
        const float* s = src + u;
        for (std::size_t j = 0; j < k; ++j) {
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
        for (std::size_t j = 0; j < k; ++j)
            acc = xsimd::fma(batch(kr[j]), batch::load_unaligned(src + u + j), acc);
        acc.store_unaligned(out + u);
    }
    for (; u < len; ++u) {
        float acc = 0.f;
        for (std::size_t j = 0; j < k; ++j) acc += kr[j] * src[u + j];
        out[u] = acc;
    }
}

// Full-result indices [u0, u1) of a (n) * kernel (k), written to out (u1 - u0). Output u reads
// a[u - (k - 1)] ... a[u], so the run reads a directly where that stays inside a, and a
// zero-padded copy of the few samples it needs at the two edges.
void run(const float* a, std::size_t n, const float* kr, std::size_t k, std::size_t u0,
         std::size_t u1, float* out) {
    if (u0 >= u1) return;
    if (u0 >= k - 1 && u1 <= n) {
        sliding_sum(xsimd::default_arch{}, a + (u0 - (k - 1)), kr, k, out, u1 - u0);
        return;
    }
    // padded[x] = a[u0 - (k - 1) + x], zero outside a; padded is (u1 - u0 + k - 1).
    std::vector<float> padded(u1 - u0 + k - 1, 0.f);
    for (std::size_t x = 0; x < padded.size(); ++x) {
        const std::size_t t = u0 + x;  // index into a, shifted by k - 1
        if (t >= k - 1 && t - (k - 1) < n) padded[x] = a[t - (k - 1)];
    }
    sliding_sum(xsimd::default_arch{}, padded.data(), kr, k, out, u1 - u0);
}

}  // namespace

void conv1d_direct_window(const float* a, std::size_t na, const float* k, std::size_t nk,
                          std::size_t start, std::size_t len, float* out) {
    if (na < nk) std::swap(a, k), std::swap(na, nk);
    std::vector<float> kr(k, k + nk);
    std::reverse(kr.begin(), kr.end());
    // Three runs: the left edge (u < nk - 1), the interior, the right edge (u >= na).
    const std::size_t end = start + len;
    const std::size_t interior_lo = std::clamp(nk - 1, start, end);
    const std::size_t interior_hi = std::clamp(na, interior_lo, end);
    run(a, na, kr.data(), nk, start, interior_lo, out);
    run(a, na, kr.data(), nk, interior_lo, interior_hi, out + (interior_lo - start));
    run(a, na, kr.data(), nk, interior_hi, end, out + (interior_hi - start));
}

}  // namespace convlab
