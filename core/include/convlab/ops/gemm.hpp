// convlab/ops/gemm.hpp: single-precision matrix product, the engine under im2col
// convolution, the Toeplitz product and dense layers. Row-major, BLAS-like arguments.
#pragma once

#include <cstddef>

namespace convlab {

// C (M, N) = alpha * op(A) (M, K) * op(B) (K, N) + beta * C, all row-major.
// op(A) = A if !trans_a (A is (M, K), leading dimension lda) else A^T (A is (K, M)).
// op(B) = B if !trans_b (B is (K, N), leading dimension ldb) else B^T (B is (N, K)).
// beta == 0 overwrites C without reading it (C may hold NaN).
void sgemm(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K, float alpha,
           const float* A, std::size_t lda, const float* B, std::size_t ldb, float beta, float* C,
           std::size_t ldc);

// The triple loop, for tests.
void sgemm_ref(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K,
               float alpha, const float* A, std::size_t lda, const float* B, std::size_t ldb,
               float beta, float* C, std::size_t ldc);

}  // namespace convlab
