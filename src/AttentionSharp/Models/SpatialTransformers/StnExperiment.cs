using System.Diagnostics;
using AttentionSharp.Data;
using AttentionSharp.Training;
using AttentionSharp.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.SpatialTransformers;

/// <summary>What an stn checkpoint records: the task, its data seed and the network options.</summary>
/// <param name="Task">Task name (see <see cref="StnExperiment.Tasks"/>).</param>
/// <param name="DataSeed">Seed of the distortions.</param>
/// <param name="Net">Network options.</param>
public sealed record StnRun(string Task, long DataSeed, StnOptions Net);

/// <summary>What to train: a distorted-digit task and the CNN or ST-CNN (the canvas side comes from the task).</summary>
/// <param name="Task">rts (MNIST rotated +-45 degrees, scaled 0.7-1.2, on a 42x42 canvas) or cluttered60 (RAM's translated cluttered 60x60).</param>
/// <param name="Model">cnn or st-cnn.</param>
/// <param name="AttentionOnly">st-cnn: scale and translation only.</param>
/// <param name="DataSeed">Seed of the distortions.</param>
public sealed record StnTrainSpec(string Task = "rts", StnModel Model = StnModel.Cnn, bool AttentionOnly = false, long DataSeed = 1)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (!StnExperiment.Tasks.Contains(Task)) throw new ArgumentException($"Task must be one of {string.Join(", ", StnExperiment.Tasks)}; got '{Task}'");
        Variant.Check(Model, nameof(Model));
    }

    /// <summary>The network options: the spec's model on the task's square canvas (42 for rts, 60 for cluttered60).</summary>
    public StnOptions Resolve()
    {
        int side = Task == "cluttered60" ? 60 : 42;
        var net = new StnOptions(Model: Model, Height: side, Width: side, AttentionOnly: AttentionOnly);
        net.Validate();
        return net;
    }
}

/// <summary>What to evaluate: a CNN / ST-CNN checkpoint on its task's test set (distorted with the run's data seed).</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="BatchSize">Examples per batch.</param>
public sealed record StnEvalSpec(string Checkpoint, int BatchSize = 500)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        Check.AtLeast(BatchSize, 1);
    }
}

/// <summary>What to draw: the first <paramref name="Count"/> test images next to what the spatial transformer made of them.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="Output">PNG file to write (relative paths from the current folder).</param>
/// <param name="Count">Test images to draw (the first N).</param>
/// <param name="Scale">Screen pixels per image pixel.</param>
public sealed record StnShowSpec(string Checkpoint, string Output = "stn.png", int Count = 8, int Scale = 3)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        Check.Picture(Count, Scale, Output);
    }
}

/// <summary>
/// CNN vs spatial-transformer CNN on distorted MNIST (Jaderberg et al. 2015) as an experiment: <see cref="Train"/> (spec
/// and trainer options to a tested run folder with its checkpoints and <c>result.json</c>), <see cref="Evaluate"/> (a
/// checkpoint on its task's test set) and <see cref="Show"/> (inputs beside their transformed versions, in a PNG).
/// <c>attn stn train|eval|show</c> call these.
/// </summary>
public static class StnExperiment
{
    /// <summary>Checkpoint kind of the CNN / ST-CNN classifiers.</summary>
    public const string Kind = "stn";

    /// <summary>Known task names.</summary>
    public static readonly string[] Tasks = ["rts", "cluttered60"];

    /// <summary>Trains a CNN or ST-CNN on the spec's task in <see cref="TrainerOptions.OutDir"/> and tests the best checkpoint.</summary>
    public static RunResult Train(StnTrainSpec spec, TrainerOptions trainer, ExperimentContext context)
    {
        string outDir = RunFolder.Start(spec.Validate, trainer);
        var net = spec.Resolve();
        var run = new StnRun(spec.Task, spec.DataSeed, net);
        var data = LoadData(run, context);
        context.Log.WriteLine($"run folder: {outDir}");

        var (model, summary, clock) = RunFolder.Fit(trainer, context, ModelIdentity.Of(Kind, run),
            () => new StnClassifier(net), m => new ClassifierTask(m), data.Train, data.Valid);
        var test = Trainer<ImageBatch>.Evaluate(new ClassifierTask(model), data.Test, 500);
        var result = new RunResult().Add("task", spec.Task).Add("model", Variant.Name(net.Model))
            .Add("test_error", new Percent(100 * test["error"]))
            .AddTraining(summary, clock.Elapsed.TotalSeconds, trainer);
        result.Save(Path.Combine(outDir, "result.json"));
        return result;
    }

    /// <summary>The task's data: RTS MNIST distorted with the run's seed, or the cluttered 60x60 canvases built with it.</summary>
    public static ImageTaskData LoadData(StnRun run, ExperimentContext context) => run.Task == "cluttered60"
        ? ImageTasks.Load("cluttered60", context.DataRoot, context.Log, context.Device, run.DataSeed)
        : RtsMnist.Load(context.DataRoot, context.Log, run.DataSeed, device: context.Device);

    /// <summary>Loads a CNN / ST-CNN checkpoint (file, or run folder: its best checkpoint) onto <paramref name="device"/>.</summary>
    public static (string Path, StnRun Run, StnClassifier Model) Load(string checkpoint, Device device) =>
        RunFolder.LoadModel(checkpoint, Kind, "a CNN / ST-CNN", (StnRun run) => new StnClassifier(run.Net), device);

    /// <summary>Evaluates a checkpoint on its task's test set; writes <c>eval-result.json</c> beside it.</summary>
    public static RunResult Evaluate(StnEvalSpec spec, ExperimentContext context)
    {
        spec.Validate();
        var (path, run, model) = Load(spec.Checkpoint, context.Device);
        var data = LoadData(run, context);
        var clock = Stopwatch.StartNew();
        var test = Trainer<ImageBatch>.Evaluate(new ClassifierTask(model), data.Test, spec.BatchSize);
        var result = new RunResult().Add("task", run.Task).Add("model", Variant.Name(run.Net.Model))
            .Add("test_error", new Percent(100 * test["error"])).Add("test_loss", test["loss"]);
        return RunFolder.FinishEval(result, data.Test.Count, clock.Elapsed.TotalSeconds, path);
    }

    /// <summary>Draws the first test images beside what the transformer made of them into a PNG; the result names the file and how many were classified right.</summary>
    public static RunResult Show(StnShowSpec spec, ExperimentContext context)
    {
        spec.Validate();
        var (path, run, model) = Load(spec.Checkpoint, context.Device);
        var data = LoadData(run, context);
        string outFile = Path.GetFullPath(spec.Output);
        model.eval();
        var rows = new List<IReadOnlyList<(float[], int, int)>>();
        int correct = 0;
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var batch = data.Test.GetBatch(Enumerable.Range(0, Math.Min(spec.Count, data.Test.Count)).ToArray());
            var (logits, transformed, _) = model.Forward(batch.Images);
            var pred = logits.argmax(1).cpu();
            for (int i = 0; i < batch.Images.shape[0]; i++)
            {
                if (pred[i].item<long>() == batch.Labels[i].item<long>()) correct++;
                rows.Add([
                    (batch.Images[i, 0].cpu().contiguous().data<float>().ToArray(), (int)batch.Images.shape[2], (int)batch.Images.shape[3]),
                    (transformed[i, 0].cpu().contiguous().data<float>().ToArray(), (int)transformed.shape[2], (int)transformed.shape[3]),
                ]);
            }
        }
        ImageGrid.Save(outFile, rows, ["input", run.Net.Model == StnModel.StCnn ? "transformed" : "input (no transformer)"], spec.Scale);
        return new RunResult().Add("model", Variant.Name(run.Net.Model)).Add("examples", rows.Count).Add("correct", correct).Add("png", outFile).Add("checkpoint", path);
    }
}
