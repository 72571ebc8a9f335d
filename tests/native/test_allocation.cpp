// test_allocation.cpp: a LeNet-5 training step allocates nothing once warmed up, with every
// conv2d method of the registry and 'auto', both losses, SGD with momentum. The browser trains
// step after step in one WebAssembly heap; an allocation per step is time spent in malloc and,
// worse, heap growth that detaches every JS view of the memory.
// How: this executable replaces the global allocation functions with counting ones (operator
// new in every form, and with glibc its malloc family, which xsimd's aligned allocator and
// anything else below operator new go through; under Emscripten, whose libc is not glibc, and
// under ASan only operator new is counted). Leaves out: forward-only calls, vjp, and
// allocations the first steps make (buffers sized to the batch are expected to be allocated
// then).
#include "harness.hpp"
#include "nn_harness.hpp"

#include "convlab/nn/sequential.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

// Under AddressSanitizer (GCC defines __SANITIZE_ADDRESS__) operator new is still replaced
// (ours forwards to malloc, which ASan intercepts), but malloc is not: replacing it would take
// allocation away from ASan. Allocations made directly through malloc then go uncounted there;
// the Release build counts them.
#if defined(__SANITIZE_ADDRESS__)
#define CONVLAB_COUNT_MALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONVLAB_COUNT_MALLOC 0
#endif
#endif
#if !defined(CONVLAB_COUNT_MALLOC) && defined(__GLIBC__)
#define CONVLAB_COUNT_MALLOC 1
#elif !defined(CONVLAB_COUNT_MALLOC)
#define CONVLAB_COUNT_MALLOC 0
#endif

namespace {

std::atomic<bool> counting{false};
std::vector<float>* volatile escaped = nullptr;  // keeps the self-check's allocation observable
std::atomic<long> allocations{0};

inline void note_allocation() {
    if (counting.load(std::memory_order_relaxed))
        allocations.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

// ---- counting replacements ------------------------------------------------------------------

#if CONVLAB_COUNT_MALLOC
// glibc documents replacing malloc ("Replacing malloc" in its manual): malloc, free, calloc,
// realloc, and the aligned forms. These forward to glibc's own implementation. operator new
// below then goes through them without being counted twice: it counts itself and calls
// __libc_malloc.
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);

void* malloc(std::size_t n) {
    note_allocation();
    return __libc_malloc(n);
}
void* calloc(std::size_t count, std::size_t n) {
    note_allocation();
    return __libc_calloc(count, n);
}
void* realloc(void* p, std::size_t n) {
    note_allocation();
    return __libc_realloc(p, n);
}
void free(void* p) { __libc_free(p); }
void* memalign(std::size_t alignment, std::size_t n) {
    note_allocation();
    return __libc_memalign(alignment, n);
}
void* aligned_alloc(std::size_t alignment, std::size_t n) {
    note_allocation();
    return __libc_memalign(alignment, n);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t n) {
    note_allocation();
    void* p = __libc_memalign(alignment, n);
    if (!p) return 12;  // ENOMEM
    *out = p;
    return 0;
}
}
#define CONVLAB_RAW_MALLOC __libc_malloc
#define CONVLAB_RAW_MEMALIGN __libc_memalign
#define CONVLAB_RAW_FREE __libc_free
#else
#define CONVLAB_RAW_MALLOC std::malloc
#define CONVLAB_RAW_FREE std::free
#endif

namespace {

void* counted_new(std::size_t n) {
    note_allocation();
    if (void* p = CONVLAB_RAW_MALLOC(n ? n : 1)) return p;
    throw std::bad_alloc();
}

void* counted_new_aligned(std::size_t n, std::align_val_t alignment) {
    note_allocation();
    const std::size_t a = static_cast<std::size_t>(alignment);
#if CONVLAB_COUNT_MALLOC
    void* p = CONVLAB_RAW_MEMALIGN(a, n ? n : 1);
#else
    void* p = nullptr;
    if (posix_memalign(&p, a < sizeof(void*) ? sizeof(void*) : a, n ? n : 1) != 0) p = nullptr;
#endif
    if (!p) throw std::bad_alloc();
    return p;
}

}  // namespace

void* operator new(std::size_t n) { return counted_new(n); }
void* operator new[](std::size_t n) { return counted_new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return counted_new(n);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return counted_new(n);
    } catch (...) {
        return nullptr;
    }
}
void* operator new(std::size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void operator delete(void* p) noexcept { CONVLAB_RAW_FREE(p); }
void operator delete[](void* p) noexcept { CONVLAB_RAW_FREE(p); }
void operator delete(void* p, std::size_t) noexcept { CONVLAB_RAW_FREE(p); }
void operator delete[](void* p, std::size_t) noexcept { CONVLAB_RAW_FREE(p); }
void operator delete(void* p, std::align_val_t) noexcept { CONVLAB_RAW_FREE(p); }
void operator delete[](void* p, std::align_val_t) noexcept { CONVLAB_RAW_FREE(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { CONVLAB_RAW_FREE(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { CONVLAB_RAW_FREE(p); }

// ---- the test -------------------------------------------------------------------------------

namespace {

using namespace convlab;

using harness::make;

// LeNet-5 as in API.md's example, every conv2d layer using `method`.
std::vector<layer_spec> lenet_layers(conv2d_method method) {
    layer_spec c0 = make("conv2d", 6, 5), c3 = make("conv2d", 16, 5);
    c0.pad_top = c0.pad_left = c0.pad_bottom = c0.pad_right = 2;
    c0.method = c3.method = method;
    return {c0,          make("relu"),       make("maxpool2d", 0, 2), c3,
            make("relu"), make("maxpool2d", 0, 2), make("flatten"),   make("dense", 120),
            make("relu"), make("dense", 84),       make("relu"),      make("dense", 10)};
}

// Allocations made by `measured` steps after `warm_up` steps of batch 8.
long allocations_in_steps(conv2d_method method, loss_kind loss, int warm_up, int measured) {
    const int batch = 8;
    sequential net(lenet_layers(method), {1, 28, 28}, 1);
    const std::vector<float> x = harness::random_vector(std::size_t(batch) * 28 * 28, 7, 0.f, 1.f);
    std::vector<std::int32_t> labels(batch);
    for (int n = 0; n < batch; ++n) labels[std::size_t(n)] = (3 * n + 1) % 10;
    train_options options;
    options.loss = loss;
    options.lr = loss == loss_kind::mse ? 0.5f : 0.01f;
    options.momentum = 0.9f;
    for (int i = 0; i < warm_up; ++i) net.train_step(x.data(), labels.data(), batch, options);
    allocations.store(0);
    counting.store(true);
    double sink = 0;
    for (int i = 0; i < measured; ++i)
        sink += net.train_step(x.data(), labels.data(), batch, options).loss;
    counting.store(false);
    CHECK(std::isfinite(sink));
    return allocations.load();
}

}  // namespace

TEST_CASE("the counting allocator sees allocations (so a zero below means something)") {
    allocations.store(0);
    counting.store(true);
    escaped = new std::vector<float>(100);
    counting.store(false);
    const long with_new = allocations.load();
    delete escaped;
    CHECK(with_new == 2);  // the vector object and its buffer
#if CONVLAB_COUNT_MALLOC
    allocations.store(0);
    counting.store(true);
    void* volatile p = std::malloc(64);
    counting.store(false);
    std::free(p);
    CHECK(allocations.load() == 1);
#endif
}

TEST_CASE("LeNet-5 train_step, batch 8: no allocation in steady state, every conv2d method") {
    std::vector<conv2d_method> methods = {
#define CONVLAB_CONV2D_VARIANT(id, name) conv2d_method::id,
#include "convlab/ops/conv2d_variants.inc"
#undef CONVLAB_CONV2D_VARIANT
        conv2d_method::automatic,
    };
    for (conv2d_method method : methods)
        for (loss_kind loss : {loss_kind::softmax_cross_entropy, loss_kind::mse}) {
            const long n = allocations_in_steps(method, loss, 3, 5);
            INFO("method " << std::string(conv2d_method_name(method)) << ", loss "
                           << std::string(loss == loss_kind::mse ? "mse" : "softmax-cross-entropy")
                           << ": " << n << " allocations in 5 steps after 3 warm-up steps");
            CHECK(n == 0);
        }
}

TEST_CASE("a step on the network's staging buffers and evaluate allocate nothing in steady state") {
    const int batch = 8;
    sequential net(lenet_layers(conv2d_method::automatic), {1, 28, 28}, 1);
    staging_view s = net.staging(batch);
    const std::vector<float> x = harness::random_vector(std::size_t(batch) * 28 * 28, 3, 0.f, 1.f);
    std::copy(x.begin(), x.end(), s.x);
    for (int n = 0; n < batch; ++n) s.labels[n] = n % 10;
    train_options options;
    options.momentum = 0.9f;
    std::vector<std::int32_t> predictions(batch);
    for (int i = 0; i < 2; ++i) {
        net.train_step(s.x, s.labels, batch, options);
        net.evaluate(s.x, s.labels, batch, loss_kind::softmax_cross_entropy, predictions.data());
    }
    allocations.store(0);
    counting.store(true);
    double sink = 0;
    for (int i = 0; i < 3; ++i) {
        s = net.staging(batch);  // the same batch: the same buffers
        sink += net.train_step(s.x, s.labels, batch, options).loss;
        sink += net.evaluate(s.x, s.labels, batch, loss_kind::mse, predictions.data()).loss;
    }
    counting.store(false);
    CHECK(std::isfinite(sink));
    CHECK(allocations.load() == 0);
}

TEST_CASE("every optimiser's step allocates nothing once its state exists") {
    const int batch = 4;
    const std::vector<float> x = harness::random_vector(std::size_t(batch) * 28 * 28, 5, 0.f, 1.f);
    const std::vector<std::int32_t> labels = {1, 4, 7, 0};
    for (convlab::optimizer_kind kind : {convlab::optimizer_kind::sgd, convlab::optimizer_kind::adam,
                                         convlab::optimizer_kind::adamw, convlab::optimizer_kind::rmsprop}) {
        sequential net(lenet_layers(conv2d_method::automatic), {1, 28, 28}, 1);
        train_options options;
        static_cast<convlab::optimizer_options&>(options) = convlab::default_optimizer_options(kind);
        options.momentum = kind == convlab::optimizer_kind::adam || kind == convlab::optimizer_kind::adamw ? 0.0 : 0.9;
        options.amsgrad = kind == convlab::optimizer_kind::adamw;
        options.centered = kind == convlab::optimizer_kind::rmsprop;
        options.weight_decay = 1e-4;
        for (int i = 0; i < 2; ++i) net.train_step(x.data(), labels.data(), batch, options);
        allocations.store(0);
        counting.store(true);
        for (int i = 0; i < 3; ++i) net.train_step(x.data(), labels.data(), batch, options);
        counting.store(false);
        INFO(convlab::optimizer_name(kind) << ": " << allocations.load() << " allocations in 3 steps");
        CHECK(allocations.load() == 0);
        // A reset keeps the state's memory: starting again allocates nothing either.
        net.reset_optimizer();
        allocations.store(0);
        counting.store(true);
        net.train_step(x.data(), labels.data(), batch, options);
        counting.store(false);
        CHECK(allocations.load() == 0);
    }
}
