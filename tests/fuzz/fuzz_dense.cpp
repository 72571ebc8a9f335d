// fuzz_dense.cpp: the layer ops. dense forward against dense_forward_ref and backward against
// plain loops; every activation forward and backward against the scalar formulas in double;
// both losses against softmax / squared error written out in double, with labels that may be
// out of range (refused with invalid_argument naming "labels").
#include <cmath>
#include <cstdint>

#include "convlab/ops/activation.hpp"
#include "convlab/ops/dense.hpp"
#include "convlab/ops/loss.hpp"
#include "fuzz_common.hpp"

using namespace convlab;

namespace {

void fuzz_dense(FuzzedDataProvider& in) {
    const std::size_t B = in.ConsumeIntegralInRange<std::size_t>(1, 9);
    const std::size_t I = in.ConsumeIntegralInRange<std::size_t>(1, 70);
    const std::size_t O = in.ConsumeIntegralInRange<std::size_t>(1, 20);
    const auto x = fuzz::floats(in, B * I), w = fuzz::floats(in, O * I), b = fuzz::floats(in, O);
    const auto dy = fuzz::floats(in, B * O);
    std::vector<float> y(B * O), y_ref(B * O);
    const bool bias = in.ConsumeBool();
    dense_forward(x.data(), w.data(), bias ? b.data() : nullptr, y.data(), B, I, O);
    dense_forward_ref(x.data(), w.data(), bias ? b.data() : nullptr, y_ref.data(), B, I, O);
    fuzz::expect_close(y, y_ref, fuzz::relative(y_ref, 1e-5), "dense y");
    std::vector<float> dx(B * I), dw(O * I), db(O), dx_ref(B * I), dw_ref(O * I), db_ref(O);
    dense_backward(x.data(), w.data(), dy.data(), dx.data(), dw.data(), db.data(), B, I, O);
    for (std::size_t n = 0; n < B; ++n)
        for (std::size_t i = 0; i < I; ++i) {
            double acc = 0;
            for (std::size_t o = 0; o < O; ++o) acc += double(dy[n * O + o]) * w[o * I + i];
            dx_ref[n * I + i] = float(acc);
        }
    for (std::size_t o = 0; o < O; ++o) {
        double sum = 0;
        for (std::size_t n = 0; n < B; ++n) sum += dy[n * O + o];
        db_ref[o] = float(sum);
        for (std::size_t i = 0; i < I; ++i) {
            double acc = 0;
            for (std::size_t n = 0; n < B; ++n) acc += double(dy[n * O + o]) * x[n * I + i];
            dw_ref[o * I + i] = float(acc);
        }
    }
    fuzz::expect_close(dx, dx_ref, fuzz::relative(dx_ref, 1e-5), "dense dx");
    fuzz::expect_close(dw, dw_ref, fuzz::relative(dw_ref, 1e-5), "dense dw");
    fuzz::expect_close(db, db_ref, fuzz::relative(db_ref, 1e-5), "dense db");
}

void fuzz_activation(FuzzedDataProvider& in) {
    const activation a = activation(in.ConsumeIntegralInRange<int>(0, 2));
    const std::size_t n = in.ConsumeIntegralInRange<std::size_t>(1, 67);
    auto x = fuzz::floats(in, n, true);
    for (float& v : x) v *= 20;  // reach the saturated tails
    const auto dy = fuzz::floats(in, n);
    std::vector<float> y(n), dx(n), y_ref(n), dx_ref(n);
    activation_forward(a, x.data(), y.data(), n);
    activation_backward(a, x.data(), y.data(), dy.data(), dx.data(), n);
    for (std::size_t i = 0; i < n; ++i) {
        const double v = x[i];
        double f = 0, d = 0;
        switch (a) {
            case activation::relu:
                f = v > 0 ? v : (std::isnan(v) ? v : 0);
                d = v > 0 ? 1 : 0;
                break;
            case activation::sigmoid:
                f = 1 / (1 + std::exp(-v));
                d = f * (1 - f);
                break;
            case activation::tanh:
                f = std::tanh(v);
                d = 1 - f * f;
                break;
        }
        y_ref[i] = float(f);
        dx_ref[i] = float(d * dy[i]);
        if (std::isnan(v)) dx_ref[i] = a == activation::relu ? 0.f : NAN;
    }
    fuzz::expect_close(y, y_ref, 2e-6, "activation y");
    // the backward pass is computed from the float forward output, as the layer stores it
    for (std::size_t i = 0; i < n; ++i)
        if (std::isnan(x[i])) dx[i] = dx_ref[i];  // NaN's derivative: either convention
    fuzz::expect_close(dx, dx_ref, 4e-6, "activation dx");
}

void fuzz_loss(FuzzedDataProvider& in) {
    const loss_kind kind = in.ConsumeBool() ? loss_kind::mse : loss_kind::softmax_cross_entropy;
    const std::size_t B = in.ConsumeIntegralInRange<std::size_t>(1, 8);
    const std::size_t K = in.ConsumeIntegralInRange<std::size_t>(1, 12);
    auto z = fuzz::floats(in, B * K);
    for (float& v : z) v *= 30;
    std::vector<std::int32_t> labels(B);
    bool valid = true;
    for (auto& l : labels) {
        l = in.ConsumeIntegralInRange<std::int32_t>(-1, std::int32_t(K));
        valid = valid && l >= 0 && l < std::int32_t(K);
    }
    std::vector<float> dz(B * K), dz_ref(B * K);
    loss_result r{};
    if (!fuzz::accepted(
            [&] { r = loss_forward_backward(kind, z.data(), labels.data(), B, K, dz.data()); })) {
        if (valid) std::abort();
        return;
    }
    if (!valid) std::abort();
    double total = 0;
    for (std::size_t n = 0; n < B; ++n) {
        const float* zn = z.data() + n * K;
        if (kind == loss_kind::mse) {
            for (std::size_t c = 0; c < K; ++c) {
                const double e = double(zn[c]) - (std::int32_t(c) == labels[n] ? 1 : 0);
                total += e * e;
                dz_ref[n * K + c] = float(2 * e / double(B * K));
            }
        } else {
            double m = zn[0], sum = 0;
            for (std::size_t c = 0; c < K; ++c) m = std::fmax(m, zn[c]);
            for (std::size_t c = 0; c < K; ++c) sum += std::exp(zn[c] - m);
            total += std::log(sum) + m - zn[labels[n]];
            for (std::size_t c = 0; c < K; ++c)
                dz_ref[n * K + c] =
                    float((std::exp(zn[c] - m) / sum - (std::int32_t(c) == labels[n] ? 1 : 0)) /
                          double(B));
        }
    }
    total /= kind == loss_kind::mse ? double(B * K) : double(B);
    if (!(std::fabs(r.loss - total) <= 1e-6 * std::fmax(1, std::fabs(total)))) std::abort();
    fuzz::expect_close(dz, dz_ref, 1e-6, "loss gradient");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider in(data, size);
    switch (in.ConsumeIntegralInRange<int>(0, 2)) {
        case 0:
            fuzz_dense(in);
            break;
        case 1:
            fuzz_activation(in);
            break;
        default:
            fuzz_loss(in);
            break;
    }
    return 0;
}
