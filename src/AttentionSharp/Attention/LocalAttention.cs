using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Attention;

/// <summary>How <see cref="LocalAttention"/> chooses the window centre <c>p_t</c>.</summary>
public enum LocalAttentionMode
{
    /// <summary>local-m: monotonic alignment, <c>p_t = t</c> (the query's position).</summary>
    Monotonic,

    /// <summary>local-p: predicted alignment <c>p_t = S * sigmoid(v_p^T tanh(W_p h_t))</c> with a Gaussian factor.</summary>
    Predictive,
}

/// <summary>What local attention returns.</summary>
/// <param name="Context">Context vectors <c>(B, Tq, Dv)</c> (or <c>(B, Dv)</c> for a single-step query).</param>
/// <param name="Weights">Alignment weights <c>(B, Tq, Tk)</c>, zero outside the window; null when not requested.</param>
/// <param name="Positions">Window centres <c>p_t</c>, <c>(B, Tq)</c> (float; differentiable in local-p).</param>
public readonly record struct LocalAttentionOutput(Tensor Context, Tensor? Weights, Tensor Positions);

/// <summary>
/// Local attention (Luong et al. 2015, section 3.2): attends only to source positions in <c>[p_t - D, p_t + D]</c>.
/// local-m: <c>p_t = t</c>, <c>a_t = align(h_t, h_s)</c> (eq. 7) within the window. local-p: <c>p_t = S * sigmoid(v_p^T tanh(W_p h_t))</c> (eq. 9),
/// <c>a_t(s) = align(h_t, h_s) exp(-(s - p_t)^2 / (2 sigma^2))</c> with <c>sigma = D / 2</c> (eq. 10); <c>S</c> is the source length (from the key mask).
/// </summary>
public sealed class LocalAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly AttentionScore score;
    readonly Linear? W_p;
    readonly Linear? v_p;

    /// <summary>Creates local attention over <paramref name="score"/> with half-width <paramref name="window"/> (<c>D</c>); local-p uses a position network of size <paramref name="positionHidden"/>.</summary>
    public LocalAttention(AttentionScore score, long window, LocalAttentionMode mode = LocalAttentionMode.Predictive, long positionHidden = 0) : base("LocalAttention")
    {
        if (window < 1) throw new ArgumentException($"window must be >= 1; got {window}");
        this.score = score;
        Window = window;
        Mode = mode;
        if (mode == LocalAttentionMode.Predictive)
        {
            long hidden = positionHidden > 0 ? positionHidden : score.QueryDim;
            W_p = Layers.Linear(score.QueryDim, hidden, hasBias: false);
            v_p = Layers.Linear(hidden, 1, hasBias: false);
        }
        RegisterComponents();
    }

    /// <summary>Half-width <c>D</c> of the window.</summary>
    public long Window { get; }

    /// <summary>local-m or local-p.</summary>
    public LocalAttentionMode Mode { get; }

    /// <summary>The score function used for <c>align</c>.</summary>
    public AttentionScore Score => score;

    /// <summary>The position network <c>W_p</c> (local-p only).</summary>
    public Linear? PositionProjection => W_p;

    /// <summary>The position vector <c>v_p</c> (local-p only).</summary>
    public Linear? PositionVector => v_p;

    /// <summary>Context only. See <see cref="Forward"/>.</summary>
    public override Tensor forward(Tensor query, Tensor keys, Tensor values) => Forward(query, keys, values, needWeights: false).Context;

    /// <summary>
    /// Attends <paramref name="query"/> <c>(B, Dq)</c> or <c>(B, Tq, Dq)</c> over <paramref name="keys"/> <c>(B, Tk, Dk)</c> / <paramref name="values"/> <c>(B, Tk, Dv)</c>.
    /// <paramref name="keyMask"/> <c>(B, Tk)</c> true = valid source position (gives <c>S</c>); <paramref name="queryOffset"/> is the position of the first query (local-m <c>t</c> at a decoder step).
    /// </summary>
    public LocalAttentionOutput Forward(Tensor query, Tensor keys, Tensor values, Tensor? keyMask = null, long queryOffset = 0, bool needWeights = true)
    {
        bool single = query.dim() == 2;
        if (single) query = query.unsqueeze(1); // (B, 1, Dq)
        var prepared = score.PrepareKeys(keys);
        long b = query.shape[0], tq = query.shape[1], tk = keys.shape[1];
        if (values.dim() != 3 || values.shape[0] != b || values.shape[1] != tk)
            throw new ArgumentException($"values must be (batch={b}, time={tk}, dim); got {AttentionMask.Shape(values)}");
        if (keyMask is not null && (keyMask.dim() != 2 || keyMask.shape[0] != b || keyMask.shape[1] != tk))
            throw new ArgumentException($"keyMask must be (batch={b}, keys={tk}); got {AttentionMask.Shape(keyMask)}");
        var scores = score.Score(query, prepared); // (B, Tq, Tk)

        Tensor positions; // (B, Tq)
        if (Mode == LocalAttentionMode.Monotonic)
            positions = torch.arange(HeldScalars.Of(0), HeldScalars.Of(tq), HeldScalars.Of(1), dtype: query.dtype, device: query.device).add(HeldScalars.Of(queryOffset), HeldScalars.Of(1)).unsqueeze(0).expand(b, tq);
        else
        {
            var sourceLength = keyMask is null
                ? torch.full(b, 1, HeldScalars.Of(tk), dtype: query.dtype, device: query.device)
                : keyMask.sum(1, keepdim: true, type: query.dtype);                         // (B, 1)
            positions = sourceLength * torch.sigmoid(v_p!.forward(W_p!.forward(query).tanh()).squeeze(-1)); // (B, Tq)
        }

        var s = torch.arange(HeldScalars.Of(0), HeldScalars.Of(tk), HeldScalars.Of(1), dtype: query.dtype, device: query.device).view(1, 1, tk); // (1, 1, Tk)
        var distance = s - positions.unsqueeze(-1);                                          // (B, Tq, Tk)
        Tensor allowed;
        using (torch.no_grad())
            allowed = distance.abs() <= HeldScalars.Of(Window);                                               // (B, Tq, Tk)
        if (keyMask is not null) allowed = allowed.logical_and(keyMask.unsqueeze(1));
        var weights = AttentionKernel.MaskedSoftmax(scores, allowed);
        if (Mode == LocalAttentionMode.Predictive)
        {
            double sigma = Window / 2.0;
            weights = weights * (-(distance * distance)).div(HeldScalars.Of(2 * sigma * sigma)).exp();
        }
        var context = torch.bmm(weights, values); // (B, Tq, Dv)
        if (single)
            return new LocalAttentionOutput(context.squeeze(1), needWeights ? weights.squeeze(1) : null, positions.squeeze(1));
        return new LocalAttentionOutput(context, needWeights ? weights : null, positions);
    }
}
