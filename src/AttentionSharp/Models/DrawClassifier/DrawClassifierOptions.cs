namespace AttentionSharp.Models.DrawClassifier;

/// <summary>
/// Options of <see cref="DrawReadClassifier"/>: a recurrent classifier that looks at an image through T differentiable
/// DRAW reads (Gregor et al. 2015, section 4.1), the gradient-trained counterpart of RAM's hard glimpses.
/// </summary>
/// <param name="Height">Image height.</param>
/// <param name="Width">Image width.</param>
/// <param name="Classes">Number of classes.</param>
/// <param name="Glimpses">Reads T per image.</param>
/// <param name="Grid">N, the side of the N x N read grid.</param>
/// <param name="Hidden">LSTM core units.</param>
/// <param name="GlimpseHidden">Units of the glimpse layer between a read and the core.</param>
public sealed record DrawClassifierOptions(int Height, int Width, int Classes, int Glimpses = 8, int Grid = 12, int Hidden = 256, int GlimpseHidden = 256)
{
    /// <summary>The defaults for an image size: a 12 x 12 grid (the paper's for cluttered MNIST), 8 x 8 on images of 28 pixels or less.</summary>
    public static DrawClassifierOptions ForImage(int height, int width, int glimpses, int classes) =>
        new(height, width, classes, glimpses, Math.Max(height, width) <= 28 ? 8 : 12);

    /// <summary>Checks every value, naming the bad one.</summary>
    public void Validate()
    {
        if (Height < 2 || Width < 2) throw new ArgumentException($"image must be at least 2 x 2; got {Height} x {Width}");
        if (Classes < 2) throw new ArgumentException($"classes must be at least 2; got {Classes}");
        if (Glimpses < 1) throw new ArgumentException($"glimpses must be at least 1; got {Glimpses}");
        if (Grid < 2 || Grid > Math.Max(Height, Width)) throw new ArgumentException($"grid must be in 2..{Math.Max(Height, Width)} (the image side); got {Grid}");
        if (Hidden < 1) throw new ArgumentException($"hidden units must be positive; got {Hidden}");
        if (GlimpseHidden < 1) throw new ArgumentException($"glimpse units must be positive; got {GlimpseHidden}");
    }
}
