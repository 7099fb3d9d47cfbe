using System.Text.Json;
using AttentionSharp.Data.Series;
using AttentionSharp.Models.Forecasting;

namespace AttentionSharp.Tests.Models.Forecasting;

/// <summary>ARIMA and Holt-Winters against statsmodels 0.13.5 (Fixtures/Arima/reference.py wrote reference.json).</summary>
public class ArimaTests
{
    static readonly JsonElement Reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Arima", "reference.json"))).RootElement;

    static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    sealed record Case(string Name, ArimaOrder Order, double[] Y, string[] Names, double[] Params, double Llf, double Aic, double[] Fixed, double FixedLlf, double[] Forecast);

    static Case Load(string name)
    {
        var c = Reference.GetProperty("arima").EnumerateArray().First(x => x.GetProperty("name").GetString() == name);
        var o = c.GetProperty("order").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var s = c.GetProperty("seasonal").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var order = s[3] > 1 ? new ArimaOrder(o[0], o[1], o[2], s[0], s[1], s[2], s[3]) : new ArimaOrder(o[0], o[1], o[2]);
        return new Case(name, order, Doubles(c.GetProperty("y")), c.GetProperty("param_names").EnumerateArray().Select(v => v.GetString()!).ToArray(),
            Doubles(c.GetProperty("params")), c.GetProperty("llf").GetDouble(), c.GetProperty("aic").GetDouble(), Doubles(c.GetProperty("fixed_params")),
            c.GetProperty("fixed_llf").GetDouble(), Doubles(c.GetProperty("forecast")));
    }

    /// <summary>statsmodels' parameter vector (ar.L*, ma.L*, ar.S.L*, ma.S.L*, sigma2) as the model's coefficient arrays.</summary>
    static (double[] Ar, double[] Ma, double[] Sar, double[] Sma, double Sigma2) Split(Case c, double[] p)
    {
        double[] Take(Func<string, bool> f) => c.Names.Select((n, i) => (n, i)).Where(x => f(x.n)).Select(x => p[x.i]).ToArray();
        return (Take(n => n.StartsWith("ar.L")), Take(n => n.StartsWith("ma.L")), Take(n => n.StartsWith("ar.S.")), Take(n => n.StartsWith("ma.S.")), p[^1]);
    }

    /// <summary>The model with statsmodels' coefficients <paramref name="p"/> on the case's series, and the sigma^2 of <paramref name="p"/>.</summary>
    static (Arima Model, double Sigma2) At(Case c, double[] p)
    {
        var (ar, ma, sar, sma, s2) = Split(c, p);
        return (Arima.With(c.Order, c.Y, c.Y.Length, ar, ma, sar, sma), s2);
    }

    public static TheoryData<string> Cases => ["arma11", "arima211", "sarima101_111_7"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void LogLikelihoodAtGivenParametersEqualsStatsmodels(string name)
    {
        var c = Load(name);
        var (model, s2) = At(c, c.Fixed);
        Assert.Equal(c.FixedLlf, model.LogLikelihoodAt(c.Y, c.Y.Length, s2), 7);
        // At statsmodels' estimates the concentrated likelihood is its maximised one, and sigma^2 its estimate.
        var (at, s22) = At(c, c.Params);
        Assert.Equal(c.Llf, at.LogLikelihoodAt(c.Y, c.Y.Length, s22), 6);
        Assert.Equal(s22, at.Sigma2, 3);
        Assert.Equal(c.Llf, at.LogLikelihood, 4);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FitReachesStatsmodelsMaximumLikelihood(string name)
    {
        var c = Load(name);
        var fit = Arima.Fit(c.Y, c.Y.Length, c.Order);
        var (ar, ma, sar, sma, s2) = Split(c, c.Params);
        Assert.True(fit.LogLikelihood >= c.Llf - 1e-4, $"{name}: log-likelihood {fit.LogLikelihood} < statsmodels' {c.Llf}");
        var got = fit.Ar.Concat(fit.Ma).Concat(fit.SeasonalAr).Concat(fit.SeasonalMa).ToArray();
        var want = ar.Concat(ma).Concat(sar).Concat(sma).ToArray();
        for (int i = 0; i < want.Length; i++) Assert.True(Math.Abs(got[i] - want[i]) < 2e-3, $"{name} coefficient {i}: {got[i]} vs statsmodels {want[i]}");
        Assert.Equal(s2, fit.Sigma2, 2);
        Assert.Equal(c.Aic, fit.Aic, 2);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForecastsFromTheEndEqualStatsmodels(string name)
    {
        var c = Load(name);
        var (model, _) = At(c, c.Params);
        for (int h = 1; h <= 7; h++)
        {
            double got = model.Forecast([.. c.Y, .. new double[h]], [c.Y.Length - 1], h)[0];
            Assert.True(Math.Abs(got - c.Forecast[h - 1]) <= 1e-6 * (1 + Math.Abs(c.Forecast[h - 1])), $"{name} h={h}: {got} vs statsmodels {c.Forecast[h - 1]}");
        }
    }

    [Fact]
    public void HoltWintersEqualsStatsmodelsEtsWithTheSameStatesAndParameters()
    {
        var hw = Reference.GetProperty("holt_winters");
        var y = Doubles(hw.GetProperty("y"));
        int m = hw.GetProperty("period").GetInt32();
        var fitted = Doubles(hw.GetProperty("fitted"));
        var forecast = Doubles(hw.GetProperty("forecast"));
        var series = new TimeSeries("hw", y.Select((_, t) => t.ToString()).ToArray(), "y", y, [], []);
        var model = HoltWinters.With(m, hw.GetProperty("alpha").GetDouble(), hw.GetProperty("beta").GetDouble(), hw.GetProperty("gamma").GetDouble(), hw.GetProperty("phi").GetDouble());
        // One-step forecasts: statsmodels' fitted value k is the forecast of y[m + k] made at origin m + k - 1.
        var one = ForecastData.Build(series, 2, 1, 10, 10);
        var origins = Enumerable.Range(m, y.Length - m - 1).ToArray();
        var got = model.Predict(one, origins);
        for (int i = 0; i < origins.Length; i++) Assert.Equal(fitted[i + 1], got[i], 9);
        for (int h = 1; h <= 3; h++)
        {
            var data = ForecastData.Build(series with { Times = [.. series.Times, .. Enumerable.Range(0, h).Select(k => "f" + k)], Target = [.. y, .. new double[h]] }, 2, h, 10, 10);
            Assert.Equal(forecast[h - 1], model.Predict(data, [y.Length - 1])[0], 9);
        }
    }

    [Fact]
    public void OrdersParseAndBadOnesGetClearErrors()
    {
        Assert.Equal(new ArimaOrder(1, 1, 1, 0, 1, 1, 7), ArimaOrder.Parse("1,1,1,0,1,1,7"));
        Assert.Equal("(2,1,0)", ArimaOrder.Parse("2, 1, 0").ToString());
        Assert.Contains("p,d,q or p,d,q,P,D,Q,s", Assert.Throws<ArgumentException>(() => ArimaOrder.Parse("1,1")).Message);
        Assert.Contains("non-negative integers", Assert.Throws<ArgumentException>(() => ArimaOrder.Parse("1,x,1")).Message);
        Assert.Contains("needs a seasonal period", Assert.Throws<ArgumentException>(() => new ArimaOrder(1, 0, 0, 1, 0, 0, 1).Validate()).Message);
        Assert.Contains("needs more training steps", Assert.Throws<ArgumentException>(() => Arima.Fit(new double[20], 20, new ArimaOrder(2, 1, 2))).Message);
        Assert.Contains("needs 1 AR", Assert.Throws<ArgumentException>(() => Arima.With(new ArimaOrder(1, 0, 0), new double[50], 50, [], [])).Message);
    }

    [Fact]
    public void TheArimaOptionOfAForecastRunIsCheckedBeforeTraining()
    {
        ForecastExperiment.CheckArima("auto");
        ForecastExperiment.CheckArima("none");
        ForecastExperiment.CheckArima("1,1,1,0,1,1,7");
        var e = Assert.Throws<ArgumentException>(() => new ForecastTrainSpec(new ForecastDataSpec(), Arima: "1,x,1").Validate());
        Assert.Contains("Arima must be auto, none or an order p,d,q[,P,D,Q,s]", e.Message);
        Assert.Contains("non-negative integers", e.Message);
        Assert.Contains("needs a seasonal period", Assert.Throws<ArgumentException>(() => ForecastExperiment.CheckArima("1,0,0,1,0,0,1")).Message);
    }

    [Fact]
    public void PartialAutocorrelationsMapOntoStationaryPolynomials()
    {
        // r = (0.5) -> phi = (0.5); r = (0.5, 0.2) -> phi_1 = 0.5 - 0.2 * 0.5 = 0.4, phi_2 = 0.2 (Durbin-Levinson).
        Assert.Equal([0.5], Arima.FromPartialAutocorrelations([0.5]));
        var two = Arima.FromPartialAutocorrelations([0.5, 0.2]);
        Assert.Equal(0.4, two[0], 12);
        Assert.Equal(0.2, two[1], 12);
    }
}
