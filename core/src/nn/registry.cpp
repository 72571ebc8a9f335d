// nn/registry.cpp: the tables of convlab/registry.hpp and the readers that check a
// field_list's keys, types and ranges, so that every check of a JavaScript object lives here.
#include "convlab/registry.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

#include "convlab/common.hpp"
#include "layers/layer.hpp"

namespace convlab {

field_value number_value(double v) {
    field_value f;
    f.type = field_value::kind::number;
    f.number = v;
    return f;
}
field_value text_value(std::string v) {
    field_value f;
    f.type = field_value::kind::text;
    f.text = std::move(v);
    return f;
}
field_value bool_value(bool v) {
    field_value f;
    f.type = field_value::kind::boolean;
    f.boolean = v;
    return f;
}
field_value list_value(std::vector<double> v) {
    field_value f;
    f.type = field_value::kind::list;
    f.list = std::move(v);
    return f;
}

const char* field_type_name(field_type t) {
    switch (t) {
        case field_type::positive_int: return "positive-int";
        case field_type::int_pair: return "int-or-pair";
        case field_type::padding: return "padding";
        case field_type::boolean: return "boolean";
        case field_type::number: return "number";
        case field_type::text: return "name";
        case field_type::shape: return "shape";
        case field_type::float_array: return "Float32Array";
        case field_type::number_pair: return "number-pair";
        case field_type::layer_list: return "layers";
        case field_type::unsupported: return "unsupported";
    }
    return "?";
}

const std::vector<layer_kind_info>& layer_kinds() {
    static const std::vector<layer_kind_info> list = [] {
        std::vector<layer_kind_info> v;
        for (const layers::layer_def* d : layers::all_layers())
            v.push_back({d->type, d->fields, d->field_count});
        return v;
    }();
    return list;
}

const layer_kind_info* find_layer_kind(std::string_view type) {
    for (const layer_kind_info& k : layer_kinds())
        if (type == k.type) return &k;
    return nullptr;
}

namespace {

using ft = field_type;
constexpr field_info conv1d_opts[] = {{"mode", ft::text, "'full'"}, {"method", ft::text, "'auto'"}};
constexpr field_info conv2d_opts[] = {
    {"bias", ft::float_array, "none"}, {"stride", ft::int_pair, "1"},
    {"padding", ft::padding, "0"},     {"method", ft::text, "'auto'"},
    {"dilation", ft::int_pair, "1"},   {"groups", ft::positive_int, "1"}};
constexpr field_info conv2d_backward_opts[] = {
    {"stride", ft::int_pair, "1"},      {"padding", ft::padding, "0"},
    {"method", ft::text, "'auto'"},     {"dilation", ft::int_pair, "1"},
    {"groups", ft::positive_int, "1"}};
// ConvTranspose2d's padding is n or [h, w] on both sides (torch has no 'same' for it).
constexpr field_info conv_transpose2d_opts[] = {
    {"bias", ft::float_array, "none"},     {"stride", ft::int_pair, "1"},
    {"padding", ft::int_pair, "0"},        {"outputPadding", ft::int_pair, "0"},
    {"dilation", ft::int_pair, "1"},       {"groups", ft::positive_int, "1"},
    {"method", ft::text, "'auto'"}};
constexpr field_info conv_transpose2d_backward_opts[] = {
    {"stride", ft::int_pair, "1"},         {"padding", ft::int_pair, "0"},
    {"outputPadding", ft::int_pair, "0"},  {"dilation", ft::int_pair, "1"},
    {"groups", ft::positive_int, "1"},     {"method", ft::text, "'auto'"}};
// Pooling follows PyTorch's MaxPool2d / AvgPool2d: padding is n or [h, w] (integers >= 0,
// at most half the kernel), never 'same' / 'valid'; average pooling has no dilation.
constexpr field_info max_pool_opts[] = {
    {"kernel", ft::int_pair, "required"}, {"stride", ft::int_pair, "kernel"},
    {"padding", ft::int_pair, "0"},      {"dilation", ft::int_pair, "1"},
    {"ceilMode", ft::boolean, "false"}};
constexpr field_info avg_pool_opts[] = {
    {"kernel", ft::int_pair, "required"}, {"stride", ft::int_pair, "kernel"},
    {"padding", ft::int_pair, "0"},      {"ceilMode", ft::boolean, "false"},
    {"countIncludePad", ft::boolean, "true"}};
constexpr field_info sequential_opts[] = {{"inputShape", ft::shape, "required"},
                                          {"seed", ft::number, "0"}};
constexpr field_info loss_opts[] = {{"loss", ft::text, "'softmax-cross-entropy'"}};
// torch.optim's options and defaults; each optimiser takes only its own (optimizer_uses).
constexpr field_info train_opts[] = {
    {"loss", ft::text, "'softmax-cross-entropy'"},
    {"optimizer", ft::text, "'sgd'"},
    {"lr", ft::number, "0.01 (adam, adamw: 0.001)"},
    {"momentum", ft::number, "0"},           // sgd, rmsprop
    {"dampening", ft::number, "0"},          // sgd
    {"nesterov", ft::boolean, "false"},      // sgd
    {"weightDecay", ft::number, "0 (adamw: 0.01)"},
    {"betas", ft::number_pair, "[0.9, 0.999]"},  // adam, adamw
    {"eps", ft::number, "1e-8"},             // adam, adamw, rmsprop
    {"amsgrad", ft::boolean, "false"},       // adam, adamw
    {"alpha", ft::number, "0.99"},           // rmsprop
    {"centered", ft::boolean, "false"}};     // rmsprop

#define CONVLAB_OPTS(name, table) function_info{name, table, std::size(table)}

}  // namespace

const std::vector<function_info>& function_options() {
    static const std::vector<function_info> list = {
        CONVLAB_OPTS("convolve", conv1d_opts),
        CONVLAB_OPTS("correlate", conv1d_opts),
        CONVLAB_OPTS("conv2d", conv2d_opts),
        CONVLAB_OPTS("conv2dBackward", conv2d_backward_opts),
        // The same options as conv2d: "which method would conv2d pick with these options".
        CONVLAB_OPTS("autoMethod2d", conv2d_opts),
        CONVLAB_OPTS("convTranspose2d", conv_transpose2d_opts),
        CONVLAB_OPTS("convTranspose2dBackward", conv_transpose2d_backward_opts),
        CONVLAB_OPTS("maxPool2d", max_pool_opts),
        CONVLAB_OPTS("maxPool2dBackward", max_pool_opts),
        CONVLAB_OPTS("avgPool2d", avg_pool_opts),
        CONVLAB_OPTS("avgPool2dBackward", avg_pool_opts),
        CONVLAB_OPTS("sequential", sequential_opts),
        CONVLAB_OPTS("Network.backward", loss_opts),
        CONVLAB_OPTS("Network.evaluate", loss_opts),
        CONVLAB_OPTS("Network.trainStep", train_opts),
    };
    return list;
}
#undef CONVLAB_OPTS

const function_info& function_options(std::string_view name) {
    for (const function_info& f : function_options())
        if (name == f.name) return f;
    throw std::logic_error("no options table for " + std::string(name));
}

namespace {
std::vector<const char*> names_of(std::string_view list) {
    std::vector<const char*> v;
#define CONVLAB_NAME(which, name) \
    if (list == #which) v.push_back(name);
#include "convlab/registry_names.inc"
#undef CONVLAB_NAME
    return v;
}
}  // namespace

const std::vector<const char*>& loss_names() {
    static const auto v = names_of("loss");
    return v;
}
const std::vector<const char*>& activation_names() {
    static const auto v = names_of("activation");
    return v;
}
const std::vector<const char*>& optimizer_names() {
    static const auto v = names_of("optimizer");
    return v;
}
const std::vector<const char*>& padding_words() {
    static const auto v = names_of("padding");
    return v;
}
const std::vector<const char*>& conv_mode_names() {
    static const auto v = names_of("mode");
    return v;
}

namespace {
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                              std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}
}  // namespace

std::string nearest_name(std::string_view key, const std::vector<std::string>& names) {
    std::string best;
    std::size_t best_d = 0;
    for (const std::string& n : names) {
        const std::size_t d = edit_distance(key, n);
        if (best.empty() || d < best_d) best = n, best_d = d;
    }
    // A typo: a third of the longer name or two edits, whichever is more.
    const std::size_t limit = std::max<std::size_t>(2, std::max(key.size(), best.size()) / 3);
    return best_d <= limit ? best : std::string();
}

std::string one_of_text(std::string_view got, const std::vector<std::string>& names,
                        bool quote_names) {
    const std::string q = quote_names ? "'" : "";
    std::string t = "expected one of ";
    for (std::size_t i = 0; i < names.size(); ++i) t += (i ? ", " : "") + q + names[i] + q;
    t += ", got '" + std::string(got) + "'";
    const std::string near = nearest_name(got, names);
    if (!near.empty()) t += "; did you mean '" + near + "'?";
    return t;
}

void check_fields(const field_list& fields, const field_info* known, std::size_t count,
                  const std::string& where, const std::string& prefix, const char* noun,
                  const std::vector<std::string>& extra) {
    for (const auto& [key, value] : fields) {
        const field_info* f = nullptr;
        for (std::size_t i = 0; i < count; ++i)
            if (key == known[i].name) f = &known[i];
        if (f != nullptr) {
            if (f->type == field_type::unsupported)
                fail(prefix + key, "not supported (remove it; the default is " +
                                       std::string(f->default_text) + ")");
            continue;
        }
        if (std::find(extra.begin(), extra.end(), key) != extra.end()) continue;
        std::vector<std::string> names = extra;
        for (std::size_t i = 0; i < count; ++i) names.push_back(known[i].name);
        std::string message = "unknown " + std::string(noun) + " '" + key + "'";
        const std::string near = nearest_name(key, names);
        if (!near.empty())
            message += "; did you mean '" + near + "'?";
        else {
            message += names.empty() ? "; it takes none" : "; expected one of ";
            for (std::size_t i = 0; i < names.size(); ++i) message += (i ? ", '" : "'") + names[i] + "'";
        }
        if (where.empty()) throw invalid_argument(key, message);
        fail(where, message);
    }
}

const field_value* find_field(const field_list& fields, std::string_view key) {
    for (const auto& [k, v] : fields)
        if (k == key) return &v;
    return nullptr;
}

std::string describe(const field_value& v) {
    switch (v.type) {
        case field_value::kind::number: {
            if (std::isnan(v.number)) return "NaN";
            if (std::isinf(v.number)) return v.number > 0 ? "Infinity" : "-Infinity";
            std::string s = std::to_string(v.number);
            if (v.number == std::floor(v.number) && std::fabs(v.number) < 1e15)
                s = std::to_string(static_cast<long long>(v.number));
            return s;
        }
        case field_value::kind::text: return "'" + v.text.substr(0, 40) + "'";
        case field_value::kind::boolean: return v.boolean ? "true" : "false";
        case field_value::kind::list: {
            std::string s = "[";
            for (std::size_t i = 0; i < v.list.size() && i < 8; ++i)
                s += (i ? ", " : "") + describe(number_value(v.list[i]));
            return s + (v.list.size() > 8 ? ", ...]" : "]");
        }
        case field_value::kind::other: return v.text;
    }
    return "?";
}

namespace {
bool is_int(double d, double min) { return std::isfinite(d) && d == std::floor(d) && d >= min && d <= (1 << 30); }
}  // namespace

int read_positive_int(const field_value& v, const std::string& name) {
    if (v.type != field_value::kind::number || !is_int(v.number, 1))
        fail(name, "expected a positive integer, got " + describe(v));
    return static_cast<int>(v.number);
}

std::pair<int, int> read_int_pair(const field_value& v, const std::string& name, int min) {
    const std::string what = std::string(min == 0 ? "a non-negative" : "a positive") +
                             " integer or [h, w], got " + describe(v);
    if (v.type == field_value::kind::number) {
        if (!is_int(v.number, min)) fail(name, "expected " + what);
        return {static_cast<int>(v.number), static_cast<int>(v.number)};
    }
    if (v.type == field_value::kind::list && v.list.size() == 2 && is_int(v.list[0], min) &&
        is_int(v.list[1], min))
        return {static_cast<int>(v.list[0]), static_cast<int>(v.list[1])};
    fail(name, "expected " + what);
}

double read_number(const field_value& v, const std::string& name) {
    if (v.type != field_value::kind::number || !std::isfinite(v.number))
        fail(name, "expected a finite number, got " + describe(v));
    return v.number;
}

bool read_bool(const field_value& v, const std::string& name) {
    if (v.type != field_value::kind::boolean) fail(name, "expected true or false, got " + describe(v));
    return v.boolean;
}

std::string read_text(const field_value& v, const std::string& name) {
    if (v.type != field_value::kind::text) fail(name, "expected a name, got " + describe(v));
    return v.text;
}

std::vector<int> read_shape(const field_value& v, const std::string& name,
                            std::initializer_list<std::size_t> dims) {
    std::string expected;
    for (std::size_t d : dims) expected += (expected.empty() ? "" : " or ") + std::to_string(d);
    expected = "expected an array of " + expected + " positive integers, got " + describe(v);
    if (v.type != field_value::kind::list ||
        std::find(dims.begin(), dims.end(), v.list.size()) == dims.end())
        fail(name, expected);
    std::vector<int> s;
    for (double d : v.list) {
        if (!is_int(d, 1)) fail(name, expected);
        s.push_back(static_cast<int>(d));
    }
    return s;
}

}  // namespace convlab
