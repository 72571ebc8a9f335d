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

}  // namespace convlab
