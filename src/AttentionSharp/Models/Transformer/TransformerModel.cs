using AttentionSharp.Attention;
using AttentionSharp.Data.Translation;
using AttentionSharp.Models.Seq2Seq;
using AttentionSharp.Sequence;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.Transformer;

/// <summary>
/// Decoding state of the Transformer: encoder memory, the tokens so far, and (cached mode) the key/value caches of every decoder layer.
/// <see cref="Select"/> reorders rows for beam search; it moves the caches into new ones and releases the old ones (this state is consumed).
/// </summary>
/// <param name="Memory">Encoder output <c>(N, S, D)</c>.</param>
/// <param name="MemoryMask">Real source tokens <c>(N, S)</c>.</param>
/// <param name="Prefix">Decoder inputs so far <c>(N, t)</c> (BOS first), used by uncached decoding.</param>
/// <param name="SelfCaches">Per-layer self-attention caches, or null for uncached decoding.</param>
/// <param name="CrossCaches">Per-layer cross-attention caches, or null.</param>
/// <param name="Owned">Every cache created while decoding, released by <see cref="TransformerModel.Decode"/>.</param>
public sealed record TransformerState(Tensor Memory, Tensor MemoryMask, Tensor? Prefix, KeyValueCache[]? SelfCaches, KeyValueCache[]? CrossCaches, List<KeyValueCache> Owned) : IDecoderState
{
    /// <inheritdoc />
    public IDecoderState Select(Tensor index) =>
        new TransformerState(Memory.index_select(0, index), MemoryMask.index_select(0, index), Prefix?.index_select(0, index),
            Reorder(SelfCaches, index, self: true), Reorder(CrossCaches, index, self: false), Owned);

    /// <inheritdoc />
    public IDecoderState SelectWithinSource(Tensor index) =>
        new TransformerState(Memory, MemoryMask, Prefix?.index_select(0, index), Reorder(SelfCaches, index, self: true), CrossCaches, Owned);

    KeyValueCache[]? Reorder(KeyValueCache[]? caches, Tensor index, bool self)
    {
        if (caches is null) return null;
        return caches.Select(c =>
        {
            var n = self ? KeyValueCache.ForSelfAttention() : KeyValueCache.ForCrossAttention();
            Owned.Add(n);
            if (c.Keys is not null) n.Append(c.Keys.index_select(0, index), c.Values!.index_select(0, index)); // (N, H, T, Dh)
            c.Reset();
            return n;
        }).ToArray();
    }
}

/// <summary>
/// Transformer encoder-decoder (Vaswani et al. 2017): token embeddings scaled by <c>sqrt(d_model)</c> plus sinusoidal (or learned) positions,
/// <see cref="EncoderLayer"/> and <see cref="DecoderLayer"/> stacks on the catalog's <see cref="MultiHeadAttention"/> (pre-norm by default,
/// with a final layer norm; post-norm as an option), and an output layer. Incremental decoding with key/value caches equals full recomputation.
/// The alignment shown for an output token is the last decoder layer's cross-attention averaged over heads.
/// </summary>
public sealed class TransformerModel : nn.Module<Tensor, Tensor, Tensor, Tensor>, IIncrementalDecoder, ITranslationModel
{
    readonly Embedding source_embedding;
    readonly Embedding target_embedding;
    readonly ModuleList<EncoderLayer> encoder;
    readonly ModuleList<DecoderLayer> decoder;
    readonly LayerNorm? encoder_norm;
    readonly LayerNorm? decoder_norm;
    readonly Linear? generator;
    readonly Parameter? output_bias;
    readonly Embedding? source_positions;
    readonly Embedding? target_positions;
    readonly Dropout dropout;

    /// <summary>Builds the model (outside any dispose scope).</summary>
    public TransformerModel(TransformerOptions options) : base("TransformerModel")
    {
        options.Validate();
        Options = options;
        source_embedding = Layers.Embedding(options.SourceVocab, options.ModelDim, padding_idx: Vocabulary.Pad);
        target_embedding = Layers.Embedding(options.TargetVocab, options.ModelDim, padding_idx: Vocabulary.Pad);
        encoder = nn.ModuleList(Enumerable.Range(0, options.Layers).Select(_ => new EncoderLayer(options)).ToArray());
        decoder = nn.ModuleList(Enumerable.Range(0, options.Layers).Select(_ => new DecoderLayer(options)).ToArray());
        if (options.PreNorm)
        {
            encoder_norm = Layers.LayerNorm(options.ModelDim);
            decoder_norm = Layers.LayerNorm(options.ModelDim);
        }
        if (options.ShareEmbeddings) output_bias = nn.Parameter(torch.zeros(Layers.Sized("output bias", options.TargetVocab)));
        else generator = Layers.Linear(options.ModelDim, options.TargetVocab);
        if (options.LearnedPositions)
        {
            // The decoder reads one position past the longest output (BOS + MaxTargetLength symbols).
            source_positions = Layers.Embedding(options.MaxSourceLength, options.ModelDim);
            target_positions = Layers.Embedding(options.MaxTargetLength + 1, options.ModelDim);
        }
        dropout = nn.Dropout(options.Dropout);
        RegisterComponents();
        // Embeddings start at N(0, 1/d) so that, scaled by sqrt(d), they are on the scale of the position encodings (torch's N(0, 1) would drown them).
        using (torch.no_grad())
            foreach (var table in new[] { source_embedding, target_embedding })
            {
                nn.init.normal_(table.weight!, 0, 1 / Math.Sqrt(options.ModelDim));
                table.weight![Vocabulary.Pad].zero_();
            }
    }

    /// <summary>The options.</summary>
    public TransformerOptions Options { get; }
    /// <inheritdoc />
    public nn.Module Module => this;
    /// <inheritdoc />
    public int MaxSourceLength => Options.MaxSourceLength;
    /// <inheritdoc />
    public int MaxTargetLength => Options.MaxTargetLength;
    /// <inheritdoc />
    public double LabelSmoothing => Options.LabelSmoothing;
    /// <inheritdoc />
    public bool HasAttention => true;

    /// <summary>Whether decoding uses key/value caches (default) or recomputes the whole prefix at every step.</summary>
    public bool UseCache { get; set; } = true;

    Tensor Embed(Embedding table, Embedding? positions, Tensor ids, long offset)
    {
        Tensor pos;                                                                                      // (T, D)
        if (positions is null) pos = SinusoidalPositions.Table(ids.shape[1], Options.ModelDim, offset, device: ids.device);
        else
        {
            if (offset + ids.shape[1] > positions.weight!.shape[0])
                throw new ArgumentException($"learned positions cover {positions.weight!.shape[0]} positions; position {offset + ids.shape[1] - 1} was asked for");
            pos = positions.forward(torch.arange(HeldScalars.Of(offset), HeldScalars.Of(offset + ids.shape[1]), HeldScalars.Of(1), dtype: ScalarType.Int64, device: ids.device));
        }
        return dropout.forward(table.forward(ids).mul(HeldScalars.Of(Math.Sqrt(Options.ModelDim))).add(pos.unsqueeze(0), HeldScalars.Of(1)));   // (B, T, D)
    }

    /// <summary>Output scores over the target vocabulary from decoder states <c>(..., D)</c>.</summary>
    Tensor Generate(Tensor hidden) =>
        generator?.forward(hidden) ?? nn.functional.linear(hidden, target_embedding.weight!, output_bias!);

    /// <summary>The output layer's weight <c>(V, D)</c>: the target embedding's own table when <see cref="TransformerOptions.ShareEmbeddings"/>.</summary>
    public Tensor OutputWeight => generator?.weight ?? target_embedding.weight!;

    /// <summary>The target embedding table <c>(V, D)</c>.</summary>
    public Tensor TargetEmbeddingWeight => target_embedding.weight!;

    /// <summary>Encodes source ids <c>(B, S)</c> with real-token <paramref name="mask"/>: <c>(B, S, D)</c>.</summary>
    public Tensor Encode(Tensor source, Tensor mask)
    {
        if (source.dim() != 2 || source.dtype != ScalarType.Int64) throw new ArgumentException($"source must be int64 ids (batch, time); got {source.dtype} ({string.Join(", ", source.shape)})");
        if (source.shape[1] > Options.MaxSourceLength) throw new ArgumentException($"source may have at most {Options.MaxSourceLength} symbols; got {source.shape[1]}");
        if (mask.sum(1).min().item<long>() < 1) throw new ArgumentException("every source needs at least one real token; got an empty one");
        var x = Embed(source_embedding, source_positions, WordDropout.Apply(source, Options.WordDropout, training, Vocabulary.Unk, Vocabulary.Pad), 0);
        foreach (var layer in encoder) x = layer.forward(x, mask);
        return encoder_norm?.forward(x) ?? x;
    }

    (Tensor Hidden, Tensor? Weights) RunDecoder(Tensor targetIn, long offset, Tensor memory, Tensor memoryMask, bool needWeights, KeyValueCache[]? self, KeyValueCache[]? cross)
    {
        var y = Embed(target_embedding, target_positions, WordDropout.Apply(targetIn, Options.WordDropout, training, Vocabulary.Unk, Vocabulary.Pad, Vocabulary.Bos), offset);
        Tensor? weights = null;
        for (int i = 0; i < decoder.Count; i++)
        {
            bool last = i == decoder.Count - 1;
            var (o, w) = ((DecoderLayer)decoder[i]).Forward(y, memory, memoryMask, needWeights && last, self?[i], cross?[i]);
            y = o;
            if (last && w is not null) weights = MultiHeadAttention.AverageHeads(w); // (B, T, S)
        }
        return (decoder_norm?.forward(y) ?? y, weights);
    }

    /// <summary>Teacher-forced logits <c>(B, T, V)</c>.</summary>
    public override Tensor forward(Tensor source, Tensor mask, Tensor targetIn) => Forward(source, mask, targetIn, false).Logits;

    /// <summary>Teacher-forced logits <c>(B, T, V)</c> and, when asked, the last layer's head-averaged cross-attention <c>(B, T, S)</c>.</summary>
    public (Tensor Logits, Tensor? Weights) Forward(Tensor source, Tensor mask, Tensor targetIn, bool needWeights)
    {
        var memory = Encode(source, mask);
        var (h, w) = RunDecoder(targetIn, 0, memory, mask, needWeights, null, null);
        return (Generate(h), w);
    }

    /// <inheritdoc />
    public Tensor Logits(Tensor source, Tensor mask, Tensor targetIn) => forward(source, mask, targetIn);

    /// <summary>The state before the first decoding step (caches when <see cref="UseCache"/>).</summary>
    public TransformerState Start(Tensor source, Tensor mask)
    {
        var memory = Encode(source, mask);
        var owned = new List<KeyValueCache>();
        if (!UseCache) return new TransformerState(memory, mask, torch.zeros(source.shape[0], 0, dtype: ScalarType.Int64, device: source.device), null, null, owned);
        var self = Enumerable.Range(0, decoder.Count).Select(_ => KeyValueCache.ForSelfAttention()).ToArray();
        var cross = Enumerable.Range(0, decoder.Count).Select(_ => KeyValueCache.ForCrossAttention()).ToArray();
        owned.AddRange(self);
        owned.AddRange(cross);
        return new TransformerState(memory, mask, torch.zeros(source.shape[0], 0, dtype: ScalarType.Int64, device: source.device), self, cross, owned);
    }

    /// <inheritdoc />
    public DecoderStep Step(Tensor previous, IDecoderState state)
    {
        var s = state as TransformerState ?? throw new ArgumentException($"state must be a {nameof(TransformerState)}; got {state.GetType().Name}");
        var prefix = torch.cat([s.Prefix!, previous.unsqueeze(1)], 1);                       // (N, t+1)
        long t = prefix.shape[1] - 1;
        Tensor h;
        Tensor? w;
        if (s.SelfCaches is not null)
            (h, w) = RunDecoder(previous.unsqueeze(1), t, s.Memory, s.MemoryMask, true, s.SelfCaches, s.CrossCaches); // (N, 1, D)
        else
            (h, w) = RunDecoder(prefix, 0, s.Memory, s.MemoryMask, true, null, null);                                 // (N, t+1, D)
        var last = h.select(1, h.shape[1] - 1);                                               // (N, D)
        var logp = Generate(last).log_softmax(-1);                                   // (N, V)
        return new DecoderStep(logp, w!.select(1, w.shape[1] - 1), s with { Prefix = prefix });
    }

    /// <inheritdoc />
    public List<Hypothesis> Decode(Tensor source, Tensor mask, int beam = 1, double alpha = 1.0, int? maxLength = null, bool forceBeamSearch = false, bool allowUnknown = false)
    {
        int max = maxLength ?? Options.MaxTargetLength;
        var start = Start(source, mask);
        try
        {
            int b = (int)source.shape[0];
            return beam == 1 && !forceBeamSearch
                ? BeamSearch.Greedy(this, start, b, max, Vocabulary.Bos, Vocabulary.Eos, source.device, Vocabulary.Banned(allowUnknown))
                : BeamSearch.Search(this, start, b, beam, max, Vocabulary.Bos, Vocabulary.Eos, alpha, source.device, Vocabulary.Banned(allowUnknown));
        }
        finally
        {
            foreach (var c in start.Owned) c.Dispose();
        }
    }
}
