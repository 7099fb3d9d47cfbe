using AttentionSharp.Models.QuestionAnswering;
using AttentionSharp.Training;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn vqa train|eval|show|run</c>: question answering on the generated scenes with stacked attention (Yang et al. 2016) or without attention.</summary>
public static class VqaCommands
{
    static readonly OptionSpec[] ModelOptions =
    [
        new OptionSpec("attention", "WHICH", "stacked", "stacked (the question attends over the image regions, --hops times) none (mean of the regions and the question, fused) or flat (the whole grid of regions as one vector, fused)").Variants<VqaAttention>(),
        new OptionSpec("hops", "K", "2", "stacked: attention layers (SAN-1, SAN-2 ...)").Ints(1, 16),
        new OptionSpec("questions", "N", "3", "questions per scene and epoch (kinds cycle: exist, relate, where)").Ints(1, 100),
        new OptionSpec("features", "D", "64", "channels of each region feature").Ints(1, 4096),
        new OptionSpec("embedding", "M", "64", "question word embedding size").Ints(1, 4096),
        new OptionSpec("hidden", "N", "128", "size of the image, question and query vectors (even: a bidirectional LSTM of N/2 a direction)").Ints(2, 4096),
        new OptionSpec("attention-hidden", "A", "64", "size of the attention layer's tanh").Ints(1, 4096),
        new OptionSpec("dropout", "X", "0", "dropout before the answer classifier").Numbers(0, 0.99),
    ];

    static readonly OptionSpec Checkpoint = new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)");

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["vqa", "train"], "train visual question answering on generated scenes (stacked attention or none), then score it by question kind, grounding, compositional split and the question-only prior",
            [.. CaptionCommands.DataOptions, .. ModelOptions, .. SharedOptions.Train(epochs: 40, batchSize: 64, lr: 1e-3, monitor: "error", threads: null)], null, Train),
        new(["vqa", "eval"], "score a question answering checkpoint on its test and compositional questions",
            [Checkpoint, .. SharedOptions.Common()], null, Eval),
        new(["vqa", "show"], "draw questions about test scenes with each attention layer's map over the image",
            [Checkpoint, new OptionSpec("count", "N", "6", "questions to draw").Ints(1, 64), new OptionSpec("split", "NAME", "test", "test or compositional").OneOf("test", "compositional"), .. SharedOptions.Common()], null, Show),
        new(["vqa", "run"], "answer a question about an image file (of the model's size; colour becomes grey) and draw the attention, or every question of a JSON-lines file",
            [Checkpoint, new("image", "FILE", null, "the image"), new("question", "TEXT", null, "e.g. \"what is left of the 7?\""),
             new("questions-file", "FILE", null, "instead of --image/--question: JSON lines {\"image\": \"a.png\", \"question\": \"...\", \"answer\": \"...\" (optional)}, images relative to the file; answers go to FILE.answers.jsonl (or --out)"),
             .. SharedOptions.Common()], null, Ask),
    ];

    static int Train(ParsedArgs a)
    {
        var data = CaptionCommands.DataSpec(a);
        if (!data.IsScenes) throw new UsageException($"--data must be scenes for vqa: questions are answered from the generated scenes' objects; got '{data.Data}'");
        var attention = a.Variant<VqaAttention>("attention");
        var spec = new VqaTrainSpec(data, attention, a.Int("questions"), a.Int("features"), a.Int("embedding"),
            a.Int("hidden"), a.Int("attention-hidden"), a.Int("hops"), a.Double("dropout"));
        spec.Validate();
        string name = $"scenes{data.MinObjects}{data.MaxObjects}-{(attention == VqaAttention.Stacked ? $"san{spec.Hops}" : Variant.Name(attention))}";
        var trainer = SharedOptions.Trainer(a, SharedOptions.OutDir(a, $"vqa-{name}"));
        var result = TrainingProgress.Run(SharedOptions.Progress(a), p => VqaExperiment.Train(spec, trainer, SharedOptions.Context(a, p)));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static int Eval(ParsedArgs a)
    {
        Console.WriteLine(VqaExperiment.Evaluate(a.Required("checkpoint"), SharedOptions.Context(a)).ToLine());
        return 0;
    }

    static int Show(ParsedArgs a)
    {
        var spec = new VqaShowSpec(a.Required("checkpoint"), a.Int("count"), a.Choice("split"), a.String("out"));
        Console.WriteLine(VqaExperiment.Show(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }

    static int Ask(ParsedArgs a)
    {
        var out_ = a.String("out");
        if (a.String("questions-file") is { } file)
        {
            if (a.Has("image") || a.Has("question")) throw new UsageException("give either --questions-file FILE or --image and --question, not both");
            Console.WriteLine(VqaExperiment.AnswerFile(new VqaFileSpec(a.Required("checkpoint"), file, out_), SharedOptions.Context(a)).ToLine());
            return 0;
        }
        var spec = new VqaAskSpec(a.Required("checkpoint"), a.Required("image"), a.Required("question"),
            out_ == null ? null : RunFolder.PngPath(out_, a.Required("image"), "vqa.png"));
        var (answer, result) = VqaExperiment.Ask(spec, SharedOptions.Context(a));
        Console.WriteLine($"answer: {answer}");
        Console.WriteLine(result.ToLine());
        return 0;
    }
}
