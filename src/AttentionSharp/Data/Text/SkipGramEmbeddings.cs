using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

namespace AttentionSharp.Data.Text;

/// <summary>
/// Skip-gram word vectors trained with negative sampling (Mikolov et al. 2013, "Distributed Representations of Words
/// and Phrases and their Compositionality", eq. 4): for a centre word <c>w_I</c> and each context word <c>w_O</c>
/// within the window, minimise <c>-log sigma(u_O . v_I) - sum_{i=1..k} log sigma(-u_i . v_I)</c> with the k noise
/// words <c>w_i</c> drawn from the unigram distribution raised to 3/4 (<c>U(w)^{3/4} / Z</c>), by plain SGD whose
/// rate decays linearly over training. Frequent words are subsampled (section 2.3): each occurrence of a word of
/// frequency f is discarded with probability <c>1 - sqrt(t / f)</c>, drawn afresh every pass. <c>v</c> (input) vectors
/// start uniform in <c>[-0.5/d, 0.5/d]</c> and <c>u</c> (output) vectors at zero, as in word2vec; the input vectors
/// are the result. Single-threaded and deterministic by seed on a given machine (the SIMD width of the dot products
/// may change the last bits across machines).
/// </summary>
public static class SkipGramEmbeddings
{
    /// <summary>
    /// Trains vectors on <paramref name="texts"/> (each a token sequence; windows never cross texts) and returns the
    /// input vectors of every word seen at least <see cref="SkipGramOptions.MinCount"/> times, most frequent first
    /// (ties in ordinal order). <paramref name="log"/>, when given, gets one line per pass.
    /// </summary>
    public static WordVectors Train(IEnumerable<IReadOnlyList<string>> texts, SkipGramOptions options, TextWriter? log = null, string description = "")
    {
        options.Validate();
        var materialised = texts as IReadOnlyList<IReadOnlyList<string>> ?? texts.ToList();

        // Vocabulary: words of at least MinCount occurrences, most frequent first.
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in materialised)
            foreach (var w in text)
                counts[w] = counts.GetValueOrDefault(w) + 1;
        var vocab = counts.Where(kv => kv.Value >= options.MinCount)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        if (vocab.Count < 2)
            throw new ArgumentException($"skip-gram training needs at least 2 words seen {options.MinCount} or more times; got {vocab.Count} (of {counts.Count} distinct words)");
        var words = vocab.Select(kv => kv.Key).ToArray();
        var wordCounts = vocab.Select(kv => kv.Value).ToArray();
        var index = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (int i = 0; i < words.Length; i++) index[words[i]] = i;

        // The corpus as word ids (words without a vector dropped), one run per text.
        var ids = new List<int>();
        var starts = new List<int> { 0 };
        foreach (var text in materialised)
        {
            foreach (var w in text)
                if (index.TryGetValue(w, out int id)) ids.Add(id);
            starts.Add(ids.Count);
        }
        int[] corpus = [.. ids];
        long total = corpus.Length;

        int v = words.Length, d = options.Dimension;
        var keep = KeepProbabilities(wordCounts, total, options.Sample);
        var noise = new AliasSampler(wordCounts.Select(c => Math.Pow(c, options.NoisePower)).ToArray());
        var rng = new SplitRandom(options.Seed);
        var input = new float[(long)v * d];
        for (long i = 0; i < input.LongLength; i++) input[i] = (float)((rng.NextDouble() - 0.5) / d);
        var output = new float[(long)v * d];
        var work = new float[d];
        var targets = new int[options.Negative + 1];
        var kept = new int[Math.Max(1, starts.Zip(starts.Skip(1), (a, b) => b - a).DefaultIfEmpty(0).Max())];

        double start = options.LearningRate, minRate = start * 1e-4;
        long planned = total * options.Epochs, processed = 0;
        log?.WriteLine($"skip-gram: {v:N0} words with vectors (min count {options.MinCount}), {total:N0} tokens in {starts.Count - 1:N0} texts, {options.Describe()}");
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double lossSum = 0;
            long pairs = 0;
            for (int t = 0; t + 1 < starts.Count; t++)
            {
                int a = starts[t], b = starts[t + 1], n = 0;
                for (int i = a; i < b; i++)
                {
                    int w = corpus[i];
                    if (keep[w] >= 1 || rng.NextDouble() < keep[w]) kept[n++] = w;
                }
                for (int i = 0; i < n; i++)
                {
                    float rate = (float)Math.Max(minRate, start * (1 - (processed + (double)i * (b - a) / Math.Max(1, n)) / planned));
                    int reach = 1 + rng.NextInt(options.Window);                 // window drawn in 1..Window
                    for (int j = Math.Max(0, i - reach); j <= Math.Min(n - 1, i + reach); j++)
                    {
                        if (j == i) continue;
                        targets[0] = kept[j];
                        int m = 1;
                        for (int k = 0; k < options.Negative; k++)
                        {
                            int s = noise.Sample(ref rng);
                            if (s != targets[0]) targets[m++] = s;            // a noise word equal to the context word is skipped (word2vec)
                        }
                        lossSum += Step(input, kept[i], output, targets.AsSpan(0, m), d, rate, work);
                        pairs++;
                    }
                }
                processed += b - a;
            }
            log?.WriteLine($"skip-gram pass {epoch}/{options.Epochs}: loss per pair {lossSum / Math.Max(1, pairs):0.0000}, {pairs:N0} pairs, {total / Math.Max(1e-9, clock.Elapsed.TotalSeconds):N0} tokens/s");
        }
        return new WordVectors(words, input, d, description.Length > 0 ? description : options.Describe());
    }

    /// <summary>
    /// One SGD step of the negative-sampling objective for centre word <paramref name="centre"/> (its row of
    /// <paramref name="input"/>) against <paramref name="targets"/>: the first is the observed context word (label 1),
    /// the others noise words (label 0), rows of <paramref name="output"/>. Every gradient is taken at the parameters
    /// before the step (the centre vector moves last), so the step is exactly <c>theta -= rate * dL/dtheta</c>.
    /// Returns the loss <c>L</c> before the step. <paramref name="work"/> needs <paramref name="dim"/> floats.
    /// </summary>
    public static double Step(float[] input, int centre, float[] output, ReadOnlySpan<int> targets, int dim, float rate, float[] work)
    {
        var vc = input.AsSpan(centre * dim, dim);
        var grad = work.AsSpan(0, dim);
        grad.Clear();
        double loss = 0;
        for (int k = 0; k < targets.Length; k++)
        {
            var u = output.AsSpan(targets[k] * dim, dim);
            float f = Dot(vc, u);
            double sigma = 1 / (1 + Math.Exp(-f));
            loss += k == 0 ? Softplus(-f) : Softplus(f);                    // -log sigma(f) or -log sigma(-f)
            float g = (float)(((k == 0 ? 1 : 0) - sigma) * rate);           // -rate * dL/df
            Axpy(g, u, grad);                                               // centre's step, from u before its update
            Axpy(g, vc, u);                                                 // u_k -= rate * dL/du_k
        }
        Axpy(1, grad, vc);
        return loss;
    }

    /// <summary>The loss of <see cref="Step"/> in double precision, from the formula (a reference for tests).</summary>
    public static double Loss(ReadOnlySpan<double> centre, IReadOnlyList<double[]> targets)
    {
        double loss = 0;
        for (int k = 0; k < targets.Count; k++)
        {
            double f = 0;
            for (int i = 0; i < centre.Length; i++) f += centre[i] * targets[k][i];
            loss += k == 0 ? Softplus(-f) : Softplus(f);
        }
        return loss;
    }

    /// <summary>Probability of keeping each occurrence of a word: <c>min(1, sqrt(t / f))</c>, 1 when <paramref name="sample"/> is 0.</summary>
    public static double[] KeepProbabilities(IReadOnlyList<long> counts, long total, double sample) =>
        counts.Select(c => sample <= 0 ? 1.0 : Math.Min(1.0, Math.Sqrt(sample / ((double)c / total)))).ToArray();

    static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));

    static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<float>.Count)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
            var acc = Vector<float>.Zero;
            for (int i = 0; i < va.Length; i++) acc += va[i] * vb[i];
            sum = Vector.Sum(acc);
            n = va.Length * Vector<float>.Count;
        }
        for (int i = n; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        int n = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
            var va = new Vector<float>(alpha);
            for (int i = 0; i < vx.Length; i++) vy[i] += va * vx[i];
            n = vx.Length * Vector<float>.Count;
        }
        for (int i = n; i < x.Length; i++) y[i] += alpha * x[i];
    }

    /// <summary>Draws from a fixed discrete distribution in O(1) (Walker's alias method, Vose's construction).</summary>
    internal sealed class AliasSampler
    {
        readonly double[] _prob;
        readonly int[] _alias;

        public AliasSampler(double[] weights)
        {
            int n = weights.Length;
            double sum = weights.Sum();
            _prob = new double[n];
            _alias = new int[n];
            var scaled = weights.Select(w => w * n / sum).ToArray();
            var small = new Stack<int>();
            var large = new Stack<int>();
            for (int i = n - 1; i >= 0; i--) (scaled[i] < 1 ? small : large).Push(i);
            while (small.Count > 0 && large.Count > 0)
            {
                int s = small.Pop(), l = large.Pop();
                _prob[s] = scaled[s];
                _alias[s] = l;
                scaled[l] = scaled[l] + scaled[s] - 1;
                (scaled[l] < 1 ? small : large).Push(l);
            }
            while (large.Count > 0) { int l = large.Pop(); _prob[l] = 1; _alias[l] = l; }
            while (small.Count > 0) { int s = small.Pop(); _prob[s] = 1; _alias[s] = s; }
        }

        public int Sample(ref SplitRandom rng)
        {
            int i = rng.NextInt(_prob.Length);
            return rng.NextDouble() < _prob[i] ? i : _alias[i];
        }
    }

    /// <summary>xorshift64* seeded through splitmix64: fast, and the same stream for the same seed everywhere.</summary>
    internal struct SplitRandom
    {
        ulong _state;

        public SplitRandom(long seed)
        {
            ulong z = (ulong)seed + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            _state = (z ^ (z >> 31)) | 1;
        }

        public ulong Next()
        {
            _state ^= _state >> 12;
            _state ^= _state << 25;
            _state ^= _state >> 27;
            return _state * 2685821657736338717UL;
        }

        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

        public int NextInt(int n) => (int)((Next() >> 33) % (ulong)n);
    }
}
