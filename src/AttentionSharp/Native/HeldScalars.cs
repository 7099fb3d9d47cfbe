using System.Collections.Concurrent;
using TorchSharp;

namespace AttentionSharp.Native;

/// <summary>
/// TorchSharp <see cref="Scalar"/>s that live for the whole process, one per distinct value. A number passed where
/// TorchSharp expects a Scalar (<c>t.clamp(0, w)</c>, <c>t.pow(2)</c>, <c>t.masked_fill(m, -1e9)</c>) otherwise becomes a
/// temporary Scalar that nothing keeps alive once its native handle has been read, so a garbage collection during the
/// native call can run its finalizer and free the scalar while libtorch still reads it (docs/RELIABILITY.md; the
/// intermittent "alpha must not be a floating point number" and "Unknown scalar type" errors). A Scalar held here is a
/// static root: it is never finalized. Use it for constants and per-run values (sizes, lengths, settings: a bounded set
/// of values); a value that changes every step without bound belongs in a <c>using var s = v.ToScalar();</c> held for
/// the call. The library's own code passes no number to a Scalar parameter (checked by ScalarConversionTests; docs/RELIABILITY.md).
/// </summary>
public static class HeldScalars
{
    static readonly ConcurrentDictionary<long, Scalar> Integers = new();
    static readonly ConcurrentDictionary<long, Scalar> Reals = new(); // keyed by the double's bits: -0.0, NaNs stay distinct
    static readonly Scalar True = true.ToScalar(), False = false.ToScalar();

    /// <summary>The held integral Scalar of <paramref name="value"/>.</summary>
    public static Scalar Of(long value) => Integers.GetOrAdd(value, v => v.ToScalar());

    /// <summary>The held floating-point Scalar of <paramref name="value"/>.</summary>
    public static Scalar Of(double value) => Reals.GetOrAdd(BitConverter.DoubleToInt64Bits(value), bits => BitConverter.Int64BitsToDouble(bits).ToScalar());

    /// <summary>The held boolean Scalar of <paramref name="value"/>.</summary>
    public static Scalar Of(bool value) => value ? True : False;

    /// <summary>Distinct Scalars held so far (for diagnostics).</summary>
    public static int Count => Integers.Count + Reals.Count + 2;
}
