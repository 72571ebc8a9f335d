// nn/optim/update.cpp: the element-wise updates of torch 1.13's _single_tensor_sgd / _adam /
// _adamw / _rmsprop, one element at a time but with torch's tensor operations in torch's
// order, so that every rounding is torch's: a Python float becomes a float where a tensor
// operation takes it, and the scalars torch computes in Python (bias corrections, step size)
// are computed here in double. torch's vectorised CPU kernels fuse `add(x, alpha=a)` into
// one fused multiply-add and `addcmul(t1, t2, value=v)` into fma(v * t1, t2, self); these are
// std::fma here. Every other multiply and add must round on its own, so the compiler may not
// contract them (GCC would by default; clang contracts only within one expression).
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <algorithm>
#include <cmath>

#include "convlab/nn/optimizer.hpp"

namespace convlab {

void sgd_update(float* p, const float* g, float* buf, std::size_t n, const optimizer_options& o,
                bool first) {
    const float wd = static_cast<float>(o.weight_decay);
    const float momentum = static_cast<float>(o.momentum);
    const float keep = static_cast<float>(1.0 - o.dampening);
    const float neg_lr = static_cast<float>(-o.lr);
    for (std::size_t i = 0; i < n; ++i) {
        float d = g[i];
        if (o.weight_decay != 0) d = std::fma(wd, p[i], d);  // d_p.add(param, alpha=wd)
        if (o.momentum != 0) {
            if (first) {
                buf[i] = d;  // torch.clone(d_p)
            } else {
                const float decayed = momentum * buf[i];  // buf.mul_(momentum)
                buf[i] = std::fma(keep, d, decayed);      // .add_(d_p, alpha=1 - dampening)
            }
            d = o.nesterov ? std::fma(momentum, buf[i], d) : buf[i];
        }
        p[i] = std::fma(neg_lr, d, p[i]);  // param.add_(d_p, alpha=-lr)
    }
}

void adam_update(float* p, const float* g, float* exp_avg, float* exp_avg_sq,
                 float* max_exp_avg_sq, std::size_t n, const optimizer_options& o, float step) {
    const bool decoupled = o.optimizer == optimizer_kind::adamw;
    const double s = step;  // step_t.item()
    const double bias_correction1 = 1 - std::pow(o.beta1, s);
    const double bias_correction2 = 1 - std::pow(o.beta2, s);
    const float neg_step_size = static_cast<float>(-(o.lr / bias_correction1));
    const float bc2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
    const float shrink = static_cast<float>(1 - o.lr * o.weight_decay);  // AdamW's param.mul_
    const float wd = static_cast<float>(o.weight_decay);
    const float beta1 = static_cast<float>(o.beta1), beta2 = static_cast<float>(o.beta2);
    const float one_minus_beta1 = static_cast<float>(1 - o.beta1);
    const float one_minus_beta2 = static_cast<float>(1 - o.beta2);
    const float eps = static_cast<float>(o.eps);
    for (std::size_t i = 0; i < n; ++i) {
        float d = g[i];
        if (decoupled) p[i] = p[i] * shrink;                           // param.mul_(1 - lr wd)
        else if (o.weight_decay != 0) d = std::fma(wd, p[i], d);       // grad.add(param, alpha=wd)
        const float m = beta1 * exp_avg[i];                            // exp_avg.mul_(beta1)
        exp_avg[i] = std::fma(one_minus_beta1, d, m);                  // .add_(grad, alpha=1 - beta1)
        const float v = beta2 * exp_avg_sq[i];                         // exp_avg_sq.mul_(beta2)
        exp_avg_sq[i] = std::fma(one_minus_beta2 * d, d, v);           // .addcmul_(grad, grad, 1 - beta2)
        float second = exp_avg_sq[i];
        if (o.amsgrad) second = max_exp_avg_sq[i] = std::max(max_exp_avg_sq[i], second);
        const float denom = std::sqrt(second) / bc2_sqrt + eps;       // (v.sqrt() / bc2_sqrt).add_(eps)
        const float ratio = neg_step_size * exp_avg[i] / denom;       // addcdiv_(exp_avg, denom,
        p[i] = p[i] + ratio;                                           //   value=-step_size)
    }
}

void rmsprop_update(float* p, const float* g, float* square_avg, float* momentum_buffer,
                    float* grad_avg, std::size_t n, const optimizer_options& o) {
    const float wd = static_cast<float>(o.weight_decay);
    const float alpha = static_cast<float>(o.alpha);
    const float one_minus_alpha = static_cast<float>(1 - o.alpha);
    const float eps = static_cast<float>(o.eps);
    const float momentum = static_cast<float>(o.momentum);
    const float neg_lr = static_cast<float>(-o.lr);
    for (std::size_t i = 0; i < n; ++i) {
        float d = g[i];
        if (o.weight_decay != 0) d = std::fma(wd, p[i], d);            // grad.add(param, alpha=wd)
        const float sq = alpha * square_avg[i];                         // square_avg.mul_(alpha)
        square_avg[i] = std::fma(one_minus_alpha * d, d, sq);           // .addcmul_(grad, grad, 1 - alpha)
        float avg;
        if (o.centered) {
            const float ga = alpha * grad_avg[i];                       // grad_avg.mul_(alpha)
            grad_avg[i] = std::fma(one_minus_alpha, d, ga);             // .add_(grad, alpha=1 - alpha)
            avg = std::sqrt(std::fma(-grad_avg[i], grad_avg[i], square_avg[i]));  // addcmul(.., -1).sqrt_()
        } else {
            avg = std::sqrt(square_avg[i]);
        }
        avg = avg + eps;
        if (o.momentum > 0) {
            const float decayed = momentum * momentum_buffer[i];       // buf.mul_(momentum)
            const float q = d / avg;                                    // .addcdiv_(grad, avg)
            momentum_buffer[i] = decayed + q;
            p[i] = std::fma(neg_lr, momentum_buffer[i], p[i]);          // param.add_(buf, alpha=-lr)
        } else {
            const float ratio = neg_lr * d / avg;                       // param.addcdiv_(grad, avg,
            p[i] = p[i] + ratio;                                        //   value=-lr)
        }
    }
}

}  // namespace convlab
