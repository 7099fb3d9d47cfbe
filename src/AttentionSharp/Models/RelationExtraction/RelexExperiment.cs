using System.Diagnostics;
using System.Text.Json.Nodes;
using AttentionSharp.Data.Relations;
using AttentionSharp.Data.Text;
using AttentionSharp.Training;
using AttentionSharp.Visualization;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.RelationExtraction;

/// <summary>The bags of a relation-extraction task: training and validation bags by (h, t, relation), test bags by (h, t).</summary>
/// <param name="Relations">The relation list, NA first.</param>
/// <param name="Train">Training bags.</param>
/// <param name="Valid">Validation bags.</param>
/// <param name="Test">Test bags.</param>
public sealed record RelexData(RelationSet Relations, List<RelationBag> Train, List<RelationBag> Valid, List<RelationBag> Test);

/// <summary>Where the bags come from; a checkpoint keeps it, so evaluation rebuilds the same test bags.</summary>
/// <param name="Data"><c>generated</c> (the benchmark of <see cref="DistantSupervisionBenchmark"/> from <see cref="GeoKnowledgeBase"/>) or <c>files</c> (OpenNRE JSON lines).</param>
/// <param name="Generated">Settings of the generated benchmark (null: the defaults).</param>
/// <param name="Train">Files: training sentences.</param>
/// <param name="Valid">Files: validation sentences (null: 10% of the training pairs, chosen by a hash of the pair).</param>
/// <param name="Test">Files: test sentences.</param>
/// <param name="Relations">Files: the relation list (OpenNRE rel2id.json, or one name a line).</param>
/// <param name="NamesOnly">Replace every sentence by its two entity names (the names-only probe: how much do names alone give away?).</param>
public sealed record RelexDataSpec(string Data = "generated", DistantSupervisionOptions? Generated = null, string? Train = null, string? Valid = null,
    string? Test = null, string? Relations = null, bool NamesOnly = false)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (Data == "generated") (Generated ?? new()).Validate();
        else if (Data == "files")
        {
            if (Train == null || Test == null || Relations == null) throw new ArgumentException("Data 'files' needs Train, Test and Relations");
        }
        else throw new ArgumentException($"Data must be 'generated' or 'files'; got '{Data}'");
    }

    /// <summary>Reads or generates the bags; logs what it made.</summary>
    public RelexData Load(ExperimentContext context)
    {
        Validate();
        var log = context.Log;
        RelationSet relations;
        List<RelationSentence> train, valid, test;
        if (Data == "generated")
        {
            var facts = GeoKnowledgeBase.Load(context.DataRoot, log);
            var g = DistantSupervisionBenchmark.Generate(facts, Generated ?? new());
            var st = g.Stats;
            log.WriteLine($"generated benchmark from {facts.Count} facts (rho {(Generated ?? new()).Rho}, no-expression bags {(Generated ?? new()).NoExpressionShare}, seed {(Generated ?? new()).Seed}): bags train/valid/test " +
                          $"{st.Bags[0]}/{st.Bags[1]}/{st.Bags[2]}, sentences {st.Sentences[0]}/{st.Sentences[1]}/{st.Sentences[2]}; NA bags {100 * st.NaBagShare:0.0}%, " +
                          $"noise in positive bags {100 * st.NoiseShare:0.0}%, {st.PositiveBagsWithoutExpression} positive bags without an expressing sentence, " +
                          $"{st.NaBagsThatExpress} NA bags that express a relation");
            (relations, train, valid, test) = (g.Relations, g.Train, g.Valid, g.Test);
        }
        else
        {
            relations = RelationSet.Load(Relations!);
            train = OpenNreFormat.Read(Train!, relations);
            test = OpenNreFormat.Read(Test!, relations);
            if (Valid != null) valid = OpenNreFormat.Read(Valid, relations);
            else
            {
                bool Held(RelationSentence s) => (uint)(s.Head.Key + "\u0001" + s.Tail.Key).Aggregate(17, (h, c) => h * 31 + c) % 10 == 0;
                valid = train.Where(Held).ToList();
                train = train.Where(s => !Held(s)).ToList();
            }
            log.WriteLine($"read {train.Count}/{valid.Count}/{test.Count} sentences (train/valid/test), {relations.Count} relations");
        }
        if (NamesOnly)
        {
            (train, valid, test) = (train.Select(DistantSupervisionBenchmark.NamesOnly).ToList(), valid.Select(DistantSupervisionBenchmark.NamesOnly).ToList(),
                test.Select(DistantSupervisionBenchmark.NamesOnly).ToList());
            log.WriteLine("names-only probe: every sentence is replaced by its head's and tail's names");
        }
        return new RelexData(relations, RelationBag.Group(train, true), RelationBag.Group(valid, true), RelationBag.Group(test, false));
    }
}

/// <summary>What a relation-extraction checkpoint records.</summary>
/// <param name="Data">Where the bags come from.</param>
/// <param name="Net">The model options.</param>
/// <param name="Vocabulary">The word vocabulary in index order.</param>
/// <param name="Relations">The relation list in index order, NA first.</param>
public sealed record RelexRun(RelexDataSpec Data, RelexOptions Net, string[] Vocabulary, string[] Relations);

/// <summary>What to train.</summary>
/// <param name="Data">The bags.</param>
/// <param name="Encoder">pcnn or cnn.</param>
/// <param name="Aggregator">att, ave, one or sent.</param>
/// <param name="Filters">Convolution filters.</param>
/// <param name="WordDim">Word embedding size.</param>
/// <param name="PositionDim">Position embedding size.</param>
/// <param name="Window">Convolution window.</param>
/// <param name="Dropout">Dropout rate.</param>
/// <param name="MaxLength">Tokens kept per sentence.</param>
/// <param name="MinCount">Words seen fewer times in training map to the unknown word.</param>
/// <param name="WordDropout">Training words replaced by the unknown word with this probability (<see cref="RelexOptions.WordDropout"/>).</param>
public sealed record RelexTrainSpec(RelexDataSpec Data, RelexEncoder Encoder = RelexEncoder.Pcnn, RelexAggregator Aggregator = RelexAggregator.Att, int Filters = 230, int WordDim = 50, int PositionDim = 5,
    int Window = 3, double Dropout = 0.5, int MaxLength = 120, int MinCount = 2, double WordDropout = 0)
{
    /// <summary>The model options for a vocabulary and relation count.</summary>
    public RelexOptions Options(int vocabulary, int relations) =>
        new(vocabulary, relations, Encoder, Aggregator, WordDim, PositionDim, Window, Filters, Dropout, MaxLength, WordDropout: WordDropout);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        Data.Validate();
        Options(3, 2).Validate();
        if (MinCount < 1) throw new ArgumentException($"MinCount must be >= 1; got {MinCount}");
    }
}

/// <summary>What to evaluate: a checkpoint on its test bags (or on <paramref name="TestFile"/>).</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="TestFile">OpenNRE test sentences to use instead of the run's own test split.</param>
public sealed record RelexEvalSpec(string Checkpoint, string? TestFile = null);

/// <summary>What to show: one test bag with each sentence's weight and gold label.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder.</param>
/// <param name="Bag">Index of the test bag (null: the first correctly predicted positive bag with at least <paramref name="MinSentences"/> sentences).</param>
/// <param name="MinSentences">Smallest bag picked when <paramref name="Bag"/> is null.</param>
/// <param name="Html">Also write the bag as an HTML page here.</param>
public sealed record RelexShowSpec(string Checkpoint, int? Bag = null, int MinSentences = 3, string? Html = null);

/// <summary>What to score: a user's bags.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder.</param>
/// <param name="Input">OpenNRE JSON lines; <c>relation</c> is optional; sentences of one (h, t) pair form a bag.</param>
/// <param name="Html">Also write the bags as an HTML page here.</param>
public sealed record RelexRunSpec(string Checkpoint, string Input, string? Html = null);

/// <summary>A shown or scored bag: the text to print and the figures.</summary>
/// <param name="Text">Plain text for the terminal.</param>
/// <param name="Result">The figures.</param>
public sealed record RelexView(string Text, RunResult Result);

/// <summary>
/// Distantly supervised relation extraction (issue 23) as an experiment: <see cref="Train"/> trains a CNN/PCNN bag model
/// with the chosen aggregator on the training bags with early stopping on the validation bags, then runs the held-out
/// evaluation on the test bags against knowledge-base labels and, where sentences carry them, gold labels;
/// <see cref="Evaluate"/> rescores a checkpoint; <see cref="Show"/> prints a test bag with its attention; <see cref="Run"/>
/// scores a user's bags. <c>attn relex train|eval|show|run</c> call these.
/// </summary>
public static class RelexExperiment
{
    /// <summary>Checkpoint kind.</summary>
    public const string Kind = "relex";

    /// <summary>Trains in <see cref="TrainerOptions.OutDir"/> and evaluates the best checkpoint on the test bags.</summary>
    public static RunResult Train(RelexTrainSpec spec, TrainerOptions trainer, ExperimentContext context)
    {
        string outDir = RunFolder.Start(spec.Validate, trainer);
        var log = context.Log;
        log.WriteLine($"run folder: {outDir}");
        var data = spec.Data.Load(context);
        var vocabulary = Vocabulary.Build(data.Train.SelectMany(b => b.Sentences).Select(s => s.Tokens), spec.MinCount);
        var net = spec.Options(vocabulary.Count, data.Relations.Count);
        net.Validate();
        log.WriteLine($"{Variant.Name(net.Encoder).ToUpperInvariant()}+{Variant.Name(net.Aggregator).ToUpperInvariant()}: {net.Filters} filters, window {net.Window}, word {net.WordDim} + 2 x position {net.PositionDim}, " +
                      $"dropout {net.Dropout}{(net.WordDropout > 0 ? $", word dropout {net.WordDropout}" : "")}; vocabulary {vocabulary.Count}; bags train/valid/test {data.Train.Count}/{data.Valid.Count}/{data.Test.Count}");
        var run = new RelexRun(spec.Data, net, Enumerable.Range(0, vocabulary.Count).Select(i => vocabulary[i]).ToArray(), [.. data.Relations.Names]);
        var trainSet = new BagDataset(data.Train, vocabulary, data.Relations, net, context.Device);
        var validSet = new BagDataset(data.Valid, vocabulary, data.Relations, net, context.Device);
        var (model, summary, clock) = RunFolder.Fit(trainer, context, ModelIdentity.Of(Kind, run), () => new BagRelationExtractor(net), m => new RelexTask(m), trainSet, validSet);
        var result = Score(model, run, data, context, outDir);
        result.AddTraining(summary, clock.Elapsed.TotalSeconds, trainer);
        result.Save(Path.Combine(outDir, "result.json"));
        return result;
    }

    /// <summary>Loads a relation-extraction checkpoint onto <paramref name="device"/>.</summary>
    public static (string Path, RelexRun Run, BagRelationExtractor Model) Load(string checkpoint, Device device) =>
        RunFolder.LoadModel<RelexRun, BagRelationExtractor>(checkpoint, Kind, "a relation-extraction model", r => new BagRelationExtractor(r.Net), device);

    static Vocabulary VocabularyOf(RelexRun run) => Vocabulary.FromJson(new JsonArray(run.Vocabulary.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()));

    /// <summary>Rescores a checkpoint on its test bags (or a test file); writes <c>eval-result.json</c>.</summary>
    public static RunResult Evaluate(RelexEvalSpec spec, ExperimentContext context)
    {
        var (path, run, model) = Load(spec.Checkpoint, context.Device);
        var clock = Stopwatch.StartNew();
        var relations = new RelationSet(run.Relations);
        RelexData data = spec.TestFile != null
            ? new RelexData(relations, [], [], RelationBag.Group(OpenNreFormat.Read(spec.TestFile, relations), false))
            : run.Data.Load(context);
        var result = Score(model, run, data, context, Path.GetDirectoryName(Path.GetFullPath(path))!);
        return RunFolder.FinishEval(result, data.Test.Count, clock.Elapsed.TotalSeconds, path, "test_bags_scored");
    }

    /// <summary>Scores of every relation for every bag and each sentence's weight per relation.</summary>
    public static (double[][] Scores, double[][][] Weights) Predict(BagRelationExtractor model, BagDataset bags, int batchSize = 64)
    {
        model.eval();
        var scores = new double[bags.Count][];
        var weights = new double[bags.Count][][];
        using (no_grad())
        {
            for (int start = 0; start < bags.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var idx = Enumerable.Range(start, Math.Min(batchSize, bags.Count - start)).ToArray();
                var batch = bags.GetBatch(idx);
                var r = model.Score(batch);
                var s = r.Scores.to(float64).cpu().data<double>().ToArray();
                var w = r.Weights.to(float64).cpu().data<double>().ToArray();
                long rel = r.Scores.shape[1], m = r.Weights.shape[2];
                for (int i = 0; i < idx.Length; i++)
                {
                    scores[start + i] = s.AsSpan((int)(i * rel), (int)rel).ToArray();
                    int n = bags.Bags[idx[i]].Sentences.Count;
                    weights[start + i] = Enumerable.Range(0, (int)rel).Select(q => w.AsSpan((int)((i * rel + q) * m), n).ToArray()).ToArray();
                }
            }
        }
        model.train();
        return (scores, weights);
    }

    static RunResult Score(BagRelationExtractor model, RelexRun run, RelexData data, ExperimentContext context, string folder)
    {
        var relations = data.Relations;
        var vocabulary = VocabularyOf(run);
        var test = new BagDataset(data.Test, vocabulary, relations, run.Net, context.Device);
        var (scores, weights) = Predict(model, test);
        var kbLabels = data.Test.Select(b => (IReadOnlyCollection<int>)b.Relations.Select(relations.IndexOf).ToHashSet()).ToList();
        var kb = HeldOutEvaluation.Evaluate(scores, kbLabels);
        var result = new RunResult().Add("data", run.Data.Data).Add("encoder", Variant.Name(run.Net.Encoder)).Add("aggregator", Variant.Name(run.Net.Aggregator));
        if (run.Data.Data == "generated")
        {
            var g = run.Data.Generated ?? new();
            result.Add("rho", g.Rho).Add("data_seed", g.Seed);
            if (g.NoExpressionShare != new DistantSupervisionOptions().NoExpressionShare) result.Add("no_expression", g.NoExpressionShare);
        }
        if (run.Data.NamesOnly) result.Add("names_only", true);
        if (run.Net.WordDropout > 0) result.Add("word_dropout", run.Net.WordDropout);
        result.Add("filters", run.Net.Filters).Add("test_bags", data.Test.Count).Add("test_sentences", data.Test.Sum(b => b.Sentences.Count));
        void Add(string prefix, HeldOutResult h) => result.Add(prefix + "facts", h.Facts).Add(prefix + "auc", Math.Round(h.Auc, 4))
            .Add(prefix + "p100", Math.Round(100 * h.P100, 1)).Add(prefix + "p200", Math.Round(100 * h.P200, 1)).Add(prefix + "p300", Math.Round(100 * h.P300, 1))
            .Add(prefix + "p_mean", Math.Round(100 * h.PMean, 1)).Add(prefix + "max_f1", Math.Round(h.MaxF1, 4));
        Add("", kb);
        var curves = new List<PrCurve> { new("KB labels", kb.Recall, kb.Precision, ForecastFigure.Palette[0]) };
        bool hasGold = data.Test.All(b => b.GoldRelations != null);
        if (hasGold)
        {
            var goldLabels = data.Test.Select(b => (IReadOnlyCollection<int>)b.GoldRelations!.Select(relations.IndexOf).ToHashSet()).ToList();
            var gold = HeldOutEvaluation.Evaluate(scores, goldLabels);
            Add("gold_", gold);
            curves.Add(new("gold labels", gold.Recall, gold.Precision, ForecastFigure.Palette[1]));
            // Does the most-weighted sentence of a correctly predicted positive bag express the relation?
            int correct = 0, top = 0, correctMulti = 0, topMulti = 0;
            for (int b = 0; b < data.Test.Count; b++)
            {
                var bag = data.Test[b];
                if (bag.Relations.Count != 1 || bag.Relations[0] == RelationSet.NA) continue;
                int r = relations.IndexOf(bag.Relations[0]);
                int predicted = Array.IndexOf(scores[b], scores[b].Max());
                if (predicted != r) continue;
                var w = weights[b][r];
                int best = Array.IndexOf(w, w.Max());
                bool expresses = bag.Sentences[best].Gold == bag.Relations[0];
                correct++; if (expresses) top++;
                if (bag.Sentences.Count > 1) { correctMulti++; if (expresses) topMulti++; }
            }
            if (run.Net.Aggregator != RelexAggregator.Ave)
                result.Add("top_weight_expresses", new Percent(correct == 0 ? 0 : 100.0 * top / correct)).Add("correct_positive_bags", correct)
                    .Add("top_weight_expresses_multi", new Percent(correctMulti == 0 ? 0 : 100.0 * topMulti / correctMulti)).Add("correct_positive_multi_bags", correctMulti);
        }
        string png = Path.Combine(folder, "pr-curve.png");
        PrecisionRecallFigure.Save(png, $"{Variant.Name(run.Net.Encoder).ToUpperInvariant()}+{Variant.Name(run.Net.Aggregator).ToUpperInvariant()} held-out precision-recall " +
                                        $"({data.Test.Count} test bags{(run.Data.Data == "generated" ? $", rho {(run.Data.Generated ?? new()).Rho}" : "")})", curves);
        WriteCurve(Path.Combine(folder, "pr-curve.csv"), kb);
        result.Add("png", png);
        return result;
    }

    static void WriteCurve(string path, HeldOutResult h)
    {
        var sb = new System.Text.StringBuilder("rank,recall,precision\n");
        for (int i = 0; i < h.Recall.Length; i++) sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i + 1},{h.Recall[i]:R},{h.Precision[i]:R}\n");
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>Prints one test bag: relation scores, and each sentence's weight for the top relation with its gold label.</summary>
    public static RelexView Show(RelexShowSpec spec, ExperimentContext context)
    {
        if (spec.Bag is < 0) throw new ArgumentException($"Bag must be >= 0; got {spec.Bag}");
        var (_, run, model) = Load(spec.Checkpoint, context.Device);
        var data = run.Data.Load(context);
        var relations = data.Relations;
        var test = new BagDataset(data.Test, VocabularyOf(run), relations, run.Net, context.Device);
        int index;
        double[] scores;
        double[][] weights;
        if (spec.Bag is int chosen)
        {
            if (chosen >= data.Test.Count) throw new ArgumentException($"Bag must be < {data.Test.Count} (the test bags); got {chosen}");
            index = chosen;
            (var s, var w) = Predict(model, Subset(data.Test, [chosen], VocabularyOf(run), relations, run.Net, context.Device));
            (scores, weights) = (s[0], w[0]);
        }
        else
        {
            var (s, w) = Predict(model, test);
            index = Enumerable.Range(0, data.Test.Count).FirstOrDefault(b => data.Test[b].Sentences.Count >= spec.MinSentences && data.Test[b].Relations[0] != RelationSet.NA
                && relations.Names[Array.IndexOf(s[b], s[b].Max())] == data.Test[b].Relations[0], -1);
            if (index < 0) throw new InvalidOperationException($"no correctly predicted positive test bag has {spec.MinSentences} or more sentences; pass Bag");
            (scores, weights) = (s[index], w[index]);
        }
        var view = BagRenderer.Render(data.Test[index], index, relations, scores, weights, Variant.Name(run.Net.Aggregator));
        var result = new RunResult().Add("bag", index).Add("head", data.Test[index].Head).Add("tail", data.Test[index].Tail).Add("kb", string.Join(",", data.Test[index].Relations))
            .Add("predicted", relations.Names[Array.IndexOf(scores, scores.Max())]);
        if (spec.Html != null)
        {
            AtomicFile.WriteAllText(spec.Html, BagRenderer.Html([view.Html], $"relex: test bag {index}"));
            result.Add("html", Path.GetFullPath(spec.Html));
        }
        return new RelexView(view.Text, result);
    }

    static BagDataset Subset(List<RelationBag> bags, int[] idx, Vocabulary v, RelationSet r, RelexOptions o, Device d) => new(idx.Select(i => bags[i]).ToList(), v, r, o, d);

    /// <summary>Scores a user's bags (OpenNRE lines grouped by pair) and renders each with its sentence weights.</summary>
    public static RelexView Run(RelexRunSpec spec, ExperimentContext context)
    {
        var (_, run, model) = Load(spec.Checkpoint, context.Device);
        var relations = new RelationSet(run.Relations);
        var sentences = OpenNreFormat.Read(spec.Input, relations, requireRelation: false);
        if (sentences.Count == 0) throw new InvalidDataException($"'{spec.Input}' holds no sentence");
        if (run.Data.NamesOnly) sentences = sentences.Select(DistantSupervisionBenchmark.NamesOnly).ToList();
        var bags = RelationBag.Group(sentences, false);
        var (scores, weights) = Predict(model, new BagDataset(bags, VocabularyOf(run), relations, run.Net, context.Device));
        var text = new System.Text.StringBuilder();
        var html = new List<string>();
        var result = new RunResult().Add("bags", bags.Count);
        for (int b = 0; b < bags.Count; b++)
        {
            var view = BagRenderer.Render(bags[b], b, relations, scores[b], weights[b], Variant.Name(run.Net.Aggregator));
            text.Append(view.Text).Append('\n');
            html.Add(view.Html);
            if (b < 20) result.Add($"bag{b}", relations.Names[Array.IndexOf(scores[b], scores[b].Max())]);
        }
        if (spec.Html != null)
        {
            AtomicFile.WriteAllText(spec.Html, BagRenderer.Html(html, $"relex: {Path.GetFileName(spec.Input)}"));
            result.Add("html", Path.GetFullPath(spec.Html));
        }
        return new RelexView(text.ToString().TrimEnd('\n'), result);
    }
}
