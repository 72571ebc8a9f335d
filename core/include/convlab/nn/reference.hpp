// convlab/nn/reference.hpp: plain-loop, double-accumulating versions of the element-wise and
// per-example ops a network runs (activations, losses, dense backward, and the layers of
// nn/layers/ that compute: batch norm, softmax, leaky ReLU, global average pooling), to test
// the fast ones against. Same contracts as their ops/ or layer counterparts.
#pragma once

#include <cstddef>
#include <cstdint>

#include "convlab/ops/activation.hpp"
#include "convlab/ops/loss.hpp"

namespace convlab {

void activation_forward_ref(activation a, const float* x, float* y, std::size_t n);
// dx = act'(x) * dy, from x alone (relu'(0) = 0), not from the forward output.
void activation_backward_ref(activation a, const float* x, const float* dy, float* dx,
                             std::size_t n);
// The mean loss and the gradient of that mean (dlogits may be nullptr), in double throughout.
loss_result loss_forward_backward_ref(loss_kind kind, const float* logits,
                                      const std::int32_t* labels, std::size_t B,
                                      std::size_t classes, float* dlogits);
// x is (B, I), w is (O, I), dy is (B, O); dx (B, I), dw (O, I), db (O) overwritten.
void dense_backward_ref(const float* x, const float* w, const float* dy, float* dx, float* dw,
                        float* db, std::size_t B, std::size_t I, std::size_t O);

// Batch norm over x (N, C, S), S = H * W (1 for batchnorm1d); gamma, beta, running_mean,
// running_var are (C). Training normalises with the batch's mean and biased variance, eval
// with the running statistics; y is (N, C, S).
void batchnorm_forward_ref(const float* x, const float* gamma, const float* beta,
                           const float* running_mean, const float* running_var, float* y,
                           std::size_t N, std::size_t C, std::size_t S, double eps, bool training);
// torch's update after one training batch: running = (1 - momentum) running + momentum stat,
// with the unbiased variance (count / (count - 1)).
void batchnorm_update_running_ref(const float* x, float* running_mean, float* running_var,
                                  std::size_t N, std::size_t C, std::size_t S, double momentum);
// dy is (N, C, S); dx (N, C, S), dgamma, dbeta (C) overwritten. Derived from the forward's
// definition by the chain rule through the batch statistics (training) or not (eval).
void batchnorm_backward_ref(const float* x, const float* gamma, const float* running_mean,
                            const float* running_var, const float* dy, float* dx, float* dgamma,
                            float* dbeta, std::size_t N, std::size_t C, std::size_t S, double eps,
                            bool training);
// Softmax of each of the B rows of x (B, n).
void softmax_forward_ref(const float* x, float* y, std::size_t B, std::size_t n);
// dx = J^T dy with J the full (n, n) Jacobian of softmax at x, formed explicitly.
void softmax_backward_ref(const float* x, const float* dy, float* dx, std::size_t B, std::size_t n);
void leakyrelu_forward_ref(const float* x, float* y, std::size_t n, double slope);
void leakyrelu_backward_ref(const float* x, const float* dy, float* dx, std::size_t n, double slope);
// x is (R, S): y (R) the mean of each row; backward dx (R, S) from dy (R).
void global_avg_pool_forward_ref(const float* x, float* y, std::size_t R, std::size_t S);
void global_avg_pool_backward_ref(const float* dy, float* dx, std::size_t R, std::size_t S);

}  // namespace convlab
