// conv2d_dilated.hpp: the im2col method's own handling of dilation (conv2d_dilated.cpp), used
// by conv2d_grouped.cpp in place of the zero-filled kernel the other methods run. Not public.
#pragma once

#include "convlab/ops/conv2d.hpp"

namespace convlab {

// Any geometry (dilation and groups included), the buffers and contracts of conv2d_forward /
// conv2d_backward.
void conv2d_dilated_im2col_forward(const conv2d_geometry& g, const float* x, const float* w,
                                   const float* bias, float* y);
void conv2d_dilated_im2col_backward(const conv2d_geometry& g, const float* x, const float* w,
                                    const float* dy, float* dx, float* dw, float* db);

// Whether the zero-filled form of g's dilated kernel, (K, C / groups, (R - 1) dh + 1,
// (S - 1) dw + 1), fits the workspace limit; always true without dilation.
bool conv2d_expansion_fits(const conv2d_geometry& g);

// 'auto' for a geometry that is not plain, given the cost model's pick for one group's plain
// form: that pick, or im2col when it would need a zero-filled kernel past the limit.
inline conv2d_method conv2d_general_method(const conv2d_geometry& g, conv2d_method pick) {
    return conv2d_expansion_fits(g) ? pick : conv2d_method::im2col;
}

}  // namespace convlab
