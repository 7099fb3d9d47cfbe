using AttentionSharp.Native;
using AttentionSharp.Sequence;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Training;

public class CheckpointMigrationsTests
{
    sealed class Holder : nn.Module
    {
        readonly TorchSharp.Modules.Linear fc = nn.Linear(3, 2);
        readonly TorchSharp.Modules.LSTM lstm = nn.LSTM(2, 4, batchFirst: true, bidirectional: true);
        readonly Tensor steps = torch.tensor(new long[] { 7, 300, 70000 });
        public Holder() : base("Holder") => RegisterComponents();   // the tensor field becomes a buffer
    }

    /// <summary>A module holding another under the field name "encoder" (or "head").</summary>
    sealed class Outer : nn.Module
    {
        readonly nn.Module? encoder, head;
        public Outer(nn.Module inner, bool asHead = false) : base("Outer")
        {
            if (asHead) head = inner; else encoder = inner;
            RegisterComponents();
        }
    }

    sealed class OldEncoder : nn.Module
    {
        readonly TorchSharp.Modules.GRU gru = nn.GRU(3, 2, batchFirst: true, bidirectional: true);
        public OldEncoder() : base("OldEncoder") => RegisterComponents();
    }

    static MemoryStream Saved(nn.Module module)
    {
        var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) module.save(w);
        stream.Position = 0;
        return stream;
    }

    [Fact]
    public void TheStreamReaderReadsWhatTorchSharpWritesAndWritesItBackByteForByte()
    {
        using var module = new Holder();
        using var saved = Saved(module);
        var entries = StateDictStream.Read(saved);
        Assert.Equal(module.state_dict().Keys, entries.Select(e => e.Key));
        Assert.Equal(module.state_dict().Select(kv => kv.Value.shape), entries.Select(e => e.Shape));
        var steps = entries.Single(e => e.Key == "steps");
        Assert.Equal(ScalarType.Int64, steps.Type);
        Assert.Equal(70000L, BitConverter.ToInt64(steps.Data, 16));        // values of more than one LEB128 byte read right
        using var written = StateDictStream.Write(entries);
        Assert.Equal(saved.ToArray(), written.ToArray());
        var shapesOnly = StateDictStream.Read(saved, data: false);        // keys and shapes, the elements skipped
        Assert.Equal(entries.Select(e => (e.Key, string.Join("x", e.Shape))), shapesOnly.Select(e => (e.Key, string.Join("x", e.Shape))));
        Assert.All(shapesOnly, e => Assert.Empty(e.Data));
    }

    [Fact]
    public void AStreamThatFitsIsLoadedUntouched_AnOldOneIsRenamedIntoTheNewLayout()
    {
        // An old text classifier's encoder: a packed bidirectional nn.GRU named "gru".
        using var old = new Outer(new OldEncoder());
        using var now = new Outer(new BiRnnEncoder(3, 2, RnnCell.Gru));
        using var fits = Saved(now);
        Assert.Same(fits, CheckpointMigrations.Apply(fits, now));

        using var oldStream = Saved(old);
        using var migrated = CheckpointMigrations.Apply(oldStream, now);
        Assert.NotSame(oldStream, migrated);
        now.load(new BinaryReader(migrated), strict: true);
        var before = old.state_dict();
        var after = now.state_dict();
        Assert.True(before["encoder.gru.weight_hh_l0"].eq(after["encoder.forward_rnn.weight_hh_l0"]).all().item<bool>());
        Assert.True(before["encoder.gru.weight_hh_l0_reverse"].eq(after["encoder.backward_rnn.weight_hh_l0"]).all().item<bool>());
        Assert.True(before["encoder.gru.bias_ih_l0_reverse"].eq(after["encoder.backward_rnn.bias_ih_l0"]).all().item<bool>());
    }

    [Fact]
    public void ARenameIsOnlyMadeIntoAKeyTheModelHas()
    {
        var wanted = new HashSet<string> { "word_encoder.backward_rnn.weight_ih_l0", "encoder.forward_rnn.bias_hh_l0" };
        Assert.Equal("word_encoder.backward_rnn.weight_ih_l0", CheckpointMigrations.Rename("word_encoder.gru.weight_ih_l0_reverse", wanted));
        Assert.Equal("encoder.forward_rnn.bias_hh_l0", CheckpointMigrations.Rename("forward_lstm.bias_hh_l0", wanted));
        Assert.Equal("decoder.lstm.weight_ih_l0", CheckpointMigrations.Rename("decoder.lstm.weight_ih_l0", wanted));   // no such target: kept
        Assert.Equal("output.weight", CheckpointMigrations.Rename("output.weight", wanted));
    }

    [Fact]
    public void AnUnmappedKeyStillFailsTheStrictLoad()
    {
        using var other = new Outer(nn.Linear(3, 2), asHead: true);
        using var now = new Outer(new BiRnnEncoder(3, 2, RnnCell.Gru));
        using var stream = Saved(other);
        using var migrated = CheckpointMigrations.Apply(stream, now);
        Assert.ThrowsAny<Exception>(() => now.load(new BinaryReader(migrated), strict: true));
    }

    [Theory]
    [InlineData(new byte[] { 1, 1, (byte)'w', 6, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]   // 2^32 x 2^32 floats declared
    [InlineData(new byte[] { 1, 1, (byte)'w', 6, 1, 3, 0, 0, 0, 0 })]                                               // 3 floats, 4 bytes present
    [InlineData(new byte[] { 1, 1, (byte)'w', 99, 0 })]                                                               // unknown element type
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]                  // a count of 11 LEB128 bytes
    [InlineData(new byte[] { 0, 42 })]                                                                                // bytes after the last entry
    public void ACorruptStreamIsRefusedWithoutAllocatingWhatItDeclares(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        Assert.Throws<InvalidDataException>(() => StateDictStream.Read(stream));
    }
}

public class CheckpointSizeGuardTests
{
    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Checkpoints", name);

    /// <summary>A copy of a fixture whose header option at <paramref name="path"/> is set to <paramref name="value"/>, resealed with a fresh SHA-256 (as only a deliberate edit can).</summary>
    static string Altered(string fixture, string[] path, long value)
    {
        var bytes = File.ReadAllBytes(Fixture(fixture));
        int headLen = BitConverter.ToInt32(bytes, 12);
        var header = System.Text.Json.Nodes.JsonNode.Parse(bytes.AsSpan(16, headLen))!;
        var node = header["Options"]!;
        foreach (var p in path[..^1]) node = node[p]!;
        node[path[^1]] = value;
        var head = System.Text.Encoding.UTF8.GetBytes(header.ToJsonString());
        var rest = bytes.AsSpan(16 + headLen, bytes.Length - 32 - 16 - headLen).ToArray();   // payload length + payload
        byte[] body = [.. bytes.AsSpan(0, 12), .. BitConverter.GetBytes(head.Length), .. head, .. rest];
        string file = Path.Combine(Directory.CreateTempSubdirectory("attn-absurd-").FullName, "best.ckpt");
        File.WriteAllBytes(file, [.. body, .. System.Security.Cryptography.SHA256.HashData(body)]);
        return file;
    }

    [Fact]
    public void OptionsAskingForAnAbsurdModelAreRefusedBeforeItIsBuilt()
    {
        // A hidden layer of 10^9 units (4 x 10^9 bytes per input unit) in a file that stores a few thousand values.
        var text = Altered("textcls-attn-gru.ckpt", ["Net", "Hidden"], 1_000_000_000);
        var e = Assert.Throws<CheckpointException>(() => AttentionSharp.Models.TextClassification.TextClassifierBundle.Load(text, CPU));
        Assert.Contains("asks for a model larger than the", e.Message);
        Assert.Contains("GRU(4, 1000000000)", e.Message);
        var baseline = Altered("baseline-fc.ckpt", ["Net", "Hidden"], 2_000_000_000);
        e = Assert.Throws<CheckpointException>(() => AttentionSharp.Models.Baselines.BaselineExperiment.Load(baseline, CPU));
        Assert.Contains("its options do not belong to its weights", e.Message);
        var overflow = Altered("baseline-fc.ckpt", ["Net", "Hidden"], 4_000_000_000);   // not even an Int32: a clear error too
        Assert.Contains("unreadable", Assert.Throws<CheckpointException>(() => AttentionSharp.Models.Baselines.BaselineExperiment.Load(overflow, CPU)).Message);
        // The guard leaves a real checkpoint alone, and a small change still fails where it always did (the strict load).
        Assert.NotNull(AttentionSharp.Models.TextClassification.TextClassifierBundle.Load(Fixture("textcls-attn-gru.ckpt"), CPU));
        var slightly = Altered("textcls-attn-gru.ckpt", ["Net", "Hidden"], 4);
        Assert.Contains("does not fit this model", Assert.Throws<CheckpointException>(() => AttentionSharp.Models.TextClassification.TextClassifierBundle.Load(slightly, CPU)).Message);
    }

    [Fact]
    public void TheBudgetCountsWhatTheLayersAllocate()
    {
        using (ParameterBudget.Limit(3 * 4 + 4))
        {
            using var fits = Layers.Linear(3, 4);                       // 12 weights + 4 biases: exactly the budget
            Assert.Throws<ParameterBudgetException>(() => Layers.Linear(1, 1));
        }
        using var free = Layers.Linear(300, 400);                       // no budget outside Limit
        using (ParameterBudget.Limit(1_000_000))
        {
            using var lstm = Layers.LSTM(10, 20);
            Assert.Equal(4 * 20 * (10 + 20 + 2), lstm.parameters().Sum(p => p.numel()));
        }
    }

    [Fact]
    public void NoLayerOfTheLibraryIsBuiltOutsideLayers()
    {
        // The guard is only sound while every layer is charged: a direct nn.Linear(...) etc. in the library escapes it.
        string lib = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "AttentionSharp"));
        var files = Directory.GetFiles(lib, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")).ToList();
        Assert.True(files.Count > 100, $"the library's sources were not found under {lib}");
        var direct = new System.Text.RegularExpressions.Regex(@"(?<![A-Za-z0-9_.])nn\.(Linear|Embedding|Conv1d|Conv2d|Conv3d|ConvTranspose2d|LayerNorm|LSTM|GRU|RNN|LSTMCell|GRUCell|RNNCell|BatchNorm1d|BatchNorm2d|Bilinear)\(");
        var found = files.Where(f => Path.GetFileName(f) != "Layers.cs")
            .SelectMany(f => File.ReadLines(f).Select((line, n) => (f, n, line)))
            .Where(x => !x.line.TrimStart().StartsWith("//") && direct.IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(lib, x.f)}:{x.n + 1}").ToList();
        Assert.True(found.Count == 0, "layers built without Native/Layers (not charged to the checkpoint size guard): " + string.Join(", ", found));
        Assert.Matches(direct, "var fc = nn.Linear(3, 4);");   // the scan would see one
    }
}
