// convlab/registry.hpp: the names the core accepts, in one place each, and the neutral
// key/value form in which a binding hands over a JavaScript object (a layer spec, an options
// object) so that the core, not the binding, checks its keys, types and ranges.
//
// Tables: layer kinds with their fields (convlab/nn/layer_kinds.inc lists the kinds; each
// layer's file declares its fields), losses, activations, optimisers, padding words, 1-D
// modes (registry_names.inc), and every public function's options. conv1d_variants.inc /
// conv2d_variants.inc stay the method registries.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace convlab {

// One value of a JavaScript object as the core sees it.
struct field_value {
    enum class kind { number, text, boolean, list, other };
    kind type = kind::number;
    double number = 0;          // kind::number
    std::string text;           // kind::text; kind::other: what it was ("Float32Array", "null")
    bool boolean = false;       // kind::boolean
    std::vector<double> list;   // kind::list: an array of numbers
};
using field_list = std::vector<std::pair<std::string, field_value>>;

field_value number_value(double v);
field_value text_value(std::string v);
field_value bool_value(bool v);
field_value list_value(std::vector<double> v);

// How a field is read. `unsupported` names a field that is understood but not implemented:
// it is refused with "not supported", never ignored.
enum class field_type {
    positive_int,   // an integer >= 1
    int_pair,       // n or [h, w], integers >= 1 (>= 0 for pooling's padding)
    padding,        // n or [h, w] (integers >= 0), 'same' or 'valid'
    boolean,        // true / false
    number,         // a finite number (checked further by its reader)
    text,           // one of a registry's names
    shape,          // an array of positive integers
    float_array,    // a Float32Array, checked by the JavaScript wrapper (a type C++ cannot see)
    number_pair,    // [a, b], two finite numbers (checked further by its reader)
    layer_list,     // an array of layer specs (a residual block's sub-network)
    unsupported,
};
const char* field_type_name(field_type t);

struct field_info {
    const char* name;
    field_type type;
    const char* default_text;  // as documented ("1", "'auto'", "kernel", "required")
};

struct layer_kind_info {
    const char* type;
    const field_info* fields;
    std::size_t field_count;
};

struct function_info {
    const char* name;  // the JavaScript name ("conv2d", "Network.trainStep", "sequential")
    const field_info* options;
    std::size_t option_count;
};

// Every layer kind, in layer_kinds.inc order.
const std::vector<layer_kind_info>& layer_kinds();
const layer_kind_info* find_layer_kind(std::string_view type);
// Every public function that takes an options object.
const std::vector<function_info>& function_options();
const function_info& function_options(std::string_view name);  // throws std::logic_error if absent

const std::vector<const char*>& loss_names();
const std::vector<const char*>& activation_names();
const std::vector<const char*>& optimizer_names();
const std::vector<const char*>& padding_words();
const std::vector<const char*>& conv_mode_names();

// The closest of `names` to `key` when it is close enough to be a likely typo, else "".
std::string nearest_name(std::string_view key, const std::vector<std::string>& names);
// "expected one of 'a', 'b', got 'x'" plus "; did you mean 'y'?" when one is close.
std::string one_of_text(std::string_view got, const std::vector<std::string>& names,
                        bool quote_names = true);

// Refuses a key of `fields` that `known` does not list:
// "<where>: unknown <noun> '<key>'; did you mean '<nearest>'?" (`where` may be empty: then
// the message starts "unknown ..."), and a field whose type is `unsupported`:
// "<prefix><key>: not supported". `prefix` is what names a field ("layers[0]." or "").
// `extra` lists further accepted keys (a layer spec's "type").
void check_fields(const field_list& fields, const field_info* known, std::size_t count,
                  const std::string& where, const std::string& prefix, const char* noun,
                  const std::vector<std::string>& extra = {});

// Readers: `name` is the argument named in errors. find returns nullptr when absent.
const field_value* find_field(const field_list& fields, std::string_view key);
std::string describe(const field_value& v);
int read_positive_int(const field_value& v, const std::string& name);
std::pair<int, int> read_int_pair(const field_value& v, const std::string& name, int min);
double read_number(const field_value& v, const std::string& name);
bool read_bool(const field_value& v, const std::string& name);
std::string read_text(const field_value& v, const std::string& name);
// An array of `dims` (one of) positive integers.
std::vector<int> read_shape(const field_value& v, const std::string& name,
                            std::initializer_list<std::size_t> dims);

}  // namespace convlab
