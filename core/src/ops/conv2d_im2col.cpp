// conv2d_im2col.cpp: 2-D convolution as a matrix product (the 2-D form of eq. 2.12's Toeplitz
// product). Per image, im2col lays the windows out as cols (C R S, Ho Wo) and
//   forward   y  (K, Ho Wo)    = w (K, C R S) cols
//   backward  dw (K, C R S)   += dy (K, Ho Wo) cols^T
//             dx              = col2im(w^T (C R S, K) dy)
//             db              = row sums of dy.
// A 1x1 stride-1 unpadded convolution skips im2col: the image itself is its column matrix.
// A kernel covering the whole unpadded input is one product over the batch (dense.cpp's).
// Output rows are processed in chunks so the column matrix stays around L2 size (it is
// re-read by the GEMM's packing right after being written). Workspace is one thread-local
// buffer per thread that only grows. Batching several images into one GEMM is left out (it needs an
// NCHW <-> CNHW transpose; per-image products are already large enough on our shapes).
#include <algorithm>
#include <cstring>
#include <vector>

#include "conv2d_internal.hpp"
#include "convlab/common.hpp"
#include "convlab/ops/conv2d.hpp"
#include "convlab/ops/dense.hpp"
#include "convlab/ops/gemm.hpp"
#include "convlab/ops/im2col.hpp"
#include "convlab/parallel.hpp"

namespace convlab {

namespace {

float* workspace(std::size_t n) {
    thread_local std::vector<float> buffer;
    if (buffer.size() < n) buffer.resize(n);
    return buffer.data();
}

// Output rows per chunk: the column matrix (C R S, rows Wo) kept near 256 KiB, at least one row.
int chunk_rows(const conv2d_geometry& g) {
    // in 64 bits and refused past the limit: one row of windows alone may be huge (wasm32's
    // size_t would wrap)
    const long long row = require_elements({g.C, g.R, g.S, g.Wo}, "wShape", max_workspace_elements);
    require_workspace(row, "wShape", "im2col");
    const long long budget = 256 * 1024 / sizeof(float);
    return int(std::clamp<long long>(budget / std::max<long long>(row, 1), 1, g.Ho));
}

}  // namespace

// x is (N, C, H, W), w is (K, C, R, S), bias is (K) or nullptr, y is (N, K, Ho, Wo).
// Threads take (image, row chunk) pairs: each writes its own rows of y. One such pair leaves
// the threads to the GEMM inside.
void conv2d_im2col_forward(const conv2d_geometry& g, const float* x, const float* w,
                           const float* bias, float* y) {
    if (conv2d_is_dense(g))
        return dense_forward(x, w, bias, y, std::size_t(g.N),
                             std::size_t(g.C) * std::size_t(g.R) * std::size_t(g.S), std::size_t(g.K));
    const window_geometry wg = window_geometry_of(g);
    const std::size_t crs = wg.rows(), hw_out = wg.cols();
    const std::size_t x_image = std::size_t(g.C) * g.H * g.W;
    const bool pointwise = conv2d_is_pointwise(g);
    const int rows = pointwise ? g.Ho : chunk_rows(g);
    const std::size_t per_image = ceil_div(g.Ho, rows);
    parallel_for(std::size_t(g.N) * per_image, [&](std::size_t t) {
        const int n = int(t / per_image);
        const int i0 = int(t % per_image) * rows, i1 = std::min(g.Ho, i0 + rows);
        const std::size_t n_cols = std::size_t(i1 - i0) * g.Wo;
        const float* xn = x + n * x_image;
        float* yn = y + std::size_t(n) * g.K * hw_out + std::size_t(i0) * g.Wo;
        if (pointwise) {
            sgemm(false, false, g.K, hw_out, crs, 1.f, w, crs, xn, hw_out, 0.f, yn, hw_out);
        } else {
            float* cols = workspace(crs * std::size_t(rows) * g.Wo);
            im2col_rows(wg, xn, i0, i1, cols);
            sgemm(false, false, g.K, n_cols, crs, 1.f, w, crs, cols, n_cols, 0.f, yn, hw_out);
        }
        if (bias)
            for (int k = 0; k < g.K; ++k) {
                float* yk = yn + k * hw_out;
                const float b = bias[k];
                for (std::size_t p = 0; p < n_cols; ++p) yk[p] += b;
            }
    });
}

// dy is (N, K, Ho, Wo); dx (N, C, H, W), dw (K, C, R, S), db (K), each optional, overwritten.
// Threads take fixed chunks of the batch; each chunk sums its images' dw into its own slot and
// the slots are added in a fixed tree (parallel_sum), so dw is the same for any thread count.
void conv2d_im2col_backward(const conv2d_geometry& g, const float* x, const float* w,
                            const float* dy, float* dx, float* dw, float* db) {
    if (conv2d_is_dense(g))
        return dense_backward(x, w, dy, dx, dw, db, std::size_t(g.N),
                              std::size_t(g.C) * std::size_t(g.R) * std::size_t(g.S), std::size_t(g.K));
    const window_geometry wg = window_geometry_of(g);
    const std::size_t crs = wg.rows(), hw_out = wg.cols();
    const std::size_t x_image = std::size_t(g.C) * g.H * g.W;
    const bool pointwise = conv2d_is_pointwise(g);
    const int rows = chunk_rows(g);
    if (db) conv2d_bias_backward(g, dy, db);
    parallel_sum(g.N, dw, std::size_t(g.K) * crs, [&](std::size_t n0, std::size_t n1, float* dws) {
        float* cols = pointwise ? nullptr : workspace(crs * std::size_t(rows) * g.Wo);
        for (std::size_t n = n0; n < n1; ++n) {
            const float* xn = x + n * x_image;
            const float* dyn = dy + n * g.K * hw_out;
            float* dxn = dx ? dx + n * x_image : nullptr;
            if (pointwise) {
                // dw (K, C) += dy (K, HW) x^T (HW, C); dx (C, HW) = w^T (C, K) dy (K, HW)
                if (dws)
                    sgemm(false, true, g.K, crs, hw_out, 1.f, dyn, hw_out, xn, hw_out, 1.f, dws, crs);
                if (dxn)
                    sgemm(true, false, crs, hw_out, g.K, 1.f, w, crs, dyn, hw_out, 0.f, dxn, hw_out);
                continue;
            }
            if (dxn) std::fill(dxn, dxn + x_image, 0.f);
            for (int i0 = 0; i0 < g.Ho; i0 += rows) {
                const int i1 = std::min(g.Ho, i0 + rows);
                const std::size_t n_cols = std::size_t(i1 - i0) * g.Wo;
                const float* dy_chunk = dyn + std::size_t(i0) * g.Wo;
                if (dws) {
                    im2col_rows(wg, xn, i0, i1, cols);
                    sgemm(false, true, g.K, crs, n_cols, 1.f, dy_chunk, hw_out, cols, n_cols, 1.f,
                          dws, crs);
                }
                if (dxn) {
                    sgemm(true, false, crs, n_cols, g.K, 1.f, w, crs, dy_chunk, hw_out, 0.f, cols,
                          n_cols);
                    col2im_rows_add(wg, cols, i0, i1, dxn);
                }
            }
        }
    });
}

}  // namespace convlab
