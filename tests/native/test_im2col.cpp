// test_im2col.cpp: window extraction. im2col against a hand-written example and against the
// plain loops on edge shapes (row ranges included); col2im against the plain loops and as
// im2col's adjoint: <im2col(x), c> == <x, col2im(c)> in double.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "convlab/ops/conv2d.hpp"
#include "convlab/ops/im2col.hpp"
#include "convlab/ops/pool2d.hpp"
#include "harness.hpp"

using namespace convlab;

namespace {

std::string describe(const window_geometry& g) {
    std::ostringstream o;
    o << "x (" << g.C << ", " << g.H << ", " << g.W << "), window " << g.R << "x" << g.S
      << ", stride [" << g.stride_h << ", " << g.stride_w << "], pad top/left [" << g.pad_top
      << ", " << g.pad_left << "], output " << g.Ho << "x" << g.Wo;
    return o.str();
}

window_geometry windows(int C, int H, int W, int R, int S, int sh, int sw, int pt, int pl,
                        int pb, int pr) {
    return window_geometry_of(make_conv2d_geometry(1, C, H, W, 1, C, R, S, sh, sw, pt, pl, pb, pr));
}

struct named {
    const char* name;
    window_geometry g;
};

const named edge_windows[] = {
    {"3x3_valid", windows(2, 5, 6, 3, 3, 1, 1, 0, 0, 0, 0)},
    {"3x3_same", windows(3, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1)},
    {"5x5_pad_2_width_17", windows(1, 4, 17, 5, 5, 1, 1, 2, 2, 2, 2)},
    {"stride_2_padded", windows(2, 9, 11, 3, 3, 2, 2, 1, 1, 1, 1)},
    {"stride_3_asymmetric", windows(1, 10, 13, 4, 2, 3, 3, 0, 1, 2, 0)},
    {"stride_per_axis_1_2", windows(2, 6, 9, 2, 3, 1, 2, 1, 0, 0, 1)},
    {"padding_larger_than_window", windows(1, 3, 4, 2, 2, 1, 1, 3, 3, 3, 3)},
    {"window_equals_padded_input", windows(2, 3, 4, 5, 6, 1, 1, 1, 1, 1, 1)},
    {"1x1_stride_2", windows(3, 7, 7, 1, 1, 2, 2, 0, 0, 0, 0)},
    // output rows as long as input rows: the one-long-copy path, with asymmetric padding, rows
    // wholly in the padding, and LeNet-5's C1
    {"same_width_asymmetric", windows(2, 6, 8, 3, 4, 1, 1, 2, 1, 0, 2)},
    {"same_width_rows_in_padding", windows(1, 3, 5, 5, 3, 1, 1, 3, 1, 1, 1)},
    {"lenet_c1", windows(1, 28, 28, 5, 5, 1, 1, 2, 2, 2, 2)},
    // every window inside the image: the short-copy path, with rows of whole SIMD batches, a
    // last batch overlapping the one before (LeNet-5's C3: rows of 10), and rows under a batch
    {"lenet_c3", windows(6, 14, 14, 5, 5, 1, 1, 0, 0, 0, 0)},
    {"valid_rows_of_5", windows(2, 6, 7, 2, 3, 1, 1, 0, 0, 0, 0)},
    {"valid_rows_of_3", windows(1, 5, 6, 4, 4, 1, 1, 0, 0, 0, 0)},
    {"padded_below_only", windows(2, 6, 7, 3, 3, 1, 1, 0, 0, 2, 1)},
};

}  // namespace

TEST_CASE("im2col: a hand-written 3x3 image with 2x2 windows and padding 1 on the left") {
    // x = 1 2 3 / 4 5 6 / 7 8 9, windows 2x2, stride 1, padding left 1: Ho = 2, Wo = 3.
    const auto g = windows(1, 3, 3, 2, 2, 1, 1, 0, 1, 0, 0);
    REQUIRE(g.Ho == 2);
    REQUIRE(g.Wo == 3);
    const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    // row (r, s); columns (i, j): x[i + r][j + s - 1]
    const std::vector<float> want = {
        0, 1, 2, 0, 4, 5,  // r 0 s 0
        1, 2, 3, 4, 5, 6,  // r 0 s 1
        0, 4, 5, 0, 7, 8,  // r 1 s 0
        4, 5, 6, 7, 8, 9,  // r 1 s 1
    };
    std::vector<float> cols(g.rows() * g.cols(), NAN);
    im2col(g, x.data(), cols.data());
    CHECK(cols == want);
    // col2im of all ones counts how many windows read each pixel
    std::vector<float> ones(cols.size(), 1.f), counts(9, NAN);
    col2im(g, ones.data(), counts.data());
    const std::vector<float> want_counts = {2, 2, 1, 4, 4, 2, 2, 2, 1};
    CHECK(counts == want_counts);
}

TEST_CASE("im2col and col2im: fast versions equal the plain loops on edge shapes") {
    std::uint64_t seed = 5;
    for (const named& e : edge_windows) {
        // Not a structured binding: C++17 clang (Emscripten) cannot capture one in INFO.
        const char* name = e.name;
        const window_geometry& g = e.g;
        INFO(name << ": " << describe(g));
        const auto x = harness::random_vector(std::size_t(g.C) * g.H * g.W, ++seed);
        std::vector<float> cols(g.rows() * g.cols(), NAN), cols_ref(g.rows() * g.cols());
        im2col(g, x.data(), cols.data());
        im2col_ref(g, x.data(), cols_ref.data());
        CHECK(cols == cols_ref);

        const auto c = harness::random_vector(g.rows() * g.cols(), ++seed);
        std::vector<float> back(x.size(), NAN), back_ref(x.size());
        col2im(g, c.data(), back.data());
        col2im_ref(g, c.data(), back_ref.data());
        harness::check_close(back, back_ref, 1e-6, std::string(name) + ", col2im");

        // row ranges: every split of the output rows gives the same columns and sums
        for (int i0 = 0; i0 < g.Ho; ++i0)
            for (int i1 = i0 + 1; i1 <= g.Ho; ++i1) {
                INFO("rows [" << i0 << ", " << i1 << ")");
                const std::size_t n = std::size_t(i1 - i0) * g.Wo;
                std::vector<float> part(g.rows() * n, NAN);
                im2col_rows(g, x.data(), i0, i1, part.data());
                bool same = true;
                for (std::size_t row = 0; row < g.rows(); ++row)
                    for (std::size_t p = 0; p < n; ++p)
                        same = same && part[row * n + p] ==
                                           cols_ref[row * g.cols() + std::size_t(i0) * g.Wo + p];
                CHECK(same);
            }
        std::vector<float> summed(x.size(), 0.f);
        for (int i0 = 0; i0 < g.Ho; i0 += 2) {
            const int i1 = std::min(g.Ho, i0 + 2);
            const std::size_t n = std::size_t(i1 - i0) * g.Wo;
            std::vector<float> part(g.rows() * n);
            for (std::size_t row = 0; row < g.rows(); ++row)
                for (std::size_t p = 0; p < n; ++p)
                    part[row * n + p] = c[row * g.cols() + std::size_t(i0) * g.Wo + p];
            col2im_rows_add(g, part.data(), i0, i1, summed.data());
        }
        harness::check_close(summed, back_ref, 1e-6, std::string(name) + ", col2im by row pairs");
    }
}

TEST_CASE("col2im is the adjoint of im2col") {
    std::uint64_t seed = 50;
    for (const named& e : edge_windows) {
        // Not a structured binding: C++17 clang (Emscripten) cannot capture one in INFO.
        const char* name = e.name;
        const window_geometry& g = e.g;
        INFO(name << ": " << describe(g));
        const auto x = harness::random_vector(std::size_t(g.C) * g.H * g.W, ++seed);
        const auto c = harness::random_vector(g.rows() * g.cols(), ++seed);
        std::vector<float> cols(c.size()), back(x.size());
        im2col(g, x.data(), cols.data());
        col2im(g, c.data(), back.data());
        double left = 0, right = 0, scale = 0;
        for (std::size_t i = 0; i < c.size(); ++i) {
            left += double(cols[i]) * c[i];
            scale += std::fabs(double(cols[i]) * c[i]);
        }
        for (std::size_t i = 0; i < x.size(); ++i) right += double(x[i]) * back[i];
        CHECK(std::fabs(left - right) <= 1e-5 * (scale + 1));
    }
}

TEST_CASE("im2col of pooling windows: each column's maximum is the max-pooling output") {
    // pooling as a reduction over window-extraction rows (the form lessons show)
    const auto g = make_pool2d_geometry(1, 1, 9, 11, 3, 2, 2, 3);
    const auto wg = window_geometry_of(g);
    CHECK(wg.C == 1);
    CHECK(wg.rows() == 6);
    CHECK(wg.cols() == std::size_t(g.Ho) * g.Wo);
    const auto x = harness::random_vector(std::size_t(g.H) * g.W, 99);
    std::vector<float> cols(wg.rows() * wg.cols()), y(wg.cols()), by_cols(wg.cols(), -INFINITY);
    im2col(wg, x.data(), cols.data());
    max_pool2d_forward_ref(g, x.data(), y.data());
    for (std::size_t r = 0; r < wg.rows(); ++r)
        for (std::size_t p = 0; p < wg.cols(); ++p) by_cols[p] = std::max(by_cols[p], cols[r * wg.cols() + p]);
    CHECK(by_cols == y);
}
