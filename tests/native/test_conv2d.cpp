// test_conv2d.cpp: 2-D convolution, every method of the registry (and 'auto') against
// PyTorch's values (tests/fixtures/conv2d_torch.txt, from generate_conv2d.py) and against the
// plain-loop reference on edge shapes; the reference's gradients against double-precision
// central differences; the geometry's argument errors.
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "convlab/common.hpp"
#include "convlab/ops/conv2d.hpp"
#include "harness.hpp"

using namespace convlab;

namespace {

const std::vector<conv2d_method> all_methods = {
#define CONVLAB_CONV2D_VARIANT(id, name) conv2d_method::id,
#include "convlab/ops/conv2d_variants.inc"
#undef CONVLAB_CONV2D_VARIANT
    conv2d_method::automatic,
};

struct conv_case {
    const char* name;
    int N, C, H, W, K, R, S;
    int sh, sw;
    int pt, pl, pb, pr;
};

std::string describe(const conv_case& c) {
    std::ostringstream o;
    o << c.name << ": x (" << c.N << ", " << c.C << ", " << c.H << ", " << c.W << "), w (" << c.K
      << ", " << c.C << ", " << c.R << ", " << c.S << "), stride [" << c.sh << ", " << c.sw
      << "], padding top/left/bottom/right [" << c.pt << ", " << c.pl << ", " << c.pb << ", "
      << c.pr << "]";
    return o.str();
}

conv2d_geometry geometry(const conv_case& c) {
    return make_conv2d_geometry(c.N, c.C, c.H, c.W, c.K, c.C, c.R, c.S, c.sh, c.sw, c.pt, c.pl,
                                c.pb, c.pr);
}

std::size_t x_size(const conv2d_geometry& g) { return std::size_t(g.N) * g.C * g.H * g.W; }
std::size_t w_size(const conv2d_geometry& g) { return std::size_t(g.K) * g.C * g.R * g.S; }
std::size_t y_size(const conv2d_geometry& g) { return std::size_t(g.N) * g.K * g.Ho * g.Wo; }

// Shapes that hit the kernels' edges: SIMD width (4 in WebAssembly, 8 with AVX2, 16 with
// AVX-512) plus and minus one in W and channels, primes, strides, asymmetric padding, 1x1,
// kernel equal to the (padded) input, batches, K not a multiple of the register tile, and the
// four benchmark shapes (smaller batches).
const conv_case edge_cases[] = {
    {"lenet_c1_28x28_k6_5x5", 2, 1, 28, 28, 6, 5, 5, 1, 1, 0, 0, 0, 0},
    {"lenet_c1_same_padding_2", 1, 1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 2, 2},
    {"lenet_c3_6ch_14x14_k16", 2, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 0, 0},
    // a kernel covering the whole input ('auto' runs it as a dense layer), and two that do
    // not quite (one output pixel from a corner of the input; a padded input)
    {"lenet_c5_whole_input", 3, 16, 5, 5, 120, 5, 5, 1, 1, 0, 0, 0, 0},
    {"whole_input_rectangular_strided", 2, 3, 4, 6, 7, 4, 6, 2, 3, 0, 0, 0, 0},
    {"one_output_from_a_corner", 2, 3, 6, 6, 4, 5, 5, 3, 3, 0, 0, 0, 0},
    {"whole_padded_input", 2, 3, 3, 3, 4, 5, 5, 1, 1, 1, 1, 1, 1},
    {"resnet_64ch_same_3x3", 1, 64, 12, 12, 64, 3, 3, 1, 1, 1, 1, 1, 1},
    {"pointwise_256_to_64", 1, 256, 7, 7, 64, 1, 1, 1, 1, 0, 0, 0, 0},
    {"channels_3", 1, 3, 9, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1},
    {"channels_4", 1, 4, 9, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1},
    {"channels_5", 1, 5, 9, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1},
    {"channels_7", 1, 7, 8, 8, 7, 3, 3, 1, 1, 0, 0, 0, 0},
    {"channels_8", 1, 8, 8, 8, 8, 3, 3, 1, 1, 0, 0, 0, 0},
    {"channels_9", 1, 9, 8, 8, 9, 3, 3, 1, 1, 0, 0, 0, 0},
    {"width_3", 1, 2, 6, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1},
    {"width_5_output_3", 1, 2, 5, 5, 3, 3, 3, 1, 1, 0, 0, 0, 0},
    {"width_7_output_7", 1, 2, 5, 7, 3, 3, 3, 1, 1, 1, 1, 1, 1},
    {"width_9_output_9", 1, 2, 5, 9, 3, 3, 3, 1, 1, 1, 1, 1, 1},
    {"width_15_output_15", 1, 2, 4, 15, 3, 3, 3, 1, 1, 1, 1, 1, 1},
    {"width_17_output_17", 1, 2, 4, 17, 3, 3, 3, 1, 1, 1, 1, 1, 1},
    {"width_31_output_31", 1, 2, 4, 31, 3, 3, 3, 1, 1, 1, 1, 1, 1},
    {"width_33_output_33", 1, 2, 4, 33, 3, 3, 3, 1, 1, 1, 1, 1, 1},
    {"prime_13x17", 1, 3, 13, 17, 4, 3, 3, 1, 1, 0, 0, 0, 0},
    {"prime_31x31_kernel_5", 1, 2, 31, 31, 3, 5, 5, 1, 1, 2, 2, 2, 2},
    {"stride_2", 2, 3, 13, 13, 4, 3, 3, 2, 2, 1, 1, 1, 1},
    {"stride_3_remainder", 1, 3, 14, 17, 5, 4, 4, 3, 3, 0, 0, 0, 0},
    {"stride_per_axis_2_1", 1, 3, 11, 12, 4, 3, 3, 2, 1, 1, 1, 1, 1},
    {"stride_per_axis_1_2", 1, 3, 11, 12, 4, 3, 3, 1, 2, 1, 1, 1, 1},
    {"stride_larger_than_kernel", 1, 2, 12, 12, 3, 2, 2, 3, 3, 0, 0, 0, 0},
    {"same_even_kernel_4x4", 1, 3, 10, 11, 4, 4, 4, 1, 1, 1, 1, 2, 2},
    {"same_even_kernel_2x2", 2, 2, 9, 9, 3, 2, 2, 1, 1, 0, 0, 1, 1},
    {"padding_larger_than_kernel", 1, 2, 5, 6, 3, 3, 3, 1, 1, 3, 4, 3, 2},
    {"padding_only_left_top", 1, 2, 7, 7, 3, 3, 3, 1, 1, 2, 1, 0, 0},
    {"kernel_1x1", 2, 9, 5, 7, 5, 1, 1, 1, 1, 0, 0, 0, 0},
    {"kernel_1x1_stride_2", 1, 4, 9, 9, 3, 1, 1, 2, 2, 0, 0, 0, 0},
    {"kernel_1x1_padded", 1, 3, 4, 5, 2, 1, 1, 1, 1, 1, 1, 1, 1},
    {"kernel_equals_input", 2, 3, 5, 6, 4, 5, 6, 1, 1, 0, 0, 0, 0},
    {"kernel_equals_padded_input", 1, 2, 3, 4, 3, 5, 6, 1, 1, 1, 1, 1, 1},
    {"single_pixel_input", 1, 3, 1, 1, 2, 1, 1, 1, 1, 0, 0, 0, 0},
    {"out_channels_1", 1, 5, 6, 6, 1, 3, 3, 1, 1, 0, 0, 0, 0},
    {"out_channels_17", 1, 3, 6, 6, 17, 3, 3, 1, 1, 1, 1, 1, 1},
    {"out_channels_13_kernel_7", 1, 2, 16, 16, 13, 7, 7, 1, 1, 3, 3, 3, 3},
    {"batch_5", 5, 2, 6, 7, 3, 3, 3, 1, 1, 1, 1, 1, 1},
    {"rectangular_kernel_1x5", 1, 3, 6, 20, 4, 1, 5, 1, 1, 0, 2, 0, 2},
    {"rectangular_kernel_5x1", 1, 3, 20, 6, 4, 5, 1, 1, 1, 2, 0, 2, 0},
    {"stride_2_asymmetric_padding", 2, 3, 10, 9, 5, 3, 4, 2, 2, 0, 1, 1, 2},
    {"big_kernel_11x11", 1, 2, 24, 24, 3, 11, 11, 1, 1, 5, 5, 5, 5},
};

struct conv_data {
    std::vector<float> x, w, b, dy;
};

conv_data make_conv_data(const conv2d_geometry& g, std::uint64_t seed) {
    return {harness::random_vector(x_size(g), seed), harness::random_vector(w_size(g), seed + 1),
            harness::random_vector(g.K, seed + 2), harness::random_vector(y_size(g), seed + 3)};
}

}  // namespace

TEST_CASE("conv2d method names: the registry round-trips and 'auto' is accepted") {
#define CONVLAB_CONV2D_VARIANT(id, name)                                   \
    CHECK(conv2d_method_from_name(name) == conv2d_method::id);             \
    CHECK(std::string(conv2d_method_name(conv2d_method::id)) == name);
#include "convlab/ops/conv2d_variants.inc"
#undef CONVLAB_CONV2D_VARIANT
    CHECK(conv2d_method_from_name("auto") == conv2d_method::automatic);
    CHECK(std::string(conv2d_method_name(conv2d_method::automatic)) == "auto");
    try {
        conv2d_method_from_name("winograd");
        FAIL("expected an error");
    } catch (const convlab::invalid_argument& e) {
        CHECK(e.argument() == "method");
        CHECK(std::string(e.what()).find("'im2col'") != std::string::npos);
        CHECK(std::string(e.what()).find("winograd") != std::string::npos);
    }
}

TEST_CASE("conv2d geometry: output sizes follow PyTorch's floor formula") {
    const auto g = make_conv2d_geometry(2, 3, 14, 17, 5, 3, 4, 4, 3, 2, 1, 0, 2, 1);
    CHECK(g.Ho == (14 + 1 + 2 - 4) / 3 + 1);
    CHECK(g.Wo == (17 + 0 + 1 - 4) / 2 + 1);
    const auto same = same_padding(4);
    CHECK(same.before == 1);
    CHECK(same.after == 2);
    const auto odd = same_padding(5);
    CHECK(odd.before == 2);
    CHECK(odd.after == 2);
}

TEST_CASE("conv2d geometry: every invalid argument is named") {
    struct bad {
        const char* what;
        int N, C, H, W, K, Cw, R, S, sh, sw, pt, pl, pb, pr;
        const char* argument;
        const char* message_part;
    };
    const bad cases[] = {
        {"zero batch", 0, 3, 8, 8, 4, 3, 3, 3, 1, 1, 0, 0, 0, 0, "xShape", "positive"},
        {"negative height", 1, 3, -8, 8, 4, 3, 3, 3, 1, 1, 0, 0, 0, 0, "xShape", "positive"},
        {"zero out channels", 1, 3, 8, 8, 0, 3, 3, 3, 1, 1, 0, 0, 0, 0, "wShape", "positive"},
        {"zero kernel width", 1, 3, 8, 8, 4, 3, 3, 0, 1, 1, 0, 0, 0, 0, "wShape", "positive"},
        {"channel mismatch", 1, 3, 8, 8, 4, 4, 3, 3, 1, 1, 0, 0, 0, 0, "wShape",
         "expected 3 input channels to match xShape[1], got 4"},
        {"zero stride", 1, 3, 8, 8, 4, 3, 3, 3, 0, 1, 0, 0, 0, 0, "stride", "positive"},
        {"negative stride", 1, 3, 8, 8, 4, 3, 3, 3, 1, -2, 0, 0, 0, 0, "stride", "positive"},
        {"negative padding", 1, 3, 8, 8, 4, 3, 3, 3, 1, 1, 0, -1, 0, 0, "padding", "non-negative"},
        {"kernel taller than input", 1, 3, 4, 8, 4, 3, 5, 3, 1, 1, 0, 0, 0, 0, "wShape",
         "kernel larger than the padded input"},
        {"kernel wider than padded input", 1, 3, 8, 4, 4, 3, 3, 7, 1, 1, 0, 1, 0, 1, "wShape",
         "kernel larger than the padded input"},
        {"too many elements", 65536, 65536, 2, 2, 4, 65536, 1, 1, 1, 1, 0, 0, 0, 0, "xShape",
         "too many"},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        try {
            make_conv2d_geometry(c.N, c.C, c.H, c.W, c.K, c.Cw, c.R, c.S, c.sh, c.sw, c.pt, c.pl,
                                 c.pb, c.pr);
            FAIL("expected an error");
        } catch (const convlab::invalid_argument& e) {
            INFO(e.what());
            CHECK(e.argument() == c.argument);
            CHECK(std::string(e.what()).find(c.message_part) != std::string::npos);
        }
    }
}

TEST_CASE("conv2d geometry: a kernel exactly the size of the padded input is accepted") {
    const auto g = make_conv2d_geometry(1, 2, 3, 4, 3, 2, 5, 6, 1, 1, 1, 1, 1, 1);
    CHECK(g.Ho == 1);
    CHECK(g.Wo == 1);
}

TEST_CASE("conv2d: every method matches PyTorch's forward and autograd gradients") {
    const auto cases = harness::load_fixtures("conv2d_torch.txt");
    REQUIRE(cases.size() >= 20);
    for (const auto& f : cases) {
        std::string name;
        for (const auto& [key, values] : f)
            if (key.rfind("name ", 0) == 0) name = key.substr(5);
        const auto& s = f.at("shape");
        REQUIRE(s.size() == 13);
        const conv_case c{name.c_str(), int(s[0]), int(s[1]), int(s[2]),  int(s[3]), int(s[4]),
                          int(s[5]),    int(s[6]), int(s[7]), int(s[8]),  int(s[9]), int(s[10]),
                          int(s[11]),   int(s[12])};
        const auto g = geometry(c);
        const auto x = harness::as_float(f.at("x")), w = harness::as_float(f.at("w")),
                   b = harness::as_float(f.at("b")), dy = harness::as_float(f.at("dy"));
        const auto y_want = harness::as_float(f.at("y")), dx_want = harness::as_float(f.at("dx")),
                   dw_want = harness::as_float(f.at("dw")),
                   db_want = harness::as_float(f.at("db"));
        REQUIRE(y_want.size() == y_size(g));
        for (conv2d_method m : all_methods) {
            const std::string what = describe(c) + ", method " + conv2d_method_name(m);
            std::vector<float> y(y_size(g)), dx(x_size(g)), dw(w_size(g)), db(g.K);
            conv2d_forward(g, x.data(), w.data(), b.data(), y.data(), m);
            harness::check_close(y, y_want, 1e-4, what + ", y");
            conv2d_backward(g, x.data(), w.data(), dy.data(), dx.data(), dw.data(), db.data(), m);
            harness::check_close(dx, dx_want, 1e-4, what + ", dx");
            harness::check_close(dw, dw_want, 1e-4, what + ", dw");
            harness::check_close(db, db_want, 1e-4, what + ", db");
        }
        {  // the references too: they are what the edge-shape tests below trust
            const std::string what = describe(c) + ", reference";
            std::vector<float> y(y_size(g)), dx(x_size(g)), dw(w_size(g)), db(g.K);
            conv2d_forward_ref(g, x.data(), w.data(), b.data(), y.data());
            harness::check_close(y, y_want, 1e-5, what + ", y");
            conv2d_backward_ref(g, x.data(), w.data(), dy.data(), dx.data(), dw.data(), db.data());
            harness::check_close(dx, dx_want, 1e-5, what + ", dx");
            harness::check_close(dw, dw_want, 1e-5, what + ", dw");
            harness::check_close(db, db_want, 1e-5, what + ", db");
        }
    }
}

TEST_CASE("conv2d: every method matches the reference on edge shapes") {
    std::uint64_t seed = 100;
    for (const auto& c : edge_cases) {
        const auto g = geometry(c);
        const auto d = make_conv_data(g, seed += 10);
        std::vector<float> y_ref(y_size(g)), dx_ref(x_size(g)), dw_ref(w_size(g)), db_ref(g.K);
        conv2d_forward_ref(g, d.x.data(), d.w.data(), d.b.data(), y_ref.data());
        conv2d_backward_ref(g, d.x.data(), d.w.data(), d.dy.data(), dx_ref.data(), dw_ref.data(),
                            db_ref.data());
        for (conv2d_method m : all_methods) {
            const std::string what = describe(c) + ", method " + conv2d_method_name(m);
            // NaN-filled outputs: a method must overwrite every element
            std::vector<float> y(y_size(g), NAN), dx(x_size(g), NAN), dw(w_size(g), NAN),
                db(g.K, NAN);
            conv2d_forward(g, d.x.data(), d.w.data(), d.b.data(), y.data(), m);
            harness::check_close(y, y_ref, 1e-4, what + ", y");
            conv2d_backward(g, d.x.data(), d.w.data(), d.dy.data(), dx.data(), dw.data(),
                            db.data(), m);
            harness::check_close(dx, dx_ref, 1e-4, what + ", dx");
            harness::check_close(dw, dw_ref, 1e-4, what + ", dw");
            harness::check_close(db, db_ref, 1e-4, what + ", db");
            // no bias, and each gradient on its own (the others nullptr)
            std::vector<float> y_nobias(y_size(g), NAN), y_ref_nobias(y_size(g));
            conv2d_forward_ref(g, d.x.data(), d.w.data(), nullptr, y_ref_nobias.data());
            conv2d_forward(g, d.x.data(), d.w.data(), nullptr, y_nobias.data(), m);
            harness::check_close(y_nobias, y_ref_nobias, 1e-4, what + ", y without bias");
            std::vector<float> dx_only(x_size(g), NAN), dw_only(w_size(g), NAN);
            conv2d_backward(g, d.x.data(), d.w.data(), d.dy.data(), dx_only.data(), nullptr,
                            nullptr, m);
            harness::check_close(dx_only, dx_ref, 1e-4, what + ", dx alone");
            conv2d_backward(g, d.x.data(), d.w.data(), d.dy.data(), nullptr, dw_only.data(),
                            nullptr, m);
            harness::check_close(dw_only, dw_ref, 1e-4, what + ", dw alone");
        }
    }
}

TEST_CASE("conv2d: methods handle a call after a larger one (reused workspace)") {
    const conv_case big{"big", 2, 8, 20, 20, 8, 5, 5, 1, 1, 2, 2, 2, 2};
    const conv_case small{"small_after_big", 1, 2, 6, 5, 3, 3, 3, 2, 1, 1, 0, 0, 1};
    for (conv2d_method m : all_methods)
        for (const auto& c : {big, small, big}) {
            const auto g = geometry(c);
            const auto d = make_conv_data(g, 7);
            std::vector<float> y(y_size(g)), y_ref(y_size(g));
            conv2d_forward_ref(g, d.x.data(), d.w.data(), d.b.data(), y_ref.data());
            conv2d_forward(g, d.x.data(), d.w.data(), d.b.data(), y.data(), m);
            harness::check_close(y, y_ref, 1e-4, describe(c) + ", method " + conv2d_method_name(m));
        }
}

TEST_CASE("conv2d fft: results do not depend on how spectra are chunked") {
    // A budget of one spectrum (P Q complex values) forces one channel per chunk, and odd
    // channel counts leave a lone transform at the end of each pairing.
    const conv_case cases[] = {
        {"fft_chunked_odd_channels", 2, 3, 7, 6, 5, 3, 2, 1, 1, 1, 0, 1, 1},
        {"fft_chunked_stride_2", 1, 2, 9, 9, 3, 3, 3, 2, 2, 1, 1, 1, 1},
    };
    for (std::size_t budget : {std::size_t(1), std::size_t(3 * 2 * 16 * 8)})
        for (const auto& c : cases) {
            const std::string what = describe(c) + ", chunk budget " + std::to_string(budget);
            const auto g = geometry(c);
            const auto d = make_conv_data(g, 3);
            std::vector<float> y_ref(y_size(g)), dx_ref(x_size(g)), dw_ref(w_size(g)), db_ref(g.K);
            conv2d_forward_ref(g, d.x.data(), d.w.data(), d.b.data(), y_ref.data());
            conv2d_backward_ref(g, d.x.data(), d.w.data(), d.dy.data(), dx_ref.data(),
                                dw_ref.data(), db_ref.data());
            const std::size_t old = conv2d_fft_set_chunk_budget(budget);
            std::vector<float> y(y_size(g), NAN), dx(x_size(g), NAN), dw(w_size(g), NAN), db(g.K);
            conv2d_fft_forward(g, d.x.data(), d.w.data(), d.b.data(), y.data());
            conv2d_fft_backward(g, d.x.data(), d.w.data(), d.dy.data(), dx.data(), dw.data(),
                                db.data());
            conv2d_fft_set_chunk_budget(old);
            harness::check_close(y, y_ref, 1e-4, what + ", y");
            harness::check_close(dx, dx_ref, 1e-4, what + ", dx");
            harness::check_close(dw, dw_ref, 1e-4, what + ", dw");
        }
}

namespace {

// The loss L = sum_{n,k,i,j} g[n,k,i,j] y[n,k,i,j] in double, y from the definition (2.20)
// evaluated in double: its gradient with respect to x, w, b is conv2d_backward with dy = g.
double weighted_output(const conv2d_geometry& g, const std::vector<float>& x,
                       const std::vector<float>& w, const std::vector<float>& b,
                       const std::vector<float>& weights) {
    double total = 0;
    for (int n = 0; n < g.N; ++n)
        for (int k = 0; k < g.K; ++k)
            for (int i = 0; i < g.Ho; ++i)
                for (int j = 0; j < g.Wo; ++j) {
                    double y = b[k];
                    for (int c = 0; c < g.C; ++c)
                        for (int r = 0; r < g.R; ++r)
                            for (int s = 0; s < g.S; ++s) {
                                const int h = i * g.stride_h + r - g.pad_top;
                                const int v = j * g.stride_w + s - g.pad_left;
                                if (h < 0 || h >= g.H || v < 0 || v >= g.W) continue;
                                y += double(w[((k * g.C + c) * g.R + r) * g.S + s]) *
                                     x[((n * g.C + c) * g.H + h) * g.W + v];
                            }
                    total += weights[((n * g.K + k) * g.Ho + i) * g.Wo + j] * y;
                }
    return total;
}

}  // namespace

TEST_CASE("conv2d gradients: every method against double-precision central differences") {
    // The loss is linear in each argument, so central differences are exact up to rounding;
    // eps is per case only to keep the perturbation visible in float parameters.
    struct grad_case {
        conv_case c;
        float eps;
    };
    const grad_case cases[] = {
        {{"gradcheck_padded_3x3", 2, 2, 5, 6, 3, 3, 3, 1, 1, 1, 1, 1, 1}, 1e-2f},
        {{"gradcheck_stride_2_asymmetric_padding", 1, 3, 7, 6, 2, 3, 2, 2, 2, 1, 0, 0, 1}, 1e-2f},
        {{"gradcheck_stride_per_axis_1_3", 1, 2, 5, 9, 2, 2, 3, 1, 3, 0, 1, 1, 0}, 1e-2f},
        {{"gradcheck_1x1", 2, 3, 3, 4, 2, 1, 1, 1, 1, 0, 0, 0, 0}, 1e-2f},
    };
    for (const auto& gc : cases) {
        const auto g = geometry(gc.c);
        auto d = make_conv_data(g, 31);
        const auto weights = d.dy;
        auto loss = [&] { return weighted_output(g, d.x, d.w, d.b, weights); };
        const auto dx_num = harness::numeric_gradient(d.x, loss, gc.eps);
        const auto dw_num = harness::numeric_gradient(d.w, loss, gc.eps);
        const auto db_num = harness::numeric_gradient(d.b, loss, gc.eps);
        auto as_f = [](const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); };
        for (conv2d_method m : all_methods) {
            const std::string what = describe(gc.c) + ", method " + conv2d_method_name(m) +
                                     ", eps " + std::to_string(gc.eps);
            std::vector<float> dx(x_size(g)), dw(w_size(g)), db(g.K);
            conv2d_backward(g, d.x.data(), d.w.data(), weights.data(), dx.data(), dw.data(),
                            db.data(), m);
            harness::check_close(dx, as_f(dx_num), 1e-4, what + ", dx");
            harness::check_close(dw, as_f(dw_num), 1e-4, what + ", dw");
            harness::check_close(db, as_f(db_num), 1e-4, what + ", db");
        }
    }
}

TEST_CASE("conv2d auto: picks a real method for the benchmark shapes and tiny ones") {
    const conv_case shapes[] = {
        {"A_lenet_c1", 64, 1, 28, 28, 6, 5, 5, 1, 1, 0, 0, 0, 0},
        {"B_lenet_c3", 64, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 0, 0},
        {"C_resnet_3x3_same", 8, 64, 32, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1},
        {"D_pointwise", 8, 256, 14, 14, 64, 1, 1, 1, 1, 0, 0, 0, 0},
        {"tiny", 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},
        {"big_kernel", 1, 1, 64, 64, 1, 31, 31, 1, 1, 0, 0, 0, 0},
    };
    int split = 0;
    for (const auto& c : shapes) {
        INFO(describe(c));
        const auto m = conv2d_auto_method(geometry(c));
        CHECK(m != conv2d_method::automatic);
        const auto b = conv2d_auto_backward_methods(geometry(c));
        CHECK(b.input != conv2d_method::automatic);
        CHECK(b.weight != conv2d_method::automatic);
        split += b.input != b.weight;
    }
    // A pointwise convolution is a plain GEMM: always im2col (which then skips im2col).
    const auto pointwise = geometry(shapes[3]);
    CHECK(conv2d_auto_method(pointwise) == conv2d_method::im2col);
    CHECK(conv2d_auto_backward_methods(pointwise).input == conv2d_method::im2col);
    CHECK(conv2d_auto_backward_methods(pointwise).weight == conv2d_method::im2col);
    // Coverage guard: 'auto' backward must run its two-method path somewhere in this suite
    // (the edge-shape test compares 'auto' against the reference on every shape).
    for (const auto& c : edge_cases) {
        const auto b = conv2d_auto_backward_methods(geometry(c));
        split += b.input != b.weight;
    }
    CHECK_MESSAGE(split > 0, "no shape has different input and weight gradient methods");
}
