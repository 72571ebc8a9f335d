// gemm.cpp: single-precision matrix product (row-major, BLAS-like) used by im2col
// convolution, the Toeplitz product and dense layers, plus the triple-loop reference.
// This first version is a simple cache-friendly loop; the blocked SIMD kernel replaces it.
#include "convlab/ops/gemm.hpp"

#include <vector>

namespace convlab {

namespace {

inline float at(const float* p, std::size_t ld, bool trans, std::size_t r, std::size_t c) {
    return trans ? p[c * ld + r] : p[r * ld + c];
}

}  // namespace

void sgemm_ref(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K,
               float alpha, const float* A, std::size_t lda, const float* B, std::size_t ldb,
               float beta, float* C, std::size_t ldc) {
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
    // Row i of C accumulates alpha * a(i, k) * row k of op(B); op(B) is copied row-major first.
    std::vector<float> b(K * N);
    for (std::size_t k = 0; k < K; ++k)
        for (std::size_t j = 0; j < N; ++j) b[k * N + j] = at(B, ldb, trans_b, k, j);
    std::vector<float> row(N);
    for (std::size_t i = 0; i < M; ++i) {
        for (auto& r : row) r = 0.f;
        for (std::size_t k = 0; k < K; ++k) {
            const float a = alpha * at(A, lda, trans_a, i, k);
            const float* bk = &b[k * N];
            for (std::size_t j = 0; j < N; ++j) row[j] += a * bk[j];
        }
        float* c = C + i * ldc;
        if (beta == 0.f)
            for (std::size_t j = 0; j < N; ++j) c[j] = row[j];
        else
            for (std::size_t j = 0; j < N; ++j) c[j] = row[j] + beta * c[j];
    }
}

}  // namespace convlab
