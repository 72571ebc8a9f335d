// convlab/ops/pool2d.hpp: max and average pooling (eq. 2.17) over kernel windows with a
// per-axis stride, PyTorch's max_pool2d / avg_pool2d with padding 0 and floor mode, forward
// and backward side by side. Ties in max pooling send the gradient to the first maximum in
// row-major window order.
#pragma once

namespace convlab {

struct pool2d_geometry {
    int N, C, H, W;          // x is (N, C, H, W)
    int kernel_h, kernel_w;  // window
    int stride_h, stride_w;  // step
    int Ho, Wo;              // y is (N, C, Ho, Wo), Ho = (H - kernel_h) / stride_h + 1
};

// Checks sizes; throws invalid_argument naming "xShape", "kernel" or "stride".
pool2d_geometry make_pool2d_geometry(int N, int C, int H, int W, int kernel_h, int kernel_w,
                                     int stride_h, int stride_w);

// x is (N, C, H, W), y is (N, C, Ho, Wo).
void max_pool2d_forward(const pool2d_geometry& g, const float* x, float* y);
// dy is (N, C, Ho, Wo); dx (N, C, H, W) is overwritten.
void max_pool2d_backward(const pool2d_geometry& g, const float* x, const float* dy, float* dx);
void avg_pool2d_forward(const pool2d_geometry& g, const float* x, float* y);
void avg_pool2d_backward(const pool2d_geometry& g, const float* dy, float* dx);

void max_pool2d_forward_ref(const pool2d_geometry& g, const float* x, float* y);
void max_pool2d_backward_ref(const pool2d_geometry& g, const float* x, const float* dy, float* dx);
void avg_pool2d_forward_ref(const pool2d_geometry& g, const float* x, float* y);
void avg_pool2d_backward_ref(const pool2d_geometry& g, const float* dy, float* dx);

}  // namespace convlab
