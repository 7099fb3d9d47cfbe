using AttentionSharp.Interop;
using AttentionSharp.Models.Seq2Seq;
using TorchSharp;

namespace AttentionSharp.Tests.Cli;

/// <summary><c>attn export</c> on the committed checkpoint fixtures: the state_dict it writes loads back into the same model.</summary>
public class ExportCommandsTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliTests.Run(args);

    static string Checkpoint(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Checkpoints", name);

    [Theory]
    [InlineData("pt")]
    [InlineData("safetensors")]
    public void ExportsATranslationCheckpointThatLoadsBack(string format)
    {
        string dir = Directory.CreateTempSubdirectory("export").FullName;
        string file = Path.Combine(dir, "bahdanau." + format);
        var (code, output, err) = Run("export", "--checkpoint", Checkpoint("seq2seq-bahdanau.ckpt"), "--format", format, "--out", file);
        Assert.True(code == 0, err);
        Assert.Contains("exported seq2seq:", output);
        Assert.Contains(file, output);

        var sd = PyTorchWeights.Read(file);
        Assert.Contains(sd.Keys, k => k.EndsWith("cell.weight_ih", StringComparison.Ordinal));   // GRUCell: PyTorch's own names
        var loaded = TranslateExperiment.Load(Checkpoint("seq2seq-bahdanau.ckpt"), torch.CPU).Translator.Network.Module;
        var fresh = TranslateExperiment.Load(Checkpoint("seq2seq-bahdanau.ckpt"), torch.CPU).Translator.Network.Module;
        using (torch.no_grad()) foreach (var p in fresh.parameters()) p.zero_();
        PyTorchWeights.Load(fresh, file);
        var expected = loaded.state_dict();
        foreach (var (name, t) in fresh.state_dict())
            Assert.True(t.equal(expected[name]).all().item<bool>(), $"{name} differs after export and load");
    }

    [Fact]
    public void ExportsNextToTheCheckpointByDefault()
    {
        string dir = Directory.CreateTempSubdirectory("export").FullName;
        File.Copy(Checkpoint("ram-lstm.ckpt"), Path.Combine(dir, "best.ckpt"));
        var (code, output, err) = Run("export", "--checkpoint", dir);
        Assert.True(code == 0, err);
        Assert.Contains("exported ram:", output);
        Assert.True(File.Exists(Path.Combine(dir, "weights.pt")));
        Assert.Contains(PyTorchWeights.Read(Path.Combine(dir, "weights.pt")).Keys, k => k.EndsWith("weight_hh", StringComparison.Ordinal));
    }

    [Fact]
    public void BadArgumentsAreClearErrors()
    {
        var (code, _, err) = Run("export", "--format", "pt");
        Assert.Equal(2, code);
        Assert.Contains("--checkpoint", err);

        (code, _, err) = Run("export", "--checkpoint", Checkpoint("ram-lstm.ckpt"), "--format", "onnx");
        Assert.Equal(2, code);
        Assert.Contains("pt, safetensors", err);

        (code, _, err) = Run("export", "--checkpoint", "/nonexistent-attn-run.ckpt");
        Assert.Equal(1, code);
        Assert.Contains("does not exist", err);
    }
}
