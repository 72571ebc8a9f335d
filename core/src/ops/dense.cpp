// dense.cpp: the fully connected layer y = x W^T + b (PyTorch's Linear on a batch), forward
// and backward, as three sgemm calls and a bias sum; plus the plain-loop reference the tests
// and lessons use. Shapes are the caller's to check (the network builder does).
#include "convlab/ops/dense.hpp"

#include "convlab/common.hpp"
#include "convlab/ops/gemm.hpp"

namespace convlab {

namespace {

// Every product of the sizes that indexes a buffer, checked in 64 bits (size_t is 32 bits in
// WebAssembly, where an unchecked B I could wrap).
void check_sizes(std::size_t B, std::size_t I, std::size_t O) {
    require_elements({(long long)B, (long long)I}, "x");
    require_elements({(long long)O, (long long)I}, "w");
    require_elements({(long long)B, (long long)O}, "y");
}

}  // namespace

void dense_forward(const float* x, const float* w, const float* b, float* y, std::size_t B,
                   std::size_t I, std::size_t O) {
    // x is (B, I), w is (O, I), b is (O) or nullptr, y is (B, O).
    check_sizes(B, I, O);
    // The bias is written first and the product added onto it (beta = 1): one pass over y.
    if (b) {
        for (std::size_t n = 0; n < B; ++n)
            for (std::size_t o = 0; o < O; ++o) y[n * O + o] = b[o];
    }
    sgemm(false, true, B, O, I, 1.f, x, I, w, I, b ? 1.f : 0.f, y, O);
}

void dense_backward(const float* x, const float* w, const float* dy, float* dx, float* dw,
                    float* db, std::size_t B, std::size_t I, std::size_t O) {
    // x is (B, I), w is (O, I), dy is (B, O); dx is (B, I), dw is (O, I), db is (O).
    check_sizes(B, I, O);
    // dx = dy W
    if (dx) sgemm(false, false, B, I, O, 1.f, dy, O, w, I, 0.f, dx, I);
    // dW = dy^T x
    if (dw) sgemm(true, false, O, I, B, 1.f, dy, O, x, I, 0.f, dw, I);
    // db = the sum of dy over the batch, accumulated row by row so the inner loop is contiguous.
    if (db) {
        for (std::size_t o = 0; o < O; ++o) db[o] = 0.f;
        for (std::size_t n = 0; n < B; ++n)
            for (std::size_t o = 0; o < O; ++o) db[o] += dy[n * O + o];
    }
}

void dense_forward_ref(const float* x, const float* w, const float* b, float* y, std::size_t B,
                       std::size_t I, std::size_t O) {
    check_sizes(B, I, O);
    // x is (B, I), w is (O, I), b is (O) or nullptr, y is (B, O): y[n][o] = b[o] + sum_i
    // w[o][i] x[n][i], summed in double.
    for (std::size_t n = 0; n < B; ++n)
        for (std::size_t o = 0; o < O; ++o) {
            double acc = b ? b[o] : 0.0;
            for (std::size_t i = 0; i < I; ++i) acc += double(w[o * I + i]) * double(x[n * I + i]);
            y[n * O + o] = float(acc);
        }
}

}  // namespace convlab
