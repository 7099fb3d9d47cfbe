using System.Diagnostics;
using System.Runtime.InteropServices;
using AttentionSharp.Training;

namespace AttentionSharp.Tests.Cli;

public class InterruptTests
{
#pragma warning disable SYSLIB1054 // a plain DllImport: the test project does not compile unsafe code for LibraryImport
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054

    const int SigInt = 2, SigTerm = 15;

    /// <summary>
    /// Whether this process ignores SIGINT (bit 1 of SigIgn in /proc/self/status). A program started in the background by a
    /// non-interactive shell (<c>cmd &amp;</c>) inherits SIGINT ignored, its children too, and .NET then leaves it ignored, as
    /// shells do; Ctrl-C cannot reach such a process, so the test sends SIGTERM, which the CLI treats the same way.
    /// </summary>
    static bool SigIntIgnored()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line != null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (SigInt - 1))) != 0;
    }

    static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "attn.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task CtrlCStopsTrainingCleanlyWithExitCode130AndTheRunResumes()
    {
        if (!OperatingSystem.IsLinux()) return;   // SIGINT is sent with kill(2)
        string data = CliTests.FixtureMnist();
        string run = Path.Combine(Directory.CreateTempSubdirectory("attn-sigint-").FullName, "run");
        string[] train = ["baseline", "train", "--task", "mnist", "--model", "fc", "--hidden", "16", "--epochs", "100000", "--max-batches", "20",
            "--batch-size", "50", "--threads", "1", "--no-progress", "--data-dir", data, "--out", run];
        using (var p = Start(train))
        {
            var stderr = p.StandardError.ReadToEndAsync();
            string? line;
            while ((line = p.StandardOutput.ReadLine()) != null && !line.StartsWith("epoch 2/100000", StringComparison.Ordinal)) { }
            Assert.NotNull(line);
            bool term = SigIntIgnored();
            Assert.Equal(0, Kill(p.Id, term ? SigTerm : SigInt));   // the ceiling of 100,000 epochs: only the signal ends this run
            var restTask = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit(120_000))
            {
                p.Kill(entireProcessTree: true);   // never hang the suite: fail with what the run said
                Assert.Fail($"attn did not stop within 2 minutes of {(term ? "SIGTERM" : "SIGINT")}; stderr: {await stderr}");
            }
            string rest = await restTask;
            string err = await stderr;
            Assert.True(p.ExitCode == 130, $"exit code {p.ExitCode}; stderr: {err}");
            Assert.Contains(term ? "SIGTERM: stopping after the current batch" : "stopping after the current batch (Ctrl-C", err);
            Assert.Contains("stopped: interrupted in epoch", err);
            Assert.Contains("--resume", err);
            Assert.DoesNotContain("RESULT", rest);
        }
        int kept = Checkpoint.ReadHeader(Path.Combine(run, Checkpoint.LastFile)).State.Epoch;
        Assert.True(kept >= 2, $"last.ckpt holds epoch {kept}");

        // The same command with --resume and a smaller ceiling finishes from there.
        string[] resume = [.. train.Select(a => a == "100000" ? (kept + 1).ToString() : a), "--resume"];
        using var q = Start(resume);
        var errorsTask = q.StandardError.ReadToEndAsync();
        string output = await q.StandardOutput.ReadToEndAsync();
        string errors = await errorsTask;
        await q.WaitForExitAsync();
        Assert.True(q.ExitCode == 0, errors);
        Assert.Contains($"resumed from", output + errors);
        Assert.Contains($"epochs={kept + 1}", output);
        Directory.Delete(data, recursive: true);
    }
}
