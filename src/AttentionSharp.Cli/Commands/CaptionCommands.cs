using AttentionSharp.Data.Captioning;
using AttentionSharp.Models.Captioning;
using AttentionSharp.Training;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn caption train|eval|show|run</c>: Show, Attend and Tell (Xu et al. 2015) with soft, hard or no attention.</summary>
public static class CaptionCommands
{
    internal static readonly OptionSpec[] DataOptions =
    [
        new("data", "scenes|FILE", "scenes", "scenes (generated from MNIST digits and Fashion-MNIST items) or a captions file of JSON lines {\"image\": ..., \"captions\": [...], \"split\": ...}"),
        new OptionSpec("canvas", "N", "64", "image side in pixels (a multiple of 8); user images must have it").Ints(16, 1024),
        new("objects", "MIN-MAX", "3-3", "scenes: objects per scene (1 to 3), e.g. 2-3"),
        new OptionSpec("train-size", "N", "20000", "scenes: training scenes").Ints(1),
        new OptionSpec("valid-size", "N", "1000", "scenes: validation scenes (early stopping on the caption error)").Ints(1),
        new OptionSpec("test-size", "N", "2000", "scenes: test scenes, and as many compositional test scenes").Ints(1),
        new OptionSpec("held-out", "X", "0.1", "scenes: share of (object, relation, object) combinations kept out of training for the compositional test").Numbers(0, 0.99),
        new OptionSpec("data-seed", "N", "22", "scenes: generation seed").Longs(),
    ];

    static readonly OptionSpec TrainReferences = new OptionSpec("train-references", "WHICH", "cycle",
        "the reference each training image is paired with: cycle (each epoch another, all used), first (the canonical one; scenes: objects named left to right, top to bottom) " +
        "or min-loss (the one the current model finds likeliest, scored every step)").Variants<CaptionReferenceChoice>();

    static readonly OptionSpec[] ModelOptions =
    [
        new OptionSpec("attention", "WHICH", "soft", "soft (deterministic, beta gate, doubly stochastic penalty), hard (sampled region, REINFORCE) or none (mean-pooled features as the initial state)").Variants<CaptionAttention>(),
        new OptionSpec("encoder", "WHICH", "cnn", "cnn (a small CNN trained with the decoder: a (canvas/8)^2 grid) or resnet18 (frozen ImageNet ResNet-18, 7x7 regions of 512 features, computed once and cached; 'attn data get resnet18')").Variants<CaptionEncoder>(),
        new OptionSpec("features", "D", "64", "cnn: channels of each region feature (resnet18: 512)").Ints(1, 4096),
        new OptionSpec("embedding", "M", "64", "word embedding size").Ints(1, 4096),
        new OptionSpec("hidden", "N", "128", "LSTM units").Ints(1, 4096),
        new OptionSpec("attention-hidden", "A", "64", "hidden size of the additive attention score").Ints(1, 4096),
        new("no-gate", null, null, "soft: leave out the gating scalar beta"),
        new("blind-start", null, null, "soft/hard: start the LSTM from zeros instead of the mean of the regions, so that the image enters only through attention"),
        new OptionSpec("attend-from", "WHICH", "previous", "soft/hard: previous (Xu et al.: h_{t-1} asks, the context enters the LSTM), current (Lu et al. 2017: h_t asks after the LSTM step, the context goes to the output only) or current-fed (current, and the context enters the LSTM at the next step)").Variants<CaptionAttendFrom>(),
        new OptionSpec("region-context", "N", "0", "Transformer encoder layers (4 heads) over the region features, so that each region knows what is around it (0 = the paper's annotations)").Ints(0, 8),
        new OptionSpec("doubly-stochastic", "X", "1", "soft: lambda of sum_i (1 - sum_t alpha_ti)^2 (0 = off)").Numbers(0),
        new OptionSpec("entropy", "X", "0.01", "hard: weight of the entropy bonus").Numbers(0),
        new OptionSpec("expectation", "X", "0.5", "hard: share of training images that use the expected context instead of a sample").Numbers(0, 1),
    ];

    static readonly OptionSpec Checkpoint = new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)");
    static readonly OptionSpec Beam = new OptionSpec("beam", "K", "3", "beam width of the generated captions (1 = greedy)").Ints(1, 100);

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["caption", "train"], "train a Show, Attend and Tell captioner (soft, hard or no attention), then score it: BLEU-1..4, exact match, slots, grounding, compositional split",
            [.. DataOptions, TrainReferences, .. ModelOptions, Beam, .. SharedOptions.Train(epochs: 30, batchSize: 64, lr: 1e-3, monitor: "nll", threads: null)], null, Train),
        new(["caption", "eval"], "score a captioning checkpoint on its test images (and the compositional test scenes)",
            [Checkpoint, Beam, .. SharedOptions.Common()], null, Eval),
        new(["caption", "show"], "draw the attention figure: each image, then per generated word its attention map over the image",
            [Checkpoint, Beam, new OptionSpec("count", "N", "4", "images to draw").Ints(1, 64), new OptionSpec("split", "NAME", "test", "test or compositional").OneOf("test", "compositional"), .. SharedOptions.Common()], null, Show),
        new(["caption", "run"], "caption an image file (of the model's size; colour becomes grey) and draw its attention",
            [Checkpoint, Beam, new("image", "FILE", null, "the image to caption"), .. SharedOptions.Common()], null, RunImage),
    ];

    internal static CaptionDataSpec DataSpec(ParsedArgs a)
    {
        string objects = a.Required("objects");
        var parts = objects.Split('-');
        if (parts.Length is < 1 or > 2 || !parts.All(p => int.TryParse(p, out _)))
            throw new UsageException($"--objects must be N or MIN-MAX (e.g. 2-3); got '{objects}'");
        int min = int.Parse(parts[0]), max = int.Parse(parts[^1]);
        if (min < 1 || max > 3 || min > max) throw new UsageException($"--objects must satisfy 1 <= MIN <= MAX <= 3; got '{objects}'");
        return new CaptionDataSpec(a.Required("data"), a.Int("canvas"), min, max, a.Int("train-size"), a.Int("valid-size"), a.Int("test-size"),
            a.Double("held-out"), a.Long("data-seed"));
    }

    static int Train(ParsedArgs a)
    {
        var spec = new CaptionTrainSpec(DataSpec(a) with { TrainReferences = a.Variant<CaptionReferenceChoice>("train-references") }, a.Variant<CaptionAttention>("attention"), a.Int("features"), a.Int("embedding"),
            a.Int("hidden"), a.Int("attention-hidden"), !a.Flag("no-gate"), a.Double("doubly-stochastic"), a.Double("entropy"),
            a.Double("expectation"), a.Int("beam"), a.Variant<CaptionEncoder>("encoder"), !a.Flag("blind-start"),
            a.Variant<CaptionAttendFrom>("attend-from"), a.Int("region-context"));
        spec.Validate();
        string name = spec.Data.IsScenes ? $"scenes{spec.Data.MinObjects}{spec.Data.MaxObjects}" : Path.GetFileNameWithoutExtension(spec.Data.Data);
        var trainer = SharedOptions.Trainer(a, SharedOptions.OutDir(a, $"caption-{name}-{Variant.Name(spec.Attention)}"));
        var result = TrainingProgress.Run(SharedOptions.Progress(a), p => CaptionExperiment.Train(spec, trainer, SharedOptions.Context(a, p)));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static int Eval(ParsedArgs a)
    {
        Console.WriteLine(CaptionExperiment.Evaluate(new CaptionEvalSpec(a.Required("checkpoint"), a.Int("beam")), SharedOptions.Context(a)).ToLine());
        return 0;
    }

    static int Show(ParsedArgs a)
    {
        var spec = new CaptionShowSpec(a.Required("checkpoint"), a.Int("count"), a.Choice("split"), a.Int("beam"), a.String("out"));
        Console.WriteLine(CaptionExperiment.Show(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }

    static int RunImage(ParsedArgs a)
    {
        var out_ = a.String("out");
        var spec = new CaptionImageSpec(a.Required("checkpoint"), a.Required("image"), a.Int("beam"),
            out_ == null ? null : out_.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? out_ : Path.Combine(out_, "attention.png"));
        var (caption, result) = CaptionExperiment.CaptionImage(spec, SharedOptions.Context(a));
        Console.WriteLine($"caption: {caption}");
        Console.WriteLine(result.ToLine());
        return 0;
    }
}
