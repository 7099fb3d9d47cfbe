"""Reference values for ArimaTests and the Holt-Winters check, from statsmodels 0.13.5 (Debian python3-statsmodels).

Run: /usr/bin/python3 reference.py > reference.json   (CI has no Python; the JSON is what the tests read.)
Series are simulated here with a fixed seed and written into the JSON, so the C# tests read the same numbers.
"""
import json
import numpy as np
from statsmodels.tsa.statespace.sarimax import SARIMAX
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

rng = np.random.default_rng(20240601)


def simulate(n, ar, ma, season=1, sar=(), sma=(), d=0, D=0):
    e = rng.normal(0, 1.3, n + 200)
    w = np.zeros(n + 200)
    for t in range(n + 200):
        v = e[t]
        for i, a in enumerate(ar, 1):
            v += a * w[t - i] if t - i >= 0 else 0
        for i, a in enumerate(sar, 1):
            v += a * w[t - i * season] if t - i * season >= 0 else 0
        for i, b in enumerate(ma, 1):
            v += b * e[t - i] if t - i >= 0 else 0
        for i, b in enumerate(sma, 1):
            v += b * e[t - i * season] if t - i * season >= 0 else 0
        w[t] = v
    y = w[200:]
    for _ in range(D):
        y = np.concatenate([np.zeros(season), y])
        for t in range(season, len(y)):
            y[t] += y[t - season]
        y = y[season:]
    for _ in range(d):
        y = np.cumsum(y)
    return y + 50.0


cases = []
for name, order, seasonal, sim in [
    ("arma11", (1, 0, 1), (0, 0, 0, 0), dict(ar=[0.6], ma=[0.3])),
    ("arima211", (2, 1, 1), (0, 0, 0, 0), dict(ar=[0.5, -0.3], ma=[0.4], d=1)),
    ("sarima101_111_7", (1, 0, 1), (1, 1, 1, 7), dict(ar=[0.5], ma=[0.2], season=7, sar=[0.3], sma=[-0.5], D=1)),
]:
    y = np.round(simulate(240, **sim), 4)
    shift = 0.0
    if order[1] == 0 and seasonal[1] == 0:
        # The C# model demeans an undifferenced series by its training mean: statsmodels gets the same demeaned series,
        # and its forecasts get the mean back.
        y = np.round(y - y.mean(), 4)
        shift = y.mean()
    mod = SARIMAX(y - shift, order=order, seasonal_order=seasonal, trend="n", simple_differencing=True)
    res = mod.fit(disp=False, method="lbfgs", maxiter=2000, pgtol=1e-10)
    names = list(mod.param_names)
    fixed = np.array([0.3 if n.startswith("ar.") else 0.2 if n.startswith("ma.") else 1.7 for n in names])
    full = SARIMAX(y - shift, order=order, seasonal_order=seasonal, trend="n", simple_differencing=False)
    fres = full.filter(res.params)
    cases.append(dict(
        name=name, order=list(order), seasonal=list(seasonal), y=y.tolist(),
        param_names=names, params=res.params.tolist(), llf=float(res.llf), aic=float(res.aic),
        fixed_params=fixed.tolist(), fixed_llf=float(mod.loglike(fixed)),
        forecast=(fres.forecast(7) + shift).tolist(),
    ))

# Holt-Winters additive, damped trend: statsmodels' ETS(A,Ad,A) with known initial states and fixed smoothing parameters.
m = 7
t = np.arange(140)
y = np.round(100 + 0.3 * t + 8 * np.sin(2 * np.pi * t / m) + rng.normal(0, 2, len(t)), 4)
mean1, mean2 = y[:m].mean(), y[m:2 * m].mean()
trend = (mean2 - mean1) / m
centre = (m - 1) / 2
level = mean1 + (m - 1 - centre) * trend
season = np.array([y[k] - (mean1 + (k - centre) * trend) for k in range(m)])
alpha, beta, gamma, phi = 0.3, 0.05, 0.2, 0.9
ets = ETSModel(y[m:], error="add", trend="add", damped_trend=True, seasonal="add", seasonal_periods=m,
               initialization_method="known", initial_level=level, initial_trend=trend,
               initial_seasonal=season)   # s_{1-m} .. s_0 in time order; smoothing_trend is beta of b_t = phi b_{t-1} + beta e_t (checked: equal to 1e-13)
params = [alpha, beta, gamma, phi]
sm = ets.smooth(params)
hw = dict(period=m, y=y.tolist(), alpha=alpha, beta=beta, gamma=gamma, phi=phi,
          fitted=sm.fittedvalues.tolist(), forecast=sm.forecast(3).tolist())

print(json.dumps(dict(statsmodels="0.13.5", arima=cases, holt_winters=hw), indent=0))
