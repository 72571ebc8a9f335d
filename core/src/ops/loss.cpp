// loss.cpp: the two training losses, each the mean PyTorch computes, with its gradient in one
// pass: softmax cross-entropy (torch.nn.functional.cross_entropy, via a stable log-sum-exp)
// and the squared error against one-hot targets (mse_loss, mean over all B * classes
// elements, LeNet-5's loss). Also counts the examples whose first maximum is the label.
// Sums run in double: a batch has few elements, and the loss is what the lessons plot.
#include "convlab/ops/loss.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "convlab/common.hpp"

namespace convlab {

loss_kind loss_from_name(std::string_view name, const char* argument) {
    if (name == "softmax-cross-entropy") return loss_kind::softmax_cross_entropy;
    if (name == "mse") return loss_kind::mse;
    fail(argument, "expected 'softmax-cross-entropy' or 'mse', got '" + std::string(name) + "'");
}

loss_result loss_forward_backward(loss_kind kind, const float* logits, const std::int32_t* labels,
                                  std::size_t B, std::size_t classes, float* dlogits) {
    // logits is (B, classes), labels is (B), dlogits is (B, classes) or nullptr.
    require(B > 0, "batch", "expected a positive batch size, got 0");
    require(classes > 0, "classes", "expected at least one class, got 0");
    require_elements({(long long)B, (long long)classes}, "logits");
    // Every label is checked before anything is written.
    for (std::size_t n = 0; n < B; ++n)
        if (labels[n] < 0 || std::size_t(labels[n]) >= classes)
            fail("labels", "expected class indices in [0, " + std::to_string(classes) + "), got " +
                               std::to_string(labels[n]) + " at index " + std::to_string(n));

    loss_result result{0.0, 0};
    double total = 0;
    // Softmax scratch, (classes): reused per thread, so a training step allocates nothing.
    thread_local std::vector<double> p;
    if (p.size() < classes) p.resize(classes);
    for (std::size_t n = 0; n < B; ++n) {
        const float* z = logits + n * classes;
        const std::size_t label = std::size_t(labels[n]);
        std::size_t best = 0;
        for (std::size_t c = 1; c < classes; ++c)
            if (z[c] > z[best]) best = c;  // strict: the first maximum wins
        if (best == label) ++result.correct;
        float* dz = dlogits ? dlogits + n * classes : nullptr;

        if (kind == loss_kind::softmax_cross_entropy) {
            // -log softmax(z)[label] = log sum_c e^(z_c - m) + m - z_label with m = max z:
            // every exponent is <= 0, so nothing overflows.
            const double m = z[best];
            double sum = 0;
            for (std::size_t c = 0; c < classes; ++c) sum += p[c] = std::exp(double(z[c]) - m);
            total += std::log(sum) + m - double(z[label]);
            // d/dz_c of the batch mean: (softmax(z)_c - [c == label]) / B.
            if (dz)
                for (std::size_t c = 0; c < classes; ++c)
                    dz[c] = float((p[c] / sum - (c == label ? 1.0 : 0.0)) / double(B));
        } else {
            // mean over B * classes of (z_c - [c == label])^2; gradient 2 (z_c - t_c) / (B classes).
            const double scale = 2.0 / (double(B) * double(classes));
            for (std::size_t c = 0; c < classes; ++c) {
                const double d = double(z[c]) - (c == label ? 1.0 : 0.0);
                total += d * d;
                if (dz) dz[c] = float(scale * d);
            }
        }
    }
    result.loss = kind == loss_kind::softmax_cross_entropy
                      ? total / double(B)
                      : total / (double(B) * double(classes));
    return result;
}

}  // namespace convlab
