using System.IO.Compression;
using AttentionSharp.Data;
using AttentionSharp.Interop.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Interop;

/// <summary>
/// The ONNX reader and interpreter on small models the test writes (<see cref="OnnxWriter"/>), each operator against a
/// naive loop written from the operator's definition in the ONNX specification (double precision); the pretrained
/// ResNet-18 path (<see cref="ImageNetRegions"/>) with a stand-in network of the same interface.
/// </summary>
public class OnnxGraphTests
{
    static float[] Random(Random rng, int n, double scale = 1) => Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale)).ToArray();

    /// <summary>A tensor (N, C, H, W) as a jagged index function over a flat row-major array.</summary>
    sealed record Nchw(double[] V, int N, int C, int H, int W)
    {
        public double this[int n, int c, int y, int x] => V[((n * C + c) * H + y) * W + x];
        public static Nchw Of(float[] v, int n, int c, int h, int w) => new(v.Select(f => (double)f).ToArray(), n, c, h, w);
        public static Nchw Of(Tensor t) => Of(t.contiguous().data<float>().ToArray(), (int)t.shape[0], (int)t.shape[1], (int)t.shape[2], (int)t.shape[3]);
    }

    /// <summary>ONNX Conv: out[n,o,y,x] = B[o] + sum over the group's input channels and the kernel of W * input (zero outside; pads = top, left, bottom, right).</summary>
    static Nchw NaiveConv(Nchw i, double[] w, int o, int kh, int kw, double[]? b, int stride, int[] pads, int dil, int groups)
    {
        int cg = i.C / groups, og = o / groups;
        int oh = (i.H + pads[0] + pads[2] - dil * (kh - 1) - 1) / stride + 1, ow = (i.W + pads[1] + pads[3] - dil * (kw - 1) - 1) / stride + 1;
        var r = new double[i.N * o * oh * ow];
        for (int n = 0; n < i.N; n++)
        for (int oc = 0; oc < o; oc++)
        for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++)
        {
            double s = b?[oc] ?? 0;
            int g = oc / og;
            for (int c = 0; c < cg; c++)
            for (int u = 0; u < kh; u++)
            for (int v = 0; v < kw; v++)
            {
                int yy = y * stride - pads[0] + u * dil, xx = x * stride - pads[1] + v * dil;
                if (yy < 0 || yy >= i.H || xx < 0 || xx >= i.W) continue;
                s += w[((oc * cg + c) * kh + u) * kw + v] * i[n, g * cg + c, yy, xx];
            }
            r[((n * o + oc) * oh + y) * ow + x] = s;
        }
        return new Nchw(r, i.N, o, oh, ow);
    }

    /// <summary>ONNX MaxPool / AveragePool (count_include_pad = 0): over the window's pixels inside the image.</summary>
    static Nchw NaivePool(Nchw i, int k, int stride, int[] pads, bool max)
    {
        int oh = (i.H + pads[0] + pads[2] - k) / stride + 1, ow = (i.W + pads[1] + pads[3] - k) / stride + 1;
        var r = new double[i.N * i.C * oh * ow];
        for (int n = 0; n < i.N; n++)
        for (int c = 0; c < i.C; c++)
        for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++)
        {
            double acc = max ? double.NegativeInfinity : 0;
            int count = 0;
            for (int u = 0; u < k; u++)
            for (int v = 0; v < k; v++)
            {
                int yy = y * stride - pads[0] + u, xx = x * stride - pads[1] + v;
                if (yy < 0 || yy >= i.H || xx < 0 || xx >= i.W) continue;
                acc = max ? Math.Max(acc, i[n, c, yy, xx]) : acc + i[n, c, yy, xx];
                count++;
            }
            r[((n * i.C + c) * oh + y) * ow + x] = max ? acc : acc / count;
        }
        return new Nchw(r, i.N, i.C, oh, ow);
    }

    static void AssertClose(Nchw expected, Tensor actual, double tol, string what)
    {
        Assert.Equal(new long[] { expected.N, expected.C, expected.H, expected.W }, actual.shape);
        var a = actual.contiguous().data<float>().ToArray();
        for (int k = 0; k < a.Length; k++)
            Assert.True(Math.Abs(a[k] - expected.V[k]) <= tol * (1 + Math.Abs(expected.V[k])), $"{what}[{k}]: {a[k]} vs {expected.V[k]}");
    }

    [Fact]
    public void ResidualBlockMatchesTheOperatorDefinitions()
    {
        var rng = new Random(5);
        float[] x = Random(rng, 2 * 3 * 9 * 8), w1 = Random(rng, 4 * 3 * 3 * 3), b1 = Random(rng, 4);
        float[] scale = Random(rng, 4), bias = Random(rng, 4), mean = Random(rng, 4), var = Random(rng, 4).Select(v => Math.Abs(v) + 0.1f).ToArray();
        float[] w3 = Random(rng, 4 * 2 * 3 * 3), gemmW = Random(rng, 3 * 4), gemmC = Random(rng, 3);
        var model = new OnnxWriter()
            .Input("x", 2, 3, 9, 8)
            .Init("w1", [4, 3, 3, 3], w1, raw: true).Init("b1", [4], b1)
            .Init("scale", [4], scale).Init("bias", [4], bias, raw: true).Init("mean", [4], mean).Init("var", [4], var)
            .Init("w3", [4, 2, 3, 3], w3).Init("gw", [3, 4], gemmW).Init("gc", [3], gemmC)
            .Node("Conv", ["x", "w1", "b1"], ["c1"], ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 0, 2, 1 }), ("group", 1L))
            .Node("BatchNormalization", ["c1", "scale", "bias", "mean", "var"], ["bn"], ("epsilon", 1e-3f))
            .Node("Relu", ["bn"], ["r"])
            .Node("MaxPool", ["r"], ["mp"], ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 1, 1 }), ("pads", new long[] { 0, 1, 1, 0 }))
            .Node("Add", ["mp", "r"], ["sum"])
            .Node("Conv", ["sum", "w3"], ["grouped"], ("kernel_shape", new long[] { 3, 3 }), ("group", 2L), ("dilations", new long[] { 2, 2 }), ("pads", new long[] { 2, 2, 2, 2 }))
            .Node("AveragePool", ["grouped"], ["ap"], ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 }), ("count_include_pad", 0L))
            .Node("GlobalAveragePool", ["ap"], ["gap"])
            .Node("Flatten", ["gap"], ["flat"], ("axis", 1L))
            .Node("Gemm", ["flat", "gw", "gc"], ["y"], ("transB", 1L), ("alpha", 0.5f), ("beta", 2f))
            .Output("y", 2, 3);
        var parsed = OnnxModel.Parse(model.ToArray());
        Assert.Equal("attentionsharp-tests", parsed.Producer);
        Assert.Equal(10, parsed.Nodes.Count);
        Assert.Equal(["x"], parsed.Inputs.Select(i => i.Name));
        Assert.Equal(new long[] { 4, 3, 3, 3 }, parsed.Initializers["w1"].Dims);
        Assert.Equal(w1, parsed.Initializers["w1"].Floats);      // raw_data
        Assert.Equal(b1, parsed.Initializers["b1"].Floats);      // packed float_data

        using var graph = new OnnxGraph(parsed);
        var input = new Dictionary<string, Tensor> { ["x"] = torch.tensor(x).reshape(2, 3, 9, 8) };
        var xi = Nchw.Of(x, 2, 3, 9, 8);
        var c1 = NaiveConv(xi, w1.Select(v => (double)v).ToArray(), 4, 3, 3, b1.Select(v => (double)v).ToArray(), 2, [1, 0, 2, 1], 1, 1);
        AssertClose(c1, graph.Run(input, "c1"), 1e-5, "Conv");
        var bn = new Nchw(new double[c1.V.Length], c1.N, c1.C, c1.H, c1.W);
        var r = new Nchw(new double[c1.V.Length], c1.N, c1.C, c1.H, c1.W);
        for (int k = 0; k < c1.V.Length; k++)
        {
            int c = k / (c1.H * c1.W) % c1.C;
            bn.V[k] = scale[c] * (c1.V[k] - mean[c]) / Math.Sqrt(var[c] + 1e-3) + bias[c];
            r.V[k] = Math.Max(0, bn.V[k]);
        }
        AssertClose(bn, graph.Run(input, "bn"), 1e-5, "BatchNormalization");
        var mp = NaivePool(r, 2, 1, [0, 1, 1, 0], max: true);
        AssertClose(mp, graph.Run(input, "mp"), 1e-5, "MaxPool");
        var sum = new Nchw(mp.V.Zip(r.V, (a, b) => a + b).ToArray(), r.N, r.C, r.H, r.W);
        var grouped = NaiveConv(sum, w3.Select(v => (double)v).ToArray(), 4, 3, 3, null, 1, [2, 2, 2, 2], 2, 2);
        AssertClose(grouped, graph.Run(input, "grouped"), 1e-5, "grouped dilated Conv");
        var ap = NaivePool(grouped, 3, 2, [1, 1, 1, 1], max: false);
        AssertClose(ap, graph.Run(input, "ap"), 1e-5, "AveragePool");
        var y = graph.Run(input, "y");
        Assert.Equal(new long[] { 2, 3 }, y.shape);
        var yv = y.data<float>().ToArray();
        for (int n = 0; n < 2; n++)
        for (int j = 0; j < 3; j++)
        {
            double s = 0;
            for (int c = 0; c < 4; c++)
            {
                double g = 0;
                for (int p = 0; p < ap.H * ap.W; p++) g += ap.V[(n * 4 + c) * ap.H * ap.W + p];
                s += gemmW[j * 4 + c] * g / (ap.H * ap.W);
            }
            Assert.Equal(0.5 * s + 2 * gemmC[j], yv[n * 3 + j], 4);
        }
    }

    [Fact]
    public void ChannelReorderAndMeanSubtractionLikeAPreprocessingGraph()
    {
        var rng = new Random(2);
        float[] x = Random(rng, 2 * 3 * 4 * 4, 255), mean = Random(rng, 3 * 4 * 4, 100);
        var model = new OnnxWriter().Input("rgb", 1, 3, 4, 4).Init("mean", [1, 3, 4, 4], mean).Init("two", [1], [2f])
            .Node("Split", ["rgb"], ["r", "g", "b"], ("axis", 1L), ("split", new long[] { 1, 1, 1 }))
            .Node("Concat", ["b", "g", "r"], ["bgr"], ("axis", 1L))
            .Node("Sub", ["bgr", "mean"], ["centred"])
            .Node("Mul", ["centred", "two"], ["doubled"])
            .Node("Div", ["doubled", "two"], ["out"])
            .Node("Identity", ["out"], ["same"])
            .Output("same");
        using var graph = new OnnxGraph(OnnxModel.Parse(model.ToArray()));
        var result = graph.Run(new Dictionary<string, Tensor> { ["rgb"] = torch.tensor(x).reshape(2, 3, 4, 4) }, "same").data<float>().ToArray();
        for (int n = 0; n < 2; n++)
        for (int c = 0; c < 3; c++)
        for (int p = 0; p < 16; p++)
            Assert.Equal(x[(n * 3 + (2 - c)) * 16 + p] - mean[c * 16 + p], result[(n * 3 + c) * 16 + p], 3);
    }

    [Fact]
    public void BadFilesAndRequestsGetClearErrors()
    {
        var good = new OnnxWriter().Input("x", 1, 2).Node("Relu", ["x"], ["y"]).Output("y").ToArray();
        Assert.Matches("truncated|past the end", Assert.Throws<InvalidDataException>(() => OnnxModel.Parse(good.AsSpan(0, good.Length - 3))).Message);
        Assert.Contains("no graph", Assert.Throws<InvalidDataException>(() => OnnxModel.Parse([0x08, 0x07])).Message);
        string path = Path.Combine(Directory.CreateTempSubdirectory("attn-onnx-").FullName, "bad.onnx");
        File.WriteAllBytes(path, [0x3a, 0xff, 0xff, 0x01]);
        var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Throws<FileNotFoundException>(() => OnnxModel.Load(path + ".missing"));

        var unsupported = new OnnxWriter().Input("x", 1, 2).Node("LSTM", ["x"], ["y"]).Output("y").ToArray();
        Assert.Contains("LSTM", Assert.Throws<NotSupportedException>(() => new OnnxGraph(OnnxModel.Parse(unsupported))).Message);
        using var graph = new OnnxGraph(OnnxModel.Parse(good));
        Assert.Contains("'nothing'", Assert.Throws<ArgumentException>(() => graph.Run(new Dictionary<string, Tensor> { ["x"] = torch.zeros(1, 2) }, "nothing")).Message);
        Assert.Contains("'x' was not given", Assert.Throws<ArgumentException>(() => graph.Run(new Dictionary<string, Tensor>(), "y")).Message);
        var wrongCount = new OnnxWriter().Input("x", 1, 2).Init("w", [2, 2], [1f, 2f, 3f]).Node("Relu", ["x"], ["y"]).Output("y").ToArray();
        Assert.Contains("holds 4 values", Assert.Throws<InvalidDataException>(() => OnnxModel.Parse(wrongCount)).Message);
    }

    /// <summary>A stand-in for the pretrained pair: the package's preprocessing (RGB -> BGR, minus a mean image) and a network whose last block is a 32x32-stride convolution (7x7 grid on 224x224) read by a final average pooling.</summary>
    static ImageNetRegions StandIn(out float[] meanImage, out float[] kernel)
    {
        var rng = new Random(9);
        meanImage = Random(rng, 3 * 224 * 224, 50);
        kernel = Random(rng, 2 * 3 * 32 * 32, 0.01);
        var prep = new OnnxWriter().Input("OriginalInput", 1, 3, 224, 224).Init("MeanImage", [1, 3, 224, 224], meanImage, raw: true)
            .Node("Split", ["OriginalInput"], ["R", "G", "B"], ("axis", 1L), ("split", new long[] { 1, 1, 1 }))
            .Node("Concat", ["B", "G", "R"], ["BGR"], ("axis", 1L))
            .Node("Sub", ["BGR", "MeanImage"], ["PreprocessedInput"])
            .Output("PreprocessedInput", 1, 3, 224, 224);
        var net = new OnnxWriter().Input("Input", 1, 3, 224, 224).Init("k", [2, 3, 32, 32], kernel, raw: true)
            .Node("Conv", ["Input", "k"], ["block"], ("kernel_shape", new long[] { 32, 32 }), ("strides", new long[] { 32, 32 }))
            .Node("Relu", ["block"], ["last"])
            .Node("AveragePool", ["last"], ["pooled"], ("kernel_shape", new long[] { 7, 7 }))
            .Output("pooled", 1, 2, 1, 1);
        return new ImageNetRegions(OnnxModel.Parse(prep.ToArray()), OnnxModel.Parse(net.ToArray()));
    }

    [Fact]
    public void RegionsAreTheLastBlockBeforeThePoolingOnTheResizedImageAndAreCached()
    {
        using var extractor = StandIn(out var meanImage, out var kernel);
        var grey = torch.rand(new long[] { 3, 1, 64, 64 }, generator: new Generator(4));
        var regions = extractor.Regions(grey);
        Assert.Equal(new long[] { 3, 49, 2 }, regions.shape);

        // The reference: bilinear resize to 224, x255, three equal channels, BGR minus the mean image, then per 32x32
        // block the convolution and ReLU; region r = row-major block (r / 7, r % 7).
        var big = nn.functional.interpolate(grey, [224, 224], mode: InterpolationMode.Bilinear, align_corners: false).mul(255).data<float>().ToArray();
        var got = regions.data<float>().ToArray();
        foreach (int n in new[] { 0, 2 })
        foreach (int region in new[] { 0, 8, 48 })
        foreach (int o in new[] { 0, 1 })
        {
            int by = region / 7, bx = region % 7;
            double s = 0;
            for (int c = 0; c < 3; c++)              // BGR channel c holds the grey value minus mean channel c
            for (int u = 0; u < 32; u++)
            for (int v = 0; v < 32; v++)
            {
                int yy = by * 32 + u, xx = bx * 32 + v;
                s += kernel[((o * 3 + c) * 32 + u) * 32 + v] * (big[(n * 224 + yy) * 224 + xx] - meanImage[(c * 224 + yy) * 224 + xx]);
            }
            Assert.Equal(Math.Max(0, s), got[(n * 49 + region) * 2 + o], 2);
        }
        Assert.Contains("grey images", Assert.Throws<ArgumentException>(() => extractor.Regions(torch.zeros(2, 3, 64, 64))).Message);

        // The cache: the second call reads what the first wrote; a damaged file is computed again.
        string cache = Directory.CreateTempSubdirectory("attn-regions-").FullName;
        var log1 = new StringWriter();
        var first = extractor.RegionsOf(grey, cache, log1, batch: 2);
        Assert.DoesNotContain("read from", log1.ToString());
        var log2 = new StringWriter();
        var second = extractor.RegionsOf(grey, cache, log2);
        Assert.Contains("read from", log2.ToString());
        Assert.True(first.eq(second).all().item<bool>() && first.allclose(regions));
        var file = Directory.GetFiles(cache).Single();
        File.WriteAllBytes(file, File.ReadAllBytes(file)[..100]);
        var log3 = new StringWriter();
        var third = extractor.RegionsOf(grey, cache, log3);
        Assert.DoesNotContain("read from", log3.ToString());
        Assert.True(third.eq(first).all().item<bool>());
    }

    [Fact]
    public void NuGetRouteExtractsThePackageFilesAndNamesWhatIsMissing()
    {
        string dir = Directory.CreateTempSubdirectory("attn-nupkg-").FullName;
        string nupkg = Path.Combine(dir, "pkg.nupkg");
        using (var zip = ZipFile.Open(nupkg, ZipArchiveMode.Create))
        {
            using (var w = new StreamWriter(zip.CreateEntry("tools/models/a.bin").Open())) w.Write("alpha");
            using (var w = new StreamWriter(zip.CreateEntry("tools/models/b.bin").Open())) w.Write("beta");
        }
        var route = new NuGetRoute("Some.Package", "1.0.0", name => "tools/models/" + name, _ => nupkg);
        string staging = Directory.CreateDirectory(Path.Combine(dir, "staging")).FullName;
        route.Fetch([new DataFile("a.bin", 5), new DataFile("b.bin", 4)], staging, TextWriter.Null);
        Assert.Equal("alpha", File.ReadAllText(Path.Combine(staging, "a.bin")));
        Assert.Equal("beta", File.ReadAllText(Path.Combine(staging, "b.bin")));
        Assert.Contains("tools/models/c.bin", Assert.Throws<InvalidDataException>(() => route.Fetch([new DataFile("c.bin", 1)], staging, TextWriter.Null)).Message);
        Assert.True(File.Exists(nupkg), "a package given by the caller is not deleted");
        Assert.Contains("resnet18", DatasetCatalog.All.Select(d => d.Name));
    }
}
