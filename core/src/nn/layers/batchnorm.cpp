// nn/layers/batchnorm.cpp: batchnorm2d and batchnorm1d, torch's BatchNorm2d / BatchNorm1d
// (affine, tracking running statistics). An example is (C, H, W) for 2d, (C) for 1d: each
// channel is normalised over the batch and, for 2d, over H and W. Training: the batch's mean
// and biased variance normalise; the running mean and the running *unbiased* variance move
// by `momentum`, and num_batches_tracked counts the calls. Eval: the running statistics
// normalise. The loops accumulate each channel's sums in double, which costs nothing next to
// the convolutions around a batch norm and keeps large batches exact enough.
#include <cmath>

#include "convlab/common.hpp"
#include "layer.hpp"

namespace convlab::layers {
namespace {

constexpr field_info fields[] = {
    {"eps", field_type::number, "1e-5"},
    {"momentum", field_type::number, "0.1"},
};

enum buffer_index { running_mean, running_var, num_batches_tracked };

void configure_common(layer_state& l, const std::vector<int>& in, const std::string& at,
                      std::size_t spatial) {
    const layer_spec& s = l.spec;
    if (!(std::isfinite(s.eps) && s.eps > 0))
        fail(at + "eps", "expected a finite number > 0, got " + std::to_string(s.eps));
    if (!(s.momentum >= 0 && s.momentum <= 1))
        fail(at + "momentum", "expected a number in [0, 1], got " + std::to_string(s.momentum));
    l.out_shape = in;
    l.weight_shape = {in[0]};
    l.has_bias = true;
    l.init_ones_zeros = true;
    // torch refuses a training batch with one value per channel (its variance is 0 / 0).
    l.min_training_batch = spatial == 1 ? 2 : 1;
    // training: the batch's mean and variance; both modes: forward keeps the statistics it
    // used in memory.saved, one copy per call
    l.coupling = batch_coupling::always;
    l.buffers = {{"running_mean", {in[0]}, 0.0f},
                 {"running_var", {in[0]}, 1.0f},
                 {"num_batches_tracked", {}, 0.0f}};
}

void configure_2d(layer_state& l, const std::vector<int>& in, const std::string& at) {
    require_spatial_input(l, in, at);
    configure_common(l, in, at, static_cast<std::size_t>(in[1]) * in[2]);
}

void configure_1d(layer_state& l, const std::vector<int>& in, const std::string& at) {
    if (in.size() != 1)
        fail(at + "type", "batchnorm1d needs a flat input (features), but its input is " +
                              shape_text(in) + ": use batchnorm2d on (C, H, W)");
    configure_common(l, in, at, 1);
}

struct dims {
    std::size_t N, C, S;  // x is (N, C, S)
};
dims dims_of(const layer_state& l, int batch) {
    const std::size_t C = static_cast<std::size_t>(l.out_shape[0]);
    return {static_cast<std::size_t>(batch), C, l.in_size / C};
}

// saved = mean (C), then invstd (C): the statistics that normalised this call's batch.
void forward(const layer_state& l, const layer_call& c, float* y) {
    const dims d = dims_of(l, c.batch);
    layer_memory& m = *c.memory;
    m.saved.resize(2 * d.C);
    float* mean = m.saved.data();
    float* invstd = mean + d.C;
    const double eps = l.spec.eps, momentum = l.spec.momentum;
    const std::size_t count = d.N * d.S;
    for (std::size_t ch = 0; ch < d.C; ++ch) {
        if (c.training) {
            double sum = 0;
            for (std::size_t n = 0; n < d.N; ++n) {
                const float* row = c.x + (n * d.C + ch) * d.S;
                for (std::size_t s = 0; s < d.S; ++s) sum += row[s];
            }
            const double mu = sum / static_cast<double>(count);
            double sq = 0;
            for (std::size_t n = 0; n < d.N; ++n) {
                const float* row = c.x + (n * d.C + ch) * d.S;
                for (std::size_t s = 0; s < d.S; ++s) sq += (row[s] - mu) * (row[s] - mu);
            }
            const double var = sq / static_cast<double>(count);
            mean[ch] = static_cast<float>(mu);
            invstd[ch] = static_cast<float>(1.0 / std::sqrt(var + eps));
            float& rm = m.buffers[running_mean][ch];
            float& rv = m.buffers[running_var][ch];
            rm = static_cast<float>((1 - momentum) * rm + momentum * mu);
            rv = static_cast<float>((1 - momentum) * rv +
                                    momentum * var * static_cast<double>(count) /
                                        static_cast<double>(count - 1));
        } else {
            mean[ch] = m.buffers[running_mean][ch];
            invstd[ch] = static_cast<float>(1.0 / std::sqrt(double(m.buffers[running_var][ch]) + eps));
        }
        const float scale = c.w[ch] * invstd[ch], mu = mean[ch], beta = c.b[ch];
        for (std::size_t n = 0; n < d.N; ++n) {
            const float* row = c.x + (n * d.C + ch) * d.S;
            float* out = y + (n * d.C + ch) * d.S;
            for (std::size_t s = 0; s < d.S; ++s) out[s] = (row[s] - mu) * scale + beta;
        }
    }
    if (c.training) m.buffers[num_batches_tracked][0] += 1.0f;
}

// Training: with xhat = (x - mean) invstd over one channel's count values,
// dx = gamma invstd (dy - mean(dy) - xhat mean(dy xhat)): the batch statistics depend on x.
// Eval: the statistics are constants, dx = gamma invstd dy.
void backward(const layer_state& l, const layer_call& c, const float* dy, float* dx, float* dw,
              float* db) {
    const dims d = dims_of(l, c.batch);
    const float* mean = c.memory->saved.data();
    const float* invstd = mean + d.C;
    const double count = static_cast<double>(d.N * d.S);
    for (std::size_t ch = 0; ch < d.C; ++ch) {
        double sum_dy = 0, sum_dy_xhat = 0;
        for (std::size_t n = 0; n < d.N; ++n) {
            const float* row = c.x + (n * d.C + ch) * d.S;
            const float* g = dy + (n * d.C + ch) * d.S;
            for (std::size_t s = 0; s < d.S; ++s) {
                sum_dy += g[s];
                sum_dy_xhat += g[s] * ((row[s] - mean[ch]) * invstd[ch]);
            }
        }
        if (dw) dw[ch] = static_cast<float>(sum_dy_xhat);
        if (db) db[ch] = static_cast<float>(sum_dy);
        if (!dx) continue;
        const float k = c.w[ch] * invstd[ch];
        const float a = c.training ? static_cast<float>(sum_dy / count) : 0.0f;
        const float b = c.training ? static_cast<float>(sum_dy_xhat / count) : 0.0f;
        for (std::size_t n = 0; n < d.N; ++n) {
            const float* row = c.x + (n * d.C + ch) * d.S;
            const float* g = dy + (n * d.C + ch) * d.S;
            float* out = dx + (n * d.C + ch) * d.S;
            for (std::size_t s = 0; s < d.S; ++s)
                out[s] = k * (g[s] - a - (row[s] - mean[ch]) * invstd[ch] * b);
        }
    }
}

}  // namespace

const layer_def batchnorm2d_layer = {"batchnorm2d", fields,  std::size(fields),
                                     configure_2d,  forward, backward};
const layer_def batchnorm1d_layer = {"batchnorm1d", fields,  std::size(fields),
                                     configure_1d,  forward, backward};

}  // namespace convlab::layers
