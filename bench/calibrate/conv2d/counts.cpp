// counts.cpp: prints the cost model's counted operations (core/src/ops/conv2d_cost.cpp, the one
// definition) for the shapes fit.py fits, so the fit and the model cannot drift apart. Reads
// lines "N C H W K R S stride pad" on stdin; prints per line and per (method, pass)
// "<method> <f|x|w> count..." (conv2d_cost_terms numbers). fit.py builds and runs it.
#include <cstdio>
#include <iostream>

#include "conv2d_cost.hpp"

using namespace convlab;

int main() {
    int N, C, H, W, K, R, S, s, p;
    while (std::cin >> N >> C >> H >> W >> K >> R >> S >> s >> p) {
        // as make_conv2d_geometry, whose checks the fitted shapes pass (it lives with the
        // methods' dispatch, which this tool does not link)
        const conv2d_geometry g{N, C, H, W, K, R, S, s, s, p, p, p, p,
                                (H + 2 * p - R) / s + 1, (W + 2 * p - S) / s + 1};
        const struct { conv2d_method id; const char* name; } methods[] = {
            {conv2d_method::direct, "direct"}, {conv2d_method::im2col, "im2col"},
            {conv2d_method::fft, "fft"}};
        for (const auto& m : methods) {
            const char* passes = "fxw";
            for (conv2d_pass pass : {conv2d_pass::forward, conv2d_pass::input, conv2d_pass::weight}) {
                std::printf("%s %c", m.name, passes[int(pass)]);
                for (double c : conv2d_cost_counts(g, m.id, pass)) std::printf(" %.17g", c);
                std::printf("\n");
            }
        }
    }
}
