using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Native;

/// <summary>Turns a <c>--device</c> value into a TorchSharp device, with a clear error when CUDA is not there.</summary>
public static class DeviceSelector
{
    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public static Device Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return CPU;
        if (t == "cuda" || t.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new ArgumentException("--device cuda: no CUDA device is available to TorchSharp. Build with -p:AttnCuda=true " +
                                            "(the CUDA backend package) on a machine with an NVIDIA driver, or use --device cpu");
            int index = 0;
            if (t.Length > 5 && (!int.TryParse(t[5..], out index) || index < 0 || index >= torch.cuda.device_count()))
                throw new ArgumentException($"--device {text}: expected cuda:0..cuda:{torch.cuda.device_count() - 1}");
            return new Device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"unknown device '{text}'; expected cpu, cuda or cuda:N");
    }
}
