// gemm_bench.cpp: GFLOP/s of convlab::sgemm on the shapes the network uses (the im2col GEMM of
// conv2d case C, LeNet-sized convolutions, a dense layer and its backward products), built
// with em++ for WebAssembly SIMD128 and run under Node, or natively. Reports the best and the
// median of several repetitions, since the machine is shared. Not a test.
#include "convlab/ops/gemm.hpp"

#include "cpu_time.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

// Called through a volatile pointer: otherwise Binaryen inlines sgemm into main(), which V8
// runs once, in its baseline compiler (Liftoff) forever, as WebAssembly has no on-stack
// replacement. Real callers (conv, dense) call sgemm many times, so it tiers up to TurboFan.
using sgemm_fn = decltype(&convlab::sgemm);
static volatile sgemm_fn sgemm_ptr = &convlab::sgemm;

struct shape {
    const char* name;
    bool ta, tb;
    std::size_t M, N, K;
};

int main(int argc, char** argv) {
    // Many short repetitions timed in CPU time (cpu_time.hpp): on a shared machine the best of
    // them is the speed of the code when it had a core to itself.
    const double min_seconds = argc > 1 ? std::atof(argv[1]) : 0.02;
    const int reps = argc > 2 ? std::atoi(argv[2]) : 25;
    const shape shapes[] = {
        {"conv C, one image   64x1024x576", false, false, 64, 1024, 576},
        {"conv C, batch 8     64x8192x576", false, false, 64, 8192, 576},
        {"conv C dW = dy cols^T 64x576x1024", false, true, 64, 576, 1024},
        {"conv C dcols = W^T dy 576x1024x64", true, false, 576, 1024, 64},
        {"LeNet conv1          6x576x25", false, false, 6, 576, 25},
        {"LeNet conv2         16x100x150", false, false, 16, 100, 150},
        {"dense fwd x W^T     64x100x784", false, true, 64, 100, 784},
        {"dense dx = dy W     64x784x100", false, false, 64, 784, 100},
        {"dense dW = dy^T x  100x784x64", true, false, 100, 784, 64},
        {"square             256x256x256", false, false, 256, 256, 256},
    };
    for (const shape& s : shapes) {
        const std::size_t lda = s.ta ? s.M : s.K, ldb = s.tb ? s.K : s.N;
        std::vector<float> A(s.M * s.K), B(s.K * s.N), C(s.M * s.N);
        for (std::size_t i = 0; i < A.size(); ++i) A[i] = float(i % 7) * 0.1f - 0.3f;
        for (std::size_t i = 0; i < B.size(); ++i) B[i] = float(i % 5) * 0.1f - 0.2f;
        const double flops = 2.0 * s.M * s.N * s.K;
        std::vector<double> rates;
        for (int rep = 0; rep < reps; ++rep) {
            long calls = 0;
            const double t0 = cpu_seconds();
            double elapsed = 0;
            do {
                sgemm_ptr(s.ta, s.tb, s.M, s.N, s.K, 1.f, A.data(), lda, B.data(), ldb, 0.f,
                               C.data(), s.N);
                ++calls;
                elapsed = cpu_seconds() - t0;
            } while (elapsed < min_seconds);
            rates.push_back(flops * calls / elapsed * 1e-9);
        }
        std::sort(rates.begin(), rates.end());
        std::printf("%-36s best %6.1f  median %6.1f GFLOP/s  (C[0]=%g)\n", s.name, rates.back(),
                    rates[rates.size() / 2], C[0]);
    }
}
