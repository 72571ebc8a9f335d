// bindings.cpp: the project's only Embind code. It exposes the core to web/bindings/convlab.js,
// which is the public API: this file is a thin, unsafe-looking layer that the wrapper drives.
//
// - Buffers cross as heap addresses (numbers): the wrapper mallocs, copies a Float32Array in,
//   calls here, and frees. Results leave as fresh Float32Array copies, never as views that a
//   later call could overwrite.
// - No C++ exception ever reaches JavaScript: every entry point runs inside `guarded`, which
//   turns an exception into a returned JS Error object (RangeError for an invalid argument)
//   that the wrapper throws. Returning rather than throwing from C++ matters: a JS throw
//   would unwind past C++ destructors and leak whatever was allocated.
// - Argument checks live in the core (convlab::invalid_argument names the JS argument) and,
//   where cheap, in the wrapper; here only what the core cannot know (buffer lengths).
#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "convlab/common.hpp"
#include "convlab/nn/sequential.hpp"
#include "convlab/ops/activation.hpp"
#include "convlab/ops/conv1d.hpp"
#include "convlab/ops/conv2d.hpp"
#include "convlab/ops/fft.hpp"
#include "convlab/ops/pool2d.hpp"

#ifndef CONVLAB_VERSION
#define CONVLAB_VERSION "0.0.0"
#endif

namespace {

using emscripten::val;
using address = std::uintptr_t;  // a byte offset into the wasm heap, as JS passes it

template <class T>
T* at(address p) {
    return reinterpret_cast<T*>(p);
}

val js_error(const char* kind, const std::string& message) {
    return val::global(kind).new_(message);
}

// Runs body() and turns any exception into a returned JS Error (see the file comment).
template <class F>
val guarded(F&& body) {
    try {
        return body();
    } catch (const convlab::invalid_argument& e) {
        return js_error("RangeError", e.what());
    } catch (const std::bad_alloc&) {
        return js_error("RangeError", "out of memory (the WebAssembly heap is limited to 2 GB)");
    } catch (const std::exception& e) {
        return js_error("Error", e.what());
    } catch (...) {
        return js_error("Error", "unknown C++ exception");
    }
}

// A JS-owned copy of n floats. data is (n).
val float_array(const float* data, std::size_t n) {
    return val::global("Float32Array").new_(val(emscripten::typed_memory_view(n, data)));
}

val int_array(const std::vector<int>& values) {
    val a = val::array();
    for (int v : values) a.call<void>("push", v);
    return a;
}

std::size_t count_of(const std::vector<int>& shape) {
    std::size_t n = 1;
    for (int d : shape) n *= static_cast<std::size_t>(d);
    return n;
}

// Scratch for a result on its way out: the core overwrites every element (its contract), so
// unlike std::vector<float>(n) it is not zero-filled first.
std::unique_ptr<float[]> uninitialised(std::size_t n) { return std::unique_ptr<float[]>(new float[n]); }

// { data, shape }: a JS-owned copy of the (shape...) floats at data.
val tensor_object(const float* data, const std::vector<int>& shape) {
    val r = val::object();
    r.set("data", float_array(data, count_of(shape)));
    r.set("shape", int_array(shape));
    return r;
}

// Fails naming gradOut unless it has one element per entry of shape.
void require_grad_count(int count, const std::vector<int>& shape) {
    if (static_cast<std::size_t>(count) == count_of(shape)) return;
    std::string dims;
    for (int d : shape) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
    convlab::fail("gradOut", "expected " + std::to_string(count_of(shape)) + " elements for shape [" +
                                 dims + "], got " + std::to_string(count));
}

int int_at(const val& array, int i) { return array[i].as<int>(); }

// ---- meta -------------------------------------------------------------------------------

std::string version() { return CONVLAB_VERSION; }

bool simd() {
#ifdef __wasm_simd128__
    return true;
#else
    return false;
#endif
}

// Bytes currently handed out by malloc: the leak check of the Node tests.
double heap_used() { return static_cast<double>(mallinfo().uordblks); }

val methods_1d() {
    val a = val::array();
#define CONVLAB_CONV1D_VARIANT(id, name) a.call<void>("push", std::string(name));
#include "convlab/ops/conv1d_variants.inc"
#undef CONVLAB_CONV1D_VARIANT
    return a;
}

val methods_2d() {
    val a = val::array();
#define CONVLAB_CONV2D_VARIANT(id, name) a.call<void>("push", std::string(name));
#include "convlab/ops/conv2d_variants.inc"
#undef CONVLAB_CONV2D_VARIANT
    return a;
}

// ---- 1-D --------------------------------------------------------------------------------

val auto_method_1d(int n, int m) {
    return guarded([&] {
        convlab::require_positive(n, "n");
        convlab::require_positive(m, "m");
        return val(std::string(convlab::conv1d_method_name(convlab::conv1d_auto_method(
            static_cast<std::size_t>(n), static_cast<std::size_t>(m)))));
    });
}

// f is (n), h is (m). which: 0 convolve, 1 correlate.
val conv1d(int which, address f, int n, address h, int m, std::string mode, std::string method) {
    return guarded([&] {
        convlab::require_positive(n, "f");
        convlab::require_positive(m, "h");
        const convlab::conv_mode md = convlab::conv_mode_from_name(mode, "mode");
        const convlab::conv1d_method me = convlab::conv1d_method_from_name(method, "method");
        const std::vector<float> y =
            which == 0 ? convlab::convolve(at<const float>(f), n, at<const float>(h), m, md, me)
                       : convlab::correlate(at<const float>(f), n, at<const float>(h), m, md, me);
        return float_array(y.data(), y.size());
    });
}

// h is (m). Returns the (n + m - 1) x n matrix, row-major.
val toeplitz(address h, int m, int n) {
    return guarded([&] {
        convlab::require_positive(m, "h");
        convlab::require_positive(n, "n");
        const std::vector<float> t = convlab::toeplitz_matrix(at<const float>(h), m, n);
        return float_array(t.data(), t.size());
    });
}

// re, im are (n), transformed in place; the wrapper copies them out.
val fft(address re, address im, int n, bool inverse) {
    return guarded([&] {
        convlab::require_positive(n, "re");
        if (inverse)
            convlab::fft_inverse(at<float>(re), at<float>(im), n);
        else
            convlab::fft_forward(at<float>(re), at<float>(im), n);
        return val::undefined();
    });
}

// ---- 2-D --------------------------------------------------------------------------------

// g = [N, C, H, W, K, Cw, R, S, stride_h, stride_w, pad_top, pad_left, pad_bottom, pad_right].
convlab::conv2d_geometry geometry_from(const val& g) {
    return convlab::make_conv2d_geometry(int_at(g, 0), int_at(g, 1), int_at(g, 2), int_at(g, 3),
                                         int_at(g, 4), int_at(g, 5), int_at(g, 6), int_at(g, 7),
                                         int_at(g, 8), int_at(g, 9), int_at(g, 10), int_at(g, 11),
                                         int_at(g, 12), int_at(g, 13));
}

std::vector<int> output_shape(const convlab::conv2d_geometry& g) { return {g.N, g.K, g.Ho, g.Wo}; }

val auto_method_2d(val g) {
    return guarded([&] {
        return val(std::string(convlab::conv2d_method_name(convlab::conv2d_auto_method(geometry_from(g)))));
    });
}

// Output shape for a geometry, so the wrapper can check gradOut's length before allocating.
val conv2d_output_shape(val g) {
    return guarded([&] {
        return int_array(output_shape(geometry_from(g)));
    });
}

// x is (N, C, H, W), w is (K, C, R, S), bias is (K) or 0 for none. Returns { data, shape }.
val conv2d(address x, address w, address bias, val g, std::string method) {
    return guarded([&] {
        const convlab::conv2d_geometry geo = geometry_from(g);
        const convlab::conv2d_method me = convlab::conv2d_method_from_name(method, "method");
        const std::vector<int> shape = output_shape(geo);
        const auto y = uninitialised(count_of(shape));
        convlab::conv2d_forward(geo, at<const float>(x), at<const float>(w),
                                bias ? at<const float>(bias) : nullptr, y.get(), me);
        return tensor_object(y.get(), shape);
    });
}

// dy is (N, K, Ho, Wo) with dy_count elements. Returns { gradInput, gradWeight, gradBias }.
val conv2d_backward(address x, address w, address dy, int dy_count, val g, std::string method) {
    return guarded([&] {
        const convlab::conv2d_geometry geo = geometry_from(g);
        const convlab::conv2d_method me = convlab::conv2d_method_from_name(method, "method");
        require_grad_count(dy_count, output_shape(geo));
        const std::size_t nx = count_of({geo.N, geo.C, geo.H, geo.W});
        const std::size_t nw = count_of({geo.K, geo.C, geo.R, geo.S});
        const auto dx = uninitialised(nx);
        const auto dw = uninitialised(nw);
        const auto db = uninitialised(geo.K);
        convlab::conv2d_backward(geo, at<const float>(x), at<const float>(w), at<const float>(dy),
                                 dx.get(), dw.get(), db.get(), me);
        val r = val::object();
        r.set("gradInput", float_array(dx.get(), nx));
        r.set("gradWeight", float_array(dw.get(), nw));
        r.set("gradBias", float_array(db.get(), geo.K));
        return r;
    });
}

// p = [N, C, H, W, kernel_h, kernel_w, stride_h, stride_w].
convlab::pool2d_geometry pool_geometry_from(const val& p) {
    return convlab::make_pool2d_geometry(int_at(p, 0), int_at(p, 1), int_at(p, 2), int_at(p, 3),
                                         int_at(p, 4), int_at(p, 5), int_at(p, 6), int_at(p, 7));
}

// x is (N, C, H, W). kind: 0 max, 1 average. Returns { data, shape }.
val pool2d(int kind, address x, val p) {
    return guarded([&] {
        const convlab::pool2d_geometry geo = pool_geometry_from(p);
        const std::vector<int> shape = {geo.N, geo.C, geo.Ho, geo.Wo};
        const auto y = uninitialised(count_of(shape));
        if (kind == 0)
            convlab::max_pool2d_forward(geo, at<const float>(x), y.get());
        else
            convlab::avg_pool2d_forward(geo, at<const float>(x), y.get());
        return tensor_object(y.get(), shape);
    });
}

// x is (N, C, H, W), dy is (N, C, Ho, Wo) with dy_count elements. Returns gradInput.
val pool2d_backward(int kind, address x, address dy, int dy_count, val p) {
    return guarded([&] {
        const convlab::pool2d_geometry geo = pool_geometry_from(p);
        require_grad_count(dy_count, {geo.N, geo.C, geo.Ho, geo.Wo});
        const std::size_t nx = count_of({geo.N, geo.C, geo.H, geo.W});
        const auto dx = uninitialised(nx);
        if (kind == 0)
            convlab::max_pool2d_backward(geo, at<const float>(x), at<const float>(dy), dx.get());
        else
            convlab::avg_pool2d_backward(geo, at<const float>(dy), dx.get());
        return float_array(dx.get(), nx);
    });
}

// x is (n).
val activation(std::string name, address x, int n) {
    return guarded([&] {
        const convlab::activation a = convlab::activation_from_name(name, "name");
        const auto y = uninitialised(static_cast<std::size_t>(n));
        convlab::activation_forward(a, at<const float>(x), y.get(), static_cast<std::size_t>(n));
        return float_array(y.get(), static_cast<std::size_t>(n));
    });
}

// ---- networks ---------------------------------------------------------------------------

// One network. Created empty so that construction errors come back as values from init()
// (an Embind constructor could only throw them).
class net_handle {
public:
    // layers: the wrapper's normalised specs (see convlab.js normaliseLayer);
    // input_shape: 1 or 3 positive integers.
    val init(val layers, val input_shape, double seed) {
        return guarded([&] {
            std::vector<convlab::layer_spec> specs;
            const int count = layers["length"].as<int>();
            for (int i = 0; i < count; ++i) {
                const val l = layers[i];
                convlab::layer_spec s;
                s.type = l["type"].as<std::string>();
                s.out = l["out"].as<int>();
                s.kernel_h = l["kernelH"].as<int>();
                s.kernel_w = l["kernelW"].as<int>();
                s.stride_h = l["strideH"].as<int>();
                s.stride_w = l["strideW"].as<int>();
                s.pad_top = l["padTop"].as<int>();
                s.pad_left = l["padLeft"].as<int>();
                s.pad_bottom = l["padBottom"].as<int>();
                s.pad_right = l["padRight"].as<int>();
                s.pad_same = l["padSame"].as<bool>();
                s.bias = l["bias"].as<bool>();
                s.method = convlab::conv2d_method_from_name(l["method"].as<std::string>(),
                                                            "method");
                specs.push_back(std::move(s));
            }
            std::vector<int> shape;
            const int dims = input_shape["length"].as<int>();
            for (int i = 0; i < dims; ++i) shape.push_back(int_at(input_shape, i));
            net_ = std::make_unique<convlab::sequential>(std::move(specs), std::move(shape),
                                                         static_cast<std::uint64_t>(seed));
            return val::undefined();
        });
    }

    val output_shape() const { return int_array(net_->output_shape()); }
    int input_size() const { return static_cast<int>(net_->input_size()); }
    int output_size() const { return static_cast<int>(net_->output_size()); }
    int layer_count() const { return static_cast<int>(net_->layer_count()); }
    val layer_output_shape(int i) const { return int_array(net_->layer_output_shape(i)); }

    // [{ name, shape, data, grad, size }] with data/grad heap addresses owned by the network.
    val parameters() {
        val list = val::array();
        for (const convlab::parameter_view& p : net_->parameters()) {
            val e = view_object(p.name, p.shape, p.data, p.size);
            e.set("grad", reinterpret_cast<address>(p.grad));
            list.call<void>("push", e);
        }
        return list;
    }

    // The momentum buffers: [{ name, shape, data, size }] in parameters() order, data heap
    // addresses owned by the network; [] while there are none.
    val optimizer_state() const {
        val list = val::array();
        for (const convlab::optimizer_state_view& v : net_->optimizer_state())
            list.call<void>("push", view_object(v.name, v.shape, v.data, v.size));
        return list;
    }

    // list: [{ name, shape, data, size }] with data the heap address of `size` floats (the
    // wrapper copies them in, checks the list first and frees after); [] forgets the buffers.
    val set_optimizer_state(val list) {
        return guarded([&] {
            std::vector<convlab::optimizer_state_view> entries;
            const int count = list["length"].as<int>();
            for (int i = 0; i < count; ++i) {
                const val e = list[i];
                std::vector<int> shape;
                const int dims = e["shape"]["length"].as<int>();
                for (int k = 0; k < dims; ++k) shape.push_back(int_at(e["shape"], k));
                entries.push_back({e["name"].as<std::string>(), std::move(shape),
                                   at<const float>(e["data"].as<address>()),
                                   static_cast<std::size_t>(e["size"].as<double>())});
            }
            net_->set_optimizer_state(entries);
            return val::undefined();
        });
    }

    // x is (batch, input...). Returns (batch, output...).
    val forward(address x, int batch) {
        return guarded([&] {
            const float* y = net_->forward(at<const float>(x), batch);
            return float_array(y, static_cast<std::size_t>(batch) * net_->output_size());
        });
    }

    // Layer i's activations from the last forward pass, (batch, layer_output_shape(i)...).
    val layer_output(int i) {
        return guarded([&] {
            if (i < 0 || static_cast<std::size_t>(i) >= net_->layer_count())
                convlab::fail("index", "expected an integer in [0, " +
                                           std::to_string(net_->layer_count()) + "), got " +
                                           std::to_string(i));
            const float* y = net_->layer_output(i);
            if (y == nullptr || net_->last_batch() == 0)
                convlab::fail("layerOutput",
                              "no activations yet: call forward, backward, vjp or trainStep first");
            return float_array(y, count_of(net_->layer_output_shape(i)) * net_->last_batch());
        });
    }

    // labels is (batch). Returns { loss, accuracy }.
    val backward(address x, address labels, int batch, std::string loss) {
        return guarded([&] {
            const convlab::loss_kind kind = convlab::loss_from_name(loss, "loss");
            const convlab::step_result r =
                net_->backward(at<const float>(x), at<const std::int32_t>(labels), batch, kind);
            return step_object(r);
        });
    }

    val train_step(address x, address labels, int batch, std::string loss, double lr,
                   double momentum) {
        return guarded([&] {
            convlab::train_options o;
            o.loss = convlab::loss_from_name(loss, "loss");
            o.lr = static_cast<float>(lr);
            o.momentum = static_cast<float>(momentum);
            const convlab::step_result r =
                net_->train_step(at<const float>(x), at<const std::int32_t>(labels), batch, o);
            return step_object(r);
        });
    }

    // x is (batch, input...), dy is (batch, output...). Returns dx (batch, input...) and
    // fills every parameter's grad.
    val vjp(address x, int batch, address dy) {
        return guarded([&] {
            const float* dx = net_->vjp(at<const float>(x), batch, at<const float>(dy));
            return float_array(dx, static_cast<std::size_t>(batch) * net_->input_size());
        });
    }

    void reset_optimizer() { net_->reset_optimizer(); }

private:
    // { name, shape, data, size } with data the heap address of (shape...) floats.
    static val view_object(const std::string& name, const std::vector<int>& shape, const float* data,
                           std::size_t size) {
        val e = val::object();
        e.set("name", name);
        e.set("shape", int_array(shape));
        e.set("data", reinterpret_cast<address>(data));
        e.set("size", static_cast<double>(size));
        return e;
    }

    static val step_object(const convlab::step_result& r) {
        val o = val::object();
        o.set("loss", r.loss);
        o.set("accuracy", r.accuracy);
        return o;
    }

    std::unique_ptr<convlab::sequential> net_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(convlab) {
    using namespace emscripten;
    function("version", &version);
    function("simd", &simd);
    function("heapUsed", &heap_used);
    function("methods1d", &methods_1d);
    function("methods2d", &methods_2d);
    function("autoMethod1d", &auto_method_1d);
    function("conv1d", &conv1d);
    function("toeplitz", &toeplitz);
    function("fft", &fft);
    function("autoMethod2d", &auto_method_2d);
    function("conv2dOutputShape", &conv2d_output_shape);
    function("conv2d", &conv2d);
    function("conv2dBackward", &conv2d_backward);
    function("pool2d", &pool2d);
    function("pool2dBackward", &pool2d_backward);
    function("activation", &activation);
    class_<net_handle>("Net")
        .constructor<>()
        .function("init", &net_handle::init)
        .function("outputShape", &net_handle::output_shape)
        .function("inputSize", &net_handle::input_size)
        .function("outputSize", &net_handle::output_size)
        .function("layerCount", &net_handle::layer_count)
        .function("layerOutputShape", &net_handle::layer_output_shape)
        .function("parameters", &net_handle::parameters)
        .function("forward", &net_handle::forward)
        .function("layerOutput", &net_handle::layer_output)
        .function("backward", &net_handle::backward)
        .function("trainStep", &net_handle::train_step)
        .function("vjp", &net_handle::vjp)
        .function("resetOptimizer", &net_handle::reset_optimizer)
        .function("optimizerState", &net_handle::optimizer_state)
        .function("setOptimizerState", &net_handle::set_optimizer_state);
}
