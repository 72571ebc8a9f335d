// conv1d_toeplitz.cpp: the Toeplitz method, eq. (2.12) f * h = H_n^h f, as matrix products
// through sgemm without ever forming the (n + m - 1) x n matrix. H is block-Toeplitz: cut the
// output into chunks of B samples and chunk I is
//     out[I B + i] = sum_c a[I B + c - D B] * T[i][c],   T[i][c] = k[D B + i - c]  (0 outside),
// where T (B x (D + 1) B, D = ceil((m - 1) / B)) is the same block of H for every chunk. Row I
// of the "window matrix" W[I][c] = a[I B + c - D B] (zero outside a) is the slice of f that
// chunk I sees, so a group of chunks is one product  out (rows x B) = W (rows x (D+1)B) T^T.
// W is built a group of rows at a time (bounded memory); the band's zeros cost (D+1)B/m - 1
// extra work, the price of using a dense matrix product.
#include <algorithm>
#include <cstring>
#include <vector>

#include "conv1d_internal.hpp"
#include "convlab/common.hpp"
#include "convlab/ops/gemm.hpp"

namespace convlab {

std::size_t conv1d_toeplitz_block(std::size_t m) {
    // Wide enough for the matrix product to run well (B is sgemm's N), narrow enough that the
    // wasted band (B of (D + 1) B columns) stays small. Measured with the packed sgemm: 32
    // beats 64 up to m ~ 128 (half the wasted band), 64 beats 32, 128 and 256 beyond.
    if (m <= 16) return 16;
    if (m <= 128) return 32;
    return 64;
}

void conv1d_toeplitz_window(const float* a, std::size_t na, const float* k, std::size_t nk,
                            std::size_t start, std::size_t len, float* out) {
    if (na < nk) std::swap(a, k), std::swap(na, nk);
    const std::size_t B = conv1d_toeplitz_block(nk);
    const std::size_t D = nk > 1 ? ceil_div(nk - 1, B) : 0;
    const std::size_t K = (D + 1) * B;
    // T is (B, K) and W (at least 8, K): refused before allocation when K is huge.
    require_workspace(require_elements({8 * (long long)B, (long long)K}, "h", max_workspace_elements),
                      "h", "toeplitz");
    // T[i][c] = k[D B + i - c].
    std::vector<float> T(B * K, 0.f);
    for (std::size_t i = 0; i < B; ++i)
        for (std::size_t c = 0; c < K; ++c) {
            const std::size_t t = D * B + i;  // k's index is t - c
            if (t >= c && t - c < nk) T[i * K + c] = k[t - c];
        }
    const std::size_t first = start / B, last = ceil_div(start + len, B);  // chunks [first, last)
    // About 32K floats of W per product: it stays in L2 while sgemm reads it.
    const std::size_t group = std::max<std::size_t>(8, (std::size_t(1) << 15) / K);
    std::vector<float> W(std::min(group, last - first) * K);  // (rows, K)
    std::vector<float> C(std::min(group, last - first) * B);  // (rows, B)
    for (std::size_t I0 = first; I0 < last; I0 += group) {
        const std::size_t rows = std::min(group, last - I0);
        for (std::size_t r = 0; r < rows; ++r) {
            // Row r holds a[x - D B] for x in [(I0 + r) B, (I0 + r) B + K).
            float* w = &W[r * K];
            const long long x0 = static_cast<long long>((I0 + r) * B) - static_cast<long long>(D * B);
            const long long lo = std::max<long long>(x0, 0);
            const long long hi = std::min<long long>(x0 + static_cast<long long>(K),
                                                     static_cast<long long>(na));
            std::fill(w, w + K, 0.f);
            if (lo < hi) std::memcpy(w + (lo - x0), a + lo, std::size_t(hi - lo) * sizeof(float));
        }
        sgemm(false, true, rows, B, K, 1.f, W.data(), K, T.data(), K, 0.f, C.data(), B);
        // Copy the part of these chunks that falls in the window.
        const std::size_t u0 = std::max(I0 * B, start);
        const std::size_t u1 = std::min((I0 + rows) * B, start + len);
        std::memcpy(out + (u0 - start), &C[u0 - I0 * B], (u1 - u0) * sizeof(float));
    }
}

}  // namespace convlab
