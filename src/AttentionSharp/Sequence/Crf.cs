using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Sequence;

/// <summary>How <see cref="Crf.LogPartition"/> runs the forward recursion.</summary>
public enum CrfForward
{
    /// <summary>Scaled matrix products for many tags (K of 32 or more), log-sum-exp otherwise.</summary>
    Auto,
    /// <summary>log-sum-exp over a <c>(B, K, K)</c> tensor each step: exact, memory and time O(B K^2).</summary>
    LogSumExp,
    /// <summary>
    /// <c>log(exp(alpha - m) @ exp(A - c)) + m + c</c> each step: the same value as a matrix product (fast for large K);
    /// terms below the dtype's smallest normal number relative to the largest are dropped.
    /// </summary>
    ScaledMatmul,
}

/// <summary>
/// Linear-chain conditional random field (Lafferty et al. 2001; Lample et al. 2016, eq. 1-2) with start and end
/// transitions: <c>s(x, y) = start[y_1] + sum_t E[t, y_t] + sum_{t>1} A[y_{t-1}, y_t] + end[y_n]</c> and
/// <c>p(y | x) = exp(s(x, y)) / Z(x)</c>, <c>Z(x) = sum_y' exp(s(x, y'))</c> computed by the forward algorithm in log space.
/// Emissions are <c>(B, T, K)</c> and masks <c>(B, T)</c> booleans, true on real tokens: every sequence starts at
/// t = 0, has at least one token and no gap. Optional allowed-transition constraints (e.g. BIO validity) restrict
/// decoding; the likelihood is left unconstrained so that training data with invalid sequences stays finite.
/// </summary>
public sealed class Crf : nn.Module
{
    /// <summary>Score given to a forbidden transition when decoding.</summary>
    public const double Forbidden = -1e4;

    /// <summary><c>A[i, j]</c>: score of tag j following tag i, <c>(K, K)</c>.</summary>
    public readonly Parameter transitions;
    /// <summary>Score of starting with each tag, <c>(K)</c>.</summary>
    public readonly Parameter start_transitions;
    /// <summary>Score of ending with each tag, <c>(K)</c>.</summary>
    public readonly Parameter end_transitions;

    readonly bool[,]? _allowed;
    readonly bool[]? _allowedStart, _allowedEnd;

    /// <summary>Number of tags K.</summary>
    public int NumTags { get; }

    /// <summary>Forward recursion used by <see cref="LogPartition"/>.</summary>
    public CrfForward Forward { get; set; } = CrfForward.Auto;

    /// <summary>Whether decoding is restricted by allowed-transition constraints.</summary>
    public bool HasConstraints => _allowed != null;

    /// <summary>Creates a CRF over <paramref name="numTags"/> tags, optionally with allowed transitions for decoding.</summary>
    /// <param name="numTags">Number of tags K (at least 1).</param>
    /// <param name="constraints">Allowed transitions (K x K, from row to column), allowed first tags and allowed last tags; null = all allowed.</param>
    public Crf(int numTags, TransitionConstraints? constraints = null) : base(nameof(Crf))
    {
        if (numTags < 1) throw new ArgumentException($"a CRF needs at least 1 tag; got {numTags}");
        if (constraints != null && constraints.Size != numTags)
            throw new ArgumentException($"constraints are for {constraints.Size} tags; the CRF has {numTags}");
        NumTags = numTags;
        transitions = new Parameter(torch.empty(Layers.Sized("CRF transitions", numTags, numTags)).uniform_(-0.1, 0.1));
        start_transitions = new Parameter(torch.empty(Layers.Sized("CRF start transitions", numTags)).uniform_(-0.1, 0.1));
        end_transitions = new Parameter(torch.empty(Layers.Sized("CRF end transitions", numTags)).uniform_(-0.1, 0.1));
        _allowed = constraints?.Allowed;
        _allowedStart = constraints?.Start;
        _allowedEnd = constraints?.End;
        RegisterComponents();
    }

    /// <summary>Checks shapes and the mask layout, naming expected and actual.</summary>
    void Check(Tensor emissions, Tensor mask, Tensor? tags = null)
    {
        if (emissions.dim() != 3 || emissions.shape[2] != NumTags)
            throw new ArgumentException($"emissions must be (batch, time, tags) with tags={NumTags}; got ({string.Join(", ", emissions.shape)})");
        long b = emissions.shape[0], t = emissions.shape[1];
        if (t < 1) throw new ArgumentException("emissions must have at least one time step; got 0");
        if (mask.dtype != ScalarType.Bool || mask.dim() != 2 || mask.shape[0] != b || mask.shape[1] != t)
            throw new ArgumentException($"mask must be a bool tensor ({b}, {t}); got {mask.dtype} ({string.Join(", ", mask.shape)})");
        if (tags is not null && (tags.dim() != 2 || tags.shape[0] != b || tags.shape[1] != t || tags.dtype != ScalarType.Int64))
            throw new ArgumentException($"tags must be an int64 tensor ({b}, {t}); got {tags.dtype} ({string.Join(", ", tags.shape)})");
        using var scope = torch.NewDisposeScope();
        if (!mask[.., 0].all().item<bool>())
            throw new ArgumentException("mask must be true at t = 0 for every sequence (every sequence needs at least one token)");
        if (t > 1 && mask[.., 1..].logical_and(mask[.., ..^1].logical_not()).any().item<bool>())
            throw new ArgumentException("mask must be a prefix of trues per sequence (padding only at the end); found a true after a false");
        if (tags is not null)
        {
            // Range check by min/max instead of tags.lt(0)/tags.ge(NumTags): those convert the bound to an implicit
            // TorchSharp Scalar that nothing keeps alive during the native call, and a finalizer freeing it there
            // once corrupted the comparison ("Expected false to be true" from c10::Scalar::toLong).
            var real = tags.masked_select(mask);
            long lo = real.numel() == 0 ? 0 : real.min().item<long>(), hi = real.numel() == 0 ? 0 : real.max().item<long>();
            if (lo < 0 || hi >= NumTags)
                throw new ArgumentException($"tags must be in 0..{NumTags - 1} on real tokens; found {(lo < 0 ? lo : hi)}");
        }
    }

    /// <summary>Score s(x, y) of the given tag sequences, <c>(B)</c>.</summary>
    public Tensor Score(Tensor emissions, Tensor tags, Tensor mask)
    {
        Check(emissions, mask, tags);
        using var scope = torch.NewDisposeScope();   // holds the temporaries alive through every native call (docs/RELIABILITY.md)
        return ScoreUnchecked(emissions, tags, mask).MoveToOuterDisposeScope();
    }

    Tensor ScoreUnchecked(Tensor emissions, Tensor tags, Tensor mask)
    {
        long t = emissions.shape[1];
        var safeTags = tags.masked_fill(mask.logical_not(), HeldScalars.Of(0));                      // (B, T)
        var m = mask.to(emissions.dtype);                                             // (B, T)
        var emit = emissions.gather(2, safeTags.unsqueeze(2)).squeeze(2).mul(m).sum(1); // (B)
        var score = start_transitions.to(emissions.dtype).index_select(0, safeTags[.., 0]).add(emit, HeldScalars.Of(1));
        if (t > 1)
        {
            var trans = transitions.to(emissions.dtype);
            var flat = safeTags[.., ..^1].mul(HeldScalars.Of(NumTags)).add(safeTags[.., 1..], HeldScalars.Of(1));       // (B, T-1) index into K*K
            var pair = trans.reshape(-1).index_select(0, flat.reshape(-1)).reshape(flat.shape); // (B, T-1)
            score = score.add(pair.mul(m[.., 1..]).sum(1), HeldScalars.Of(1));
        }
        var lastIndex = mask.sum(1).sub(HeldScalars.Of(1)).unsqueeze(1);                               // (B, 1)
        var lastTag = safeTags.gather(1, lastIndex).squeeze(1);                       // (B)
        return score.add(end_transitions.to(emissions.dtype).index_select(0, lastTag), HeldScalars.Of(1));
    }

    /// <summary>log Z(x) by the forward algorithm in log space, <c>(B)</c>.</summary>
    public Tensor LogPartition(Tensor emissions, Tensor mask)
    {
        Check(emissions, mask);
        using var scope = torch.NewDisposeScope();
        return LogPartitionUnchecked(emissions, mask).MoveToOuterDisposeScope();
    }

    Tensor LogPartitionUnchecked(Tensor emissions, Tensor mask)
    {
        long t = emissions.shape[1];
        var trans = transitions.to(emissions.dtype);
        bool scaled = Forward == CrfForward.ScaledMatmul || (Forward == CrfForward.Auto && NumTags >= 32);
        var alpha = start_transitions.to(emissions.dtype).unsqueeze(0).add(emissions[.., 0], HeldScalars.Of(1)); // (B, K)
        Tensor? expTrans = null, colMax = null;
        double tiny = emissions.dtype == ScalarType.Float64 ? 1e-300 : 1e-37;
        if (scaled)
        {
            colMax = trans.max(0, keepdim: true).values.detach();                    // (1, K)
            expTrans = trans.sub(colMax).exp();                                      // (K, K)
        }
        for (int i = 1; i < t; i++)
        {
            Tensor next;
            if (scaled)
            {
                var rowMax = alpha.max(1, keepdim: true).values.detach();             // (B, 1)
                var p = alpha.sub(rowMax).exp().matmul(expTrans!);                    // (B, K)
                next = p.clamp_min(HeldScalars.Of(tiny)).log().add(rowMax, HeldScalars.Of(1)).add(colMax!, HeldScalars.Of(1)).add(emissions[.., i], HeldScalars.Of(1));
            }
            else
            {
                // (B, K, 1) + (1, K, K) -> (B, K, K), reduce over the previous tag
                next = alpha.unsqueeze(2).add(trans.unsqueeze(0), HeldScalars.Of(1)).logsumexp(1).add(emissions[.., i], HeldScalars.Of(1));
            }
            alpha = torch.where(mask[.., i].unsqueeze(1), next, alpha);
        }
        return alpha.add(end_transitions.to(emissions.dtype).unsqueeze(0), HeldScalars.Of(1)).logsumexp(1);
    }

    /// <summary>Negative log-likelihood <c>log Z(x) - s(x, y)</c> of each sequence, <c>(B)</c>.</summary>
    public Tensor NegativeLogLikelihood(Tensor emissions, Tensor tags, Tensor mask)
    {
        Check(emissions, mask, tags);
        using var scope = torch.NewDisposeScope();
        return LogPartitionUnchecked(emissions, mask).sub(ScoreUnchecked(emissions, tags, mask)).MoveToOuterDisposeScope();
    }

    /// <summary>Transition scores used for decoding: the learned ones with forbidden entries set to <see cref="Forbidden"/>.</summary>
    (Tensor Trans, Tensor Start, Tensor End) DecodingScores(ScalarType dtype, Device device)
    {
        var trans = transitions.detach().to(dtype);
        var start = start_transitions.detach().to(dtype);
        var end = end_transitions.detach().to(dtype);
        if (_allowed != null)
        {
            var flat = new bool[NumTags * NumTags];
            for (int i = 0; i < NumTags; i++) for (int j = 0; j < NumTags; j++) flat[i * NumTags + j] = !_allowed[i, j];
            trans = trans.masked_fill(torch.tensor(flat).reshape(NumTags, NumTags).to(device), HeldScalars.Of(Forbidden));
            start = start.masked_fill(torch.tensor(_allowedStart!.Select(a => !a).ToArray()).to(device), HeldScalars.Of(Forbidden));
            end = end.masked_fill(torch.tensor(_allowedEnd!.Select(a => !a).ToArray()).to(device), HeldScalars.Of(Forbidden));
        }
        return (trans, start, end);
    }

    /// <summary>
    /// Viterbi decoding: the highest-scoring tag sequence of each example (respecting the constraints), one array of
    /// length = that example's number of real tokens.
    /// </summary>
    public int[][] Decode(Tensor emissions, Tensor mask)
    {
        Check(emissions, mask);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        long b = emissions.shape[0], t = emissions.shape[1];
        var (trans, start, end) = DecodingScores(emissions.dtype, emissions.device);
        var em = emissions.detach();
        var score = start.unsqueeze(0).add(em[.., 0], HeldScalars.Of(1));                                // (B, K)
        var pointers = new List<Tensor>();
        // One (B, K_to, K_from) buffer reused every step: the reduction runs over contiguous memory and no large
        // tensor is allocated per step (which dominated decoding time for hundreds of tags).
        var transTo = trans.t().unsqueeze(0).expand(b, NumTags, NumTags);            // (B, K_to, K_from)
        var buffer = torch.empty(b, NumTags, NumTags, dtype: em.dtype, device: em.device);
        for (int i = 1; i < t; i++)
        {
            buffer.copy_(transTo).add_(score.unsqueeze(1), HeldScalars.Of(1));                           // (B, K_to, K_from)
            var (best, arg) = buffer.max(2);                                         // (B, K) each
            var next = best.add(em[.., i], HeldScalars.Of(1));
            var on = mask[.., i].unsqueeze(1);                                        // (B, 1)
            score = torch.where(on, next, score);
            pointers.Add(arg);
        }
        score = score.add(end.unsqueeze(0), HeldScalars.Of(1));
        var lastTags = score.argmax(1).cpu().data<long>().ToArray();
        var lengths = mask.sum(1).cpu().data<long>().ToArray();
        var back = pointers.Count == 0 ? Array.Empty<long>()
            : torch.stack(pointers, 1).cpu().data<long>().ToArray();                 // (B, T-1, K) flattened
        var result = new int[b][];
        int k = NumTags;
        for (int n = 0; n < b; n++)
        {
            int len = (int)lengths[n];
            var path = new int[len];
            path[len - 1] = (int)lastTags[n];
            for (int i = len - 1; i >= 1; i--)
                path[i - 1] = (int)back[((long)n * (t - 1) + (i - 1)) * k + path[i]];
            result[n] = path;
        }
        return result;
    }
}

/// <summary>Which transitions a CRF may use when decoding: <c>Allowed[i, j]</c> lets tag j follow tag i.</summary>
/// <param name="Allowed">K x K, from row tag to column tag.</param>
/// <param name="Start">Tags allowed first.</param>
/// <param name="End">Tags allowed last.</param>
public sealed record TransitionConstraints(bool[,] Allowed, bool[] Start, bool[] End)
{
    /// <summary>Number of tags.</summary>
    public int Size => Start.Length;

    /// <summary>Checks that the three parts agree in size.</summary>
    public TransitionConstraints Validate()
    {
        if (Allowed.GetLength(0) != Start.Length || Allowed.GetLength(1) != Start.Length || End.Length != Start.Length)
            throw new ArgumentException($"constraints must be K x K with K start and K end flags; got {Allowed.GetLength(0)} x {Allowed.GetLength(1)}, {Start.Length}, {End.Length}");
        return this;
    }

    /// <summary>Whether a tag name is a BIO chunk tag (<c>O</c>, <c>B-X</c> or <c>I-X</c>).</summary>
    public static bool IsBioTag(string tag) => tag == "O" || ((tag.StartsWith("B-", StringComparison.Ordinal) || tag.StartsWith("I-", StringComparison.Ordinal)) && tag.Length > 2);

    /// <summary>
    /// BIO validity: <c>I-X</c> may only follow <c>B-X</c> or <c>I-X</c> and may not start a sequence; every other tag
    /// (O, B-*, and tags that are not BIO) may go anywhere.
    /// </summary>
    public static TransitionConstraints Bio(IReadOnlyList<string> tags)
    {
        int k = tags.Count;
        var allowed = new bool[k, k];
        var start = new bool[k];
        var end = Enumerable.Repeat(true, k).ToArray();
        for (int j = 0; j < k; j++)
        {
            bool inside = tags[j].StartsWith("I-", StringComparison.Ordinal) && tags[j].Length > 2;
            string type = inside ? tags[j][2..] : "";
            start[j] = !inside;
            for (int i = 0; i < k; i++)
                allowed[i, j] = !inside || tags[i] == "B-" + type || tags[i] == "I-" + type;
        }
        return new TransitionConstraints(allowed, start, end);
    }

    /// <summary>Whether <paramref name="path"/> uses only allowed transitions.</summary>
    public bool IsValid(IReadOnlyList<int> path)
    {
        if (path.Count == 0) return true;
        if (!Start[path[0]] || !End[path[^1]]) return false;
        for (int i = 1; i < path.Count; i++) if (!Allowed[path[i - 1], path[i]]) return false;
        return true;
    }
}
