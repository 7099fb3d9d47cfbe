using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using AttentionSharp.NativeFix;
using TorchSharp;

namespace AttentionSharp.Native;

/// <summary>Facts about this installation for <c>attn info</c>: versions, devices, threads, CPU features, native fix.</summary>
public static class SystemInfo
{
    /// <summary>Name-value rows, in display order. Loads TorchSharp.</summary>
    public static IReadOnlyList<(string Name, string Value)> Collect()
    {
        var rows = new List<(string, string)>
        {
            ("AttentionSharp", typeof(SystemInfo).Assembly.GetName().Version?.ToString() ?? "?"),
            ("TorchSharp", typeof(torch).Assembly.GetName().Version?.ToString() ?? "?"),
            (".NET", RuntimeInformation.FrameworkDescription),
            ("OS", RuntimeInformation.OSDescription + " " + RuntimeInformation.OSArchitecture),
        };
        string? loadError = null;
        try { torch.InitializeDeviceType(DeviceType.CPU); }
        catch (Exception e) { loadError = e.InnerException?.Message ?? e.Message; }
        if (loadError == null)
        {
            rows.Add(("libtorch", LibTorchVersion()));
            rows.Add(("devices", "cpu" + (torch.cuda.is_available() ? $", cuda x{torch.cuda.device_count()}" : " (cuda: not available)")));
            rows.Add(("allocator", AllocatorTuning.State));
            rows.Add(("oneDNN", OneDnn.State));
            rows.Add(("threads", $"{torch.get_num_threads()} intra-op, {torch.get_num_interop_threads()} inter-op; {Environment.ProcessorCount} logical CPUs"));
        }
        else rows.Add(("libtorch", "NOT LOADED: " + loadError));
        rows.Add(("CPU features", CpuFeatures()));
        rows.Add(("native fix", NativeFixState()));
        return rows;
    }

    /// <summary>The libtorch version from the native package's build-version file, when found.</summary>
    static string LibTorchVersion()
    {
        foreach (var lib in LoadedLibraries())
        {
            if (!lib.EndsWith("libtorch_cpu.so", StringComparison.Ordinal) && !lib.EndsWith("libtorch_cuda.so", StringComparison.Ordinal)) continue;
            var dir = Path.GetDirectoryName(lib)!;
            foreach (var candidate in new[] { Path.Combine(dir, "build-version"), Path.Combine(AppContext.BaseDirectory, "build-version") })
                if (File.Exists(candidate)) return File.ReadAllText(candidate).Trim();
        }
        var deps = Directory.GetFiles(AppContext.BaseDirectory, "*.deps.json").FirstOrDefault();
        if (deps != null)
        {
            var m = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(deps), "\"libtorch-[a-z0-9-]+/([0-9.]+)\"");
            if (m.Success) return m.Groups[1].Value + " (from package)";
        }
        return "unknown";
    }

    static string CpuFeatures()
    {
        var f = new List<string>();
        if (RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86)
        {
            if (Sse42.IsSupported) f.Add("sse4.2");
            if (Avx.IsSupported) f.Add("avx");
            if (Avx2.IsSupported) f.Add("avx2");
            if (Fma.IsSupported) f.Add("fma");
            if (Avx512F.IsSupported) f.Add("avx512f");
        }
        else if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) f.Add("neon");
        return f.Count == 0 ? "none detected" : string.Join(" ", f);
    }

    /// <summary>Paths of the shared libraries mapped into this process (Linux), else empty.</summary>
    static IEnumerable<string> LoadedLibraries()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/self/maps")) return [];
        return File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length >= 6 && p[5].StartsWith('/')).Select(p => p[5]).Distinct().ToList();
    }

    /// <summary>The state of the GLIBCXX_3.4.32 need of the libLibTorchSharp.so this process uses.</summary>
    public static string NativeFixState()
    {
        if (!OperatingSystem.IsLinux()) return "not needed (not Linux)";
        string? path = LoadedLibraries().FirstOrDefault(p => p.EndsWith("libLibTorchSharp.so", StringComparison.Ordinal));
        path ??= new[] { Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
                         Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so") }.FirstOrDefault(File.Exists);
        if (path == null) return "libLibTorchSharp.so not found";
        bool? host = GlibcxxWeakVersionFix.HostHasVersion();
        var report = GlibcxxWeakVersionFix.Inspect(path, host);
        string hostText = host switch { true => "host libstdc++ has " + GlibcxxWeakVersionFix.Version, false => "host libstdc++ lacks " + GlibcxxWeakVersionFix.Version, _ => "host libstdc++ not found" };
        return report.Outcome switch
        {
            FixOutcome.AlreadyWeak => $"applied ({hostText}; need marked weak in {path})",
            FixOutcome.Applied => $"NOT applied but needed ({hostText}); rebuild to apply",
            FixOutcome.HostHasVersion or FixOutcome.NotNeeded => $"not needed ({hostText})",
            _ => $"unsafe, not applied: {report.Message}",
        };
    }
}
