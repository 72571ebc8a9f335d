#!/usr/bin/python3
# fit.py: fits conv2d's 'auto' cost model (core/src/ops/conv2d.cpp) to bench.cpp's DATA lines.
#   /usr/bin/python3 bench/calibrate/conv2d/fit.py data-wasm.txt [more data files...]
# Needs numpy and scipy: use /usr/bin/python3 (Debian's), not the pyenv `python3` on PATH,
# which has neither. Each (method, pass) gets a non-negative least-squares fit (scipy nnls) of
# counted operations to the measured time, minimising relative error, the benchmark's shapes
# A-D weighted 3x. The counts below must follow conv2d.cpp's predict(): change both together.
# Prints each fit's worst relative error, the method the model would pick per shape and pass
# against the measured fastest (flagging picks > 10% slower), and COEF lines: the nanosecond
# costs in the order of the constexpr initialisers in conv2d.cpp (engine_cost, gemm_cost and
# fft_cost fields), e.g. "COEF direct f ..." -> direct_forward_cost{...}.
import numpy as np, sys
from scipy.optimize import nnls
from math import ceil, log2
VS=4
def cdiv(a,b): return -(-a//b)
def p2(n):
    p=1
    while p<n: p*=2
    return p
rows=[]
for f in sys.argv[1:]:
    for line in open(f):
        if not line.startswith('DATA'): continue  # the run's human-readable lines
        t=line.split()
        name=t[1]; N,C,H,W,K,R,S,s,p=map(int,t[2:11]); m=t[11]; tf,tx,tw=map(float,t[12:15])
        rows.append((name,N,C,H,W,K,R,S,s,p,m,tf,tx,tw))
def geo(N,C,H,W,K,R,S,s,p):
    Ho=(H+2*p-R)//s+1; Wo=(W+2*p-S)//s+1
    return Ho,Wo
VBof={1:4,2:4,3:2,4:2}
def engine_feats(N,Cout,Cin,R,S,Ho,Wo,Hv,L):
    KB=Cout if Cout<4 else (3 if Cout%4 and Cout%3==0 else 4); VB=VBof[KB]; blocks=cdiv(Cout,KB); taps=Cin*R*S
    full=Wo//(VB*VS); rem=Wo-full*VB*VS; tailv=cdiv(rem,VS)
    tiles=full+(1 if rem else 0)
    vecs=full*VB+tailv
    base=N*blocks*Ho*taps
    # per tap: a0 per tile, a1 per vector, a2 per vector*KB ; packing
    return [base*tiles, base*vecs*KB, N*blocks*Ho*tiles*Cin, N*Cin*Hv*L]
def direct_fwd(N,C,H,W,K,R,S,s,p):
    Ho,Wo=geo(N,C,H,W,K,R,S,s,p)
    L=cdiv(Wo,VS)*VS+(S-1)//s
    return engine_feats(N,K,C,R,S,Ho,Wo,H+2*p,L*s)
def direct_dx(N,C,H,W,K,R,S,s,p):
    return engine_feats(N,C,K,R,S,H,W,H+R-1,cdiv(W,VS)*VS+S-1)
def direct_dw(N,C,H,W,K,R,S,s,p):
    Ho,Wo=geo(N,C,H,W,K,R,S,s,p)
    KB=min(K,3); kb=cdiv(K,KB)
    it=0; tiles=0; work=0
    sb=[3]*(S//3)+([S%3] if S%3 else [])
    for SB in sb:
        tiles+=1; it+=Ho*cdiv(Wo,VS); work+=Ho*cdiv(Wo,VS)*(KB*SB)
    f=N*kb*C*R
    return [f*it, f*work, f*tiles*KB*3, N*C*(H+2*p)*(W+2*p)+N*K*Ho*Wo]
def gemm(M,Nn,Kd):
    return [cdiv(M,6)*cdiv(Nn,8)*Kd, M*Kd+Kd*Nn, 1, cdiv(M,6)*cdiv(Nn,8)]
def im2col_fwd(N,C,H,W,K,R,S,s,p):
    Ho,Wo=geo(N,C,H,W,K,R,S,s,p); crs=C*R*S
    pw = R==1 and S==1 and s==1 and p==0
    g=gemm(K,Ho*Wo,crs)
    return [N*g[0],N*g[1],N*g[2],N*g[3], 0 if pw else N*crs*Ho*Wo, 0 if pw else N*crs*Ho]
def im2col_dx(N,C,H,W,K,R,S,s,p):
    Ho,Wo=geo(N,C,H,W,K,R,S,s,p); crs=C*R*S
    pw = R==1 and S==1 and s==1 and p==0
    g=gemm(crs,Ho*Wo,K)
    return [N*g[0],N*g[1],N*g[2],N*g[3], 0 if pw else N*crs*Ho*Wo, 0 if pw else N*crs*Ho]
def im2col_dw(N,C,H,W,K,R,S,s,p):
    Ho,Wo=geo(N,C,H,W,K,R,S,s,p); crs=C*R*S
    pw = R==1 and S==1 and s==1 and p==0
    g=gemm(K,crs,Ho*Wo)
    return [N*g[0],N*g[1],N*g[2],N*g[3], 0 if pw else N*crs*Ho*Wo, 0 if pw else N*crs*Ho]
def fft_all(N,C,H,W,K,R,S,s,p):
    P=p2(H+2*p); Q=p2(W+2*p); a=P*Q
    tr=(N*C+K*C+N*K)/2
    return [tr*a*log2(a), N*K*C*a, tr*a]
models={('direct','f'):direct_fwd,('direct','x'):direct_dx,('direct','w'):direct_dw,
        ('im2col','f'):im2col_fwd,('im2col','x'):im2col_dx,('im2col','w'):im2col_dw,
        ('fft','f'):fft_all,('fft','x'):fft_all,('fft','w'):fft_all}
coef={}
for (m,op),fn in models.items():
    A=[];b=[]
    for r in rows:
        if r[10]!=m: continue
        t={'f':r[11],'x':r[12],'w':r[13]}[op]*1e6  # ns
        x=np.array(fn(*r[1:10]),float)
        wgt = 3.0 if r[0] in ('A','B','C','D') else 1.0   # the benchmark's shapes count more
        A.append(wgt*x/t); b.append(wgt)
    A=np.array(A); b=np.array(b)
    c,res=nnls(A,b)
    coef[(m,op)]=c
    pred=(A@c)/b
    print(m,op,'coef',' '.join('%.4g'%v for v in c),'rel err max %.2f'%np.max(np.abs(pred-1)))
# choices
print()
bad=0
for op in 'fxw':
    for name in sorted(set(r[0] for r in rows), key=lambda n:[r[0] for r in rows].index(n)):
        rs=[r for r in rows if r[0]==name and r[10]!='auto']
        meas={r[10]:{'f':r[11],'x':r[12],'w':r[13]}[op] for r in rs}
        pred={r[10]:float(np.dot(models[(r[10],op)](*r[1:10]),coef[(r[10],op)]))*1e-6 for r in rs}
        best=min(meas,key=meas.get)
        r0=rs[0]; pw = r0[6]==1 and r0[7]==1 and r0[8]==1 and r0[9]==0
        other=min(pred['direct'],pred['im2col'])
        if pw: pick='im2col'
        elif 'fft' in pred and pred['fft']<0.8*other: pick='fft'
        else: pick='direct' if pred['direct']<=pred['im2col'] else 'im2col'
        ratio=meas[pick]/meas[best]
        flag='  <-- %.0f%% slower'%((ratio-1)*100) if ratio>1.1 else ''
        if ratio>1.1: bad+=1
        print(op,name,'best',best,'pick',pick,' '.join('%s %.3f/%.3f'%(k,meas[k],pred[k]) for k in meas),flag)
print('bad',bad)
for (m,op),c in coef.items(): print('COEF',m,op,', '.join('%.4g'%v for v in c))
