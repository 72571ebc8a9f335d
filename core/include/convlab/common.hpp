// convlab/common.hpp: the few things every op shares: the error type that names the bad
// argument, argument checks, and integer helpers. No Emscripten, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
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

}  // namespace convlab
