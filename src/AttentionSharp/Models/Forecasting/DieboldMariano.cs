namespace AttentionSharp.Models.Forecasting;

/// <summary>The result of a Diebold-Mariano test.</summary>
/// <param name="Statistic">The statistic (HLN-corrected when <paramref name="SmallSample"/>); negative: the first forecast has the smaller loss.</param>
/// <param name="PValue">Two-sided p-value: Student t with n - 1 degrees of freedom (HLN) or the standard normal.</param>
/// <param name="MeanDifference">Mean loss difference d-bar = mean(e1^2 - e2^2).</param>
/// <param name="Variance">The estimated variance of d-bar (long-run variance / n).</param>
/// <param name="Horizon">The horizon h used (1 when the h-step variance came out non-positive and the test fell back to h = 1, as R's forecast::dm.test does).</param>
/// <param name="SmallSample">Whether the Harvey-Leybourne-Newbold correction and the t distribution were used.</param>
public sealed record DieboldMarianoResult(double Statistic, double PValue, double MeanDifference, double Variance, int Horizon, bool SmallSample);

/// <summary>
/// The Diebold-Mariano test (Diebold and Mariano 1995) of equal predictive accuracy under squared-error loss, with the
/// small-sample correction of Harvey, Leybourne and Newbold (1997), as R's <c>forecast::dm.test</c> computes it:
/// <c>d_t = e1_t^2 - e2_t^2</c>; <c>gamma_k = (1/n) sum_{t>k} (d_t - dbar)(d_{t-k} - dbar)</c>; for an h-step forecast the
/// variance of dbar is <c>V = (gamma_0 + 2 sum_{k=1}^{h-1} w_k gamma_k) / n</c> with <c>w_k = 1</c> (the truncated rectangular
/// window of DM and HLN) or <c>w_k = 1 - k/h</c> (Bartlett, Newey-West); <c>DM = dbar / sqrt(V)</c>; HLN:
/// <c>DM* = DM sqrt((n + 1 - 2h + h(h-1)/n) / n)</c>, p-value from Student t with n - 1 degrees of freedom.
/// </summary>
public static class DieboldMariano
{
    /// <summary>Tests forecast errors <paramref name="e1"/> against <paramref name="e2"/> (same targets, same order).</summary>
    /// <param name="e1">Errors of the first forecast (prediction - truth).</param>
    /// <param name="e2">Errors of the second forecast.</param>
    /// <param name="horizon">Forecast horizon h (h - 1 autocovariances enter the variance).</param>
    /// <param name="smallSample">Harvey-Leybourne-Newbold correction and t distribution (true) or the asymptotic normal test.</param>
    /// <param name="bartlett">Bartlett (Newey-West) weights instead of the rectangular window.</param>
    public static DieboldMarianoResult Test(IReadOnlyList<double> e1, IReadOnlyList<double> e2, int horizon = 1, bool smallSample = true, bool bartlett = false)
    {
        if (e1.Count != e2.Count) throw new ArgumentException($"the error series must be equally long; got {e1.Count} and {e2.Count}");
        int n = e1.Count;
        if (horizon < 1) throw new ArgumentException($"horizon must be >= 1; got {horizon}");
        if (n < 2 || horizon >= n) throw new ArgumentException($"the test needs more than max(1, h) = {Math.Max(1, horizon)} errors; got {n}");
        var d = new double[n];
        for (int t = 0; t < n; t++) d[t] = e1[t] * e1[t] - e2[t] * e2[t];
        double mean = d.Average();
        double Gamma(int k)
        {
            double s = 0;
            for (int t = k; t < n; t++) s += (d[t] - mean) * (d[t - k] - mean);
            return s / n;
        }
        int h = horizon;
        double lrv = Gamma(0);
        for (int k = 1; k < h; k++) lrv += 2 * (bartlett ? 1 - (double)k / h : 1) * Gamma(k);
        if (lrv <= 0)
        {
            if (h == 1) throw new ArgumentException("the loss differences are constant: the Diebold-Mariano statistic is undefined");
            return Test(e1, e2, 1, smallSample, bartlett);
        }
        double variance = lrv / n;
        double stat = mean / Math.Sqrt(variance);
        double p;
        if (smallSample)
        {
            stat *= Math.Sqrt((n + 1 - 2.0 * h + (double)h * (h - 1) / n) / n);
            p = 2 * StudentT.UpperTail(Math.Abs(stat), n - 1);
        }
        else p = 2 * StudentT.NormalUpperTail(Math.Abs(stat));
        return new DieboldMarianoResult(stat, Math.Min(1, p), mean, variance, h, smallSample);
    }
}

/// <summary>Tail probabilities of Student's t and the standard normal distribution.</summary>
public static class StudentT
{
    /// <summary>P(T &gt; t) for T ~ Student t with <paramref name="df"/> degrees of freedom: <c>I_{df/(df+t^2)}(df/2, 1/2) / 2</c> for t &gt;= 0.</summary>
    public static double UpperTail(double t, double df)
    {
        if (!(df > 0)) throw new ArgumentException($"degrees of freedom must be > 0; got {df}");
        if (double.IsNaN(t)) return double.NaN;
        double tail = 0.5 * RegularizedBeta(df / (df + t * t), df / 2, 0.5);
        return t >= 0 ? tail : 1 - tail;
    }

    /// <summary>P(Z &gt; z) for the standard normal, <c>erfc(z / sqrt 2) / 2</c>.</summary>
    public static double NormalUpperTail(double z) => 0.5 * Erfc(z / Math.Sqrt(2));

    /// <summary>Complementary error function (Numerical Recipes' Chebyshev fit, relative error &lt; 1.2e-7).</summary>
    public static double Erfc(double x)
    {
        double z = Math.Abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
            t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /// <summary>The regularized incomplete beta function I_x(a, b) (continued fraction, Lentz's method).</summary>
    public static double RegularizedBeta(double x, double a, double b)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        return x < (a + 1) / (a + b + 2) ? front * BetaFraction(x, a, b) / a : 1 - front * BetaFraction(1 - x, b, a) / b;
    }

    static double BetaFraction(double x, double a, double b)
    {
        const double tiny = 1e-300, eps = 1e-15;
        double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
        if (Math.Abs(d) < tiny) d = tiny;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= 10000; m++)
        {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < eps) return h;
        }
        throw new InvalidOperationException($"the incomplete beta continued fraction did not converge (x = {x}, a = {a}, b = {b})");
    }

    /// <summary>log Gamma(x) for x &gt; 0 (Lanczos, g = 7, 9 coefficients; relative error about 1e-15).</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        ReadOnlySpan<double> c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
        x -= 1;
        double a = c[0], t = x + 7.5;
        for (int i = 1; i < 9; i++) a += c[i] / (x + i);
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }
}
