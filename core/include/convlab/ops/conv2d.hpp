// convlab/ops/conv2d.hpp: 2-D multi-channel convolution in PyTorch's semantics, i.e. the
// cross-correlation of eq. (2.20), with bias, per-axis stride and zero padding, forward and
// backward side by side. Methods (conv2d_variants.inc): direct loops vectorised with xsimd,
// im2col + GEMM (the 2-D Toeplitz form), and FFT. Dilation and groups (PyTorch's) are run by
// conv2d_grouped.cpp on top of these methods.
#pragma once

#include <cstddef>
#include <string_view>

namespace convlab {

enum class conv2d_method {
#define CONVLAB_CONV2D_VARIANT(id, name) id,
#include "convlab/ops/conv2d_variants.inc"
#undef CONVLAB_CONV2D_VARIANT
    automatic
};

conv2d_method conv2d_method_from_name(std::string_view name, const char* argument = "method");
const char* conv2d_method_name(conv2d_method method);

// Every size of one convolution. Built and checked by make_conv2d_geometry.
struct conv2d_geometry {
    int N, C, H, W;           // input x is (N, C, H, W)
    int K, R, S;              // weights w are (K, C, R, S)
    int stride_h, stride_w;   // >= 1
    int pad_top, pad_left;    // zero padding before the first row / column
    int pad_bottom, pad_right;// ... and after the last
    int Ho, Wo;               // output y is (N, K, Ho, Wo)
    // PyTorch's dilation and groups. With groups g, w is (K, C / g, R, S) and output channel k
    // reads input channels [(k / (K / g)) (C / g), + C / g). Kernel tap (r, s) reads the input
    // at (i stride_h + r dilation_h - pad_top, j stride_w + s dilation_w - pad_left).
    int dilation_h = 1, dilation_w = 1;
    int groups = 1;
};

// A geometry the per-method functions below take directly: no dilation, one group.
inline bool conv2d_is_plain(const conv2d_geometry& g) {
    return g.dilation_h == 1 && g.dilation_w == 1 && g.groups == 1;
}

// Checks every size (positive, kernel no larger than the padded input, weights' C equal to
// the input's C, the limits of convlab/common.hpp) and computes
// Ho = (H + pad_top + pad_bottom - R) / stride_h + 1, likewise Wo. A stride larger than
// H + pad_top + pad_bottom - R + 1 (one output row) is stored as that value: same Ho, same
// result, and no buffer scales with it. Throws invalid_argument naming the argument ("xShape",
// "wShape", "stride", "padding").
conv2d_geometry make_conv2d_geometry(int N, int C, int H, int W, int K, int Cw, int R, int S,
                                     int stride_h, int stride_w, int pad_top, int pad_left,
                                     int pad_bottom, int pad_right);
// The same with PyTorch's dilation (>= 1 per axis) and groups (>= 1, dividing C and K; Cw is
// then C / groups): Ho = (H + pad_top + pad_bottom - dilation_h (R - 1) - 1) / stride_h + 1.
// Also throws naming "dilation" (the dilated kernel larger than the padded input) and "groups".
conv2d_geometry make_conv2d_geometry(int N, int C, int H, int W, int K, int Cw, int R, int S,
                                     int stride_h, int stride_w, int pad_top, int pad_left,
                                     int pad_bottom, int pad_right, int dilation_h,
                                     int dilation_w, int groups);

// PyTorch's padding='same' for stride 1: total = kernel - 1, before = total / 2, the extra
// one of an even kernel after. Returns {before, after}.
struct pad_pair { int before, after; };
inline pad_pair same_padding(int kernel) { return {(kernel - 1) / 2, (kernel - 1) - (kernel - 1) / 2}; }

// x is (N, C, H, W), w is (K, C / groups, R, S), bias is (K) or nullptr, y is (N, K, Ho, Wo).
// Every method honours dilation and groups (conv2d_grouped.cpp).
void conv2d_forward(const conv2d_geometry& g, const float* x, const float* w, const float* bias,
                    float* y, conv2d_method method = conv2d_method::automatic);
// dy is (N, K, Ho, Wo). Writes dx (N, C, H, W), dw (K, C / groups, R, S), db (K); any output pointer
// may be nullptr to skip it. Outputs are overwritten, not accumulated.
void conv2d_backward(const conv2d_geometry& g, const float* x, const float* w, const float* dy,
                     float* dx, float* dw, float* db,
                     conv2d_method method = conv2d_method::automatic);

// Plain-loop references of the two, with double accumulation, for tests and lessons.
void conv2d_forward_ref(const conv2d_geometry& g, const float* x, const float* w,
                        const float* bias, float* y);
void conv2d_backward_ref(const conv2d_geometry& g, const float* x, const float* w,
                         const float* dy, float* dx, float* dw, float* db);

// What 'automatic' picks for this geometry's forward pass (never returns automatic).
conv2d_method conv2d_auto_method(const conv2d_geometry& g);
// ... and for its backward pass, where the input and weight gradients are chosen separately
// (conv2d_backward with automatic runs each with its own method).
struct conv2d_backward_methods { conv2d_method input, weight; };
conv2d_backward_methods conv2d_auto_backward_methods(const conv2d_geometry& g);

// The methods one by one (what conv2d_forward / conv2d_backward dispatch to), same buffers
// and contracts as above, for plain geometries only (conv2d_is_plain); for tests, benchmarks
// and lessons.
void conv2d_direct_forward(const conv2d_geometry& g, const float* x, const float* w,
                           const float* bias, float* y);
void conv2d_direct_backward(const conv2d_geometry& g, const float* x, const float* w,
                            const float* dy, float* dx, float* dw, float* db);
void conv2d_im2col_forward(const conv2d_geometry& g, const float* x, const float* w,
                           const float* bias, float* y);
void conv2d_im2col_backward(const conv2d_geometry& g, const float* x, const float* w,
                            const float* dy, float* dx, float* dw, float* db);
void conv2d_fft_forward(const conv2d_geometry& g, const float* x, const float* w,
                        const float* bias, float* y);
void conv2d_fft_backward(const conv2d_geometry& g, const float* x, const float* w,
                         const float* dy, float* dx, float* dw, float* db);
// The FFT method caches spectra in chunks of at most this many floats (default 8 Mi, 32 MiB).
// Tests shrink it to exercise the chunking. Returns the previous value.
std::size_t conv2d_fft_set_chunk_budget(std::size_t floats);

// Dilation and groups on top of a method (conv2d_grouped.cpp; conv2d_forward / conv2d_backward
// send every geometry that is not plain here). Each group's channel slice runs through the
// method as a plain convolution of C / groups channels into K / groups. A dilated kernel runs
// in im2col as dilated windows, in direct and fft as the equivalent undilated kernel of
// (R - 1) dilation_h + 1 rows (likewise columns) with zeros between the taps: exact, and the
// method's fast path applies, at the price of multiplying those zeros (nothing for fft, whose
// cost hardly depends on the kernel's size).
void conv2d_general_forward(const conv2d_geometry& g, const float* x, const float* w,
                            const float* bias, float* y, conv2d_method method);
void conv2d_general_backward(const conv2d_geometry& g, const float* x, const float* w,
                             const float* dy, float* dx, float* dw, float* db,
                             conv2d_method method);
// The plain convolution one group of g runs: C / groups channels into K / groups, the kernel
// (R - 1) dilation_h + 1 by (S - 1) dilation_w + 1. 'auto' prices g as this geometry.
conv2d_geometry conv2d_group_geometry(const conv2d_geometry& g);

}  // namespace convlab
