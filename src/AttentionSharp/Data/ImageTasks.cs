using static TorchSharp.torch;

namespace AttentionSharp.Data;

/// <summary>The train/validation/test splits of an image classification task.</summary>
/// <param name="Train">Training examples.</param>
/// <param name="Valid">Validation examples (select the best checkpoint).</param>
/// <param name="Test">Held-out test examples.</param>
public sealed record ImageTaskData(ImageDataset Train, ImageDataset Valid, ImageDataset Test);

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
    };

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
