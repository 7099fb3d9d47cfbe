using AttentionSharp.Native;
using System.Diagnostics;
using AttentionSharp.Data;
using AttentionSharp.Data.Captioning;
using AttentionSharp.Interop.Onnx;
using AttentionSharp.Sequence;
using AttentionSharp.Training;
using AttentionSharp.Visualization;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Captioning;

/// <summary>What a captioning checkpoint records.</summary>
/// <param name="Data">The data.</param>
/// <param name="Net">The model options.</param>
/// <param name="Words">The vocabulary's words (after the special tokens).</param>
public sealed record CaptionRun(CaptionDataSpec Data, CaptionOptions Net, string[] Words);

/// <summary>What to train.</summary>
/// <param name="Data">The data.</param>
/// <param name="Attention">soft, hard or none (<see cref="CaptionOptions.Attention"/>).</param>
/// <param name="Features">Region feature channels D of the CNN (the ResNet-18 encoder's are 512).</param>
/// <param name="Embedding">Word embedding size.</param>
/// <param name="Hidden">LSTM units.</param>
/// <param name="AttentionHidden">Additive score hidden size.</param>
/// <param name="Gate">Soft: the gating scalar beta.</param>
/// <param name="DoublyStochastic">Soft: lambda of the doubly stochastic penalty.</param>
/// <param name="EntropyBonus">Hard: lambda_e.</param>
/// <param name="HardExpectation">Hard: share of images that use the expected context.</param>
/// <param name="Beam">Beam width of the test captions (1 = greedy).</param>
/// <param name="Encoder">cnn (trained with the decoder) or resnet18 (frozen, pretrained; <see cref="CaptionOptions.Encoder"/>).</param>
/// <param name="ImageStart">The LSTM starts from the mean of the regions (true, the paper's) or from zeros (<see cref="CaptionOptions.ImageStart"/>).</param>
/// <param name="AttendFrom">Which LSTM state asks where to look (<see cref="CaptionOptions.AttendFrom"/>).</param>
/// <param name="RegionContext">Self-attention layers over the regions (<see cref="CaptionOptions.RegionContext"/>).</param>
public sealed record CaptionTrainSpec(CaptionDataSpec Data, CaptionAttention Attention = CaptionAttention.Soft, int Features = 64, int Embedding = 64, int Hidden = 128,
    int AttentionHidden = 64, bool Gate = true, double DoublyStochastic = 1.0, double EntropyBonus = 0.01, double HardExpectation = 0.5, int Beam = 3,
    CaptionEncoder Encoder = CaptionEncoder.Cnn, bool ImageStart = true, CaptionAttendFrom AttendFrom = CaptionAttendFrom.Previous, int RegionContext = 0)
{
    /// <summary>The model options for a vocabulary of <paramref name="vocabulary"/> ids.</summary>
    public CaptionOptions Options(int vocabulary) => new(vocabulary, Attention, Data.Canvas,
        Encoder == CaptionEncoder.ResNet18 ? ImageNetRegions.Channels : Features, Embedding, Hidden, AttentionHidden, Gate,
        DoublyStochastic, EntropyBonus, HardExpectation: HardExpectation, Encoder: Encoder, ImageStart: ImageStart, AttendFrom: AttendFrom, RegionContext: RegionContext);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        Data.Validate();
        Options(100).Validate();
        if (Beam < 1) throw new ArgumentException($"Beam must be >= 1; got {Beam}");
    }
}

/// <summary>What to evaluate.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="Beam">Beam width (1 = greedy).</param>
public sealed record CaptionEvalSpec(string Checkpoint, int Beam = 3);

/// <summary>What to draw.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="Count">Images drawn.</param>
/// <param name="Split">test or compositional (scenes).</param>
/// <param name="Beam">Beam width.</param>
/// <param name="Output">PNG file, or folder for <c>attention.png</c> (null: beside the checkpoint).</param>
public sealed record CaptionShowSpec(string Checkpoint, int Count = 4, string Split = "test", int Beam = 3, string? Output = null);

/// <summary>What to caption: a user image file.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="Image">The image (PNG, JPEG ...) of the model's size; colour is turned to grey.</param>
/// <param name="Beam">Beam width.</param>
/// <param name="Output">PNG of the attention figure (null: beside the image, <c>NAME.attention.png</c>).</param>
public sealed record CaptionImageSpec(string Checkpoint, string Image, int Beam = 3, string? Output = null);

/// <summary>
/// Image captioning with Show, Attend and Tell as an experiment (issue 22): <see cref="Train"/> trains soft, hard or no attention
/// with early stopping on the validation caption error, then scores the best checkpoint on the test scenes and the
/// compositional test; <see cref="Evaluate"/> rescores a checkpoint; <see cref="Show"/> draws the paper's figure;
/// <see cref="CaptionImage"/> captions a user image. <c>attn caption train|eval|show|run</c> call these.
/// </summary>
public static class CaptionExperiment
{
    /// <summary>Checkpoint kind.</summary>
    public const string Kind = "caption";

    /// <summary>Trains a captioner in <see cref="TrainerOptions.OutDir"/> and tests it.</summary>
    public static RunResult Train(CaptionTrainSpec spec, TrainerOptions trainer, ExperimentContext context)
    {
        string outDir = RunFolder.Start(spec.Validate, trainer);
        var log = context.Log;
        log.WriteLine($"run folder: {outDir}");
        var data = spec.Data.Load(context);
        var net = spec.Options(data.Vocabulary.Count);
        net.Validate();
        var run = new CaptionRun(spec.Data, net, data.Vocabulary.Words);
        UseRegions(net, context, data.Train, data.Valid, data.Test, data.Compositional);
        log.WriteLine($"Show, Attend and Tell: encoder {Variant.Name(net.Encoder)}, attention {Variant.Name(net.Attention)}, {net.Grid}x{net.Grid} regions of {net.Features} features, LSTM {net.Hidden}, " +
                      $"embedding {net.Embedding}, vocabulary {net.Vocabulary}" +
                      (net.UsesAttention ? $", start {(net.ImageStart ? "mean of the regions" : "blind")}, attends from {Variant.Name(net.AttendFrom)}" : "") +
                      (net.RegionContext > 0 ? $", {net.RegionContext} self-attention layer(s) over the regions" : "") +
                      (net.Attention == CaptionAttention.Soft ? $", gate {net.Gate}, doubly stochastic lambda {net.DoublyStochastic}" : "") +
                      (net.Attention == CaptionAttention.Hard ? $", REINFORCE with moving-average baseline (decay {net.BaselineDecay}), entropy {net.EntropyBonus}, expectation share {net.HardExpectation}" : ""));
        var (model, summary, clock) = RunFolder.Fit<CaptionBatch, ShowAttendTell>(trainer, context, ModelIdentity.Of(Kind, run), () => new ShowAttendTell(net),
            m => new CaptionTask(m, data.Valid.References, data.Vocabulary), data.Train, data.Valid);
        var result = Score(model, data, run, spec.Beam, context);
        result.Add("parameters", model.parameters().Sum(p => p.numel())).AddTraining(summary, clock.Elapsed.TotalSeconds, trainer);
        string png = Path.Combine(outDir, "attention.png");
        Draw(model, data.Compositional ?? data.Test, run, 4, spec.Beam, png);
        result.Add("png", png);
        result.Save(Path.Combine(outDir, "result.json"));
        return result;
    }

    /// <summary>Loads a captioning checkpoint onto <paramref name="device"/>.</summary>
    public static (string Path, CaptionRun Run, ShowAttendTell Model) Load(string checkpoint, Device device) =>
        RunFolder.LoadModel<CaptionRun, ShowAttendTell>(checkpoint, Kind, "a captioning model", r => new ShowAttendTell(r.Net), device);

    /// <summary>Scores a checkpoint on its data's test split(s); writes <c>eval-result.json</c>.</summary>
    public static RunResult Evaluate(CaptionEvalSpec spec, ExperimentContext context)
    {
        if (spec.Beam < 1) throw new ArgumentException($"Beam must be >= 1; got {spec.Beam}");
        var (path, run, model) = Load(spec.Checkpoint, context.Device);
        var data = run.Data.Load(context, new CaptionVocabulary(run.Words));
        UseRegions(run.Net, context, data.Test, data.Compositional);
        var clock = Stopwatch.StartNew();
        var result = Score(model, data, run, spec.Beam, context);
        return RunFolder.FinishEval(result, data.Test.Count, clock.Elapsed.TotalSeconds, path, "test_images");
    }

    /// <summary>Draws the attention figure of the first <see cref="CaptionShowSpec.Count"/> images of a split.</summary>
    public static RunResult Show(CaptionShowSpec spec, ExperimentContext context)
    {
        if (spec.Count < 1) throw new ArgumentException($"Count must be >= 1; got {spec.Count}");
        if (spec.Split is not ("test" or "compositional")) throw new ArgumentException($"Split must be test or compositional; got '{spec.Split}'");
        var (path, run, model) = Load(spec.Checkpoint, context.Device);
        var data = run.Data.Load(context, new CaptionVocabulary(run.Words));
        var set = spec.Split == "compositional" ? data.Compositional ?? throw new ArgumentException("only generated scenes have a compositional split") : data.Test;
        UseRegions(run.Net, context, set);
        string png = RunFolder.PngPath(spec.Output, path, "attention.png");
        var dir = Path.GetDirectoryName(Path.GetFullPath(png));
        if (dir != null) Directory.CreateDirectory(dir);
        int exact = Draw(model, set, run, spec.Count, spec.Beam, png);
        return new RunResult().Add("png", Path.GetFullPath(png)).Add("images", Math.Min(spec.Count, set.Count)).Add("exact", exact);
    }

    /// <summary>Captions one user image; the result holds <c>caption</c> (words joined by '_' in the RESULT line) and the figure's path.</summary>
    public static (string Caption, RunResult Result) CaptionImage(CaptionImageSpec spec, ExperimentContext context)
    {
        if (spec.Beam < 1) throw new ArgumentException($"Beam must be >= 1; got {spec.Beam}");
        var (_, run, model) = Load(spec.Checkpoint, context.Device);
        int size = run.Net.ImageSize;
        var grey = CaptionFolder.ReadGrey(spec.Image, size, size);
        var vocab = new CaptionVocabulary(run.Words);
        var images = CaptionFolder.GreyTensor(grey, 1, size, context.Device);
        if (run.Net.FrozenEncoder)
        {
            using var extractor = ImageNetRegions.Load(context.DataRoot, context.Log, context.Device);
            images = extractor.Regions(images);
        }
        var hyp = model.Caption(images, spec.Beam)[0];
        var words = vocab.WordsOf(hyp.Tokens).ToArray();
        string caption = string.Join(' ', words);
        string png = spec.Output ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(spec.Image))!, Path.GetFileNameWithoutExtension(spec.Image) + ".attention.png");
        CaptionFigure.SavePng(png, [new CaptionExample(grey, size, words, hyp.Weights, run.Net.Grid, Path.GetFileName(spec.Image))]);
        return (caption, new RunResult().Add("caption", caption).Add("words", words.Length).Add("log_prob", Math.Round(hyp.LogProb, 4)).Add("png", Path.GetFullPath(png)));
    }

    /// <summary>
    /// With a frozen encoder (<see cref="CaptionOptions.FrozenEncoder"/>), gives each of <paramref name="sets"/> its region
    /// features, computed once by the pretrained network and cached in the data cache (<c>resnet18/regions/</c>); without, nothing.
    /// </summary>
    public static void UseRegions(CaptionOptions net, ExperimentContext context, params CaptionDataset?[] sets)
    {
        if (!net.FrozenEncoder) return;
        using var extractor = ImageNetRegions.Load(context.DataRoot, context.Log, context.Device);
        string cache = Path.Combine(ImageNetRegions.Source.Folder(context.DataRoot), "regions");
        foreach (var set in sets)
        {
            if (set is null || set.Regions is not null) continue;
            using var images = set.Images(Enumerable.Range(0, set.Count).ToArray());
            set.UseRegions(extractor.RegionsOf(images, cache, context.Log));
        }
    }

    /// <summary>Captions every image of <paramref name="set"/> (batches of 128) and returns the hypotheses.</summary>
    public static List<Hypothesis> CaptionAll(ShowAttendTell model, CaptionDataset set, int beam)
    {
        var all = new List<Hypothesis>(set.Count);
        for (int start = 0; start < set.Count; start += 128)
        {
            using var scope = NewDisposeScope();
            var idx = Enumerable.Range(start, Math.Min(128, set.Count - start)).ToArray();
            all.AddRange(model.Caption(set.Inputs(idx), beam));
        }
        return all;
    }

    /// <summary>Scores captions of <paramref name="set"/> (see <see cref="CaptionMetrics"/>).</summary>
    public static CaptionScores ScoreSet(ShowAttendTell model, CaptionDataset set, int beam)
    {
        var hyps = CaptionAll(model, set, beam);
        var words = hyps.Select(h => set.Vocabulary.WordsOf(h.Tokens).ToArray()).ToList();
        return CaptionMetrics.Score(words, set.References, set.Objects, hyps.Select(h => h.Weights).ToList(), model.Options.Grid, model.Options.ImageSize);
    }

    static RunResult Score(ShowAttendTell model, CaptionData data, CaptionRun run, int beam, ExperimentContext context)
    {
        var result = new RunResult().Add("data", run.Data.IsScenes ? "scenes" : Path.GetFileName(run.Data.Data)).Add("attention", Variant.Name(run.Net.Attention))
            .Add("encoder", Variant.Name(run.Net.Encoder)).Add("objects", run.Data.IsScenes ? $"{run.Data.MinObjects}-{run.Data.MaxObjects}" : "-").Add("beam", beam);
        result.Add("train_references", Variant.Name(run.Data.TrainReferences));
        if (run.Net.UsesAttention) result.Add("start", run.Net.ImageStart ? "image" : "blind").Add("attend_from", Variant.Name(run.Net.AttendFrom));
        if (run.Net.RegionContext > 0) result.Add("region_context", run.Net.RegionContext);
        void Add(string prefix, CaptionScores s)
        {
            result.Add(prefix + "exact", new Percent(100 * s.ExactMatch));
            for (int n = 0; n < 4; n++) result.Add($"{prefix}bleu{n + 1}", Math.Round(s.Bleu[n], 2));
            if (!double.IsNaN(s.ObjectAccuracy)) result.Add(prefix + "object_acc", new Percent(100 * s.ObjectAccuracy)).Add(prefix + "relation_acc", new Percent(100 * s.RelationAccuracy));
            if (double.IsNaN(s.Grounding)) return;
            result.Add(prefix + "grounding", new Percent(100 * s.Grounding)).Add(prefix + "grounding_other_object", new Percent(100 * s.OtherObject))
                  .Add(prefix + "grounding_near_miss", new Percent(100 * s.NearMiss))
                  .Add(prefix + "grounding_prev_step", new Percent(100 * s.PreviousStep)).Add(prefix + "grounding_word_or_prev", new Percent(100 * s.WordOrPrevious))
                  .Add(prefix + "grounding_mass", new Percent(100 * s.NamedMass));
            for (int k = 0; k < 3; k++)   // the first, second and third-or-later object word; "-" where a set has none
                result.Add($"{prefix}grounding_obj{k + 1}", double.IsNaN(s.ByOrder![k]) ? "-" : new Percent(100 * s.ByOrder[k]));
        }
        var test = ScoreSet(model, data.Test, beam);
        Add("test_", test);
        context.Log.WriteLine($"test: {test.Count} images, exact match {100 * test.ExactMatch:0.00}%, BLEU-4 {test.Bleu[3]:0.00}" +
                              (double.IsNaN(test.Grounding) ? "" : $", grounding {100 * test.Grounding:0.00}% of {test.GroundedWords} object words"));
        if (data.Compositional != null)
        {
            var comp = ScoreSet(model, data.Compositional, beam);
            Add("comp_", comp);
            context.Log.WriteLine($"compositional test: {comp.Count} scenes with a held-out combination, exact match {100 * comp.ExactMatch:0.00}%, BLEU-4 {comp.Bleu[3]:0.00}");
        }
        return result;
    }

    static int Draw(ShowAttendTell model, CaptionDataset set, CaptionRun run, int count, int beam, string png)
    {
        var idx = Enumerable.Range(0, Math.Min(count, set.Count)).ToArray();
        List<Hypothesis> hyps;
        using (var scope = NewDisposeScope()) hyps = model.Caption(set.Inputs(idx), beam);
        int exact = 0;
        var examples = new List<CaptionExample>();
        for (int k = 0; k < idx.Length; k++)
        {
            var words = set.Vocabulary.WordsOf(hyps[k].Tokens).ToArray();
            bool ok = CaptionMetrics.IsExact(string.Join(' ', words), set.References[idx[k]]);
            if (ok) exact++;
            examples.Add(new CaptionExample(set.Pixels(idx[k]).ToArray(), set.Height, words, hyps[k].Weights, run.Net.Grid,
                $"{(set.Names?[idx[k]] ?? "#" + idx[k])}: {(ok ? "matches a reference" : "reference: " + set.References[idx[k]][0])} (attention {Variant.Name(run.Net.Attention)})"));
        }
        CaptionFigure.SavePng(png, examples);
        return exact;
    }
}
