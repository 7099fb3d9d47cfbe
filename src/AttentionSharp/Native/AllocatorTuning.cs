using System.Runtime.InteropServices;

namespace AttentionSharp.Native;

/// <summary>
/// Keeps glibc's malloc from returning libtorch's large CPU buffers to the kernel after every step. By default glibc serves
/// blocks above its mmap threshold (128 KB at first) with a fresh mmap and unmaps them on free, and trims the heap top
/// above 128 KB, so a training step that allocates and frees megabytes of activations page-faults all of them again on
/// every step: measured with <c>bench ... ram-step</c> on the 2-core machine, a 100x100 RAM step took 53-74 ms and varied
/// two-fold between runs, against 36 ms with the thresholds raised (docs/RESULTS.md). <see cref="Apply"/> raises the mmap
/// threshold to its maximum (32 MB) and the trim threshold to 1 GB through <c>mallopt</c>: memory freed by one step is
/// reused by the next instead of being unmapped. Process-wide; Linux with glibc only (elsewhere it does nothing). Turned
/// off by setting <see cref="DisableVariable"/>=1.
/// </summary>
public static class AllocatorTuning
{
    /// <summary>Environment variable that turns the tuning off (for measuring the difference).</summary>
    public const string DisableVariable = "ATTENTIONSHARP_NO_MALLOPT";

    const int M_TRIM_THRESHOLD = -1;
    const int M_MMAP_THRESHOLD = -3;

    /// <summary>Whether <see cref="Apply"/> has changed the allocator's settings in this process.</summary>
    public static bool Applied { get; private set; }

    /// <summary>What <see cref="Apply"/> did, for <c>attn info</c>.</summary>
    public static string State { get; private set; } = "not applied";

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int Mallopt(int param, int value);

    /// <summary>Raises glibc's mmap and trim thresholds once per process; returns whether they are raised.</summary>
    public static bool Apply()
    {
        if (Applied) return true;
        if (Environment.GetEnvironmentVariable(DisableVariable) == "1") { State = $"off ({DisableVariable}=1)"; return false; }
        if (!OperatingSystem.IsLinux()) { State = "not needed (not Linux)"; return false; }
        try
        {
            bool ok = Mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1 && Mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
            Applied = ok;
            State = ok ? "mmap threshold 32 MB, trim threshold 1 GB" : "mallopt refused the settings";
            return ok;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            State = "not available (no glibc mallopt)";
            return false;
        }
    }
}
