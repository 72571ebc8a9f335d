// bind_threads.cpp: the thread count of the core's pool (convlab/parallel.hpp), in its own
// EMSCRIPTEN_BINDINGS block. Both modules have it: the single-threaded one accepts only 1.
#include <emscripten/bind.h>

#include "bind_common.hpp"
#include "convlab/parallel.hpp"

namespace {

emscripten::val set_threads(int n) {
    return bind::guarded([&] {
        convlab::set_threads(n);
        return emscripten::val::undefined();
    });
}

int threads() { return convlab::threads(); }

}  // namespace

EMSCRIPTEN_BINDINGS(convlab_threads) {
    emscripten::function("setThreads", &set_threads);
    emscripten::function("threads", &threads);
}
