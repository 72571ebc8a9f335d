// bind_common.cpp: JS values -> field_list, and the count check of bind_common.hpp.
#include "bind_common.hpp"

#include <cmath>

namespace bind {

void require_count(const char* name, double count, const std::vector<int>& shape,
                   const char* shape_name) {
    if (count == static_cast<double>(count_of(shape))) return;
    std::string dims;
    for (int d : shape) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
    convlab::fail(name, "expected " + std::to_string(count_of(shape)) + " elements for " +
                            shape_name + " [" + dims + "], got " +
                            std::to_string(static_cast<long long>(count)));
}

namespace {
std::string kind_of(const val& v) {
    if (v.isNull()) return "null";
    if (v.isUndefined()) return "undefined";
    const std::string t = v.typeOf().as<std::string>();
    if (t != "object") return t;
    if (val::global("ArrayBuffer").call<bool>("isView", v)) {
        const val tag = v[val::global("Symbol")["toStringTag"]];
        return tag.isString() ? tag.as<std::string>() : "typed array";
    }
    if (val::global("Array").call<bool>("isArray", v)) return "Array";
    const val ctor = v["constructor"];
    if (ctor.typeOf().as<std::string>() == "function" && ctor["name"].isString())
        return ctor["name"].as<std::string>();
    return "object";
}
}  // namespace

convlab::field_value value_from(const val& v) {
    const std::string t = v.typeOf().as<std::string>();
    if (t == "number") return convlab::number_value(v.as<double>());
    if (t == "string") return convlab::text_value(v.as<std::string>());
    if (t == "boolean") return convlab::bool_value(v.as<bool>());
    if (val::global("Array").call<bool>("isArray", v)) {
        const int n = v["length"].as<int>();
        std::vector<double> list;
        for (int i = 0; i < n && i < 64; ++i) {
            const val e = v[i];
            if (e.typeOf().as<std::string>() != "number") {
                convlab::field_value o;
                o.type = convlab::field_value::kind::other;
                o.text = "an Array holding " + kind_of(e);
                return o;
            }
            list.push_back(e.as<double>());
        }
        if (n > 64) list.push_back(NAN);  // longer than any shape or pair: refused by length
        return convlab::list_value(std::move(list));
    }
    convlab::field_value o;
    o.type = convlab::field_value::kind::other;
    o.text = kind_of(v);
    return o;
}

convlab::field_list fields_from(const val& object) {
    convlab::field_list list;
    if (object.typeOf().as<std::string>() != "object" || object.isNull()) return list;
    const val keys = val::global("Object").call<val>("keys", object);
    const int n = keys["length"].as<int>();
    for (int i = 0; i < n; ++i) {
        const std::string key = keys[i].as<std::string>();
        const val v = object[key];
        if (v.isUndefined() || v.isNull()) continue;
        list.emplace_back(key, value_from(v));
    }
    return list;
}

}  // namespace bind
