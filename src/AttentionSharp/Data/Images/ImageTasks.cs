using AttentionSharp.Training;
using static TorchSharp.torch;

namespace AttentionSharp.Data;

/// <summary>The train/validation/test splits of an image classification task.</summary>
/// <param name="Train">Training examples.</param>
/// <param name="Valid">Validation examples (select the best checkpoint).</param>
/// <param name="Test">Held-out test examples.</param>
/// <param name="Fresh">For generated canvas tasks: the training digits on canvases drawn anew every epoch (else null).</param>
public sealed record ImageTaskData(ImageDataset Train, ImageDataset Valid, ImageDataset Test, FreshCanvases? Fresh = null)
{
    /// <summary>The training source: <see cref="Fresh"/> when asked for (it must exist), else the fixed <see cref="Train"/> set.</summary>
    public IBatchSource<ImageBatch> TrainingSource(bool fresh) =>
        !fresh ? Train : Fresh ?? throw new ArgumentException("fresh canvases exist only for the generated tasks (translated, cluttered60, cluttered100)");
}

/// <summary>Image classification tasks by name, shared by every image model verb (baselines, RAM, ...).</summary>
public static class ImageTasks
{
    /// <summary>Known task names.</summary>
    public static string[] Names => [.. Loaders.Keys];

    /// <summary>Task name to loader (cache root, log, device, seed). Families register derived tasks here.</summary>
    static readonly Dictionary<string, Func<string, TextWriter, Device, long, ImageTaskData>> Loaders = new()
    {
        ["mnist"] = (root, log, device, _) => FromSource(DatasetCatalog.Mnist, root, log, device),
        ["fashion-mnist"] = (root, log, device, _) => FromSource(DatasetCatalog.FashionMnist, root, log, device),
        ["translated"] = (root, log, device, _) => Derived(DatasetCatalog.Mnist, 60, 0, root, log, device),
        ["cluttered60"] = (root, log, device, _) => Derived(DatasetCatalog.Mnist, 60, 4, root, log, device),
        ["cluttered100"] = (root, log, device, _) => Derived(DatasetCatalog.Mnist, 100, 8, root, log, device),
        ["fashion-mnist:translated"] = (root, log, device, _) => Derived(DatasetCatalog.FashionMnist, 60, 0, root, log, device),
        ["fashion-mnist:cluttered60"] = (root, log, device, _) => Derived(DatasetCatalog.FashionMnist, 60, 4, root, log, device),
        ["fashion-mnist:cluttered100"] = (root, log, device, _) => Derived(DatasetCatalog.FashionMnist, 100, 8, root, log, device),
    };

    /// <summary>Seed of the derived (translated/cluttered) tasks: fixed, so every run and every model sees the same canvases.</summary>
    public const long DerivedSeed = 2014;

    /// <summary>
    /// The task name for a derived task on a source dataset: <c>translated</c> on <c>mnist</c> is <c>translated</c>,
    /// on <c>fashion-mnist</c> it is <c>fashion-mnist:translated</c>; the plain task <c>mnist</c> on <c>fashion-mnist</c> is <c>fashion-mnist</c>.
    /// </summary>
    public static string Resolve(string task, string dataset)
    {
        if (dataset == "mnist" || task.Contains(':')) return task;
        if (task == "mnist" || task == dataset) return dataset;
        return dataset + ":" + task;
    }

    static ImageTaskData Derived(DatasetSource source, int canvas, int distractors, string root, TextWriter log, Device device)
    {
        var data = FromSource(source, root, log, device);
        log.WriteLine($"generating {source.Name} {canvas}x{canvas} canvases with {distractors} distractors (seed {DerivedSeed})");
        return TranslatedImages.Generate(data, canvas, distractors, DerivedSeed);
    }

    static ImageTaskData FromSource(DatasetSource source, string root, TextWriter log, Device device)
    {
        var (train, valid, test) = MnistLoader.Load(source, root, log, device: device);
        return new ImageTaskData(train, valid, test);
    }

    /// <summary>Loads a task's splits, obtaining its data first when needed.</summary>
    public static ImageTaskData Load(string task, string cacheRoot, TextWriter log, Device? device = null, long seed = 1) =>
        Loaders.TryGetValue(task, out var load)
            ? load(cacheRoot, log, device ?? CPU, seed)
            : throw new ArgumentException($"unknown image task '{task}'; known: {string.Join(", ", Names)}");
}
