// fft.cpp: the discrete Fourier transform of any length (eq. 2.2 sampled; the engine of
// eq. 2.16). Powers of two use an iterative radix-2 transform on split re/im arrays, its
// butterflies vectorised with xsimd; other lengths use Bluestein's chirp-z, which turns a DFT of
// length n into a circular convolution of power-of-two length M >= 2n - 1. Leaves out real-input
// transforms and mixed radices: callers with real data pack two signals into re and im.
#include "convlab/ops/fft.hpp"

#include <cmath>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "convlab/common.hpp"

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

// The radix-2 decimation-in-time transform, p a power of two >= 4. re, im are (p).
// Written once for any xsimd architecture: stages whose half-size h is at least the batch
// width run a batch::size main loop; smaller stages are scalar (the first two fused into one
// radix-4 pass, whose twiddles are 1 and -i and need no multiplication).
template <class Arch>
void fft_pow2_kernel(Arch, float* re, float* im, std::size_t p, const twiddle_table& tw) {
    using batch = xsimd::batch<float, Arch>;
    constexpr std::size_t width = batch::size;
    bit_reverse(re, im, p);
    for (std::size_t s = 0; s < p; s += 4) {
        const float ar = re[s] + re[s + 1], ai = im[s] + im[s + 1];
        const float br = re[s] - re[s + 1], bi = im[s] - im[s + 1];
        const float cr = re[s + 2] + re[s + 3], ci = im[s + 2] + im[s + 3];
        // (x2 - x3) times -i.
        const float dr = im[s + 2] - im[s + 3], di = re[s + 3] - re[s + 2];
        re[s] = ar + cr, im[s] = ai + ci;
        re[s + 2] = ar - cr, im[s + 2] = ai - ci;
        re[s + 1] = br + dr, im[s + 1] = bi + di;
        re[s + 3] = br - dr, im[s + 3] = bi - di;
    }
    for (std::size_t h = 4; h < p; h *= 2) {
        const float* wr = tw.re.data() + h - 1;
        const float* wi = tw.im.data() + h - 1;
        for (std::size_t s = 0; s < p; s += 2 * h) {
            float* ar = re + s;
            float* ai = im + s;
            float* br = re + s + h;
            float* bi = im + s + h;
            std::size_t j = 0;
            if (h >= width) {
                for (; j < h; j += width) {
                    const batch xr = batch::load_unaligned(br + j), xi = batch::load_unaligned(bi + j);
                    const batch cr = batch::load_unaligned(wr + j), ci = batch::load_unaligned(wi + j);
                    const batch tr = xsimd::fms(xr, cr, xi * ci);
                    const batch ti = xsimd::fma(xr, ci, xi * cr);
                    const batch yr = batch::load_unaligned(ar + j), yi = batch::load_unaligned(ai + j);
                    (yr + tr).store_unaligned(ar + j);
                    (yi + ti).store_unaligned(ai + j);
                    (yr - tr).store_unaligned(br + j);
                    (yi - ti).store_unaligned(bi + j);
                }
            }
            for (; j < h; ++j) {
                const float tr = br[j] * wr[j] - bi[j] * wi[j];
                const float ti = br[j] * wi[j] + bi[j] * wr[j];
                const float yr = ar[j], yi = ai[j];
                ar[j] = yr + tr, ai[j] = yi + ti;
                br[j] = yr - tr, bi[j] = yi - ti;
            }
        }
    }
}

// Forward transform of a power-of-two length. re, im are (p).
void fft_pow2(float* re, float* im, std::size_t p) {
    if (p == 1) return;
    if (p == 2) {
        const float r0 = re[0], i0 = im[0];
        re[0] = r0 + re[1], im[0] = i0 + im[1];
        re[1] = r0 - re[1], im[1] = i0 - im[1];
        return;
    }
    const auto tw = twiddles_for(p);
    fft_pow2_kernel(xsimd::default_arch{}, re, im, p, *tw);
}

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
    fft_pow2(ar.data(), ai.data(), M);
    fft_pow2(br.data(), bi.data(), M);
    const float scale = 1.f / float(M);
    for (std::size_t k = 0; k < M; ++k) {
        const float r = (ar[k] * br[k] - ai[k] * bi[k]) * scale;
        const float i = (ar[k] * bi[k] + ai[k] * br[k]) * scale;
        ar[k] = r, ai[k] = i;
    }
    // Swapping re and im turns the forward transform into the unscaled inverse.
    fft_pow2(ai.data(), ar.data(), M);
    for (std::size_t k = 0; k < n; ++k) {
        re[k] = ar[k] * wr[k] - ai[k] * wi[k];
        im[k] = ar[k] * wi[k] + ai[k] * wr[k];
    }
}

void check_fft_args(const float* re, const float* im, std::size_t n) {
    require(n >= 1, "re", "expected a non-empty array");
    require_positive(static_cast<long long>(n), "re");
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
