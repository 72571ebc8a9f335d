// nn/optim/options.cpp: optimiser names, torch.optim's defaults, which optimiser reads which
// option, and torch's constructor checks (plus float range, since the updates compute in
// float).
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "convlab/common.hpp"
#include "convlab/nn/optimizer.hpp"
#include "convlab/registry.hpp"

namespace convlab {

const char* optimizer_name(optimizer_kind kind) {
    switch (kind) {
        case optimizer_kind::sgd: return "sgd";
        case optimizer_kind::adam: return "adam";
        case optimizer_kind::adamw: return "adamw";
        case optimizer_kind::rmsprop: return "rmsprop";
    }
    return "?";
}

optimizer_kind optimizer_from_name(std::string_view name, const char* argument) {
    for (optimizer_kind k : {optimizer_kind::sgd, optimizer_kind::adam, optimizer_kind::adamw,
                             optimizer_kind::rmsprop})
        if (name == optimizer_name(k)) return k;
    const std::vector<std::string> names(optimizer_names().begin(), optimizer_names().end());
    fail(argument, one_of_text(name, names));
}

optimizer_options default_optimizer_options(optimizer_kind kind) {
    optimizer_options o;
    o.optimizer = kind;
    if (kind == optimizer_kind::adam || kind == optimizer_kind::adamw) o.lr = 1e-3;
    if (kind == optimizer_kind::adamw) o.weight_decay = 1e-2;
    return o;
}

bool optimizer_uses(optimizer_kind kind, std::string_view key) {
    if (key == "lr" || key == "weightDecay") return true;
    switch (kind) {
        case optimizer_kind::sgd:
            return key == "momentum" || key == "dampening" || key == "nesterov";
        case optimizer_kind::adam:
        case optimizer_kind::adamw:
            return key == "betas" || key == "eps" || key == "amsgrad";
        case optimizer_kind::rmsprop:
            return key == "alpha" || key == "eps" || key == "momentum" || key == "centered";
    }
    return false;
}

namespace {

std::string number_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// value in [lo, hi) (or [lo, hi] when closed), finite, and a finite float.
void check_range(double value, const char* name, double lo, double hi, bool closed) {
    const bool ok = std::isfinite(value) && value >= lo && (closed ? value <= hi : value < hi);
    if (!ok) {
        std::string range = "a finite number >= " + number_text(lo);
        if (hi < std::numeric_limits<double>::max())
            range = "a number in [" + number_text(lo) + ", " + number_text(hi) + (closed ? "]" : ")");
        fail(name, "expected " + range + ", got " + number_text(value));
    }
    // The updates compute in float: a value past its range would become infinite there.
    if (std::fabs(value) > std::numeric_limits<float>::max())
        fail(name, "too large for a float, got " + number_text(value));
}

constexpr double kUnbounded = std::numeric_limits<double>::max();

}  // namespace

void check_optimizer_options(const optimizer_options& o) {
    check_range(o.lr, "lr", 0, kUnbounded, true);
    check_range(o.weight_decay, "weightDecay", 0, kUnbounded, true);
    switch (o.optimizer) {
        case optimizer_kind::sgd:
            check_range(o.momentum, "momentum", 0, kUnbounded, true);
            if (!std::isfinite(o.dampening))
                fail("dampening", "expected a finite number, got " + number_text(o.dampening));
            if (o.nesterov && (o.momentum <= 0 || o.dampening != 0))
                fail("nesterov", "needs momentum > 0 and dampening 0 (as torch.optim.SGD), got momentum " +
                                     number_text(o.momentum) + " and dampening " +
                                     number_text(o.dampening));
            break;
        case optimizer_kind::adam:
        case optimizer_kind::adamw:
            check_range(o.beta1, "betas", 0, 1, false);
            check_range(o.beta2, "betas", 0, 1, false);
            check_range(o.eps, "eps", 0, kUnbounded, true);
            break;
        case optimizer_kind::rmsprop:
            check_range(o.alpha, "alpha", 0, kUnbounded, true);
            check_range(o.eps, "eps", 0, kUnbounded, true);
            check_range(o.momentum, "momentum", 0, kUnbounded, true);
            break;
    }
}

}  // namespace convlab
