// convlab/common.hpp: the few things every op shares: the error type that names the bad
// argument, argument checks, and integer helpers. No Emscripten, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>

namespace convlab {

// Thrown for every invalid argument. what() is "<argument>: <what was expected>", so a
// binding can forward it unchanged and the user learns which argument was wrong.
class invalid_argument : public std::invalid_argument {
public:
    invalid_argument(const std::string& argument, const std::string& expected)
        : std::invalid_argument(argument + ": " + expected), argument_(argument) {}
    const std::string& argument() const noexcept { return argument_; }

private:
    std::string argument_;
};

[[noreturn]] inline void fail(const std::string& argument, const std::string& expected) {
    throw invalid_argument(argument, expected);
}

inline void require(bool ok, const char* argument, const std::string& expected) {
    if (!ok) fail(argument, expected);
}
// A literal message becomes a std::string only on failure: the std::string overload would
// build (and, past 15 characters, heap-allocate) it on every call, even when ok.
inline void require(bool ok, const char* argument, const char* expected) {
    if (!ok) fail(argument, expected);
}

// Sizes are checked to be positive and small enough that products do not overflow.
inline void require_positive(long long value, const char* argument) {
    if (value <= 0) fail(argument, "expected a positive integer, got " + std::to_string(value));
    if (value > (1LL << 30)) fail(argument, "too large (" + std::to_string(value) + ")");
}

inline std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

// ---- stated limits ----------------------------------------------------------------------------
//
// Every op checks its sizes against these before it allocates or indexes anything, so no
// input, however extreme, reaches an overflowing product: what does not fit is refused with an
// invalid_argument naming the argument. The WebAssembly module can grow its heap to
// Emscripten's default MAXIMUM_MEMORY of 2 GiB (web/bindings/CMakeLists.txt sets
// ALLOW_MEMORY_GROWTH and no maximum); what fits under the limits below may still not fit in
// that heap, which the module reports as an Error too.

// Largest tensor, in elements: indices within one tensor are computed in int.
constexpr long long max_tensor_elements = (1LL << 31) - 1;
// Largest extent of one axis after padding (H + top + bottom, or a 1-D signal's length).
constexpr long long max_extent = 1LL << 30;
// Largest padding on one side.
constexpr long long max_padding = 1LL << 20;
// Largest scratch buffer an op allocates (elements of float: 1 GiB), and largest transform the
// FFT methods use (points of one 1-D transform, or of one 2-D grid: 16 Mi, 128 MiB as re + im,
// a 4096 x 4096 grid).
constexpr long long max_workspace_elements = 1LL << 28;
constexpr long long max_fft_length = 1LL << 24;
// The WebAssembly heap's ceiling, for the documentation (bytes).
constexpr long long wasm_max_heap_bytes = 1LL << 31;

// a * b for non-negative a, b, or -1 when the product exceeds `limit` (never overflows).
inline long long checked_product(long long a, long long b, long long limit = max_tensor_elements) {
    if (a < 0 || b < 0) return -1;
    if (a != 0 && b > limit / a) return -1;
    return a * b;
}

// The product of `sizes`, refused with "<argument>: too large (...)" past `limit`.
inline long long require_elements(std::initializer_list<long long> sizes, const char* argument,
                                  long long limit = max_tensor_elements) {
    long long n = 1;
    for (long long v : sizes) {
        n = checked_product(n, v, limit);
        if (n < 0) {
            std::string text = "too large (";
            const char* sep = "";
            for (long long u : sizes) text += sep + std::to_string(u), sep = " x ";
            fail(argument, text + " elements exceeds the limit of " + std::to_string(limit) + ")");
        }
    }
    return n;
}

// A scratch buffer of `elements` floats for `method`, refused before it is allocated.
inline void require_workspace(long long elements, const char* argument, const char* method) {
    if (elements < 0 || elements > max_workspace_elements)
        fail(argument, std::string("too large for method '") + method + "' (it would need " +
                           (elements < 0 ? std::string("more than 2^63") : std::to_string(elements)) +
                           " floats of workspace; the limit is " +
                           std::to_string(max_workspace_elements) + ")");
}

}  // namespace convlab
