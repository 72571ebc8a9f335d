// bind_ops.cpp: the one-off ops (1-D, 2-D, transposed 2-D, activations). Each reads its options through the
// core's readers (convlab/nn/options.hpp) and checks buffer counts against the shapes the
// core computes; the wrapper only checks JavaScript types.
#include "bind_ops.hpp"

#include "convlab/nn/options.hpp"
#include "convlab/ops/activation.hpp"
#include "convlab/ops/conv1d.hpp"
#include "convlab/ops/conv2d.hpp"
#include "convlab/ops/conv_transpose2d.hpp"
#include "convlab/ops/fft.hpp"
#include "convlab/ops/pool2d.hpp"

namespace bind {
namespace {

std::vector<int> output_shape(const convlab::conv2d_geometry& g) { return {g.N, g.K, g.Ho, g.Wo}; }
std::vector<int> weight_shape(const convlab::conv2d_geometry& g) {
    return {g.K, g.C / g.groups, g.R, g.S};
}

// The checked call of conv2d / conv2dBackward, with x's and w's counts checked against it.
convlab::conv2d_call conv2d_call_checked(const val& x_shape, const val& w_shape,
                                         const val& options, const char* fn, double nx, double nw) {
    const convlab::conv2d_call c = convlab::read_conv2d_call(value_from(x_shape), value_from(w_shape),
                                                             fields_from(options), fn);
    const convlab::conv2d_geometry& g = c.geometry;
    require_count("x", nx, {g.N, g.C, g.H, g.W}, "xShape");
    require_count("w", nw, weight_shape(g), "wShape");
    return c;
}

}  // namespace

val auto_method_1d(val n, val m) {
    return guarded([&] {
        const int nn = convlab::read_positive_int(value_from(n), "n");
        const int mm = convlab::read_positive_int(value_from(m), "m");
        return val(std::string(convlab::conv1d_method_name(convlab::conv1d_auto_method(
            static_cast<std::size_t>(nn), static_cast<std::size_t>(mm)))));
    });
}

val conv1d(int which, address f, double n, address h, double m, val options) {
    return guarded([&] {
        const int fn = convlab::read_positive_int(convlab::number_value(n), "f");
        const int hm = convlab::read_positive_int(convlab::number_value(m), "h");
        const char* name = which == 0 ? "convolve" : "correlate";
        const convlab::conv1d_call c = convlab::read_conv1d_options(fields_from(options), name);
        const std::vector<float> y =
            which == 0
                ? convlab::convolve(at<const float>(f), fn, at<const float>(h), hm, c.mode, c.method)
                : convlab::correlate(at<const float>(f), fn, at<const float>(h), hm, c.mode, c.method);
        return float_array(y.data(), y.size());
    });
}

val toeplitz(address h, double m, val n) {
    return guarded([&] {
        const int hm = convlab::read_positive_int(convlab::number_value(m), "h");
        const int nn = convlab::read_positive_int(value_from(n), "n");
        if ((static_cast<double>(nn) + hm - 1) * nn > (1 << 30))
            convlab::fail("n", "the " + std::to_string(nn + hm - 1) + " x " + std::to_string(nn) +
                                   " matrix is too large");
        const std::vector<float> t = convlab::toeplitz_matrix(at<const float>(h), hm, nn);
        return float_array(t.data(), t.size());
    });
}

val fft(address re, double n, address im, double n_im, bool inverse) {
    return guarded([&] {
        const int len = convlab::read_positive_int(convlab::number_value(n), "re");
        if (n_im != n)
            convlab::fail("im", "expected " + std::to_string(len) + " elements (as re), got " +
                                    std::to_string(static_cast<long long>(n_im)));
        if (inverse)
            convlab::fft_inverse(at<float>(re), at<float>(im), len);
        else
            convlab::fft_forward(at<float>(re), at<float>(im), len);
        return val::undefined();
    });
}

val auto_method_2d(val x_shape, val w_shape, val options) {
    return guarded([&] {
        const convlab::conv2d_call c = convlab::read_conv2d_call(
            value_from(x_shape), value_from(w_shape), fields_from(options), "autoMethod2d");
        return val(std::string(convlab::conv2d_method_name(convlab::conv2d_auto_method(c.geometry))));
    });
}

val conv2d(address x, double nx, address w, double nw, address bias, double nbias, val x_shape,
           val w_shape, val options) {
    return guarded([&] {
        const convlab::conv2d_call c = conv2d_call_checked(x_shape, w_shape, options, "conv2d", nx, nw);
        const convlab::conv2d_geometry& g = c.geometry;
        if (bias) require_count("bias", nbias, {g.K}, "wShape[0]");
        const std::vector<int> shape = output_shape(g);
        const auto y = uninitialised(count_of(shape));
        convlab::conv2d_forward(g, at<const float>(x), at<const float>(w),
                                bias ? at<const float>(bias) : nullptr, y.get(), c.method);
        return tensor_object(y.get(), shape);
    });
}

val conv2d_backward(address x, double nx, address w, double nw, address dy, double ndy,
                    val x_shape, val w_shape, val options) {
    return guarded([&] {
        const convlab::conv2d_call c =
            conv2d_call_checked(x_shape, w_shape, options, "conv2dBackward", nx, nw);
        const convlab::conv2d_geometry& g = c.geometry;
        require_count("gradOut", ndy, output_shape(g), "output shape");
        const std::size_t nxs = count_of({g.N, g.C, g.H, g.W});
        const std::size_t nws = count_of(weight_shape(g));
        const auto dx = uninitialised(nxs);
        const auto dw = uninitialised(nws);
        const auto db = uninitialised(g.K);
        convlab::conv2d_backward(g, at<const float>(x), at<const float>(w), at<const float>(dy),
                                 dx.get(), dw.get(), db.get(), c.method);
        val r = val::object();
        r.set("gradInput", float_array(dx.get(), nxs));
        r.set("gradWeight", float_array(dw.get(), nws));
        r.set("gradBias", float_array(db.get(), g.K));
        return r;
    });
}

namespace {

// The checked call of convTranspose2d / convTranspose2dBackward, with x's and w's counts.
convlab::conv_transpose2d_call conv_transpose2d_call_checked(const val& x_shape, const val& w_shape,
                                                             const val& options, const char* fn,
                                                             double nx, double nw) {
    const convlab::conv_transpose2d_call c = convlab::read_conv_transpose2d_call(
        value_from(x_shape), value_from(w_shape), fields_from(options), fn);
    const convlab::conv2d_geometry& g = c.geometry.conv;
    require_count("x", nx, {g.N, g.K, c.geometry.H, c.geometry.W}, "xShape");
    require_count("w", nw, {g.K, g.C / g.groups, g.R, g.S}, "wShape");
    return c;
}

}  // namespace

val conv_transpose2d(address x, double nx, address w, double nw, address bias, double nbias,
                     val x_shape, val w_shape, val options) {
    return guarded([&] {
        const convlab::conv_transpose2d_call c =
            conv_transpose2d_call_checked(x_shape, w_shape, options, "convTranspose2d", nx, nw);
        const convlab::conv2d_geometry& g = c.geometry.conv;
        if (bias) require_count("bias", nbias, {g.C}, "wShape[1] x groups");
        const std::vector<int> shape = {g.N, g.C, g.H, g.W};
        const auto y = uninitialised(count_of(shape));
        convlab::conv_transpose2d_forward(c.geometry, at<const float>(x), at<const float>(w),
                                          bias ? at<const float>(bias) : nullptr, y.get(), c.method);
        return tensor_object(y.get(), shape);
    });
}

val conv_transpose2d_backward(address x, double nx, address w, double nw, address dy, double ndy,
                              val x_shape, val w_shape, val options) {
    return guarded([&] {
        const convlab::conv_transpose2d_call c = conv_transpose2d_call_checked(
            x_shape, w_shape, options, "convTranspose2dBackward", nx, nw);
        const convlab::conv2d_geometry& g = c.geometry.conv;
        require_count("gradOut", ndy, {g.N, g.C, g.H, g.W}, "output shape");
        const std::size_t nxs = count_of({g.N, g.K, c.geometry.H, c.geometry.W});
        const std::size_t nws = count_of({g.K, g.C / g.groups, g.R, g.S});
        const auto dx = uninitialised(nxs);
        const auto dw = uninitialised(nws);
        const auto db = uninitialised(g.C);
        convlab::conv_transpose2d_backward(c.geometry, at<const float>(x), at<const float>(w),
                                           at<const float>(dy), dx.get(), dw.get(), db.get(),
                                           c.method);
        val r = val::object();
        r.set("gradInput", float_array(dx.get(), nxs));
        r.set("gradWeight", float_array(dw.get(), nws));
        r.set("gradBias", float_array(db.get(), g.C));
        return r;
    });
}

namespace {
const char* pool_name(int kind, bool backward) {
    if (kind == 0) return backward ? "maxPool2dBackward" : "maxPool2d";
    return backward ? "avgPool2dBackward" : "avgPool2d";
}
}  // namespace

// kind: 0 max, 1 average.
val pool2d(int kind, address x, double nx, val x_shape, val options) {
    return guarded([&] {
        const convlab::pool2d_geometry g =
            convlab::read_pool2d_call(value_from(x_shape), fields_from(options), pool_name(kind, false));
        require_count("x", nx, {g.N, g.C, g.H, g.W}, "xShape");
        const std::vector<int> shape = {g.N, g.C, g.Ho, g.Wo};
        const auto y = uninitialised(count_of(shape));
        if (kind == 0)
            convlab::max_pool2d_forward(g, at<const float>(x), y.get());
        else
            convlab::avg_pool2d_forward(g, at<const float>(x), y.get());
        return tensor_object(y.get(), shape);
    });
}

val pool2d_backward(int kind, address x, double nx, address dy, double ndy, val x_shape,
                    val options) {
    return guarded([&] {
        const convlab::pool2d_geometry g =
            convlab::read_pool2d_call(value_from(x_shape), fields_from(options), pool_name(kind, true));
        require_count("x", nx, {g.N, g.C, g.H, g.W}, "xShape");
        require_count("gradOut", ndy, {g.N, g.C, g.Ho, g.Wo}, "output shape");
        const std::size_t n = count_of({g.N, g.C, g.H, g.W});
        const auto dx = uninitialised(n);
        if (kind == 0)
            convlab::max_pool2d_backward(g, at<const float>(x), at<const float>(dy), dx.get());
        else
            convlab::avg_pool2d_backward(g, at<const float>(dy), dx.get());
        return float_array(dx.get(), n);
    });
}

val activation(std::string name, address x, double n) {
    return guarded([&] {
        const convlab::activation a = convlab::activation_from_name(name, "name");
        const std::size_t count = static_cast<std::size_t>(n);
        const auto y = uninitialised(count);
        convlab::activation_forward(a, at<const float>(x), y.get(), count);
        return float_array(y.get(), count);
    });
}

}  // namespace bind
