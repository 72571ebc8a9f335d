// im2col.cpp: window extraction (im2col) and its adjoint (col2im) for one image. The fast
// versions work a whole output row at a time: the range of columns j whose input falls inside
// the image is computed once per (c, r, s, i), so the inner loop is a plain strided copy with
// no bounds test; the padding around it is zero-filled. The rows are short (a few dozen
// floats), so the copy at stride 1 is inlined SIMD: a call to memcpy per row cost more than
// the copy itself (in WebAssembly memcpy is an ordinary function).
#include "convlab/ops/im2col.hpp"

#include <algorithm>
#include <cstring>
#include <xsimd/xsimd.hpp>

#include "convlab/common.hpp"
#include "convlab/ops/conv2d.hpp"
#include "convlab/ops/pool2d.hpp"
#include "kernel_arch.hpp"

namespace convlab {

window_geometry window_geometry_of(const conv2d_geometry& g) {
    return {g.C, g.H, g.W, g.R, g.S, g.stride_h, g.stride_w, g.pad_top, g.pad_left, g.Ho, g.Wo};
}

window_geometry window_geometry_of(const pool2d_geometry& g) {
    if (g.dilation_h != 1 || g.dilation_w != 1)
        fail("dilation", "the windows of a dilated pooling are not im2col columns");
    return {1, g.H, g.W, g.kernel_h, g.kernel_w, g.stride_h, g.stride_w, g.pad_h, g.pad_w,
            g.Ho, g.Wo};
}

namespace {

// Columns j in [lo, hi) read input column j stride + offset inside [0, W).
struct span {
    int lo, hi;
};

using batch = xsimd::batch<float, kernel_arch>;

// dst[0, n) = src[0, n): whole batches, the rest as one more batch ending at n (overlapping
// the last; rows of 10 floats are common) or, under one batch, one float at a time.
inline void copy_row(float* dst, const float* src, int n) {
    constexpr int width = int(batch::size);
    if (n < width) {
        for (int j = 0; j < n; ++j) dst[j] = src[j];
        return;
    }
    int j = 0;
    for (; j + width <= n; j += width) batch::load_unaligned(src + j).store_unaligned(dst + j);
    if (j < n) batch::load_unaligned(src + n - width).store_unaligned(dst + n - width);
}

inline void zero_row(float* dst, int n) {
    for (int j = 0; j < n; ++j) dst[j] = 0.f;
}

span valid_columns(int offset, int stride, int W, int Wo) {
    // smallest j with j stride + offset >= 0; largest j with j stride + offset <= W - 1
    int lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    int hi = W - 1 - offset < 0 ? 0 : (W - 1 - offset) / stride + 1;
    lo = std::min(lo, Wo);
    hi = std::max(lo, std::min(hi, Wo));
    return {lo, hi};
}

}  // namespace

void im2col(const window_geometry& g, const float* x, float* cols) {
    im2col_rows(g, x, 0, g.Ho, cols);
}

void col2im(const window_geometry& g, const float* cols, float* x) {
    std::fill(x, x + std::size_t(g.C) * g.H * g.W, 0.f);
    col2im_rows_add(g, cols, 0, g.Ho, x);
}

void im2col_rows(const window_geometry& g, const float* x, int i0, int i1, float* cols) {
    const std::size_t plane = std::size_t(g.H) * g.W;
    const std::size_t n_cols = std::size_t(i1 - i0) * g.Wo;
    if (g.stride_h == 1 && g.stride_w == 1 && g.Wo == g.W) {
        // Output rows as long as input rows ('same' padding): the rows of one (c, r, s) are
        // the input plane shifted by (r - pad_top, s - pad_left), so they are one long copy;
        // only the columns that wrapped around a row's end are zeroed afterwards.
        for (int c = 0; c < g.C; ++c)
            for (int r = 0; r < g.R; ++r)
                for (int s = 0; s < g.S; ++s) {
                    float* row = cols + ((std::size_t(c) * g.R + r) * g.S + s) * n_cols;
                    const int offset = s - g.pad_left;
                    const span cs = valid_columns(offset, 1, g.W, g.Wo);
                    // output rows [ia, ib) read input rows inside the image
                    const int ia = std::clamp(g.pad_top - r, i0, i1);
                    const int ib = std::clamp(g.H + g.pad_top - r, ia, i1);
                    zero_row(row, (ia - i0) * g.Wo);
                    zero_row(row + std::size_t(ib - i0) * g.Wo, (i1 - ib) * g.Wo);
                    if (ib == ia) continue;
                    // from column cs.lo of row ia to column cs.hi of row ib - 1: never outside
                    // the image, which a copy of whole rows would be at its first and last
                    const std::size_t first = std::size_t(ia - i0) * g.Wo + cs.lo;
                    const std::size_t last = std::size_t(ib - 1 - i0) * g.Wo + cs.hi;
                    if (last > first)
                        copy_row(row + first,
                                 x + c * plane + std::size_t(ia + r - g.pad_top) * g.W + cs.lo + offset,
                                 int(last - first));
                    for (int i = ia; i < ib; ++i) {
                        float* out = row + std::size_t(i - i0) * g.Wo;
                        zero_row(out, cs.lo);
                        zero_row(out + cs.hi, g.Wo - cs.hi);
                    }
                }
        return;
    }
    if (g.stride_h == 1 && g.stride_w == 1 && g.pad_top == 0 && g.pad_left == 0 &&
        i1 - 1 + g.R <= g.H && g.Wo - 1 + g.S <= g.W) {
        // Every window inside the image (no padding reached): each output row is one short
        // copy, with no bounds to work out per row.
        for (int c = 0; c < g.C; ++c)
            for (int r = 0; r < g.R; ++r)
                for (int s = 0; s < g.S; ++s) {
                    float* out = cols + ((std::size_t(c) * g.R + r) * g.S + s) * n_cols;
                    const float* in = x + c * plane + std::size_t(i0 + r) * g.W + s;
                    for (int i = i0; i < i1; ++i, out += g.Wo, in += g.W)
                        copy_row(out, in, g.Wo);
                }
        return;
    }
    for (int c = 0; c < g.C; ++c)
        for (int r = 0; r < g.R; ++r)
            for (int s = 0; s < g.S; ++s) {
                float* row = cols + ((std::size_t(c) * g.R + r) * g.S + s) * n_cols;
                const span cs = valid_columns(s - g.pad_left, g.stride_w, g.W, g.Wo);
                for (int i = i0; i < i1; ++i) {
                    float* out = row + std::size_t(i - i0) * g.Wo;
                    const int h = i * g.stride_h + r - g.pad_top;
                    if (h < 0 || h >= g.H) {
                        zero_row(out, g.Wo);
                        continue;
                    }
                    const float* in = x + c * plane + std::size_t(h) * g.W;
                    const int offset = s - g.pad_left;
                    zero_row(out, cs.lo);
                    if (g.stride_w == 1) {
                        copy_row(out + cs.lo, in + cs.lo + offset, cs.hi - cs.lo);
                    } else {
                        for (int j = cs.lo; j < cs.hi; ++j) out[j] = in[j * g.stride_w + offset];
                    }
                    zero_row(out + cs.hi, g.Wo - cs.hi);
                }
            }
}

void col2im_rows_add(const window_geometry& g, const float* cols, int i0, int i1, float* x) {
    const std::size_t plane = std::size_t(g.H) * g.W;
    const std::size_t n_cols = std::size_t(i1 - i0) * g.Wo;
    for (int c = 0; c < g.C; ++c)
        for (int r = 0; r < g.R; ++r)
            for (int s = 0; s < g.S; ++s) {
                const float* row = cols + ((std::size_t(c) * g.R + r) * g.S + s) * n_cols;
                const span cs = valid_columns(s - g.pad_left, g.stride_w, g.W, g.Wo);
                for (int i = i0; i < i1; ++i) {
                    const int h = i * g.stride_h + r - g.pad_top;
                    if (h < 0 || h >= g.H) continue;
                    const float* in = row + std::size_t(i - i0) * g.Wo;
                    float* out = x + c * plane + std::size_t(h) * g.W;
                    const int offset = s - g.pad_left;
                    if (g.stride_w == 1) {  // contiguous: lets the compiler vectorise
                        float* o = out + offset;
                        for (int j = cs.lo; j < cs.hi; ++j) o[j] += in[j];
                    } else {
                        for (int j = cs.lo; j < cs.hi; ++j) out[j * g.stride_w + offset] += in[j];
                    }
                }
            }
}

void im2col_ref(const window_geometry& g, const float* x, float* cols) {
    for (int c = 0; c < g.C; ++c)
        for (int r = 0; r < g.R; ++r)
            for (int s = 0; s < g.S; ++s)
                for (int i = 0; i < g.Ho; ++i)
                    for (int j = 0; j < g.Wo; ++j) {
                        const int h = i * g.stride_h + r - g.pad_top;
                        const int v = j * g.stride_w + s - g.pad_left;
                        const bool inside = h >= 0 && h < g.H && v >= 0 && v < g.W;
                        cols[((std::size_t(c) * g.R + r) * g.S + s) * g.cols() + i * g.Wo + j] =
                            inside ? x[(std::size_t(c) * g.H + h) * g.W + v] : 0.f;
                    }
}

void col2im_ref(const window_geometry& g, const float* cols, float* x) {
    std::fill(x, x + std::size_t(g.C) * g.H * g.W, 0.f);
    for (int c = 0; c < g.C; ++c)
        for (int r = 0; r < g.R; ++r)
            for (int s = 0; s < g.S; ++s)
                for (int i = 0; i < g.Ho; ++i)
                    for (int j = 0; j < g.Wo; ++j) {
                        const int h = i * g.stride_h + r - g.pad_top;
                        const int v = j * g.stride_w + s - g.pad_left;
                        if (h >= 0 && h < g.H && v >= 0 && v < g.W)
                            x[(std::size_t(c) * g.H + h) * g.W + v] +=
                                cols[((std::size_t(c) * g.R + r) * g.S + s) * g.cols() + i * g.Wo + j];
                    }
}

}  // namespace convlab
