#!/usr/bin/python3
# fit.py: fits conv1d's 'auto' cost model (core/src/ops/conv1d.cpp) to bench.cpp's output.
#   /usr/bin/python3 bench/calibrate/conv1d/fit.py data-native-1.txt+data-native-2.txt \
#                                                   data-wasm-1.txt+data-wasm-2.txt
# Each argument is one fit; files joined by '+' are sessions of the same grid, combined by
# their per-size minimum. Needs numpy and scipy: use /usr/bin/python3 (Debian's), not the
# pyenv `python3` on PATH, which has neither. Each method's time is fitted as
# a + b * units + c * (N + k) (units: taps, the Toeplitz product's taps, FFT work), by robust
# least squares of log time (scipy least_squares, soft_l1, non-negative), in microseconds;
# the PASTE lines give them in seconds, as conv1d.cpp's conv1d_costs initialiser
# ({direct}, {toeplitz}, {fft}; the #if defined(__wasm__) branch for the wasm data). Also prints
# each model's min/max of predicted/measured and the 8 sizes where its pick is worst.
import sys, numpy as np
from scipy.optimize import least_squares
def load(p):
    rows=[l.split() for l in open(p) if l.strip() and not l.startswith('       n')]
    return np.array([[float(r[i]) for i in (0,1,2,3,4,7,8,9)] for r in rows])
import itertools
groups=[g.split('+') for g in sys.argv[1:]]
for grp in groups:
    p='+'.join(grp)
    ds=[load(q) for q in grp]
    d=ds[0].copy()
    for e in ds[1:]: d[:,2:5]=np.minimum(d[:,2:5],e[:,2:5])
    n,m,td,tt,tf,taps,gt,fw=d.T
    N=np.maximum(n,m); k=np.minimum(n,m); pts=N+k
    def fit(feats, t):
        f=lambda c: np.log(np.abs(feats@c)+1e-9)-np.log(t)
        r=least_squares(f, np.ones(feats.shape[1])*1e-3, bounds=(0,np.inf), loss='soft_l1', f_scale=0.15)
        return r.x
    cd=fit(np.c_[np.ones_like(n),taps,pts],td)
    ct=fit(np.c_[np.ones_like(n),gt,pts],tt)
    cf=fit(np.c_[np.ones_like(n),fw,pts],tf)
    print(p); print(" direct  (us, us/tap, us/pt):", cd); print(" toeplitz(us, us/gtap, us/pt):", ct); print(" fft (us, us/unit, us/pt):", cf)
    print(" PASTE {%s}" % ",\n        ".join("{%s}" % ", ".join("%.3g" % (v * 1e-6) for v in c) for c in (cd, ct, cf)))
    pd=np.c_[np.ones_like(n),taps,pts]@cd; pt=np.c_[np.ones_like(n),gt,pts]@ct; pf=np.c_[np.ones_like(n),fw,pts]@cf
    for name,pr,t in (("direct",pd,td),("toeplitz",pt,tt),("fft",pf,tf)):
        e=pr/t; print("  %s model/measured: min %.2f max %.2f"%(name,e.min(),e.max()))
    ch=np.argmin(np.c_[pd,pt,pf],1); T=np.c_[td,tt,tf]; ratio=T[np.arange(len(n)),ch]/T.min(1)
    for i in np.argsort(-ratio)[:8]: print("   n=%d m=%d choice=%d ratio=%.2f times=%s"%(n[i],m[i],ch[i],ratio[i],T[i]))
