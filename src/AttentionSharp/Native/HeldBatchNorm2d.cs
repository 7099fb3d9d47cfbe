using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AttentionSharp.Native;

/// <summary>
/// <c>BatchNorm2d</c> whose training step holds its Scalar: TorchSharp's <c>BatchNorm.forward</c> counts batches with
/// <c>num_batches_tracked.add_(1)</c>, a temporary Scalar that a garbage collection can free while libtorch reads it (the
/// "alpha must not be a floating point number" error of docs/RELIABILITY.md). Same parameters and buffers under the same
/// names (weight, bias, running_mean, running_var, num_batches_tracked), so checkpoints move between the two; same
/// arithmetic (PyTorch's <c>_BatchNorm.forward</c>: batch statistics in training, running ones in evaluation, momentum
/// 0.1 or a cumulative average when momentum is null). Tested against TorchSharp's module in HeldBatchNorm2dTests.
/// </summary>
public sealed class HeldBatchNorm2d : BatchNorm
{
    /// <summary>A batch norm over the channels of <c>(N, C, H, W)</c> input, as <c>nn.BatchNorm2d(features)</c>.</summary>
    public HeldBatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1, bool affine = true, bool trackRunningStats = true)
        : base(Layers.Sized("BatchNorm2d", 4, features)[1], eps, momentum, affine, trackRunningStats, null, null, "BatchNorm2d") { }

    /// <inheritdoc/>
    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4) throw new ArgumentException($"expected 4D input (N, C, H, W); got {input.ndim}D input");
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        double factor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            using (no_grad()) num_batches_tracked.add_(HeldScalars.Of(1), HeldScalars.Of(1));
            if (momentum is null) factor = 1.0 / num_batches_tracked.item<long>();
        }
        bool useBatchStats = training || (running_mean is null && running_var is null);
        var mean = !training || track_running_stats ? running_mean : null;
        var variance = !training || track_running_stats ? running_var : null;
        return nn.functional.batch_norm(input, mean, variance, weight, bias, useBatchStats, factor, eps);
    }
}
