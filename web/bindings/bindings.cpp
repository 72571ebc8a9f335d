// bindings.cpp: the Embind registrations and the module's plain data (version, registry).
// The entry points live in bind_ops.cpp and bind_net.cpp; web/bindings/*.js wrap them into
// the public API. See bind_common.hpp for how buffers, options and errors cross.
#include <emscripten/bind.h>
#include <malloc.h>

#include "bind_common.hpp"
#include "bind_net.hpp"
#include "bind_ops.hpp"
#include "convlab/ops/conv1d.hpp"
#include "convlab/ops/conv2d.hpp"
#include "convlab/registry.hpp"

#ifndef CONVLAB_VERSION
#define CONVLAB_VERSION "0.0.0"
#endif

namespace {

using bind::val;

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

val names(const std::vector<const char*>& list) {
    val a = val::array();
    for (const char* n : list) a.call<void>("push", std::string(n));
    return a;
}

// [{ name, type, default }]
val fields(const convlab::field_info* f, std::size_t n) {
    val a = val::array();
    for (std::size_t i = 0; i < n; ++i) {
        val e = val::object();
        e.set("name", std::string(f[i].name));
        e.set("type", std::string(convlab::field_type_name(f[i].type)));
        e.set("default", std::string(f[i].default_text));
        a.call<void>("push", e);
    }
    return a;
}

// Everything the core names, as plain data: the wrapper, the .d.ts generator and the pages
// read their lists from here.
val registry() {
    val r = val::object();
    val layers = val::array();
    for (const convlab::layer_kind_info& k : convlab::layer_kinds()) {
        val e = val::object();
        e.set("type", std::string(k.type));
        e.set("fields", fields(k.fields, k.field_count));
        layers.call<void>("push", e);
    }
    r.set("layers", layers);
    r.set("losses", names(convlab::loss_names()));
    r.set("activations", names(convlab::activation_names()));
    r.set("optimizers", names(convlab::optimizer_names()));
    r.set("paddings", names(convlab::padding_words()));
    r.set("modes", names(convlab::conv_mode_names()));
    val methods = val::object();
    val m1 = val::array(), m2 = val::array();
#define CONVLAB_CONV1D_VARIANT(id, name) m1.call<void>("push", std::string(name));
#include "convlab/ops/conv1d_variants.inc"
#undef CONVLAB_CONV1D_VARIANT
#define CONVLAB_CONV2D_VARIANT(id, name) m2.call<void>("push", std::string(name));
#include "convlab/ops/conv2d_variants.inc"
#undef CONVLAB_CONV2D_VARIANT
    methods.set("conv1d", m1);
    methods.set("conv2d", m2);
    r.set("methods", methods);
    val functions = val::object();
    for (const convlab::function_info& f : convlab::function_options())
        functions.set(std::string(f.name), fields(f.options, f.option_count));
    r.set("options", functions);
    return r;
}

}  // namespace

EMSCRIPTEN_BINDINGS(convlab) {
    using namespace emscripten;
    using bind::net_handle;
    function("version", &version);
    function("simd", &simd);
    function("heapUsed", &heap_used);
    function("registry", &registry);
    function("autoMethod1d", &bind::auto_method_1d);
    function("conv1d", &bind::conv1d);
    function("toeplitz", &bind::toeplitz);
    function("fft", &bind::fft);
    function("autoMethod2d", &bind::auto_method_2d);
    function("conv2d", &bind::conv2d);
    function("conv2dBackward", &bind::conv2d_backward);
    function("convTranspose2d", &bind::conv_transpose2d);
    function("convTranspose2dBackward", &bind::conv_transpose2d_backward);
    function("pool2d", &bind::pool2d);
    function("pool2dBackward", &bind::pool2d_backward);
    function("activation", &bind::activation);
    class_<net_handle>("Net")
        .constructor<>()
        .function("init", &net_handle::init)
        .function("outputShape", &net_handle::output_shape)
        .function("inputShape", &net_handle::input_shape)
        .function("inputSize", &net_handle::input_size)
        .function("outputSize", &net_handle::output_size)
        .function("layerCount", &net_handle::layer_count)
        .function("layerType", &net_handle::layer_type)
        .function("layerOutputShape", &net_handle::layer_output_shape)
        .function("parameters", &net_handle::parameters)
        .function("forward", &net_handle::forward)
        .function("layerOutput", &net_handle::layer_output)
        .function("backward", &net_handle::backward)
        .function("trainStep", &net_handle::train_step)
        .function("evaluate", &net_handle::evaluate)
        .function("vjp", &net_handle::vjp)
        .function("staging", &net_handle::staging)
        .function("resetOptimizer", &net_handle::reset_optimizer)
        .function("optimizerState", &net_handle::optimizer_state)
        .function("setOptimizerState", &net_handle::set_optimizer_state)
        .function("setTraining", &net_handle::set_training)
        .function("training", &net_handle::training)
        .function("buffers", &net_handle::buffers)
        .function("setBuffers", &net_handle::set_buffers);
}
