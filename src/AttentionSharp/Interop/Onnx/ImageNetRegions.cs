using AttentionSharp.Data;
using AttentionSharp.Native;
using static TorchSharp.torch;

namespace AttentionSharp.Interop.Onnx;

/// <summary>
/// A frozen ImageNet-pretrained ResNet-18 (He et al. 2016) as a region-feature extractor, the role VGG's conv5_4 plays in
/// Show, Attend and Tell (Xu et al. 2015, section 4.3): images go through the network up to its last residual block,
/// whose 7x7 grid of 512-channel vectors are the annotation vectors a_1..a_49. The weights are ML.NET's
/// (<c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>, a CNTK export: 224x224 input in BGR order on a 0-255 scale minus the
/// training set's mean image, applied by the package's own preprocessing graph), run by <see cref="OnnxGraph"/> on libtorch.
/// Grey images are resized to 224x224 (bilinear) and repeated over the three colour channels.
/// </summary>
public sealed class ImageNetRegions : IDisposable
{
    /// <summary>The network's input side.</summary>
    public const int InputSize = 224;
    /// <summary>Side of the region grid (224 / 32).</summary>
    public const int Grid = 7;
    /// <summary>Channels of a region vector.</summary>
    public const int Channels = 512;
    const string Package = "Microsoft.ML.DnnImageFeaturizer.ResNet18";
    const string Version = "0.24.0";
    const string ModelFile = "ResNet18.onnx";
    const string PrepFile = "ResNetPreprocess.onnx";

    /// <summary>The model files, obtained from the NuGet package by <c>attn data get resnet18</c>.</summary>
    public static DatasetSource Source { get; } = new("resnet18",
        $"ImageNet-pretrained ResNet-18 in ONNX form (ML.NET's {Package} {Version}): frozen region features for captioning",
        [new DataFile(ModelFile, 63_653_533, "82687589f0f66ac1d7cf8977d8bd00e5", path => _ = OnnxModel.Load(path)),
         new DataFile(PrepFile, 602_584, "efb76cb913161d84ca440bfd43deff13", path => _ = OnnxModel.Load(path))],
        [new NuGetRoute(Package, Version, name => "tools/DnnImageModels/" + (name == ModelFile ? "ResNet18Onnx/" : "ResNetPrepOnnx/") + name)]);

    readonly OnnxGraph _prep;
    readonly OnnxGraph _net;
    readonly string _prepInput, _prepOutput, _netInput, _regions;

    /// <summary>Builds the extractor from the two graphs (<see cref="Load"/> reads them from the data cache).</summary>
    public ImageNetRegions(OnnxModel preprocess, OnnxModel network, Device? device = null)
    {
        _prep = new OnnxGraph(preprocess, device);
        _net = new OnnxGraph(network, device);
        _prepInput = preprocess.Inputs.Single().Name;
        _prepOutput = preprocess.Outputs.Single().Name;
        _netInput = network.Inputs.Single().Name;
        // The last block's output is what the final (global) average pooling reads.
        var pool = network.Nodes.LastOrDefault(n => n.OpType is "AveragePool" or "GlobalAveragePool")
                   ?? throw new InvalidDataException("the network has no final average pooling: cannot tell which value is the region grid");
        _regions = pool.Inputs[0];
        Device = device ?? CPU;
    }

    /// <summary>The device the weights live on.</summary>
    public Device Device { get; }

    /// <summary>Reads the model from the data cache under <paramref name="dataRoot"/>, obtaining it first if needed.</summary>
    public static ImageNetRegions Load(string dataRoot, TextWriter log, Device? device = null)
    {
        string folder = Source.Ensure(dataRoot, log);
        return new ImageNetRegions(OnnxModel.Load(Path.Combine(folder, PrepFile)), OnnxModel.Load(Path.Combine(folder, ModelFile)), device);
    }

    /// <summary>Region features <c>(B, 49, 512)</c> of grey images <c>(B, 1, H, W)</c> with values in [0, 1], row-major regions; no gradients.</summary>
    public Tensor Regions(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 1)
            throw new ArgumentException($"images must be (batch, 1, height, width) grey images; got ({string.Join(", ", images.shape)})");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = nn.functional.interpolate(images.to(Device), [InputSize, InputSize], mode: InterpolationMode.Bilinear, align_corners: false);
        x = (x * HeldScalars.Of(255.0)).expand(-1, 3, -1, -1).contiguous();                  // (B, 3, 224, 224), RGB on 0-255
        var prepared = _prep.Run(new Dictionary<string, Tensor> { [_prepInput] = x }, _prepOutput);
        var grid = _net.Run(new Dictionary<string, Tensor> { [_netInput] = prepared }, _regions); // (B, 512, 7, 7)
        return grid.flatten(2).transpose(1, 2).contiguous().MoveToOuterDisposeScope();      // (B, 49, 512)
    }

    /// <summary>The regions of <paramref name="images"/> <c>(N, 1, H, W)</c> in chunks of <paramref name="batch"/>, on the CPU: <c>(N, 49, 512)</c>.</summary>
    public Tensor RegionsOf(Tensor images, int batch = 32, Action<int>? progress = null)
    {
        var parts = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += batch)
        {
            long n = Math.Min(batch, images.shape[0] - start);
            parts.Add(Regions(images.narrow(0, start, n)).cpu());
            progress?.Invoke((int)(start + n));
        }
        var all = cat(parts.ToArray(), 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }

    /// <summary>
    /// <see cref="RegionsOf(Tensor, int, Action{int})"/> through a cache folder: the features of a set of images are
    /// computed once and kept in <paramref name="cacheDir"/> under a SHA-256 of the images' values (a later run, an
    /// evaluation or another model on the same images reads them back). A cache file that does not read back whole is
    /// computed again.
    /// </summary>
    public Tensor RegionsOf(Tensor images, string cacheDir, TextWriter log, int batch = 32)
    {
        var values = images.to(ScalarType.Float32).cpu().contiguous();
        string key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.data<float>().ToArray().AsSpan())))[..24].ToLowerInvariant();
        string path = Path.Combine(cacheDir, $"regions-{key}.bin");
        long n = values.shape[0];
        if (ReadCache(path, n) is Tensor cached)
        {
            log.WriteLine($"resnet18: region features of {n} images read from {path}");
            return cached;
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long next = 1000;
        var regions = RegionsOf(values, batch, done =>
        {
            if (done < next && done < n) return;
            log.WriteLine($"resnet18: {done} of {n} images, {clock.Elapsed.TotalSeconds:0} s");
            next = done + 1000;
        });
        Directory.CreateDirectory(cacheDir);
        WriteCache(path, regions);
        return regions;
    }

    static readonly byte[] CacheMagic = "ATTNREG1"u8.ToArray();

    static Tensor? ReadCache(string path, long count)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (!reader.ReadBytes(CacheMagic.Length).AsSpan().SequenceEqual(CacheMagic)) return null;
            long n = reader.ReadInt64(), l = reader.ReadInt64(), d = reader.ReadInt64();
            if (n != count || l < 1 || d < 1 || reader.BaseStream.Length != 32 + 4 * n * l * d) return null;
            var floats = new float[n * l * d];
            reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan()));
            return tensor(floats, [n, l, d]);
        }
        catch (IOException) { return null; }
    }

    static void WriteCache(string path, Tensor regions)
    {
        string temp = path + $".partial-{Environment.ProcessId}";
        using (var writer = new BinaryWriter(File.Create(temp)))
        {
            writer.Write(CacheMagic);
            foreach (long s in regions.shape) writer.Write(s);
            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(regions.contiguous().data<float>().ToArray().AsSpan()));
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Releases the weights.</summary>
    public void Dispose()
    {
        _prep.Dispose();
        _net.Dispose();
    }
}
