// gemm.cpp: single-precision matrix product (row-major, BLAS-like) used by im2col
// convolution, the Toeplitz product and dense layers, plus the triple-loop reference.
//
// The fast path is the classic Goto/BLIS scheme: op(B) is packed in K-blocks into panels of NR
// columns, op(A) into panels of MR rows, and a register-blocked micro-kernel written once with
// xsimd (templated on the architecture) computes each MR x NR tile of C from the two panels with
// every accumulator held in a register. Packing also absorbs the transposes, so all four
// combinations run the same kernel. Output tiles are shared out over the thread pool
// (sgemm_blocked says how). Left out: a separate path for tiny products (packing is cheap
// enough).
//
// Measured 2026-11-28 on the shared 2-core AMD EPYC (AVX-512 capable) dev machine, Node 20.20
// (V8 11.3), Emscripten 3.1.6 -O3 -msimd128 -msse2 -fwasm-exceptions; bench/wasm/build.sh run.
// Rates are in process CPU time, best of 15-25 runs (median within 3% of best); wall-clock
// rates under the ~10-19 load average of that day were 2-5x lower and useless.
//   SIMD128 peak (bench/wasm/peak.cpp, 12 independent f32x4 mul+add chains): 66-68 GFLOP/s,
//   i.e. 4 vector ops a cycle at ~4.2 GHz; 14 chains spill (29). Native SSE2 gives the same 68.
//                                          WebAssembly SIMD128    native AVX2+FMA (6 x 16)
//   conv2d case C, M=64 K=576 N=1024             52-56                  104-110
//   conv2d case C, batch 8, N=8192               49-52                   90-100
//   case C dW = dy cols^T  M=64 K=1024 N=576 (trans B)  55-56            109-110
//   case C dcols = W^T dy  M=576 K=64 N=1024 (trans A)  53-54            121-122
//   LeNet conv1   M=6   K=25  N=576 (B in place) 40-41                   93
//   LeNet conv2   M=16  K=150 N=100 (B in place) 48-49                   82
//   dense x W^T   M=64  K=784 N=100 (trans B)    55-56                   95
//   dense dy W    M=64  K=100 N=784 (B in place) 59-60                  125
//   dense dy^T x  M=100 K=64  N=784 (trans A)    57-58                  123
//   square        256^3                          61                     122
// so case C runs at 77-83% of the measured SIMD128 peak;
// natively ~80% of AVX2's 2 x 8-float FMA per cycle (~135 GFLOP/s at 4.2 GHz, not measured).
// The small LeNet shapes lose to per-tile overhead at K = 25 and to the M = 6 = 4 + 2 split.
#include "convlab/ops/gemm.hpp"

#include "convlab/common.hpp"
#include "convlab/parallel.hpp"

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cstring>
#include <vector>

#include "gemm_tile.hpp"
#include "kernel_arch.hpp"

namespace convlab {

namespace {

inline float at(const float* p, std::size_t ld, bool trans, std::size_t r, std::size_t c) {
    return trans ? p[c * ld + r] : p[r * ld + c];
}

// The register tile for the kernel's batch width (gemm_tile.hpp says why these sizes).
template <class Arch>
using tile = gemm_tile<xsimd::batch<float, Arch>::size>;

// Cache blocking. A KC x NR panel of B (8 KiB for wasm, 16 KiB for AVX2) stays in L1 while
// it meets every A panel of the MC x KC block (~120 KiB, L2). In WebAssembly, KC from 128 to
// 576 and NC from 256 to 2048 changed case C (one image or batch 8) by less than the noise.
#ifndef CONVLAB_GEMM_KC  // for blocking experiments from bench/wasm
#define CONVLAB_GEMM_KC 256
#endif
constexpr std::size_t KC = CONVLAB_GEMM_KC;
constexpr std::size_t MC = 120;  // a multiple of MR (4 and 6, and 5 for experiments)
#ifndef CONVLAB_GEMM_NC
#define CONVLAB_GEMM_NC 2048
#endif
constexpr std::size_t NC = CONVLAB_GEMM_NC;

// dst[k * dst_ld + r] = src[r * src_ld + k] for r < 4, k < W (the kernel's batch width): four
// rows of W floats become W rows of four, by the classic 4 x 4 unpack transpose applied to
// each group of 4 floats of the batches. xsimd's zips interleave within each 128-bit half on
// AVX, and a 4-float batch (SSE2, SIMD128) is a single group, so group g of the results holds
// columns 4 g .. 4 g + 3. A W-wide transpose would not fit MR = 6 row panels; this fits any.
template <class Arch>
inline void transpose_4xW(const float* src, std::size_t src_ld, float* dst, std::size_t dst_ld) {
    using fb = xsimd::batch<float, Arch>;
    using db = xsimd::batch<double, Arch>;
    constexpr std::size_t W = fb::size;
    static_assert(W % 4 == 0, "the transpose works on groups of 4 floats");
    const fb r0 = fb::load_unaligned(src), r1 = fb::load_unaligned(src + src_ld),
             r2 = fb::load_unaligned(src + 2 * src_ld), r3 = fb::load_unaligned(src + 3 * src_ld);
    // per group: t0 = a0 b0 a1 b1, t1 = a2 b2 a3 b3, t2 = c0 d0 c1 d1, t3 = c2 d2 c3 d3
    const db t0 = xsimd::bitwise_cast<db>(xsimd::zip_lo(r0, r1));
    const db t1 = xsimd::bitwise_cast<db>(xsimd::zip_hi(r0, r1));
    const db t2 = xsimd::bitwise_cast<db>(xsimd::zip_lo(r2, r3));
    const db t3 = xsimd::bitwise_cast<db>(xsimd::zip_hi(r2, r3));
    // column 4 g + i of the four rows is group g of cols[i]
    const fb cols[4] = {xsimd::bitwise_cast<fb>(xsimd::zip_lo(t0, t2)),
                        xsimd::bitwise_cast<fb>(xsimd::zip_hi(t0, t2)),
                        xsimd::bitwise_cast<fb>(xsimd::zip_lo(t1, t3)),
                        xsimd::bitwise_cast<fb>(xsimd::zip_hi(t1, t3))};
    if constexpr (W == 4) {
        for (std::size_t i = 0; i < 4; ++i) cols[i].store_unaligned(dst + i * dst_ld);
    } else {
        // Split each batch into its groups; compilers turn the copies into half-register stores.
        alignas(64) float tmp[W];
        for (std::size_t i = 0; i < 4; ++i) {
            cols[i].store_aligned(tmp);
            for (std::size_t g = 0; g < W / 4; ++g)
                std::memcpy(dst + (4 * g + i) * dst_ld, tmp + 4 * g, 4 * sizeof(float));
        }
    }
}

// Packs rows [i0, i0 + mc) and columns [k0, k0 + kc) of op(A) (M, K) into panels of MR rows:
// panel p holds, for each k, the MR values op(A)(i0 + p MR + r, k0 + k), zero-padded past M.
template <class Arch>
void pack_a(bool trans_a, const float* A, std::size_t lda, std::size_t i0, std::size_t mc,
            std::size_t k0, std::size_t kc, float* out) {
    constexpr std::size_t MR = tile<Arch>::MR, W = tile<Arch>::W;
    for (std::size_t p = 0; p < mc; p += MR) {
        const std::size_t rows = std::min(MR, mc - p);
        float* panel = out + p * kc;
        if (!trans_a) {
            // Rows of A are contiguous along k: transpose 4 x W blocks as pack_b does.
            std::size_t r = 0;
            for (; r + 4 <= rows; r += 4) {
                const float* src = A + (i0 + p + r) * lda + k0;
                std::size_t k = 0;
                for (; k + W <= kc; k += W)
                    transpose_4xW<Arch>(src + k, lda, panel + k * MR + r, MR);
                for (; k < kc; ++k)
                    for (std::size_t rr = 0; rr < 4; ++rr) panel[k * MR + r + rr] = src[rr * lda + k];
            }
            for (; r < rows; ++r) {
                const float* src = A + (i0 + p + r) * lda + k0;
                for (std::size_t k = 0; k < kc; ++k) panel[k * MR + r] = src[k];
            }
        } else {
            // A is (K, M): the MR values for one k are contiguous.
            for (std::size_t k = 0; k < kc; ++k) {
                const float* src = A + (k0 + k) * lda + i0 + p;
                for (std::size_t r = 0; r < rows; ++r) panel[k * MR + r] = src[r];
            }
        }
        for (std::size_t r = rows; r < MR; ++r)
            for (std::size_t k = 0; k < kc; ++k) panel[k * MR + r] = 0.f;
    }
}

// Packs rows [k0, k0 + kc) and columns [j0, j0 + nc) of op(B) (K, N) into panels of NR
// columns: panel q holds, for each k, the NR values op(B)(k0 + k, j0 + q NR + j), zero-padded.
template <class Arch>
void pack_b(bool trans_b, const float* B, std::size_t ldb, std::size_t k0, std::size_t kc,
            std::size_t j0, std::size_t nc, float* out) {
    constexpr std::size_t NR = tile<Arch>::NR, W = tile<Arch>::W;
    for (std::size_t q = 0; q < nc; q += NR) {
        const std::size_t cols = std::min(NR, nc - q);
        float* panel = out + q * kc;
        if (!trans_b) {
            for (std::size_t k = 0; k < kc; ++k) {
                const float* src = B + (k0 + k) * ldb + j0 + q;
                float* dst = panel + k * NR;
                if (cols == NR) {
                    std::memcpy(dst, src, NR * sizeof(float));
                } else {
                    std::size_t j = 0;
                    for (; j < cols; ++j) dst[j] = src[j];
                    for (; j < NR; ++j) dst[j] = 0.f;
                }
            }
        } else {
            // B is (N, K): walk each column of op(B) along its contiguous row of B, four
            // columns and W k at a time through a 4 x W register transpose where we can.
            std::size_t j = 0;
            for (; j + 4 <= cols; j += 4) {
                const float* src = B + (j0 + q + j) * ldb + k0;
                std::size_t k = 0;
                for (; k + W <= kc; k += W)
                    transpose_4xW<Arch>(src + k, ldb, panel + k * NR + j, NR);
                for (; k < kc; ++k)
                    for (std::size_t jj = 0; jj < 4; ++jj) panel[k * NR + j + jj] = src[jj * ldb + k];
            }
            for (; j < cols; ++j) {
                const float* src = B + (j0 + q + j) * ldb + k0;
                for (std::size_t k = 0; k < kc; ++k) panel[k * NR + j] = src[k];
            }
            for (std::size_t j = cols; j < NR; ++j)
                for (std::size_t k = 0; k < kc; ++k) panel[k * NR + j] = 0.f;
        }
    }
}

// c (ROWS, NR) with row stride ldc = alpha * a-panel * b-panel + beta * c, over kc steps.
// a is kc groups of MR floats (the first ROWS used); b is kc rows of NR floats, b_step apart
// (NR for a packed panel, ldb when B is read in place). beta == 0 never reads c. The accumulators are a fixed-size array the compiler keeps in
// registers. ROWS < MR serves the last rows of C without computing padding rows.
template <class Arch, std::size_t ROWS>
#if defined(__GNUC__)
__attribute__((noinline))  // compiled alone, V8 keeps every accumulator in a register
#endif
void micro_kernel(std::size_t kc, const float* a, const float* b, std::size_t b_step, float alpha,
                  float beta, float* c, std::size_t ldc) {
    using batch = xsimd::batch<float, Arch>;
    constexpr std::size_t MR = tile<Arch>::MR, NB = tile<Arch>::NB, W = tile<Arch>::W;
    batch acc[ROWS][NB];
    for (std::size_t r = 0; r < ROWS; ++r)
        for (std::size_t j = 0; j < NB; ++j) acc[r][j] = batch(0.f);
    // Unrolled twice: halves V8's loop overhead (counter, bounds and interrupt checks).
#if defined(__clang__)
#pragma clang loop unroll_count(2)
#elif defined(__GNUC__)
#pragma GCC unroll 2
#endif
    for (std::size_t k = 0; k < kc; ++k) {
        batch bv[NB];
        for (std::size_t j = 0; j < NB; ++j) bv[j] = batch::load_unaligned(b + j * W);
        for (std::size_t r = 0; r < ROWS; ++r) {
            const batch av(a[r]);
            for (std::size_t j = 0; j < NB; ++j) acc[r][j] = xsimd::fma(av, bv[j], acc[r][j]);
        }
        a += MR;
        b += b_step;
    }
    const batch va(alpha);
    if (beta == 0.f) {
        for (std::size_t r = 0; r < ROWS; ++r)
            for (std::size_t j = 0; j < NB; ++j)
                (va * acc[r][j]).store_unaligned(c + r * ldc + j * W);
    } else {
        const batch vb(beta);
        for (std::size_t r = 0; r < ROWS; ++r)
            for (std::size_t j = 0; j < NB; ++j) {
                float* p = c + r * ldc + j * W;
                xsimd::fma(va, acc[r][j], vb * batch::load_unaligned(p)).store_unaligned(p);
            }
    }
}

// micro_kernel<Arch, rows> for a run-time rows in [1, R].
template <class Arch, std::size_t R>
void micro_kernel_rows(std::size_t rows, std::size_t kc, const float* a, const float* b,
                       std::size_t b_step, float alpha, float beta, float* c, std::size_t ldc) {
    if constexpr (R > 1) {
        if (rows < R)
            return micro_kernel_rows<Arch, R - 1>(rows, kc, a, b, b_step, alpha, beta, c, ldc);
    }
    micro_kernel<Arch, R>(kc, a, b, b_step, alpha, beta, c, ldc);
}

// Whether the kernel may read op(B) = B (not transposed) in place rather than from a packed
// copy. A panel is kc rows of NR floats, ldb apart, re-read for every A panel, so it must stay
// in L1. An L1 maps 4 KiB of addresses onto its sets (64 sets of 64-byte lines, 8-12 ways), so
// rows whose byte stride shares a large power of two with 4096 crowd into few sets and evict
// each other (ldb = 1024: all in one set; case C ran at 31 instead of 51 GFLOP/s in place).
// With kc <= 4 rows per usable set the panel fits. Skipping the copy pays for small K, where
// packing is a large share of the work (LeNet's conv1 GEMM, K = 25: 32 -> 41 GFLOP/s).
inline bool read_b_in_place(bool trans_b, std::size_t ldb, std::size_t kc) {
    if (trans_b) return false;
    std::size_t a = ldb * sizeof(float), b = 4096;  // gcd(row stride in bytes, 4096)
    while (b != 0) {
        const std::size_t t = a % b;
        a = b;
        b = t;
    }
    const std::size_t sets = std::min<std::size_t>(64, 4096 / a);
    return kc <= 4 * sets;
}

// The tiles of C at rows [i0, i0 + mc) and packed columns [q0, q1) of the current (j0, k0)
// block: packs this block of A (into the calling thread's buffer), then runs the kernel.
template <class Arch>
void block_tiles(bool trans_a, const float* A, std::size_t lda, const float* B, std::size_t ldb,
                 const float* packed_b, std::size_t full, std::size_t i0, std::size_t mc,
                 std::size_t j0, std::size_t nc, std::size_t q0, std::size_t q1, std::size_t k0,
                 std::size_t kc, float alpha, float beta_k, float* C, std::size_t ldc) {
    constexpr std::size_t MR = tile<Arch>::MR, NR = tile<Arch>::NR;
    using buffer = std::vector<float, xsimd::aligned_allocator<float, 64>>;
    // Reused between calls: training calls sgemm thousands of times on the same shapes.
    thread_local buffer packed_a;
    const std::size_t need = ceil_div(mc, MR) * MR * kc;
    if (packed_a.size() < need) packed_a.resize(need);
    alignas(64) float edge[MR * NR];
    pack_a<Arch>(trans_a, A, lda, i0, mc, k0, kc, packed_a.data());
    for (std::size_t q = q0; q < q1; q += NR) {
        const std::size_t cols = std::min(NR, nc - q);
        const bool direct = q < full;
        const float* bp = direct ? B + k0 * ldb + j0 + q : packed_b + q * kc;
        const std::size_t b_step = direct ? ldb : NR;
        for (std::size_t p = 0; p < mc; p += MR) {
            const std::size_t rows = std::min(MR, mc - p);
            const float* ap = packed_a.data() + p * kc;
            float* c = C + (i0 + p) * ldc + j0 + q;
            if (cols == NR) {
                micro_kernel_rows<Arch, MR>(rows, kc, ap, bp, b_step, alpha, beta_k, c, ldc);
            } else {
                // The last columns: compute the tile aside, then merge the valid part, so the
                // kernel never touches memory outside C.
                micro_kernel_rows<Arch, MR>(rows, kc, ap, bp, b_step, 1.f, 0.f, edge, NR);
                for (std::size_t r = 0; r < rows; ++r)
                    for (std::size_t j = 0; j < cols; ++j) {
                        float& dst = c[r * ldc + j];
                        const float v = alpha * edge[r * NR + j];
                        dst = beta_k == 0.f ? v : v + beta_k * dst;
                    }
            }
        }
    }
}

// Threads split each (j0, k0) block by output tiles: groups of B panels (packed in parallel
// first) times MC-row blocks of A. Every tile of C is computed by the same kernel calls in the
// same K order whoever runs it, so the result does not depend on the thread count. Products
// too small to be worth waking the pool run as one task.
template <class Arch>
void sgemm_blocked(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K,
                   float alpha, const float* A, std::size_t lda, const float* B, std::size_t ldb,
                   float beta, float* C, std::size_t ldc) {
    constexpr std::size_t NR = tile<Arch>::NR;
    using buffer = std::vector<float, xsimd::aligned_allocator<float, 64>>;
    thread_local buffer packed_b;
    const std::size_t nc_max = std::min(NC, ceil_div(N, NR) * NR);
    const std::size_t kc_max = std::min(KC, K);
    if (packed_b.size() < nc_max * kc_max) packed_b.resize(nc_max * kc_max);
    // the caller's buffer, shared with the tasks (inside them packed_b names their own thread's)
    float* const pb = packed_b.data();
    const bool split = double(M) * double(N) * double(K) >= 1 << 18;

    for (std::size_t j0 = 0; j0 < N; j0 += NC) {
        const std::size_t nc = std::min(NC, N - j0);
        const std::size_t panels = ceil_div(nc, NR);
        // groups of at least 4 panels (32 columns in wasm) so each packs its A block rarely
        const std::size_t groups = split ? chunk_count(panels, 4, 16) : 1;
        const std::size_t row_blocks = ceil_div(M, MC);
        for (std::size_t k0 = 0; k0 < K; k0 += KC) {
            const std::size_t kc = std::min(KC, K - k0);
            // Later K-blocks add onto the partial sums already in C.
            const float beta_k = k0 == 0 ? beta : 1.f;
            // In place, only the last partial panel is packed (zero-padded to NR columns).
            const bool in_place = read_b_in_place(trans_b, ldb, kc);
            const std::size_t full = in_place ? nc - nc % NR : 0;
            const std::size_t first = full / NR;  // panels before it are read in place
            const std::size_t pack_groups = split ? chunk_count(panels - first, 4, 16) : 1;
            parallel_for(pack_groups, [&](std::size_t t) {
                const index_span s = chunk_span(panels - first, pack_groups, t);
                const std::size_t q0 = (first + s.begin) * NR;
                const std::size_t q1 = std::min(nc, (first + s.end) * NR);
                if (q1 > q0)
                    pack_b<Arch>(trans_b, B, ldb, k0, kc, j0 + q0, q1 - q0,
                                 pb + q0 * kc);
            });
            parallel_for(groups * row_blocks, [&](std::size_t t) {
                const index_span s = chunk_span(panels, groups, t % groups);
                const std::size_t i0 = (t / groups) * MC;
                block_tiles<Arch>(trans_a, A, lda, B, ldb, pb, full, i0,
                                  std::min(MC, M - i0), j0, nc, s.begin * NR,
                                  std::min(nc, s.end * NR), k0, kc, alpha, beta_k, C, ldc);
            });
        }
    }
}

}  // namespace

void sgemm_ref(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K,
               float alpha, const float* A, std::size_t lda, const float* B, std::size_t ldb,
               float beta, float* C, std::size_t ldc) {
    // C (M, N); A is (M, K) or (K, M) if trans_a; B is (K, N) or (N, K) if trans_b.
    // Sums in double so that tests measure the fast kernel's rounding, not this one's.
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j) {
            double acc = 0;
            for (std::size_t k = 0; k < K; ++k)
                acc += double(at(A, lda, trans_a, i, k)) * double(at(B, ldb, trans_b, k, j));
            const float ab = alpha * float(acc);
            C[i * ldc + j] = beta == 0.f ? ab : ab + beta * C[i * ldc + j];
        }
}

void sgemm(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K, float alpha,
           const float* A, std::size_t lda, const float* B, std::size_t ldb, float beta, float* C,
           std::size_t ldc) {
    // C (M, N); A is (M, K) or (K, M) if trans_a; B is (K, N) or (N, K) if trans_b.
    if (M == 0 || N == 0) return;
    if (K == 0 || alpha == 0.f) {
        // Nothing to multiply: C = beta * C, and beta == 0 must still clear NaNs.
        for (std::size_t i = 0; i < M; ++i)
            for (std::size_t j = 0; j < N; ++j)
                C[i * ldc + j] = beta == 0.f ? 0.f : beta * C[i * ldc + j];
        return;
    }
    sgemm_blocked<kernel_arch>(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace convlab
