// bind_common.hpp: what the Embind entry points share: buffers as heap addresses, the
// exception-to-returned-Error rule, JS values -> the core's field_list, and result copies.
//
// - Buffers cross as heap addresses (numbers) with their element counts: the wrapper copies
//   a typed array into the heap through its real buffer and length, and the core checks the
//   count against the shape it computes (one check, in C++).
// - No C++ exception ever reaches JavaScript: every entry point runs inside `guarded`, which
//   turns an exception into a returned JS Error object (RangeError for an invalid argument)
//   that the wrapper throws. Returning rather than throwing from C++ matters: a JS throw
//   would unwind past C++ destructors and leak whatever was allocated.
#pragma once

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "convlab/common.hpp"
#include "convlab/registry.hpp"

namespace bind {

using emscripten::val;
using address = std::uintptr_t;  // a byte offset into the wasm heap, as JS passes it

template <class T>
T* at(address p) {
    return reinterpret_cast<T*>(p);
}

inline val js_error(const char* kind, const std::string& message) {
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

// A JS-owned copy of n floats.
inline val float_array(const float* data, std::size_t n) {
    return val::global("Float32Array").new_(val(emscripten::typed_memory_view(n, data)));
}

inline val int_array(const std::vector<int>& values) {
    val a = val::array();
    for (int v : values) a.call<void>("push", v);
    return a;
}

inline std::size_t count_of(const std::vector<int>& shape) {
    std::size_t n = 1;
    for (int d : shape) n *= static_cast<std::size_t>(d);
    return n;
}

// Scratch for a result on its way out: the core overwrites every element (its contract).
inline std::unique_ptr<float[]> uninitialised(std::size_t n) {
    return std::unique_ptr<float[]>(new float[n]);
}

// { data, shape }: a JS-owned copy of the (shape...) floats at data.
inline val tensor_object(const float* data, const std::vector<int>& shape) {
    val r = val::object();
    r.set("data", float_array(data, count_of(shape)));
    r.set("shape", int_array(shape));
    return r;
}

// Fails naming `name` unless `count` (the array's real length) fits `shape`.
void require_count(const char* name, double count, const std::vector<int>& shape,
                   const char* shape_name);

// One JS value as the core sees it (undefined / null are left to the caller).
convlab::field_value value_from(const val& v);
// An object's own enumerable keys with their values, skipping undefined and null values
// (an option left unset). Anything but an object gives an empty list.
convlab::field_list fields_from(const val& object);

}  // namespace bind
