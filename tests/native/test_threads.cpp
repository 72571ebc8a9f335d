// test_threads.cpp: the thread pool (convlab/parallel.hpp) and the kernels split over it give
// bit-identical results for 1, 2, 3 and 8 threads, and those results are still right (against
// the plain-loop references, so identical-but-wrong fails too). A seeded 20-step LeNet-5
// training run gives the same losses and parameters, bit for bit, for every thread count.
#include "harness.hpp"
#include "nn_harness.hpp"

#include "convlab/nn/sequential.hpp"
#include "convlab/ops/activation.hpp"
#include "convlab/ops/conv2d.hpp"
#include "convlab/ops/gemm.hpp"
#include "convlab/ops/pool2d.hpp"
#include "convlab/parallel.hpp"

#include <atomic>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

using namespace convlab;

namespace {

const int thread_counts[] = {1, 2, 3, 8};

// Restores one thread when a test ends, whatever happened in it.
struct threads_guard {
    ~threads_guard() { set_threads(1); }
};

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Runs f() under each thread count; every result must equal the one-thread result bit for bit.
template <class F>
std::vector<float> same_for_every_thread_count(const std::string& what, F f) {
    threads_guard guard;
    set_threads(1);
    const std::vector<float> one = f();
    for (int t : thread_counts) {
        set_threads(t);
        INFO(what << ", threads " << t);
        CHECK(same_bits(f(), one));
    }
    return one;
}

}  // namespace

TEST_CASE("set_threads: the count is honoured, and a bad one is refused naming 'threads'") {
    threads_guard guard;
    CHECK(threads() == 1);
    set_threads(3);
    CHECK(threads() == 3);
    for (int bad : {0, -1, max_threads + 1}) {
        try {
            set_threads(bad);
            FAIL("accepted threads = " << bad);
        } catch (const std::invalid_argument& e) {
            CHECK(std::string(e.what()).rfind("threads", 0) == 0);
        }
    }
    CHECK(threads() == 3);
}

TEST_CASE("parallel_for: every chunk once, on several threads, exceptions reach the caller") {
    threads_guard guard;
    set_threads(4);
    std::vector<std::atomic<int>> runs(1000);
    parallel_for(runs.size(), [&](std::size_t i) { runs[i].fetch_add(1); });
    for (auto& r : runs) CHECK(r.load() == 1);
    // nested calls run inline and still cover everything
    std::atomic<int> inner{0};
    parallel_for(8, [&](std::size_t) { parallel_for(10, [&](std::size_t) { inner.fetch_add(1); }); });
    CHECK(inner.load() == 80);
    CHECK_THROWS_AS(parallel_for(64,
                                 [&](std::size_t i) {
                                     if (i == 37) throw std::runtime_error("chunk 37");
                                 }),
                    std::runtime_error);
    // and the pool still works afterwards
    std::atomic<int> after{0};
    parallel_for(100, [&](std::size_t) { after.fetch_add(1); });
    CHECK(after.load() == 100);
}

TEST_CASE("parallel_for: many short jobs on more threads than cores, each chunk once, in its own job") {
    // More threads than the machine has cores: workers are descheduled mid-job and wake up
    // after their job has ended; a late claim must fail rather than run a chunk of a job that
    // is over or of the next one. Each job writes its own number into its chunks' slots and
    // checks, after the job, that every slot holds it exactly once.
    threads_guard guard;
    set_threads(8);
    std::vector<std::atomic<int>> hits(7);
    std::vector<std::atomic<int>> owner(7);
    bool all_once = true, all_own = true;
    for (int job = 1; job <= 20000; ++job) {
        const std::size_t chunks = 2 + std::size_t(job) % 6;
        for (std::size_t i = 0; i < chunks; ++i) hits[i].store(0), owner[i].store(0);
        parallel_for(chunks, [&](std::size_t i) {
            hits[i].fetch_add(1);
            owner[i].store(job);
        });
        for (std::size_t i = 0; i < chunks; ++i) {
            all_once = all_once && hits[i].load() == 1;
            all_own = all_own && owner[i].load() == job;
        }
    }
    CHECK(all_once);
    CHECK(all_own);
    // more chunks than one job word counts (2^20 - 1): still every chunk once
    std::vector<std::atomic<unsigned char>> big((std::size_t(1) << 20) + 5);
    parallel_for(big.size(), [&](std::size_t i) { big[i].fetch_add(1); });
    std::size_t once = 0;
    for (auto& b : big) once += b.load() == 1;
    CHECK(once == big.size());
}

TEST_CASE("tree_sum adds in the fixed tree ((0 + 1) + (2 + 3)) + 4, not left to right") {
    threads_guard guard;
    // 1e8 + 1 - 1e8 ... : the order decides the float result
    const std::vector<float> parts = {1e8f, 1.f, -1e8f, 1.f, 3.f};
    const float tree = ((parts[0] + parts[1]) + (parts[2] + parts[3])) + parts[4];
    const float left = (((parts[0] + parts[1]) + parts[2]) + parts[3]) + parts[4];
    REQUIRE(tree != left);  // the case can tell the two orders apart
    for (int t : thread_counts) {
        set_threads(t);
        std::vector<float> slots;
        for (float p : parts) slots.insert(slots.end(), 5000, p);  // 5000 floats per slot
        tree_sum(slots.data(), parts.size(), 5000, 5000);
        for (std::size_t i = 0; i < 5000; ++i) REQUIRE(slots[i] == tree);
    }
}

TEST_CASE("sgemm: identical for every thread count, and right") {
    struct shape { bool ta, tb; std::size_t M, N, K; };
    for (const shape s : {shape{false, false, 64, 1024, 576}, shape{false, true, 64, 576, 1024},
                          shape{true, false, 576, 1024, 64}, shape{false, false, 6, 576, 25},
                          shape{true, false, 100, 784, 64}, shape{false, false, 250, 37, 300}}) {
        const auto A = harness::random_vector(s.M * s.K, 1), B = harness::random_vector(s.K * s.N, 2);
        const std::size_t lda = s.ta ? s.M : s.K, ldb = s.tb ? s.K : s.N;
        const std::string what = "M " + std::to_string(s.M) + " N " + std::to_string(s.N) +
                                 " K " + std::to_string(s.K);
        const auto got = same_for_every_thread_count(what, [&] {
            std::vector<float> C(s.M * s.N, 0.5f);
            sgemm(s.ta, s.tb, s.M, s.N, s.K, 1.f, A.data(), lda, B.data(), ldb, 0.5f, C.data(), s.N);
            return C;
        });
        std::vector<float> want(s.M * s.N, 0.5f);
        sgemm_ref(s.ta, s.tb, s.M, s.N, s.K, 1.f, A.data(), lda, B.data(), ldb, 0.5f, want.data(), s.N);
        harness::check_close(got, want, 1e-5, what);
    }
}

TEST_CASE("conv2d forward and both gradients: identical for every thread count, every method") {
    struct geo { int N, C, H, W, K, R, S, stride, pad; };
    for (const geo c : {geo{5, 3, 12, 11, 7, 3, 3, 1, 1}, geo{1, 16, 20, 20, 32, 3, 3, 2, 1},
                        geo{9, 1, 28, 28, 6, 5, 5, 1, 2}, geo{3, 8, 9, 9, 4, 1, 1, 1, 0},
                        geo{2, 4, 24, 24, 4, 9, 9, 1, 4}}) {
        const conv2d_geometry g = make_conv2d_geometry(c.N, c.C, c.H, c.W, c.K, c.C, c.R, c.S,
                                                       c.stride, c.stride, c.pad, c.pad, c.pad, c.pad);
        const std::size_t nx = std::size_t(g.N) * g.C * g.H * g.W, nw = std::size_t(g.K) * g.C * g.R * g.S,
                          ny = std::size_t(g.N) * g.K * g.Ho * g.Wo;
        const auto x = harness::random_vector(nx, 3), w = harness::random_vector(nw, 4),
                   b = harness::random_vector(std::size_t(g.K), 5), dy = harness::random_vector(ny, 6);
        std::vector<float> y_ref(ny), dx_ref(nx), dw_ref(nw), db_ref(std::size_t(g.K));
        conv2d_forward_ref(g, x.data(), w.data(), b.data(), y_ref.data());
        conv2d_backward_ref(g, x.data(), w.data(), dy.data(), dx_ref.data(), dw_ref.data(), db_ref.data());
        for (conv2d_method m : {conv2d_method::direct, conv2d_method::im2col, conv2d_method::fft,
                                conv2d_method::automatic}) {
            const std::string what = std::string(conv2d_method_name(m)) + " N " + std::to_string(c.N) +
                                     " C " + std::to_string(c.C) + " K " + std::to_string(c.K) +
                                     " R " + std::to_string(c.R);
            const auto y = same_for_every_thread_count("forward " + what, [&] {
                std::vector<float> out(ny);
                conv2d_forward(g, x.data(), w.data(), b.data(), out.data(), m);
                return out;
            });
            harness::check_close(y, y_ref, 1e-4, "forward " + what);
            const auto grads = same_for_every_thread_count("backward " + what, [&] {
                std::vector<float> out(nx + nw + std::size_t(g.K));
                conv2d_backward(g, x.data(), w.data(), dy.data(), out.data(), out.data() + nx,
                                out.data() + nx + nw, m);
                return out;
            });
            harness::check_close({grads.begin(), grads.begin() + nx}, dx_ref, 1e-4, "dx " + what);
            harness::check_close({grads.begin() + nx, grads.begin() + nx + nw}, dw_ref, 1e-4, "dw " + what);
            harness::check_close({grads.begin() + nx + nw, grads.end()}, db_ref, 1e-4, "db " + what);
        }
    }
}

TEST_CASE("activations forward and backward: identical for every thread count, and right") {
    // several element ranges, and a length that is not a multiple of the vector width
    const std::size_t n = 3 * 16384 + 4099;
    const auto x = harness::random_vector(n, 21, -4.f, 4.f), dy = harness::random_vector(n, 22);
    for (activation a : {activation::relu, activation::sigmoid, activation::tanh}) {
        const auto got = same_for_every_thread_count("activation", [&] {
            std::vector<float> out(2 * n);
            activation_forward(a, x.data(), out.data(), n);
            activation_backward(a, x.data(), out.data(), dy.data(), out.data() + n, n);
            return out;
        });
        std::vector<float> want(2 * n);
        for (std::size_t i = 0; i < n; ++i) {
            const double v = x[i];
            const double y = a == activation::relu ? (v > 0 ? v : 0.0)
                             : a == activation::sigmoid ? 1.0 / (1.0 + std::exp(-v))
                                                        : std::tanh(v);
            const double d = a == activation::relu ? (v > 0 ? 1.0 : 0.0)
                             : a == activation::sigmoid ? y * (1.0 - y)
                                                        : 1.0 - y * y;
            want[i] = float(y);
            want[n + i] = float(dy[i] * d);
        }
        harness::check_close(got, want, 1e-5, "activation");
    }
}

TEST_CASE("pooling forward and backward: identical for every thread count, and right") {
    for (int k : {2, 3}) {
        const pool2d_geometry g = make_pool2d_geometry(6, 10, 30, 30, k, k, k - 1 + 1, k, k / 2, 0, 1, 1,
                                                       false, true);
        const std::size_t nx = 6 * 10 * 30 * 30, ny = std::size_t(g.N) * g.C * g.Ho * g.Wo;
        const auto x = harness::random_vector(nx, 7), dy = harness::random_vector(ny, 8);
        const std::string what = "kernel " + std::to_string(k);
        auto run = [&](bool max) {
            std::vector<float> out(ny + nx);
            if (max) {
                max_pool2d_forward(g, x.data(), out.data());
                max_pool2d_backward(g, x.data(), dy.data(), out.data() + ny);
            } else {
                avg_pool2d_forward(g, x.data(), out.data());
                avg_pool2d_backward(g, dy.data(), out.data() + ny);
            }
            return out;
        };
        const auto got_max = same_for_every_thread_count("max " + what, [&] { return run(true); });
        const auto got_avg = same_for_every_thread_count("avg " + what, [&] { return run(false); });
        std::vector<float> want(ny + nx);
        max_pool2d_forward_ref(g, x.data(), want.data());
        max_pool2d_backward_ref(g, x.data(), dy.data(), want.data() + ny);
        harness::check_close(got_max, want, 1e-6, "max " + what);
        avg_pool2d_forward_ref(g, x.data(), want.data());
        avg_pool2d_backward_ref(g, dy.data(), want.data() + ny);
        harness::check_close(got_avg, want, 1e-5, "avg " + what);
    }
}

TEST_CASE("a seeded 20-step LeNet-5 training run: same losses and parameters for 1, 2, 3, 8 threads") {
    using harness::make;
    const int batch = 64, steps = 20;
    const auto images = harness::random_vector(std::size_t(batch) * steps * 28 * 28, 11, 0.f, 1.f);
    std::vector<std::int32_t> labels(std::size_t(batch) * steps);
    for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = std::int32_t((7 * i + 3) % 10);
    for (conv2d_method m : {conv2d_method::automatic, conv2d_method::direct, conv2d_method::im2col}) {
        const auto run = [&] {
            layer_spec c0 = make("conv2d", 6, 5), c3 = make("conv2d", 16, 5);
            c0.pad_top = c0.pad_left = c0.pad_bottom = c0.pad_right = 2;
            c0.method = c3.method = m;
            sequential net({c0, make("relu"), make("maxpool2d", 0, 2), c3, make("relu"),
                            make("maxpool2d", 0, 2), make("flatten"), make("dense", 120),
                            make("relu"), make("dense", 84), make("relu"), make("dense", 10)},
                           {1, 28, 28}, 42);
            train_options o;
            o.lr = 0.05f;
            o.momentum = 0.9f;
            std::vector<float> curve;
            for (int s = 0; s < steps; ++s) {
                const step_result r = net.train_step(images.data() + std::size_t(s) * batch * 28 * 28,
                                                     labels.data() + std::size_t(s) * batch, batch, o);
                curve.push_back(float(r.loss));
            }
            for (const auto& p : net.parameters()) curve.insert(curve.end(), p.data, p.data + p.size);
            return curve;
        };
        const auto curve = same_for_every_thread_count(conv2d_method_name(m), run);
        // the run trains: the loss moves (a run that did nothing would be trivially identical)
        CHECK(curve[0] != curve[steps - 1]);
    }
}
