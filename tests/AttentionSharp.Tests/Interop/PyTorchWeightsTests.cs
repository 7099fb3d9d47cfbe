using AttentionSharp.Sequence;
using AttentionSharp.Attention;
using AttentionSharp.Interop;
using AttentionSharp.Models.TextClassification;
using AttentionSharp.Models.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Interop;

/// <summary>
/// Our modules loaded from PyTorch 1.13 state_dicts (Fixtures/PyTorch, written by make_fixtures.py with Debian's python3-torch)
/// give PyTorch's outputs on the same inputs to 1e-5; export and import round-trip; bad files get errors naming the parameter.
/// </summary>
public class PyTorchWeightsTests
{
    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "PyTorch", name);

    static Dictionary<string, Tensor> Io(string name) => PyTorchWeights.Read(Fixture(name + "_io.pt"));

    static void AssertClose(Tensor expected, Tensor actual, string what, double tolerance = 1e-5)
    {
        Assert.Equal(expected.shape, actual.shape);
        double diff = (expected - actual).abs().max().item<float>();
        Assert.True(diff <= tolerance, $"{what}: max |PyTorch - ours| = {diff:E2} > {tolerance:E0}");
    }

    [Fact]
    public void MultiheadAttentionMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        var mha = new MultiHeadAttention(8, 2);
        PyTorchWeights.Load(mha, Fixture("mha.pt"));
        mha.eval();
        var io = Io("mha");
        using var _ = no_grad();
        var r = mha.Forward(io["query"], io["key"], io["value"], keyPaddingMask: io["valid"], needWeights: true);
        AssertClose(io["output"], r.Context, "attention output");
        AssertClose(io["weights"], MultiHeadAttention.AverageHeads(r.Weights!), "head-averaged weights");
        // The fused path (no weights asked) gives the same context.
        AssertClose(io["output"], mha.Forward(io["query"], io["key"], io["value"], keyPaddingMask: io["valid"]).Context, "fused attention output");
    }

    [Fact]
    public void MultiheadAttentionWithOtherKeyAndValueSizesMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        var mha = new MultiHeadAttention(8, 2, kdim: 6, vdim: 5);
        Assert.Contains(PyTorchWeights.Bindings(mha), b => b.PyTorchName == "k_proj_weight" && b.Parts.SequenceEqual(["k_proj.weight"]));
        PyTorchWeights.Load(mha, Fixture("mha_kdim.pt"));
        mha.eval();
        var io = Io("mha_kdim");
        using var _ = no_grad();
        AssertClose(io["output"], mha.forward(io["query"], io["key"], io["value"]), "attention output");
    }

    [Theory]
    [InlineData("encoder_prenorm.pt", true)]
    [InlineData("encoder_postnorm.safetensors", false)]
    public void TransformerEncoderLayerMatchesPyTorch(string file, bool preNorm)
    {
        using var scope = NewDisposeScope();
        var layer = new EncoderLayer(new TransformerOptions(ModelDim: 8, Heads: 2, FeedForward: 16, Dropout: 0, PreNorm: preNorm));
        PyTorchWeights.Load(layer, Fixture(file));
        layer.eval();
        var io = Io(Path.GetFileNameWithoutExtension(file));
        using var _ = no_grad();
        AssertClose(io["output"], layer.forward(io["input"], io["valid"]), file);
    }

    [Fact]
    public void BidirectionalLstmMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        // PyTorch's packed nn.LSTM(bidirectional=True) into the library's one encoder (two one-way LSTMs, the backward one
        // reading each sequence reversed within its length): same weights, same states.
        var encoder = new BiRnnEncoder(3, 4, RnnCell.Lstm);
        PyTorchWeights.Load(encoder, Fixture("lstm.pt"));
        var io = Io("lstm");
        using var _ = no_grad();
        var (states, final) = encoder.EncodeLengths(io["input"], io["lengths"]);
        AssertClose(io["states"], states, "LSTM states");
        AssertClose(io["final"], final, "LSTM final state");
    }

    [Fact]
    public void GruMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        var gru = nn.GRU(3, 4, batchFirst: true);
        PyTorchWeights.Load(gru, Fixture("gru.pt"));
        var io = Io("gru");
        using var _ = no_grad();
        var (output, h) = gru.forward(io["input"]);
        AssertClose(io["output"], output, "GRU output");
        AssertClose(io["final"], h, "GRU final state");
    }

    static TransformerOptions Tiny => new(SourceVocab: 11, TargetVocab: 13, ModelDim: 8, Heads: 2, Layers: 1, FeedForward: 16, Dropout: 0);

    [Theory]
    [InlineData("pt")]
    [InlineData("safetensors")]
    public void ExportThenImportRoundTripsWithPyTorchNames(string extension)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        var source = new TransformerModel(Tiny);
        string path = Path.Combine(Directory.CreateTempSubdirectory("pyexport").FullName, "model." + extension);
        PyTorchWeights.Save(source, path);

        var written = PyTorchWeights.Read(path);
        foreach (var name in new[] { "encoder.0.self_attn.in_proj_weight", "encoder.0.self_attn.in_proj_bias", "encoder.0.self_attn.out_proj.weight",
                     "encoder.0.linear1.weight", "encoder.0.linear2.bias", "encoder.0.norm1.weight",
                     "decoder.0.multihead_attn.in_proj_weight", "decoder.0.self_attn.in_proj_bias", "decoder.0.norm3.bias" })
            Assert.True(written.ContainsKey(name), $"{name} missing from {string.Join(", ", written.Keys)}");
        Assert.DoesNotContain(written.Keys, k => k.Contains("q_proj") || k.Contains("ffn.") || k.Contains("cross_attn"));
        Assert.Equal(new long[] { 24, 8 }, written["encoder.0.self_attn.in_proj_weight"].shape);
        Assert.Equal(source.state_dict().Values.Sum(t => t.numel()), written.Values.Sum(t => t.numel()));

        torch.manual_seed(4);
        var target = new TransformerModel(Tiny);
        PyTorchWeights.Load(target, path);
        var theirs = target.state_dict();
        foreach (var (name, t) in source.state_dict())
            Assert.True(t.equal(theirs[name]).all().item<bool>(), $"{name} differs after the round trip");
    }

    [Fact]
    public void GroupedQueryAttentionKeepsItsOwnNames()
    {
        using var mha = new MultiHeadAttention(8, 4, numKeyValueHeads: 2);
        var names = PyTorchWeights.Bindings(mha).Select(b => b.PyTorchName).ToList();
        Assert.Equal(["q_proj.weight", "q_proj.bias", "k_proj.weight", "k_proj.bias", "v_proj.weight", "v_proj.bias", "out_proj.weight", "out_proj.bias"], names);
    }

    [Fact]
    public void WrongShapeNamesTheParameter()
    {
        using var mha = new MultiHeadAttention(16, 2);
        var e = Assert.Throws<ArgumentException>(() => PyTorchWeights.Load(mha, Fixture("mha.pt")));
        Assert.Contains("'in_proj_weight'", e.Message);
        Assert.Contains("(24, 8)", e.Message);
        Assert.Contains("(48, 16)", e.Message);
        Assert.Contains("mha.pt", e.Message);
    }

    [Fact]
    public void MissingAndExtraEntriesAreListed()
    {
        using var layer = new EncoderLayer(new TransformerOptions(ModelDim: 8, Heads: 2, FeedForward: 16, Dropout: 0));
        var e = Assert.Throws<ArgumentException>(() => PyTorchWeights.Load(layer, Fixture("mha.pt")));
        Assert.Contains("linear1.weight (16, 8)", e.Message);
        Assert.Contains("self_attn.in_proj_weight", e.Message);   // needed, but the file has it without the prefix
        Assert.Contains("in_proj_weight", e.Message);
        // Non-strict loading takes the part that matches (none here, by name) and leaves the rest alone.
        var before = layer.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        PyTorchWeights.Load(layer, Fixture("mha.pt"), strict: false);
        foreach (var (name, t) in layer.state_dict()) Assert.True(t.equal(before[name]).all().item<bool>(), name);
    }

    [Fact]
    public void NotAStateDictIsAClearError()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("pyexport").FullName, "junk.pt");
        File.WriteAllText(path, "not weights");
        var e = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Read(path));
        Assert.Contains("junk.pt", e.Message);
        Assert.Throws<FileNotFoundException>(() => PyTorchWeights.Read(path + ".absent"));
    }
}
