// convlab/ops/conv_transpose2d.hpp: PyTorch's ConvTranspose2d, the adjoint of a convolution:
// its forward pass is a conv2d's input gradient, its input gradient that conv2d's forward
// pass, its weight gradient that conv2d's weight gradient with the roles of x and dy swapped.
// Stride, padding, output_padding, dilation and groups as in torch; every conv2d method.
#pragma once

#include "convlab/ops/conv2d.hpp"

namespace convlab {

struct conv_transpose2d_geometry {
    // The convolution this is the adjoint of: conv.C is this op's output channels, (conv.H,
    // conv.W) its output size, conv.K its input channels, w (conv.K, conv.C / groups, R, S).
    conv2d_geometry conv;
    // This op's input extent: (conv.Ho, conv.Wo), except that an output_padding of at least
    // the stride (allowed below the dilation) gives conv more rows, which read as zeros.
    int H, W;
};

// x is (N, C, H, W), w is (Cw, out_per_group, R, S) with Cw == C; the output is
// (N, out_per_group groups, Ho, Wo), Ho = (H - 1) stride_h - 2 pad_h + dilation_h (R - 1) +
// output_pad_h + 1 (likewise Wo). Throws invalid_argument naming "xShape", "wShape", "stride",
// "padding", "outputPadding" ("must be smaller than stride or dilation"), "dilation", "groups".
conv_transpose2d_geometry make_conv_transpose2d_geometry(
    int N, int C, int H, int W, int Cw, int out_per_group, int R, int S, int stride_h,
    int stride_w, int pad_h, int pad_w, int output_pad_h, int output_pad_w, int dilation_h,
    int dilation_w, int groups);

// x is (N, C, H, W), w (C, out / groups, R, S), bias (out) or nullptr, y (N, out, Ho, Wo).
void conv_transpose2d_forward(const conv_transpose2d_geometry& g, const float* x, const float* w,
                              const float* bias, float* y,
                              conv2d_method method = conv2d_method::automatic);
// dy is (N, out, Ho, Wo). Writes dx (N, C, H, W), dw (C, out / groups, R, S), db (out); any
// output pointer may be nullptr to skip it. Outputs are overwritten.
void conv_transpose2d_backward(const conv_transpose2d_geometry& g, const float* x,
                               const float* w, const float* dy, float* dx, float* dw, float* db,
                               conv2d_method method = conv2d_method::automatic);

// Plain-loop references with double accumulation: every x[n, c, i, j] adds
// x w[c, o, r, s] to y[n, (c / (C / groups)) (out / groups) + o, i sh + r dh - ph, j sw + s dw - pw].
void conv_transpose2d_forward_ref(const conv_transpose2d_geometry& g, const float* x,
                                  const float* w, const float* bias, float* y);
void conv_transpose2d_backward_ref(const conv_transpose2d_geometry& g, const float* x,
                                   const float* w, const float* dy, float* dx, float* dw,
                                   float* db);

}  // namespace convlab
