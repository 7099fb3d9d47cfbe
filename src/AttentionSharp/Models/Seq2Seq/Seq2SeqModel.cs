using AttentionSharp.Training;
using AttentionSharp.Data.Translation;
using AttentionSharp.Sequence;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.Seq2Seq;

/// <summary>
/// The recurrent encoder-decoder: source embedding + <see cref="BiRnnEncoder"/> (GRU or LSTM), one of the decoders (<see cref="PlainDecoder"/>,
/// <see cref="BahdanauDecoder"/>, <see cref="LuongDecoder"/>), and an output layer over the target vocabulary. Teacher-forced forward for
/// training; <see cref="IIncrementalDecoder"/> steps for greedy and beam search.
/// </summary>
public sealed class Seq2SeqModel : nn.Module<Tensor, Tensor, Tensor, Tensor>, IIncrementalDecoder, ITranslationModel
{
    readonly Embedding source_embedding;
    readonly Embedding target_embedding;
    readonly BiRnnEncoder encoder;
    readonly ModuleList<BiRnnEncoder> upper_encoders = new();
    readonly RnnDecoder decoder;
    readonly Linear? generator;
    readonly Linear? output_projection;
    readonly Parameter? output_bias;
    readonly Dropout dropout;

    /// <summary>Builds the model of <paramref name="options"/> (build it outside any dispose scope).</summary>
    public Seq2SeqModel(Seq2SeqOptions options) : base("Seq2SeqModel")
    {
        options.Validate();
        Options = options;
        long e = options.Embedding, h = options.Hidden, hd = options.DecoderHidden;
        source_embedding = Layers.Embedding(options.SourceVocab, e, padding_idx: Vocabulary.Pad);
        target_embedding = Layers.Embedding(options.TargetVocab, e, padding_idx: Vocabulary.Pad);
        encoder = new BiRnnEncoder(e, h, options.Cell);
        for (int l = 1; l < options.Layers; l++) upper_encoders.Add(new BiRnnEncoder(2 * h, h, options.Cell));
        decoder = options.Arch switch
        {
            Seq2SeqArch.None => new PlainDecoder(e, 2 * h, hd),
            Seq2SeqArch.Bahdanau => new BahdanauDecoder(e, 2 * h, hd),
            _ => new LuongDecoder(Variant.Name(options.Arch)["luong-".Length..], e, 2 * h, hd, options.Window, options.MaxSourceLength),
        };
        if (options.ShareEmbeddings)
        {
            if (hd != e) output_projection = Layers.Linear(hd, e, hasBias: false);
            output_bias = nn.Parameter(torch.zeros(Layers.Sized("output bias", options.TargetVocab)));
        }
        else generator = Layers.Linear(hd, options.TargetVocab);
        dropout = nn.Dropout(options.Dropout);
        RegisterComponents();
    }

    /// <summary>The options.</summary>
    public Seq2SeqOptions Options { get; }

    /// <summary>The decoder.</summary>
    public RnnDecoder Decoder => decoder;

    /// <summary>Whether the decoder attends (returns weights per output token).</summary>
    public bool HasAttention => Options.Arch != Seq2SeqArch.None;

    /// <inheritdoc />
    public nn.Module Module => this;
    /// <inheritdoc />
    public int MaxSourceLength => Options.MaxSourceLength;
    /// <inheritdoc />
    public int MaxTargetLength => Options.MaxTargetLength;
    /// <inheritdoc />
    public double LabelSmoothing => Options.LabelSmoothing;

    /// <inheritdoc />
    public Tensor Logits(Tensor source, Tensor mask, Tensor targetIn) => forward(source, mask, targetIn);

    /// <summary>Encodes <paramref name="source"/> ids <c>(B, S)</c> with real tokens <paramref name="mask"/> and returns the decoder's start state.</summary>
    public Seq2SeqState Encode(Tensor source, Tensor mask)
    {
        if (source.dim() != 2 || source.dtype != ScalarType.Int64)
            throw new ArgumentException($"source must be int64 ids (batch, time); got {source.dtype} ({string.Join(", ", source.shape)})");
        if (source.shape[1] > Options.MaxSourceLength)
            throw new ArgumentException($"source may have at most {Options.MaxSourceLength} symbols; got {source.shape[1]}");
        var embedded = dropout.forward(source_embedding.forward(WordDropout.Apply(source, Options.WordDropout, training, Vocabulary.Unk, Vocabulary.Pad))); // (B, S, E)
        var enc = encoder.Encode(embedded, mask);
        foreach (var upper in upper_encoders) enc = upper.Encode(dropout.forward(enc.Annotations), mask);   // (B, S, 2H), dropout between layers
        var memory = new EncoderMemory(enc.Annotations, decoder.PrepareKeys(enc.Annotations), mask, enc.Final);
        return decoder.Start(memory);
    }

    /// <summary>Teacher-forced logits <c>(B, T, V)</c>.</summary>
    public override Tensor forward(Tensor source, Tensor mask, Tensor targetIn) => Forward(source, mask, targetIn, needWeights: false).Logits;

    /// <summary>Teacher-forced logits <c>(B, T, V)</c> and, when asked, attention weights <c>(B, T, S)</c>.</summary>
    public (Tensor Logits, Tensor? Weights) Forward(Tensor source, Tensor mask, Tensor targetIn, bool needWeights)
    {
        var state = Encode(source, mask);
        var embedded = dropout.forward(target_embedding.forward(WordDropout.Apply(targetIn, Options.WordDropout, training, Vocabulary.Unk, Vocabulary.Pad, Vocabulary.Bos))); // (B, T, E)
        var outputs = new List<Tensor>();
        var weights = new List<Tensor>();
        for (int t = 0; t < targetIn.shape[1]; t++)
        {
            var step = decoder.Step(embedded.select(1, t), state);
            state = step.State;
            outputs.Add(step.Output);
            if (needWeights && step.Weights is not null) weights.Add(step.Weights);
        }
        var features = dropout.forward(torch.stack(outputs, 1));                  // (B, T, Hd)
        return (Generate(features), weights.Count > 0 ? torch.stack(weights, 1) : null); // (B, T, V), (B, T, S)
    }

    /// <inheritdoc />
    public DecoderStep Step(Tensor previous, IDecoderState state)
    {
        var s = state as Seq2SeqState ?? throw new ArgumentException($"state must be a {nameof(Seq2SeqState)}; got {state.GetType().Name}");
        var step = decoder.Step(target_embedding.forward(previous), s);          // (N, Hd)
        return new DecoderStep(Generate(step.Output).log_softmax(-1), step.Weights, step.State); // (N, V)
    }

    /// <summary>Logits <c>(..., V)</c> of decoder outputs <c>(..., Hd)</c>: the output layer, or the target embedding's table when tied.</summary>
    Tensor Generate(Tensor output) =>
        generator?.forward(output) ?? nn.functional.linear(output_projection?.forward(output) ?? output, target_embedding.weight!, output_bias!);

    /// <summary>The output layer's weight <c>(V, Hd)</c>, or with <see cref="Seq2SeqOptions.ShareEmbeddings"/> the target embedding's table <c>(V, E)</c>.</summary>
    public Tensor OutputWeight => generator?.weight ?? target_embedding.weight!;

    /// <summary>Decodes source ids <c>(B, S)</c>: greedy when <paramref name="beam"/> is 1 (<paramref name="forceBeamSearch"/> runs the beam code even then).</summary>
    public List<Hypothesis> Decode(Tensor source, Tensor mask, int beam = 1, double alpha = 1.0, int? maxLength = null, bool forceBeamSearch = false, bool allowUnknown = false)
    {
        int max = maxLength ?? Options.MaxTargetLength;
        using var scope = torch.NewDisposeScope();   // temporaries stay alive through every native call; the hypotheses are managed
        var start = Encode(source, mask);
        int b = (int)source.shape[0];
        return beam == 1 && !forceBeamSearch
            ? BeamSearch.Greedy(this, start, b, max, Vocabulary.Bos, Vocabulary.Eos, source.device, Vocabulary.Banned(allowUnknown))
            : BeamSearch.Search(this, start, b, beam, max, Vocabulary.Bos, Vocabulary.Eos, alpha, source.device, Vocabulary.Banned(allowUnknown));
    }
}
