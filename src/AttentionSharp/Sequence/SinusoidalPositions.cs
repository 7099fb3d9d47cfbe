using TorchSharp;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Sequence;

/// <summary>Sinusoidal position encodings (Vaswani et al. 2017, sec. 3.5): <c>PE(pos, 2i) = sin(pos / 10000^(2i/d))</c>, <c>PE(pos, 2i+1) = cos(pos / 10000^(2i/d))</c>.</summary>
public static class SinusoidalPositions
{
    /// <summary>The encodings of positions <c>offset .. offset+length-1</c>: <c>(length, dim)</c>.</summary>
    public static Tensor Table(long length, long dim, long offset = 0, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        if (length < 1 || dim < 2 || dim % 2 != 0) throw new ArgumentException($"length must be >= 1 and dim even >= 2; got length={length}, dim={dim}");
        var pos = torch.arange(HeldScalars.Of(offset), HeldScalars.Of(offset + length), HeldScalars.Of(1), dtype: ScalarType.Float64, device: device).unsqueeze(1);       // (T, 1)
        var freq = torch.exp(torch.arange(HeldScalars.Of(0), HeldScalars.Of(dim), HeldScalars.Of(2), dtype: ScalarType.Float64, device: device).mul(HeldScalars.Of((-Math.Log(10000.0) / dim)))); // (D/2)
        var angles = pos * freq.unsqueeze(0);                                                                         // (T, D/2)
        return torch.stack([angles.sin(), angles.cos()], 2).reshape(length, dim).to(dtype);                          // (T, D) interleaved sin, cos
    }
}
