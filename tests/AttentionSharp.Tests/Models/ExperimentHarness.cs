using AttentionSharp.Training;
using TorchSharp;

namespace AttentionSharp.Tests.Models;

/// <summary>Runs an experiment test body with a context whose log is captured, and checks that nothing reached the console.</summary>
static class ExperimentHarness
{
    /// <summary>Runs <paramref name="body"/> with a CPU context on <paramref name="dataRoot"/>; returns what it logged.</summary>
    public static string Quiet(string dataRoot, Action<ExperimentContext> body)
    {
        var log = new StringWriter();
        var context = new ExperimentContext(dataRoot, torch.CPU, new PlainProgress(log));
        var console = Console.Out;
        var captured = new StringWriter();
        Console.SetOut(captured);
        try { body(context); }
        finally { Console.SetOut(console); }
        Assert.Equal("", captured.ToString());
        return log.ToString();
    }
}
