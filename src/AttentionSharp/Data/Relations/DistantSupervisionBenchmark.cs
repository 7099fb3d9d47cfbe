using AttentionSharp.Data.Text;

namespace AttentionSharp.Data.Relations;

/// <summary>
/// Settings of the generated distant-supervision benchmark (docs/relex.md). Defaults follow issue 23: noise rate 0.5,
/// about 80% NA bags (4 NA pairs per fact), 5% of positive bags with no expressing sentence, 3% of true facts missing
/// from the knowledge base (NA pairs whose sentences do express a relation), templates split between training, validation
/// and test (<see cref="DistantSupervisionBenchmark.SplitTemplates"/>).
/// </summary>
/// <param name="Rho">Noise rate: the expected share of a positive bag's sentences that do not express its relation (at least one always does, except in the no-expression bags).</param>
/// <param name="Seed">Seed of every random choice: the same seed and facts give the same benchmark.</param>
/// <param name="FactsPerRelation">Facts drawn per relation (at most; fewer when the knowledge base has fewer).</param>
/// <param name="NaPerFact">NA pairs made per fact by replacing its head with another head of the same kind.</param>
/// <param name="NoExpressionShare">Share of positive bags whose sentences all fail to express the relation.</param>
/// <param name="MissingFactShare">Share of true facts the knowledge base lacks: their bags are labelled NA though sentences express the relation.</param>
/// <param name="TestTemplateShare">Share of each relation's core sentences (and of the co-mention ones) that only the test split uses.</param>
/// <param name="ValidTemplateShare">Share that only the validation split uses (so early stopping sees unseen wording too, as the test does).</param>
/// <param name="ValidShare">Share of head entities whose pairs form the validation split.</param>
/// <param name="TestShare">Share of head entities whose pairs form the test split.</param>
/// <param name="MaxBagSize">Largest number of sentences in a bag (sizes 1..max, more small bags than large).</param>
public sealed record DistantSupervisionOptions(double Rho = 0.5, int Seed = 1, int FactsPerRelation = 600, int NaPerFact = 4, double NoExpressionShare = 0.05,
    double MissingFactShare = 0.03, double TestTemplateShare = 0.25, double ValidShare = 0.1, double TestShare = 0.2, int MaxBagSize = 8, double ValidTemplateShare = 0.1)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (Rho is < 0 or > 1) throw new ArgumentException($"Rho must be in [0, 1]; got {Rho}");
        if (FactsPerRelation < 1) throw new ArgumentException($"FactsPerRelation must be >= 1; got {FactsPerRelation}");
        if (NaPerFact < 0) throw new ArgumentException($"NaPerFact must be >= 0; got {NaPerFact}");
        if (NoExpressionShare is < 0 or > 1) throw new ArgumentException($"NoExpressionShare must be in [0, 1]; got {NoExpressionShare}");
        if (MissingFactShare is < 0 or > 1) throw new ArgumentException($"MissingFactShare must be in [0, 1]; got {MissingFactShare}");
        if (TestTemplateShare is <= 0 or >= 1) throw new ArgumentException($"TestTemplateShare must be in (0, 1); got {TestTemplateShare}");
        if (ValidTemplateShare < 0 || ValidTemplateShare + TestTemplateShare >= 1) throw new ArgumentException($"ValidTemplateShare must be >= 0 with TestTemplateShare below 1 in sum; got {ValidTemplateShare}");
        if (ValidShare < 0 || TestShare <= 0 || ValidShare + TestShare >= 1) throw new ArgumentException($"ValidShare and TestShare must be >= 0 and > 0 with a sum below 1; got {ValidShare} and {TestShare}");
        if (MaxBagSize < 1) throw new ArgumentException($"MaxBagSize must be >= 1; got {MaxBagSize}");
    }
}

/// <summary>Counts that describe a generated benchmark (for the log and tests).</summary>
/// <param name="Bags">Bags per split (train, valid, test).</param>
/// <param name="Sentences">Sentences per split.</param>
/// <param name="NaBagShare">Share of bags labelled NA by the knowledge base (all splits).</param>
/// <param name="PositiveBagsWithoutExpression">Positive (KB) bags none of whose sentences express the relation.</param>
/// <param name="NaBagsThatExpress">NA (KB) bags with a sentence that expresses a relation (facts missing from the KB).</param>
/// <param name="NoiseShare">Share of the sentences of positive bags that do not express the bag's relation.</param>
public sealed record BenchmarkStats(int[] Bags, int[] Sentences, double NaBagShare, int PositiveBagsWithoutExpression, int NaBagsThatExpress, double NoiseShare);

/// <summary>The generated benchmark: relation list and the three splits as sentences (bags are contiguous runs of one pair).</summary>
/// <param name="Relations">NA and the knowledge base's relations.</param>
/// <param name="Train">Training sentences.</param>
/// <param name="Valid">Validation sentences.</param>
/// <param name="Test">Test sentences.</param>
/// <param name="Stats">Counts.</param>
public sealed record DistantSupervisionData(RelationSet Relations, List<RelationSentence> Train, List<RelationSentence> Valid, List<RelationSentence> Test, BenchmarkStats Stats);

/// <summary>
/// Generates a distant-supervision benchmark from knowledge-base facts (the assumption of Mintz et al. 2009, the noise of
/// Riedel et al. 2010): every sentence that mentions a fact's pair is labelled with the fact's relation, though only some
/// express it. Splits are by head entity (so by entity pair, and a test pair's head never occurs as a head in training);
/// NA pairs replace a fact's head by another head of the same kind, so each head and tail is positive in about the same
/// share of its pairs and the names alone do not tell a fact from an NA pair. Every sentence keeps its gold label.
/// </summary>
public static class DistantSupervisionBenchmark
{
    static readonly double[] BagSizeWeights = [0.30, 0.20, 0.15, 0.12, 0.08, 0.06, 0.05, 0.04];

    /// <summary>Generates the benchmark from <paramref name="facts"/> (any order; equal inputs give equal outputs).</summary>
    public static DistantSupervisionData Generate(IReadOnlyList<KbFact> facts, DistantSupervisionOptions options)
    {
        options.Validate();
        var rng = new Random(options.Seed);
        var relations = facts.Select(f => f.Relation).Distinct().Order(StringComparer.Ordinal).ToList();
        if (relations.Count == 0) throw new ArgumentException("the knowledge base has no facts");
        var known = Array.IndexOf(GeoKnowledgeBase.Relations, relations[0]) >= 0 ? GeoKnowledgeBase.Relations.Where(relations.Contains).ToList() : relations;
        var set = new RelationSet(known);

        var templates = SplitTemplates(known, options);

        // Head split: by the head's name, so that same-named heads share a split.
        int SplitOf(string headName)
        {
            double u = (StableHash(headName) ^ (uint)options.Seed * 2654435761u) % 1_000_003 / 1_000_003.0;
            return u < options.TestShare ? 2 : u < options.TestShare + options.ValidShare ? 1 : 0;
        }

        var splits = new[] { new List<RelationSentence>(), new List<RelationSentence>(), new List<RelationSentence>() };
        int[] bags = new int[3], sentences = new int[3];
        int naBags = 0, totalBags = 0, withoutExpression = 0, naExpressing = 0, noisy = 0, positiveSentences = 0;
        // Which names stand in any relation (all facts, not only the chosen ones): an NA pair never does, so a city named
        // like a subdivision of the same country is never paired with that country as NA.
        var related = new HashSet<(string, string)>(facts.Select(f => (f.Head.Name, f.Tail.Name)));
        foreach (var r in known)
        {
            var pool = facts.Where(f => f.Relation == r).OrderBy(f => f.Head.Id, StringComparer.Ordinal).ThenBy(f => f.Tail.Id, StringComparer.Ordinal).ToArray();
            rng.Shuffle(pool);
            var chosen = pool.Take(options.FactsPerRelation).ToArray();
            var headsBySplit = new List<KbEntity>[3] { [], [], [] };
            foreach (var h in chosen.Select(f => f.Head).DistinctBy(e => e.Id)) headsBySplit[SplitOf(h.Name)].Add(h);
            var used = new HashSet<(string, string)>();
            foreach (var f in chosen)
            {
                int split = SplitOf(f.Head.Name);
                var expressing = templates[r][split];
                var coMention = templates[RelationSet.NA][split];
                used.Add((f.Head.Id, f.Tail.Id));

                // The fact's bag: KB label r (or NA when the KB misses it), rho of its sentences noise.
                bool missing = rng.NextDouble() < options.MissingFactShare;
                bool none = rng.NextDouble() < options.NoExpressionShare;
                int n = BagSize(rng, options.MaxBagSize);
                int noise = none ? n : Math.Min(n - 1, (int)Math.Floor(options.Rho * n + rng.NextDouble()));
                var gold = Enumerable.Repeat(r, n - noise).Concat(Enumerable.Repeat(RelationSet.NA, noise)).ToArray();
                rng.Shuffle(gold);
                string label = missing ? RelationSet.NA : r;
                foreach (var g in gold)
                    splits[split].Add(Sentence(rng, f.Head, f.Tail, label, g, g == RelationSet.NA ? coMention : expressing));
                Count(split, n, label, gold);
                if (!missing) { positiveSentences += n; noisy += noise; if (none) withoutExpression++; }
                else if (!none) naExpressing++;

                // NA pairs: another head of the same kind and split with the same tail.
                var heads = headsBySplit[split];
                for (int k = 0; k < options.NaPerFact && heads.Count > 1; k++)
                {
                    for (int attempt = 0; attempt < 20; attempt++)
                    {
                        var h = heads[rng.Next(heads.Count)];
                        if (related.Contains((h.Name, f.Tail.Name)) || !used.Add((h.Id, f.Tail.Id))) continue;
                        int m = BagSize(rng, options.MaxBagSize);
                        var naGold = Enumerable.Repeat(RelationSet.NA, m).ToArray();
                        for (int i = 0; i < m; i++) splits[split].Add(Sentence(rng, h, f.Tail, RelationSet.NA, RelationSet.NA, coMention));
                        Count(split, m, RelationSet.NA, naGold);
                        break;
                    }
                }
            }
        }

        void Count(int split, int n, string label, string[] gold)
        {
            bags[split]++;
            sentences[split] += n;
            totalBags++;
            if (label == RelationSet.NA) naBags++;
        }

        var stats = new BenchmarkStats(bags, sentences, (double)naBags / Math.Max(1, totalBags), withoutExpression, naExpressing,
            (double)noisy / Math.Max(1, positiveSentences));
        return new DistantSupervisionData(set, splits[0], splits[1], splits[2], stats);
    }

    /// <summary>
    /// The templates of each relation (and of NA) for the training, validation and test splits (indices 0, 1, 2). A template
    /// is an opening (<see cref="RelationTemplates.Openings"/>, or none) followed by a core sentence. The openings are split
    /// (none and six for training, two for validation, four for test); the cores of each relation are shuffled by the seed,
    /// <see cref="DistantSupervisionOptions.TestTemplateShare"/> of them occur only in test and
    /// <see cref="DistantSupervisionOptions.ValidTemplateShare"/> only in validation, the rest in every split. So no template
    /// occurs in two splits: a test sentence is either new wording altogether (a test-only core) or known wording in a new
    /// sentence (a shared core behind a test-only opening).
    /// </summary>
    public static Dictionary<string, string[][]> SplitTemplates(IEnumerable<string> relations, DistantSupervisionOptions options)
    {
        var rng = new Random(options.Seed * 7919 + 1);
        var openings = RelationTemplates.Openings;
        string[][] openingSplit = [["", .. openings[..6]], openings[6..8], openings[8..]];
        var templates = new Dictionary<string, string[][]>();
        foreach (var r in relations.Append(RelationSet.NA))
        {
            var cores = RelationTemplates.For(r).ToArray();
            rng.Shuffle(cores);
            int test = Math.Max(1, (int)Math.Round(cores.Length * options.TestTemplateShare));
            int valid = (int)Math.Round(cores.Length * options.ValidTemplateShare);
            var shared = cores[(test + valid)..];
            string[][] coreSplit = [shared, [.. shared, .. cores[test..(test + valid)]], [.. shared, .. cores[..test]]];
            templates[r] = Enumerable.Range(0, 3).Select(k => coreSplit[k].SelectMany(c => openingSplit[k].Select(o => o.Length == 0 ? c : o + " " + c)).ToArray()).ToArray();
        }
        return templates;
    }

    static int BagSize(Random rng, int max)
    {
        double total = BagSizeWeights.Take(max).Sum(), u = rng.NextDouble() * total;
        for (int i = 0; i < Math.Min(max, BagSizeWeights.Length); i++)
        {
            u -= BagSizeWeights[i];
            if (u < 0) return i + 1;
        }
        return Math.Min(max, BagSizeWeights.Length);
    }

    /// <summary>FNV-1a of the UTF-16 code units: stable across processes and .NET versions (string.GetHashCode is not).</summary>
    static uint StableHash(string s)
    {
        uint h = 2166136261;
        foreach (char c in s) { h ^= c; h *= 16777619; }
        return h;
    }

    /// <summary>Fills a template drawn from <paramref name="pool"/> and tokenises it, spans on whole tokens.</summary>
    static RelationSentence Sentence(Random rng, KbEntity head, KbEntity tail, string label, string gold, string[] pool) =>
        Fill(pool[rng.Next(pool.Length)], head, tail, label, gold);

    /// <summary>Tokenises <paramref name="template"/> with <c>{h}</c> and <c>{t}</c> replaced by the entities' names.</summary>
    public static RelationSentence Fill(string template, KbEntity head, KbEntity tail, string label, string? gold)
    {
        int hi = template.IndexOf("{h}", StringComparison.Ordinal), ti = template.IndexOf("{t}", StringComparison.Ordinal);
        if (hi < 0 || ti < 0) throw new ArgumentException($"template '{template}' needs {{h}} and {{t}}");
        bool headFirst = hi < ti;
        int a = Math.Min(hi, ti), b = Math.Max(hi, ti);
        var tokens = new List<string>(Tokenizer.Text.Tokenize(template[..a]));
        int aStart = tokens.Count;
        tokens.AddRange(Tokenizer.Text.Tokenize(headFirst ? head.Name : tail.Name));
        int aEnd = tokens.Count;
        tokens.AddRange(Tokenizer.Text.Tokenize(template[(a + 3)..b]));
        int bStart = tokens.Count;
        tokens.AddRange(Tokenizer.Text.Tokenize(headFirst ? tail.Name : head.Name));
        int bEnd = tokens.Count;
        tokens.AddRange(Tokenizer.Text.Tokenize(template[(b + 3)..]));
        var (hs, he, ts, te) = headFirst ? (aStart, aEnd, bStart, bEnd) : (bStart, bEnd, aStart, aEnd);
        return new RelationSentence([.. tokens], new EntityMention(head.Name, head.Id, hs, he), new EntityMention(tail.Name, tail.Id, ts, te), label, gold);
    }

    /// <summary>The sentence reduced to the two names (head's tokens, then tail's): the input of the names-only probe.</summary>
    public static RelationSentence NamesOnly(RelationSentence s)
    {
        var h = s.Tokens[s.Head.Start..s.Head.End];
        var t = s.Tokens[s.Tail.Start..s.Tail.End];
        return s with
        {
            Tokens = [.. h, .. t],
            Head = s.Head with { Start = 0, End = h.Length },
            Tail = s.Tail with { Start = h.Length, End = h.Length + t.Length },
        };
    }
}
