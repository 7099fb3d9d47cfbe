using AttentionSharp.Data.Series;

namespace AttentionSharp.Models.Forecasting;

/// <summary>Accuracy of forecasts in the series' units.</summary>
/// <param name="Rmse">Root mean squared error.</param>
/// <param name="Mae">Mean absolute error.</param>
/// <param name="Mase">MAE divided by the in-sample MAE of the one-step seasonal naive forecast on the training part (Hyndman and Koehler 2006).</param>
public sealed record ForecastAccuracy(double Rmse, double Mae, double Mase)
{
    /// <summary>Scores <paramref name="prediction"/> against <paramref name="truth"/> with the MASE scale <paramref name="scale"/>.</summary>
    public static ForecastAccuracy Of(double[] truth, double[] prediction, double scale)
    {
        if (truth.Length != prediction.Length || truth.Length == 0)
            throw new ArgumentException($"truth ({truth.Length}) and prediction ({prediction.Length}) must be equally long and non-empty");
        double se = 0, ae = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            double e = prediction[i] - truth[i];
            se += e * e;
            ae += Math.Abs(e);
        }
        double mae = ae / truth.Length;
        return new ForecastAccuracy(Math.Sqrt(se / truth.Length), mae, mae / scale);
    }

    /// <summary>
    /// The MASE scale: mean |y_t - y_{t-m}| over the training steps [m, <paramref name="end"/>) of <paramref name="target"/>.
    /// </summary>
    public static double SeasonalScale(double[] target, int end, int period)
    {
        if (end <= period) throw new ArgumentException($"the MASE scale needs more than {period} training steps; got {end}");
        double s = 0;
        for (int t = period; t < end; t++) s += Math.Abs(target[t] - target[t - period]);
        return s / (end - period);
    }
}

/// <summary>The baselines forecasters start from, all on the same windows as the networks (raw units).</summary>
public static class ForecastBaselines
{
    /// <summary>Naive: the last value, y^_{t+h} = y_t.</summary>
    public static double[] Naive(ForecastData data, int[] origins) => origins.Select(t => data.Series.Target[t]).ToArray();

    /// <summary>Seasonal naive with period m: the latest value of the same season known at the origin, y_{t+h-m*ceil(h/m)}.</summary>
    public static double[] SeasonalNaive(ForecastData data, int[] origins, int period)
    {
        if (period < 1) throw new ArgumentException($"period must be >= 1; got {period}");
        int back = period * ((data.Horizon + period - 1) / period);
        return origins.Select(t => t + data.Horizon - back >= 0 ? data.Series.Target[t + data.Horizon - back]
            : throw new ArgumentException($"origin {t} has no value one season before its label")).ToArray();
    }
}

/// <summary>
/// Linear autoregression with drivers, fitted by ridge regression in closed form: y^_{t+h} = b + sum_j a_j y_{t-j} +
/// sum_k sum_j c_kj x^k_{t-j}, j = 0 .. lags-1, on the scaled series (the training-only scaler of <see cref="ForecastData"/>);
/// the intercept is not penalised. The penalty is chosen from a grid by validation MSE, fitting on the training windows only.
/// With <c>calendar</c>, the features also hold the <see cref="CalendarFeatures"/> (0/1) of the forecast day t+h (known in
/// advance): day of week one-hot, federal holiday, day after Thanksgiving, Christmas Eve. Without <c>drivers</c> only the
/// target's lags (and the calendar) enter.
/// </summary>
public sealed class RidgeAutoregression
{
    RidgeAutoregression(int lags, bool calendar, bool drivers, double lambda, double[] weights, double validMse)
    {
        Lags = lags;
        UsesDrivers = drivers;
        Calendar = calendar;
        Lambda = lambda;
        Weights = weights;
        ValidMse = validMse;
    }

    /// <summary>Lags of the target and of each driver.</summary>
    public int Lags { get; }
    /// <summary>Whether the features include the drivers' lags.</summary>
    public bool UsesDrivers { get; }
    /// <summary>Whether the features include the calendar of the forecast day.</summary>
    public bool Calendar { get; }
    /// <summary>The chosen penalty.</summary>
    public double Lambda { get; }
    /// <summary>Intercept then coefficients (scaled units).</summary>
    public double[] Weights { get; }
    /// <summary>Validation MSE (scaled units) at the chosen penalty.</summary>
    public double ValidMse { get; }

    /// <summary>The default grid of penalties.</summary>
    public static readonly double[] Grid = [1e-3, 1e-2, 0.1, 1, 10, 100, 1000, 1e4];

    static double[] Features(ForecastData data, int origin, int lags, bool calendar, bool drivers)
    {
        int n = drivers ? data.DriverCount : 0, C = calendar ? CalendarFeatures.Count : 0;
        var f = new double[1 + lags * (n + 1) + C];
        f[0] = 1;
        int i = 1;
        for (int j = 0; j < lags; j++)
        {
            int t = origin - j;
            f[i++] = data.ScaledTarget[t];
            for (int k = 0; k < n; k++) f[i++] = data.ScaledDrivers[t * data.DriverCount + k];
        }
        if (calendar) Array.Copy(data.Calendar!, (origin + data.Horizon) * C, f, i, C);
        return f;
    }

    /// <summary>Fits on the training windows with each penalty of <paramref name="grid"/> and keeps the best on validation.</summary>
    public static RidgeAutoregression Fit(ForecastData data, int lags, IReadOnlyList<double>? grid = null, bool calendar = false, bool drivers = true)
    {
        if (lags < 1 || lags > data.Window) throw new ArgumentException($"lags must be in 1..{data.Window} (the window); got {lags}");
        if (calendar) data.RequireCalendar();
        var train = data.TrainOrigins.Select(t => Features(data, t, lags, calendar, drivers)).ToArray();
        var trainY = data.TrainOrigins.Select(t => data.ScaledTarget[t + data.Horizon]).ToArray();
        int p = train[0].Length;
        var xtx = new double[p, p];
        var xty = new double[p];
        for (int r = 0; r < train.Length; r++)
        {
            var f = train[r];
            for (int a = 0; a < p; a++)
            {
                xty[a] += f[a] * trainY[r];
                for (int b = a; b < p; b++) xtx[a, b] += f[a] * f[b];
            }
        }
        for (int a = 0; a < p; a++) for (int b = 0; b < a; b++) xtx[a, b] = xtx[b, a];
        RidgeAutoregression? best = null;
        foreach (double lambda in grid ?? Grid)
        {
            var m = (double[,])xtx.Clone();
            for (int a = 1; a < p; a++) m[a, a] += lambda;
            var w = Solve(m, xty);
            double mse = data.ValidOrigins.Length == 0 ? 0
                : data.ValidOrigins.Average(t => Math.Pow(Dot(w, Features(data, t, lags, calendar, drivers)) - data.ScaledTarget[t + data.Horizon], 2));
            if (best == null || mse < best.ValidMse) best = new RidgeAutoregression(lags, calendar, drivers, lambda, w, mse);
        }
        return best!;
    }

    /// <summary>Forecasts in the series' units.</summary>
    public double[] Predict(ForecastData data, int[] origins) =>
        origins.Select(t => data.Scaler.UnscaleTarget(Dot(Weights, Features(data, t, Lags, Calendar, UsesDrivers)))).ToArray();

    static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>Solves the symmetric positive definite system by Cholesky decomposition.</summary>
    internal static double[] Solve(double[,] a, double[] rhs)
    {
        int n = rhs.Length;
        var l = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double s = a[i, j];
                for (int k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                if (i == j)
                {
                    if (s <= 0) throw new InvalidOperationException($"the ridge system is not positive definite at row {i} (a constant or duplicate feature with no penalty?)");
                    l[i, i] = Math.Sqrt(s);
                }
                else l[i, j] = s / l[j, j];
            }
        }
        var z = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = rhs[i];
            for (int k = 0; k < i; k++) s -= l[i, k] * z[k];
            z[i] = s / l[i, i];
        }
        var x = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double s = z[i];
            for (int k = i + 1; k < n; k++) s -= l[k, i] * x[k];
            x[i] = s / l[i, i];
        }
        return x;
    }
}

/// <summary>
/// Additive Holt-Winters with a damped trend (ETS(A,Ad,A) in Hyndman et al.'s taxonomy, fitted by least squares): with
/// one-step error <c>e_t = y_t - (l_{t-1} + phi b_{t-1} + s_{t-m})</c>, the states update as <c>l_t = l_{t-1} + phi b_{t-1} + alpha e_t</c>,
/// <c>b_t = phi b_{t-1} + beta e_t</c>, <c>s_t = s_{t-m} + gamma e_t</c>, and the h-step forecast from origin t is
/// <c>l_t + (phi + ... + phi^h) b_t + s_{t+h-m*ceil(h/m)}</c>. The states start from the first two seasons (level: the first
/// season's mean, taken as the level of its middle step; trend: the change of the two seasons' means per step; seasonals:
/// the first season less that line).
/// (alpha, beta, gamma, phi) are chosen on a grid by the one-step squared error over the training steps only (before
/// <see cref="ForecastData.ValidStart"/>); test forecasts run the same recursions through the true history up to each
/// origin with those parameters, nothing refitted (rolling origins, like every other baseline here).
/// </summary>
public sealed class HoltWinters
{
    HoltWinters(int period, double alpha, double beta, double gamma, double phi, double trainMse)
    {
        Period = period; Alpha = alpha; Beta = beta; Gamma = gamma; Phi = phi; TrainMse = trainMse;
    }

    /// <summary>Seasonal period m.</summary>
    public int Period { get; }
    /// <summary>Level smoothing.</summary>
    public double Alpha { get; }
    /// <summary>Trend smoothing.</summary>
    public double Beta { get; }
    /// <summary>Seasonal smoothing.</summary>
    public double Gamma { get; }
    /// <summary>Trend damping (1 = undamped Holt-Winters).</summary>
    public double Phi { get; }
    /// <summary>Mean one-step squared error over the training steps at the chosen parameters (raw units squared).</summary>
    public double TrainMse { get; }

    static readonly double[] Smoothing = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99];
    static readonly double[] TrendSmoothing = [0, 0.001, 0.01, 0.05, 0.1, 0.2];
    static readonly double[] Damping = [0.8, 0.9, 0.95, 0.98, 1.0];

    /// <summary>Fits (alpha, beta, gamma, phi) on the training steps of <paramref name="data"/> (see the class summary).</summary>
    public static HoltWinters Fit(ForecastData data, int period)
    {
        if (period < 1) throw new ArgumentException($"period must be >= 1; got {period}");
        if (data.ValidStart < 3 * period) throw new ArgumentException($"Holt-Winters needs at least 3 seasons ({3 * period} steps) of training data; got {data.ValidStart}");
        var y = data.Series.Target;
        HoltWinters? best = null;
        foreach (var a in Smoothing)
            foreach (var b in TrendSmoothing)
                foreach (var g in Smoothing)
                    foreach (var p in Damping)
                    {
                        double mse = OneStepMse(y, data.ValidStart, period, a, b, g, p);
                        if (best == null || mse < best.TrainMse) best = new HoltWinters(period, a, b, g, p, mse);
                    }
        return best!;
    }

    /// <summary>A model with given parameters (for tests and users who know them).</summary>
    public static HoltWinters With(int period, double alpha, double beta, double gamma, double phi) => new(period, alpha, beta, gamma, phi, double.NaN);

    static double OneStepMse(double[] y, int end, int m, double a, double b, double g, double phi)
    {
        double sse = 0; int n = 0;
        Run(y, end, m, a, b, g, phi, (t, e, _, _, _) => { if (t >= 2 * m) { sse += e * e; n++; } });
        return n > 0 ? sse / n : double.PositiveInfinity;
    }

    /// <summary>Per-step callback of <see cref="Run"/>: the step, its one-step error, then the states after the step.</summary>
    internal delegate void StepObserver(int t, double error, double level, double trend, double[] season);

    /// <summary>
    /// Runs the recursions over <c>y[m..end)</c> from the states of the first two seasons, calling <paramref name="onStep"/> after
    /// each step with its one-step error and the new states (<c>season[k]</c>: the latest seasonal of the steps t with t mod m = k).
    /// </summary>
    internal static void Run(double[] y, int end, int m, double a, double b, double g, double phi, StepObserver onStep)
    {
        double mean1 = 0, mean2 = 0;
        for (int k = 0; k < m; k++) { mean1 += y[k]; mean2 += y[m + k]; }
        mean1 /= m; mean2 /= m;
        double trend = (mean2 - mean1) / m;
        double centre = (m - 1) / 2.0;                 // the first season's mean is the level at its middle step
        double level = mean1 + (m - 1 - centre) * trend; // the level at the end of the first season
        var season = new double[m];
        for (int k = 0; k < m; k++) season[k] = y[k] - (mean1 + (k - centre) * trend);
        for (int t = m; t < end; t++)
        {
            double e = y[t] - (level + phi * trend + season[t % m]);
            double newLevel = level + phi * trend + a * e;
            trend = phi * trend + b * e;
            season[t % m] += g * e;
            level = newLevel;
            onStep(t, e, level, trend, season);
        }
    }

    /// <summary>The h-step forecasts (raw units) from each of <paramref name="origins"/>, h = <see cref="ForecastData.Horizon"/>.</summary>
    public double[] Predict(ForecastData data, int[] origins)
    {
        var y = data.Series.Target;
        int h = data.Horizon, m = Period;
        if (origins.Any(t => t < m || t >= y.Length))
            throw new ArgumentException($"Holt-Winters forecasts from origins in {m}..{y.Length - 1} (the first season starts the states); got {origins.Min()}..{origins.Max()}");
        double damp = 0, pk = 1;
        for (int i = 1; i <= h; i++) { pk *= Phi; damp += pk; }
        var at = origins.Select((t, i) => (t, i)).ToLookup(x => x.t, x => x.i);
        var forecast = new double[origins.Length];
        Run(y, origins.Max() + 1, m, Alpha, Beta, Gamma, Phi, (t, _, level, trend, season) =>
        {
            foreach (var i in at[t]) forecast[i] = level + damp * trend + season[(t + h) % m];
        });
        return forecast;
    }
}
