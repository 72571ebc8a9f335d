// peak.cpp: the SIMD128 (or native) single-precision peak of this machine, measured as many
// independent mul + add chains on 4-float registers (WebAssembly has no FMA), so that
// gemm_bench's GFLOP/s can be read as a fraction of what the hardware gives WebAssembly.
// Not a test: prints numbers only.
#include <xsimd/xsimd.hpp>

#include <cstdio>

#include "cpu_time.hpp"

using batch = xsimd::batch<float, xsimd::sse2>;

// CHAINS independent accumulators each doing acc = acc * m + a per step: 2 flops per lane,
// with no dependence between chains so the add and mul units stay busy.
template <int CHAINS>
__attribute__((noinline)) float run(long steps, float seed) {
    batch acc[CHAINS];
    for (int c = 0; c < CHAINS; ++c) acc[c] = batch(seed + 0.001f * c);
    const batch m(0.999999f), a(1e-7f);
    for (long s = 0; s < steps; ++s)
        for (int c = 0; c < CHAINS; ++c) acc[c] = acc[c] * m + a;
    batch total(0.f);
    for (int c = 0; c < CHAINS; ++c) total += acc[c];
    return xsimd::hadd(total);
}

// Called through a volatile pointer so Binaryen cannot inline run() into main(): V8 never
// moves a running call from its baseline compiler to TurboFan, only the next call.
template <int CHAINS>
void measure() {
    static volatile auto run_ptr = &run<CHAINS>;
    // Many short repetitions, keeping the best: the machine is shared.
    const long steps = 2000000;
    double best = 0;
    float sink = 0;
    for (int rep = 0; rep < 40; ++rep) {
        const double t0 = cpu_seconds();
        sink += run_ptr(steps, 1.f + rep);
        const double s = cpu_seconds() - t0;
        double gflops = 2.0 * batch::size * CHAINS * steps / s * 1e-9;
        if (gflops > best) best = gflops;
    }
    std::printf("peak chains=%2d  best %.1f GFLOP/s  (sink %g)\n", CHAINS, best, sink);
}

int main() {
    measure<4>();
    measure<8>();
    measure<12>();
    measure<14>();
}
