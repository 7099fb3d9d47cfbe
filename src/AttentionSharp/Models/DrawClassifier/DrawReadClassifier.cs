using AttentionSharp.Vision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.DrawClassifier;

/// <summary>What the classifier did on a batch: class scores, and per read the attention parameters and the glimpse.</summary>
/// <param name="Logits">Class scores <c>(B, classes)</c>.</param>
/// <param name="Parameters">Raw DRAW parameters per read <c>(B, T, 5)</c> = <c>(g~_X, g~_Y, log sigma^2, log delta~, log gamma)</c>.</param>
/// <param name="Glimpses">The reads <c>(B, T, N, N)</c> (first channel).</param>
public sealed record DrawReadRollout(Tensor Logits, Tensor Parameters, Tensor Glimpses);

/// <summary>
/// A recurrent classifier that reads its input through DRAW's Gaussian attention (Gregor et al. 2015, section 4.1,
/// "cluttered MNIST classification"): for t = 1..T the state <c>h_{t-1}</c> gives the read parameters (the catalog's
/// <see cref="DrawAttention"/>), the N x N read <c>gamma F_Y x F_X^T</c> passes through <c>ReLU(Linear)</c> into an
/// LSTM core, and the final state is classified. Everything is differentiable and trained by backpropagation alone,
/// unlike RAM's sampled hard glimpses. The read head is initialised so that the first read (zero state) covers the
/// whole image: centre at the image centre, stride <c>(max(H, W) - 1)/(N - 1)</c>, sigma half the stride, gamma 1.
/// The head's five outputs are squashed into bounded ranges before the filterbanks are built (DRAW uses them raw):
/// <c>g~ = tanh(r)</c> keeps the centre on the image, <c>log sigma^2 = c + 2 tanh((r - c)/2)</c> around the initial
/// <c>c</c>, <c>log delta~ = 1.5 tanh(r/1.5)</c> and <c>log gamma = tanh(r)</c>. With raw outputs the reads of
/// cluttered 60x60 images drifted off the image or collapsed to vanishing filters within a few epochs
/// (validation error 69% -> 80% -> 75% over epochs 3-5 of the first measured run), so training stalled.
/// </summary>
public sealed class DrawReadClassifier : nn.Module<Tensor, Tensor>
{
    readonly DrawAttention read;
    readonly Linear glimpse;
    readonly LSTMCell core;
    readonly Linear classifier;

    /// <summary>Builds the classifier; the options are validated.</summary>
    public DrawReadClassifier(DrawClassifierOptions options) : base("DrawReadClassifier")
    {
        options.Validate();
        Options = options;
        read = new DrawAttention(options.Hidden, options.Grid, options.Height, options.Width);
        glimpse = Layers.Linear(options.Grid * options.Grid, options.GlimpseHidden);
        core = Layers.LSTMCell(options.GlimpseHidden, options.Hidden);
        classifier = Layers.Linear(options.Hidden, options.Classes);
        RegisterComponents();
        using var noGrad = torch.no_grad();
        var head = (Linear)read.named_children().Single(c => c.name == "parameters_head").module;
        double stride = (Math.Max(options.Height, options.Width) - 1) / (double)(options.Grid - 1);
        initialLogSigma2 = Math.Log(stride * stride / 4);
        head.bias!.copy_(torch.tensor(new float[] { 0, 0, (float)initialLogSigma2, 0, 0 }));
        head.weight!.mul_(HeldScalars.Of(0.1));
    }

    readonly double initialLogSigma2;

    /// <summary>The bounded DRAW parameters <c>(B, 5)</c> for a state <c>(B, Hidden)</c> (see the class remarks).</summary>
    public Tensor ReadParameters(Tensor state)
    {
        var r = read.AttentionParameters(state);                                   // (B, 5) raw
        var centre = r[.., ..2].tanh();
        var logSigma2 = r[.., 2..3].sub(HeldScalars.Of(initialLogSigma2)).div(HeldScalars.Of(2)).tanh().mul(HeldScalars.Of(2)).add(HeldScalars.Of(initialLogSigma2), HeldScalars.Of(1));
        var logDelta = r[.., 3..4].div(HeldScalars.Of(1.5)).tanh().mul(HeldScalars.Of(1.5));
        var logGamma = r[.., 4..5].tanh();
        return torch.cat([centre, logSigma2, logDelta, logGamma], 1);
    }

    /// <summary>The options.</summary>
    public DrawClassifierOptions Options { get; }

    /// <summary>Class scores <c>(B, classes)</c> of images <c>(B, 1, H, W)</c>.</summary>
    public override Tensor forward(Tensor images) => Rollout(images).Logits;

    /// <summary>Runs the T reads on images <c>(B, C, H, W)</c> and returns scores, parameters and glimpses.</summary>
    public DrawReadRollout Rollout(Tensor images)
    {
        if (images.dim() != 4 || images.shape[2] != Options.Height || images.shape[3] != Options.Width)
            throw new ArgumentException($"images must be (batch, channels, {Options.Height}, {Options.Width}); got ({string.Join(", ", images.shape)})");
        long b = images.shape[0];
        var h = torch.zeros(b, Options.Hidden, dtype: images.dtype, device: images.device);
        var c = torch.zeros(b, Options.Hidden, dtype: images.dtype, device: images.device);
        var parameters = new List<Tensor>();
        var glimpses = new List<Tensor>();
        var grey = images.shape[1] == 1 ? images : images.mean([1L], keepdim: true);
        for (int t = 0; t < Options.Glimpses; t++)
        {
            var p = ReadParameters(h);                                      // (B, 5)
            var g = DrawAttention.Read(grey, p, Options.Grid);              // (B, 1, N, N)
            var x = nn.functional.relu(glimpse.forward(g.flatten(1)));      // (B, glimpse hidden)
            (h, c) = core.forward(x, (h, c));
            parameters.Add(p);
            glimpses.Add(g.squeeze(1));
        }
        return new DrawReadRollout(classifier.forward(h), torch.stack(parameters, 1), torch.stack(glimpses, 1));
    }
}
