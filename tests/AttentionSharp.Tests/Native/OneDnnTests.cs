using AttentionSharp.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Native;

public class OneDnnTests
{
    [Fact]
    public void CappedOnAmdWithAvx512UnlessAskedOtherwise()
    {
        _ = typeof(OneDnn).Assembly; // the module initializer has run by the time any library type is used
        string mode = Environment.GetEnvironmentVariable(OneDnn.ModeVariable) ?? "auto";
        if (mode == "auto" && Environment.GetEnvironmentVariable(OneDnn.IsaVariable) == null && OperatingSystem.IsLinux())
        {
            Assert.StartsWith(OneDnn.AutoCaps() ? "capped at SSE4.1" : "full", OneDnn.State);
            if (OneDnn.AutoCaps()) Assert.Equal("SSE41", Environment.GetEnvironmentVariable(OneDnn.IsaVariable) ?? ReadNative(OneDnn.IsaVariable));
        }
        Assert.True(OneDnn.Enabled ?? true, "oneDNN itself stays on unless the mode is off");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getenv")]
    static extern IntPtr GetEnv(string name);

    static string? ReadNative(string name) => System.Runtime.InteropServices.Marshal.PtrToStringUTF8(GetEnv(name));

    [Fact]
    public void SwitchRoundTrips()
    {
        bool? before = OneDnn.Enabled;
        try
        {
            Assert.True(OneDnn.Set(true));
            Assert.True(OneDnn.Enabled);
            Assert.True(OneDnn.Set(false));
            Assert.False(OneDnn.Enabled);
        }
        finally { OneDnn.Set(before ?? true); }
    }

    /// <summary>
    /// Convolution forward and both gradients against an im2col reference (unfold, then a matrix product) over many random
    /// batches: the kernels libtorch picks must be right every time, not on average. With oneDNN's AVX-512 kernels (ATTENTIONSHARP_ONEDNN=full) on AMD
    /// EPYC this fails at the first batch (an input gradient off by 19, or NaN).
    /// </summary>
    [Fact]
    public void ConvolutionGradientsMatchAnIm2colReferenceEveryTime()
    {
        for (int trial = 0; trial < 150; trial++)
        {
            using var scope = torch.NewDisposeScope();
            torch.manual_seed(trial);
            int cin = 16, cout = 8, k = 3;
            var x = torch.randn(16, cin, 4 + trial % 5, 4 + trial % 3, requires_grad: true);
            var w = torch.randn(cout, cin, k, k, requires_grad: true);
            var y = nn.functional.conv2d(x, w, padding: [1, 1]);
            var up = torch.randn_like(y);
            var (gx, gw) = Grads(y, up, x, w);

            var x2 = x.detach().clone().requires_grad_(true);
            var w2 = w.detach().clone().requires_grad_(true);
            var cols = nn.functional.unfold(x2, k, padding: 1);                       // (B, cin*k*k, L)
            var y2 = w2.reshape(cout, -1).matmul(cols).reshape(y.shape);               // (B, cout, H, W)
            var (gx2, gw2) = Grads(y2, up, x2, w2);

            Assert.True(y.allclose(y2, 1e-4, 1e-4), $"trial {trial}: forward differs");
            Assert.True(gx.isfinite().all().item<bool>() && gw.isfinite().all().item<bool>(), $"trial {trial}: non-finite gradient");
            Assert.True(gx.allclose(gx2, 1e-4, 1e-3), $"trial {trial}: input gradient differs by {(gx - gx2).abs().max().item<float>()}");
            Assert.True(gw.allclose(gw2, 1e-4, 1e-3), $"trial {trial}: weight gradient differs by {(gw - gw2).abs().max().item<float>()}");
        }
    }

    static (Tensor, Tensor) Grads(Tensor y, Tensor upstream, Tensor x, Tensor w)
    {
        var g = torch.autograd.grad([y], [x, w], [upstream]);
        return (g[0], g[1]);
    }
}
