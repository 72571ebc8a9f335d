// test_optim.cpp: the optimisers of nn/optimizer.hpp against torch.optim
// (tests/fixtures/optim, written by generate_optim.py): each update alone bit for bit, a
// small conv + dense network trained five steps within float tolerance, a run resumed from
// its saved state bit for bit, and every refusal naming its option.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "convlab/common.hpp"
#include "convlab/nn/optimizer.hpp"
#include "convlab/nn/options.hpp"
#include "convlab/nn/sequential.hpp"
#include "harness.hpp"
#include "nn_harness.hpp"

using convlab::optimizer_kind;
using convlab::optimizer_options;
using convlab::sequential;
using harness::error_of;
using harness::make;

namespace {

const char* const kKinds[] = {"sgd", "adam", "adamw", "rmsprop"};

// The fixture's "optimizer" and "options" lines (generate_optim.py's ORDER).
convlab::train_options options_of(const harness::fixture& f) {
    const auto& v = f.at("options");
    convlab::train_options o;
    o.optimizer = static_cast<optimizer_kind>(static_cast<int>(f.at("optimizer")[0]));
    o.lr = v[0], o.momentum = v[1], o.dampening = v[2], o.nesterov = v[3] != 0;
    o.weight_decay = v[4], o.beta1 = v[5], o.beta2 = v[6], o.eps = v[7], o.amsgrad = v[8] != 0;
    o.alpha = v[9], o.centered = v[10] != 0;
    return o;
}

std::string describe(const harness::fixture& f) {
    std::string s = kKinds[static_cast<int>(f.at("optimizer")[0])];
    for (double v : f.at("options")) s += " " + std::to_string(v);
    return s;
}

// Bitwise equality, printing the first differing element.
void check_exact(const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
    INFO(what);
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("element " << i << ": got " << got[i] << ", torch " << want[i]);
        REQUIRE(std::memcmp(&got[i], &want[i], sizeof(float)) == 0);
    }
}

// generate_optim.py's network: conv2d 1->3 k3, relu, maxpool2d 2, flatten, dense 12->4.
std::vector<convlab::layer_spec> small_layers() {
    return {make("conv2d", 3, 3), make("relu"), make("maxpool2d", 0, 2), make("flatten"), make("dense", 4)};
}

void set_all(sequential& net, const std::vector<float>& all) {
    std::size_t at = 0;
    for (auto& p : net.parameters()) {
        REQUIRE(at + p.size <= all.size());
        std::copy(all.begin() + at, all.begin() + at + p.size, p.data);
        at += p.size;
    }
    REQUIRE(at == all.size());
}

std::vector<float> all_params(sequential& net) {
    std::vector<float> all;
    for (auto& p : net.parameters()) all.insert(all.end(), p.data, p.data + p.size);
    return all;
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), std::string::npos, suffix) == 0;
}
bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// The state's tensors named "<parameter>.<slot>" (SGD: every tensor), concatenated.
std::vector<float> slot_values(const sequential& net, const std::string& slot, bool sgd) {
    std::vector<float> all;
    for (const auto& v : net.optimizer_state())
        if (sgd || ends_with(v.name, "." + slot)) all.insert(all.end(), v.data, v.data + v.size);
    return all;
}

// A copy of optimizer_state() that outlives the network's views.
struct saved {
    std::vector<std::string> names;
    std::vector<std::vector<int>> shapes;
    std::vector<std::vector<float>> data;
    std::vector<convlab::optimizer_state_view> views() const {
        std::vector<convlab::optimizer_state_view> list;
        for (std::size_t i = 0; i < names.size(); ++i)
            list.push_back({names[i], shapes[i], data[i].data(), data[i].size()});
        return list;
    }
    void push(const std::string& name, std::vector<int> shape, std::vector<float> values) {
        names.push_back(name);
        shapes.push_back(std::move(shape));
        data.push_back(std::move(values));
    }
};

saved save(const sequential& net) {
    saved s;
    for (const auto& v : net.optimizer_state()) s.push(v.name, v.shape, std::vector<float>(v.data, v.data + v.size));
    return s;
}

convlab::train_options defaults(optimizer_kind kind) {
    convlab::train_options o;
    static_cast<optimizer_options&>(o) = convlab::default_optimizer_options(kind);
    return o;
}

std::vector<std::int32_t> labels_of(const harness::fixture& f) {
    std::vector<std::int32_t> labels;
    for (double v : f.at("labels")) labels.push_back(static_cast<std::int32_t>(v));
    return labels;
}

}  // namespace

TEST_CASE("each update alone is torch.optim's, bit for bit (three steps, n = 37)") {
    for (const harness::fixture& f : harness::load_fixtures("optim_updates.txt")) {
        const convlab::train_options o = options_of(f);
        INFO(describe(f));
        std::vector<float> p = harness::as_float(f.at("p"));
        const std::size_t n = p.size();
        std::vector<float> a(n, 0.0f), b(n, 0.0f), c(n, 0.0f);
        for (int k = 0; k < 3; ++k) {
            const std::vector<float> g = harness::as_float(f.at("g." + std::to_string(k)));
            switch (o.optimizer) {
                case optimizer_kind::sgd: convlab::sgd_update(p.data(), g.data(), a.data(), n, o, k == 0); break;
                case optimizer_kind::adam:
                case optimizer_kind::adamw:
                    convlab::adam_update(p.data(), g.data(), a.data(), b.data(), c.data(), n, o, float(k + 1));
                    break;
                case optimizer_kind::rmsprop:
                    convlab::rmsprop_update(p.data(), g.data(), a.data(), b.data(), c.data(), n, o);
                    break;
            }
            check_exact(p, harness::as_float(f.at("p." + std::to_string(k))), "p after step " + std::to_string(k + 1));
        }
        // The state torch kept, slot by slot (a, b, c as passed above).
        const bool rms = o.optimizer == optimizer_kind::rmsprop;
        const std::vector<std::pair<const char*, const std::vector<float>*>> slots = {
            {"state.momentum_buffer", rms ? &b : &a}, {"state.exp_avg", &a}, {"state.exp_avg_sq", &b},
            {"state.max_exp_avg_sq", &c},           {"state.square_avg", &a}, {"state.grad_avg", &c}};
        for (const auto& [key, got] : slots)
            if (f.count(key)) check_exact(*got, harness::as_float(f.at(key)), key);
    }
}

TEST_CASE("a conv + dense network trained five steps as torch.optim does") {
    for (const harness::fixture& f : harness::load_fixtures("optim_nets.txt")) {
        const convlab::train_options o = options_of(f);
        INFO(describe(f));
        sequential net(small_layers(), {1, 6, 6}, 1);
        set_all(net, harness::as_float(f.at("params")));
        const std::vector<float> x = harness::as_float(f.at("x"));
        const std::vector<std::int32_t> labels = labels_of(f);
        for (int k = 0; k < 5; ++k) {
            const auto r = net.train_step(x.data(), labels.data(), 3, o);
            CHECK(r.loss == doctest::Approx(f.at("loss." + std::to_string(k))[0]).epsilon(1e-5));
            harness::check_close(all_params(net), harness::as_float(f.at("params." + std::to_string(k))), 1e-5,
                                 "parameters after step " + std::to_string(k + 1));
        }
        const bool sgd = o.optimizer == optimizer_kind::sgd;
        CHECK(net.has_optimizer_state() == (!sgd || o.momentum != 0));
        for (const char* slot : {"momentum_buffer", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "square_avg", "grad_avg"}) {
            const std::string key = std::string("state.") + slot;
            if (f.count(key) == 0) {
                if (!sgd) CHECK(slot_values(net, slot, false).empty());
                continue;
            }
            harness::check_close(slot_values(net, slot, sgd), harness::as_float(f.at(key)), 1e-4, key);
        }
        if (!sgd) {
            const auto views = net.optimizer_state();
            REQUIRE(!views.empty());
            CHECK(views[0].name == std::string(kKinds[static_cast<int>(o.optimizer)]) + ".step");
            CHECK(views[0].data[0] == float(f.at("step")[0]));
        }
    }
}

TEST_CASE("a run resumed from its parameters and optimiser state continues bit for bit") {
    for (const harness::fixture& f : harness::load_fixtures("optim_nets.txt")) {
        const convlab::train_options o = options_of(f);
        INFO(describe(f));
        const std::vector<float> x = harness::as_float(f.at("x"));
        const std::vector<std::int32_t> labels = labels_of(f);
        sequential net(small_layers(), {1, 6, 6}, 1);
        set_all(net, harness::as_float(f.at("params")));
        for (int k = 0; k < 2; ++k) net.train_step(x.data(), labels.data(), 3, o);
        saved reversed = save(net);  // loaded in any order
        std::reverse(reversed.names.begin(), reversed.names.end());
        std::reverse(reversed.shapes.begin(), reversed.shapes.end());
        std::reverse(reversed.data.begin(), reversed.data.end());
        sequential resumed(small_layers(), {1, 6, 6}, 7);
        set_all(resumed, all_params(net));
        resumed.set_optimizer_state(reversed.views());
        for (int k = 2; k < 5; ++k) {
            const double a = net.train_step(x.data(), labels.data(), 3, o).loss;
            CHECK(resumed.train_step(x.data(), labels.data(), 3, o).loss == a);
        }
        check_exact(all_params(resumed), all_params(net), "parameters");
        const saved got = save(resumed), want = save(net);
        CHECK(got.names == want.names);
        for (std::size_t i = 0; i < want.data.size(); ++i) check_exact(got.data[i], want.data[i], want.names[i]);
    }
}

TEST_CASE("options: torch's defaults, each optimiser's own options only, ranges named") {
    using convlab::bool_value;
    using convlab::field_list;
    using convlab::list_value;
    using convlab::number_value;
    using convlab::read_train_options;
    using convlab::text_value;
    const auto adam = read_train_options({{"optimizer", text_value("adam")}});
    CHECK(adam.lr == 1e-3);
    CHECK(adam.beta1 == 0.9);
    CHECK(adam.beta2 == 0.999);
    CHECK(adam.eps == 1e-8);
    CHECK(adam.weight_decay == 0);
    CHECK(read_train_options({{"optimizer", text_value("adamw")}}).weight_decay == 1e-2);
    CHECK(read_train_options({{"optimizer", text_value("rmsprop")}}).lr == 1e-2);
    CHECK(read_train_options({{"optimizer", text_value("rmsprop")}}).alpha == 0.99);
    CHECK(read_train_options({}).lr == 0.01);
    const auto betas = read_train_options({{"optimizer", text_value("adam")}, {"betas", list_value({0.5, 0.75})}});
    CHECK(betas.beta1 == 0.5);
    CHECK(betas.beta2 == 0.75);

    const auto adam_with = [](const char* key, convlab::field_value v) {
        return field_list{{"optimizer", text_value("adam")}, {key, std::move(v)}};
    };
    const std::vector<std::pair<field_list, std::string>> refused = {
        {{{"betas", list_value({0.9, 0.99})}},
         "betas: 'sgd' takes no 'betas' (its options: lr, momentum, dampening, nesterov, weightDecay)"},
        {adam_with("momentum", number_value(0.9)),
         "momentum: 'adam' takes no 'momentum' (its options: lr, weightDecay, betas, eps, amsgrad)"},
        {{{"optimizer", text_value("adamw")}, {"nesterov", bool_value(true)}}, "nesterov: 'adamw' takes no"},
        {{{"optimizer", text_value("rmsprop")}, {"betas", list_value({0.9, 0.99})}}, "betas: 'rmsprop' takes no"},
        {{{"alpha", number_value(0.9)}}, "alpha: 'sgd' takes no"},
        {{{"optimizer", text_value("adagrad")}}, "optimizer: expected one of 'sgd', 'adam', 'adamw', 'rmsprop', got 'adagrad'"},
        {{{"optimizer", text_value("adamm")}}, "optimizer: expected one of"},
        {adam_with("betas", list_value({1.0, 0.99})), "betas: expected a number in [0, 1)"},
        {adam_with("betas", list_value({0.9, -0.1})), "betas: expected a number in [0, 1)"},
        {adam_with("betas", number_value(0.9)), "betas: expected [beta1, beta2]"},
        {adam_with("betas", list_value({0.9})), "betas: expected [beta1, beta2]"},
        {adam_with("eps", number_value(-1e-8)), "eps: expected a number >= 0"},
        {adam_with("amsgrad", number_value(1)), "amsgrad: expected true or false"},
        {adam_with("eps", number_value(1e39)), "eps: too large for a float"},
        {adam_with("lr", number_value(-0.1)), "lr: expected a number >= 0"},
        {{{"optimizer", text_value("rmsprop")}, {"alpha", number_value(-0.5)}}, "alpha: expected a number >= 0"},
        {{{"weightDecay", number_value(-1e-4)}}, "weightDecay: expected a number >= 0"},
        {{{"nesterov", bool_value(true)}}, "nesterov: needs momentum > 0 and dampening 0"},
        {{{"nesterov", bool_value(true)}, {"momentum", number_value(0.9)}, {"dampening", number_value(0.1)}},
         "nesterov: needs momentum > 0 and dampening 0"},
    };
    for (const auto& [fields_, message] : refused) {
        const auto& fields = fields_;  // a lambda may not capture a structured binding in C++17
        const std::string got = error_of([&] { read_train_options(fields); });
        INFO(got);
        CHECK(starts_with(got, message));
    }
    // The core checks the options again when called directly.
    optimizer_options bad = convlab::default_optimizer_options(optimizer_kind::adam);
    bad.beta2 = 1.0;
    CHECK(starts_with(error_of([&] { convlab::check_optimizer_options(bad); }), "betas:"));
}

TEST_CASE("another optimiser, or a slot the state began without, is refused until reset; nothing changes") {
    sequential net(small_layers(), {1, 6, 6}, 1);
    const auto x = harness::random_vector(2 * 36, 4);
    const std::vector<std::int32_t> labels = {1, 3};
    const auto adam = defaults(optimizer_kind::adam);
    net.train_step(x.data(), labels.data(), 2, adam);
    const auto params = all_params(net);
    const saved state = save(net);
    convlab::train_options sgd;
    sgd.momentum = 0.9;
    CHECK(starts_with(error_of([&] { net.train_step(x.data(), labels.data(), 2, sgd); }),
                      "optimizer: the optimiser state belongs to 'adam'"));
    auto adamw = adam;
    adamw.optimizer = optimizer_kind::adamw;
    CHECK(starts_with(error_of([&] { net.train_step(x.data(), labels.data(), 2, adamw); }), "optimizer:"));
    auto ams = adam;
    ams.amsgrad = true;
    CHECK(starts_with(error_of([&] { net.train_step(x.data(), labels.data(), 2, ams); }),
                      "amsgrad: the optimiser state has no max_exp_avg_sq"));
    check_exact(all_params(net), params, "parameters after refused steps");
    CHECK(save(net).data == state.data);
    net.reset_optimizer();
    net.train_step(x.data(), labels.data(), 2, sgd);
    CHECK(net.optimizer_state().size() == net.parameters().size());  // SGD's form

    const auto rms = defaults(optimizer_kind::rmsprop);
    net.reset_optimizer();
    net.train_step(x.data(), labels.data(), 2, rms);
    auto centered = rms;
    centered.centered = true;
    CHECK(starts_with(error_of([&] { net.train_step(x.data(), labels.data(), 2, centered); }), "centered:"));
    auto heavy = rms;
    heavy.momentum = 0.5;
    CHECK(starts_with(error_of([&] { net.train_step(x.data(), labels.data(), 2, heavy); }), "momentum:"));
}

TEST_CASE("set_optimizer_state: Adam's and RMSprop's form checked completely, naming the entry") {
    sequential net(small_layers(), {1, 6, 6}, 1);
    const auto x = harness::random_vector(2 * 36, 5);
    const std::vector<std::int32_t> labels = {0, 2};
    const auto adam = defaults(optimizer_kind::adam);
    net.train_step(x.data(), labels.data(), 2, adam);
    net.train_step(x.data(), labels.data(), 2, adam);
    const saved good = save(net);  // adam.step, then 4 parameters x (exp_avg, exp_avg_sq)
    REQUIRE(good.names.size() == 9);
    CHECK(good.names[0] == "adam.step");
    CHECK(good.names[1] == "0.weight.exp_avg");
    CHECK(good.names[2] == "0.weight.exp_avg_sq");
    CHECK(good.data[0] == std::vector<float>{2.0f});
    auto with = [&](auto change) {
        saved s = good;
        change(s);
        return error_of([&] { net.set_optimizer_state(s.views()); });
    };
    CHECK(starts_with(with([](saved& s) { s.names[3] = "0.bias.exp_avgg"; }),
                      "list[3].name: expected '<parameter>.<slot>' with a parameter name and a slot of adam "
                      "(exp_avg, exp_avg_sq, max_exp_avg_sq), got '0.bias.exp_avgg'"));
    CHECK(starts_with(with([](saved& s) { s.names[3] = "0.weight.exp_avg"; }),
                      "list[3].name: '0.weight.exp_avg' appears twice"));
    CHECK(starts_with(with([](saved& s) { s.shapes[2] = {3, 9}; }),
                      "list[2].shape: expected (3, 1, 3, 3) for '0.weight.exp_avg_sq'"));
    CHECK(starts_with(with([](saved& s) { s.data[4].pop_back(); }), "list[4].data: expected 3 elements"));
    CHECK(starts_with(with([](saved& s) { s.data[0] = {2.5f}; }), "list[0].data: expected the step count"));
    CHECK(starts_with(with([](saved& s) { s.data[0] = {0.0f}; }), "list[0].data: expected the step count"));
    CHECK(starts_with(with([](saved& s) { s.shapes[0] = {}; }), "list[0].shape: expected [1] for 'adam.step'"));
    CHECK(starts_with(with([](saved& s) {
                          s.names.pop_back();
                          s.shapes.pop_back();
                          s.data.pop_back();
                      }),
                      "list: missing '4.bias.exp_avg_sq'"));
    CHECK(starts_with(with([](saved& s) { s.push("rmsprop.step", {1}, {1.0f}); }),
                      "list[9].name: 'rmsprop.step' after 'adam.step'"));
    // An optional slot for some parameters only: all or none.
    CHECK(starts_with(with([](saved& s) { s.push("0.weight.max_exp_avg_sq", {3, 1, 3, 3}, std::vector<float>(27)); }),
                      "list: missing '0.bias.max_exp_avg_sq'"));
    // Without a step entry the list is SGD's form: parameter names only.
    CHECK(starts_with(with([](saved& s) { s.names[0] = "sgd.step"; }),
                      "list[0].name: expected one of '0.weight', '0.bias', '4.weight', '4.bias', got 'sgd.step'"));
    CHECK(save(net).data == good.data);  // the refused calls wrote nothing

    // RMSprop's optional slots, as momentum and centered make them.
    auto rms = defaults(optimizer_kind::rmsprop);
    rms.momentum = 0.9;
    rms.centered = true;
    net.reset_optimizer();
    net.train_step(x.data(), labels.data(), 2, rms);
    const saved r = save(net);
    REQUIRE(r.names.size() == 13);
    CHECK(r.names[0] == "rmsprop.step");
    CHECK(r.names[1] == "0.weight.square_avg");
    CHECK(r.names[2] == "0.weight.momentum_buffer");
    CHECK(r.names[3] == "0.weight.grad_avg");
    net.reset_optimizer();
    net.set_optimizer_state(r.views());
    CHECK(save(net).data == r.data);
    net.set_optimizer_state({});
    CHECK_FALSE(net.has_optimizer_state());
}
