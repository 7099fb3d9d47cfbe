namespace AttentionSharp.Bench;

/// <summary>A background thread that runs <c>GC.Collect()</c> and the finalizers in a loop until disposed (the gc-stress benches).</summary>
sealed class ForcedCollections : IDisposable
{
    readonly CancellationTokenSource stop = new();
    readonly Thread thread;

    public ForcedCollections()
    {
        thread = new Thread(() => { while (!stop.IsCancellationRequested) { GC.Collect(); GC.WaitForPendingFinalizers(); } }) { IsBackground = true };
        thread.Start();
    }

    public void Dispose()
    {
        stop.Cancel();
        thread.Join();
        stop.Dispose();
    }
}
