#!/usr/bin/python3
"""Computes the numeric answers of the lesson exercises (lessons/NN-*.md, ```exercise blocks).

Run with /usr/bin/python3 (numpy, torch): `/usr/bin/python3 lessons/assets/exercise_answers.py >
lessons/assets/exercise_answers.txt`. Each line prints the lesson number, the exercise id and its
value; the lessons' "answer" fields were copied from this output, never guessed, and
tests/browser/lessons-widgets.test.mjs checks them against the committed .txt (CI has no torch). It leaves out the
non-numeric exercises, whose solutions are worked in the lesson text. A few lines check figures
the lesson text quotes (AlexNet's and VGG's parameter counts) rather than exercises; the LeNet
layer shapes go to stderr so that stdout is exactly the .txt.
"""
import math
import sys
import numpy as np
import torch

def out(name, v):
    print(f"{name:28s} {float(v):.6f}")

# 01 gradient descent: R(theta) = (theta1 - 1)^2 + 2 theta2^2 from (3, 1), eta = 0.1
th = torch.tensor([3.0, 1.0], requires_grad=True)
R = (th[0] - 1) ** 2 + 2 * th[1] ** 2
R.backward()
new = th.detach() - 0.1 * th.grad
out("01 gd-step-theta1", new[0]); out("01 gd-step-theta2", new[1])
# largest stable step: Hessian diag(2, 4); GD converges iff eta < 2 / lambda_max
out("01 gd-eta-max", 2 / 4)
out("01 updates-per-epoch", 60000 / 100)

# 02 chain rule: G(x) = (x1 x2, x1 + x2), H(z) = (z1^2 + z2, sin z1), x0 = (1, 2)
def F(x):
    g = torch.stack([x[0] * x[1], x[0] + x[1]])
    return torch.stack([g[0] ** 2 + g[1], torch.sin(g[0])])
J = torch.autograd.functional.jacobian(F, torch.tensor([1.0, 2.0], dtype=torch.float64))
out("02 jac-12", J[0, 1]); out("02 jac-21", J[1, 0])
# backprop: y = w2 relu(w1 x), R = (y - t)^2 / 2, x = 2, w1 = 0.5, w2 = -3, t = 1
w1 = torch.tensor(0.5, requires_grad=True); w2 = torch.tensor(-3.0, requires_grad=True)
y = w2 * torch.relu(w1 * 2.0); R = (y - 1.0) ** 2 / 2; R.backward()
out("02 backprop-w1", w1.grad); out("02 backprop-w2", w2.grad)
# the input gradient of the same network: x as a leaf
xg = torch.tensor(2.0, requires_grad=True)
R = (-3.0 * torch.relu(0.5 * xg) - 1.0) ** 2 / 2; R.backward()
out("02 backprop-x", xg.grad)

# 03 Fourier: F of exp(-pi t^2) at u = 1; box on [-1/2, 1/2] at u = 1/2; Riemann sum step 1
out("03 gauss-ft-1", math.exp(-math.pi))
t = np.linspace(-0.5, 0.5, 2000001)
box = np.trapz(np.cos(2 * np.pi * t * 0.5), t)
out("03 box-ft-half", box)
out("03 riemann-step1", sum(math.exp(-math.pi * k * k) for k in range(-50, 51)))
# scaling: g(t) = f(2t) = exp(-4 pi t^2), transform at u = 1 by numerical integration
tg = np.linspace(-6, 6, 1200001)
out("03 scaled-gauss-ft-1", np.trapz(np.exp(-4 * np.pi * tg ** 2) * np.cos(2 * np.pi * tg), tg))

# 04 box * box at u = 1.5 (numerical integral)
dt = 1e-5
tt = np.arange(-2, 4, dt)
f = ((tt >= 0) & (tt <= 1)).astype(float)
u = 1.5
hshift = (((u - tt) >= 0) & ((u - tt) <= 1)).astype(float)
out("04 box-box-1.5", np.sum(f * hshift) * dt)
us = np.arange(0, 2.0001, 0.01)
tri = [np.sum(f * (((u - tt) >= 0) & ((u - tt) <= 1))) * dt for u in us]
out("04 box-box-max", us[int(np.argmax(tri))])

# 05 Gaussian kernel (2.8)
h = np.array([1, 4, 6, 4, 1]) / 16
ts = np.arange(-10, 11)
fq = ts.astype(float) ** 2
c = np.convolve(fq, h, mode="same")  # centred: same-length output aligned with ts
out("05 gauss-t2-at3", c[list(ts).index(3)])
imp = np.zeros(9); imp[4] = 16
out("05 impulse-at-u+1", np.convolve(imp, h, mode="same")[5])
out("05 kernel-variance", np.sum(h * np.arange(-2, 3) ** 2))
hh = np.convolve(h, h)  # nine taps on [-4, 4]
out("05 gauss-self-variance", np.sum(hh * np.arange(-4, 5) ** 2))
fs = np.array([0, 0, 1, 3, 2, 5, 4, 4, 1, 0, 0], dtype=float)
out("05 slide-u5", np.convolve(fs, h, mode="same")[5])

# 06 correlation vs convolution, f[0..3] = 1,2,3,4 and h[0..2] = 1,0,-1
f6 = np.array([1.0, 2, 3, 4]); h6 = np.array([1.0, 0, -1])
corr = np.correlate(f6, h6, mode="full")  # index k = lag u + (len(h)-1)
out("06 corr-u1", corr[1 + len(h6) - 1])
out("06 conv-u3", np.convolve(f6, h6, mode="full")[3])

# 07 Toeplitz counts
n, m = 6, 3
H = np.zeros((n + m - 1, n))
for j in range(n):
    H[j:j + m, j] = [1, 2, 3]
out("07 nonzeros-6-3", np.count_nonzero(H)); out("07 fraction-6-3", np.count_nonzero(H) / H.size)
out("07 dense-weights-100-5", (100 + 5 - 1) * 100)
# eigenvalue of the circulant with first column c on the alternating vector (DFT index 2)
c7 = np.array([4.0, 1, 0, 2])
C = np.array([[c7[(i - j) % 4] for j in range(4)] for i in range(4)])
v = np.array([1.0, -1, 1, -1])
assert np.allclose(C @ v, (C @ v)[0] * v)
out("07 circulant-eig", (C @ v)[0]); assert abs(np.fft.fft(c7)[2] - (C @ v)[0]) < 1e-12

# 08 2-D output sizes with torch
x = torch.zeros(1, 1, 28, 28)
out("08 valid-5x5", torch.nn.functional.conv2d(x, torch.zeros(1, 1, 5, 5)).shape[-1])
out("08 stride2-pad1-3x3", torch.nn.functional.conv2d(x, torch.zeros(1, 1, 3, 3), stride=2, padding=1).shape[-1])
# receptive field of 3 stacked 3x3 convs: backprop a one-hot through ones-kernels
xi = torch.zeros(1, 1, 15, 15, requires_grad=True)
yv = xi
for _ in range(3):
    yv = torch.nn.functional.conv2d(yv, torch.ones(1, 1, 3, 3))
g = torch.zeros_like(yv); g[0, 0, 4, 4] = 1; yv.backward(g)
nz = (xi.grad[0, 0] != 0).nonzero()
out("08 rf-three-3x3", nz[:, 0].max() - nz[:, 0].min() + 1)
out("08 rf-center-paths", xi.grad.max())
# dilation 2, 3x3 kernel, stride 1: the padding that keeps 28x28
out("08 dilated-pad", [p for p in range(6) if torch.nn.functional.conv2d(x, torch.zeros(1, 1, 3, 3), padding=p, dilation=2).shape[-1] == 28][0])
# receptive field of three 3x3 convs, each with stride 2
xs = torch.zeros(1, 1, 64, 64, requires_grad=True)
ys = xs
for _ in range(3):
    ys = torch.nn.functional.conv2d(ys, torch.ones(1, 1, 3, 3), stride=2)
g = torch.zeros_like(ys); g[0, 0, 3, 3] = 1; ys.backward(g)
nz = (xs.grad[0, 0] != 0).nonzero()
out("08 rf-strided", nz[:, 0].max() - nz[:, 0].min() + 1)

# 09 weight sharing: 1-D valid conv, n = 8, m = 3; R = sum of outputs, f = 1..8
fw = torch.arange(1.0, 9.0).view(1, 1, 8); hw = torch.zeros(1, 1, 3, requires_grad=True)
torch.nn.functional.conv1d(fw, hw).sum().backward()
out("09 grad-h0-sum", hw.grad[0, 0, 0])
out("09 uses-per-weight", 8 - 3 + 1)
fi = torch.arange(1.0, 9.0).view(1, 1, 8).requires_grad_()
torch.nn.functional.conv1d(fi, torch.tensor([[[1.0, 2, 3]]])).sum().backward()
out("09 input-grad-f1", fi.grad[0, 0, 1])
# He (Kaiming) normal initialisation of a conv from 6 channels with 5x5 kernels: std = sqrt(2 / fan_in)
wk = torch.empty(16, 6, 5, 5); torch.manual_seed(0); torch.nn.init.kaiming_normal_(wk, nonlinearity="relu")
out("09 he-init-std", math.sqrt(2 / torch.nn.init._calculate_fan_in_and_fan_out(wk)[0])); assert abs(wk.std() - math.sqrt(2 / 150)) < 0.01

# 10 FFT sizes
out("10 fft-size-1000-100", 2 ** math.ceil(math.log2(1000 + 100 - 1)))
out("10 direct-mults-1000-100", 1000 * 100)

# 11 pooling
X = torch.tensor([[1., 3, 2, 0], [4, 2, 1, 5], [0, 1, 3, 2], [2, 6, 1, 1]]).view(1, 1, 4, 4)
mp = torch.nn.functional.max_pool2d(X, 2)
out("11 maxpool-sum", mp.sum())
out("11 avgpool-br", torch.nn.functional.avg_pool2d(X, 2)[0, 0, 1, 1])
out("11 pool-out-28-k3-s2", torch.nn.functional.max_pool2d(torch.zeros(1, 1, 28, 28), 3, 2).shape[-1])
# two 2x2/2 max poolings (circular): smallest input shift that the output follows exactly
torch.manual_seed(1)
xp = torch.randn(1, 1, 32, 32)
pool2 = lambda a: torch.nn.functional.max_pool2d(torch.nn.functional.max_pool2d(a, 2), 2)
out("11 stride-composed", [d for d in range(1, 9) if torch.equal(pool2(torch.roll(xp, d, -1)), torch.roll(pool2(xp), d // 4, -1))][0])

# 12 parameter counts (torch modules, weights + biases)
count = lambda mod: sum(p.numel() for p in mod.parameters())
out("12 conv-3-64-3x3", count(torch.nn.Conv2d(3, 64, 3)))
out("12 alexnet-384-384", 3 * 3 * 384 * 384)
out("12 alexnet-fc", 13 * 13 * 384 * 4096)
out("12 alexnet-real-fc6", count(torch.nn.Linear(6 * 6 * 256, 4096)))
out("12 macs-conv", 3 * 3 * 3 * 64 * 32 * 32)
conv = torch.nn.Conv2d(64, 128, 3, padding=1)
out("12 macs-64-128", conv.weight.numel() * conv(torch.zeros(1, 64, 56, 56))[0, 0].numel())
out("12 budget-channels", max(k for k in range(1, 2000) if torch.nn.Conv2d(256, k, 3, bias=False).weight.numel() <= 1_000_000))

# 13 LeNet-5 (32x32 input, 5x5 kernels, full C3 connectivity)
net = torch.nn.Sequential(torch.nn.Conv2d(1, 6, 5), torch.nn.Tanh(), torch.nn.AvgPool2d(2),
                          torch.nn.Conv2d(6, 16, 5), torch.nn.Tanh(), torch.nn.AvgPool2d(2),
                          torch.nn.Conv2d(16, 120, 5), torch.nn.Tanh(), torch.nn.Flatten(),
                          torch.nn.Linear(120, 84), torch.nn.Tanh(), torch.nn.Linear(84, 10))
a = torch.zeros(1, 1, 32, 32)
for i, layer in enumerate(net):
    a = layer(a)
    print("   lenet layer", i, type(layer).__name__, tuple(a.shape[1:]), a[0].numel(), file=sys.stderr)
out("13 lenet-c1-params", count(net[0])); out("13 lenet-c3-params-full", count(net[3]))
out("13 lenet-c3-params-table", 60 * 25 + 16)  # LeCun et al. 1998: 60 connections in table 1
out("13 lenet-c5-params", count(net[6])); out("13 lenet-total-full", count(net))
c3_6 = torch.nn.functional.conv2d(torch.zeros(1, 6, 14, 14), torch.zeros(16, 6, 6, 6))
out("13 c3-6x6-units", c3_6[0].numel())
out("13 vgg-ratio", (3 * 3 * 3) / (7 * 7))
# multiply-adds of LeNet-5 (full C3): weights x output positions of every conv and dense layer
macs, a = 0, torch.zeros(1, 1, 32, 32)
for layer in net:
    a = layer(a)
    if isinstance(layer, torch.nn.Conv2d): macs += layer.weight.numel() * a[0, 0].numel()
    if isinstance(layer, torch.nn.Linear): macs += layer.weight.numel()
out("13 lenet-macs", macs)
out("13 vgg-ratio-11", (5 * 3 * 3) / (11 * 11))
# AlexNet as trained on two GPUs (groups=2 in conv2, conv4, conv5) and the same layers ungrouped
def alexnet(groups):
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 96, 11, 4), torch.nn.Conv2d(96, 256, 5, padding=2, groups=groups),
        torch.nn.Conv2d(256, 384, 3, padding=1), torch.nn.Conv2d(384, 384, 3, padding=1, groups=groups),
        torch.nn.Conv2d(384, 256, 3, padding=1, groups=groups),
        torch.nn.Linear(9216, 4096), torch.nn.Linear(4096, 4096), torch.nn.Linear(4096, 1000))
out("13 alexnet-params-grouped", count(alexnet(2))); out("13 alexnet-params-ungrouped", count(alexnet(1)))
out("13 alexnet-conv4-grouped", torch.nn.Conv2d(384, 384, 3, groups=2, bias=False).weight.numel())
def vgg(cfg):
    layers, c = [], 3
    for v in cfg:
        if v == "M": continue
        layers.append(torch.nn.Conv2d(c, v, 3, padding=1)); c = v
    return torch.nn.Sequential(*layers, torch.nn.Linear(512 * 7 * 7, 4096), torch.nn.Linear(4096, 4096), torch.nn.Linear(4096, 1000))
out("13 vgg16-params", count(vgg([64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"])))
out("13 vgg19-params", count(vgg([64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"])))

# 14 1x1 reduction: 28x28x256 input, 5x5 conv to 32 channels, with/without 1x1 to 16 first
direct = 5 * 5 * 256 * 32
reduced = 1 * 1 * 256 * 16 + 5 * 5 * 16 * 32
out("14 weights-direct", direct); out("14 weights-reduced", reduced)
out("14 macs-direct", direct * 28 * 28); out("14 macs-reduced", reduced * 28 * 28)
out("14 ratio", direct / reduced)
out("14 weights-3x3-reduced", count(torch.nn.Conv2d(256, 96, 1, bias=False)) + count(torch.nn.Conv2d(96, 128, 3, bias=False)))
# widest 1x1 reduction m for which the reduced 5x5 path keeps at most a quarter of the direct weights
out("14 reduce-budget", max(m for m in range(1, 257) if 256 * m + 5 * 5 * m * 32 <= direct / 4))
