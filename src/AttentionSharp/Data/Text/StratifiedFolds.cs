namespace AttentionSharp.Data.Text;

/// <summary>
/// K-fold cross-validation folds fixed by a seed, stratified by class: each class's examples are shuffled with the
/// seed and dealt to the folds in turn (starting where the previous class stopped), so every fold holds each class in
/// the same proportion (within one example) and the folds are disjoint and cover every example. K = 1 means one fixed
/// split: 10% of each class (at least one example) is the test set, the rest is training.
/// </summary>
public sealed class StratifiedFolds
{
    readonly int[] _foldOf;

    /// <summary>Builds <paramref name="k"/> folds over examples with the given <paramref name="labels"/>.</summary>
    public StratifiedFolds(IReadOnlyList<int> labels, int k, long seed)
    {
        if (k < 1) throw new ArgumentException($"the number of folds must be at least 1; got {k}");
        if (labels.Count < Math.Max(2, k)) throw new ArgumentException($"{k} folds need at least {Math.Max(2, k)} examples; got {labels.Count}");
        K = k;
        _foldOf = new int[labels.Count];
        var rng = new Random(unchecked((int)(seed * 7_919 + 17)));
        int next = 0;
        foreach (var group in labels.Select((l, i) => (l, i)).GroupBy(p => p.l).OrderBy(g => g.Key))
        {
            var members = group.Select(p => p.i).ToArray();
            rng.Shuffle(members);
            if (k == 1)
            {
                int test = Math.Max(1, (int)Math.Round(members.Length * 0.1));
                if (test >= members.Length) test = members.Length - 1;
                for (int j = 0; j < members.Length; j++) _foldOf[members[j]] = j < test ? 0 : -1;
                continue;
            }
            foreach (var m in members) { _foldOf[m] = next; next = (next + 1) % k; }
        }
    }

    /// <summary>Number of folds.</summary>
    public int K { get; }

    /// <summary>The fold that holds example <paramref name="i"/> as test data (-1: training only, with K = 1).</summary>
    public int FoldOf(int i) => _foldOf[i];

    /// <summary>Training and test indices of fold <paramref name="fold"/> (0-based), each in ascending order.</summary>
    public (int[] Train, int[] Test) Split(int fold)
    {
        if (fold < 0 || fold >= K) throw new ArgumentException($"fold must be in 0..{K - 1}; got {fold}");
        var train = new List<int>();
        var test = new List<int>();
        for (int i = 0; i < _foldOf.Length; i++) (_foldOf[i] == fold ? test : train).Add(i);
        return (train.ToArray(), test.ToArray());
    }

    /// <summary>
    /// Splits example positions into a kept part and a held-out part of about <paramref name="fraction"/> of each
    /// class (at least one example of a class with two or more, never the whole class), chosen by
    /// <paramref name="seed"/>; both index lists are ascending positions into <paramref name="labels"/>.
    /// </summary>
    public static (int[] Kept, int[] HeldOut) Holdout(IReadOnlyList<int> labels, double fraction, long seed)
    {
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentException($"the held-out fraction must be in (0, 1); got {fraction}");
        if (labels.Count < 2) throw new ArgumentException($"a held-out part needs at least 2 examples; got {labels.Count}");
        var held = new bool[labels.Count];
        var rng = new Random(unchecked((int)(seed * 104_729 + 31)));
        foreach (var group in labels.Select((l, i) => (l, i)).GroupBy(p => p.l).OrderBy(g => g.Key))
        {
            var members = group.Select(p => p.i).ToArray();
            if (members.Length < 2) continue;
            rng.Shuffle(members);
            int count = Math.Clamp((int)Math.Round(members.Length * fraction), 1, members.Length - 1);
            for (int j = 0; j < count; j++) held[members[j]] = true;
        }
        var kept = Enumerable.Range(0, labels.Count).Where(i => !held[i]).ToArray();
        var heldOut = Enumerable.Range(0, labels.Count).Where(i => held[i]).ToArray();
        if (heldOut.Length == 0) throw new ArgumentException("no class has two examples, so nothing can be held out");
        return (kept, heldOut);
    }

    /// <summary>
    /// A stratified subset of about <paramref name="fraction"/> of each class (at least one example of every class),
    /// chosen by <paramref name="seed"/>, as ascending positions into <paramref name="labels"/>; 1 keeps everything. With
    /// the same labels and seed a smaller fraction's subset lies inside a larger one's (a learning curve adds examples).
    /// </summary>
    public static int[] Subsample(IReadOnlyList<int> labels, double fraction, long seed)
    {
        if (!(fraction > 0 && fraction <= 1)) throw new ArgumentException($"the kept fraction must be in (0, 1]; got {fraction}");
        if (fraction == 1) return Enumerable.Range(0, labels.Count).ToArray();
        var keep = new bool[labels.Count];
        var rng = new Random(unchecked((int)(seed * 7_919 + 17)));
        foreach (var group in labels.Select((l, i) => (l, i)).GroupBy(p => p.l).OrderBy(g => g.Key))
        {
            var members = group.Select(p => p.i).ToArray();
            rng.Shuffle(members);
            int count = Math.Clamp((int)Math.Round(members.Length * fraction), 1, members.Length);
            for (int j = 0; j < count; j++) keep[members[j]] = true;
        }
        return Enumerable.Range(0, labels.Count).Where(i => keep[i]).ToArray();
    }
}
