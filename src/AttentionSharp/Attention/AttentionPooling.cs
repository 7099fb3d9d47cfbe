using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Attention;

/// <summary>
/// Attention pooling with a learned context vector (Yang et al. 2016, "Hierarchical Attention Networks", eq. 5-7):
/// <c>u_i = tanh(W h_i + b)</c>, <c>alpha_i = softmax(u_i^T u_w)</c>, <c>s = sum_i alpha_i h_i</c>. Maps <c>(B, T, D)</c> to <c>(B, D)</c> and weights <c>(B, T)</c>.
/// </summary>
public sealed class AttentionPooling : nn.Module<Tensor, Tensor>
{
    readonly Linear W;
    readonly Parameter u_w;

    /// <summary>Creates attention pooling over vectors of size <paramref name="inputDim"/> with an attention layer of size <paramref name="attentionDim"/>.</summary>
    public AttentionPooling(long inputDim, long attentionDim) : base("AttentionPooling")
    {
        if (inputDim < 1 || attentionDim < 1) throw new ArgumentException($"inputDim and attentionDim must be positive; got {inputDim}, {attentionDim}");
        InputDim = inputDim;
        AttentionDim = attentionDim;
        W = Layers.Linear(inputDim, attentionDim, hasBias: true);
        using (torch.no_grad())
            u_w = nn.Parameter(torch.empty(Layers.Sized("attention context vector", attentionDim)).uniform_(-1.0 / Math.Sqrt(attentionDim), 1.0 / Math.Sqrt(attentionDim)));
        RegisterComponents();
    }

    /// <summary>Input feature size <c>D</c>.</summary>
    public long InputDim { get; }

    /// <summary>Attention layer size (length of <c>u_w</c>).</summary>
    public long AttentionDim { get; }

    /// <summary>The learned context vector <c>u_w</c>.</summary>
    public Parameter ContextVector => u_w;

    /// <summary>The projection <c>W, b</c>.</summary>
    public Linear Projection => W;

    /// <summary>Pooled vector <c>(B, D)</c> of <paramref name="inputs"/> <c>(B, T, D)</c>.</summary>
    public override Tensor forward(Tensor inputs) => Forward(inputs, null, needWeights: false).Context;

    /// <summary>Pools <paramref name="inputs"/> <c>(B, T, D)</c>; <paramref name="mask"/> <c>(B, T)</c> true = valid position. Returns <c>(B, D)</c> and weights <c>(B, T)</c>; an all-padding row gives zeros.</summary>
    public AttentionOutput Forward(Tensor inputs, Tensor? mask = null, bool needWeights = true)
    {
        if (inputs.dim() != 3 || inputs.shape[2] != InputDim)
            throw new ArgumentException($"inputs must be (batch, time, dim) with dim={InputDim}; got {AttentionMask.Shape(inputs)}");
        if (mask is not null && (mask.dim() != 2 || mask.shape[0] != inputs.shape[0] || mask.shape[1] != inputs.shape[1]))
            throw new ArgumentException($"mask must be (batch={inputs.shape[0]}, time={inputs.shape[1]}); got {AttentionMask.Shape(mask)}");
        var u = W.forward(inputs).tanh();                 // (B, T, A)
        var scores = torch.matmul(u, u_w);                // (B, T)
        var weights = AttentionKernel.MaskedSoftmax(scores, mask);
        var context = torch.bmm(weights.unsqueeze(1), inputs).squeeze(1); // (B, D)
        return new AttentionOutput(context, needWeights ? weights : null);
    }
}
