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
