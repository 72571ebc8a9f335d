// nn/reference.cpp: the plain loops of convlab/nn/reference.hpp, written from the
// definitions (no shared code with the fast versions, so they can disagree).
#include "convlab/nn/reference.hpp"

#include <cmath>
#include <vector>

namespace convlab {

namespace {
double act(activation a, double x) {
    switch (a) {
        case activation::relu: return x > 0 ? x : (std::isnan(x) ? x : 0.0);
        case activation::sigmoid: return 1.0 / (1.0 + std::exp(-x));
        case activation::tanh: return std::tanh(x);
    }
    return 0;
}
double act_derivative(activation a, double x) {
    switch (a) {
        case activation::relu: return x > 0 ? 1.0 : 0.0;
        case activation::sigmoid: {
            const double s = 1.0 / (1.0 + std::exp(-x));
            return s * (1 - s);
        }
        case activation::tanh: {
            const double t = std::tanh(x);
            return 1 - t * t;
        }
    }
    return 0;
}
}  // namespace

void activation_forward_ref(activation a, const float* x, float* y, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<float>(act(a, x[i]));
}

void activation_backward_ref(activation a, const float* x, const float* dy, float* dx,
                             std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) dx[i] = static_cast<float>(act_derivative(a, x[i]) * dy[i]);
}

loss_result loss_forward_backward_ref(loss_kind kind, const float* logits,
                                      const std::int32_t* labels, std::size_t B,
                                      std::size_t classes, float* dlogits) {
    loss_result r{0.0, 0};
    double total = 0;
    for (std::size_t n = 0; n < B; ++n) {
        const float* z = logits + n * classes;
        const std::size_t label = static_cast<std::size_t>(labels[n]);
        std::size_t best = 0;
        for (std::size_t c = 1; c < classes; ++c)
            if (z[c] > z[best]) best = c;
        r.correct += best == label;
        if (kind == loss_kind::softmax_cross_entropy) {
            double sum = 0;
            for (std::size_t c = 0; c < classes; ++c) sum += std::exp(double(z[c]));
            total += -std::log(std::exp(double(z[label])) / sum);
            if (dlogits)
                for (std::size_t c = 0; c < classes; ++c)
                    dlogits[n * classes + c] = static_cast<float>(
                        (std::exp(double(z[c])) / sum - (c == label)) / double(B));
        } else {
            for (std::size_t c = 0; c < classes; ++c) {
                const double d = double(z[c]) - (c == label);
                total += d * d;
                if (dlogits)
                    dlogits[n * classes + c] = static_cast<float>(2 * d / double(B * classes));
            }
        }
    }
    r.loss = kind == loss_kind::softmax_cross_entropy ? total / double(B)
                                                      : total / double(B * classes);
    return r;
}

void dense_backward_ref(const float* x, const float* w, const float* dy, float* dx, float* dw,
                        float* db, std::size_t B, std::size_t I, std::size_t O) {
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t i = 0; i < I; ++i) {
            double s = 0;
            for (std::size_t o = 0; o < O; ++o) s += double(dy[b * O + o]) * w[o * I + i];
            dx[b * I + i] = static_cast<float>(s);
        }
    for (std::size_t o = 0; o < O; ++o) {
        for (std::size_t i = 0; i < I; ++i) {
            double s = 0;
            for (std::size_t b = 0; b < B; ++b) s += double(dy[b * O + o]) * x[b * I + i];
            dw[o * I + i] = static_cast<float>(s);
        }
        double s = 0;
        for (std::size_t b = 0; b < B; ++b) s += dy[b * O + o];
        db[o] = static_cast<float>(s);
    }
}

namespace {
// The batch mean and biased variance of channel c of x (N, C, S), in double.
void channel_stats(const float* x, std::size_t N, std::size_t C, std::size_t S, std::size_t c,
                   double& mean, double& var) {
    double sum = 0, sq = 0;
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t s = 0; s < S; ++s) sum += x[(n * C + c) * S + s];
    mean = sum / double(N * S);
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t s = 0; s < S; ++s) {
            const double d = x[(n * C + c) * S + s] - mean;
            sq += d * d;
        }
    var = sq / double(N * S);
}
}  // namespace

void batchnorm_forward_ref(const float* x, const float* gamma, const float* beta,
                           const float* running_mean, const float* running_var, float* y,
                           std::size_t N, std::size_t C, std::size_t S, double eps, bool training) {
    for (std::size_t c = 0; c < C; ++c) {
        double mean = running_mean[c], var = running_var[c];
        if (training) channel_stats(x, N, C, S, c, mean, var);
        for (std::size_t n = 0; n < N; ++n)
            for (std::size_t s = 0; s < S; ++s) {
                const std::size_t i = (n * C + c) * S + s;
                y[i] = static_cast<float>((x[i] - mean) / std::sqrt(var + eps) * gamma[c] + beta[c]);
            }
    }
}

void batchnorm_update_running_ref(const float* x, float* running_mean, float* running_var,
                                  std::size_t N, std::size_t C, std::size_t S, double momentum) {
    for (std::size_t c = 0; c < C; ++c) {
        double mean, var;
        channel_stats(x, N, C, S, c, mean, var);
        const double count = double(N * S);
        running_mean[c] = static_cast<float>((1 - momentum) * running_mean[c] + momentum * mean);
        running_var[c] = static_cast<float>((1 - momentum) * running_var[c] +
                                            momentum * var * count / (count - 1));
    }
}

// With m = count, xhat_i = (x_i - mean) / sd, sd = sqrt(var + eps): d mean / d x_j = 1 / m,
// d var / d x_j = 2 (x_j - mean) / m, so d xhat_i / d x_j = (delta_ij - 1/m) / sd
// - xhat_i xhat_j / (m sd). Summed against gamma dy_i over the channel.
void batchnorm_backward_ref(const float* x, const float* gamma, const float* running_mean,
                            const float* running_var, const float* dy, float* dx, float* dgamma,
                            float* dbeta, std::size_t N, std::size_t C, std::size_t S, double eps,
                            bool training) {
    for (std::size_t c = 0; c < C; ++c) {
        double mean = running_mean[c], var = running_var[c];
        if (training) channel_stats(x, N, C, S, c, mean, var);
        const double sd = std::sqrt(var + eps), m = double(N * S);
        double sum_dy = 0, sum_dy_xhat = 0;
        for (std::size_t n = 0; n < N; ++n)
            for (std::size_t s = 0; s < S; ++s) {
                const std::size_t i = (n * C + c) * S + s;
                sum_dy += dy[i];
                sum_dy_xhat += dy[i] * (x[i] - mean) / sd;
            }
        dgamma[c] = static_cast<float>(sum_dy_xhat);
        dbeta[c] = static_cast<float>(sum_dy);
        for (std::size_t n = 0; n < N; ++n)
            for (std::size_t s = 0; s < S; ++s) {
                const std::size_t j = (n * C + c) * S + s;
                const double xhat_j = (x[j] - mean) / sd;
                double g = dy[j] / sd;
                if (training) g -= (sum_dy / m + xhat_j * sum_dy_xhat / m) / sd;
                dx[j] = static_cast<float>(gamma[c] * g);
            }
    }
}

void softmax_forward_ref(const float* x, float* y, std::size_t B, std::size_t n) {
    for (std::size_t b = 0; b < B; ++b) {
        double top = x[b * n], sum = 0;
        for (std::size_t i = 1; i < n; ++i) top = std::fmax(top, x[b * n + i]);
        for (std::size_t i = 0; i < n; ++i) sum += std::exp(x[b * n + i] - top);
        for (std::size_t i = 0; i < n; ++i)
            y[b * n + i] = static_cast<float>(std::exp(x[b * n + i] - top) / sum);
    }
}

void softmax_backward_ref(const float* x, const float* dy, float* dx, std::size_t B, std::size_t n) {
    std::vector<float> yf(n);
    for (std::size_t b = 0; b < B; ++b) {
        softmax_forward_ref(x + b * n, yf.data(), 1, n);
        // J[i][j] = d y_i / d x_j = y_i (delta_ij - y_j); dx_j = sum_i dy_i J[i][j].
        for (std::size_t j = 0; j < n; ++j) {
            double s = 0;
            for (std::size_t i = 0; i < n; ++i)
                s += double(dy[b * n + i]) * double(yf[i]) * ((i == j) - double(yf[j]));
            dx[b * n + j] = static_cast<float>(s);
        }
    }
}

void leakyrelu_forward_ref(const float* x, float* y, std::size_t n, double slope) {
    for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<float>(x[i] > 0 ? double(x[i]) : slope * x[i]);
}

void leakyrelu_backward_ref(const float* x, const float* dy, float* dx, std::size_t n, double slope) {
    for (std::size_t i = 0; i < n; ++i) dx[i] = static_cast<float>(x[i] > 0 ? double(dy[i]) : slope * dy[i]);
}

void global_avg_pool_forward_ref(const float* x, float* y, std::size_t R, std::size_t S) {
    for (std::size_t r = 0; r < R; ++r) {
        double s = 0;
        for (std::size_t k = 0; k < S; ++k) s += x[r * S + k];
        y[r] = static_cast<float>(s / double(S));
    }
}

void global_avg_pool_backward_ref(const float* dy, float* dx, std::size_t R, std::size_t S) {
    for (std::size_t r = 0; r < R; ++r)
        for (std::size_t k = 0; k < S; ++k) dx[r * S + k] = static_cast<float>(double(dy[r]) / double(S));
}

}  // namespace convlab
