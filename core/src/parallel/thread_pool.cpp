// thread_pool.cpp: the pool behind parallel_for. One job at a time: the caller publishes it,
// then every worker and the caller claim chunk indices from one atomic word that also names
// the job, and the caller returns once every chunk has run. A worker that was not scheduled
// during a job (the machine has more runnable threads than cores: a page's own thread, a
// browser's compositor) costs nothing: the caller runs the chunks it would have run, and
// when the worker wakes its claim names a finished job and fails, so it never runs a chunk
// of a job that is over. A job submitted while another runs (a second caller thread, or a
// kernel nested in a chunk) runs on its own caller: correct, and the pool is busy anyway.
#include "convlab/parallel.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "convlab/common.hpp"

namespace convlab {

namespace {

thread_local bool inside_job = false;

// How long an idle thread keeps polling for the next job before it sleeps, and how long the
// caller polls for the last chunks to finish. A training step publishes dozens of jobs a few
// hundred microseconds apart; waking a sleeping thread costs tens of microseconds to
// milliseconds (on a virtual machine, or a core in a deep idle state): a wake-up per job
// would make two threads slower than one. Polling for a millisecond after each job leaves
// the wake-ups to the first job after a real pause (calls from JavaScript a few hundred
// microseconds apart, copying their inputs in between, still find the threads awake).
constexpr auto spin_for = std::chrono::microseconds(1000);

// Polls ready() until it holds or spin_for has passed; the clock is read every 256 polls
// (a clock read is a call into JavaScript in the browser).
template <class Ready>
bool spin_until(Ready ready) {
    const auto until = std::chrono::steady_clock::now() + spin_for;
    for (;;) {
        for (int i = 0; i < 256; ++i)
            if (ready()) return true;
        if (std::chrono::steady_clock::now() > until) return ready();
    }
}

class pool {
public:
    ~pool() { resize(1); }

    int size() const { return int(workers_.size()) + 1; }

    void resize(int n) {
        {
            std::lock_guard<std::mutex> lock(m_);
            stop_.store(true, std::memory_order_release);
        }
        wake_.notify_all();
        for (auto& t : workers_) t.join();
        workers_.clear();
        stop_.store(false, std::memory_order_relaxed);
        // a worker compares against the generation at its creation: one that starts late
        // must still see the first job published after this
        const std::uint64_t g = generation_of(job_.load(std::memory_order_relaxed));
        for (int i = 1; i < n; ++i) workers_.emplace_back([this, g] { work(g); });
    }

    void run(std::size_t chunks, void (*fn)(void*, std::size_t), void* ctx) {
        if (chunks > max_chunks) {
            // more chunks than the job word counts: the pool runs contiguous groups of them
            // (which thread runs a chunk never changes its result)
            struct group {
                std::size_t chunks, groups;
                void (*fn)(void*, std::size_t);
                void* ctx;
            } g{chunks, max_chunks, fn, ctx};
            run(
                max_chunks,
                [](void* p, std::size_t k) {
                    const auto& g = *static_cast<const group*>(p);
                    const index_span s = chunk_span(g.chunks, g.groups, k);
                    for (std::size_t i = s.begin; i < s.end; ++i) g.fn(g.ctx, i);
                },
                &g);
            return;
        }
        std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
        if (!busy.owns_lock() || workers_.empty() || chunks == 1 || inside_job) {
            for (std::size_t i = 0; i < chunks; ++i) fn(ctx, i);
            return;
        }
        // the caller holds busy_, so no other thread publishes: the next generation follows
        // the current word's
        const std::uint64_t generation =
            (generation_of(job_.load(std::memory_order_relaxed)) + 1) & generation_mask;
        {
            // the job's fields are published by the release store of job_ (to the polling
            // workers) and by the mutex (to the sleeping ones)
            std::lock_guard<std::mutex> lock(m_);
            fn_ = fn, ctx_ = ctx;
            done_count_.store(0, std::memory_order_relaxed);
            error_ = nullptr;
            job_.store(pack(generation, chunks, 0), std::memory_order_release);
        }
        wake_.notify_all();
        take_chunks(generation);
        auto finished = [&] { return done_count_.load(std::memory_order_acquire) == chunks; };
        if (!spin_until(finished)) {
            std::unique_lock<std::mutex> lock(m_);
            done_.wait(lock, finished);
        }
        std::exception_ptr error;
        {
            std::lock_guard<std::mutex> lock(m_);
            error = error_;
        }
        if (error) std::rethrow_exception(error);
    }

private:
    // The job word: generation (24 bits), chunk count (20 bits), next chunk index (20 bits).
    // A claim is a compare-and-swap of the whole word, so it succeeds only while the job it
    // names is the current one and has chunks left; a claimed chunk keeps its job from
    // finishing, so fn_ and ctx_ stay those of the claim until the chunk is done. 2^24 jobs
    // would have to pass while one thread sleeps between its load and its swap for an old
    // word to match again.
    static constexpr std::uint64_t generation_mask = (std::uint64_t(1) << 24) - 1;
    static constexpr std::size_t max_chunks = (std::size_t(1) << 20) - 1;
    static std::uint64_t pack(std::uint64_t generation, std::uint64_t chunks, std::uint64_t next) {
        return generation << 40 | chunks << 20 | next;
    }
    static std::uint64_t generation_of(std::uint64_t word) { return word >> 40; }

    // Runs chunks of job `generation` until none is left (or that job is over).
    void take_chunks(std::uint64_t generation) {
        inside_job = true;
        std::uint64_t word = job_.load(std::memory_order_acquire);
        for (;;) {
            if (generation_of(word) != generation) break;
            const std::uint64_t chunks = (word >> 20) & max_chunks, next = word & max_chunks;
            if (next >= chunks) break;
            if (!job_.compare_exchange_weak(word, word + 1, std::memory_order_acq_rel,
                                            std::memory_order_acquire))
                continue;
            try {
                fn_(ctx_, std::size_t(next));
            } catch (...) {
                std::lock_guard<std::mutex> lock(m_);
                if (!error_) error_ = std::current_exception();
            }
            if (done_count_.fetch_add(1, std::memory_order_acq_rel) + 1 == chunks) {
                // the caller may be asleep on done_: it checks the count under m_, so taking
                // m_ here orders this notification after its check
                std::lock_guard<std::mutex> lock(m_);
                done_.notify_one();
            }
            word = job_.load(std::memory_order_acquire);
        }
        inside_job = false;
    }

    void work(std::uint64_t seen) {
        auto news = [&] {
            return stop_.load(std::memory_order_acquire) ||
                   generation_of(job_.load(std::memory_order_acquire)) != seen;
        };
        for (;;) {
            if (!spin_until(news)) {
                std::unique_lock<std::mutex> lock(m_);
                wake_.wait(lock, news);
            }
            if (stop_.load(std::memory_order_acquire)) return;
            seen = generation_of(job_.load(std::memory_order_acquire));
            take_chunks(seen);
        }
    }

    std::mutex busy_;  // held by the thread whose job the pool runs
    std::mutex m_;
    std::condition_variable wake_, done_;
    std::vector<std::thread> workers_;
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> job_{0};
    std::atomic<std::size_t> done_count_{0};
    void (*fn_)(void*, std::size_t) = nullptr;
    void* ctx_ = nullptr;
    std::exception_ptr error_;
};

pool& the_pool() {
    static pool p;
    return p;
}

}  // namespace

void set_threads(int n) {
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
    require(n == 1, "threads",
            "expected 1: this module is single-threaded (the threaded one needs a cross-origin "
            "isolated page), got " + std::to_string(n));
#endif
    require(n >= 1 && n <= max_threads, "threads",
            "expected an integer from 1 to " + std::to_string(max_threads) + ", got " +
                std::to_string(n));
    require(!inside_job, "threads", "cannot be changed from inside a parallel task");
    pool& p = the_pool();
    if (p.size() != n) p.resize(n);
}

int threads() { return the_pool().size(); }

namespace detail {
void run_chunks(std::size_t chunks, void (*fn)(void*, std::size_t), void* ctx) {
    the_pool().run(chunks, fn, ctx);
}
}  // namespace detail

namespace detail {

namespace {
struct slot_buffer {
    std::vector<float> data;
    bool taken = false;
};
thread_local slot_buffer thread_slots;
}  // namespace

sum_slots::sum_slots(std::size_t floats) : data_(nullptr), own_(nullptr) {
    if (!thread_slots.taken) {
        if (thread_slots.data.size() < floats) thread_slots.data.resize(floats);
        thread_slots.taken = true;
        data_ = thread_slots.data.data();
    } else {
        auto* own = new std::vector<float>(floats);
        own_ = own;
        data_ = own->data();
    }
}

sum_slots::~sum_slots() {
    if (own_)
        delete static_cast<std::vector<float>*>(own_);
    else
        thread_slots.taken = false;
}

}  // namespace detail

void tree_sum(float* slots, std::size_t parts, std::size_t len, std::size_t stride) {
    if (parts <= 1 || len == 0) return;
    // element ranges of >= 4096 floats: each range runs the whole tree on its elements
    const std::size_t ranges = chunk_count(len, 4096, 64);
    parallel_for(ranges, [&](std::size_t r) {
        const index_span e = chunk_span(len, ranges, r);
        for (std::size_t step = 1; step < parts; step *= 2)
            for (std::size_t a = 0; a + step < parts; a += 2 * step) {
                float* dst = slots + a * stride;
                const float* src = slots + (a + step) * stride;
                for (std::size_t i = e.begin; i < e.end; ++i) dst[i] += src[i];
            }
    });
}

}  // namespace convlab
