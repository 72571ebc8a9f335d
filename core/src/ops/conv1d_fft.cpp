// conv1d_fft.cpp: the FFT method, eq. (2.16) f * h = F^-1(F f . F h), with power-of-two
// transforms from fft.cpp zero-padded so the circular product equals the linear one. Short
// results use one transform of the whole result; long signals with short kernels use
// overlap-add: blocks of P - m + 1 samples, each convolved by one size-P product and added at
// its offset, so the cost is O(n log m) instead of O(n log n). Real data use both halves of the
// complex transform: two blocks ride in re and im of one transform (the kernel's spectrum acts
// on each linearly), and a single product packs f and h together. Spectra stay in the
// bit-reversed order the transforms leave them in (fft_internal.hpp): a pointwise product
// does not need them sorted. No real-FFT, no cached kernel spectra across calls.
#include <algorithm>
#include <cmath>
#include <vector>

#include "conv1d_internal.hpp"
#include "convlab/common.hpp"
#include "fft_internal.hpp"

namespace convlab {

namespace {

std::size_t next_pow2(std::size_t n) {
    std::size_t p = 1;
    while (p < n) p *= 2;
    return p;
}

// Work of one transform of size p in units of p log2 p: a fixed cost per call (measured: about
// 150 units), and about 2.3 times more per butterfly once the arrays (8 p bytes) leave L2
// (measured natively: 0.14 - 0.16 ns per unit from p = 2^9 to 2^19, 0.36 at 2^20).
double transform_work(std::size_t p) {
    const double butterflies = p < 2 ? 1.0 : double(p) * std::log2(double(p));
    return 150.0 + butterflies * (p > (std::size_t(1) << 19) ? 2.3 : 1.0);
}

// The whole result in one product: z = a + i k, Z = F z gives both spectra (A[j] =
// (Z[j] + conj Z[-j]) / 2, K[j] = (Z[j] - conj Z[-j]) / 2i), so
// A K = (Z[j]^2 - conj(Z[-j])^2) / 4i and the result is F^-1 of that: two transforms in all.
// out is (len): full-result indices [start, start + len).
// The binary exponent of the largest finite magnitude in x (0 if none), the power of two that
// brings x to magnitude ~1.
int magnitude_exponent(const float* x, std::size_t n) {
    float top = 0.f;
    for (std::size_t t = 0; t < n; ++t)
        if (std::isfinite(x[t])) top = std::max(top, std::fabs(x[t]));
    int e = 0;
    if (top > 0.f) std::frexp(top, &e);
    return e;
}

void single_product(const float* a, std::size_t na, const float* k, std::size_t nk, std::size_t p,
                    std::size_t start, std::size_t len, float* out) {
    std::vector<float> re(p, 0.f), im(p, 0.f), yr(p), yi(p);
    // Rounding in Z is relative to the larger of a and k, so a kernel 1e-6 the size of the signal
    // would drown in the signal's rounding: both are brought to magnitude ~1 by powers of two
    // (exact), and the result is scaled back once at the end. Scaling only k to a's magnitude
    // and folding the undoing into the product's factor overflowed that factor to infinity (and
    // inf * 0 to NaN) for values near 1e-40, and tiny products flushed to zero on the way.
    const int ea = magnitude_exponent(a, na), ek = magnitude_exponent(k, nk);
    for (std::size_t t = 0; t < na; ++t) re[t] = std::ldexp(a[t], -ea);
    for (std::size_t t = 0; t < nk; ++t) im[t] = std::ldexp(k[t], -ek);
    // Z in bit-reversed order (no permutation: see fft_internal.hpp). There, the bin -j of the
    // bin j stored at position r in [2^q, 2^(q+1)) sits at 3 * 2^q - 1 - r: negating j flips
    // the bits above its lowest set bit, which bit reversal turns into the bits below r's
    // highest one. Positions 0 and 1 (bins 0 and p / 2) are their own mirrors.
    fft_pow2_forward_scrambled(re.data(), im.data(), p);
    // The inverse transform's 1/p and the kernel's scaling, folded in here.
    const float scale = 1.f / float(p);
    auto product = [&](std::size_t r, std::size_t mirror) {
        const float x = re[r], y = im[r], u = re[mirror], v = im[mirror];
        yr[r] = 0.5f * scale * (x * y + u * v);
        yi[r] = -0.25f * scale * ((x - y) * (x + y) - (u - v) * (u + v));
    };
    product(0, 0);
    for (std::size_t top = 1; top < p; top *= 2)
        for (std::size_t r = top; r < 2 * top; ++r) product(r, 3 * top - 1 - r);
    fft_pow2_inverse_scrambled(yr.data(), yi.data(), p);
    for (std::size_t u = 0; u < len; ++u) out[u] = std::ldexp(yr[start + u], ea + ek);
}

// Overlap-add with transforms of size p: block b is a[b L, b L + L), L = p - nk + 1, and
// contributes its product to full-result indices [b L, b L + p).
void overlap_add(const float* a, std::size_t na, const float* k, std::size_t nk, std::size_t p,
                 std::size_t start, std::size_t len, float* out) {
    const std::size_t L = p - nk + 1, end = start + len;
    // The kernel's spectrum (p), with the inverse's 1/p folded in.
    // a and k brought to magnitude ~1 by powers of two, as in single_product.
    const int ea = magnitude_exponent(a, na), ek = magnitude_exponent(k, nk);
    std::vector<float> kr(p, 0.f), ki(p, 0.f);
    for (std::size_t t = 0; t < nk; ++t) kr[t] = std::ldexp(k[t], -ek);
    // Spectra in bit-reversed order: the pointwise product does not care, and skipping the
    // permutation saves about a third of each transform.
    fft_pow2_forward_scrambled(kr.data(), ki.data(), p);
    const float scale = 1.f / float(p);
    for (std::size_t j = 0; j < p; ++j) kr[j] *= scale, ki[j] *= scale;

    // Only blocks whose contribution meets the window.
    std::vector<std::size_t> blocks;
    for (std::size_t b = 0; b * L < na; ++b) {
        const std::size_t reach = b * L + std::min(L, na - b * L) + nk - 1;
        if (reach > start && b * L < end) blocks.push_back(b);
    }
    std::fill(out, out + len, 0.f);
    std::vector<float> re(p), im(p);
    for (std::size_t i = 0; i < blocks.size(); i += 2) {
        // Block blocks[i] in re, blocks[i + 1] (if any) in im: F^-1(F(x + i y) K) = x*k + i y*k
        // because both products are real.
        std::fill(re.begin(), re.end(), 0.f);
        std::fill(im.begin(), im.end(), 0.f);
        const std::size_t pair = std::min<std::size_t>(2, blocks.size() - i);
        for (std::size_t q = 0; q < pair; ++q) {
            const std::size_t b0 = blocks[i + q] * L;
            const std::size_t count = std::min(L, na - b0);
            float* dst = (q == 0 ? re : im).data();
            for (std::size_t t = 0; t < count; ++t) dst[t] = std::ldexp(a[b0 + t], -ea);
        }
        fft_pow2_forward_scrambled(re.data(), im.data(), p);
        for (std::size_t j = 0; j < p; ++j) {
            const float x = re[j], y = im[j];
            re[j] = x * kr[j] - y * ki[j];
            im[j] = x * ki[j] + y * kr[j];
        }
        fft_pow2_inverse_scrambled(re.data(), im.data(), p);
        for (std::size_t q = 0; q < pair; ++q) {
            const std::vector<float>& y = q == 0 ? re : im;
            const std::size_t b0 = blocks[i + q] * L;
            const std::size_t u0 = std::max(b0, start), u1 = std::min(b0 + p, end);
            for (std::size_t u = u0; u < u1; ++u) out[u - start] += y[u - b0];
        }
    }
    for (std::size_t u = 0; u < len; ++u) out[u] = std::ldexp(out[u], ea + ek);
}

}  // namespace

conv1d_fft_plan conv1d_fft_make_plan(std::size_t n, std::size_t m) {
    // One product of the whole result: two transforms, a pointwise pass.
    const std::size_t whole = next_pow2(n + m - 1);
    conv1d_fft_plan best{whole, 1, 2 * transform_work(whole) + 4.0 * double(whole)};
    // Overlap-add: the kernel's transform, then one transform pair per two blocks and a
    // pointwise pass per block. Blocks of at least 2m keep the overlap's waste below half.
    for (std::size_t p = next_pow2(2 * m); p < whole; p *= 2) {
        const std::size_t blocks = ceil_div(n, p - m + 1);
        const double work = transform_work(p) +
                            double(ceil_div(blocks, 2)) * 2 * transform_work(p) +
                            double(blocks) * 4.0 * double(p);
        if (work < best.work) best = {p, blocks, work};
    }
    return best;
}

void conv1d_fft_window(const float* a, std::size_t na, const float* k, std::size_t nk,
                       std::size_t start, std::size_t len, float* out) {
    if (na < nk) std::swap(a, k), std::swap(na, nk);
    // An all-zero operand (the other finite) gives exact zeros, as the direct sum does; the
    // packed product below would return its rounding noise (~1e-7 of the other's magnitude).
    auto all = [](const float* v, std::size_t n, auto pred) { return std::all_of(v, v + n, pred); };
    auto zero = [](float v) { return v == 0.f; };
    auto finite = [](float v) { return std::isfinite(v); };
    if ((all(a, na, zero) && all(k, nk, finite)) || (all(k, nk, zero) && all(a, na, finite))) {
        std::fill(out, out + len, 0.f);
        return;
    }
    const conv1d_fft_plan plan = conv1d_fft_make_plan(na, nk);
    if ((long long)plan.p > max_fft_length)
        fail("h", "too large for method 'fft' (a transform of " + std::to_string(plan.p) +
                      " points; the limit is " + std::to_string(max_fft_length) + ")");
    if (plan.blocks == 1)
        single_product(a, na, k, nk, plan.p, start, len, out);
    else
        overlap_add(a, na, k, nk, plan.p, start, len, out);
}

}  // namespace convlab
