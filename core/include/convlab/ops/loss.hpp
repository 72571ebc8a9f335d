// convlab/ops/loss.hpp: losses, each the mean over the batch as in PyTorch, with the
// gradient of that mean. Labels are class indices.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace convlab {

enum class loss_kind { softmax_cross_entropy, mse };

loss_kind loss_from_name(std::string_view name, const char* argument = "loss");

struct loss_result {
    double loss;      // mean over the batch (mse: over all B * classes elements)
    int correct;      // examples whose largest output is the label (first maximum wins)
};

// logits is (B, classes), labels is (B) in [0, classes). dlogits (B, classes) receives the
// gradient of the loss, or is skipped when nullptr. Throws invalid_argument ("labels") on a
// label out of range.
// softmax_cross_entropy == torch.nn.functional.cross_entropy(logits, labels)
// mse == torch.nn.functional.mse_loss(logits, one_hot(labels))
loss_result loss_forward_backward(loss_kind kind, const float* logits, const std::int32_t* labels,
                                  std::size_t B, std::size_t classes, float* dlogits);

}  // namespace convlab
