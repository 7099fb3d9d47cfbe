using System.Security.Cryptography;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Training;

/// <summary>
/// The optimizer block of a checkpoint is read against the optimizer before TorchSharp sees it (docs/RELIABILITY.md,
/// session 17): every optimizer the factory builds passes its own block and loads it back byte for byte; each kind of
/// alteration is refused with a message naming what is wrong, including through a re-sealed checkpoint.
/// </summary>
public class OptimizerStateCheckTests
{
    static nn.Module Tiny()
    {
        torch.manual_seed(5);
        return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2));
    }

    static optim.Optimizer Make(string name, nn.Module model, double momentum = 0, double lr = 0.01) =>
        OptimizerFactory.Create(model.parameters(), new TrainerOptions { Optimizer = name, LearningRate = lr, Momentum = momentum });

    static void Steps(nn.Module model, optim.Optimizer opt, int n)
    {
        for (int i = 0; i < n; i++)
        {
            opt.zero_grad();
            using var x = torch.tensor(Enumerable.Range(0, 6).Select(k => 0.5f + i - 0.3f * k).ToArray()).reshape(2, 3);
            using var y = ((nn.Module<Tensor, Tensor>)model).call(x);
            using var loss = (y * y).sum();
            loss.backward();
            opt.step();
        }
    }

    static byte[] Block(optim.Optimizer opt)
    {
        using var s = new MemoryStream();
        using (var w = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true)) ((TorchSharp.Modules.OptimizerHelper)opt).save_state_dict(w);
        return s.ToArray();
    }

    /// <summary>An Adam block after two steps of <see cref="Tiny"/> and the optimizer it belongs to.</summary>
    static (byte[] Block, optim.Optimizer Opt) AdamBlock()
    {
        var model = Tiny();
        var opt = Make("adam", model);
        Steps(model, opt, 2);
        return (Block(opt), opt);
    }

    [Theory]
    [InlineData("adam", 0)]
    [InlineData("adamw", 0)]
    [InlineData("sgd", 0)]
    [InlineData("sgd", 0.9)]
    [InlineData("rmsprop", 0)]
    [InlineData("rmsprop", 0.9)]
    public void EveryFactoryOptimizerPassesAndRoundTripsThroughACheckpoint(string name, double momentum)
    {
        var model = Tiny();
        var opt = Make(name, model, momentum);
        Steps(model, opt, 3);
        var block = Block(opt);
        Assert.True(OptimizerStateCheck.Knows(opt));
        using (var s = new MemoryStream(block)) OptimizerStateCheck.Validate(s, opt);

        string path = Path.Combine(Directory.CreateTempSubdirectory("attn-optcheck-").FullName, "x.ckpt");
        Checkpoint.Save(path, new CheckpointHeader { Kind = "test/tiny" }, model, opt);
        var model2 = Tiny();
        var opt2 = Make(name, model2, momentum, lr: 0.5);
        Assert.NotEqual(block, Block(opt2));                    // a fresh optimizer differs (another rate, no steps taken) ...
        Checkpoint.Load(path, "test/tiny", model2, opt2);
        Assert.Equal(block, Block(opt2));                       // ... and after the load holds exactly the saved state
    }

    [Fact]
    public void TheCheckKnowsEveryOptimizerTheFactoryBuilds()
    {
        foreach (var name in OptimizerFactory.Names) Assert.True(OptimizerStateCheck.Knows(Make(name, Tiny())), name);
    }

    // Offsets in an Adam block of Tiny(): name (1 + 4 bytes "Adam"), group and state counts (1 byte each), the group's
    // 6 doubles and 2 flags (50 bytes); then the first parameter (4x3 weight): step (8 bytes), exp_avg: type, rank, 4, 3, 48 bytes.
    const int LearningRate = 7 + 8, AmsgradFlag = 7 + 48, Step = 57, TensorType = 65, Rank = 66, FirstDim = 67, FirstValue = 69;

    public static TheoryData<string, string> Alterations() => new()
    {
        { "name", "'Adan' optimizer" },
        { "groups", "2 parameter groups" },
        { "states", "state for 5 parameters" },
        { "nan-rate", "learning rate is NaN" },
        { "flag", "flag byte is 2" },
        { "negative-step", "negative step count" },
        { "type", "element type Float64" },
        { "rank", "rank 127" },
        { "huge-dim", "shape 34359738367x3" },
        { "nan-value", "not finite" },
        { "truncated", "truncated" },
        { "trailing", "1 byte(s) follow" },
        { "long-name", "name is 1000000 bytes long" },
    };

    static byte[] Alter(byte[] b, string how)
    {
        var x = (byte[])b.Clone();
        switch (how)
        {
            case "name": x[4] = (byte)'n'; break;
            case "groups": x[5] = 2; break;
            case "states": x[6] = 5; break;
            case "nan-rate": BitConverter.GetBytes(double.NaN).CopyTo(x, LearningRate); break;
            case "flag": x[AmsgradFlag] = 2; break;
            case "negative-step": BitConverter.GetBytes(-1L).CopyTo(x, Step); break;
            case "type": x[TensorType] = (byte)ScalarType.Float64; break;
            case "rank": x[Rank] = 127; break;
            case "huge-dim": return [.. x[..FirstDim], 0xff, 0xff, 0xff, 0xff, 0x7f, .. x[(FirstDim + 1)..]];
            case "nan-value": BitConverter.GetBytes(float.NaN).CopyTo(x, FirstValue); break;
            case "truncated": return x[..^10];
            case "trailing": return [.. x, 0];
            case "long-name": return [0xc0, 0x84, 0x3d, .. x[1..]];   // LEB128 of 1,000,000 as the name's length
        }
        return x;
    }

    [Theory]
    [MemberData(nameof(Alterations))]
    public void AlteredBlocksAreRefusedWithTheReason(string how, string expected)
    {
        var (block, opt) = AdamBlock();
        Assert.Equal(6, block[TensorType]);                       // the offsets above hold: a Float32 tensor of rank 2, 4x3
        Assert.Equal(new byte[] { 2, 4, 3 }, block[Rank..FirstValue]);
        var e = Assert.Throws<InvalidDataException>(() => OptimizerStateCheck.Validate(new MemoryStream(Alter(block, how)), opt));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AResealedCheckpointWithAnAlteredOptimizerBlockFailsAsACheckpointErrorAndLeavesTheOptimizerAlone()
    {
        var model = Tiny();
        var opt = Make("adam", model);
        Steps(model, opt, 2);
        string dir = Directory.CreateTempSubdirectory("attn-optcheck-").FullName, path = Path.Combine(dir, "x.ckpt");
        Checkpoint.Save(path, new CheckpointHeader { Kind = "test/tiny" }, model, opt);
        var block = Block(opt);
        var file = File.ReadAllBytes(path);
        int at = file.AsSpan().IndexOf(block);                    // the block follows its int64 length in the payload
        Assert.True(at > 0);
        var altered = Alter(block, "rank");
        byte[] body = [.. file[..(at - 8)], .. BitConverter.GetBytes((long)altered.Length), .. altered, .. file[(at + block.Length)..^32]];
        int headLen = BitConverter.ToInt32(file, 12);
        BitConverter.GetBytes(BitConverter.ToInt64(file, 16 + headLen) + altered.Length - block.Length).CopyTo(body, 16 + headLen);
        File.WriteAllBytes(path, [.. body, .. SHA256.HashData(body)]);

        var model2 = Tiny();
        var opt2 = Make("adam", model2);
        var before = Block(opt2);
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, "test/tiny", model2, opt2));
        Assert.Contains("optimizer state that does not fit this run", e.Message);
        Assert.Contains("rank 127", e.Message);
        Assert.Equal(before, Block(opt2));
        Checkpoint.Load(path, "test/tiny", model2);               // the weights alone still load: only the optimizer block is bad
    }
}

/// <summary>
/// The generator state of a checkpoint is checked before libtorch's <c>set_state</c>, which ends the process on a bad one
/// (found by the checkpoint-sealed fuzz reader, session 17).
/// </summary>
public class RngStateCheckTests
{
    [Fact]
    public void RealStatesPassAndEachInvalidFieldIsRefused()
    {
        using var saved = torch.random.get_rng_state();
        try
        {
            foreach (var seed in new[] { 0L, 7L, long.MaxValue })
            {
                torch.manual_seed(seed);
                using (var _ = torch.rand(1000)) { }                  // mid-stream: left and next away from their seeded values
                using var s = torch.random.get_rng_state();
                var bytes = s.data<byte>().ToArray();
                Checkpoint.CheckRngState(bytes);
                torch.random.set_rng_state(s);                        // libtorch agrees
                foreach (var (offset, value, expected) in new (int, long, string)[]
                {
                    (12, 0, "seeded 0"), (8, 0, "left 0"), (8, 625, "left 625"), (8, -3, "left -3"), (16, 625, "next 625"),
                })
                {
                    var bad = (byte[])bytes.Clone();
                    if (offset == 16) BitConverter.GetBytes(value).CopyTo(bad, offset); else BitConverter.GetBytes((int)value).CopyTo(bad, offset);
                    Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => Checkpoint.CheckRngState(bad)).Message);
                }
                Assert.Contains("5056", Assert.Throws<InvalidDataException>(() => Checkpoint.CheckRngState(bytes[..^1])).Message);
            }
        }
        finally { torch.random.set_rng_state(saved); }
    }

    [Fact]
    public void AResealedCheckpointWithAnUnseededGeneratorFailsAsACheckpointError()
    {
        torch.manual_seed(2);
        var model = nn.Linear(2, 2);
        string path = Path.Combine(Directory.CreateTempSubdirectory("attn-rngcheck-").FullName, "x.ckpt");
        Checkpoint.Save(path, new CheckpointHeader { Kind = "test/linear" }, model, null);
        var file = File.ReadAllBytes(path);
        int rng = file.Length - 32 - 5056;                            // the generator block closes the payload
        Assert.Equal(5056L, BitConverter.ToInt64(file, rng - 8));
        BitConverter.GetBytes(0).CopyTo(file, rng + 12);              // "seeded" = 0
        var body = file[..^32];
        File.WriteAllBytes(path, [.. body, .. SHA256.HashData(body)]);
        var target = nn.Linear(2, 2);                                 // built first: building draws from the generator
        using var saved = torch.random.get_rng_state();
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, "test/linear", target, restoreRng: true));
        Assert.Contains("random-generator state that libtorch cannot take", e.Message);
        using var after = torch.random.get_rng_state();
        Assert.Equal(saved.data<byte>().ToArray(), after.data<byte>().ToArray());   // the process's generator is untouched
        Checkpoint.Load(path, "test/linear", target);                 // without restoring the generator the file loads
    }
}
