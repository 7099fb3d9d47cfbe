using AttentionSharp.Data;
using AttentionSharp.Data.Text;

namespace AttentionSharp.Models.TextClassification;

/// <summary>
/// Settings of the bag-of-n-grams peer (<see cref="NgramClassifier"/>).
/// </summary>
/// <param name="MaxOrder">Longest n-gram (1 = words only, 2 = words and word pairs, Wang and Manning 2012's best on long reviews; 3 = also triples).</param>
/// <param name="NaiveBayesWeights">Scale each present n-gram by its naive-Bayes log-count ratio r (NB-LR, the logistic-loss
/// form of Wang and Manning's NBSVM); false = plain binary features (a tuned logistic regression).</param>
/// <param name="Smoothing">The alpha of the log-count ratio (add-alpha counts).</param>
/// <param name="L2Grid">Candidate L2 penalties lambda of the mean logistic loss; the one with the best inner cross-validated
/// accuracy is kept (ties: the larger penalty).</param>
/// <param name="InnerFolds">Stratified folds of the training texts used to choose lambda (1 = no search: the first value).</param>
/// <param name="MinCount">Keep n-grams that occur in at least this many training texts.</param>
/// <param name="MaxIterations">L-BFGS iterations per fit (a ceiling: it stops when the gradient is small).</param>
public sealed record NgramOptions(int MaxOrder = 2, bool NaiveBayesWeights = true, double Smoothing = 1.0,
    IReadOnlyList<double>? L2Grid = null, int InnerFolds = 5, int MinCount = 1, int MaxIterations = 500)
{
    /// <summary>The default grid of L2 penalties, a factor of about 3 apart.</summary>
    public static readonly double[] DefaultGrid = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1];

    /// <summary>The grid searched (<see cref="L2Grid"/> or <see cref="DefaultGrid"/>).</summary>
    public IReadOnlyList<double> Grid => L2Grid ?? DefaultGrid;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (MaxOrder is < 1 or > 5) throw new ArgumentException($"MaxOrder must be in 1..5; got {MaxOrder}");
        if (!(Smoothing > 0)) throw new ArgumentException($"Smoothing must be > 0; got {Smoothing}");
        if (Grid.Count == 0 || Grid.Any(l => !(l >= 0))) throw new ArgumentException($"L2Grid needs at least one penalty >= 0; got [{string.Join(", ", Grid)}]");
        if (InnerFolds < 1) throw new ArgumentException($"InnerFolds must be >= 1; got {InnerFolds}");
        if (MinCount < 1) throw new ArgumentException($"MinCount must be >= 1; got {MinCount}");
        if (MaxIterations < 1) throw new ArgumentException($"MaxIterations must be >= 1; got {MaxIterations}");
    }
}

/// <summary>
/// The strongest simple text baseline the project builds: binary word n-grams (<see cref="Tokenizer.Text"/> tokens), each
/// scaled by its naive-Bayes log-count ratio <c>r = log((p / |p|_1) / (q / |q|_1))</c> with <c>p = alpha + sum of the
/// binary vectors of the class's texts</c> and <c>q</c> the same over the other texts (Wang and Manning 2012, "Baselines
/// and Bigrams"), then an L2-regularised logistic regression
/// <c>min_w,b (1/n) sum_i log(1 + exp(-y_i (w . x_i + b))) + (lambda / 2) |w|^2</c> fitted by L-BFGS, one per class
/// against the rest when there are more than two. Lambda is chosen by stratified cross-validation inside the training
/// texts, so a test text never influences it.
/// </summary>
public sealed class NgramClassifier
{
    readonly Dictionary<string, int> index;
    readonly double[][] weights;   // per model: [features + 1], bias last
    readonly double[][] ratios;    // per model: NB ratio per feature (all 1 without NB weights)
    readonly int maxOrder;

    NgramClassifier(Dictionary<string, int> index, double[][] weights, double[][] ratios, int maxOrder, IReadOnlyList<string> classNames)
    {
        this.index = index; this.weights = weights; this.ratios = ratios; this.maxOrder = maxOrder; ClassNames = classNames;
    }

    /// <summary>Class names, by index.</summary>
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>Number of n-gram features.</summary>
    public int Features => index.Count;
    /// <summary>The penalty chosen by the inner cross-validation.</summary>
    public double ChosenL2 { get; private init; }
    /// <summary>Each candidate penalty with its inner cross-validated accuracy (empty when the grid had one value or <see cref="NgramOptions.InnerFolds"/> = 1).</summary>
    public IReadOnlyList<(double L2, double Accuracy)> Search { get; private init; } = [];

    /// <summary>The distinct n-grams of orders 1..<paramref name="maxOrder"/> of <paramref name="text"/> (binary presence).</summary>
    public static HashSet<string> NgramsOf(string text, int maxOrder)
    {
        var tokens = Tokenizer.Text.Tokenize(text);
        var set = new HashSet<string>(StringComparer.Ordinal);
        for (int n = 1; n <= maxOrder; n++)
            for (int i = 0; i + n <= tokens.Count; i++)
                set.Add(n == 1 ? tokens[i] : string.Join('\u0001', tokens.Skip(i).Take(n)));
        return set;
    }

    /// <summary>Trains on <paramref name="train"/>: chooses lambda by inner cross-validation, then fits on all of it.</summary>
    public static NgramClassifier Train(TextCorpus train, NgramOptions? options = null, long seed = 1, TextWriter? log = null)
    {
        var o = options ?? new NgramOptions();
        o.Validate();
        if (train.Count < 2) throw new ArgumentException($"the n-gram classifier needs at least 2 training texts; got {train.Count}");
        var present = train.ClassCounts().Count(c => c > 0);
        if (present < 2) throw new ArgumentException($"the training texts hold only one class ({present} of {train.ClassNames.Count} present)");
        var grams = train.Texts.Select(t => NgramsOf(t, o.MaxOrder)).ToList();
        var search = new List<(double, double)>();
        double best = o.Grid[0];
        int innerFolds = Math.Min(o.InnerFolds, train.ClassCounts().Where(c => c > 0).Min());
        if (o.Grid.Count > 1 && innerFolds >= 2)
        {
            var folds = new StratifiedFolds(train.Labels, innerFolds, seed);
            double bestAcc = -1;
            foreach (var l2 in o.Grid.OrderByDescending(x => x))
            {
                int right = 0;
                for (int f = 0; f < innerFolds; f++)
                {
                    var (tr, te) = folds.Split(f);
                    var model = Fit(tr.Select(i => grams[i]).ToList(), tr.Select(i => train.Labels[i]).ToList(), train.ClassNames, o, l2);
                    right += te.Count(i => model.PredictGrams(grams[i]) == train.Labels[i]);
                }
                double acc = (double)right / train.Count;
                search.Add((l2, acc));
                log?.WriteLine($"  n-gram peer: lambda {l2:g3} inner {innerFolds}-fold accuracy {100 * acc:0.00}%");
                if (acc > bestAcc) { bestAcc = acc; best = l2; }
            }
        }
        var final = Fit(grams, train.Labels, train.ClassNames, o, best);
        return new NgramClassifier(final.index, final.weights, final.ratios, o.MaxOrder, train.ClassNames) { ChosenL2 = best, Search = search };
    }

    static NgramClassifier Fit(IReadOnlyList<HashSet<string>> grams, IReadOnlyList<int> labels, IReadOnlyList<string> classNames, NgramOptions o, double l2)
    {
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var g in grams) foreach (var s in g) df[s] = df.GetValueOrDefault(s) + 1;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (s, c) in df.OrderBy(kv => kv.Key, StringComparer.Ordinal)) if (c >= o.MinCount) index[s] = index.Count;
        var rows = grams.Select(g => g.Where(index.ContainsKey).Select(s => index[s]).OrderBy(j => j).ToArray()).ToList();
        int models = classNames.Count == 2 ? 1 : classNames.Count;
        var weights = new double[models][];
        var ratios = new double[models][];
        for (int m = 0; m < models; m++)
        {
            int positive = classNames.Count == 2 ? 1 : m;
            var y = labels.Select(l => l == positive ? 1.0 : -1.0).ToArray();
            ratios[m] = o.NaiveBayesWeights ? LogCountRatio(rows, y, index.Count, o.Smoothing) : Enumerable.Repeat(1.0, index.Count).ToArray();
            var r = ratios[m];
            var objective = new LogisticObjective(rows, rows.Select(row => row.Select(j => r[j]).ToArray()).ToArray(), y, index.Count, l2);
            weights[m] = Lbfgs.Minimize(objective.Evaluate, new double[index.Count + 1], o.MaxIterations);
        }
        return new NgramClassifier(index, weights, ratios, o.MaxOrder, classNames);
    }

    /// <summary>
    /// The naive-Bayes log-count ratio of each feature: <c>log((p_j / |p|_1) / (q_j / |q|_1))</c>, p = alpha + the sum of
    /// the binary rows with y = +1, q the same over y = -1.
    /// </summary>
    public static double[] LogCountRatio(IReadOnlyList<int[]> rows, IReadOnlyList<double> y, int features, double alpha)
    {
        var p = Enumerable.Repeat(alpha, features).ToArray();
        var q = Enumerable.Repeat(alpha, features).ToArray();
        for (int i = 0; i < rows.Count; i++)
            foreach (var j in rows[i]) (y[i] > 0 ? p : q)[j] += 1;
        double sp = p.Sum(), sq = q.Sum();
        return Enumerable.Range(0, features).Select(j => Math.Log(p[j] / sp) - Math.Log(q[j] / sq)).ToArray();
    }

    int PredictGrams(HashSet<string> g)
    {
        var cols = g.Where(index.ContainsKey).Select(s => index[s]).ToArray();
        double Score(int m) { var w = weights[m]; double z = w[^1]; foreach (var j in cols) z += w[j] * ratios[m][j]; return z; }
        if (weights.Length == 1) return Score(0) > 0 ? 1 : 0;
        int best = 0; double bestScore = double.NegativeInfinity;
        for (int m = 0; m < weights.Length; m++) { double s = Score(m); if (s > bestScore) { bestScore = s; best = m; } }
        return best;
    }

    /// <summary>The predicted class index of <paramref name="text"/>.</summary>
    public int Predict(string text) => PredictGrams(NgramsOf(text, maxOrder));

    /// <summary>Share of <paramref name="test"/> predicted right.</summary>
    public double Accuracy(TextCorpus test)
    {
        if (test.Count == 0) throw new ArgumentException("the test corpus is empty");
        if (!test.ClassNames.SequenceEqual(ClassNames)) throw new ArgumentException($"test classes ({string.Join(", ", test.ClassNames)}) differ from the trained ones ({string.Join(", ", ClassNames)})");
        return (double)Enumerable.Range(0, test.Count).Count(i => Predict(test.Texts[i]) == test.Labels[i]) / test.Count;
    }
}

/// <summary>
/// The L2-regularised mean logistic loss over sparse rows and its gradient: <c>f(w, b) = (1/n) sum_i log(1 + exp(-y_i z_i))
/// + (lambda / 2) |w|^2</c>, <c>z_i = sum_k v_ik w_{j_ik} + b</c> (bias unpenalised, stored last).
/// </summary>
/// <param name="Columns">Feature indices of each row.</param>
/// <param name="Values">The matching values.</param>
/// <param name="Y">Targets, +1 or -1.</param>
/// <param name="Features">Number of features (the bias comes after them).</param>
/// <param name="L2">lambda.</param>
public sealed record LogisticObjective(IReadOnlyList<int[]> Columns, IReadOnlyList<double[]> Values, IReadOnlyList<double> Y, int Features, double L2)
{
    /// <summary>The loss at <paramref name="w"/>, writing its gradient into <paramref name="grad"/> (both of length Features + 1).</summary>
    public double Evaluate(double[] w, double[] grad)
    {
        int n = Y.Count;
        Array.Clear(grad);
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            var cols = Columns[i]; var vals = Values[i];
            double z = w[Features];
            for (int k = 0; k < cols.Length; k++) z += vals[k] * w[cols[k]];
            double m = Y[i] * z;
            loss += m > 0 ? Math.Log(1 + Math.Exp(-m)) : -m + Math.Log(1 + Math.Exp(m)); // log(1 + e^-m), stable
            double s = -Y[i] / (1 + Math.Exp(m)) / n;                                    // d loss_i / d z_i, divided by n
            for (int k = 0; k < cols.Length; k++) grad[cols[k]] += s * vals[k];
            grad[Features] += s;
        }
        loss /= n;
        for (int j = 0; j < Features; j++) { loss += 0.5 * L2 * w[j] * w[j]; grad[j] += L2 * w[j]; }
        return loss;
    }
}

/// <summary>Limited-memory BFGS (Nocedal 1980; two-loop recursion, memory 10) with a backtracking Armijo line search.</summary>
public static class Lbfgs
{
    /// <summary>
    /// Minimises a smooth function <paramref name="f"/> (value, writing the gradient into its second argument) from
    /// <paramref name="start"/>; stops when the gradient's max-norm falls below <paramref name="tolerance"/>, when a step no
    /// longer lowers the value, or after <paramref name="maxIterations"/>.
    /// </summary>
    public static double[] Minimize(Func<double[], double[], double> f, double[] start, int maxIterations = 500, double tolerance = 1e-7, int memory = 10)
    {
        int d = start.Length;
        var x = (double[])start.Clone();
        var g = new double[d];
        double fx = f(x, g);
        var s = new List<double[]>(); var yv = new List<double[]>(); var rho = new List<double>();
        var dir = new double[d]; var xNew = new double[d]; var gNew = new double[d];
        for (int it = 0; it < maxIterations; it++)
        {
            if (g.Max(Math.Abs) < tolerance) break;
            // two-loop recursion: dir = -H g
            for (int j = 0; j < d; j++) dir[j] = -g[j];
            var alpha = new double[s.Count];
            for (int k = s.Count - 1; k >= 0; k--)
            {
                alpha[k] = rho[k] * Dot(s[k], dir);
                Axpy(-alpha[k], yv[k], dir);
            }
            if (s.Count > 0)
            {
                double gamma = Dot(s[^1], yv[^1]) / Dot(yv[^1], yv[^1]);
                for (int j = 0; j < d; j++) dir[j] *= gamma;
            }
            for (int k = 0; k < s.Count; k++)
            {
                double beta = rho[k] * Dot(yv[k], dir);
                Axpy(alpha[k] - beta, s[k], dir);
            }
            double slope = Dot(g, dir);
            if (slope >= 0) { for (int j = 0; j < d; j++) dir[j] = -g[j]; slope = -Dot(g, g); s.Clear(); yv.Clear(); rho.Clear(); }
            double step = s.Count == 0 ? Math.Min(1.0, 1.0 / Math.Sqrt(-slope)) : 1.0, fNew = double.NaN;
            bool accepted = false;
            for (int ls = 0; ls < 40; ls++)
            {
                for (int j = 0; j < d; j++) xNew[j] = x[j] + step * dir[j];
                fNew = f(xNew, gNew);
                if (fNew <= fx + 1e-4 * step * slope) { accepted = true; break; }
                step *= 0.5;
            }
            if (!accepted) break;
            var sk = new double[d]; var yk = new double[d];
            for (int j = 0; j < d; j++) { sk[j] = xNew[j] - x[j]; yk[j] = gNew[j] - g[j]; }
            double sy = Dot(sk, yk);
            if (sy > 1e-12)
            {
                if (s.Count == memory) { s.RemoveAt(0); yv.RemoveAt(0); rho.RemoveAt(0); }
                s.Add(sk); yv.Add(yk); rho.Add(1 / sy);
            }
            bool flat = fx - fNew <= 1e-12 * Math.Max(1, Math.Abs(fx));
            Array.Copy(xNew, x, d); Array.Copy(gNew, g, d); fx = fNew;
            if (flat) break;
        }
        return x;
    }

    static double Dot(double[] a, double[] b) { double t = 0; for (int i = 0; i < a.Length; i++) t += a[i] * b[i]; return t; }
    static void Axpy(double a, double[] x, double[] y) { for (int i = 0; i < x.Length; i++) y[i] += a * x[i]; }
}
