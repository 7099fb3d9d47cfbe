using AttentionSharp.NativeFix;

namespace AttentionSharp.Tests.Native;

public class GlibcxxWeakVersionFixTests
{
    /// <summary>The pristine shim from the NuGet cache (never modified by the build).</summary>
    static string PristineShim()
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string version = typeof(TorchSharp.torch).Assembly.GetName().Version!.ToString(3);
        string path = Path.Combine(root, "torchsharp", version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"pristine shim expected at {path}");
        return path;
    }

    static string OutputShim() => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    static string TempCopy(string source)
    {
        string dir = Directory.CreateTempSubdirectory("attn-fix-").FullName;
        string dest = Path.Combine(dir, "libLibTorchSharp.so");
        File.Copy(source, dest);
        return dest;
    }

    [Fact]
    public void PristineShimNeedsTheVersionStrongly()
    {
        if (!OperatingSystem.IsLinux()) return;
        var need = GlibcxxWeakVersionFix.ReadVersionNeeds(File.ReadAllBytes(PristineShim()))
            .Single(n => n.Name == GlibcxxWeakVersionFix.Version);
        Assert.Equal("libstdc++.so.6", need.Library);
        Assert.Equal(0, need.Flags & GlibcxxWeakVersionFix.VerFlgWeak);
    }

    [Fact]
    public void ApplyChangesExactlyOneFlagAndRerunIsNoOp()
    {
        if (!OperatingSystem.IsLinux()) return;
        string copy = TempCopy(PristineShim());
        byte[] before = File.ReadAllBytes(copy);
        var first = GlibcxxWeakVersionFix.Apply(copy, hostHasVersion: false);
        Assert.Equal(FixOutcome.Applied, first.Outcome);
        byte[] after = File.ReadAllBytes(copy);
        Assert.Equal(before.Length, after.Length);
        var diffs = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
        Assert.Single(diffs);
        Assert.Equal(before[diffs[0]] | GlibcxxWeakVersionFix.VerFlgWeak, after[diffs[0]]);
        var need = GlibcxxWeakVersionFix.ReadVersionNeeds(after).Single(n => n.Name == GlibcxxWeakVersionFix.Version);
        Assert.Equal(need.FlagsOffset, diffs[0]);

        var second = GlibcxxWeakVersionFix.Apply(copy, hostHasVersion: false);
        Assert.Equal(FixOutcome.AlreadyWeak, second.Outcome);
        Assert.Equal(after, File.ReadAllBytes(copy));
    }

    [Fact]
    public void BuildOutputCopyDiffersFromPristineByExactlyTheWeakFlag()
    {
        if (!OperatingSystem.IsLinux() || GlibcxxWeakVersionFix.HostHasVersion() != false) return;
        byte[] pristine = File.ReadAllBytes(PristineShim());
        byte[] output = File.ReadAllBytes(OutputShim());
        var diffs = Enumerable.Range(0, pristine.Length).Where(i => pristine[i] != output[i]).ToList();
        Assert.Single(diffs);
        Assert.Equal(FixOutcome.AlreadyWeak, GlibcxxWeakVersionFix.Inspect(OutputShim(), false).Outcome);
    }

    [Fact]
    public void HostWithTheVersionLeavesFileAlone()
    {
        if (!OperatingSystem.IsLinux()) return;
        string copy = TempCopy(PristineShim());
        byte[] before = File.ReadAllBytes(copy);
        Assert.Equal(FixOutcome.HostHasVersion, GlibcxxWeakVersionFix.Apply(copy, hostHasVersion: true).Outcome);
        Assert.Equal(before, File.ReadAllBytes(copy));
    }

    [Fact]
    public void AnotherSymbolBoundToTheVersionMakesItUnsafe()
    {
        if (!OperatingSystem.IsLinux()) return;
        string copy = TempCopy(PristineShim());
        byte[] b = File.ReadAllBytes(copy);
        var need = GlibcxxWeakVersionFix.ReadVersionNeeds(b).Single(n => n.Name == GlibcxxWeakVersionFix.Version);
        // Rebind the first symbol of another version (index >= 2 and != need.Index) to the checked version.
        var (versymOffset, count) = FindSection(b, 0x6fffffff);
        long victim = Enumerable.Range(1, (int)count - 1).Select(i => (long)i)
            .First(i => { int v = BitConverter.ToUInt16(b, (int)(versymOffset + 2 * i)) & 0x7fff; return v >= 2 && v != need.Index; });
        BitConverter.GetBytes(need.Index).CopyTo(b, versymOffset + 2 * victim);
        File.WriteAllBytes(copy, b);
        var report = GlibcxxWeakVersionFix.Apply(copy, hostHasVersion: false);
        Assert.Equal(FixOutcome.Unsafe, report.Outcome);
        Assert.Contains("is bound to GLIBCXX_3.4.32", report.Message);
        Assert.Equal(b, File.ReadAllBytes(copy));
    }

    [Fact]
    public void NonElfFileIsRejectedClearly()
    {
        string dir = Directory.CreateTempSubdirectory("attn-fix-").FullName;
        string path = Path.Combine(dir, "not-elf.so");
        File.WriteAllText(path, "hello, this is not a shared object");
        var e = Assert.Throws<InvalidDataException>(() => GlibcxxWeakVersionFix.Apply(path, false));
        Assert.Contains("not an ELF file", e.Message);
    }

    /// <summary>Offset and entry count of the first section of <paramref name="type"/> (ELF64 LE, 2-byte entries).</summary>
    static (long Offset, long Count) FindSection(byte[] b, uint type)
    {
        long shoff = BitConverter.ToInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A), shnum = BitConverter.ToUInt16(b, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            long h = shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(b, (int)h + 4) == type)
                return (BitConverter.ToInt64(b, (int)h + 0x18), BitConverter.ToInt64(b, (int)h + 0x20) / 2);
        }
        throw new InvalidOperationException("section not found");
    }
}
