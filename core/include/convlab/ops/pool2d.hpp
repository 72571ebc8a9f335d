// convlab/ops/pool2d.hpp: max and average pooling (eq. 2.17), PyTorch's MaxPool2d / AvgPool2d
// in full: per-axis kernel, stride, zero padding (padded cells never win a max; the average
// counts them or not, count_include_pad), dilation for max pooling, and ceil mode, forward and
// backward side by side. Ties in max pooling send the gradient to the first maximum in
// row-major window order; a NaN wins its window, the last NaN taking the gradient, as PyTorch.
#pragma once

namespace convlab {

struct pool2d_geometry {
    int N, C, H, W;          // x is (N, C, H, W)
    int kernel_h, kernel_w;  // window
    int stride_h, stride_w;  // step
    int Ho, Wo;              // y is (N, C, Ho, Wo), PyTorch's output size (see below)
    int pad_h = 0, pad_w = 0;            // zero padding on both sides of each axis
    int dilation_h = 1, dilation_w = 1;  // spacing of window taps (max pooling only)
    bool ceil_mode = false;              // round the output size up (PyTorch's rule)
    bool count_include_pad = true;       // average: divide by the window's size with padding
};

// Checks sizes; throws invalid_argument naming "xShape", "kernel", "stride", "padding",
// "dilation", "ceilMode" or "countIncludePad". With eff = dilation (kernel - 1) + 1:
//   Ho = (H + 2 pad_h - eff + (ceil_mode ? stride_h - 1 : 0)) / stride_h + 1,
// minus one in ceil mode when the last window would start past H + pad_h (PyTorch's rule: it
// must start inside the input or the left padding); likewise Wo. As PyTorch, padding is at
// most half the kernel, and eff at most the padded input. A stride of H + 2 pad_h or more
// leaves one output row and is stored as H + 2 pad_h (the same output).
pool2d_geometry make_pool2d_geometry(int N, int C, int H, int W, int kernel_h, int kernel_w,
                                     int stride_h, int stride_w);
pool2d_geometry make_pool2d_geometry(int N, int C, int H, int W, int kernel_h, int kernel_w,
                                     int stride_h, int stride_w, int pad_h, int pad_w,
                                     int dilation_h, int dilation_w, bool ceil_mode,
                                     bool count_include_pad);

// x is (N, C, H, W), y is (N, C, Ho, Wo). A max window holding no input cell (possible only
// with dilation) is -inf, as PyTorch, and passes no gradient.
void max_pool2d_forward(const pool2d_geometry& g, const float* x, float* y);
// dy is (N, C, Ho, Wo); dx (N, C, H, W) is overwritten.
void max_pool2d_backward(const pool2d_geometry& g, const float* x, const float* dy, float* dx);
// Average pooling refuses dilation != 1 ("dilation"), as PyTorch's AvgPool2d has none. The
// divisor is PyTorch's: the window clipped to the padded input (ceil mode's last window may
// reach past it), or to the input itself when !count_include_pad.
void avg_pool2d_forward(const pool2d_geometry& g, const float* x, float* y);
void avg_pool2d_backward(const pool2d_geometry& g, const float* dy, float* dx);

// Plain loops (PyTorch's CPU kernels written out, double accumulation), for tests and lessons.
void max_pool2d_forward_ref(const pool2d_geometry& g, const float* x, float* y);
void max_pool2d_backward_ref(const pool2d_geometry& g, const float* x, const float* dy, float* dx);
void avg_pool2d_forward_ref(const pool2d_geometry& g, const float* x, float* y);
void avg_pool2d_backward_ref(const pool2d_geometry& g, const float* dy, float* dx);

}  // namespace convlab
