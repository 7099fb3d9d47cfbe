using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace AttentionSharp.Tests;

/// <summary>
/// Gives the test process its own temporary folder and removes it at exit: every test that asks for a temporary file or
/// folder (<see cref="Path.GetTempPath"/>, <see cref="Directory.CreateTempSubdirectory"/>, and the CLI processes the tests
/// start, which inherit <c>TMPDIR</c>) writes under <c>attn-tests-PID</c>, so no fixture (the 55 MB fake MNIST caches
/// among them) outlives the run. Folders left by a run that was killed are removed by the next run.
/// </summary>
static class TestTemp
{
    const string Prefix = "attn-tests-";

    /// <summary>This process's temporary root.</summary>
    public static string Root { get; private set; } = "";

    [ModuleInitializer]
    internal static void Init()
    {
        string system = Path.GetTempPath();
        RemoveStale(system);
        Root = Path.Combine(system, Prefix + Environment.ProcessId);
        Directory.CreateDirectory(Root);
        Environment.SetEnvironmentVariable("TMPDIR", Root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(Root);
    }

    static void RemoveStale(string system)
    {
        foreach (var dir in Directory.EnumerateDirectories(system, Prefix + "*"))
        {
            if (!int.TryParse(Path.GetFileName(dir)[Prefix.Length..], out int pid) || pid == Environment.ProcessId) continue;
            bool alive;
            try { using var p = Process.GetProcessById(pid); alive = !p.HasExited; }
            catch (ArgumentException) { alive = false; }
            if (!alive) TryDelete(dir);
        }
    }

    static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

public class TestTempTests
{
    [Fact]
    public void TemporaryFilesGoUnderThisProcesssRoot()
    {
        Assert.StartsWith(TestTemp.Root, Path.GetTempPath().TrimEnd('/'));
        var dir = Directory.CreateTempSubdirectory("attn-probe-");
        Assert.StartsWith(TestTemp.Root, dir.FullName);
        dir.Delete();
    }
}
