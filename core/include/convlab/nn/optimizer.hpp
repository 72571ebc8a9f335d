// convlab/nn/optimizer.hpp: the optimisers of torch.optim that a network's train_step runs:
// SGD (momentum, dampening, Nesterov, weight decay), Adam, AdamW (both with AMSGrad) and
// RMSprop (momentum, centered), each as torch 1.13's single-tensor update, operation by
// operation, and their per-parameter state (torch's optimizer.state[p]) with its save/load
// form. Left out: maximize, sparse gradients, parameter groups, learning-rate schedules (the
// caller changes lr between steps, as the training page does).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace convlab {

// A row of registry_names.inc's optimizer list each.
enum class optimizer_kind { sgd, adam, adamw, rmsprop };

const char* optimizer_name(optimizer_kind kind);
// Throws invalid_argument naming `argument` for a name not in optimizer_names().
optimizer_kind optimizer_from_name(std::string_view name, const char* argument = "optimizer");

// torch.optim's hyper-parameters. Doubles, as torch's Python floats: scalars such as Adam's
// bias corrections are computed in double and rounded to float where torch rounds them.
// Each optimiser reads only its own options (optimizer_uses); read_train_options refuses
// the others by name.
struct optimizer_options {
    optimizer_kind optimizer = optimizer_kind::sgd;
    double lr = 0.01;            // all
    double momentum = 0.0;       // sgd, rmsprop
    double dampening = 0.0;      // sgd
    bool nesterov = false;       // sgd (needs momentum > 0 and dampening 0, as torch)
    double weight_decay = 0.0;   // all (adamw: decoupled, p *= 1 - lr * weight_decay)
    double beta1 = 0.9;          // adam, adamw
    double beta2 = 0.999;        // adam, adamw
    double eps = 1e-8;           // adam, adamw, rmsprop
    bool amsgrad = false;        // adam, adamw
    double alpha = 0.99;         // rmsprop
    bool centered = false;       // rmsprop
};

// torch.optim's defaults for `kind`: lr 1e-3 for adam / adamw, 1e-2 for rmsprop and sgd
// (torch's SGD has no default; 0.01 is convlab's), AdamW's weight decay 1e-2, the rest as
// in the struct above.
optimizer_options default_optimizer_options(optimizer_kind kind);

// Whether `kind` reads the option spelled `key` in JavaScript ("lr", "momentum",
// "dampening", "nesterov", "weightDecay", "betas", "eps", "amsgrad", "alpha", "centered").
bool optimizer_uses(optimizer_kind kind, std::string_view key);

// torch's constructor checks, and float range: throws invalid_argument naming the option
// ("lr", "betas", "eps", ...).
void check_optimizer_options(const optimizer_options& o);

// The element-wise updates on n elements; p, g and every buffer are (n). Each follows
// torch's _single_tensor_<name> with its tensor operations in torch's order and roundings:
// a Python-float scalar becomes a float where torch converts it, and an `add(x, alpha=a)` or
// `addcmul` is one fused multiply-add as in torch's vectorised CPU kernels. Exception, so
// that existing runs keep their numbers: SGD's final p -= lr d rounds lr d first.

// SGD. buf (torch's momentum_buffer) is read and written only when momentum != 0; `first`:
// the buffer does not exist yet (it becomes d = g + weight_decay p).
void sgd_update(float* p, const float* g, float* buf, std::size_t n, const optimizer_options& o,
                bool first);
// Adam / AdamW (o.optimizer says which). step: torch's state['step'] after its increment
// (1 on the first step). max_exp_avg_sq is used only with amsgrad.
void adam_update(float* p, const float* g, float* exp_avg, float* exp_avg_sq,
                 float* max_exp_avg_sq, std::size_t n, const optimizer_options& o, float step);
// RMSprop. momentum_buffer is used only with momentum > 0, grad_avg only when centered.
void rmsprop_update(float* p, const float* g, float* square_avg, float* momentum_buffer,
                    float* grad_avg, std::size_t n, const optimizer_options& o);

// One parameter as the optimiser sees it: data updated in place from grad.
struct optimizer_param {
    std::string name;
    std::vector<int> shape;
    float* data;
    const float* grad;
    std::size_t size;
};

// One saved tensor of optimiser state (see optimizer::views for the names).
struct optimizer_state_view {
    std::string name;
    std::vector<int> shape;
    const float* data;
    std::size_t size;
};

// The optimiser state of a set of parameters, as torch's optimizer.state: empty until a
// step creates it (SGD without momentum never does), then owned by the optimiser kind that
// created it. A step of another kind is refused ("optimizer") until reset().
class optimizer {
  public:
    // The parameters, once; their data and grad pointers must stay valid.
    void bind(std::vector<optimizer_param> params);
    // Throws what step(o) would refuse: check_optimizer_options, another optimiser than the
    // state's ("optimizer"), or an option needing a slot the state began without ("amsgrad",
    // "momentum", "centered": torch would fail on the missing key).
    void check(const optimizer_options& o) const;
    // One update of every parameter from its grad, after check(o). Allocates only when it
    // creates the state.
    void step(const optimizer_options& o);
    void reset();
    bool empty() const { return !active_; }
    // The state as tensors, views into this object (valid until the next step, reset or
    // load). SGD: one entry per parameter named as the parameter (its momentum_buffer).
    // Adam, AdamW, RMSprop: first "<optimizer>.step" of shape [1] (torch's step count, a
    // float as in torch; every parameter has the same), then per parameter
    // "<parameter>.<slot>" with torch's slot names in torch's order: exp_avg, exp_avg_sq,
    // max_exp_avg_sq (amsgrad); square_avg, momentum_buffer (momentum > 0), grad_avg
    // (centered). Empty when empty().
    std::vector<optimizer_state_view> views() const;
    // Loads a list in the form views() gives, in any order: every tensor exactly once, with
    // its parameter's shape; checked completely before anything is written, throwing
    // invalid_argument naming "list", "list[i].name", "list[i].shape" or "list[i].data".
    // An empty list is reset().
    void load(const std::vector<optimizer_state_view>& list);

  private:
    std::vector<optimizer_param> params_;
    optimizer_kind kind_ = optimizer_kind::sgd;
    bool active_ = false;
    float step_ = 0.0f;
    // The slots the state has, in torch's order: views of the static slot tables, so that
    // starting again after a reset allocates nothing (a slot name may outgrow a string's
    // small-buffer).
    std::vector<std::string_view> slot_names_;
    std::vector<std::vector<float>> slots_;      // [parameter * slot count + slot] -> (size)
    float* slot(std::size_t param, std::string_view name);
};

}  // namespace convlab
