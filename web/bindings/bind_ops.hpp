// bind_ops.hpp: the one-off ops' entry points (bind_ops.cpp), registered in bindings.cpp.
// Each array argument is (address, count); options are the caller's JS object.
#pragma once

#include "bind_common.hpp"

namespace bind {

val auto_method_1d(val n, val m);
val conv1d(int which, address f, double n, address h, double m, val options);  // 0 convolve
val toeplitz(address h, double m, val n);
val fft(address re, double n, address im, double n_im, bool inverse);  // in place
val auto_method_2d(val x_shape, val w_shape, val options);
val conv2d(address x, double nx, address w, double nw, address bias, double nbias, val x_shape,
           val w_shape, val options);
val conv2d_backward(address x, double nx, address w, double nw, address dy, double ndy,
                    val x_shape, val w_shape, val options);
val conv_transpose2d(address x, double nx, address w, double nw, address bias, double nbias,
                     val x_shape, val w_shape, val options);
val conv_transpose2d_backward(address x, double nx, address w, double nw, address dy, double ndy,
                              val x_shape, val w_shape, val options);
val pool2d(int kind, address x, double nx, val x_shape, val options);  // kind 0 max, 1 average
val pool2d_backward(int kind, address x, double nx, address dy, double ndy, val x_shape,
                    val options);
val activation(std::string name, address x, double n);

}  // namespace bind
