// fft.cpp: the discrete Fourier transform of any length (eq. 2.2 sampled; the engine of
// eq. 2.16). Powers of two use the iterative radix-2 transform on split re/im arrays (bit
// reversal, then decimation-in-time stages, fused two per sweep over the data), its butterflies
// vectorised with xsimd; a decimation-in-frequency twin without the bit reversal serves
// products of spectra (fft_internal.hpp). Other lengths use Bluestein's chirp-z, which turns a
// DFT of length n into a circular convolution of power-of-two length M >= 2n - 1. Leaves out
// real-input transforms and mixed radices: callers with real data pack two signals into re, im.
#include "convlab/ops/fft.hpp"

#include <cmath>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "convlab/common.hpp"
#include "fft_internal.hpp"
#include "kernel_arch.hpp"

namespace convlab {

namespace {

constexpr double pi = 3.14159265358979323846;

bool is_pow2(std::size_t n) { return (n & (n - 1)) == 0; }

std::size_t next_pow2(std::size_t n) {
    std::size_t p = 1;
    while (p < n) p *= 2;
    return p;
}

// Twiddle factors of every radix-2 stage: for half-size h = 1, 2, 4, ..., entries [h - 1, 2h - 1)
// hold w_j = exp(-2 pi i j / (2h)), j < h, contiguous so a stage loads them as a vector. A table
// built for size P serves every power of two <= P. Each entry is computed in double from its
// own angle (no recurrence), so rounding does not accumulate.
struct twiddle_table {
    std::size_t size;        // the largest transform it serves
    std::vector<float> re;   // (size - 1)
    std::vector<float> im;   // (size - 1)
};

std::shared_ptr<const twiddle_table> make_twiddles(std::size_t p) {
    auto t = std::make_shared<twiddle_table>();
    t->size = p;
    t->re.resize(p > 1 ? p - 1 : 1);
    t->im.resize(p > 1 ? p - 1 : 1);
    for (std::size_t h = 1; h < p; h *= 2)
        for (std::size_t j = 0; j < h; ++j) {
            const double angle = -pi * double(j) / double(h);
            t->re[h - 1 + j] = float(std::cos(angle));
            t->im[h - 1 + j] = float(std::sin(angle));
        }
    return t;
}

// One cached table, grown to the largest size asked for. Bounded: tables above 2^22 points
// (32 MB) are built per call and not kept. The shared_ptr keeps a table alive for a caller
// while another thread replaces it with a bigger one; the mutex guards the swap.
constexpr std::size_t max_cached_twiddles = std::size_t(1) << 22;

std::shared_ptr<const twiddle_table> twiddles_for(std::size_t p) {
    static std::mutex lock;
    static std::shared_ptr<const twiddle_table> cached;
    {
        std::lock_guard<std::mutex> guard(lock);
        if (cached && cached->size >= p) return cached;
    }
    auto table = make_twiddles(p);
    if (p <= max_cached_twiddles) {
        std::lock_guard<std::mutex> guard(lock);
        if (!cached || cached->size < p) cached = table;
    }
    return table;
}

void bit_reverse(float* re, float* im, std::size_t p) {
    for (std::size_t i = 1, j = 0; i < p; ++i) {
        std::size_t bit = p >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) {
            std::swap(re[i], re[j]);
            std::swap(im[i], im[j]);
        }
    }
}

// Complex helpers on split re/im values, scalar or batch.
template <class T>
inline void complex_mul(const T& xr, const T& xi, const T& wr, const T& wi, T& yr, T& yi) {
    yr = xr * wr - xi * wi;
    yi = xr * wi + xi * wr;
}

// One radix-2 stage of half-size h over the whole array: for every block of 2h and j < h,
// (x[j], x[j + h]) -> (x[j] + w_j x[j + h], x[j] - w_j x[j + h]), w_j = exp(-i pi j / h).
template <class T>
inline void radix2_butterfly(T& ar, T& ai, T& br, T& bi, const T& wr, const T& wi) {
    T tr, ti;
    complex_mul(br, bi, wr, wi, tr, ti);
    const T yr = ar, yi = ai;
    ar = yr + tr, ai = yi + ti;
    br = yr - tr, bi = yi - ti;
}

// One radix-2 sweep over blocks of 2h points, written once for any xsimd architecture: a
// batch::size main loop over j, then a scalar tail (all of j when h is narrower than a batch).
// Shared by the DIT and DIF stages, which differ only in their butterfly (a generic callable
// taking the two points and the twiddle, for batches and for plain floats alike).
template <class Arch, class Butterfly>
void radix2_sweep(float* re, float* im, std::size_t p, std::size_t h, const twiddle_table& tw,
                  Butterfly butterfly) {
    using batch = xsimd::batch<float, Arch>;
    constexpr std::size_t width = batch::size;
    const float* wr = tw.re.data() + h - 1;
    const float* wi = tw.im.data() + h - 1;
    for (std::size_t s = 0; s < p; s += 2 * h) {
        float *ar = re + s, *ai = im + s, *br = re + s + h, *bi = im + s + h;
        std::size_t j = 0;
        for (; j + width <= h; j += width) {
            batch xr = batch::load_unaligned(ar + j), xi = batch::load_unaligned(ai + j);
            batch yr = batch::load_unaligned(br + j), yi = batch::load_unaligned(bi + j);
            butterfly(xr, xi, yr, yi, batch::load_unaligned(wr + j), batch::load_unaligned(wi + j));
            xr.store_unaligned(ar + j), xi.store_unaligned(ai + j);
            yr.store_unaligned(br + j), yi.store_unaligned(bi + j);
        }
        for (; j < h; ++j) butterfly(ar[j], ai[j], br[j], bi[j], wr[j], wi[j]);
    }
}

template <class Arch>
void radix2_dit_stage(Arch, float* re, float* im, std::size_t p, std::size_t h,
                      const twiddle_table& tw) {
    radix2_sweep<Arch>(re, im, p, h, tw, [](auto&&... v) { radix2_butterfly(v...); });
}

// Two radix-2 stages (half-sizes h and 2h) in one pass over the array, so each element is
// loaded and stored once instead of twice. For every block of 4h and j < h, with
// w1 = exp(-i pi j / h), w2 = exp(-i pi j / 2h), and w2 times -i for the odd pair:
//   b0 = a0 + w1 a1, b1 = a0 - w1 a1, b2 = a2 + w1 a3, b3 = a2 - w1 a3      (stage h)
//   y0 = b0 + w2 b2, y2 = b0 - w2 b2, y1 = b1 - i w2 b3, y3 = b1 + i w2 b3   (stage 2h)
template <class T>
inline void radix4_butterfly(T& r0, T& i0, T& r1, T& i1, T& r2, T& i2, T& r3, T& i3,
                             const T& w1r, const T& w1i, const T& w2r, const T& w2i) {
    T tr, ti;
    complex_mul(r1, i1, w1r, w1i, tr, ti);
    const T b0r = r0 + tr, b0i = i0 + ti, b1r = r0 - tr, b1i = i0 - ti;
    complex_mul(r3, i3, w1r, w1i, tr, ti);
    const T b2r = r2 + tr, b2i = i2 + ti, b3r = r2 - tr, b3i = i2 - ti;
    complex_mul(b2r, b2i, w2r, w2i, tr, ti);
    r0 = b0r + tr, i0 = b0i + ti, r2 = b0r - tr, i2 = b0i - ti;
    complex_mul(b3r, b3i, w2r, w2i, tr, ti);
    // -i (tr + i ti) = ti - i tr
    r1 = b1r + ti, i1 = b1i - tr, r3 = b1r - ti, i3 = b1i + tr;
}

// One radix-4 sweep over blocks of 4h points: the vector main loop and the scalar tail, shared
// by the DIT and DIF stages, which differ only in their butterfly (a generic callable taking
// the four points and the two twiddles, for batches and for plain floats alike).
template <class Arch, class Butterfly>
void radix4_sweep(float* re, float* im, std::size_t p, std::size_t h, const twiddle_table& tw,
                  Butterfly butterfly) {
    using batch = xsimd::batch<float, Arch>;
    constexpr std::size_t width = batch::size;
    const float* w1r = tw.re.data() + h - 1;
    const float* w1i = tw.im.data() + h - 1;
    const float* w2r = tw.re.data() + 2 * h - 1;
    const float* w2i = tw.im.data() + 2 * h - 1;
    for (std::size_t s = 0; s < p; s += 4 * h) {
        float* r = re + s;
        float* i = im + s;
        std::size_t j = 0;
        for (; j + width <= h; j += width) {
            batch r0 = batch::load_unaligned(r + j), i0 = batch::load_unaligned(i + j);
            batch r1 = batch::load_unaligned(r + j + h), i1 = batch::load_unaligned(i + j + h);
            batch r2 = batch::load_unaligned(r + j + 2 * h), i2 = batch::load_unaligned(i + j + 2 * h);
            batch r3 = batch::load_unaligned(r + j + 3 * h), i3 = batch::load_unaligned(i + j + 3 * h);
            butterfly(r0, i0, r1, i1, r2, i2, r3, i3, batch::load_unaligned(w1r + j),
                      batch::load_unaligned(w1i + j), batch::load_unaligned(w2r + j),
                      batch::load_unaligned(w2i + j));
            r0.store_unaligned(r + j), i0.store_unaligned(i + j);
            r1.store_unaligned(r + j + h), i1.store_unaligned(i + j + h);
            r2.store_unaligned(r + j + 2 * h), i2.store_unaligned(i + j + 2 * h);
            r3.store_unaligned(r + j + 3 * h), i3.store_unaligned(i + j + 3 * h);
        }
        for (; j < h; ++j)
            butterfly(r[j], i[j], r[j + h], i[j + h], r[j + 2 * h], i[j + 2 * h], r[j + 3 * h],
                      i[j + 3 * h], w1r[j], w1i[j], w2r[j], w2i[j]);
    }
}

template <class Arch>
void radix4_dit_stage(Arch, float* re, float* im, std::size_t p, std::size_t h,
                      const twiddle_table& tw) {
    radix4_sweep<Arch>(re, im, p, h, tw, [](auto&&... v) { radix4_butterfly(v...); });
}

// The decimation-in-frequency stages, the DIT stages transposed: natural order in, bit-reversed
// order out. A product of two spectra does not care about their order, so convolution runs
// DIF forward, multiplies, and DIT backward, and never permutes (see fft_internal.hpp).
//   radix-2, half-size h: (a, b) -> (a + b, (a - b) w_j)
//   radix-4, half-sizes 2h then h (w1, w2 as in radix4_butterfly):
//     b0 = a0 + a2, b2 = (a0 - a2) w2, b1 = a1 + a3, b3 = (a1 - a3) (-i w2)
//     y0 = b0 + b1, y1 = (b0 - b1) w1, y2 = b2 + b3, y3 = (b2 - b3) w1
template <class T>
inline void radix4_dif_butterfly(T& r0, T& i0, T& r1, T& i1, T& r2, T& i2, T& r3, T& i3,
                                 const T& w1r, const T& w1i, const T& w2r, const T& w2i) {
    const T b0r = r0 + r2, b0i = i0 + i2, b1r = r1 + r3, b1i = i1 + i3;
    T b2r, b2i, b3r, b3i;
    complex_mul(r0 - r2, i0 - i2, w2r, w2i, b2r, b2i);
    complex_mul(r1 - r3, i1 - i3, w2r, w2i, b3r, b3i);
    // times -i: (x + i y) (-i) = y - i x
    const T b3r_rot = b3i, b3i_rot = -b3r;
    r0 = b0r + b1r, i0 = b0i + b1i;
    complex_mul(b0r - b1r, b0i - b1i, w1r, w1i, r1, i1);
    r2 = b2r + b3r_rot, i2 = b2i + b3i_rot;
    complex_mul(b2r - b3r_rot, b2i - b3i_rot, w1r, w1i, r3, i3);
}

template <class Arch>
void radix4_dif_stage(Arch, float* re, float* im, std::size_t p, std::size_t h,
                      const twiddle_table& tw) {
    radix4_sweep<Arch>(re, im, p, h, tw, [](auto&&... v) { radix4_dif_butterfly(v...); });
}

template <class T>
inline void radix2_dif_butterfly(T& ar, T& ai, T& br, T& bi, const T& wr, const T& wi) {
    const T xr = ar, xi = ai, yr = br, yi = bi;
    ar = xr + yr, ai = xi + yi;
    complex_mul(xr - yr, xi - yi, wr, wi, br, bi);
}

template <class Arch>
void radix2_dif_stage(Arch, float* re, float* im, std::size_t p, std::size_t h,
                      const twiddle_table& tw) {
    radix2_sweep<Arch>(re, im, p, h, tw, [](auto&&... v) { radix2_dif_butterfly(v...); });
}

// The first pair of stages (h = 1, 2), whose twiddles are 1 and -i: no multiplications, and
// blocks of 4 too narrow for a batch anyway. re, im are (p), p >= 4.
void radix4_first_pair(float* re, float* im, std::size_t p, bool dif) {
    for (std::size_t s = 0; s < p; s += 4) {
        const float r0 = re[s], i0 = im[s], r1 = re[s + 1], i1 = im[s + 1];
        const float r2 = re[s + 2], i2 = im[s + 2], r3 = re[s + 3], i3 = im[s + 3];
        if (!dif) {
            // DIT: h = 1 on (0, 1) and (2, 3), then h = 2 with twiddles 1 and -i.
            const float ar = r0 + r1, ai = i0 + i1, br = r0 - r1, bi = i0 - i1;
            const float cr = r2 + r3, ci = i2 + i3, dr = i2 - i3, di = r3 - r2;  // d = (x2 - x3)(-i)
            re[s] = ar + cr, im[s] = ai + ci, re[s + 2] = ar - cr, im[s + 2] = ai - ci;
            re[s + 1] = br + dr, im[s + 1] = bi + di, re[s + 3] = br - dr, im[s + 3] = bi - di;
        } else {
            // DIF: h = 2 on (0, 2) and (1, 3) with twiddles 1 and -i, then h = 1.
            const float ar = r0 + r2, ai = i0 + i2, cr = r0 - r2, ci = i0 - i2;
            const float br = r1 + r3, bi = i1 + i3, dr = i1 - i3, di = r3 - r1;  // d = (x1 - x3)(-i)
            re[s] = ar + br, im[s] = ai + bi, re[s + 1] = ar - br, im[s + 1] = ai - bi;
            re[s + 2] = cr + dr, im[s + 2] = ci + di, re[s + 3] = cr - dr, im[s + 3] = ci - di;
        }
    }
}

// All stages of a transform of size p (a power of two >= 2), two at a time, with a radix-2
// stage last when their count is odd: DIT from bit-reversed to natural order; DIF the same
// stages in reverse, from natural to bit-reversed order.
template <class Arch>
void dit_stages(Arch arch, float* re, float* im, std::size_t p, const twiddle_table& tw) {
    std::size_t h = 1;
    if (p >= 4) radix4_first_pair(re, im, p, false), h = 4;
    for (; 4 * h <= p; h *= 4) radix4_dit_stage(arch, re, im, p, h, tw);
    if (h < p) radix2_dit_stage(arch, re, im, p, h, tw);
}

template <class Arch>
void dif_stages(Arch arch, float* re, float* im, std::size_t p, const twiddle_table& tw) {
    std::size_t h = 1;
    while (4 * h <= p) h *= 4;
    if (h < p) radix2_dif_stage(arch, re, im, p, h, tw);
    for (h /= 4; h >= 4; h /= 4) radix4_dif_stage(arch, re, im, p, h, tw);
    if (p >= 4) radix4_first_pair(re, im, p, true);
}

// Forward transform of a power-of-two length, natural order in and out. re, im are (p).
void fft_pow2(float* re, float* im, std::size_t p) {
    if (p == 1) return;
    const auto tw = twiddles_for(p);
    bit_reverse(re, im, p);
    dit_stages(kernel_arch{}, re, im, p, *tw);
}

}  // namespace

void fft_pow2_forward_scrambled(float* re, float* im, std::size_t p) {
    if (p == 1) return;
    const auto tw = twiddles_for(p);
    dif_stages(kernel_arch{}, re, im, p, *tw);
}

void fft_pow2_inverse_scrambled(float* re, float* im, std::size_t p) {
    if (p == 1) return;
    const auto tw = twiddles_for(p);
    // DIT of (im, re) is the unscaled inverse of (re, im).
    dit_stages(kernel_arch{}, im, re, p, *tw);
}

namespace {

// Bluestein: with t k = (t^2 + k^2 - (k - t)^2) / 2,
// X[k] = w[k] sum_t (x[t] w[t]) conj(w[k - t]),  w[t] = exp(-i pi t^2 / n),
// a circular convolution of length M >= 2n - 1 done with three power-of-two transforms.
// re, im are (n).
void fft_bluestein(float* re, float* im, std::size_t n) {
    const std::size_t M = next_pow2(2 * n - 1);
    // t^2 mod 2n in integers keeps the chirp's angle exact for large t.
    std::vector<float> wr(n), wi(n);
    for (std::size_t t = 0; t < n; ++t) {
        const unsigned long long r = (static_cast<unsigned long long>(t) * t) % (2ull * n);
        const double angle = -pi * double(r) / double(n);
        wr[t] = float(std::cos(angle));
        wi[t] = float(std::sin(angle));
    }
    std::vector<float> ar(M, 0.f), ai(M, 0.f), br(M, 0.f), bi(M, 0.f);
    for (std::size_t t = 0; t < n; ++t) {
        ar[t] = re[t] * wr[t] - im[t] * wi[t];
        ai[t] = re[t] * wi[t] + im[t] * wr[t];
    }
    // b = conj(w) at offsets -(n-1) ... n-1, wrapped around M.
    br[0] = wr[0], bi[0] = -wi[0];
    for (std::size_t t = 1; t < n; ++t) {
        br[t] = br[M - t] = wr[t];
        bi[t] = bi[M - t] = -wi[t];
    }
    // A circular convolution: the spectra's order does not matter, so no permutation.
    // One table for the three transforms (above the cache's bound it is built per call).
    const auto tw = twiddles_for(M);
    dif_stages(kernel_arch{}, ar.data(), ai.data(), M, *tw);
    dif_stages(kernel_arch{}, br.data(), bi.data(), M, *tw);
    const float scale = 1.f / float(M);
    for (std::size_t k = 0; k < M; ++k) {
        const float r = (ar[k] * br[k] - ai[k] * bi[k]) * scale;
        const float i = (ar[k] * bi[k] + ai[k] * br[k]) * scale;
        ar[k] = r, ai[k] = i;
    }
    dit_stages(kernel_arch{}, ai.data(), ar.data(), M, *tw);  // unscaled inverse
    for (std::size_t k = 0; k < n; ++k) {
        re[k] = ar[k] * wr[k] - ai[k] * wi[k];
        im[k] = ar[k] * wi[k] + ai[k] * wr[k];
    }
}

void check_fft_args(const float* re, const float* im, std::size_t n) {
    require(n >= 1, "re", "expected a non-empty array");
    require_positive(static_cast<long long>(n), "re");
    if ((long long)n > max_fft_length)  // (the message is built only on failure: no allocation)
        fail("re", "too large (" + std::to_string(n) + " points; the limit is " +
                       std::to_string(max_fft_length) + ")");
    require(re != nullptr, "re", "expected an array");
    require(im != nullptr, "im", "expected an array");
}

}  // namespace

void fft_forward(float* re, float* im, std::size_t n) {
    check_fft_args(re, im, n);
    if (is_pow2(n))
        fft_pow2(re, im, n);
    else
        fft_bluestein(re, im, n);
}

void fft_inverse(float* re, float* im, std::size_t n) {
    check_fft_args(re, im, n);
    // The forward transform of (im, re) is the unscaled inverse transform of (re, im).
    fft_forward(im, re, n);
    const float scale = 1.f / float(n);
    for (std::size_t k = 0; k < n; ++k) re[k] *= scale, im[k] *= scale;
}

void fft_ref(const float* re, const float* im, float* out_re, float* out_im, std::size_t n,
             bool inverse) {
    check_fft_args(re, im, n);
    const double sign = inverse ? 1.0 : -1.0;
    for (std::size_t k = 0; k < n; ++k) {
        double sr = 0, si = 0;
        for (std::size_t t = 0; t < n; ++t) {
            // (t k) mod n keeps the angle in [0, 2 pi): exact for any n.
            const double angle = sign * 2 * pi * double((t * k) % n) / double(n);
            const double c = std::cos(angle), s = std::sin(angle);
            sr += double(re[t]) * c - double(im[t]) * s;
            si += double(re[t]) * s + double(im[t]) * c;
        }
        out_re[k] = float(inverse ? sr / double(n) : sr);
        out_im[k] = float(inverse ? si / double(n) : si);
    }
}

}  // namespace convlab
