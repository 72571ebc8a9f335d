// bind_net.cpp: the network entry points. Layer specs and options cross as the caller's
// objects and are read by the core (layer_spec_from_fields, read_*_options); counts of the
// arrays the wrapper copied are checked here against the network's shapes.
#include "bind_net.hpp"

#include <cmath>

#include "convlab/nn/options.hpp"

namespace bind {
namespace {

std::string shape_text(const std::vector<int>& s) {
    std::string t = "[";
    for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + "]";
}

val step_object(const convlab::step_result& r) {
    val o = val::object();
    o.set("loss", r.loss);
    o.set("accuracy", r.accuracy);
    return o;
}

// { name, shape, data, size } with data the heap address of (shape...) floats.
val view_object(const std::string& name, const std::vector<int>& shape, const float* data,
                std::size_t size) {
    val e = val::object();
    e.set("name", name);
    e.set("shape", int_array(shape));
    e.set("data", reinterpret_cast<address>(data));
    e.set("size", static_cast<double>(size));
    return e;
}

// [{ name, shape, data, size }] with data a heap address -> views of that memory.
template <class View>
std::vector<View> views_from(const val& list) {
    std::vector<View> entries;
    const int count = list["length"].as<int>();
    for (int i = 0; i < count; ++i) {
        const val e = list[i];
        std::vector<int> shape;
        const int dims = e["shape"]["length"].as<int>();
        for (int k = 0; k < dims; ++k) shape.push_back(e["shape"][k].as<int>());
        entries.push_back({e["name"].as<std::string>(), std::move(shape),
                           at<const float>(e["data"].as<address>()),
                           static_cast<std::size_t>(e["size"].as<double>())});
    }
    return entries;
}

// The caller's layer object at `where` ("layers[1]", "layers[1].layers[0]") -> layer_spec,
// a residual block's sub-list read the same way, recursively.
convlab::layer_spec spec_from(const val& layer, const std::string& where) {
    convlab::layer_spec s = convlab::layer_spec_from_fields(fields_from(layer), where);
    if (s.type != "residual") return s;
    const val list = layer["layers"];
    if (!val::global("Array").call<bool>("isArray", list))
        convlab::fail(where + ".layers", "expected an array of layer specs, got " +
                                             convlab::describe(value_from(list)));
    const int count = list["length"].as<int>();
    for (int j = 0; j < count; ++j) {
        const std::string at = where + ".layers[" + std::to_string(j) + "]";
        const val e = list[j];
        if (e.typeOf().as<std::string>() != "object" || e.isNull() ||
            val::global("Array").call<bool>("isArray", e))
            convlab::fail(at, "expected a layer object such as { type: 'relu' }, got " +
                                  convlab::describe(value_from(e)));
        s.layers.push_back(spec_from(e, at));
    }
    return s;
}

}  // namespace

val net_handle::init(val layers, val options) {
    return guarded([&] {
        std::vector<convlab::layer_spec> specs;
        const int count = layers["length"].as<int>();
        for (int i = 0; i < count; ++i)
            specs.push_back(spec_from(layers[i], "layers[" + std::to_string(i) + "]"));
        convlab::sequential_options o = convlab::read_sequential_options(fields_from(options));
        if (specs.empty()) convlab::fail("layers", "expected at least one layer, got an empty array");
        net_ = std::make_unique<convlab::sequential>(std::move(specs), std::move(o.input_shape), o.seed);
        return val::undefined();
    });
}

val net_handle::parameters() {
    val list = val::array();
    for (const convlab::parameter_view& p : net_->parameters()) {
        val e = view_object(p.name, p.shape, p.data, p.size);
        e.set("grad", reinterpret_cast<address>(p.grad));
        list.call<void>("push", e);
    }
    return list;
}

val net_handle::optimizer_state() const {
    val list = val::array();
    for (const convlab::optimizer_state_view& v : net_->optimizer_state())
        list.call<void>("push", view_object(v.name, v.shape, v.data, v.size));
    return list;
}

val net_handle::set_optimizer_state(val list) {
    return guarded([&] {
        net_->set_optimizer_state(views_from<convlab::optimizer_state_view>(list));
        return val::undefined();
    });
}

val net_handle::buffers() const {
    val list = val::array();
    for (const convlab::buffer_view& b : net_->buffers())
        list.call<void>("push", view_object(b.name, b.shape, b.data, b.size));
    return list;
}

val net_handle::set_buffers(val list) {
    return guarded([&] {
        net_->set_buffers(views_from<convlab::buffer_view>(list));
        return val::undefined();
    });
}

int net_handle::batch_of(double nx, const val& batch) const {
    const double size = static_cast<double>(net_->input_size());
    const std::string input = shape_text(net_->input_shape());
    double b;
    if (batch.isUndefined()) {
        if (std::fmod(nx, size) != 0)
            convlab::fail("x", "expected a multiple of " + std::to_string(net_->input_size()) +
                                   " elements (inputShape " + input + "), got " +
                                   std::to_string(static_cast<long long>(nx)));
        b = nx / size;
    } else {
        b = convlab::read_positive_int(value_from(batch), "batch");
    }
    const int n = convlab::read_positive_int(convlab::number_value(b), "batch");
    if (nx != n * size)
        convlab::fail("x", "expected " + std::to_string(static_cast<long long>(n * size)) +
                               " elements (batch " + std::to_string(n) + " x inputShape " + input +
                               "), got " + std::to_string(static_cast<long long>(nx)));
    return n;
}

void net_handle::require_labels(double nl, int batch) const {
    if (nl != batch)
        convlab::fail("labels", "expected " + std::to_string(batch) +
                                    " labels (one per example), got " +
                                    std::to_string(static_cast<long long>(nl)));
}

val net_handle::forward(address x, double nx, val batch) {
    return guarded([&] {
        const int b = batch_of(nx, batch);
        const float* y = net_->forward(at<const float>(x), b);
        return float_array(y, static_cast<std::size_t>(b) * net_->output_size());
    });
}

val net_handle::layer_output(val index) {
    return guarded([&] {
        const convlab::field_value v = value_from(index);
        const std::size_t count = net_->layer_count();
        const bool ok = v.type == convlab::field_value::kind::number && v.number >= 0 &&
                        v.number == std::floor(v.number) && v.number < static_cast<double>(count);
        if (!ok)
            convlab::fail("index", "expected an integer in [0, " + std::to_string(count) + "), got " +
                                       convlab::describe(v));
        const std::size_t i = static_cast<std::size_t>(v.number);
        const float* y = net_->layer_output(i);
        if (y == nullptr || net_->last_batch() == 0)
            convlab::fail("layerOutput",
                          "no activations yet: call forward, backward, vjp or trainStep first");
        return float_array(y, count_of(net_->layer_output_shape(i)) * net_->last_batch());
    });
}

// The calls on (x, labels): checks the counts, reads the options with `read`, then runs
// `step(batch, options)` and returns its result object.
template <class Read, class Step>
val net_handle::labelled(double nx, double nl, const val& batch, const val& options, Read read,
                         Step step) {
    return guarded([&] {
        const int b = batch_of(nx, batch);
        const auto o = read(fields_from(options));
        require_labels(nl, b);
        return step(b, o);
    });
}

val net_handle::backward(address x, double nx, address labels, double nl, val batch, val options) {
    return labelled(
        nx, nl, batch, options,
        [](const convlab::field_list& f) { return convlab::read_loss_options(f, "Network.backward"); },
        [&](int b, convlab::loss_kind loss) {
            return step_object(net_->backward(at<const float>(x), at<const std::int32_t>(labels), b, loss));
        });
}

val net_handle::train_step(address x, double nx, address labels, double nl, val batch,
                           val options) {
    return labelled(nx, nl, batch, options, convlab::read_train_options,
                    [&](int b, const convlab::train_options& o) {
                        return step_object(net_->train_step(at<const float>(x),
                                                            at<const std::int32_t>(labels), b, o));
                    });
}

val net_handle::evaluate(address x, double nx, address labels, double nl, val batch,
                         val options) {
    return labelled(
        nx, nl, batch, options,
        [](const convlab::field_list& f) { return convlab::read_loss_options(f, "Network.evaluate"); },
        [&](int b, convlab::loss_kind loss) {
            std::vector<std::int32_t> predictions(static_cast<std::size_t>(b));
            val r = step_object(net_->evaluate(at<const float>(x), at<const std::int32_t>(labels),
                                               b, loss, predictions.data()));
            r.set("predictions", val::global("Int32Array")
                                     .new_(val(emscripten::typed_memory_view(predictions.size(),
                                                                             predictions.data()))));
            return r;
        });
}

val net_handle::vjp(address x, double nx, val batch, address dy, double ndy) {
    return guarded([&] {
        const int b = batch_of(nx, batch);
        const double want = static_cast<double>(b) * net_->output_size();
        if (ndy != want)
            convlab::fail("gradOutput", "expected " + std::to_string(static_cast<long long>(want)) +
                                            " elements (batch " + std::to_string(b) +
                                            " x outputShape " + shape_text(net_->output_shape()) +
                                            "), got " + std::to_string(static_cast<long long>(ndy)));
        const float* dx = net_->vjp(at<const float>(x), b, at<const float>(dy));
        return float_array(dx, static_cast<std::size_t>(b) * net_->input_size());
    });
}

val net_handle::staging(val batch) {
    return guarded([&] {
        const convlab::staging_view s =
            net_->staging(convlab::read_positive_int(value_from(batch), "batch"));
        val o = val::object();
        o.set("x", reinterpret_cast<address>(s.x));
        o.set("labels", reinterpret_cast<address>(s.labels));
        o.set("batch", s.batch);
        return o;
    });
}

}  // namespace bind
