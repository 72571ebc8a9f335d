// test_gemm.cpp: the blocked SIMD sgemm against the triple-loop sgemm_ref, for all four
// transpose combinations, alpha/beta (beta = 0 over NaN), leading dimensions larger than the
// rows, and sizes on either side of the micro-tile (4 x 8 for SIMD128, 6 x 16 for AVX2)
// and of the cache blocks (KC = 256, MC = 120), including primes.
#include "convlab/ops/gemm.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "harness.hpp"

namespace {

struct gemm_case {
    bool ta, tb;
    std::size_t M, N, K;
    float alpha, beta;
    std::size_t pad;  // extra columns in each leading dimension
};

std::string describe(const gemm_case& c) {
    std::ostringstream s;
    s << "trans_a=" << c.ta << " trans_b=" << c.tb << " M=" << c.M << " N=" << c.N << " K=" << c.K
      << " alpha=" << c.alpha << " beta=" << c.beta << " pad=" << c.pad;
    return s.str();
}

// Runs one case: sgemm and sgemm_ref on the same inputs; C's padding columns must be untouched.
void run(const gemm_case& c, std::uint64_t seed) {
    const std::size_t a_rows = c.ta ? c.K : c.M, a_cols = c.ta ? c.M : c.K;
    const std::size_t b_rows = c.tb ? c.N : c.K, b_cols = c.tb ? c.K : c.N;
    const std::size_t lda = a_cols + c.pad, ldb = b_cols + c.pad, ldc = c.N + c.pad;
    auto A = harness::random_vector(a_rows * lda, seed);
    auto B = harness::random_vector(b_rows * ldb, seed + 1);
    auto C0 = harness::random_vector(c.M * ldc, seed + 2);
    if (c.beta == 0.f)
        for (auto& v : C0) v = std::numeric_limits<float>::quiet_NaN();
    auto got = C0, want = C0;
    convlab::sgemm(c.ta, c.tb, c.M, c.N, c.K, c.alpha, A.data(), lda, B.data(), ldb, c.beta,
                   got.data(), ldc);
    convlab::sgemm_ref(c.ta, c.tb, c.M, c.N, c.K, c.alpha, A.data(), lda, B.data(), ldb, c.beta,
                       want.data(), ldc);
    // Float sums of K products of numbers in [-1, 1): the error grows like sqrt(K) eps.
    const double tol = 1e-6 * (4 + std::sqrt(double(c.K)) * 4);
    std::vector<float> got_valid, want_valid;
    bool padding_kept = true;
    for (std::size_t i = 0; i < c.M; ++i)
        for (std::size_t j = 0; j < ldc; ++j) {
            const std::size_t at = i * ldc + j;
            if (j < c.N) {
                got_valid.push_back(got[at]);
                want_valid.push_back(want[at]);
            } else if (!(std::isnan(got[at]) && std::isnan(C0[at])) && got[at] != C0[at]) {
                padding_kept = false;
            }
        }
    harness::check_close(got_valid, want_valid, tol, describe(c));
    INFO(describe(c));
    CHECK(padding_kept);
}

}  // namespace

TEST_CASE("sgemm matches sgemm_ref on sizes around the tile and block edges") {
    const std::size_t sizes[] = {1, 3, 4, 5, 6, 7, 8, 9, 13, 15, 16, 17, 37};
    std::uint64_t seed = 1;
    for (bool ta : {false, true})
        for (bool tb : {false, true})
            for (std::size_t M : sizes)
                for (std::size_t N : sizes)
                    // Odd and even K: the kernel's K loop is unrolled twice.
                    for (std::size_t K : {std::size_t(1), std::size_t(4), std::size_t(7),
                                          std::size_t(37)})
                        run({ta, tb, M, N, K, 1.f, 0.f, 0}, seed++);
}

TEST_CASE("sgemm matches sgemm_ref across cache blocks (K > KC, M > MC, large primes)") {
    std::uint64_t seed = 100;
    for (bool ta : {false, true})
        for (bool tb : {false, true}) {
            run({ta, tb, 97, 257, 257, 1.f, 0.f, 0}, seed++);
            run({ta, tb, 257, 97, 513, 1.f, 0.f, 3}, seed++);
            run({ta, tb, 121, 13, 600, 0.5f, 1.f, 0}, seed++);
        }
    // The GEMM of conv2d case C (im2col, one image) and a dense layer's three products.
    run({false, false, 64, 1024, 576, 1.f, 0.f, 0}, seed++);
    run({false, true, 64, 100, 784, 1.f, 0.f, 0}, seed++);
    run({false, false, 64, 784, 100, 1.f, 0.f, 0}, seed++);
    run({true, false, 100, 784, 64, 1.f, 0.f, 0}, seed++);
    // NC = 2048 column blocks.
    run({false, false, 7, 2100, 9, 1.f, 0.f, 0}, seed++);
}

TEST_CASE("sgemm reads B in place or packs it, by its row stride (cache sets)") {
    // Untransposed B is read in place when its panel stays in L1: ldb = 256 floats (1 KiB
    // rows, 4 L1 sets) allows K <= 16 per block; ldb = 1024 (4 KiB, one set) packs nearly
    // always; ldb = 100 reads in place up to the K block of 256. Both paths, edges included.
    std::uint64_t seed = 500;
    for (bool ta : {false, true}) {
        for (std::size_t K : {4, 5, 16, 17, 300}) run({ta, false, 9, 256, K, 1.f, 0.f, 0}, seed++);
        for (std::size_t K : {3, 4, 5, 37}) run({ta, false, 5, 13, K, 1.f, 0.5f, 1011}, seed++);
        for (std::size_t K : {150, 256, 257}) run({ta, false, 16, 100, K, 1.f, 0.f, 0}, seed++);
    }
}

TEST_CASE("sgemm alpha and beta, with padded leading dimensions") {
    std::uint64_t seed = 1000;
    for (bool ta : {false, true})
        for (bool tb : {false, true})
            for (float alpha : {1.f, -2.5f})
                for (float beta : {0.f, 1.f, 0.75f}) {
                    run({ta, tb, 13, 17, 37, alpha, beta, 0}, seed++);
                    run({ta, tb, 6, 16, 5, alpha, beta, 5}, seed++);
                }
}

TEST_CASE("sgemm with K = 0 or alpha = 0 scales C by beta, and beta = 0 clears NaN") {
    std::vector<float> A(6, std::numeric_limits<float>::quiet_NaN()), B = A;
    std::vector<float> C = {1, 2, 3, 4, 5, 6};
    convlab::sgemm(false, false, 2, 3, 0, 1.f, A.data(), 1, B.data(), 3, 2.f, C.data(), 3);
    CHECK(C == std::vector<float>{2, 4, 6, 8, 10, 12});
    convlab::sgemm(false, false, 2, 3, 1, 0.f, A.data(), 1, B.data(), 3, 0.5f, C.data(), 3);
    CHECK(C == std::vector<float>{1, 2, 3, 4, 5, 6});
    std::vector<float> D(6, std::numeric_limits<float>::quiet_NaN());
    convlab::sgemm(false, false, 2, 3, 0, 1.f, A.data(), 1, B.data(), 3, 0.f, D.data(), 3);
    CHECK(D == std::vector<float>(6, 0.f));
}

TEST_CASE("sgemm_ref against a hand-computed product") {
    // (2x3) (3x2): [[1,2,3],[4,5,6]] [[7,8],[9,10],[11,12]] = [[58,64],[139,154]].
    const float A[] = {1, 2, 3, 4, 5, 6}, B[] = {7, 8, 9, 10, 11, 12};
    float C[4];
    convlab::sgemm_ref(false, false, 2, 2, 3, 1.f, A, 3, B, 2, 0.f, C, 2);
    CHECK(C[0] == 58);
    CHECK(C[1] == 64);
    CHECK(C[2] == 139);
    CHECK(C[3] == 154);
    convlab::sgemm(false, false, 2, 2, 3, 1.f, A, 3, B, 2, 0.f, C, 2);
    CHECK(C[0] == 58);
    CHECK(C[3] == 154);
}
