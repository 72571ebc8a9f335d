// convlab/parallel.hpp: the thread pool every kernel splits its work over, and the rules that
// keep results identical whatever the thread count.
//
// Work is cut into chunks whose boundaries depend only on the problem (never on threads()),
// each chunk writes its own output or its own slot, and partial sums are combined by
// tree_sum in a fixed order. Which thread runs a chunk then cannot change a single bit, so 1,
// 2 or 8 threads give the same numbers, and a seeded training run the same curve.
#pragma once

#include <cstddef>
#include <type_traits>

namespace convlab {

// The most threads set_threads accepts. The WebAssembly module's workers are created up front
// (a browser cannot start one while the calling thread blocks), so its limit is that pool.
#ifdef __EMSCRIPTEN__
constexpr int max_threads = 8;
#else
constexpr int max_threads = 64;
#endif

// Threads the kernels use, the caller included (1: everything runs on the caller). Throws
// invalid_argument naming "threads" outside [1, max_threads]. Not to be called from inside a
// parallel_for.
void set_threads(int n);
int threads();

namespace detail {
void run_chunks(std::size_t chunks, void (*fn)(void*, std::size_t), void* ctx);
// The calling thread's scratch for partial sums (grows, never shrinks: a training step
// allocates nothing once warmed up). Nested users get a fresh buffer of their own.
class sum_slots {
public:
    explicit sum_slots(std::size_t floats);
    ~sum_slots();
    sum_slots(const sum_slots&) = delete;
    sum_slots& operator=(const sum_slots&) = delete;
    float* data() const { return data_; }

private:
    float* data_;
    void* own_;  // a buffer of this object's own when the thread's one was taken
};
}  // namespace detail

// Calls f(i) once for every i in [0, chunks), spread over the pool; returns when all are done.
// The chunks must be independent. Runs everything on the caller when one thread is set, when
// there is one chunk, and when called from inside another parallel_for (the outer split
// already occupies the pool). The first exception a chunk throws is rethrown here.
template <class F>
void parallel_for(std::size_t chunks, F&& f) {
    if (chunks == 0) return;
    using fn_type = std::remove_reference_t<F>;
    detail::run_chunks(
        chunks, [](void* ctx, std::size_t i) { (*static_cast<fn_type*>(ctx))(i); },
        const_cast<void*>(static_cast<const void*>(&f)));
}

// Chunk i of `count` near-equal chunks of [0, n).
struct index_span {
    std::size_t begin, end;
};
inline index_span chunk_span(std::size_t n, std::size_t count, std::size_t i) {
    return {n * i / count, n * (i + 1) / count};
}

// How many chunks to cut n items into: at most `most`, and none smaller than `grain` items.
// Depends on the problem only, so the partial sums of a reduction are always the same.
inline std::size_t chunk_count(std::size_t n, std::size_t grain, std::size_t most) {
    std::size_t c = grain == 0 ? n : n / grain;
    if (c > most) c = most;
    return c == 0 ? 1 : c;
}

// Element-wise work over [0, n) in fixed ranges of at least 16384 elements (below that the
// hand-off costs more than the work): f(begin, end) for each range, in parallel. Every range
// but the last starts and ends on a multiple of `align` (whole SIMD vectors). Each element's
// arithmetic is the same in any range, so the split changes no result.
template <class F>
void parallel_ranges(std::size_t n, std::size_t align, F&& f) {
    const std::size_t ranges = chunk_count(n, 16384, 64);
    parallel_for(ranges, [&](std::size_t r) {
        const std::size_t begin = r == 0 ? 0 : n * r / ranges / align * align;
        const std::size_t end = r + 1 == ranges ? n : n * (r + 1) / ranges / align * align;
        f(begin, end);
    });
}

// The reduction width of batch sums (weight and bias gradients): the batch is cut into at most
// this many chunks, each summed into its own slot. Enough for the threads a browser grants.
constexpr std::size_t reduction_chunks = 8;

// slots holds `parts` arrays of `len` floats, `stride` apart; afterwards slot 0 holds their
// sum, added pairwise in a fixed tree ((0 + 1) + (2 + 3)) + ... . Slots other than 0 are
// clobbered. Splits the additions over the pool by element ranges (same order per element).
void tree_sum(float* slots, std::size_t parts, std::size_t len, std::size_t stride);

// A sum over n items (the images of a batch) in fixed chunks: body(begin, end, slot) adds the
// contribution of items [begin, end) into slot, `len` floats zeroed beforehand, the chunks
// running in parallel; then out = the chunks' slots summed by tree_sum. The chunks are
// chunk_count(n, 1, reduction_chunks), so the sum is the same for every thread count. With
// out == nullptr the body gets slot == nullptr and nothing is summed (for the passes that
// share the loop but write per-item outputs only).
template <class F>
void parallel_sum(std::size_t n, float* out, std::size_t len, F&& body) {
    const std::size_t chunks = chunk_count(n, 1, reduction_chunks);
    if (!out || chunks == 1) {
        parallel_for(chunks, [&](std::size_t t) {
            if (out)
                for (std::size_t i = 0; i < len; ++i) out[i] = 0.f;
            const index_span s = chunk_span(n, chunks, t);
            body(s.begin, s.end, out);
        });
        return;
    }
    detail::sum_slots slots(chunks * len);
    float* base = slots.data();
    parallel_for(chunks, [&](std::size_t t) {
        float* slot = base + t * len;
        for (std::size_t i = 0; i < len; ++i) slot[i] = 0.f;
        const index_span s = chunk_span(n, chunks, t);
        body(s.begin, s.end, slot);
    });
    tree_sum(base, chunks, len, len);
    for (std::size_t i = 0; i < len; ++i) out[i] = base[i];
}

}  // namespace convlab
