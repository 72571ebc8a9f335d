// nn/optim/state.cpp: class optimizer, torch's optimizer.state for one set of parameters:
// created by the first step that needs it, kept between steps, saved and loaded as named
// tensors. SGD's form (one momentum buffer per parameter, named as the parameter) is the one
// convlab has always saved, so files written before the other optimisers still load.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <string>

#include "convlab/common.hpp"
#include "convlab/nn/optimizer.hpp"
#include "convlab/nn/sgd.hpp"
#include "../layers/layer.hpp"

namespace convlab {
namespace {

// Every slot `kind` can have, in torch's order; `needs`: the option without which torch's
// _init_group does not make it (nullptr: always made). Static tables: a step must not
// allocate.
struct slot_info {
    const char* name;
    const char* needs;
};
constexpr slot_info sgd_slots[] = {{"momentum_buffer", nullptr}};
constexpr slot_info adam_slots[] = {
    {"exp_avg", nullptr}, {"exp_avg_sq", nullptr}, {"max_exp_avg_sq", "amsgrad"}};
constexpr slot_info rmsprop_slots[] = {
    {"square_avg", nullptr}, {"momentum_buffer", "momentum"}, {"grad_avg", "centered"}};

struct slot_table {
    const slot_info* first;
    std::size_t count;
    const slot_info* begin() const { return first; }
    const slot_info* end() const { return first + count; }
    std::size_t size() const { return count; }
    const slot_info& operator[](std::size_t k) const { return first[k]; }
};
slot_table slots_of(optimizer_kind kind) {
    switch (kind) {
        case optimizer_kind::sgd: return {sgd_slots, std::size(sgd_slots)};
        case optimizer_kind::adam:
        case optimizer_kind::adamw: return {adam_slots, std::size(adam_slots)};
        case optimizer_kind::rmsprop: return {rmsprop_slots, std::size(rmsprop_slots)};
    }
    return {sgd_slots, 0};
}

// Whether a fresh state of `o` gets slot s.
bool wanted(const slot_info& s, const optimizer_options& o) {
    if (s.needs == nullptr) return true;
    const std::string_view needs = s.needs;
    return needs == "amsgrad" ? o.amsgrad : needs == "centered" ? o.centered : o.momentum > 0;
}

// The options convlab has always had (lr, momentum) keep their numbers: sgd_step rounds
// lr * v before subtracting it, where torch (and sgd_update) fuse the two.
void sgd_any(const optimizer_param& p, float* buf, const optimizer_options& o, bool first) {
    if (o.weight_decay == 0 && o.dampening == 0 && !o.nesterov)
        sgd_step(p.data, p.grad, buf, p.size, static_cast<float>(o.lr), static_cast<float>(o.momentum), first);
    else
        sgd_update(p.data, p.grad, buf, p.size, o, first);
}

}  // namespace

void optimizer::bind(std::vector<optimizer_param> params) {
    params_ = std::move(params);
    reset();
}

// Keeps the buffers' memory: a run that resets and starts again allocates nothing.
void optimizer::reset() {
    active_ = false;
    step_ = 0.0f;
}

float* optimizer::slot(std::size_t param, std::string_view name) {
    for (std::size_t k = 0; k < slot_names_.size(); ++k)
        if (slot_names_[k] == name) return slots_[param * slot_names_.size() + k].data();
    return nullptr;
}

void optimizer::check(const optimizer_options& o) const {
    check_optimizer_options(o);
    if (empty()) return;
    if (o.optimizer != kind_)
        fail("optimizer", std::string("the optimiser state belongs to '") + optimizer_name(kind_) +
                              "'; reset it (resetOptimizer() or setOptimizerState([])) before a step with '" +
                              optimizer_name(o.optimizer) + "'");
    if (o.optimizer == optimizer_kind::sgd && o.momentum == 0) return;
    // torch reads the slots it made on the first step; one it did not make is a KeyError.
    for (const slot_info& s : slots_of(o.optimizer))
        if (wanted(s, o) && std::find(slot_names_.begin(), slot_names_.end(), s.name) == slot_names_.end())
            fail(s.needs, std::string("the optimiser state has no ") + s.name + " (it began without " +
                              s.needs + "); reset it (resetOptimizer()) to change " + s.needs);
}

void optimizer::step(const optimizer_options& o) {
    check(o);
    if (o.optimizer == optimizer_kind::sgd && o.momentum == 0) {
        // As torch: a step without momentum neither creates nor changes the buffers.
        for (const optimizer_param& p : params_) sgd_any(p, nullptr, o, false);
        return;
    }
    const bool first = empty();
    if (first) {
        kind_ = o.optimizer;
        step_ = 0.0f;
        slot_names_.clear();
        for (const slot_info& s : slots_of(o.optimizer))
            if (wanted(s, o)) slot_names_.push_back(s.name);
        const std::size_t count = slot_names_.size();
        slots_.resize(params_.size() * count);
        for (std::size_t j = 0; j < params_.size(); ++j)
            for (std::size_t k = 0; k < count; ++k) slots_[j * count + k].assign(params_[j].size, 0.0f);
        active_ = true;
    }
    if (o.optimizer != optimizer_kind::sgd) step_ += 1.0f;  // torch's float step_t += 1
    for (std::size_t j = 0; j < params_.size(); ++j) {
        const optimizer_param& p = params_[j];
        switch (o.optimizer) {
            case optimizer_kind::sgd:
                sgd_any(p, slot(j, "momentum_buffer"), o, first);
                break;
            case optimizer_kind::adam:
            case optimizer_kind::adamw:
                adam_update(p.data, p.grad, slot(j, "exp_avg"), slot(j, "exp_avg_sq"),
                            slot(j, "max_exp_avg_sq"), p.size, o, step_);
                break;
            case optimizer_kind::rmsprop:
                rmsprop_update(p.data, p.grad, slot(j, "square_avg"), slot(j, "momentum_buffer"),
                               slot(j, "grad_avg"), p.size, o);
                break;
        }
    }
}

std::vector<optimizer_state_view> optimizer::views() const {
    std::vector<optimizer_state_view> list;
    if (empty()) return list;
    const std::size_t count = slot_names_.size();
    if (kind_ == optimizer_kind::sgd) {
        for (std::size_t j = 0; j < params_.size(); ++j)
            list.push_back({params_[j].name, params_[j].shape, slots_[j].data(), slots_[j].size()});
        return list;
    }
    list.push_back({std::string(optimizer_name(kind_)) + ".step", {1}, &step_, 1});
    for (std::size_t j = 0; j < params_.size(); ++j)
        for (std::size_t k = 0; k < count; ++k) {
            const std::vector<float>& s = slots_[j * count + k];
            list.push_back({params_[j].name + "." + std::string(slot_names_[k]), params_[j].shape, s.data(), s.size()});
        }
    return list;
}

void optimizer::load(const std::vector<optimizer_state_view>& list) {
    if (list.empty()) {
        reset();
        return;
    }
    // The kind: Adam, AdamW and RMSprop lists carry "<optimizer>.step"; SGD's do not.
    optimizer_kind kind = optimizer_kind::sgd;
    std::size_t step_at = list.size();
    for (std::size_t i = 0; i < list.size(); ++i)
        for (optimizer_kind k : {optimizer_kind::adam, optimizer_kind::adamw, optimizer_kind::rmsprop})
            if (list[i].name == std::string(optimizer_name(k)) + ".step") {
                if (step_at != list.size())
                    fail("list[" + std::to_string(i) + "].name",
                         "'" + list[i].name + "' after '" + list[step_at].name +
                             "': one optimiser's state at a time");
                kind = k;
                step_at = i;
            }
    const bool sgd = kind == optimizer_kind::sgd;
    const slot_table slots = slots_of(kind);
    // Expected tensor e = j * slots.size() + k: parameter j's slot k (SGD: named as j).
    const std::size_t per = slots.size();
    auto expected_name = [&](std::size_t e) {
        const std::string& p = params_[e / per].name;
        return sgd ? p : p + "." + slots[e % per].name;
    };
    std::vector<const optimizer_state_view*> source(params_.size() * per, nullptr);
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (i == step_at) continue;
        const optimizer_state_view& v = list[i];
        const std::string at = "list[" + std::to_string(i) + "].";
        std::size_t e = 0;
        while (e < source.size() && expected_name(e) != v.name) ++e;
        if (e == source.size()) {
            std::string expected;
            if (sgd) {
                for (const auto& p : params_) expected += (expected.empty() ? "'" : ", '") + p.name + "'";
                expected = "expected one of " + (expected.empty() ? "(no parameters)" : expected);
            } else {
                for (const slot_info& s : slots) expected += (expected.empty() ? "" : ", ") + std::string(s.name);
                expected = "expected '<parameter>.<slot>' with a parameter name and a slot of " +
                           std::string(optimizer_name(kind)) + " (" + expected + ")";
            }
            fail(at + "name", expected + ", got '" + v.name + "'");
        }
        const optimizer_param& p = params_[e / per];
        if (source[e] != nullptr) fail(at + "name", "'" + v.name + "' appears twice");
        if (v.shape != p.shape)
            fail(at + "shape", "expected " + layers::shape_text(p.shape) + " for '" + v.name + "', got " +
                                   layers::shape_text(v.shape));
        if (v.data == nullptr || v.size != p.size)
            fail(at + "data", "expected " + std::to_string(p.size) + " elements for shape " +
                                  layers::shape_text(p.shape) + ", got " +
                                  (v.data == nullptr ? "none" : std::to_string(v.size)));
        source[e] = &v;
    }
    float step = 0.0f;
    if (!sgd) {
        const optimizer_state_view& s = list[step_at];
        const std::string at = "list[" + std::to_string(step_at) + "].";
        if (s.shape != std::vector<int>{1})
            fail(at + "shape", "expected [1] for '" + s.name + "', got " + layers::shape_text(s.shape));
        if (s.data == nullptr || s.size != 1)
            fail(at + "data", "expected 1 element (the step count), got " +
                                  (s.data == nullptr ? "none" : std::to_string(s.size)));
        step = s.data[0];
        if (!(step >= 1 && step == std::floor(step)))
            fail(at + "data", "expected the step count, a whole number >= 1, got " + std::to_string(step));
    }
    // A required slot for every parameter; an optional one for all or none.
    std::vector<std::string_view> names;
    for (std::size_t k = 0; k < per; ++k) {
        std::size_t present = 0;
        for (std::size_t j = 0; j < params_.size(); ++j) present += source[j * per + k] != nullptr;
        if (present == 0 && slots[k].needs != nullptr) continue;
        for (std::size_t j = 0; j < params_.size(); ++j)
            if (source[j * per + k] == nullptr)
                fail("list", sgd ? "missing parameter '" + params_[j].name + "'"
                                 : "missing '" + expected_name(j * per + k) + "'");
        names.push_back(slots[k].name);
    }
    // Everything is checked: write.
    kind_ = kind;
    step_ = step;
    slot_names_ = names;
    slots_.resize(params_.size() * names.size());
    active_ = true;
    for (std::size_t j = 0; j < params_.size(); ++j)
        for (std::size_t k = 0, kept = 0; k < per; ++k) {
            const optimizer_state_view* v = source[j * per + k];
            if (v == nullptr) continue;
            slots_[j * names.size() + kept++].assign(v->data, v->data + v->size);
        }
}

}  // namespace convlab
