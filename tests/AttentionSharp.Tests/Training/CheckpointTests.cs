using AttentionSharp.Models.Baselines;
using AttentionSharp.Training;
using TorchSharp;

namespace AttentionSharp.Tests.Training;

public class CheckpointTests
{
    static BaselineClassifier Net(int seed)
    {
        torch.manual_seed(seed);
        return new BaselineClassifier(new BaselineOptions(Height: 6, Width: 6, Classes: 2, Hidden: 8));
    }

    static CheckpointHeader Header() => new() { Kind = "baseline", Options = System.Text.Json.Nodes.JsonNode.Parse("{\"a\":1}"), State = new TrainerState { Epoch = 3 } };

    static string TempFile() => Path.Combine(Directory.CreateTempSubdirectory("attn-ckpt-").FullName, "x.ckpt");

    [Fact]
    public void RoundTripRestoresWeightsAndHeader()
    {
        string path = TempFile();
        var a = Net(1);
        Checkpoint.Save(path, Header(), a, null);
        var b = Net(2);
        var h = Checkpoint.Load(path, "baseline", b);
        Assert.Equal(3, h.State.Epoch);
        foreach (var (name, p) in a.named_parameters())
            Assert.True(p.eq(b.named_parameters().Single(q => q.name == name).parameter).all().item<bool>(), name);
    }

    [Fact]
    public void TruncatedCorruptAndForeignFilesFailClearly()
    {
        string path = TempFile();
        Checkpoint.Save(path, Header(), Net(1), null);
        byte[] good = File.ReadAllBytes(path);

        File.WriteAllBytes(path, good[..(good.Length - 100)]);
        Assert.Contains("truncated", Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, "baseline", Net(1))).Message);

        var flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, flipped);
        Assert.Contains("SHA-256 does not match", Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, "baseline", Net(1))).Message);

        File.WriteAllText(path, "PK\u0003\u0004 some zip file that is not a checkpoint");
        Assert.Contains("not an AttentionSharp checkpoint", Assert.Throws<CheckpointException>(() => Checkpoint.ReadHeader(path)).Message);

        Assert.Contains("does not exist", Assert.Throws<CheckpointException>(() => Checkpoint.ReadHeader(path + ".missing")).Message);
    }

    [Fact]
    public void WrongKindOrShapeFailsClearly()
    {
        string path = TempFile();
        Checkpoint.Save(path, Header(), Net(1), null);
        Assert.Contains("holds a 'baseline' model; expected 'ram'", Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, "ram", Net(1))).Message);
        var other = new BaselineClassifier(new BaselineOptions(Height: 6, Width: 6, Classes: 2, Hidden: 9));
        Assert.Contains("does not fit this model", Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, "baseline", other)).Message);
    }

    [Fact]
    public void FailedWriteLeavesExistingFileIntactAndNoTempFiles()
    {
        string path = TempFile();
        Checkpoint.Save(path, Header(), Net(1), null);
        byte[] before = File.ReadAllBytes(path);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => { s.Write(new byte[1000]); throw new InvalidOperationException("disk full"); }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void RunFolderResolvesToBestThenLast()
    {
        string dir = Directory.CreateTempSubdirectory("attn-run-").FullName;
        Assert.Throws<CheckpointException>(() => Checkpoint.ResolveRunFolder(dir));
        Checkpoint.Save(Path.Combine(dir, Checkpoint.LastFile), Header(), Net(1), null);
        Assert.EndsWith(Checkpoint.LastFile, Checkpoint.ResolveRunFolder(dir));
        Checkpoint.Save(Path.Combine(dir, Checkpoint.BestFile), Header(), Net(1), null);
        Assert.EndsWith(Checkpoint.BestFile, Checkpoint.ResolveRunFolder(dir));
        Assert.Equal(3, Checkpoint.ReadHeader(dir).State.Epoch);
    }
}
