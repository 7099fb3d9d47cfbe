using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Vision;

/// <summary>The N x N Gaussian filterbanks of one DRAW glimpse.</summary>
/// <param name="FX">Horizontal filterbank <c>(B, N, W)</c>, rows summing to 1.</param>
/// <param name="FY">Vertical filterbank <c>(B, N, H)</c>, rows summing to 1.</param>
/// <param name="Gamma">Intensity <c>(B)</c>.</param>
/// <param name="CentreX">Grid centre <c>g_X</c> in pixels <c>(B)</c>.</param>
/// <param name="CentreY">Grid centre <c>g_Y</c> in pixels <c>(B)</c>.</param>
/// <param name="Stride">Grid stride <c>delta</c> in pixels <c>(B)</c>.</param>
/// <param name="Sigma2">Filter variance <c>sigma^2</c> <c>(B)</c>.</param>
public sealed record DrawFilterbanks(Tensor FX, Tensor FY, Tensor Gamma, Tensor CentreX, Tensor CentreY, Tensor Stride, Tensor Sigma2);

/// <summary>
/// DRAW selective attention (Gregor et al. 2015, "DRAW: A Recurrent Neural Network For Image Generation", eq. 19-29):
/// <c>(g~_X, g~_Y, log sigma^2, log delta~, log gamma) = W(h)</c>; <c>g_X = (A+1)/2 (g~_X + 1)</c>,
/// <c>g_Y = (B+1)/2 (g~_Y + 1)</c>, <c>delta = (max(A, B) - 1)/(N - 1) delta~</c>;
/// <c>mu_X^i = g_X + (i - N/2 - 0.5) delta</c>, <c>mu_Y^j = g_Y + (j - N/2 - 0.5) delta</c> for i, j = 1..N;
/// <c>F_X[i, a] = exp(-(a - mu_X^i)^2 / (2 sigma^2)) / Z_X</c>, <c>F_Y[j, b] = exp(-(b - mu_Y^j)^2 / (2 sigma^2)) / Z_Y</c>
/// with Z making each row sum to 1 (a, b are pixel coordinates 1..A and 1..B, so g~ = 0 is the image centre; A = width, B = height);
/// read <c>gamma F_Y x F_X^T</c> (N x N), write <c>(1/gamma) F_Y^T w F_X</c> (B x A).
/// </summary>
public sealed class DrawAttention : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Linear parameters_head;

    /// <summary>Creates the attention for <paramref name="height"/> x <paramref name="width"/> images with an N x N grid and a linear head from a state of <paramref name="stateSize"/>.</summary>
    public DrawAttention(int stateSize, int gridSize, int height, int width) : base("DrawAttention")
    {
        if (stateSize < 1) throw new ArgumentException($"state size must be positive; got {stateSize}");
        CheckGeometry(gridSize, height, width);
        GridSize = gridSize; Height = height; Width = width;
        parameters_head = Layers.Linear(stateSize, 5);
        RegisterComponents();
    }

    /// <summary>N, the side of the glimpse grid.</summary>
    public int GridSize { get; }
    /// <summary>Image height (B in the paper).</summary>
    public int Height { get; }
    /// <summary>Image width (A in the paper).</summary>
    public int Width { get; }

    /// <summary>The five raw attention parameters <c>(g~_X, g~_Y, log sigma^2, log delta~, log gamma)</c> <c>(B, 5)</c> from a state <c>(B, stateSize)</c>.</summary>
    public Tensor AttentionParameters(Tensor state) => parameters_head.forward(state);

    /// <summary>Reads an N x N glimpse <c>(B, C, N, N)</c> of <paramref name="images"/> <c>(B, C, H, W)</c> where <paramref name="state"/> points.</summary>
    public override Tensor forward(Tensor images, Tensor state)
    {
        if (images.dim() != 4 || images.shape[2] != Height || images.shape[3] != Width)
            throw new ArgumentException($"images must be (batch, channels, {Height}, {Width}); got {VisionChecks.Shape(images)}");
        if (state.dim() != 2 || state.shape[0] != images.shape[0] || state.shape[1] != parameters_head.in_features)
            throw new ArgumentException($"state must be ({images.shape[0]}, {parameters_head.in_features}); got {VisionChecks.Shape(state)}");
        return Read(images, AttentionParameters(state), GridSize);
    }

    /// <summary>Builds the filterbanks from the raw parameters <c>(B, 5)</c> for an N x N grid over an <paramref name="height"/> x <paramref name="width"/> image.</summary>
    public static DrawFilterbanks Filterbanks(Tensor parameters, int gridSize, int height, int width)
    {
        CheckGeometry(gridSize, height, width);
        if (parameters.dim() != 2 || parameters.shape[1] != 5)
            throw new ArgumentException($"DRAW attention parameters must be (batch, 5) = (g~x, g~y, log sigma^2, log delta~, log gamma); got {VisionChecks.Shape(parameters)}");
        var gx = parameters[.., 0].add(HeldScalars.Of(1), HeldScalars.Of(1)).mul(HeldScalars.Of((width + 1) / 2.0));                   // (B)
        var gy = parameters[.., 1].add(HeldScalars.Of(1), HeldScalars.Of(1)).mul(HeldScalars.Of((height + 1) / 2.0));                  // (B)
        var sigma2 = parameters[.., 2].exp();                                   // (B)
        var delta = parameters[.., 3].exp().mul(HeldScalars.Of((Math.Max(width, height) - 1) / (double)Math.Max(gridSize - 1, 1))); // (B)
        var gamma = parameters[.., 4].exp();                                    // (B)
        var offsets = torch.arange(HeldScalars.Of(1), HeldScalars.Of(gridSize + 1), HeldScalars.Of(1), dtype: parameters.dtype, device: parameters.device).sub(HeldScalars.Of(gridSize / 2.0)).sub(HeldScalars.Of(0.5)); // (N)
        var muX = gx.unsqueeze(1).add(offsets.unsqueeze(0) * delta.unsqueeze(1), HeldScalars.Of(1)); // (B, N)
        var muY = gy.unsqueeze(1).add(offsets.unsqueeze(0) * delta.unsqueeze(1), HeldScalars.Of(1)); // (B, N)
        var fx = Bank(muX, sigma2, width);
        var fy = Bank(muY, sigma2, height);
        return new DrawFilterbanks(fx, fy, gamma, gx, gy, delta, sigma2);
    }

    static Tensor Bank(Tensor mu, Tensor sigma2, int size)
    {
        var a = torch.arange(HeldScalars.Of(1), HeldScalars.Of(size + 1), HeldScalars.Of(1), dtype: mu.dtype, device: mu.device).reshape(1, 1, size); // (1, 1, size), pixels 1..size
        var d = a - mu.unsqueeze(2);                                                         // (B, N, size)
        var f = torch.exp(-(d * d) / sigma2.reshape(-1, 1, 1).mul(HeldScalars.Of(2)));
        return f / f.sum(2, keepdim: true).clamp_min(HeldScalars.Of(1e-8));                                  // rows sum to 1
    }

    /// <summary>Read: <c>gamma F_Y x F_X^T</c>, glimpses <c>(B, C, N, N)</c> of images <c>(B, C, H, W)</c>.</summary>
    public static Tensor Read(Tensor images, Tensor parameters, int gridSize)
    {
        VisionChecks.Image(images, "images");
        CheckBatch(images, parameters);
        var f = Filterbanks(parameters, gridSize, (int)images.shape[2], (int)images.shape[3]);
        var fy = f.FY.unsqueeze(1);                        // (B, 1, N, H)
        var fxT = f.FX.unsqueeze(1).transpose(2, 3);       // (B, 1, W, N)
        return f.Gamma.reshape(-1, 1, 1, 1) * fy.matmul(images).matmul(fxT); // (B, C, N, N)
    }

    /// <summary>Write: <c>(1/gamma) F_Y^T w F_X</c>, canvases <c>(B, C, H, W)</c> from patches <c>(B, C, N, N)</c>.</summary>
    public static Tensor Write(Tensor patches, Tensor parameters, int height, int width)
    {
        VisionChecks.Image(patches, "patches");
        if (patches.shape[2] != patches.shape[3])
            throw new ArgumentException($"patches must be square (batch, channels, N, N); got {VisionChecks.Shape(patches)}");
        CheckBatch(patches, parameters);
        var f = Filterbanks(parameters, (int)patches.shape[2], height, width);
        var fyT = f.FY.unsqueeze(1).transpose(2, 3);       // (B, 1, H, N)
        var fx = f.FX.unsqueeze(1);                        // (B, 1, N, W)
        return fyT.matmul(patches).matmul(fx) / f.Gamma.reshape(-1, 1, 1, 1); // (B, C, H, W)
    }

    static void CheckBatch(Tensor images, Tensor parameters)
    {
        if (parameters.dim() != 2 || parameters.shape[0] != images.shape[0] || parameters.shape[1] != 5)
            throw new ArgumentException($"DRAW attention parameters must be ({images.shape[0]}, 5); got {VisionChecks.Shape(parameters)}");
    }

    static void CheckGeometry(int gridSize, int height, int width)
    {
        if (gridSize < 1 || height < 1 || width < 1)
            throw new ArgumentException($"grid size and image size must be positive; got N={gridSize}, image {height}x{width}");
    }
}
