// fuzz_pool2d.cpp: max and average pooling, forward and backward, fast against reference, on
// geometries decoded from the input (padding, dilation, ceil mode, count_include_pad, and now
// and then an extreme kernel, stride, padding or dilation), with NaN and infinities in the data.
// Max pooling must agree exactly (it only selects), the average to rounding.
#include "convlab/ops/pool2d.hpp"
#include "fuzz_common.hpp"

using namespace convlab;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider in(data, size);
    const int N = in.ConsumeIntegralInRange<int>(1, 2), C = in.ConsumeIntegralInRange<int>(1, 3);
    const int H = in.ConsumeIntegralInRange<int>(1, 12), W = in.ConsumeIntegralInRange<int>(1, 40);
    const int kh = fuzz::size_or_extreme(in, 1, 5), kw = fuzz::size_or_extreme(in, 1, 5);
    const int sh = fuzz::size_or_extreme(in, 1, 4), sw = fuzz::size_or_extreme(in, 1, 4);
    const int ph = fuzz::size_or_extreme(in, 0, 2), pw = fuzz::size_or_extreme(in, 0, 2);
    const int dh = fuzz::size_or_extreme(in, 1, 3), dw = fuzz::size_or_extreme(in, 1, 3);
    const bool ceil = in.ConsumeBool(), include = in.ConsumeBool();
    pool2d_geometry g;
    if (!fuzz::accepted([&] {
            g = make_pool2d_geometry(N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, ceil, include);
        }))
        return 0;
    const std::size_t nx = std::size_t(N) * C * H * W, ny = std::size_t(N) * C * g.Ho * g.Wo;
    if (ny > 100000) return 0;
    const auto x = fuzz::floats(in, nx, true);
    const auto dy = fuzz::floats(in, ny);
    std::vector<float> y(ny), y_ref(ny), dx(nx), dx_ref(nx);
    // the fast versions may refuse a workspace past the limits; the references never allocate
    // more than the input, so a refusal of the fast version is the only one allowed
    if (fuzz::accepted([&] { max_pool2d_forward(g, x.data(), y.data()); })) {
        max_pool2d_forward_ref(g, x.data(), y_ref.data());
        fuzz::expect_close(y, y_ref, 0, "max y");
        max_pool2d_backward(g, x.data(), dy.data(), dx.data());
        max_pool2d_backward_ref(g, x.data(), dy.data(), dx_ref.data());
        fuzz::expect_close(dx, dx_ref, fuzz::relative(dx_ref, 1e-6), "max dx");
    }
    const bool avg_ok = g.dilation_h == 1 && g.dilation_w == 1;
    if (!fuzz::accepted([&] { avg_pool2d_forward(g, x.data(), y.data()); })) {
        if (avg_ok) {
            // refused only for its workspace: the reference must still compute it
            avg_pool2d_forward_ref(g, x.data(), y_ref.data());
        }
        return 0;
    }
    if (!avg_ok) std::abort();  // a dilated average must be refused
    avg_pool2d_forward_ref(g, x.data(), y_ref.data());
    fuzz::expect_close(y, y_ref, fuzz::relative(y_ref, 1e-5), "avg y");
    avg_pool2d_backward(g, dy.data(), dx.data());
    avg_pool2d_backward_ref(g, dy.data(), dx_ref.data());
    fuzz::expect_close(dx, dx_ref, fuzz::relative(dx_ref, 1e-5), "avg dx");
    return 0;
}
