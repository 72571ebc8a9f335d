// conv2d_direct.cpp: the direct method of 2-D convolution. Placeholder until the fast version
// lands: it forwards to the plain-loop reference so callers can link and get exact results.
#include "convlab/ops/conv2d.hpp"

namespace convlab {

void conv2d_direct_forward(const conv2d_geometry& g, const float* x, const float* w,
                         const float* bias, float* y) {
    conv2d_forward_ref(g, x, w, bias, y);
}

void conv2d_direct_backward(const conv2d_geometry& g, const float* x, const float* w,
                          const float* dy, float* dx, float* dw, float* db) {
    conv2d_backward_ref(g, x, w, dy, dx, dw, db);
}

}  // namespace convlab
