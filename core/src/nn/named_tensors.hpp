// nn/named_tensors.hpp: the check shared by the calls that copy named tensors into a network
// (set_buffers; the shape of set_optimizer_state's): a caller's list against the network's
// names and shapes, every tensor exactly once, checked completely before anything is written.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "convlab/common.hpp"
#include "layers/layer.hpp"

namespace convlab {

// The names in `names` as "'a', 'b'", or "(none)".
inline std::string quoted_names(const std::vector<std::string>& names) {
    std::string t;
    for (const auto& n : names) t += (t.empty() ? "'" : ", '") + n + "'";
    return t.empty() ? "(none)" : t;
}

// Matches a caller's list of named tensors against the network's (`names`, `shapes`): every
// one exactly once, by name, with its shape and size. Returns, for each of the network's
// tensors, the list index of its entry; throws naming "list", "list[i].<field>", `noun`
// saying what is missing ("buffer"), before the caller writes anything.
template <class View>
std::vector<std::size_t> match_named(const std::vector<View>& list,
                                     const std::vector<std::string>& names,
                                     const std::vector<std::vector<int>>& shapes,
                                     const char* noun) {
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::vector<std::size_t> source(names.size(), none);
    for (std::size_t i = 0; i < list.size(); ++i) {
        const View& e = list[i];
        const std::string at = "list[" + std::to_string(i) + "].";
        const auto it = std::find(names.begin(), names.end(), e.name);
        if (it == names.end())
            fail(at + "name", "expected one of " + quoted_names(names) + ", got '" + e.name + "'");
        const std::size_t j = static_cast<std::size_t>(it - names.begin());
        if (source[j] != none) fail(at + "name", "'" + e.name + "' appears twice");
        if (e.shape != shapes[j])
            fail(at + "shape", "expected " + layers::shape_text(shapes[j]) + " for '" + names[j] +
                                   "', got " + layers::shape_text(e.shape));
        const std::size_t size = layers::element_count(shapes[j]);
        if (e.data == nullptr || e.size != size)
            fail(at + "data", "expected " + std::to_string(size) + " elements for shape " +
                                  layers::shape_text(shapes[j]) + ", got " +
                                  (e.data == nullptr ? "none" : std::to_string(e.size)));
        source[j] = i;
    }
    for (std::size_t j = 0; j < names.size(); ++j)
        if (source[j] == none) fail("list", "missing " + std::string(noun) + " '" + names[j] + "'");
    return source;
}

}  // namespace convlab
