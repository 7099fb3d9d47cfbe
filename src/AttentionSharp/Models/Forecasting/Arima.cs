using System.Globalization;
using AttentionSharp.Data.Series;

namespace AttentionSharp.Models.Forecasting;

/// <summary>
/// The order of a seasonal ARIMA model (p, d, q)(P, D, Q)_s: <c>phi(B) Phi(B^s) (1 - B)^d (1 - B^s)^D y_t = theta(B) Theta(B^s) e_t</c>
/// (Box and Jenkins; the notation of R's <c>arima</c> and statsmodels' SARIMAX).
/// </summary>
/// <param name="P">Non-seasonal AR order p.</param>
/// <param name="D">Non-seasonal differences d.</param>
/// <param name="Q">Non-seasonal MA order q.</param>
/// <param name="SeasonalP">Seasonal AR order P.</param>
/// <param name="SeasonalD">Seasonal differences D.</param>
/// <param name="SeasonalQ">Seasonal MA order Q.</param>
/// <param name="Season">Seasonal period s (1: no seasonal part).</param>
public sealed record ArimaOrder(int P, int D, int Q, int SeasonalP = 0, int SeasonalD = 0, int SeasonalQ = 0, int Season = 1)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (P is < 0 or > 10 || Q is < 0 or > 10) throw new ArgumentException($"p and q must be in 0..10; got {P}, {Q}");
        if (D is < 0 or > 2 || SeasonalD is < 0 or > 1) throw new ArgumentException($"d must be in 0..2 and D in 0..1; got {D}, {SeasonalD}");
        if (SeasonalP is < 0 or > 3 || SeasonalQ is < 0 or > 3) throw new ArgumentException($"P and Q must be in 0..3; got {SeasonalP}, {SeasonalQ}");
        if (Season < 1) throw new ArgumentException($"the seasonal period must be >= 1; got {Season}");
        if (Season == 1 && (SeasonalP > 0 || SeasonalD > 0 || SeasonalQ > 0))
            throw new ArgumentException($"a seasonal part (P, D, Q) = ({SeasonalP}, {SeasonalD}, {SeasonalQ}) needs a seasonal period s > 1");
    }

    /// <summary>Reads <c>p,d,q</c> or <c>p,d,q,P,D,Q,s</c>.</summary>
    public static ArimaOrder Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        int[] v;
        try { v = parts.Select(s => int.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray(); }
        catch (FormatException) { throw new ArgumentException($"an ARIMA order is p,d,q or p,d,q,P,D,Q,s (non-negative integers); got '{text}'"); }
        var order = v.Length switch
        {
            3 => new ArimaOrder(v[0], v[1], v[2]),
            7 => new ArimaOrder(v[0], v[1], v[2], v[3], v[4], v[5], v[6]),
            _ => throw new ArgumentException($"an ARIMA order is p,d,q or p,d,q,P,D,Q,s; got {v.Length} numbers in '{text}'"),
        };
        order.Validate();
        return order;
    }

    /// <summary>Number of ARMA coefficients (p + q + P + Q).</summary>
    public int Coefficients => P + Q + SeasonalP + SeasonalQ;

    /// <summary>Steps lost to differencing (d + s D).</summary>
    public int Lost => D + Season * SeasonalD;

    /// <inheritdoc />
    public override string ToString() => Season > 1 ? $"({P},{D},{Q})({SeasonalP},{SeasonalD},{SeasonalQ})_{Season}" : $"({P},{D},{Q})";
}

/// <summary>
/// Seasonal ARIMA fitted by exact Gaussian maximum likelihood, as statsmodels' <c>SARIMAX(..., simple_differencing=True)</c>
/// and R's <c>arima(method = "ML")</c> do: the series is differenced, <c>w_t = (1 - B)^d (1 - B^s)^D y_t</c> (demeaned by its
/// training mean when d = D = 0), and the likelihood of the ARMA model of w comes from a Kalman filter on Harvey's state-space form
/// (state dimension r = max(p + sP, q + sQ + 1), stationary initial covariance from the Lyapunov equation), with the noise
/// variance concentrated out. The coefficients are searched in an unconstrained space mapped onto stationary AR and
/// invertible MA polynomials through partial autocorrelations (Jones 1980; Durbin-Levinson), by Nelder-Mead with restarts.
/// Forecasts run the filter through the true history up to each origin with the fitted coefficients (rolling origins,
/// nothing refitted) and undo the differencing.
/// </summary>
public sealed class Arima
{
    Arima(ArimaOrder order, double[] ar, double[] ma, double[] sar, double[] sma, double sigma2, double mean, double logLikelihood, int observations)
    {
        Order = order; Ar = ar; Ma = ma; SeasonalAr = sar; SeasonalMa = sma; Sigma2 = sigma2; Mean = mean; LogLikelihood = logLikelihood; Observations = observations;
    }

    /// <summary>The order.</summary>
    public ArimaOrder Order { get; }
    /// <summary>AR coefficients phi_1..phi_p of <c>phi(B) = 1 - phi_1 B - ... - phi_p B^p</c>.</summary>
    public double[] Ar { get; }
    /// <summary>MA coefficients theta_1..theta_q of <c>theta(B) = 1 + theta_1 B + ... + theta_q B^q</c>.</summary>
    public double[] Ma { get; }
    /// <summary>Seasonal AR coefficients Phi_1..Phi_P (of B^s, B^2s, ...).</summary>
    public double[] SeasonalAr { get; }
    /// <summary>Seasonal MA coefficients Theta_1..Theta_Q.</summary>
    public double[] SeasonalMa { get; }
    /// <summary>Innovation variance sigma^2 (its maximum-likelihood value given the coefficients).</summary>
    public double Sigma2 { get; }
    /// <summary>Mean removed before fitting (the training mean when d = D = 0, else 0).</summary>
    public double Mean { get; }
    /// <summary>Maximised log-likelihood of the differenced training series.</summary>
    public double LogLikelihood { get; }
    /// <summary>Observations of the differenced training series.</summary>
    public int Observations { get; }
    /// <summary>Akaike's criterion, <c>-2 log L + 2 k</c> with k = the coefficients + sigma^2 (statsmodels' count).</summary>
    public double Aic => -2 * LogLikelihood + 2 * (Order.Coefficients + 1);

    /// <summary>A model with given coefficients (tests, and users who know them); sigma^2 and the log-likelihood are those of <paramref name="y"/>[0..<paramref name="end"/>).</summary>
    public static Arima With(ArimaOrder order, double[] y, int end, double[] ar, double[] ma, double[]? sar = null, double[]? sma = null)
    {
        order.Validate();
        sar ??= []; sma ??= [];
        if (ar.Length != order.P || ma.Length != order.Q || sar.Length != order.SeasonalP || sma.Length != order.SeasonalQ)
            throw new ArgumentException($"order {order} needs {order.P} AR, {order.Q} MA, {order.SeasonalP} seasonal AR and {order.SeasonalQ} seasonal MA coefficients; got {ar.Length}, {ma.Length}, {sar.Length}, {sma.Length}");
        var (w, mean) = Differenced(y, end, order);
        var (phi, theta) = Expand(order, ar, ma, sar, sma);
        var f = Filter(w, phi, theta);
        return new Arima(order, ar, ma, sar, sma, f.Sigma2, mean, f.ConcentratedLogLikelihood, w.Length);
    }

    /// <summary>
    /// The exact Gaussian log-likelihood of the differenced <paramref name="y"/>[0..<paramref name="end"/>) at these coefficients
    /// and a given <paramref name="sigma2"/> (statsmodels' <c>loglike</c> of the same model and parameters).
    /// </summary>
    public double LogLikelihoodAt(double[] y, int end, double sigma2)
    {
        if (!(sigma2 > 0)) throw new ArgumentException($"sigma2 must be > 0; got {sigma2}");
        var (w, _) = Differenced(y, end, Order);
        var (phi, theta) = Expand(Order, Ar, Ma, SeasonalAr, SeasonalMa);
        var f = Filter(w, phi, theta);
        return -0.5 * (w.Length * Math.Log(2 * Math.PI * sigma2) + f.SumLogF + f.SumScaledSquares / sigma2);
    }

    /// <summary>Fits the coefficients of <paramref name="order"/> on <paramref name="y"/>[0..<paramref name="end"/>) by maximum likelihood.</summary>
    public static Arima Fit(double[] y, int end, ArimaOrder order, int maxEvaluations = 4000)
    {
        order.Validate();
        if (end > y.Length || end - order.Lost < 3 * (order.Coefficients + 1) + 10)
            throw new ArgumentException($"ARIMA{order} needs more training steps than {end} (of {y.Length})");
        var (w, mean) = Differenced(y, end, order);
        int k = order.Coefficients;
        double Objective(double[] u)
        {
            var (ar, ma, sar, sma) = Constrain(order, u);
            var (phi, theta) = Expand(order, ar, ma, sar, sma);
            var f = Filter(w, phi, theta);
            return double.IsFinite(f.ConcentratedLogLikelihood) ? -f.ConcentratedLogLikelihood : double.MaxValue;
        }
        var x = new double[k];
        if (k > 0)
        {
            double best = Objective(x);
            for (int restart = 0; restart < 4; restart++)
            {
                var (nx, nf) = NelderMead.Minimize(Objective, x, restart == 0 ? 0.5 : 0.1, maxEvaluations, 1e-10);
                bool improved = nf < best - 1e-9 * Math.Max(1, Math.Abs(best));
                x = nx; best = Math.Min(best, nf);
                if (!improved && restart > 0) break;
            }
        }
        var c = Constrain(order, x);
        var (p2, t2) = Expand(order, c.Ar, c.Ma, c.Sar, c.Sma);
        var fit = Filter(w, p2, t2);
        return new Arima(order, c.Ar, c.Ma, c.Sar, c.Sma, fit.Sigma2, mean, fit.ConcentratedLogLikelihood, w.Length);
    }

    /// <summary>Fits each candidate order and keeps the one with the lowest AIC (orders that cannot be fitted are skipped).</summary>
    public static Arima Select(double[] y, int end, IEnumerable<ArimaOrder> candidates, Action<Arima>? onFit = null)
    {
        Arima? best = null;
        foreach (var order in candidates)
        {
            var m = Fit(y, end, order);
            onFit?.Invoke(m);
            if (best == null || m.Aic < best.Aic) best = m;
        }
        return best ?? throw new ArgumentException("no candidate ARIMA order was given");
    }

    /// <summary>The small grid searched for daily data with a weekly season: (p, 1, q)(P, 1, Q)_s, p, q in 0..2, P, Q in 0..1.</summary>
    public static IEnumerable<ArimaOrder> SeasonalGrid(int season)
    {
        for (int p = 0; p <= 2; p++)
            for (int q = 0; q <= 2; q++)
            {
                if (season <= 1) { yield return new ArimaOrder(p, 1, q); continue; }
                for (int sp = 0; sp <= 1; sp++)
                    for (int sq = 0; sq <= 1; sq++) yield return new ArimaOrder(p, 1, q, sp, 1, sq, season);
            }
    }

    /// <summary>
    /// The orders <c>attn forecast</c> searches by AIC for a period s: s &lt;= 24, <see cref="SeasonalGrid"/>; longer periods (half-hourly
    /// data with s = 336), where seasonal AR/MA terms would make the state hundreds of elements long, (p, 0, q)(0, 1, 0)_s with
    /// p, q in 0..2: ARMA errors around the value one season earlier.
    /// </summary>
    public static IEnumerable<ArimaOrder> AutoGrid(int season)
    {
        if (season <= 24) return SeasonalGrid(season);
        return from p in Enumerable.Range(0, 3) from q in Enumerable.Range(0, 3) select new ArimaOrder(p, 0, q, 0, 1, 0, season);
    }

    /// <summary>The h-step forecasts of y from each origin (the filter runs over the true history up to the origin; coefficients fixed).</summary>
    public double[] Forecast(double[] y, int[] origins, int h)
    {
        if (h < 1) throw new ArgumentException($"h must be >= 1; got {h}");
        int lost = Order.Lost;
        if (origins.Any(t => t < lost || t >= y.Length))
            throw new ArgumentException($"ARIMA{Order} forecasts from origins in {lost}..{y.Length - 1}; got {origins.Min()}..{origins.Max()}");
        var (w, _) = Differenced(y, origins.Max() + 1, Order, Mean);
        var (phi, theta) = Expand(Order, Ar, Ma, SeasonalAr, SeasonalMa);
        var delta = DifferencePolynomial(Order);   // y_t = w_t + sum_j delta[j] y_{t-j}
        var at = origins.Select((t, i) => (t, i)).ToLookup(x => x.t, x => x.i);
        var forecast = new double[origins.Length];
        Filter(w, phi, theta, (index, predicted, transition) =>
        {
            int t = index + lost;                                   // w[index] is y's step t
            if (!at.Contains(t)) return;
            // predicted = a_{t+1|t}; w^_{t+k} = first element of T^{k-1} a_{t+1|t}.
            var a = (double[])predicted.Clone();
            var yHat = new Dictionary<int, double>();
            double Y(int s) => s <= t ? y[s] : yHat[s];
            for (int k = 1; k <= h; k++)
            {
                double wk = a[0] + (lost == 0 ? Mean : 0);
                double v = wk;
                for (int j = 1; j < delta.Length; j++) v += delta[j] * Y(t + k - j);
                yHat[t + k] = v;
                a = transition(a);
            }
            foreach (var i in at[t]) forecast[i] = yHat[t + h];
        });
        return forecast;
    }

    /// <summary>Forecasts for the data's test origins at its horizon.</summary>
    public double[] Predict(ForecastData data, int[] origins) => Forecast(data.Series.Target, origins, data.Horizon);

    /// <summary>The differenced series of y[0..end) (demeaned by <paramref name="mean"/>, or by its own mean when d = D = 0 and none is given).</summary>
    static (double[] W, double Mean) Differenced(double[] y, int end, ArimaOrder order, double? mean = null)
    {
        var delta = DifferencePolynomial(order);
        int lost = order.Lost;
        if (end <= lost) throw new ArgumentException($"ARIMA{order} loses {lost} steps to differencing; got {end}");
        double m = lost == 0 ? mean ?? y.Take(end).Average() : 0;
        var w = new double[end - lost];
        for (int t = lost; t < end; t++)
        {
            double v = y[t];
            for (int j = 1; j < delta.Length; j++) v -= delta[j] * y[t - j];
            w[t - lost] = v - m;
        }
        return (w, m);
    }

    /// <summary><c>(1 - B)^d (1 - B^s)^D = 1 - sum_j delta_j B^j</c>: returns delta (index 0 unused).</summary>
    static double[] DifferencePolynomial(ArimaOrder order)
    {
        var poly = new double[] { 1 };
        for (int i = 0; i < order.D; i++) poly = Multiply(poly, [1, -1]);
        for (int i = 0; i < order.SeasonalD; i++)
        {
            var s = new double[order.Season + 1];
            s[0] = 1; s[order.Season] = -1;
            poly = Multiply(poly, s);
        }
        return poly.Select((c, j) => j == 0 ? 0 : -c).ToArray();
    }

    static double[] Multiply(double[] a, double[] b)
    {
        var c = new double[a.Length + b.Length - 1];
        for (int i = 0; i < a.Length; i++)
            for (int j = 0; j < b.Length; j++) c[i + j] += a[i] * b[j];
        return c;
    }

    /// <summary>The full AR coefficients of <c>phi(B) Phi(B^s)</c> and MA coefficients of <c>theta(B) Theta(B^s)</c> (lag 1 first).</summary>
    static (double[] Phi, double[] Theta) Expand(ArimaOrder o, double[] ar, double[] ma, double[] sar, double[] sma)
    {
        double[] Poly(double[] c, int step, double sign)
        {
            var p = new double[c.Length * step + 1];
            p[0] = 1;
            for (int i = 0; i < c.Length; i++) p[(i + 1) * step] = sign * c[i];
            return p;
        }
        var arPoly = Multiply(Poly(ar, 1, -1), Poly(sar, o.Season, -1));     // 1 - phi_1 B - ...
        var maPoly = Multiply(Poly(ma, 1, 1), Poly(sma, o.Season, 1));       // 1 + theta_1 B + ...
        return (arPoly.Skip(1).Select(c => -c).ToArray(), maPoly.Skip(1).ToArray());
    }

    /// <summary>Maps unconstrained values onto stationary AR / invertible MA coefficients (partial autocorrelations r = u / sqrt(1 + u^2), Durbin-Levinson).</summary>
    static (double[] Ar, double[] Ma, double[] Sar, double[] Sma) Constrain(ArimaOrder o, double[] u)
    {
        int at = 0;
        double[] Next(int n, bool ma)
        {
            var r = u.Skip(at).Take(n).Select(v => v / Math.Sqrt(1 + v * v)).ToArray();
            at += n;
            var c = FromPartialAutocorrelations(r);
            return ma ? c.Select(v => -v).ToArray() : c;
        }
        var ar = Next(o.P, false);
        var ma = Next(o.Q, true);
        var sar = Next(o.SeasonalP, false);
        var sma = Next(o.SeasonalQ, true);
        return (ar, ma, sar, sma);
    }

    /// <summary>Durbin-Levinson: partial autocorrelations in (-1, 1) to the coefficients of a stationary AR polynomial.</summary>
    internal static double[] FromPartialAutocorrelations(double[] r)
    {
        var phi = Array.Empty<double>();
        for (int k = 0; k < r.Length; k++)
        {
            var next = new double[k + 1];
            for (int j = 0; j < k; j++) next[j] = phi[j] - r[k] * phi[k - 1 - j];
            next[k] = r[k];
            phi = next;
        }
        return phi;
    }

    /// <summary>What one pass of the Kalman filter gives (with sigma^2 = 1; the variance scales out).</summary>
    readonly record struct FilterResult(double SumLogF, double SumScaledSquares, int N)
    {
        public double Sigma2 => SumScaledSquares / N;
        public double ConcentratedLogLikelihood => -0.5 * (N * (Math.Log(2 * Math.PI * Sigma2) + 1) + SumLogF);
    }

    /// <summary>Called after step i with the one-step prediction of the next state and a function applying the transition.</summary>
    delegate void FilterObserver(int index, double[] predicted, Func<double[], double[]> transition);

    /// <summary>
    /// Kalman filter of the ARMA model <c>w_t = sum phi_i w_{t-i} + e_t + sum theta_j e_{t-j}</c> in Harvey's form: state
    /// dimension r = max(p, q + 1), transition T (phi in the first column, ones on the superdiagonal), R = (1, theta_1, ...),
    /// Z = (1, 0, ...), a_1 = 0, P_1 the stationary covariance (sigma^2 = 1). The O(r^2) updates use T's companion structure;
    /// once P has converged (steady state) it is no longer updated.
    /// </summary>
    static FilterResult Filter(double[] w, double[] phi, double[] theta, FilterObserver? observe = null)
    {
        int p = phi.Length, q = theta.Length, r = Math.Max(p, q + 1);
        var R = new double[r];
        R[0] = 1;
        for (int j = 0; j < q; j++) R[j + 1] = theta[j];
        double Tf(int i) => i < p ? phi[i] : 0;   // first column of T
        double[] Transition(double[] a)
        {
            var b = new double[r];
            for (int i = 0; i < r; i++) b[i] = Tf(i) * a[0] + (i + 1 < r ? a[i + 1] : 0);
            return b;
        }
        // T M T' for symmetric M, in O(r^2).
        double[,] TMT(double[,] m)
        {
            var tm = new double[r, r];       // (T M)[i, j] = T[i,0] M[0,j] + M[i+1, j]
            for (int i = 0; i < r; i++)
                for (int j = 0; j < r; j++) tm[i, j] = Tf(i) * m[0, j] + (i + 1 < r ? m[i + 1, j] : 0);
            var o = new double[r, r];        // (T M T')[i, j] = (T M)[i, 0] T[j, 0] + (T M)[i, j+1]
            for (int i = 0; i < r; i++)
                for (int j = 0; j < r; j++) o[i, j] = tm[i, 0] * Tf(j) + (j + 1 < r ? tm[i, j + 1] : 0);
            return o;
        }
        // Stationary P: P = T P T' + R R', by doubling (P = sum_k T^k R R' T'^k).
        var P = new double[r, r];
        for (int i = 0; i < r; i++) for (int j = 0; j < r; j++) P[i, j] = R[i] * R[j];
        {
            // Iterate P <- T P T' + RR' with squaring of the step: A_k = T^(2^k); P_{k+1} = P_k + A_k P_k A_k'.
            var A = new double[r, r];
            for (int i = 0; i < r; i++) { A[i, 0] = Tf(i); if (i + 1 < r) A[i, i + 1] = 1; }
            for (int iter = 0; iter < 64; iter++)
            {
                var apa = Mul(Mul(A, P, r), Transpose(A, r), r);
                double change = 0, size = 0;
                for (int i = 0; i < r; i++) for (int j = 0; j < r; j++) { P[i, j] += apa[i, j]; change = Math.Max(change, Math.Abs(apa[i, j])); size = Math.Max(size, Math.Abs(P[i, j])); }
                if (change <= 1e-15 * size || !double.IsFinite(size)) break;
                A = Mul(A, A, r);
            }
        }
        var a = new double[r];
        double sumLogF = 0, sumSq = 0;
        bool steady = false;
        for (int t = 0; t < w.Length; t++)
        {
            double F = P[0, 0];
            if (!(F > 0) || !double.IsFinite(F)) return new FilterResult(double.NaN, double.NaN, w.Length);
            double v = w[t] - a[0];
            sumLogF += Math.Log(F);
            sumSq += v * v / F;
            var TPz = new double[r];                          // T P Z' = T P[:, 0]
            for (int i = 0; i < r; i++) TPz[i] = Tf(i) * P[0, 0] + (i + 1 < r ? P[i + 1, 0] : 0);
            var next = Transition(a);
            for (int i = 0; i < r; i++) next[i] += TPz[i] / F * v;   // a_{t+1} = T a_t + K_t v_t, K_t = T P Z' / F
            a = next;
            if (!steady)
            {
                var np = TMT(P);                               // P_{t+1} = T P T' - K K' F + R R'
                double change = 0, size = 0;
                for (int i = 0; i < r; i++)
                    for (int j = 0; j < r; j++)
                    {
                        double value = np[i, j] - TPz[i] * TPz[j] / F + R[i] * R[j];
                        change = Math.Max(change, Math.Abs(value - P[i, j]));
                        size = Math.Max(size, Math.Abs(value));
                        np[i, j] = value;
                    }
                P = np;
                steady = change <= 1e-14 * size;
            }
            observe?.Invoke(t, a, Transition);
        }
        return new FilterResult(sumLogF, sumSq, w.Length);
    }

    static double[,] Mul(double[,] x, double[,] y, int r)
    {
        var o = new double[r, r];
        for (int i = 0; i < r; i++)
            for (int k = 0; k < r; k++)
            {
                double xi = x[i, k];
                if (xi == 0) continue;
                for (int j = 0; j < r; j++) o[i, j] += xi * y[k, j];
            }
        return o;
    }

    static double[,] Transpose(double[,] x, int r)
    {
        var o = new double[r, r];
        for (int i = 0; i < r; i++) for (int j = 0; j < r; j++) o[i, j] = x[j, i];
        return o;
    }
}

/// <summary>Nelder-Mead simplex minimisation (Nelder and Mead 1965; reflection 1, expansion 2, contraction 0.5, shrink 0.5).</summary>
public static class NelderMead
{
    /// <summary>Minimises <paramref name="f"/> from <paramref name="start"/> with an initial simplex of edge <paramref name="step"/>; stops when the simplex's values differ by less than <paramref name="tolerance"/> (relative) or after <paramref name="maxEvaluations"/>.</summary>
    public static (double[] X, double F) Minimize(Func<double[], double> f, double[] start, double step, int maxEvaluations, double tolerance)
    {
        int n = start.Length;
        var xs = new double[n + 1][];
        var fs = new double[n + 1];
        xs[0] = (double[])start.Clone();
        fs[0] = f(xs[0]);
        for (int i = 0; i < n; i++)
        {
            xs[i + 1] = (double[])start.Clone();
            xs[i + 1][i] += step;
            fs[i + 1] = f(xs[i + 1]);
        }
        int evals = n + 1;
        double[] Along(double[] centre, double[] x, double c) => centre.Select((v, j) => v + c * (x[j] - v)).ToArray();
        while (evals < maxEvaluations)
        {
            var order = Enumerable.Range(0, n + 1).OrderBy(i => fs[i]).ToArray();
            xs = order.Select(i => xs[i]).ToArray();
            fs = order.Select(i => fs[i]).ToArray();
            if (Math.Abs(fs[n] - fs[0]) <= tolerance * (Math.Abs(fs[0]) + 1e-12)) break;
            var centre = new double[n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) centre[j] += xs[i][j] / n;
            var xr = Along(centre, xs[n], -1); double fr = f(xr); evals++;
            if (fr < fs[0])
            {
                var xe = Along(centre, xs[n], -2); double fe = f(xe); evals++;
                (xs[n], fs[n]) = fe < fr ? (xe, fe) : (xr, fr);
            }
            else if (fr < fs[n - 1]) (xs[n], fs[n]) = (xr, fr);
            else
            {
                bool outside = fr < fs[n];
                var xc = Along(centre, outside ? xr : xs[n], 0.5); double fc = f(xc); evals++;
                if (fc < (outside ? fr : fs[n])) (xs[n], fs[n]) = (xc, fc);
                else
                {
                    for (int i = 1; i <= n; i++) { xs[i] = Along(xs[0], xs[i], 0.5); fs[i] = f(xs[i]); evals++; }
                }
            }
        }
        int best = Array.IndexOf(fs, fs.Min());
        return (xs[best], fs[best]);
    }
}
