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

}  // namespace convlab
