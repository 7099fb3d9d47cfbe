using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using TorchSharp;

namespace AttentionSharp.Native;

/// <summary>
/// Keeps libtorch's oneDNN (MKL-DNN) CPU kernels off the instruction sets where they compute wrong gradients.
/// <para>
/// Why: on the AMD EPYC machines this project is built and tested on (AVX-512 with BF16/VNNI), libtorch 2.10's oneDNN
/// kernels return wrong results: the input gradient of a plain 3x3 <c>conv2d</c> (16 to 8 channels, a 16x16x4x4 batch)
/// differed from an im2col reference by up to 19 on the first batch tried, or was NaN, with oneDNN's AVX-512 kernels
/// (<c>OneDnnTests</c>); the tiny U-Net, BiLSTM-CRF (character CNN) and segmentation-CLI tests diverged to NaN at the first
/// or second optimiser step, or learned to 89% where they learn to 100%. Capped at AVX2 (<c>DNNL_MAX_CPU_ISA=AVX2</c>) the
/// convolution check passed but two of those training tests still diverged in every run; capped at SSE4.1 every one passed,
/// run after run, as it does with oneDNN off. libtorch's own (ATen) kernels, which do use AVX-512, are not affected.
/// </para>
/// <para>
/// What: <see cref="Apply"/>, run when this assembly loads (a module initializer, so library users, the CLI, the bench and
/// the tests all get it), chooses by <see cref="ModeVariable"/>: <c>auto</c> (default: cap oneDNN at SSE4.1 on AMD CPUs
/// with AVX-512, where the fault was measured, and leave it alone elsewhere), <c>sse41</c> (cap everywhere), <c>full</c>
/// (no cap) or <c>off</c> (no oneDNN: ATen's convolutions, much slower for small images, <c>bench ... conv</c>). The cap is
/// oneDNN's own <c>DNNL_MAX_CPU_ISA</c> variable, set in the process environment before oneDNN first reads it; one the user
/// set is respected. Off is libtorch's <c>at::globalContext().setUserEnabledMkldnn(false)</c> (PyTorch's
/// <c>torch.backends.mkldnn.enabled = False</c>), which TorchSharp does not expose, called through its exported symbol.
/// </para>
/// </summary>
public static class OneDnn
{
    /// <summary>Environment variable choosing the mode: <c>auto</c> (default), <c>sse41</c>, <c>full</c> or <c>off</c>.</summary>
    public const string ModeVariable = "ATTENTIONSHARP_ONEDNN";

    /// <summary>The modes <see cref="ModeVariable"/> accepts.</summary>
    public static readonly string[] Modes = ["auto", "sse41", "full", "off"];

    /// <summary>oneDNN's own variable capping the instruction set its kernels use.</summary>
    public const string IsaVariable = "DNNL_MAX_CPU_ISA";

    /// <summary>What <see cref="Apply"/> did, for <c>attn info</c>.</summary>
    public static string State { get; private set; } = "not applied";

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int SetEnv(string name, string value, int overwrite);

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

    [DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.I1)]
    static extern bool UserEnabledMkldnn(IntPtr context);

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

    /// <summary>Whether libtorch will use oneDNN kernels now (null when libtorch could not be asked).</summary>
    public static bool? Enabled
    {
        get
        {
            try { return UserEnabledMkldnn(GlobalContext()); }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
        }
    }

    /// <summary>
    /// Turns libtorch's oneDNN kernels on or off for the process; returns whether the setting took. With oneDNN off, NNPACK
    /// is turned off too: libtorch would otherwise try it for every convolution and, on CPUs it does not support, print a
    /// warning each time before falling back to the same ATen kernels.
    /// </summary>
    public static bool Set(bool enabled)
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU); // loads libtorch through TorchSharp's loader first, so the symbols bind to that copy
            var context = GlobalContext();
            SetUserEnabledMkldnn(context, enabled);
            SetUserEnabledNnpack(context, enabled);
            return UserEnabledMkldnn(context) == enabled;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or InvalidOperationException or NotSupportedException)
        {
            State = "unknown (" + e.GetType().Name + ": " + e.Message.Split('\n')[0] + ")";
            return false;
        }
    }

    /// <summary>Whether <c>auto</c> caps oneDNN here: an AMD x86-64 CPU with AVX-512, where the wrong gradients were measured.</summary>
    public static bool AutoCaps()
    {
        if (!X86Base.IsSupported || !Avx512F.IsSupported) return false;
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        Span<int> vendor = [ebx, edx, ecx];
        return System.Text.Encoding.ASCII.GetString(MemoryMarshal.AsBytes(vendor)) == "AuthenticAMD";
    }

    /// <summary>Applies the mode named by <see cref="ModeVariable"/> (see the class remarks); returns the mode applied.</summary>
    public static string Apply()
    {
        string mode = (Environment.GetEnvironmentVariable(ModeVariable) ?? "auto").Trim().ToLowerInvariant();
        if (!Modes.Contains(mode))
        {
            State = $"full (unknown {ModeVariable}='{mode}'; expected one of {string.Join(", ", Modes)})";
            return "full";
        }
        if (mode == "auto") mode = AutoCaps() ? "sse41" : "full";
        switch (mode)
        {
            case "off":
                State = Set(false) ? $"off ({ModeVariable}=off: ATen kernels)" : State;
                return mode;
            case "sse41":
                string? user = Environment.GetEnvironmentVariable(IsaVariable) ?? Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA");
                if (user != null) State = $"capped at {user} (set by the user)";
                else if (!OperatingSystem.IsLinux()) State = "full (the cap is set only on Linux)";
                else
                {
                    try
                    {
                        if (SetEnv(IsaVariable, "SSE41", 0) != 0) throw new InvalidOperationException("setenv failed");
                        State = $"capped at SSE4.1 (its AVX-512/AVX2 kernels gave wrong gradients on AMD EPYC; {ModeVariable}=full|off changes it)";
                    }
                    catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
                    {
                        State = "full (could not set " + IsaVariable + ": " + e.Message + ")";
                    }
                }
                return mode;
            default:
                State = "full (no cap)";
                return mode;
        }
    }

#pragma warning disable CA2255 // a library module initializer: every caller of the library must get correct kernels, not only the CLI
    [ModuleInitializer]
    internal static void OnLoad() => Apply();
#pragma warning restore CA2255
}
