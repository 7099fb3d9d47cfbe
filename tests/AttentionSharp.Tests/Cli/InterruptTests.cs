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

    const int SigInt = 2;

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
            Assert.Equal(0, Kill(p.Id, SigInt));   // the ceiling of 100,000 epochs: only the signal ends this run
            string rest = p.StandardOutput.ReadToEnd();
            Assert.True(p.WaitForExit(120_000), "attn did not stop within 2 minutes of SIGINT");
            string err = await stderr;
            Assert.True(p.ExitCode == 130, $"exit code {p.ExitCode}; stderr: {err}");
            Assert.Contains("stopping after the current batch", err);
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
