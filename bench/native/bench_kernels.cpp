// bench_kernels.cpp: Google Benchmark cases for the core's kernels, natively. Every 2-D and
// 1-D convolution method in the registries (conv2d_variants.inc, conv1d_variants.inc) is
// registered on the cases of `npm run bench`, so a new variant is benchmarked here at once.
// Reports GFLOP/s as a counter. Not a test: nothing here passes or fails.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "convlab/nn/sequential.hpp"
#include "convlab/ops/conv1d.hpp"
#include "convlab/ops/conv2d.hpp"
#include "convlab/ops/dense.hpp"
#include "convlab/ops/gemm.hpp"
#include "convlab/ops/pool2d.hpp"

namespace {

std::vector<float> filled(std::size_t n, float seed) {
    std::vector<float> v(n);
    std::uint32_t s = static_cast<std::uint32_t>(seed * 1000) | 1u;
    for (auto& x : v) {
        s = s * 1664525u + 1013904223u;
        x = static_cast<float>(s >> 8) / 16777216.0f - 0.5f;
    }
    return v;
}

struct conv_case {
    const char* id;
    int N, C, H, W, K, R, S;
    bool same;
};

const conv_case kConvCases[] = {
    {"A", 64, 1, 28, 28, 6, 5, 5, false},
    {"B", 64, 6, 14, 14, 16, 5, 5, false},
    {"C", 8, 64, 32, 32, 64, 3, 3, true},
    {"D", 8, 256, 14, 14, 64, 1, 1, false},
};

convlab::conv2d_geometry geometry(const conv_case& c) {
    const auto pr = convlab::same_padding(c.R), ps = convlab::same_padding(c.S);
    return c.same ? convlab::make_conv2d_geometry(c.N, c.C, c.H, c.W, c.K, c.C, c.R, c.S, 1, 1,
                                                  pr.before, ps.before, pr.after, ps.after)
                  : convlab::make_conv2d_geometry(c.N, c.C, c.H, c.W, c.K, c.C, c.R, c.S, 1, 1,
                                                  0, 0, 0, 0);
}

double conv_flops(const convlab::conv2d_geometry& g) {
    return 2.0 * g.N * g.K * g.Ho * g.Wo * g.C * g.R * g.S;
}

void conv2d_forward(benchmark::State& state, conv_case c, convlab::conv2d_method method) {
    const auto g = geometry(c);
    auto x = filled(std::size_t(g.N) * g.C * g.H * g.W, 1);
    auto w = filled(std::size_t(g.K) * g.C * g.R * g.S, 2);
    auto b = filled(g.K, 3);
    std::vector<float> y(std::size_t(g.N) * g.K * g.Ho * g.Wo);
    for (auto _ : state) {
        convlab::conv2d_forward(g, x.data(), w.data(), b.data(), y.data(), method);
        benchmark::DoNotOptimize(y.data());
    }
    state.counters["GFLOP/s"] =
        benchmark::Counter(conv_flops(g) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void conv2d_backward(benchmark::State& state, conv_case c, convlab::conv2d_method method) {
    const auto g = geometry(c);
    auto x = filled(std::size_t(g.N) * g.C * g.H * g.W, 1);
    auto w = filled(std::size_t(g.K) * g.C * g.R * g.S, 2);
    auto dy = filled(std::size_t(g.N) * g.K * g.Ho * g.Wo, 3);
    std::vector<float> dx(x.size()), dw(w.size()), db(g.K);
    for (auto _ : state) {
        convlab::conv2d_backward(g, x.data(), w.data(), dy.data(), dx.data(), dw.data(), db.data(),
                                 method);
        benchmark::DoNotOptimize(dx.data());
    }
    state.counters["GFLOP/s"] = benchmark::Counter(2 * conv_flops(g) * 1e-9,
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

void conv1d(benchmark::State& state, convlab::conv1d_method method) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto m = static_cast<std::size_t>(state.range(1));
    auto f = filled(n, 4);
    auto h = filled(m, 5);
    for (auto _ : state) {
        auto out = convlab::convolve(f.data(), n, h.data(), m, convlab::conv_mode::full, method);
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["GFLOP/s"] =
        benchmark::Counter(2.0 * n * m * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void pool(benchmark::State& state, bool is_max, bool backward) {
    const auto g = convlab::make_pool2d_geometry(64, 6, 24, 24, 2, 2, 2, 2);
    auto x = filled(std::size_t(64) * 6 * 24 * 24, 6);
    auto dy = filled(std::size_t(64) * 6 * 12 * 12, 7);
    std::vector<float> y(dy.size()), dx(x.size());
    for (auto _ : state) {
        if (is_max && backward)
            convlab::max_pool2d_backward(g, x.data(), dy.data(), dx.data());
        else if (is_max)
            convlab::max_pool2d_forward(g, x.data(), y.data());
        else if (backward)
            convlab::avg_pool2d_backward(g, dy.data(), dx.data());
        else
            convlab::avg_pool2d_forward(g, x.data(), y.data());
        benchmark::ClobberMemory();
    }
}

void dense(benchmark::State& state, bool backward) {
    const std::size_t B = 64, I = 784, O = 100;
    auto x = filled(B * I, 8), w = filled(O * I, 9), b = filled(O, 10), dy = filled(B * O, 11);
    std::vector<float> y(B * O), dx(B * I), dw(O * I), db(O);
    for (auto _ : state) {
        convlab::dense_forward(x.data(), w.data(), b.data(), y.data(), B, I, O);
        if (backward)
            convlab::dense_backward(x.data(), w.data(), dy.data(), dx.data(), dw.data(), db.data(),
                                    B, I, O);
        benchmark::ClobberMemory();
    }
    state.counters["GFLOP/s"] = benchmark::Counter((backward ? 6.0 : 2.0) * B * I * O * 1e-9,
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

void lenet_step(benchmark::State& state) {
    auto conv = [](int out, int k, int pad) {
        convlab::layer_spec s;
        s.type = "conv2d"; s.out = out; s.kernel_h = s.kernel_w = k;
        s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = pad;
        return s;
    };
    auto simple = [](const char* type, int out = 0, int k = 0) {
        convlab::layer_spec s;
        s.type = type; s.out = out; s.kernel_h = s.kernel_w = k;
        return s;
    };
    std::vector<convlab::layer_spec> layers = {
        conv(6, 5, 2), simple("relu"), simple("maxpool2d", 0, 2), conv(16, 5, 0), simple("relu"),
        simple("maxpool2d", 0, 2), simple("flatten"), simple("dense", 120), simple("relu"),
        simple("dense", 84), simple("relu"), simple("dense", 10)};
    convlab::sequential net(layers, {1, 28, 28}, 1);
    const int B = 64;
    auto x = filled(std::size_t(B) * 784, 12);
    std::vector<std::int32_t> labels(B);
    for (int i = 0; i < B; ++i) labels[i] = (i * 7) % 10;
    convlab::train_options opt;
    for (auto _ : state) benchmark::DoNotOptimize(net.train_step(x.data(), labels.data(), B, opt));
}

// Registers every (case, method) pair from the registries.
const bool registered = [] {
    struct named { convlab::conv2d_method method; const char* name; };
    const named conv2d_methods[] = {
#define CONVLAB_CONV2D_VARIANT(id, name) {convlab::conv2d_method::id, name},
#include "convlab/ops/conv2d_variants.inc"
#undef CONVLAB_CONV2D_VARIANT
        {convlab::conv2d_method::automatic, "auto"}};
    for (const auto& c : kConvCases)
        for (const auto& m : conv2d_methods) {
            benchmark::RegisterBenchmark(
                (std::string("conv2d_forward/") + c.id + "/" + m.name).c_str(), conv2d_forward, c,
                m.method)->Unit(benchmark::kMillisecond);
            if (c.id[0] == 'A' || c.id[0] == 'C')
                benchmark::RegisterBenchmark(
                    (std::string("conv2d_backward/") + c.id + "/" + m.name).c_str(),
                    conv2d_backward, c, m.method)->Unit(benchmark::kMillisecond);
        }
    struct named1 { convlab::conv1d_method method; const char* name; };
    const named1 conv1d_methods[] = {
#define CONVLAB_CONV1D_VARIANT(id, name) {convlab::conv1d_method::id, name},
#include "convlab/ops/conv1d_variants.inc"
#undef CONVLAB_CONV1D_VARIANT
        {convlab::conv1d_method::automatic, "auto"}};
    for (const auto& m : conv1d_methods)
        benchmark::RegisterBenchmark((std::string("conv1d/") + m.name).c_str(), conv1d, m.method)
            ->ArgsProduct({{1024, 16384, 262144}, {5, 15, 63, 255, 1023}})
            ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("max_pool2d/forward", pool, true, false);
    benchmark::RegisterBenchmark("max_pool2d/backward", pool, true, true);
    benchmark::RegisterBenchmark("avg_pool2d/forward", pool, false, false);
    benchmark::RegisterBenchmark("avg_pool2d/backward", pool, false, true);
    benchmark::RegisterBenchmark("dense/forward", dense, false);
    benchmark::RegisterBenchmark("dense/forward_backward", dense, true);
    benchmark::RegisterBenchmark("lenet5/sgd_step_b64", lenet_step)->Unit(benchmark::kMillisecond);
    return true;
}();

}  // namespace
