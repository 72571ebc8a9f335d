// convlab/ops/conv2d.hpp: 2-D multi-channel convolution in PyTorch's semantics, i.e. the
// cross-correlation of eq. (2.20), with bias, per-axis stride and zero padding, forward and
// backward side by side. Methods (conv2d_variants.inc): direct loops vectorised with xsimd,
// im2col + GEMM (the 2-D Toeplitz form), and FFT. Dilation and groups are left out.
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
};

// Checks every size (positive, kernel no larger than the padded input, weights' C equal to
// the input's C, the limits of convlab/common.hpp) and computes
// Ho = (H + pad_top + pad_bottom - R) / stride_h + 1, likewise Wo. A stride larger than
// H + pad_top + pad_bottom - R + 1 (one output row) is stored as that value: same Ho, same
// result, and no buffer scales with it. Throws invalid_argument naming the argument ("xShape",
// "wShape", "stride", "padding").
conv2d_geometry make_conv2d_geometry(int N, int C, int H, int W, int K, int Cw, int R, int S,
                                     int stride_h, int stride_w, int pad_top, int pad_left,
                                     int pad_bottom, int pad_right);

// PyTorch's padding='same' for stride 1: total = kernel - 1, before = total / 2, the extra
// one of an even kernel after. Returns {before, after}.
struct pad_pair { int before, after; };
inline pad_pair same_padding(int kernel) { return {(kernel - 1) / 2, (kernel - 1) - (kernel - 1) / 2}; }

// x is (N, C, H, W), w is (K, C, R, S), bias is (K) or nullptr, y is (N, K, Ho, Wo).
void conv2d_forward(const conv2d_geometry& g, const float* x, const float* w, const float* bias,
                    float* y, conv2d_method method = conv2d_method::automatic);
// dy is (N, K, Ho, Wo). Writes dx (N, C, H, W), dw (K, C, R, S), db (K); any output pointer
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
// and contracts as above; for tests, benchmarks and lessons.
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

}  // namespace convlab
