using AttentionSharp.Models.Forecasting;

namespace AttentionSharp.Tests.Models.Forecasting;

public class DieboldMarianoTests
{
    /// <summary>Student t with 3 degrees of freedom in closed form: F(t) = 1/2 + (1/pi) (u/(1+u^2) + atan u), u = t/sqrt 3.</summary>
    static double UpperTailT3(double t)
    {
        double u = t / Math.Sqrt(3);
        return 0.5 - (u / (1 + u * u) + Math.Atan(u)) / Math.PI;
    }

    [Fact]
    public void StudentTTailsAgainstClosedFormsAndTables()
    {
        Assert.Equal(0.25, StudentT.UpperTail(1, 1), 12);                                         // Cauchy: 1/2 - atan(1)/pi
        foreach (double t in new[] { 0.3, 1.7, 4.2 })
        {
            Assert.Equal(0.5 - Math.Atan(t) / Math.PI, StudentT.UpperTail(t, 1), 12);
            Assert.Equal(0.5 - t / (2 * Math.Sqrt(2 + t * t)), StudentT.UpperTail(t, 2), 12);   // df = 2
            Assert.Equal(UpperTailT3(t), StudentT.UpperTail(t, 3), 12);
            Assert.Equal(1 - UpperTailT3(t), StudentT.UpperTail(-t, 3), 12);
        }
        Assert.Equal(0.025, StudentT.UpperTail(2.228138851986, 10), 9);                            // t_{0.975, 10}
        Assert.Equal(0.025, StudentT.UpperTail(2.042272456301, 30), 9);                            // t_{0.975, 30}
        Assert.Equal(0.025, StudentT.NormalUpperTail(1.959963984540), 6);
        Assert.Equal(0.5, StudentT.UpperTail(0, 7), 12);
    }

    [Fact]
    public void StatisticByHandAtHorizonOneAndTwo()
    {
        // e1 = 1, 2, 3, 4; e2 = 1, 1, 1, 1: d = 0, 3, 8, 15, mean 6.5, deviations -6.5, -3.5, 1.5, 8.5.
        // gamma_0 = (42.25 + 12.25 + 2.25 + 72.25) / 4 = 32.25; gamma_1 = (22.75 - 5.25 + 12.75) / 4 = 7.5625.
        double[] e1 = [1, 2, 3, 4], e2 = [1, 1, 1, 1];
        var h1 = DieboldMariano.Test(e1, e2, 1);
        double dm1 = 6.5 / Math.Sqrt(32.25 / 4);
        double hln1 = dm1 * Math.Sqrt((4 + 1 - 2 + 0.0) / 4);
        Assert.Equal(6.5, h1.MeanDifference, 12);
        Assert.Equal(32.25 / 4, h1.Variance, 12);
        Assert.Equal(hln1, h1.Statistic, 12);
        Assert.Equal(1.98248, h1.Statistic, 4);
        Assert.Equal(2 * UpperTailT3(hln1), h1.PValue, 10);
        var asym = DieboldMariano.Test(e1, e2, 1, smallSample: false);
        Assert.Equal(dm1, asym.Statistic, 12);
        Assert.Equal(2 * StudentT.NormalUpperTail(dm1), asym.PValue, 12);

        var h2 = DieboldMariano.Test(e1, e2, 2);
        double dm2 = 6.5 / Math.Sqrt((32.25 + 2 * 7.5625) / 4);
        double hln2 = dm2 * Math.Sqrt((4 + 1 - 4 + 2.0 * 1 / 4) / 4);
        Assert.Equal(2, h2.Horizon);
        Assert.Equal(hln2, h2.Statistic, 12);
        Assert.Equal(2 * UpperTailT3(hln2), h2.PValue, 10);
        var bartlett = DieboldMariano.Test(e1, e2, 2, bartlett: true);                             // w_1 = 1 - 1/2
        Assert.Equal(6.5 / Math.Sqrt((32.25 + 7.5625) / 4) * Math.Sqrt(1.5 / 4), bartlett.Statistic, 12);

        // Swapping the forecasts flips the sign, not the p-value.
        var swapped = DieboldMariano.Test(e2, e1, 2);
        Assert.Equal(-h2.Statistic, swapped.Statistic, 12);
        Assert.Equal(h2.PValue, swapped.PValue, 12);
    }

    [Fact]
    public void NonPositiveVarianceFallsBackToHorizonOneAndBadInputIsRefused()
    {
        // d = 1, -1, 1, -1, 1, -1: gamma_1 = -5/6 gamma_0, so the h = 2 variance is negative (R's dm.test then uses h = 1).
        double s = Math.Sqrt(2);
        double[] e1 = [s, 0, s, 0, s, 0], e2 = [1, 1, 1, 1, 1, 1];
        var r = DieboldMariano.Test(e1, e2, 2);
        Assert.Equal(1, r.Horizon);
        Assert.Equal(0, r.Statistic, 12);
        Assert.Equal(1, r.PValue, 12);
        Assert.Contains("equally long", Assert.Throws<ArgumentException>(() => DieboldMariano.Test([1, 2], [1], 1)).Message);
        Assert.Contains("constant", Assert.Throws<ArgumentException>(() => DieboldMariano.Test([1, 2, 3], [1, 2, 3], 1)).Message);
    }

    [Theory]
    [InlineData(1, 1.6881488263955677, 0.09666240116136371)]
    [InlineData(3, 1.1987571305388451, 0.23541514905318695)]
    [InlineData(7, 2.4233309048031035, 0.01846528529846987)]
    public void MatchesTheReferenceScript(int h, double stat, double p)
    {
        // Fixtures/DieboldMariano/dm_reference.py: the same statistic written separately in Python from the formulas.
        const int n = 60;
        var e1 = Enumerable.Range(0, n).Select(t => Math.Sin(0.37 * t) + 0.3 * Math.Cos(1.3 * t) + 0.2).ToArray();
        var e2 = Enumerable.Range(0, n).Select(t => 0.8 * Math.Cos(0.21 * t) + 0.5 * Math.Sin(2.1 * t)).ToArray();
        var r = DieboldMariano.Test(e1, e2, h);
        Assert.Equal(h, r.Horizon);
        Assert.Equal(stat, r.Statistic, 10);
        Assert.Equal(p, r.PValue, 10);
    }
}
