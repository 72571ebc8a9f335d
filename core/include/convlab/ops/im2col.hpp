// convlab/ops/im2col.hpp: window extraction, the primitive under im2col convolution and its
// gradients. im2col lays every window of one image out as a column, so a convolution becomes
// one matrix product (the 2-D Toeplitz form) and a pooling a reduction over rows; col2im is
// its adjoint (it adds every column back onto the windows it came from), which is what the
// gradients need. Zero padding, per-axis stride; no dilation. (pool2d.cpp walks rows directly
// instead: pooling does too little work per element to pay for the copy, measured; the pooling
// windows are still available here for lessons.)
#pragma once

#include <cstddef>

namespace convlab {

struct conv2d_geometry;
struct pool2d_geometry;

// The windows of one image: x is (C, H, W); windows are R x S, stepping stride_h / stride_w
// over the input padded by pad_* zeros; there are Ho x Wo of them.
struct window_geometry {
    int C, H, W;
    int R, S;
    int stride_h, stride_w;
    int pad_top, pad_left;
    int Ho, Wo;
    std::size_t rows() const { return std::size_t(C) * R * S; }  // of the column matrix
    std::size_t cols() const { return std::size_t(Ho) * Wo; }
};

window_geometry window_geometry_of(const conv2d_geometry& g);
// Pooling as windows over N*C single-channel images: C here is 1.
window_geometry window_geometry_of(const pool2d_geometry& g);

// x is (C, H, W); cols is (C R S, Ho Wo), row (c, r, s), column (i, j):
//   cols[(c R + r) S + s][i Wo + j] = x[c, i stride_h + r - pad_top, j stride_w + s - pad_left]
// or 0 where that falls in the padding.
void im2col(const window_geometry& g, const float* x, float* cols);

// The adjoint: x (C, H, W) is overwritten with the sum, over every cols entry, of that entry
// at the position im2col read it from (padding positions are dropped).
void col2im(const window_geometry& g, const float* cols, float* x);

// The same for output rows i in [i0, i1) only, so a caller can keep the column matrix small
// enough for the cache: cols is (C R S, (i1 - i0) Wo). col2im_rows_add adds into x instead
// of overwriting it.
void im2col_rows(const window_geometry& g, const float* x, int i0, int i1, float* cols);
void col2im_rows_add(const window_geometry& g, const float* cols, int i0, int i1, float* x);

// Plain-loop versions of the two, for tests.
void im2col_ref(const window_geometry& g, const float* x, float* cols);
void col2im_ref(const window_geometry& g, const float* cols, float* x);

}  // namespace convlab
