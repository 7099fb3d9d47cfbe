"""Reference values of DieboldMarianoTests.MatchesTheReferenceScript: the Diebold-Mariano statistic with the HLN correction
written from the formulas (Harvey, Leybourne and Newbold 1997, eq. 9; forecast::dm.test defaults), Student t tails from the
regularized incomplete beta (math.lgamma + continued fraction). Standard library only: python3 dm_reference.py
Two runs' forecasts: python3 dm_reference.py RUN_A/test-forecasts.csv COLUMN_A RUN_B/test-forecasts.csv COLUMN_B H
(e.g. darnn of two runs, or darnn against calar of one; dm_stat < 0: A has the smaller squared errors)."""
import csv, math, sys
def betacf(x,a,b):
    tiny=1e-300; qab=a+b; qap=a+1; qam=a-1; c=1; d=1-qab*x/qap
    d=1/(d if abs(d)>tiny else tiny); h=d
    for m in range(1,10000):
        m2=2*m; aa=m*(b-m)*x/((qam+m2)*(a+m2))
        d=1+aa*d; d=d if abs(d)>tiny else tiny; c=1+aa/c; c=c if abs(c)>tiny else tiny; d=1/d; h*=d*c
        aa=-(a+m)*(qab+m)*x/((a+m2)*(qap+m2))
        d=1+aa*d; d=d if abs(d)>tiny else tiny; c=1+aa/c; c=c if abs(c)>tiny else tiny; d=1/d; de=d*c; h*=de
        if abs(de-1)<1e-15: return h
def ibeta(x,a,b):
    if x<=0: return 0
    if x>=1: return 1
    f=math.exp(math.lgamma(a+b)-math.lgamma(a)-math.lgamma(b)+a*math.log(x)+b*math.log(1-x))
    return f*betacf(x,a,b)/a if x<(a+1)/(a+b+2) else 1-f*betacf(1-x,b,a)/b
def tupper(t,df): return 0.5*ibeta(df/(df+t*t),df/2,0.5)
def dm(e1,e2,h):
    n=len(e1); d=[a*a-b*b for a,b in zip(e1,e2)]; m=sum(d)/n
    g=lambda k: sum((d[t]-m)*(d[t-k]-m) for t in range(k,n))/n
    v=(g(0)+2*sum(g(k) for k in range(1,h)))/n
    s=m/math.sqrt(v)*math.sqrt((n+1-2*h+h*(h-1)/n)/n)
    return s, 2*tupper(abs(s),n-1)
def errors(path, column):
    rows = list(csv.DictReader(open(path)))
    return [float(r[column]) - float(r["truth"]) for r in rows], [r["time"] for r in rows]

if len(sys.argv) == 6:
    (ea, ta), (eb, tb) = errors(sys.argv[1], sys.argv[2]), errors(sys.argv[3], sys.argv[4])
    assert ta == tb, "the two files do not hold the same test days"
    s, p = dm(ea, eb, int(sys.argv[5]))
    print(f"dm_stat={s:.3f} dm_p={p:.4g} n={len(ea)}")
    sys.exit(0)

n = 60
e1 = [math.sin(0.37 * t) + 0.3 * math.cos(1.3 * t) + 0.2 for t in range(n)]
e2 = [0.8 * math.cos(0.21 * t) + 0.5 * math.sin(2.1 * t) for t in range(n)]
for h in (1, 3, 7):
    s, p = dm(e1, e2, h)
    print(f"h={h} stat={s!r} p={p!r}")
