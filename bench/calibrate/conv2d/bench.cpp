// bench.cpp: the timing driver behind conv2d's 'auto' cost model (core/src/ops/conv2d_cost.cpp).
// Times forward, input-gradient and weight-gradient passes (and the full backward) of every
// conv2d method and 'auto' on a list of shapes, interleaved, each the minimum over `reps`
// rounds of >= 20 ms of process CPU time (cpu_time.hpp: the machine is shared). Prints one
// DATA line per shape and method, the input of fit.py, then a human-readable summary.
//   bench [shapes [reps [fft]]]   shapes: "name:N,C,H,W,K,R,S,stride_h,stride_w,pad;..."
// (default: cases A-D of the benchmark), reps default 11, a third argument adds the FFT method.
// Calibration only: not a test, not part of any build target.
#include "convlab/ops/conv2d.hpp"

#include "cpu_time.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace convlab;

struct shape {
    std::string name;
    int N, C, H, W, K, R, S, sh, sw, p;
};

// Runs f repeatedly for at least 20 ms of CPU time; seconds per run.
template <class F>
double timed(F f) {
    f();
    int n = 0;
    double t0 = cpu_seconds(), t;
    do {
        f();
        ++n;
        t = cpu_seconds();
    } while (t - t0 < 0.02);
    return (t - t0) / n;
}

int main(int argc, char** argv) {
    std::vector<shape> shapes = {{"A", 64, 1, 28, 28, 6, 5, 5, 1, 1, 0},
                                 {"B", 64, 6, 14, 14, 16, 5, 5, 1, 1, 0},
                                 {"C", 8, 64, 32, 32, 64, 3, 3, 1, 1, 1},
                                 {"D", 8, 256, 14, 14, 64, 1, 1, 1, 1, 0}};
    int reps = 11;
    if (argc > 1) {
        shapes.clear();
        const std::string s(argv[1]);
        std::size_t pos = 0;
        while (pos < s.size()) {
            std::size_t end = s.find(';', pos);
            if (end == std::string::npos) end = s.size();
            shape x{};
            const std::size_t colon = s.find(':', pos);
            x.name = s.substr(pos, colon - pos);
            std::sscanf(s.c_str() + colon + 1, "%d,%d,%d,%d,%d,%d,%d,%d,%d,%d", &x.N, &x.C, &x.H,
                        &x.W, &x.K, &x.R, &x.S, &x.sh, &x.sw, &x.p);
            shapes.push_back(x);
            pos = end + 1;
        }
    }
    if (argc > 2) reps = std::atoi(argv[2]);
    const bool with_fft = argc > 3;
    for (auto& s : shapes) {
        auto g = make_conv2d_geometry(s.N, s.C, s.H, s.W, s.K, s.C, s.R, s.S, s.sh, s.sw, s.p, s.p,
                                      s.p, s.p);
        // x is (N, C, H, W), w is (K, C, R, S), y and dy are (N, K, Ho, Wo)
        std::vector<float> x(std::size_t(g.N) * g.C * g.H * g.W),
            w(std::size_t(g.K) * g.C * g.R * g.S, 0.25f), b(g.K, 0.1f);
        std::vector<float> y(std::size_t(g.N) * g.K * g.Ho * g.Wo), dy(y.size(), 0.3f),
            dx(x.size()), dw(w.size()), db(g.K);
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i % 17) * 0.1f;
        const double flops = 2.0 * g.N * g.K * g.Ho * g.Wo * double(g.C) * g.R * g.S;
        std::vector<conv2d_method> ms = {conv2d_method::direct, conv2d_method::im2col};
        if (with_fft) ms.push_back(conv2d_method::fft);
        ms.push_back(conv2d_method::automatic);
        std::vector<double> tf(ms.size(), 1e9), tx(ms.size(), 1e9), tw(ms.size(), 1e9),
            tb(ms.size(), 1e9);
        // Interleaved rounds: a slow spell of the shared machine hits every method alike.
        for (int rep = 0; rep < reps; ++rep)
            for (std::size_t mi = 0; mi < ms.size(); ++mi) {
                const auto m = ms[mi];
                tf[mi] = std::min(tf[mi], timed([&] {
                    conv2d_forward(g, x.data(), w.data(), b.data(), y.data(), m);
                }));
                tx[mi] = std::min(tx[mi], timed([&] {
                    conv2d_backward(g, x.data(), w.data(), dy.data(), dx.data(), nullptr, nullptr, m);
                }));
                tw[mi] = std::min(tw[mi], timed([&] {
                    conv2d_backward(g, x.data(), w.data(), dy.data(), nullptr, dw.data(), db.data(), m);
                }));
                tb[mi] = std::min(tb[mi], timed([&] {
                    conv2d_backward(g, x.data(), w.data(), dy.data(), dx.data(), dw.data(), db.data(), m);
                }));
            }
        std::printf("%s (%d,%d,%d,%d)*(%d,%d,%d,%d) s%d p%d auto=%s\n", s.name.c_str(), s.N, s.C,
                    s.H, s.W, s.K, s.C, s.R, s.S, s.sh, s.p,
                    conv2d_method_name(conv2d_auto_method(g)));
        // DATA name N C H W K R S stride pad method forward_ms input_grad_ms weight_grad_ms
        for (std::size_t mi = 0; mi < ms.size(); ++mi)
            std::printf("DATA %s %d %d %d %d %d %d %d %d %d %s %.6f %.6f %.6f\n", s.name.c_str(),
                        s.N, s.C, s.H, s.W, s.K, s.R, s.S, s.sh, s.p, conv2d_method_name(ms[mi]),
                        tf[mi] * 1e3, tx[mi] * 1e3, tw[mi] * 1e3);
        for (std::size_t mi = 0; mi < ms.size(); ++mi)
            std::printf("   %-7s fwd %8.3fms %5.1f GF/s | dx %8.3fms %5.1f | dw %8.3fms %5.1f | "
                        "bwd %8.3fms %5.1f GF/s\n",
                        conv2d_method_name(ms[mi]), tf[mi] * 1e3, flops / tf[mi] * 1e-9,
                        tx[mi] * 1e3, flops / tx[mi] * 1e-9, tw[mi] * 1e3, flops / tw[mi] * 1e-9,
                        tb[mi] * 1e3, 2 * flops / tb[mi] * 1e-9);
        std::fflush(stdout);
    }
}
