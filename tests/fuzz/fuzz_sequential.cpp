// fuzz_sequential.cpp: the sequential network built as the JavaScript bindings build it, from
// field lists read by the core (layer_spec_from_fields, read_sequential_options,
// read_train_options), so that unknown fields, wrong types and extreme geometry reach the
// same checks they reach from JavaScript. The input is text, one object per line, so the
// dictionary's field names and layer types are useful to the mutator:
//
//   net inputShape=[1,12,12] seed=3      sequential's options
//   conv2d out=6 kernel=5 padding=2      a layer: the first word is its `type`
//   - out=3                              a layer without `type`
//   train lr=0.05 momentum=0.9 loss=mse  Network.trainStep's options
//   run batch=2 seed=7 label=-1 nan=1    the harness's own: batch size, data seed, one label
//                                        forced (out of range must be refused), a NaN input
//
// A value is a number (strtod), [a,b,...], true / false, @Kind (a value of another type, as
// the bindings pass a Float32Array or null) or text. A refusal anywhere must be a
// convlab::invalid_argument. A small accepted network then runs forward (finite output for
// finite input), evaluate and train_step with each loss on the same batch through the
// staging buffers (the loss train_step reports is the loss before its update, so it must
// equal evaluate's), and forward again after the updates.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "convlab/nn/options.hpp"
#include "convlab/nn/sequential.hpp"
#include "fuzz_common.hpp"

using namespace convlab;

namespace {

// Elements per example in any layer's output, parameters, and batch size up to which the
// network is run: small enough that one run takes milliseconds under ASan.
constexpr std::size_t max_activation = 1 << 14;
constexpr std::size_t max_parameters = 1 << 15;
constexpr int max_batch = 4;
constexpr std::size_t max_layers = 12;

field_value parse_value(const std::string& t) {
    if (t == "true" || t == "false") return bool_value(t == "true");
    if (!t.empty() && t[0] == '@') {
        field_value v;
        v.type = field_value::kind::other;
        v.text = t.substr(1);
        return v;
    }
    if (!t.empty() && t[0] == '[') {
        std::vector<double> list;
        const char* p = t.c_str() + 1;
        while (*p && *p != ']' && list.size() < 65) {
            char* end = nullptr;
            const double x = std::strtod(p, &end);
            if (end == p) {  // not a number: an array holding something else
                field_value v;
                v.type = field_value::kind::other;
                v.text = "an Array holding a string";
                return v;
            }
            list.push_back(x);
            p = end;
            if (*p == ',') ++p;
        }
        return list_value(std::move(list));
    }
    char* end = nullptr;
    const double x = std::strtod(t.c_str(), &end);
    if (!t.empty() && end == t.c_str() + t.size()) return number_value(x);
    std::string text = t;
    if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'')
        text = text.substr(1, text.size() - 2);
    return text_value(text);
}

// "word key=value ..." -> word, fields. A later duplicate key is kept as JavaScript would
// not produce it; the core must still cope.
std::string parse_line(const std::string& line, field_list& fields) {
    std::string word;
    std::size_t i = 0;
    auto next = [&] {
        while (i < line.size() && line[i] == ' ') ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ') ++i;
        return line.substr(start, i - start);
    };
    word = next();
    for (std::string tok = next(); !tok.empty(); tok = next()) {
        const std::size_t eq = tok.find('=');
        if (eq == std::string::npos) {
            fields.emplace_back(tok, bool_value(true));
        } else {
            fields.emplace_back(tok.substr(0, eq), parse_value(tok.substr(eq + 1)));
        }
    }
    return word;
}

struct run_options {
    int batch = 2;
    std::uint64_t seed = 1;
    bool force_label = false;
    std::int32_t label = 0;
    bool nan = false;
};

std::uint64_t next(std::uint64_t& s) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
}

bool finite(const float* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(p[i])) return false;
    return true;
}

// fuzz::accepted that, with FUZZ_VERBOSE set, prints the refusal: to see which check a
// seed or a reproducer reaches.
template <class F>
bool accepted(F f) {
    static const bool verbose = std::getenv("FUZZ_VERBOSE") != nullptr;
    try {
        f();
        return true;
    } catch (const invalid_argument& e) {
        if (verbose) std::fprintf(stderr, "refused: %s\n", e.what());
        return false;
    }
}

void require(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "fuzz_sequential: %s\n", what);
        std::abort();
    }
}

// evaluate, then train_step on the same staged batch: train_step's loss and accuracy are
// those before its update, so they must match evaluate's. Returns whether the step ran.
bool step_matches_evaluate(sequential& net, const std::vector<float>& x,
                           const std::vector<std::int32_t>& labels, int batch,
                           const train_options& o, bool labels_valid, bool finite_input) {
    const staging_view s = net.staging(batch);
    require(s.batch >= batch, "staging smaller than asked");
    std::memcpy(s.x, x.data(), x.size() * sizeof(float));
    std::memcpy(s.labels, labels.data(), labels.size() * sizeof(std::int32_t));
    std::vector<std::int32_t> predictions(std::size_t(batch), -7);
    step_result e{}, t{};
    const bool evaluated = accepted(
        [&] { e = net.evaluate(s.x, s.labels, batch, o.loss, predictions.data()); });
    require(evaluated == labels_valid, "evaluate: labels refused iff out of range");
    // read_train_options checks lr and momentum as doubles; one past FLT_MAX becomes an
    // infinity that train_step refuses, naming it.
    bool trained = true;
    try {
        t = net.train_step(s.x, s.labels, batch, o);
    } catch (const invalid_argument& e) {
        trained = false;
        const bool float_overflow = !std::isfinite(o.lr) || !std::isfinite(o.momentum);
        require(!labels_valid || (float_overflow && (e.argument() == "lr" ||
                                                     e.argument() == "momentum")),
                "train_step: refused valid labels and finite options");
    }
    require(labels_valid || !trained, "train_step: accepted labels out of range");
    if (!labels_valid || !trained) return trained;
    for (std::int32_t p : predictions)
        require(p >= 0 && std::size_t(p) < net.output_size(), "prediction out of range");
    if (!finite_input) return true;
    require(std::isfinite(e.loss), "evaluate: loss not finite for finite input");
    const double tol = 1e-4 * std::fmax(std::fabs(e.loss), 1e-30);
    if (!(std::fabs(t.loss - e.loss) <= tol) || t.accuracy != e.accuracy) {
        std::fprintf(stderr, "train_step loss %.9g accuracy %g, evaluate %.9g %g\n", t.loss,
                     t.accuracy, e.loss, e.accuracy);
        std::abort();
    }
    return true;
}

// The core accepts any layer up to 2^28 floats of weights (a GiB, and as much again for
// its gradient), which takes seconds to allocate and initialise under ASan: a cost, not a
// finding. Sizes between "small" and past every limit (refused before allocating, so still
// built) are left out: out channels or features, the input's size, and padding (which grows
// what a following dense layer sees).
bool cheap_to_build(const std::vector<layer_spec>& specs, const std::vector<int>& input_shape) {
    auto middle = [](long long v, long long small) { return v > small && v <= (1LL << 28); };
    long long input = 1;
    for (int d : input_shape) input = std::min(input * std::max(d, 1), 1LL << 40);
    if (middle(input, 1 << 12)) return false;
    for (const layer_spec& s : specs) {
        if (middle(s.out, 1 << 8)) return false;
        for (int p : {s.pad_top, s.pad_left, s.pad_bottom, s.pad_right})
            if (p > 16 && p < (1 << 16)) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    field_list net_fields, train_fields;
    std::vector<field_list> layer_fields;
    run_options run;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        field_list fields;
        const std::string word = parse_line(text.substr(pos, end - pos), fields);
        pos = end + 1;
        if (word.empty()) continue;
        if (word == "net") {
            net_fields = std::move(fields);
        } else if (word == "train") {
            train_fields = std::move(fields);
        } else if (word == "run") {
            for (const auto& [key, v] : fields) {
                if (v.type != field_value::kind::number || !std::isfinite(v.number)) continue;
                const double n = v.number;
                if (key == "batch") run.batch = int(std::fmin(std::fmax(n, -1), max_batch));
                if (key == "seed") run.seed = std::uint64_t(std::fmin(std::fabs(n), 1e18)) | 1;
                if (key == "label") {
                    run.force_label = true;
                    run.label = std::int32_t(std::fmin(std::fmax(n, -2e9), 2e9));
                }
                if (key == "nan") run.nan = n != 0;
            }
        } else if (layer_fields.size() < max_layers) {
            if (word != "-") fields.insert(fields.begin(), {"type", parse_value(word)});
            layer_fields.push_back(std::move(fields));
        }
    }

    // As net_handle::init: every layer spec, then the options, then at least one layer.
    std::vector<layer_spec> specs;
    sequential_options options;
    train_options train;
    const bool read = accepted([&] {
        for (std::size_t i = 0; i < layer_fields.size(); ++i)
            specs.push_back(layer_spec_from_fields(layer_fields[i], i));
        options = read_sequential_options(net_fields);
        train = read_train_options(train_fields);
    });
    if (!read || specs.empty() || !cheap_to_build(specs, options.input_shape)) return 0;
    std::unique_ptr<sequential> made;
    if (!accepted([&] {
            made = std::make_unique<sequential>(specs, options.input_shape, options.seed);
        }))
        return 0;
    sequential& net = *made;

    // Only small networks run; the rest were checked by construction alone.
    if (net.parameter_count() > max_parameters || net.input_size() > max_activation) return 0;
    for (std::size_t i = 0; i < net.layer_count(); ++i) {
        std::size_t n = 1;
        for (int d : net.layer_output_shape(i)) n *= std::size_t(d);
        if (n > max_activation) return 0;
    }
    const int batch = run.batch;
    if (batch < 1) {
        std::vector<float> x(net.input_size());
        require(!accepted([&] { net.forward(x.data(), batch); }), "batch < 1 accepted");
        return 0;
    }

    std::uint64_t s = run.seed;
    std::vector<float> x(std::size_t(batch) * net.input_size());
    for (float& v : x) v = float(std::int64_t(next(s) % 32769) - 16384) / 16384.f;
    if (run.nan) x[next(s) % x.size()] = NAN;
    const std::size_t classes = net.output_size();
    std::vector<std::int32_t> labels(static_cast<std::size_t>(batch));
    for (auto& l : labels) l = std::int32_t(next(s) % classes);
    bool labels_valid = true;
    if (run.force_label) {
        labels[next(s) % labels.size()] = run.label;
        labels_valid = run.label >= 0 && std::size_t(run.label) < classes;
    }

    const float* y = net.forward(x.data(), batch);
    require(net.last_batch() == batch, "last_batch");
    if (std::getenv("FUZZ_VERBOSE")) std::fprintf(stderr, "ran: %zu layers, batch %d\n", net.layer_count(), batch);
    if (!run.nan) require(finite(y, std::size_t(batch) * classes), "forward: output not finite");
    for (std::size_t i = 0; i < net.layer_count(); ++i)
        require(net.layer_output(i) != nullptr, "layer_output missing after forward");

    // Each loss in turn, the train options' own first, with momentum so that the second
    // step continues from the first's buffers. In eval mode: in training mode dropout draws a
    // new mask and batch norm uses (and moves) the batch's statistics on every pass, so a step
    // and an evaluation of the same batch would differ by design (the forward pass above ran
    // in training mode; the native tests check that mode against torch).
    net.set_training(false);
    if (train.momentum == 0) train.momentum = 0.9f;
    const bool bounded = train.lr <= 1 && train.momentum <= 1;
    bool stepped = false;
    for (int k = 0; k < 2; ++k) {
        stepped |= step_matches_evaluate(net, x, labels, batch, train, labels_valid, !run.nan && bounded);
        train.loss = train.loss == loss_kind::mse ? loss_kind::softmax_cross_entropy
                                                  : loss_kind::mse;
    }
    require(net.has_optimizer_state() == stepped, "momentum buffers iff a step ran");

    // A smaller batch reuses the buffers; the output is still finite after bounded updates.
    const float* y1 = net.forward(x.data(), 1);
    if (!run.nan && bounded && labels_valid)
        require(finite(y1, classes), "forward after training: output not finite");
    return 0;
}
