// conv2d_fft.cpp: 2-D convolution through the FFT (eq. 2.16 in two dimensions). Every image
// channel and kernel is zero-padded onto a P x Q grid (powers of two >= the padded input, so no
// circular wrap reaches a result we keep) and transformed with 1-D FFTs along rows then
// columns (fft.hpp). Then, with X, W, DY the spectra of x, w and of dy spread onto the
// stride-1 grid:
//   forward  y[n, k]  = IFFT( sum_c X[n, c] conj(W[k, c]) )   (a correlation), subsampled
//                       by the stride, plus bias;
//   dx       dx[n, c] = IFFT( sum_k DY[n, k] W[k, c] )        (a convolution), cropped;
//   dw       dw[k, c] = IFFT( sum_n X[n, c] conj(DY[n, k]) )  (a correlation), cropped to R x S.
// Signals are real, so two are packed into one complex transform (re + i im) and separated
// by the spectrum's symmetry, and two real results come back from one inverse transform.
// The spectra of the weights (or of dw's accumulators) are cached in chunks of output
// channels within a memory budget; the per-image spectra of x and dy are recomputed per
// chunk. Stride > 1 computes the stride-1 result and subsamples (one code path; the FFT is
// worth it only for large kernels, where 'auto' picks it, and strided large kernels are rare).
// Threads take whole images in the forward pass and the input gradient; dw's sum over the
// batch stays on one thread (its spectral accumulators are the large part of the memory).
#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cstring>
#include <vector>

#include "conv2d_internal.hpp"
#include "convlab/common.hpp"
#include "convlab/ops/conv2d.hpp"
#include "convlab/ops/fft.hpp"
#include "convlab/parallel.hpp"

namespace convlab {

namespace {

using batch = xsimd::batch<float>;
constexpr std::size_t VS = batch::size;

int next_pow2(int n) {
    int p = 1;
    while (p < n) p *= 2;
    return p;
}

// Spectra are stored split: (re[P Q], im[P Q]) back to back.
struct grid {
    int P, Q;
    std::size_t area() const { return std::size_t(P) * Q; }
    std::size_t spectrum() const { return 2 * area(); }
};

// Forward 2-D FFT in place; rows at or past `rows` are known to be zero (their row transform
// is skipped). col is scratch (2 P).
void fft2_forward(const grid& gr, float* re, float* im, int rows, float* col) {
    for (int p = 0; p < rows; ++p) fft_forward(re + std::size_t(p) * gr.Q, im + std::size_t(p) * gr.Q, gr.Q);
    float* cr = col;
    float* ci = col + gr.P;
    for (int v = 0; v < gr.Q; ++v) {
        for (int p = 0; p < gr.P; ++p) cr[p] = re[std::size_t(p) * gr.Q + v], ci[p] = im[std::size_t(p) * gr.Q + v];
        fft_forward(cr, ci, gr.P);
        for (int p = 0; p < gr.P; ++p) re[std::size_t(p) * gr.Q + v] = cr[p], im[std::size_t(p) * gr.Q + v] = ci[p];
    }
}

// Inverse 2-D FFT in place (scaled by 1 / (P Q)); only rows [row0, row1) are finished.
void fft2_inverse(const grid& gr, float* re, float* im, int row0, int row1, float* col) {
    float* cr = col;
    float* ci = col + gr.P;
    for (int v = 0; v < gr.Q; ++v) {
        for (int p = 0; p < gr.P; ++p) cr[p] = re[std::size_t(p) * gr.Q + v], ci[p] = im[std::size_t(p) * gr.Q + v];
        fft_inverse(cr, ci, gr.P);
        for (int p = row0; p < row1; ++p) re[std::size_t(p) * gr.Q + v] = cr[p], im[std::size_t(p) * gr.Q + v] = ci[p];
    }
    for (int p = row0; p < row1; ++p) fft_inverse(re + std::size_t(p) * gr.Q, im + std::size_t(p) * gr.Q, gr.Q);
}

// Places a (rows, cols) real image, its element (a, b) at grid (top + a dh, left + b dw),
// into plane (P, Q), which is zeroed first.
void place(const grid& gr, const float* src, int rows, int cols, int top, int left, int dh,
           int dw, float* plane) {
    std::fill(plane, plane + gr.area(), 0.f);
    for (int a = 0; a < rows; ++a) {
        float* dst = plane + std::size_t(top + a * dh) * gr.Q + left;
        const float* s = src + std::size_t(a) * cols;
        if (dw == 1)
            std::memcpy(dst, s, sizeof(float) * cols);
        else
            for (int b = 0; b < cols; ++b) dst[b * dw] = s[b];
    }
}

// The spectra of two real planes a, b (each (P, Q), b may be nullptr for zero) into out_a and
// out_b (each a split spectrum), through one complex transform of a + i b. `rows`: the planes
// are zero from that row on. work is (2 P Q + 2 P).
void spectra_of_pair(const grid& gr, const float* a, const float* b, int rows, float* out_a,
                     float* out_b, float* work) {
    float* zr = work;
    float* zi = work + gr.area();
    std::memcpy(zr, a, sizeof(float) * gr.area());
    if (b)
        std::memcpy(zi, b, sizeof(float) * gr.area());
    else
        std::fill(zi, zi + gr.area(), 0.f);
    fft2_forward(gr, zr, zi, rows, work + 2 * gr.area());
    // A = (Z[u] + conj Z[-u]) / 2, B = (Z[u] - conj Z[-u]) / 2i
    float* ar = out_a;
    float* ai = out_a + gr.area();
    float* br = out_b ? out_b : nullptr;
    float* bi = out_b ? out_b + gr.area() : nullptr;
    for (int u = 0; u < gr.P; ++u) {
        const int mu = (gr.P - u) % gr.P;
        for (int v = 0; v < gr.Q; ++v) {
            const int mv = (gr.Q - v) % gr.Q;
            const std::size_t i = std::size_t(u) * gr.Q + v, m = std::size_t(mu) * gr.Q + mv;
            const float r = zr[i], im = zi[i], rm = zr[m], imm = zi[m];
            ar[i] = 0.5f * (r + rm);
            ai[i] = 0.5f * (im - imm);
            if (br) {
                br[i] = 0.5f * (im + imm);
                bi[i] = 0.5f * (rm - r);
            }
        }
    }
}

// acc += a * b (conj_b: a * conj(b)), all split spectra of n complex values.
void complex_mac(float* acc, const float* a, const float* b, std::size_t n, bool conj_b) {
    float* acr = acc;
    float* aci = acc + n;
    const float* ar = a;
    const float* ai = a + n;
    const float* br = b;
    const float* bi = b + n;
    const float sign = conj_b ? -1.f : 1.f;
    const batch vsign(sign);
    std::size_t i = 0;
    for (; i + VS <= n; i += VS) {
        const batch xr = batch::load_unaligned(ar + i), xi = batch::load_unaligned(ai + i);
        const batch yr = batch::load_unaligned(br + i), yi = batch::load_unaligned(bi + i) * vsign;
        batch cr = batch::load_unaligned(acr + i), ci = batch::load_unaligned(aci + i);
        cr = xsimd::fma(xr, yr, cr);
        cr = xsimd::fnma(xi, yi, cr);
        ci = xsimd::fma(xr, yi, ci);
        ci = xsimd::fma(xi, yr, ci);
        cr.store_unaligned(acr + i);
        ci.store_unaligned(aci + i);
    }
    for (; i < n; ++i) {
        const float yi = sign * bi[i];
        acr[i] += ar[i] * br[i] - ai[i] * yi;
        aci[i] += ar[i] * yi + ai[i] * br[i];
    }
}

// Two real results from two accumulated spectra s1, s2 (Hermitian, as sums of products of
// real signals' spectra): one inverse transform of s1 + i s2, whose re is the first and im
// the second. Only rows [row0, row1) are finished. out1/out2 are (P, Q) planes (out2 may be
// nullptr when s2 is absent). work is (2 P).
void inverse_pair(const grid& gr, float* s1, const float* s2, int row0, int row1, float* work) {
    const std::size_t n = gr.area();
    float* re = s1;
    float* im = s1 + n;
    if (s2)
        for (std::size_t i = 0; i < n; ++i) {
            const float r = re[i] - s2[n + i], m = im[i] + s2[i];
            re[i] = r;
            im[i] = m;
        }
    fft2_inverse(gr, re, im, row0, row1, work);
}

float* workspace(std::vector<float>& v, std::size_t n) {
    if (v.size() < n) v.resize(n);
    return v.data();
}

// Floats allowed for the cached spectra of one chunk (32 MiB by default).
std::size_t chunk_budget = std::size_t(8) << 20;

// How many groups of `per` floats fit the budget: at least one, at most `most`.
int chunk_size(std::size_t per, int most) {
    return int(std::clamp<std::size_t>(chunk_budget / per, 1, std::size_t(most)));
}

struct fft_setup {
    grid gr;
    int Hp, Wp;
};

// The transform grid covers the whole padded input. It and the spectra of one image's (or
// one kernel's) channels are checked against the stated limits before anything is allocated:
// a padding the other methods never read would otherwise make this one ask for gigabytes.
fft_setup setup(const conv2d_geometry& g) {
    const int Hp = g.H + g.pad_top + g.pad_bottom, Wp = g.W + g.pad_left + g.pad_right;
    const fft_setup f{{next_pow2(Hp), next_pow2(Wp)}, Hp, Wp};
    const bool padded = g.pad_top + g.pad_bottom + g.pad_left + g.pad_right > 0;
    const char* argument = padded ? "padding" : "xShape";
    const long long area = (long long)f.gr.P * f.gr.Q;  // both <= 2^30: no overflow
    if (area > max_fft_length)
        fail(argument, "too large for method 'fft' (a " + std::to_string(f.gr.P) + "x" +
                           std::to_string(f.gr.Q) + " transform; the limit is " +
                           std::to_string(max_fft_length) + " points)");
    // the spectra of one image's channels, of at least one chunk and the scratch planes
    require_workspace(require_elements({8 * std::max(g.C, g.K), area}, argument,
                                       max_workspace_elements),
                      argument, "fft");
    return f;
}

// The spectra of `count` real planes produced by make(index, plane), two at a time.
template <class Make>
void spectra_of(const grid& gr, int count, int rows, Make make, float* out, std::vector<float>& tmp) {
    float* a = workspace(tmp, 2 * gr.area() + 2 * gr.area() + 2 * gr.P);
    float* b = a + gr.area();
    float* work = b + gr.area();
    for (int i = 0; i < count; i += 2) {
        make(i, a);
        if (i + 1 < count) make(i + 1, b);
        spectra_of_pair(gr, a, i + 1 < count ? b : nullptr, rows, out + std::size_t(i) * gr.spectrum(),
                        i + 1 < count ? out + std::size_t(i + 1) * gr.spectrum() : nullptr, work);
    }
}

}  // namespace

std::size_t conv2d_fft_set_chunk_budget(std::size_t floats) {
    const std::size_t old = chunk_budget;
    chunk_budget = std::max<std::size_t>(floats, 1);
    return old;
}

// x is (N, C, H, W), w is (K, C, R, S), bias is (K) or nullptr, y is (N, K, Ho, Wo).
void conv2d_fft_forward(const conv2d_geometry& g, const float* x, const float* w,
                        const float* bias, float* y) {
    const fft_setup f = setup(g);
    const grid& gr = f.gr;
    const std::size_t spec = gr.spectrum();
    thread_local std::vector<float> xs_buf, ws_buf, acc_buf, tmp;
    const int chunk = chunk_size(std::size_t(g.C) * spec, g.K);
    float* ws = workspace(ws_buf, std::size_t(chunk) * g.C * spec);
    const int last_row = (g.Ho - 1) * g.stride_h + 1;
    for (int k0 = 0; k0 < g.K; k0 += chunk) {
        const int kc = std::min(chunk, g.K - k0);
        spectra_of(gr, kc * g.C, g.R,
                   [&](int i, float* plane) {
                       place(gr, w + (std::size_t(k0) * g.C + i) * g.R * g.S, g.R, g.S, 0, 0, 1, 1, plane);
                   },
                   ws, tmp);
        // images are independent: threads take whole images, with their own buffers
        parallel_for(g.N, [&](std::size_t n) {
            float* xs = workspace(xs_buf, std::size_t(g.C) * spec);  // one image's channels
            float* acc = workspace(acc_buf, 2 * spec + 2 * gr.P);
            spectra_of(gr, g.C, g.pad_top + g.H,
                       [&](int c, float* plane) {
                           place(gr, x + (std::size_t(n) * g.C + c) * g.H * g.W, g.H, g.W, g.pad_top,
                                 g.pad_left, 1, 1, plane);
                       },
                       xs, tmp);
            for (int k = 0; k < kc; k += 2) {
                const int pair = std::min(2, kc - k);
                float* s1 = acc;
                float* s2 = acc + spec;
                std::fill(acc, acc + pair * spec, 0.f);
                for (int j = 0; j < pair; ++j)
                    for (int c = 0; c < g.C; ++c)
                        complex_mac(j == 0 ? s1 : s2, xs + c * spec,
                                    ws + (std::size_t(k + j) * g.C + c) * spec, gr.area(), true);
                inverse_pair(gr, s1, pair == 2 ? s2 : nullptr, 0, last_row, acc + 2 * spec);
                for (int j = 0; j < pair; ++j) {
                    const int kk = k0 + k + j;
                    const float* plane = j == 0 ? s1 : s1 + gr.area();
                    const float b = bias ? bias[kk] : 0.f;
                    float* out = y + (std::size_t(n) * g.K + kk) * g.Ho * g.Wo;
                    for (int i = 0; i < g.Ho; ++i)
                        for (int jj = 0; jj < g.Wo; ++jj)
                            out[i * g.Wo + jj] =
                                plane[std::size_t(i * g.stride_h) * gr.Q + jj * g.stride_w] + b;
                }
            }
        });
    }
}

// dy is (N, K, Ho, Wo); dx (N, C, H, W), dw (K, C, R, S), db (K), each optional, overwritten.
void conv2d_fft_backward(const conv2d_geometry& g, const float* x, const float* w,
                         const float* dy, float* dx, float* dw, float* db) {
    const fft_setup f = setup(g);
    const grid& gr = f.gr;
    const std::size_t spec = gr.spectrum();
    const std::size_t y_plane = std::size_t(g.Ho) * g.Wo;
    const int dy_rows = (g.Ho - 1) * g.stride_h + 1;
    thread_local std::vector<float> a_buf, b_buf, cache_buf, acc_buf, tmp;
    auto dy_plane = [&](int n, int k, float* plane) {
        place(gr, dy + (std::size_t(n) * g.K + k) * y_plane, g.Ho, g.Wo, 0, 0, g.stride_h,
              g.stride_w, plane);
    };
    auto x_plane = [&](int n, int c, float* plane) {
        place(gr, x + (std::size_t(n) * g.C + c) * g.H * g.W, g.H, g.W, g.pad_top, g.pad_left, 1,
              1, plane);
    };

    if (db) conv2d_bias_backward(g, dy, db);

    if (dx) {
        // chunks of input channels c: cache W[k, c] for all k, c in the chunk
        const int chunk = chunk_size(std::size_t(g.K) * spec, g.C);
        float* ws = workspace(cache_buf, std::size_t(chunk) * g.K * spec);
        for (int c0 = 0; c0 < g.C; c0 += chunk) {
            const int cc = std::min(chunk, g.C - c0);
            // ws[(j, k)] = spectrum of w[k, c0 + j]
            spectra_of(gr, cc * g.K, g.R,
                       [&](int i, float* plane) {
                           const int j = i / g.K, k = i % g.K;
                           place(gr, w + (std::size_t(k) * g.C + c0 + j) * g.R * g.S, g.R, g.S, 0,
                                 0, 1, 1, plane);
                       },
                       ws, tmp);
            // images are independent: threads take whole images, with their own buffers
            parallel_for(g.N, [&](std::size_t n) {
                float* dys = workspace(a_buf, std::size_t(g.K) * spec);
                float* acc = workspace(acc_buf, 2 * spec + 2 * gr.P);
                spectra_of(gr, g.K, dy_rows, [&](int k, float* plane) { dy_plane(n, k, plane); },
                           dys, tmp);
                for (int j = 0; j < cc; j += 2) {
                    const int pair = std::min(2, cc - j);
                    std::fill(acc, acc + pair * spec, 0.f);
                    for (int q = 0; q < pair; ++q)
                        for (int k = 0; k < g.K; ++k)
                            complex_mac(acc + q * spec, dys + k * spec,
                                        ws + (std::size_t(j + q) * g.K + k) * spec, gr.area(), false);
                    inverse_pair(gr, acc, pair == 2 ? acc + spec : nullptr, g.pad_top,
                                 g.pad_top + g.H, acc + 2 * spec);
                    for (int q = 0; q < pair; ++q) {
                        const float* plane = q == 0 ? acc : acc + gr.area();
                        float* out = dx + (std::size_t(n) * g.C + c0 + j + q) * g.H * g.W;
                        for (int h = 0; h < g.H; ++h)
                            std::memcpy(out + std::size_t(h) * g.W,
                                        plane + std::size_t(h + g.pad_top) * gr.Q + g.pad_left,
                                        sizeof(float) * g.W);
                    }
                }
            });
        }
    }

    if (dw) {
        // chunks of output channels k: accumulate DW[k, c] for k in the chunk and all c
        const int chunk = chunk_size(std::size_t(g.C) * spec, g.K);
        float* dws = workspace(cache_buf, std::size_t(chunk) * g.C * spec);
        float* xs = workspace(a_buf, std::size_t(g.C) * spec);
        float* dys = workspace(b_buf, std::size_t(chunk) * spec);
        float* work = workspace(acc_buf, 2 * gr.P + spec);
        for (int k0 = 0; k0 < g.K; k0 += chunk) {
            const int kc = std::min(chunk, g.K - k0);
            std::fill(dws, dws + std::size_t(kc) * g.C * spec, 0.f);
            for (int n = 0; n < g.N; ++n) {
                spectra_of(gr, g.C, g.pad_top + g.H, [&](int c, float* plane) { x_plane(n, c, plane); },
                           xs, tmp);
                spectra_of(gr, kc, dy_rows, [&](int k, float* plane) { dy_plane(n, k0 + k, plane); },
                           dys, tmp);
                for (int k = 0; k < kc; ++k)
                    for (int c = 0; c < g.C; ++c)
                        complex_mac(dws + (std::size_t(k) * g.C + c) * spec, xs + c * spec,
                                    dys + k * spec, gr.area(), true);
            }
            const std::size_t count = std::size_t(kc) * g.C;
            for (std::size_t i = 0; i < count; i += 2) {
                const bool two = i + 1 < count;
                float* s1 = dws + i * spec;
                inverse_pair(gr, s1, two ? s1 + spec : nullptr, 0, g.R, work);
                for (int q = 0; q < (two ? 2 : 1); ++q) {
                    const float* plane = q == 0 ? s1 : s1 + gr.area();
                    float* out = dw + (std::size_t(k0) * g.C + i + q) * g.R * g.S;
                    for (int r = 0; r < g.R; ++r)
                        std::memcpy(out + std::size_t(r) * g.S, plane + std::size_t(r) * gr.Q,
                                    sizeof(float) * g.S);
                }
            }
        }
    }
}

}  // namespace convlab
