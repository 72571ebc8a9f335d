// conv2d_internal.hpp: what the fast 2-D convolution methods share inside the core (not
// public). conv2d_ref.cpp keeps its own plain loops on purpose.
#pragma once

#include "convlab/ops/conv2d.hpp"

namespace convlab {

// A 1x1, stride-1, unpadded convolution: the image is its own im2col matrix, so the im2col
// method skips im2col for it and the 'auto' cost model prices it without the copy.
inline bool conv2d_is_pointwise(const conv2d_geometry& g) {
    return g.R == 1 && g.S == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_top == 0 &&
           g.pad_left == 0 && g.pad_bottom == 0 && g.pad_right == 0;
}

// A kernel that covers the whole unpadded input (LeNet-5's C5, a classifier head written as a
// convolution): one output pixel per image, x is (N, C R S), w (K, C R S), y (N, K). Each
// image is its own column matrix, and the columns of the batch side by side are x itself, so
// the im2col method runs it as one product over the batch (a dense layer), where per image
// it would be a matrix-vector product; the 'auto' cost model picks im2col for it.
inline bool conv2d_is_dense(const conv2d_geometry& g) {
    return g.dilation_h == 1 && g.dilation_w == 1 && g.groups == 1 && g.R == g.H &&
           g.S == g.W && (g.pad_top | g.pad_left | g.pad_bottom | g.pad_right) == 0;
}

// dy is (N, K, Ho, Wo), db is (K), overwritten: db[k] = sum over n, i, j of dy[n, k, i, j],
// one image's plane at a time in float (vectorised), the total in double. The bias gradient
// of every fast method.
void conv2d_bias_backward(const conv2d_geometry& g, const float* dy, float* db);

}  // namespace convlab
