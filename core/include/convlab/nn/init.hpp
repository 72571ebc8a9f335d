// convlab/nn/init.hpp: seeded, platform-independent random numbers for initialising network
// parameters with PyTorch's default distribution for Conv2d and Linear. The generator is
// splitmix64 with our own float conversion, never a std:: distribution, because libstdc++
// (native) and libc++ (Emscripten) turn the same engine output into different floats. Only
// the distribution matches PyTorch, not its generator: the numbers themselves differ.
#pragma once

#include <cstddef>
#include <cstdint>

namespace convlab {

// splitmix64 (Steele, Lea, Flood 2014): one 64-bit state, every seed is a good seed.
class init_rng {
  public:
    explicit init_rng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform on the 2^24 points k / 2^23 - 1 of [-1, 1). Computed exactly (no rounding), so
    // every platform gets the same float whatever its floating-point contraction rules.
    float symmetric_unit() {
        const std::int32_t k = static_cast<std::int32_t>(next() >> 40);  // [0, 2^24)
        return static_cast<float>(k - (1 << 23)) * (1.0f / 8388608.0f);
    }

  private:
    std::uint64_t state_;
};

// PyTorch's bound for Conv2d and Linear weights (kaiming_uniform_ with a = sqrt(5)) and
// biases: 1 / sqrt(fan_in), where fan_in is C * R * S for a convolution, `in` for a dense
// layer. sqrt and division are correctly rounded, so the bound is the same everywhere.
float default_init_bound(std::size_t fan_in);

// p is (n). Draws p[i] ~ U(-bound, bound) from rng, in index order: one rounding per
// element (bound * an exact unit value), hence identical natively and in WebAssembly.
void init_uniform(init_rng& rng, float* p, std::size_t n, float bound);

}  // namespace convlab
