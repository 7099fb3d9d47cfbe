using AttentionSharp.Data.Series;
using AttentionSharp.Models.Forecasting;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.Forecasting;

public class ForecastBaselineTests
{
    static TimeSeries Series(int length, Func<int, double> y, params Func<int, double>[] drivers) => new("test",
        Enumerable.Range(0, length).Select(t => $"s{t:D5}").ToArray(), "y", Enumerable.Range(0, length).Select(y).ToArray(),
        drivers.Select((_, k) => $"x{k}").ToArray(), drivers.Select(d => Enumerable.Range(0, length).Select(d).ToArray()).ToArray());

    static readonly double[] Weekly = [3, -1, 0.5, -2, 1, -0.5, -1]; // sums to zero

    [Fact]
    public void HoltWintersForecastsANoiseFreeTrendPlusSeasonExactly()
    {
        var s = Series(140, t => 10 + 0.5 * t + Weekly[t % 7], t => 0);
        var d = ForecastData.Build(s, window: 7, horizon: 3, testSteps: 28, validSteps: 28);
        var hw = HoltWinters.With(7, alpha: 0.3, beta: 0.1, gamma: 0.2, phi: 1.0);
        var f = hw.Predict(d, d.TestOrigins);
        var truth = d.Truth(d.TestOrigins);
        for (int i = 0; i < f.Length; i++) Assert.Equal(truth[i], f[i], 9);
        // the fit finds a zero training error too, and is then just as exact
        var fitted = HoltWinters.Fit(d, 7);
        Assert.True(fitted.TrainMse < 1e-18, $"training MSE {fitted.TrainMse}");
        Assert.True(fitted.Predict(d, d.TestOrigins).Select((v, i) => Math.Abs(v - truth[i])).Max() < 1e-6);
    }

    [Fact]
    public void HoltWintersMatchesTheRecursionsWrittenOut()
    {
        var rng = new Random(4);
        var y = Enumerable.Range(0, 60).Select(t => 5 + 0.1 * t + Weekly[t % 7] + rng.NextDouble()).ToArray();
        var d = ForecastData.Build(Series(60, t => y[t], t => 0), window: 7, horizon: 2, testSteps: 10, validSteps: 10);
        double a = 0.4, b = 0.05, g = 0.3, phi = 0.9;
        // reference: states initialised from the first two weeks, then the ETS(A,Ad,A) error-correction equations
        double m1 = y.Take(7).Average(), m2 = y.Skip(7).Take(7).Average(), trend = (m2 - m1) / 7, level = m1 + 3 * trend;
        var seas = Enumerable.Range(0, 7).Select(k => y[k] - (m1 + (k - 3) * trend)).ToArray();
        var want = new Dictionary<int, double>();
        for (int t = 7; t < 60; t++)
        {
            double e = y[t] - (level + phi * trend + seas[t % 7]);
            double l = level + phi * trend + a * e;
            trend = phi * trend + b * e;
            seas[t % 7] = seas[t % 7] + g * e;
            level = l;
            want[t] = level + (phi + phi * phi) * trend + seas[(t + 2) % 7];
        }
        var got = HoltWinters.With(7, a, b, g, phi).Predict(d, d.TestOrigins);
        for (int i = 0; i < got.Length; i++) Assert.Equal(want[d.TestOrigins[i]], got[i], 10);
        Assert.Contains("at least 3 seasons", Assert.Throws<ArgumentException>(() => HoltWinters.Fit(d, 20)).Message);
    }

    [Fact]
    public void ScalerAndRidgeSeeNoTestData()
    {
        // Two series equal up to the test period; in the second the test period is 1000x larger. A scaler or a ridge fit that
        // touched test steps (or validation steps, for the scaler) would differ between the two.
        Func<int, double> y = t => Math.Sin(t * 0.7) + 0.01 * t, x = t => Math.Cos(t * 0.3);
        var a = ForecastData.Build(Series(300, y, x), window: 5, horizon: 2, testSteps: 60, validSteps: 40);
        var b = ForecastData.Build(Series(300, t => t >= 240 ? 1000 * y(t) : y(t), t => t >= 240 ? 1000 * x(t) : x(t)), 5, 2, 60, 40);
        Assert.Equal(200, a.ValidStart);
        Assert.Equal(240, a.TestStart);
        Assert.Equal(a.Scaler.Mean, b.Scaler.Mean);
        Assert.Equal(a.Scaler.Std, b.Scaler.Std);
        double trainMean = Enumerable.Range(0, 200).Average(y);
        Assert.Equal(trainMean, a.Scaler.Mean[0], 12);
        Assert.Equal(Enumerable.Range(0, 200).Average(x), a.Scaler.Mean[1], 12);
        var ra = RidgeAutoregression.Fit(a, 5);
        var rb = RidgeAutoregression.Fit(b, 5);
        Assert.Equal(ra.Weights, rb.Weights);
        Assert.Equal(ra.Lambda, rb.Lambda);
        Assert.All(a.TrainOrigins.Concat(a.ValidOrigins), t => Assert.True(t + 2 < 240));
    }

    /// <summary>A forecaster that always forecasts 0 (in scaled units).</summary>
    sealed class Zero : IForecaster
    {
        readonly TorchSharp.Modules.Linear unused = TorchSharp.torch.nn.Linear(1, 1);
        public ForecastOutput Run(Tensor drivers, Tensor history, Tensor? calendar = null) =>
            new(zeros(history.shape[0]), ones(history.shape[0], history.shape[1], drivers.shape[2]), zeros(history.shape[0], history.shape[1]));
        public TorchSharp.torch.nn.Module Module => unused;
        public int Calendar => 0;
        public bool UsesInputAttention => false;
        public bool UsesTemporalAttention => false;
    }

    [Fact]
    public void RelativeWindowsAreTheChangeFromTheOriginAndAZeroForecastIsTheNaiveOne()
    {
        var s = Series(120, t => 3 * t, t => 1000 + t);
        var d = ForecastData.Build(s, window: 4, horizon: 3, testSteps: 20, validSteps: 20);
        using var scope = NewDisposeScope();
        var batch = d.Windows(d.TestOrigins, relative: true).GetBatch([0]);
        int origin = d.TestOrigins[0];
        double std = d.Scaler.Std[0];
        // history: (y_{t-3} - y_t, ..., 0) / std; label: (y_{t+3} - y_t) / std; the drivers stay as they are.
        Assert.Equal([-9.0, -6, -3, 0], batch.History.data<float>().ToArray().Select(v => Math.Round(v * std, 3)));
        Assert.Equal(9.0, Math.Round(batch.Target.item<float>() * std, 3));
        Assert.Equal(d.Windows(d.TestOrigins).GetBatch([0]).Drivers.data<float>().ToArray(), batch.Drivers.data<float>().ToArray());
        // A model that forecasts no change is the naive forecast on relative windows, the series mean on absolute ones.
        var naive = ForecastBaselines.Naive(d, d.TestOrigins);
        var (relative, _, _) = ForecastExperiment.Predict(new Zero(), d, d.TestOrigins, CPU, relative: true);
        for (int i = 0; i < naive.Length; i++) Assert.Equal(naive[i], relative[i], 6);
        var (absolute, _, _) = ForecastExperiment.Predict(new Zero(), d, d.TestOrigins, CPU);
        Assert.All(absolute, v => Assert.Equal(d.Scaler.Mean[0], v, 6));
    }

    [Fact]
    public void WindowsEndAtTheOriginAndLabelsAreHStepsLater()
    {
        var s = Series(120, t => t, t => 1000 + t);
        var d = ForecastData.Build(s, window: 4, horizon: 3, testSteps: 20, validSteps: 20);
        using var scope = NewDisposeScope();
        var batch = d.Windows(d.TestOrigins).GetBatch([0]);
        int origin = d.TestOrigins[0];
        Assert.Equal(100, origin + 3); // the first test label is the first test step
        double Unscale(float v, int c) => v * d.Scaler.Std[c] + d.Scaler.Mean[c];
        var hist = batch.History.data<float>().ToArray();
        var drv = batch.Drivers.data<float>().ToArray();
        Assert.Equal([origin - 3, origin - 2, origin - 1, origin], hist.Select(v => Math.Round(Unscale(v, 0), 3)));
        Assert.Equal(1000 + origin, Math.Round(Unscale(drv[^1], 1), 3)); // the newest driver value is at the origin, 3 steps before the label
        Assert.Equal(origin + 3, Math.Round(Unscale(batch.Target.item<float>(), 0), 3));
        Assert.Contains("Horizon must be >= 1", Assert.Throws<ArgumentException>(() => ForecastData.Build(s, 4, 0, 20, 20)).Message);
    }

    [Fact]
    public void NaiveAndSeasonalNaiveByHand()
    {
        var s = Series(100, t => t * t % 17);
        var h1 = ForecastData.Build(s, 10, 1, 20, 20);
        int o = h1.TestOrigins[0];
        Assert.Equal(s.Target[o], ForecastBaselines.Naive(h1, [o])[0]);
        Assert.Equal(s.Target[o + 1 - 7], ForecastBaselines.SeasonalNaive(h1, [o], 7)[0]);
        var h8 = ForecastData.Build(s, 10, 8, 20, 20);
        o = h8.TestOrigins[0];
        Assert.Equal(s.Target[o + 8 - 14], ForecastBaselines.SeasonalNaive(h8, [o], 7)[0]);
        var h7 = ForecastData.Build(s, 10, 7, 20, 20);
        o = h7.TestOrigins[0];
        Assert.Equal(s.Target[o], ForecastBaselines.SeasonalNaive(h7, [o], 7)[0]);
    }

    [Fact]
    public void AccuracyAndMaseScaleByHand()
    {
        var acc = ForecastAccuracy.Of([1, 2, 3], [2, 2, 1], scale: 0.5);
        Assert.Equal(Math.Sqrt(5.0 / 3), acc.Rmse, 12);
        Assert.Equal(1.0, acc.Mae, 12);
        Assert.Equal(2.0, acc.Mase, 12);
        // |3-1| + |4-2| + |0-3| over t = 2..4 with period 2, end 5.
        Assert.Equal(7.0 / 3, ForecastAccuracy.SeasonalScale([1, 2, 3, 4, 0, 99], 5, 2), 12);
    }

    [Fact]
    public void RidgeRecoversALinearAutoregression()
    {
        // y_{t+1} = 0.6 y_t - 0.2 y_{t-1} + 0.5 x_t exactly, x a deterministic irregular signal.
        int n = 400;
        var x = Enumerable.Range(0, n).Select(t => Math.Sin(t * 1.3) + Math.Cos(t * 0.17)).ToArray();
        var y = new double[n];
        y[0] = 0.1; y[1] = -0.3;
        for (int t = 1; t < n - 1; t++) y[t + 1] = 0.6 * y[t] - 0.2 * y[t - 1] + 0.5 * x[t];
        var d = ForecastData.Build(Series(n, t => y[t], t => x[t]), window: 3, horizon: 1, testSteps: 50, validSteps: 50);
        var ridge = RidgeAutoregression.Fit(d, lags: 3);
        Assert.Equal(1e-3, ridge.Lambda);
        var pred = ridge.Predict(d, d.TestOrigins);
        var truth = d.Truth(d.TestOrigins);
        Assert.True(ForecastAccuracy.Of(truth, pred, 1).Rmse < 1e-3, $"rmse {ForecastAccuracy.Of(truth, pred, 1).Rmse}");
    }

    [Fact]
    public void CalendarRidgeLearnsWeekdaysAndHolidaysOfTheForecastDay()
    {
        // Daily from 2014-01-01 (a Wednesday): y = 10 + 3 on weekends - 6 on federal holidays + a little noise; x is noise.
        var start = new DateOnly(2014, 1, 1);
        var rng = new Random(5);
        int len = 1100;
        var dates = Enumerable.Range(0, len).Select(t => start.AddDays(t)).ToArray();
        var y = dates.Select(d => 10 + (d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 3 : 0) - (UsFederalHolidays.IsHoliday(d) ? 6 : 0) + 0.01 * rng.NextDouble()).ToArray();
        var x = Enumerable.Range(0, len).Select(_ => rng.NextDouble()).ToArray();
        var s = new TimeSeries("cal", dates.Select(d => d.ToString("yyyy-MM-dd")).ToArray(), "y", y, ["x"], [x]);
        var data = ForecastData.Build(s, window: 7, horizon: 3, testSteps: 200, validSteps: 150);
        var truth = data.Truth(data.TestOrigins);
        double Rmse(double[] p) => Math.Sqrt(p.Select((v, i) => (v - truth[i]) * (v - truth[i])).Average());
        var cal = RidgeAutoregression.Fit(data, 7, calendar: true);
        var plain = RidgeAutoregression.Fit(data, 7);
        Assert.True(cal.Calendar);
        Assert.True(Rmse(cal.Predict(data, data.TestOrigins)) < 0.05, $"calendar ridge RMSE {Rmse(cal.Predict(data, data.TestOrigins))}");
        Assert.True(Rmse(plain.Predict(data, data.TestOrigins)) > 0.5, $"plain ridge RMSE {Rmse(plain.Predict(data, data.TestOrigins))}");
        Assert.Equal(1 + 7 * 2 + CalendarFeatures.Count, cal.Weights.Length);
        var calAr = RidgeAutoregression.Fit(data, 7, calendar: true, drivers: false);      // target lags + calendar only
        Assert.Equal(1 + 7 + CalendarFeatures.Count, calAr.Weights.Length);
        Assert.True(Rmse(calAr.Predict(data, data.TestOrigins)) < 0.05, $"calendar AR RMSE {Rmse(calAr.Predict(data, data.TestOrigins))}");

        // The windows carry the calendar of the label day origin + h, not of the origin.
        using var scope = NewDisposeScope();
        int o = data.TestOrigins[0];
        var batch = data.Windows(data.TestOrigins, calendar: true).GetBatch([0]);
        Assert.Equal(CalendarFeatures.Of(dates[o + 3]).Select(v => (float)v), batch.Calendar!.data<float>().ToArray());
        Assert.Null(data.Windows(data.TestOrigins).GetBatch([0]).Calendar);

        // Time labels that are not dates: no calendar, and a clear error when one is asked for.
        var noDates = ForecastData.Build(Series(120, t => t % 7), 5, 1, 20, 20);
        Assert.Null(noDates.Calendar);
        Assert.Contains("need time labels that are dates", Assert.Throws<ArgumentException>(() => RidgeAutoregression.Fit(noDates, 5, calendar: true)).Message);
    }
}
