// conv2d_grouped.cpp: PyTorch's dilation and groups for every 2-D convolution method, built on
// the plain methods rather than inside them, so each method's kernels stay as they are.
//
// Groups: output channels [gi Kg, (gi + 1) Kg) read only input channels [gi Cg, (gi + 1) Cg),
// through weights w[gi Kg .. (gi + 1) Kg) (contiguous, as w is (K, Cg, R, S)). Each group's
// channel slice of x (and of dy, dx) is gathered into a contiguous (N, Cg, H, W) buffer, run
// through the method as a plain convolution, and scattered back.
//
// Dilation: tap (r, s) reads x at (i sh + r dh - pt, j sw + s dw - pl). The im2col method
// takes those windows directly (conv2d_dilated.cpp, which also does its own groups). For direct
// and fft it is the plain convolution with the kernel written out on a (R - 1) dh + 1 by
// (S - 1) dw + 1 grid, w[r, s] at (r dh, s dw) and zeros between; its weight gradient, read
// back at those positions, is the dilated kernel's weight gradient. 'auto' prices that plain
// convolution of one group (conv2d_group_geometry), which overprices im2col's dilated windows
// (it never picks im2col where the zero-filled kernel would not have been worth it), and takes
// im2col where that kernel would not fit the workspace limit (conv2d_general_method).
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "conv2d_dilated.hpp"
#include "convlab/common.hpp"
#include "convlab/ops/conv2d.hpp"

namespace convlab {

namespace {

// Scratch that only grows, one per use and thread, so that a network's steady-state step
// allocates nothing here either.
template <int I>
float* scratch(std::size_t n) {
    thread_local std::vector<float> buffer;
    if (buffer.size() < n) buffer.resize(n);
    return buffer.data();
}

std::string pair_text(long long a, long long b) {
    return "[" + std::to_string(a) + ", " + std::to_string(b) + "]";
}

// N blocks of `block` floats, src's every src_step floats apart, dst's every dst_step: a
// group's channel slice of every image out of a full tensor (src_step = channels x plane) or
// back into one.
void copy_blocks(const float* src, std::size_t src_step, float* dst, std::size_t dst_step,
                 std::size_t block, int N) {
    for (int n = 0; n < N; ++n) std::memcpy(dst + n * dst_step, src + n * src_step, sizeof(float) * block);
}

// w (K, Cg, R, S) -> we (K, Cg, Re, Se) with w[.., r, s] at (r dh, s dw) and zeros elsewhere.
void expand_kernel(const conv2d_geometry& g, const conv2d_geometry& e, const float* w, float* we) {
    const std::size_t kc = std::size_t(g.K) * (g.C / g.groups);
    std::fill(we, we + kc * e.R * e.S, 0.f);
    for (std::size_t q = 0; q < kc; ++q)
        for (int r = 0; r < g.R; ++r)
            for (int s = 0; s < g.S; ++s)
                we[(q * e.R + std::size_t(r) * g.dilation_h) * e.S + std::size_t(s) * g.dilation_w] =
                    w[(q * g.R + r) * g.S + s];
}

// The adjoint: dw (K, Cg, R, S) reads dwe (K, Cg, Re, Se) at the taps.
void compress_kernel(const conv2d_geometry& g, const conv2d_geometry& e, const float* dwe,
                     float* dw) {
    const std::size_t kc = std::size_t(g.K) * (g.C / g.groups);
    for (std::size_t q = 0; q < kc; ++q)
        for (int r = 0; r < g.R; ++r)
            for (int s = 0; s < g.S; ++s)
                dw[(q * g.R + r) * g.S + s] =
                    dwe[(q * e.R + std::size_t(r) * g.dilation_h) * e.S + std::size_t(s) * g.dilation_w];
}

bool dilated(const conv2d_geometry& g) { return g.dilation_h != 1 || g.dilation_w != 1; }

// The zero-filled kernel (K, Cg, Re, Se) grows with the dilation squared: refused past the
// workspace limit, naming dilation, before anything is allocated.
void require_expansion_fits(const conv2d_geometry& g, conv2d_method m) {
    if (conv2d_expansion_fits(g)) return;
    fail("dilation", std::string("too large for method '") + conv2d_method_name(m) +
                         "', which runs the kernel with zeros between its taps (more than " +
                         std::to_string(max_workspace_elements) + " floats); 'im2col' takes it");
}

}  // namespace

conv2d_geometry make_conv2d_geometry(int N, int C, int H, int W, int K, int Cw, int R, int S,
                                     int stride_h, int stride_w, int pad_top, int pad_left,
                                     int pad_bottom, int pad_right, int dilation_h,
                                     int dilation_w, int groups) {
    if (dilation_h < 1 || dilation_w < 1)
        fail("dilation", "expected positive integers, got " + pair_text(dilation_h, dilation_w));
    if (groups < 1) fail("groups", "expected a positive integer, got " + std::to_string(groups));
    if (groups > 1 && C > 0 && K > 0 && (C % groups != 0 || K % groups != 0))
        fail("groups", "expected a divisor of both the input channels (" + std::to_string(C) +
                           ") and the output channels (" + std::to_string(K) + "), got " +
                           std::to_string(groups));
    if (groups > 1 && C > 0 && Cw > 0 && Cw * static_cast<long long>(groups) != C)
        fail("wShape", "expected " + std::to_string(C / groups) +
                           " input channels per group (xShape[1] / groups = " + std::to_string(C) +
                           " / " + std::to_string(groups) + ") in wShape[1], got " +
                           std::to_string(Cw));
    // The dilated kernel's extent, in 64 bits (a huge dilation must not wrap around in int).
    const long long Re = (R - 1LL) * dilation_h + 1, Se = (S - 1LL) * dilation_w + 1;
    const long long Hp = 0LL + H + pad_top + pad_bottom, Wp = 0LL + W + pad_left + pad_right;
    if (R <= 0 || S <= 0 || Re > Hp || Se > Wp || Re > max_extent || Se > max_extent) {
        // Undilated, the same sizes throw for whatever else is wrong (sizes, the kernel itself
        // too large, bad padding): those errors come first, as without dilation.
        make_conv2d_geometry(N, C, H, W, K, groups == 1 ? Cw : C, R, S, stride_h, stride_w,
                             pad_top, pad_left, pad_bottom, pad_right);
        fail("dilation", "the dilated kernel (" + std::to_string(Re) + "x" + std::to_string(Se) +
                             ", kernel " + std::to_string(R) + "x" + std::to_string(S) +
                             " with dilation " + pair_text(dilation_h, dilation_w) +
                             ") is larger than the padded input " + std::to_string(Hp) + "x" +
                             std::to_string(Wp));
    }
    // Every other check, Ho, Wo and the clamped stride are the plain geometry's with the
    // dilated kernel's extent.
    conv2d_geometry g = make_conv2d_geometry(N, C, H, W, K, groups == 1 ? Cw : C, int(Re),
                                             int(Se), stride_h, stride_w, pad_top, pad_left,
                                             pad_bottom, pad_right);
    g.R = R, g.S = S;
    g.dilation_h = dilation_h, g.dilation_w = dilation_w;
    g.groups = groups;
    return g;
}

bool conv2d_expansion_fits(const conv2d_geometry& g) {
    if (!dilated(g)) return true;
    const long long Re = (g.R - 1LL) * g.dilation_h + 1, Se = (g.S - 1LL) * g.dilation_w + 1;
    return checked_product(checked_product(g.K, g.C / g.groups), checked_product(Re, Se),
                           max_workspace_elements) >= 0;
}

conv2d_geometry conv2d_group_geometry(const conv2d_geometry& g) {
    conv2d_geometry e = g;
    e.C = g.C / g.groups, e.K = g.K / g.groups, e.groups = 1;
    e.R = (g.R - 1) * g.dilation_h + 1, e.S = (g.S - 1) * g.dilation_w + 1;
    e.dilation_h = e.dilation_w = 1;
    return e;
}

void conv2d_general_forward(const conv2d_geometry& g, const float* x, const float* w,
                            const float* bias, float* y, conv2d_method method) {
    const conv2d_geometry e = conv2d_group_geometry(g);
    if (method == conv2d_method::automatic) method = conv2d_auto_method(g);
    if (dilated(g) && method == conv2d_method::im2col) {
        conv2d_dilated_im2col_forward(g, x, w, bias, y);
        return;
    }
    require_expansion_fits(g, method);
    const std::size_t w_group = std::size_t(e.K) * e.C * e.R * e.S;
    const float* we = w;
    if (dilated(g)) {
        float* buffer = scratch<0>(w_group * g.groups);
        expand_kernel(g, e, w, buffer);
        we = buffer;
    }
    if (g.groups == 1) {
        conv2d_forward(e, x, we, bias, y, method);
        return;
    }
    const std::size_t in_plane = std::size_t(g.H) * g.W, out_plane = std::size_t(g.Ho) * g.Wo;
    float* xg = scratch<1>(std::size_t(g.N) * e.C * in_plane);
    float* yg = scratch<2>(std::size_t(g.N) * e.K * out_plane);
    const std::size_t x_block = e.C * in_plane, y_block = e.K * out_plane;
    for (int gi = 0; gi < g.groups; ++gi) {
        copy_blocks(x + gi * x_block, g.C * in_plane, xg, x_block, x_block, g.N);
        conv2d_forward(e, xg, we + gi * w_group, bias ? bias + gi * e.K : nullptr, yg, method);
        copy_blocks(yg, y_block, y + gi * y_block, g.K * out_plane, y_block, g.N);
    }
}

void conv2d_general_backward(const conv2d_geometry& g, const float* x, const float* w,
                             const float* dy, float* dx, float* dw, float* db,
                             conv2d_method method) {
    const conv2d_geometry e = conv2d_group_geometry(g);
    if (method == conv2d_method::automatic) {
        // conv2d_backward picks each gradient's method and comes back with it
        conv2d_backward(g, x, w, dy, dx, dw, db, method);
        return;
    }
    if (dilated(g) && method == conv2d_method::im2col) {
        conv2d_dilated_im2col_backward(g, x, w, dy, dx, dw, db);
        return;
    }
    require_expansion_fits(g, method);
    const std::size_t w_group = std::size_t(e.K) * e.C * e.R * e.S;
    const float* we = w;
    float* dwe = dw;
    if (dilated(g)) {
        if (dx) {
            float* buffer = scratch<0>(w_group * g.groups);
            expand_kernel(g, e, w, buffer);
            we = buffer;
        }
        if (dw) dwe = scratch<3>(w_group * g.groups);
    }
    if (g.groups == 1) {
        conv2d_backward(e, x, we, dy, dx, dwe, db, method);
    } else {
        const std::size_t in_plane = std::size_t(g.H) * g.W, out_plane = std::size_t(g.Ho) * g.Wo;
        float* xg = scratch<1>(std::size_t(g.N) * e.C * in_plane);
        float* dyg = scratch<2>(std::size_t(g.N) * e.K * out_plane);
        float* dxg = dx ? scratch<4>(std::size_t(g.N) * e.C * in_plane) : nullptr;
        const std::size_t x_block = e.C * in_plane, y_block = e.K * out_plane;
        for (int gi = 0; gi < g.groups; ++gi) {
            // x feeds only the weight gradient
            if (dw) copy_blocks(x + gi * x_block, g.C * in_plane, xg, x_block, x_block, g.N);
            copy_blocks(dy + gi * y_block, g.K * out_plane, dyg, y_block, y_block, g.N);
            conv2d_backward(e, xg, we + gi * w_group, dyg, dxg, dwe ? dwe + gi * w_group : nullptr,
                            db ? db + gi * e.K : nullptr, method);
            if (dx) copy_blocks(dxg, x_block, dx + gi * x_block, g.C * in_plane, x_block, g.N);
        }
    }
    if (dw && dwe != dw) compress_kernel(g, e, dwe, dw);
}

}  // namespace convlab
