using static TorchSharp.torch;

namespace AttentionSharp.Vision;

/// <summary>Shape checks shared by the image attention modules: they throw at the public boundary with expected and actual shapes.</summary>
internal static class VisionChecks
{
    /// <summary>Formats a shape as <c>(2, 3, 8, 8)</c>.</summary>
    public static string Shape(Tensor t) => "(" + string.Join(", ", t.shape) + ")";

    /// <summary>Checks that <paramref name="t"/> is a 4-D image batch with <paramref name="channels"/> channels (-1 = any).</summary>
    public static void Image(Tensor t, string name, long channels = -1)
    {
        if (t.dim() != 4 || (channels >= 0 && t.shape[1] != channels))
            throw new ArgumentException($"{name} must be (batch, {(channels >= 0 ? channels.ToString() : "channels")}, height, width); got {Shape(t)}");
    }
}
