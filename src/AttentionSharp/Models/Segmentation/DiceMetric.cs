using TorchSharp;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.Segmentation;

/// <summary>
/// Per-class Dice accumulated over a dataset (Dice 1945): <c>Dice_c = 2 |P_c and T_c| / (|P_c| + |T_c|)</c>, P the
/// predicted and T the true pixels of class c, counted over every pixel added; undefined (NaN) for a class absent from
/// both. <see cref="MeanForeground"/> averages the defined classes other than 0 (background).
/// </summary>
public sealed class DiceMetric
{
    readonly long[] _intersection;
    readonly long[] _predicted;
    readonly long[] _truth;

    /// <summary>Creates an empty accumulator for <paramref name="classes"/> classes.</summary>
    public DiceMetric(int classes)
    {
        if (classes < 2) throw new ArgumentException($"at least 2 classes are needed; got {classes}");
        Classes = classes;
        _intersection = new long[classes]; _predicted = new long[classes]; _truth = new long[classes];
    }

    /// <summary>Number of classes, background included.</summary>
    public int Classes { get; }

    /// <summary>Adds predicted and true label maps of the same shape (int64 class indices).</summary>
    public void Add(Tensor predicted, Tensor truth)
    {
        if (!predicted.shape.SequenceEqual(truth.shape))
            throw new ArgumentException($"predicted and true label maps must have the same shape; got ({string.Join(", ", predicted.shape)}) and ({string.Join(", ", truth.shape)})");
        using var scope = torch.NewDisposeScope();
        var p = predicted.reshape(-1).to(ScalarType.Int64).cpu();
        var t = truth.reshape(-1).to(ScalarType.Int64).cpu();
        var both = torch.where(p.eq(t), p, torch.full_like(p, HeldScalars.Of(Classes)));            // class where they agree, else an overflow bin
        var ci = torch.bincount(both, minlength: Classes + 1).data<long>().ToArray();
        var cp = torch.bincount(p, minlength: Classes).data<long>().ToArray();
        var ct = torch.bincount(t, minlength: Classes).data<long>().ToArray();
        if (cp.Length > Classes || ct.Length > Classes)
            throw new ArgumentException($"labels must be in 0..{Classes - 1}; got up to {Math.Max(cp.Length, ct.Length) - 1}");
        for (int c = 0; c < Classes; c++) { _intersection[c] += ci[c]; _predicted[c] += cp[c]; _truth[c] += ct[c]; }
    }

    /// <summary>Dice of each class (NaN where the class is neither predicted nor present).</summary>
    public double[] PerClass() => Enumerable.Range(0, Classes)
        .Select(c => _predicted[c] + _truth[c] == 0 ? double.NaN : 2.0 * _intersection[c] / (_predicted[c] + _truth[c])).ToArray();

    /// <summary>Mean Dice of the defined foreground classes (1..K-1); NaN when none is defined.</summary>
    public double MeanForeground()
    {
        var d = PerClass().Skip(1).Where(v => !double.IsNaN(v)).ToArray();
        return d.Length == 0 ? double.NaN : d.Average();
    }

    /// <summary>Per-example mean foreground Dice <c>(B)</c> of label maps <c>(B, H, W)</c>; 1 for an example with no foreground in either map.</summary>
    public static Tensor PerExample(Tensor predicted, Tensor truth, int classes)
    {
        if (predicted.dim() != 3 || !predicted.shape.SequenceEqual(truth.shape))
            throw new ArgumentException($"label maps must both be (batch, H, W); got ({string.Join(", ", predicted.shape)}) and ({string.Join(", ", truth.shape)})");
        var p = nn.functional.one_hot(predicted, classes).to(ScalarType.Float64).sum([1, 2])[.., 1..]; // (B, K-1) predicted counts
        var t = nn.functional.one_hot(truth, classes).to(ScalarType.Float64).sum([1, 2])[.., 1..];     // (B, K-1) true counts
        var agree = torch.where(predicted.eq(truth), predicted, torch.zeros_like(predicted));
        var i = nn.functional.one_hot(agree, classes).to(ScalarType.Float64).sum([1, 2])[.., 1..];     // (B, K-1) intersections
        var card = p.add(t, HeldScalars.Of(1));
        var defined = card.gt(HeldScalars.Of(0)).to(ScalarType.Float64);
        var dice = i.mul(HeldScalars.Of(2)) / card.clamp_min(HeldScalars.Of(1));
        var n = defined.sum(1);
        return torch.where(n.gt(HeldScalars.Of(0)), (dice * defined).sum(1) / n.clamp_min(HeldScalars.Of(1)), torch.ones_like(n));
    }
}
