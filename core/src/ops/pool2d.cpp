// pool2d.cpp: max and average pooling with PyTorch's semantics (padding, dilation for max,
// ceil mode, count_include_pad), forward and backward: the fast versions. The checked
// geometry is in pool2d_geometry.cpp, the references in pool2d_ref.cpp.
//
// The fast versions pack each (n, c) plane once into a padded, phase-split buffer, as the
// direct convolution does: row h holds stride_w phases, phase p column m being padded column
// m stride_w + p, with the padding materialised (-inf for max, so a padded cell never wins; 0
// for the average, whose divisor accounts for it). Every window tap (r, s) of consecutive
// outputs j then reads consecutive floats, so the inner loop over j is a plain vector loop
// (xsimd on kernel_arch: a batch::size main loop and a scalar tail) at any stride, padding or
// dilation. Rows are not padded: a tap row outside the input is skipped (it never wins a max
// and adds 0 to a sum). Window taps are visited in row-major order and a strictly larger value
// (or a NaN) takes over, which keeps PyTorch's first-maximum / last-NaN rule.
//
// Disjoint windows 2 wide at stride 2 with no padding or dilation (LeNet's 2x2 pooling) skip
// the packing: pool2d_pairs.cpp.
#include "convlab/ops/pool2d.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "convlab/parallel.hpp"
#include "kernel_arch.hpp"
#include "pool2d_internal.hpp"

namespace convlab {

namespace {

using batch = xsimd::batch<float, kernel_arch>;
constexpr int VS = int(batch::size);

template <class T, int Slot>
T* workspace(std::size_t n) {
    thread_local std::vector<T> buffer;
    if (buffer.size() < n) buffer.resize(n);
    return buffer.data();
}

// One plane packed: H rows of `phases` phase rows of L floats (see the top of the file).
// col_off[s] is where tap column s of output 0 sits in a packed row.
// Only the first taps_w tap columns can reach the input (a tap at or past padded column
// W + 2 pad_w for output 0 is past it for every output), so the loops stop there.
// Wo rounded up to whole vectors: every row loop runs on whole vectors into scratch rows of
// this length (the packed rows are at least this long), and only Wo results are kept.
int padded_width(const pool2d_geometry& g) { return (g.Wo + VS - 1) / VS * VS; }

struct packed_plane {
    int phases, L, taps_w;
    const std::size_t* col_off;  // (taps_w)
    std::size_t row() const { return std::size_t(phases) * L; }
};

packed_plane plan(const pool2d_geometry& g) {
    // one output column needs no phases (they only serve consecutive outputs)
    const int phases = g.Wo == 1 ? 1 : g.stride_w;
    const long long Wp = (long long)g.W + 2LL * g.pad_w;
    const int taps_w = int(std::min<long long>(g.kernel_w, (Wp - 1) / g.dilation_w + 1));
    const long long reach = (long long)(taps_w - 1) * g.dilation_w / phases;
    const long long L = padded_width(g) + reach;
    require_workspace(require_elements({g.H, phases, L}, "xShape"), "xShape", "pooling");
    std::size_t* off = workspace<std::size_t, 0>(std::size_t(taps_w));
    for (int s = 0; s < taps_w; ++s) {
        const long long v = (long long)s * g.dilation_w;  // padded column of output 0's tap
        off[s] = std::size_t(v % phases) * std::size_t(L) + std::size_t(v / phases);
    }
    return {phases, int(L), taps_w, off};
}

// The phase-p columns m of a packed row that hold input columns w = m phases + p - pad_w in
// [0, W): m in [lo, hi). Computed once per phase, so no loop divides per element.
struct phase_span {
    int lo, hi;
};
phase_span inside(const pool2d_geometry& g, const packed_plane& pk, int p) {
    const long long first = (long long)g.pad_w - p;  // m phases >= pad_w - p
    const long long lo = first <= 0 ? 0 : (first + pk.phases - 1) / pk.phases;
    const long long hi = ((long long)g.W + g.pad_w - p + pk.phases - 1) / pk.phases;
    return {int(std::min<long long>(lo, pk.L)), int(std::clamp<long long>(hi, lo, pk.L))};
}

// out[(h phases + p) L + m] = x[h, m phases + p - pad_w], or `fill` outside the input.
void pack(const pool2d_geometry& g, const packed_plane& pk, const float* xp, float fill,
          float* out) {
    for (int p = 0; p < pk.phases; ++p) {
        const phase_span in = inside(g, pk, p);
        const long long w0 = (long long)in.lo * pk.phases + p - g.pad_w;
        for (int h = 0; h < g.H; ++h) {
            float* dst = out + std::size_t(h) * pk.row() + std::size_t(p) * pk.L;
            std::fill(dst, dst + in.lo, fill);
            std::fill(dst + in.hi, dst + pk.L, fill);
            if (in.lo == in.hi) continue;
            const float* src = xp + std::size_t(h) * g.W + w0;
            if (pk.phases == 1)
                std::memcpy(dst + in.lo, src, sizeof(float) * std::size_t(in.hi - in.lo));
            else
                for (int m = in.lo; m < in.hi; ++m)
                    dst[m] = src[std::size_t(m - in.lo) * pk.phases];
        }
    }
}

// The adjoint of pack for the input cells: dx[h, w] = packed[h, phase, m] of w (each input
// cell sits in one phase position; a cell past the packed length is read by no window).
void unpack(const pool2d_geometry& g, const packed_plane& pk, const float* packed, float* dxp) {
    std::fill(dxp, dxp + std::size_t(g.H) * g.W, 0.f);
    for (int p = 0; p < pk.phases; ++p) {
        const phase_span in = inside(g, pk, p);
        const long long w0 = (long long)in.lo * pk.phases + p - g.pad_w;
        if (in.lo == in.hi) continue;
        for (int h = 0; h < g.H; ++h) {
            float* dst = dxp + std::size_t(h) * g.W + w0;
            const float* src = packed + std::size_t(h) * pk.row() + std::size_t(p) * pk.L;
            for (int m = in.lo; m < in.hi; ++m) dst[std::size_t(m - in.lo) * pk.phases] = src[m];
        }
    }
}

// The rows of output row i's window inside the input: h = first, first + dilation_h, ... <
// last, window row (h - start) / dilation_h.
axis_taps tap_rows(const pool2d_geometry& g, int i) {
    return taps_of(i, g.stride_h, g.pad_h, g.kernel_h, g.dilation_h, g.H);
}

float bits_as_float(int v) {
    float f;
    std::memcpy(&f, &v, sizeof f);
    return f;
}
int float_bits(float f) {
    int v;
    std::memcpy(&v, &f, sizeof v);
    return v;
}

// No window tap took over (never a winner's id: that is at least -(j stride_w) > INT_MIN).
constexpr int no_tap = std::numeric_limits<int>::min();

// best (n) = the maximum of each window of output row i; if at is given, at (n) = the bit
// pattern of the winner's flat index in the plane minus j stride_w, or of no_tap. n is Wo or,
// for whole vectors, padded_width(g): the packed rows are that long, and lanes past Wo are
// computed on the padding and dropped by the caller.
void max_row(const pool2d_geometry& g, const packed_plane& pk, const float* packed, int i, int n,
             float* best, float* at) {
    const axis_taps th = tap_rows(g, i);
    const float lowest = -std::numeric_limits<float>::infinity();
    std::fill(best, best + n, lowest);
    if (at) std::fill(at, at + n, bits_as_float(no_tap));
    const int full = n / VS * VS;
    for (long long h = th.first; h < th.last; h += g.dilation_h)
        for (int s = 0; s < pk.taps_w; ++s) {
            const float* src = packed + std::size_t(h) * pk.row() + pk.col_off[s];
            // the winner's flat index is id + j stride_w (in 32 bits for a cell of the input)
            const float id = bits_as_float(int(h * g.W + (long long)s * g.dilation_w - g.pad_w));
            const batch idv(id);
            int j = 0;
            for (; j < full; j += VS) {
                const batch e = batch::load_unaligned(src + j), b = batch::load_unaligned(best + j);
                const auto take =
                    (e > b) | xsimd::isnan(e);  // (AVX's != is ordered: false for NaN)
                xsimd::select(take, e, b).store_unaligned(best + j);
                if (at)
                    xsimd::select(take, idv, batch::load_unaligned(at + j)).store_unaligned(at + j);
            }
            for (; j < n; ++j) {
                const float e = src[j];
                if (e > best[j] || e != e) {
                    best[j] = e;
                    if (at) at[j] = id;
                }
            }
        }
}

// The flat index in the plane of output (i, j)'s winner `id` (max_row), or of the window's first
// cell inside the input when no tap took over (a window of -inf values; -1 if it has none).
long long winner_index(const pool2d_geometry& g, int i, int j, int id) {
    if (id != no_tap) return id + (long long)j * g.stride_w;
    const axis_taps th = tap_rows(g, i);
    const axis_taps tw = taps_of(j, g.stride_w, g.pad_w, g.kernel_w, g.dilation_w, g.W);
    if (th.first >= th.last || tw.first >= tw.last) return -1;
    return th.first * g.W + tw.first;
}

// f(start of tap (h, s)'s row of outputs in the packed plane) for every tap of output row i's
// window inside the input, in row-major order (the average: no dilation).
template <class F>
void for_each_tap(const pool2d_geometry& g, const packed_plane& pk, int i, float* packed, F f) {
    const axis_taps th = tap_rows(g, i);
    for (long long h = th.first; h < th.last; ++h)
        for (int s = 0; s < pk.taps_w; ++s) f(packed + std::size_t(h) * pk.row() + pk.col_off[s]);
}

// dst (n) += src (n).
void add_row(const float* src, float* dst, int n) {
    const int full = n / VS * VS;
    int j = 0;
    for (; j < full; j += VS)
        (batch::load_unaligned(dst + j) + batch::load_unaligned(src + j)).store_unaligned(dst + j);
    for (; j < n; ++j) dst[j] += src[j];
}

// The average's 1 / divisor of every output of a plane, (Ho, Wo): PyTorch's divisor
// (avg_count along each axis), computed once per call instead of once per plane.
const float* avg_scales(const pool2d_geometry& g) {
    float* scale = workspace<float, 3>(std::size_t(g.Ho) * g.Wo);
    for (int i = 0; i < g.Ho; ++i) {
        const long long ch =
            avg_count(i, g.stride_h, g.pad_h, g.kernel_h, g.H, g.count_include_pad);
        for (int j = 0; j < g.Wo; ++j)
            scale[std::size_t(i) * g.Wo + j] =
                1.f /
                float(ch * avg_count(j, g.stride_w, g.pad_w, g.kernel_w, g.W, g.count_include_pad));
    }
    return scale;
}

// Planes (n, c) are independent: whole planes are shared out over the thread pool, in chunks
// of at least ~16 K input floats so that small layers stay on one thread. Each chunk takes its
// own thread's scratch buffers.
template <class F>
void each_plane_chunk(const pool2d_geometry& g, F f) {
    const std::size_t planes = std::size_t(g.N) * g.C;
    const std::size_t plane = std::max<std::size_t>(1, std::size_t(g.H) * g.W);
    const std::size_t chunks = chunk_count(planes, std::max<std::size_t>(1, 16384 / plane), 64);
    parallel_for(chunks, [&](std::size_t t) {
        const index_span s = chunk_span(planes, chunks, t);
        f(s.begin, s.end);
    });
}

}  // namespace

void max_pool2d_forward(const pool2d_geometry& g, const float* x, float* y) {
    const std::size_t plane = std::size_t(g.H) * g.W, oplane = std::size_t(g.Ho) * g.Wo;
    if (fast_pairs(g)) {
        each_plane_chunk(g, [&](std::size_t p0, std::size_t p1) {
            for (std::size_t p = p0; p < p1; ++p) pairs_max_forward(g, x + p * plane, y + p * oplane);
        });
        return;
    }
    const packed_plane pk = plan(g);
    const int Wr = padded_width(g);
    each_plane_chunk(g, [&](std::size_t p0, std::size_t p1) {
        float* packed = workspace<float, 1>(std::size_t(g.H) * pk.row());
        float* best = workspace<float, 2>(std::size_t(Wr));
        for (std::size_t p = p0; p < p1; ++p) {
            pack(g, pk, x + p * plane, -std::numeric_limits<float>::infinity(), packed);
            for (int i = 0; i < g.Ho; ++i) {
                max_row(g, pk, packed, i, Wr, best, nullptr);
                std::memcpy(y + (p * g.Ho + i) * g.Wo, best, sizeof(float) * std::size_t(g.Wo));
            }
        }
    });
}

void max_pool2d_backward(const pool2d_geometry& g, const float* x, const float* dy, float* dx) {
    const std::size_t plane = std::size_t(g.H) * g.W, oplane = std::size_t(g.Ho) * g.Wo;
    if (fast_pairs(g)) {
        // the tap that wins no comparison is tap 0, the window's first cell (as winner_index)
        each_plane_chunk(g, [&](std::size_t p0, std::size_t p1) {
            for (std::size_t p = p0; p < p1; ++p) {
                zero_uncovered(g, dx + p * plane);
                pairs_max_backward(g, x + p * plane, dy + p * oplane, dx + p * plane);
            }
        });
        return;
    }
    const packed_plane pk = plan(g);
    const int Wr = padded_width(g);
    each_plane_chunk(g, [&](std::size_t p0, std::size_t p1) {
        float* packed = workspace<float, 1>(std::size_t(g.H) * pk.row());
        float* best = workspace<float, 2>(2 * std::size_t(Wr));
        float* at = best + Wr;
        std::fill(dx + p0 * plane, dx + p1 * plane, 0.f);
        for (std::size_t p = p0; p < p1; ++p) {
            pack(g, pk, x + p * plane, -std::numeric_limits<float>::infinity(), packed);
            float* dxp = dx + p * plane;
            for (int i = 0; i < g.Ho; ++i) {
                max_row(g, pk, packed, i, Wr, best, at);
                const float* d = dy + (p * g.Ho + i) * g.Wo;
                for (int j = 0; j < g.Wo; ++j) {
                    const long long k = winner_index(g, i, j, float_bits(at[j]));
                    if (k >= 0) dxp[k] += d[j];
                }
            }
        }
    });
}

void avg_pool2d_forward(const pool2d_geometry& g, const float* x, float* y) {
    require_avg_geometry(g);
    const std::size_t plane = std::size_t(g.H) * g.W, oplane = std::size_t(g.Ho) * g.Wo;
    if (fast_pairs(g)) {
        each_plane_chunk(g, [&](std::size_t p0, std::size_t p1) {
            for (std::size_t p = p0; p < p1; ++p) pairs_avg_forward(g, x + p * plane, y + p * oplane);
        });
        return;
    }
    const packed_plane pk = plan(g);
    const int Wr = padded_width(g);
    const float* scales = avg_scales(g);  // the caller's buffer, read by every chunk
    each_plane_chunk(g, [&](std::size_t p0, std::size_t p1) {
        float* packed = workspace<float, 1>(std::size_t(g.H) * pk.row());
        float* sum = workspace<float, 2>(std::size_t(Wr));
        for (std::size_t p = p0; p < p1; ++p) {
            pack(g, pk, x + p * plane, 0.f, packed);
            for (int i = 0; i < g.Ho; ++i) {
                std::fill(sum, sum + Wr, 0.f);
                for_each_tap(g, pk, i, packed, [&](float* src) { add_row(src, sum, Wr); });
                const float* scale = scales + std::size_t(i) * g.Wo;
                float* out = y + (p * g.Ho + i) * g.Wo;
                for (int j = 0; j < g.Wo; ++j) out[j] = sum[j] * scale[j];
            }
        }
    });
}

void avg_pool2d_backward(const pool2d_geometry& g, const float* dy, float* dx) {
    require_avg_geometry(g);
    const std::size_t plane = std::size_t(g.H) * g.W, oplane = std::size_t(g.Ho) * g.Wo;
    if (fast_pairs(g)) {
        each_plane_chunk(g, [&](std::size_t p0, std::size_t p1) {
            for (std::size_t p = p0; p < p1; ++p) {
                zero_uncovered(g, dx + p * plane);
                pairs_avg_backward(g, dy + p * oplane, dx + p * plane);
            }
        });
        return;
    }
    const packed_plane pk = plan(g);
    const int Wr = padded_width(g);
    const float* scales = avg_scales(g);  // the caller's buffer, read by every chunk
    each_plane_chunk(g, [&](std::size_t p0, std::size_t p1) {
        float* packed = workspace<float, 1>(std::size_t(g.H) * pk.row());
        float* scaled = workspace<float, 2>(std::size_t(Wr));
        std::fill(scaled, scaled + Wr, 0.f);  // lanes past Wo add 0 to the packed padding
        for (std::size_t p = p0; p < p1; ++p) {
            // the gradient of the packed plane, then the input cells' share of it
            std::fill(packed, packed + std::size_t(g.H) * pk.row(), 0.f);
            for (int i = 0; i < g.Ho; ++i) {
                const float* d = dy + (p * g.Ho + i) * g.Wo;
                const float* scale = scales + std::size_t(i) * g.Wo;
                for (int j = 0; j < g.Wo; ++j) scaled[j] = scale[j] * d[j];
                for_each_tap(g, pk, i, packed, [&](float* dst) { add_row(scaled, dst, Wr); });
            }
            unpack(g, pk, packed, dx + p * plane);
        }
    });
}

}  // namespace convlab
