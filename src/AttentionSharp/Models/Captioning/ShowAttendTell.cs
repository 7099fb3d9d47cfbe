using AttentionSharp.Native;
using AttentionSharp.Attention;
using AttentionSharp.Data.Captioning;
using AttentionSharp.Sequence;
using AttentionSharp.Training;
using AttentionSharp.Models.Transformer;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Captioning;

/// <summary>A captioner's recurrent state for a set of rows: LSTM state, the region features and their prepared attention keys.</summary>
/// <param name="Hidden">h <c>(N, n)</c>.</param>
/// <param name="Cell">c <c>(N, n)</c>.</param>
/// <param name="Features">Region features a <c>(N, L, D)</c>.</param>
/// <param name="Keys">The additive score's key projection of a <c>(N, L, A)</c>, or null without attention.</param>
/// <param name="Context">The previous step's context <c>(N, D)</c> (zeros before the first word) when the LSTM reads it
/// (<see cref="CaptionAttendFrom.CurrentFed"/>), else null.</param>
public sealed record CaptionState(Tensor Hidden, Tensor Cell, Tensor Features, Tensor? Keys, Tensor? Context = null) : IDecoderState
{
    /// <inheritdoc />
    public IDecoderState Select(Tensor index) =>
        new CaptionState(Hidden.index_select(0, index), Cell.index_select(0, index), Features.index_select(0, index), Keys?.index_select(0, index),
            Context?.index_select(0, index));
}

/// <summary>What one decoder step computed.</summary>
/// <param name="Logits">Next-word scores <c>(N, V)</c>.</param>
/// <param name="Weights">Attention distribution alpha_t over the regions <c>(N, L)</c>, or null without attention.</param>
/// <param name="SelectedLogProb">Hard attention in training: log p(s_t) of the sampled region <c>(N)</c>, else null.</param>
/// <param name="Entropy">Hard attention: entropy of alpha_t <c>(N)</c>, else null.</param>
/// <param name="State">The state after the step.</param>
public readonly record struct CaptionStep(Tensor Logits, Tensor? Weights, Tensor? SelectedLogProb, Tensor? Entropy, CaptionState State);

/// <summary>A teacher-forced pass over whole captions.</summary>
/// <param name="Logits">Word scores <c>(B, T, V)</c>.</param>
/// <param name="Weights">alpha <c>(B, T, L)</c>, or null without attention.</param>
/// <param name="SelectedLogProb">Hard attention in training: log p(s_t) <c>(B, T)</c>, else null.</param>
/// <param name="Entropy">Hard attention: entropy of alpha_t <c>(B, T)</c>, else null.</param>
/// <param name="Sampled">Hard attention in training: rows whose locations were sampled (the rest used the expectation) <c>(B)</c>, else null.</param>
public readonly record struct CaptionPass(Tensor Logits, Tensor? Weights, Tensor? SelectedLogProb, Tensor? Entropy, Tensor? Sampled);

/// <summary>
/// Show, Attend and Tell (Xu et al. 2015). The <see cref="RegionEncoder"/> gives annotations a_1..a_L; the LSTM starts from
/// <c>h_0 = tanh(f_init,h(mean_i a_i))</c>, <c>c_0 = tanh(f_init,c(mean_i a_i))</c> (section 3.1.2). At step t the additive score
/// (catalog <see cref="AdditiveScore"/>) gives <c>e_ti = f_att(a_i, h_{t-1})</c>, <c>alpha_t = softmax(e_t)</c>; the context is
/// <c>z_t = beta_t sum_i alpha_ti a_i</c> with <c>beta_t = sigmoid(f_beta(h_{t-1}))</c> (soft, section 4.2) or <c>a_{s_t}</c> with
/// <c>s_t ~ Multinoulli(alpha_t)</c> (hard, section 4.1; catalog <see cref="HardAttention.Select"/>); the LSTM reads
/// <c>[E y_{t-1}; z_t]</c>, and the deep output layer gives <c>p(y_t) ~ exp(L_o(E y_{t-1} + L_h h_t + L_z z_t))</c> (eq. 7).
/// Without attention (Vinyals et al. 2015 baseline), the image enters only through the initial state and the LSTM reads
/// <c>E y_{t-1}</c>. With <see cref="CaptionOptions.AttendFrom"/> = current (Lu et al. 2017) the LSTM first reads <c>E y_{t-1}</c>
/// (current-fed: and <c>z_{t-1}</c>), then <c>alpha_t</c> and <c>beta_t</c> come from <c>h_t</c>, and the same deep output layer
/// reads <c>z_t</c>. It is also an <see cref="IIncrementalDecoder"/> for <see cref="BeamSearch"/>.
/// </summary>
public sealed class ShowAttendTell : nn.Module, IIncrementalDecoder
{
    readonly RegionEncoder? encoder;
    readonly ModuleList<EncoderLayer>? region_context;
    readonly Embedding embed;
    readonly Linear init_h;
    readonly Linear init_c;
    readonly KeyValueAttention? attention;
    readonly Linear? gate;
    readonly LSTMCell cell;
    readonly Linear out_h;
    readonly Linear? out_z;
    readonly Linear out_o;
    readonly Tensor reward_baseline;

    /// <summary>Builds the model of <paramref name="options"/>.</summary>
    public ShowAttendTell(CaptionOptions options) : base("ShowAttendTell")
    {
        options.Validate();
        Options = options;
        if (!options.FrozenEncoder) encoder = new RegionEncoder(options.ImageSize, options.Features);
        if (options.RegionContext > 0)
        {
            var layer = new TransformerOptions(ModelDim: options.Features, Heads: CaptionOptions.RegionContextHeads, FeedForward: 2 * options.Features, Dropout: 0, PreNorm: true);
            region_context = new ModuleList<EncoderLayer>([.. Enumerable.Range(0, options.RegionContext).Select(_ => new EncoderLayer(layer))]);
        }
        embed = Layers.Embedding(options.Vocabulary, options.Embedding, padding_idx: CaptionVocabulary.Pad);
        init_h = Layers.Linear(options.Features, options.Hidden);
        init_c = Layers.Linear(options.Features, options.Hidden);
        if (options.UsesAttention)
        {
            attention = new KeyValueAttention(new AdditiveScore(options.Hidden, options.Features, options.AttentionHidden));
            if (options.Attention == CaptionAttention.Soft && options.Gate) gate = Layers.Linear(options.Hidden, 1);
            out_z = Layers.Linear(options.Features, options.Embedding);
        }
        cell = Layers.LSTMCell(options.Embedding + (options.LstmReadsContext ? options.Features : 0), options.Hidden);
        out_h = Layers.Linear(options.Hidden, options.Embedding);
        out_o = Layers.Linear(options.Embedding, options.Vocabulary);
        reward_baseline = torch.zeros(2); // [moving average of log p(y | s, a), batches seen]; hard attention only
        RegisterComponents();
    }

    /// <summary>The options the model was built with.</summary>
    public CaptionOptions Options { get; }

    /// <summary>The CNN, or null when the model reads precomputed region features (<see cref="CaptionOptions.FrozenEncoder"/>).</summary>
    public RegionEncoder? Encoder => encoder;

    /// <summary>
    /// The annotation vectors <c>(B, L, D)</c> of the model's input: images <c>(B, 1, S, S)</c> through the CNN, or, with a
    /// frozen encoder, the precomputed region features themselves (checked for shape).
    /// </summary>
    public Tensor Annotations(Tensor input)
    {
        var a = encoder != null ? encoder.forward(input) : CheckRegions(input);  // (B, L, D)
        if (region_context != null)
            foreach (var layer in region_context) a = layer.Forward(a, null, needWeights: false).Output;  // (B, L, D), each region sees every other
        return a;
    }

    Tensor CheckRegions(Tensor input)
    {
        if (input.dim() != 3 || input.shape[1] != Options.Regions || input.shape[2] != Options.Features)
            throw new ArgumentException($"a captioner with the {Variant.Name(Options.Encoder)} encoder reads region features (batch, {Options.Regions}, {Options.Features}); " +
                                        $"got ({string.Join(", ", input.shape)}): compute them with ImageNetRegions first");
        return input;
    }

    /// <summary>The attention layer (additive score + kernel from the catalog), or null without attention.</summary>
    public KeyValueAttention? Attention => attention;

    /// <summary>Hard attention's moving-average baseline and the number of batches it has seen, as a buffer <c>(2)</c> (checkpointed).</summary>
    public Tensor RewardBaseline => reward_baseline;

    /// <summary>Encodes images <c>(B, 1, S, S)</c> (or, with a frozen encoder, region features <c>(B, L, D)</c>) and returns the initial state (one row per image).</summary>
    public CaptionState Start(Tensor images)
    {
        var a = Annotations(images);                                               // (B, L, D)
        var mean = a.mean([1]);                                                    // (B, D)
        var keys = attention?.Score.PrepareKeys(a);                                // (B, L, A)
        var context = Options.AttendFrom == CaptionAttendFrom.CurrentFed
            ? torch.zeros(a.shape[0], Options.Features, dtype: a.dtype, device: a.device)           // (B, D): no context before the first word
            : null;
        if (!Options.ImageStart)
        {
            var zeros = torch.zeros(a.shape[0], Options.Hidden, dtype: a.dtype, device: a.device);   // (B, n): the image enters by attention only
            return new CaptionState(zeros, zeros, a, keys, context);
        }
        return new CaptionState(init_h.forward(mean).tanh(), init_c.forward(mean).tanh(), a, keys, context);
    }

    /// <summary>One step from the previous words <c>(N)</c>; <paramref name="useExpectation"/> <c>(N)</c> bool: hard-attention rows that take the expected context in training.</summary>
    public CaptionStep StepFrom(Tensor previous, CaptionState state, Tensor? useExpectation = null)
    {
        var e = embed.forward(previous);                                           // (N, m)
        if (attention == null || Options.AttendFrom == CaptionAttendFrom.Previous)
        {
            var look = attention == null ? default : Attend(state.Hidden, state, useExpectation); // alpha_t from h_{t-1}
            var (h, c) = cell.forward(look.Context is null ? e : torch.cat([e, look.Context], 1), (state.Hidden, state.Cell)); // (N, n) each
            return new CaptionStep(Output(e, h, look.Context), look.Weights, look.LogProb, look.Entropy, state with { Hidden = h, Cell = c });
        }
        var input = state.Context is null ? e : torch.cat([e, state.Context], 1); // (N, m) or (N, m + D) with z_{t-1}
        var (hNow, cNow) = cell.forward(input, (state.Hidden, state.Cell));        // (N, n) each
        var now = Attend(hNow, state, useExpectation);                             // alpha_t from h_t
        return new CaptionStep(Output(e, hNow, now.Context), now.Weights, now.LogProb, now.Entropy,
            state with { Hidden = hNow, Cell = cNow, Context = state.Context is null ? null : now.Context });
    }

    /// <summary>The deep output layer (eq. 7): <c>L_o(E y_{t-1} + L_h h + L_z z)</c> <c>(N, V)</c>.</summary>
    Tensor Output(Tensor e, Tensor h, Tensor? z)
    {
        var deep = e.add(out_h.forward(h), HeldScalars.Of(1));                    // (N, m)
        if (z is not null) deep = deep.add(out_z!.forward(z), HeldScalars.Of(1));
        return out_o.forward(deep);                                                // (N, V)
    }

    /// <summary>What one look at the regions gave: the context <c>(N, D)</c>, alpha <c>(N, L)</c>, and for hard attention in training log p(s) and the entropy <c>(N)</c>.</summary>
    readonly record struct Look(Tensor? Context, Tensor? Weights, Tensor? LogProb, Tensor? Entropy);

    /// <summary>Attends to the regions of <paramref name="state"/> with the query <paramref name="query"/> <c>(N, n)</c>: soft (gated by beta(query)) or hard.</summary>
    Look Attend(Tensor query, CaptionState state, Tensor? useExpectation)
    {
        if (Options.Attention == CaptionAttention.Soft)
        {
            var att = attention!.ForwardPrepared(query, state.Keys!, state.Features);  // context (N, D), weights (N, L)
            var z = gate != null ? att.Context * gate.forward(query).sigmoid() : att.Context; // (N, D) * (N, 1)
            return new Look(z, att.Weights, null, null);
        }
        var scores = attention!.Score.Score(query.unsqueeze(1), state.Keys!);      // (N, 1, L)
        var hard = HardAttention.Select(scores, state.Features, null, training);   // context (N, 1, D)
        var weights = hard.Probabilities.squeeze(1);                               // (N, L)
        var context = hard.Context.squeeze(1);                                     // (N, D)
        Tensor? logp = null;
        if (training)
        {
            logp = hard.LogProb.squeeze(1);                                        // (N)
            if (useExpectation is not null)
            {
                var expected = torch.bmm(weights.unsqueeze(1), state.Features).squeeze(1); // (N, D)
                context = torch.where(useExpectation.unsqueeze(1), expected, context);
            }
        }
        return new Look(context, weights, logp, hard.Entropy.squeeze(1));
    }

    /// <summary>Teacher-forced pass: images <c>(B, 1, S, S)</c>, decoder inputs <c>(B, T)</c> (BOS then the words).</summary>
    public CaptionPass Forward(Tensor images, Tensor inputs)
    {
        if (inputs.dim() != 2 || inputs.shape[0] != images.shape[0])
            throw new ArgumentException($"inputs must be (batch={images.shape[0]}, time) word ids; got ({string.Join(", ", inputs.shape)})");
        var state = Start(images);
        long b = inputs.shape[0], t = inputs.shape[1];
        Tensor? sampled = null, expectation = null;
        if (training && Options.Attention == CaptionAttention.Hard)
        {
            using (torch.no_grad())
                expectation = torch.rand(b, device: images.device).lt(HeldScalars.Of(Options.HardExpectation)); // (B) rows that use the expected context
            sampled = expectation.logical_not();
        }
        var logits = new List<Tensor>();
        var weights = new List<Tensor>();
        var logps = new List<Tensor>();
        var entropies = new List<Tensor>();
        for (long k = 0; k < t; k++)
        {
            var step = StepFrom(inputs.select(1, k), state, expectation);
            state = step.State;
            logits.Add(step.Logits);
            if (step.Weights is not null) weights.Add(step.Weights);
            if (step.SelectedLogProb is not null) logps.Add(step.SelectedLogProb);
            if (step.Entropy is not null) entropies.Add(step.Entropy);
        }
        return new CaptionPass(torch.stack(logits, 1),                               // (B, T, V)
            weights.Count > 0 ? torch.stack(weights, 1) : null,                      // (B, T, L)
            logps.Count > 0 ? torch.stack(logps, 1) : null,                          // (B, T)
            entropies.Count > 0 ? torch.stack(entropies, 1) : null, sampled);        // (B, T)
    }

    /// <inheritdoc />
    public DecoderStep Step(Tensor previous, IDecoderState state)
    {
        var s = StepFrom(previous, (CaptionState)state);
        return new DecoderStep(s.Logits.log_softmax(1), s.Weights, s.State);
    }

    /// <summary>
    /// Captions images <c>(B, 1, S, S)</c> in evaluation mode: greedy for <paramref name="beam"/> = 1, else beam search (length
    /// normalisation <paramref name="alpha"/>). Each hypothesis carries the attention row of each word (attention models).
    /// </summary>
    public List<Hypothesis> Caption(Tensor images, int beam = 1, double alpha = 0.0)
    {
        bool wasTraining = training;
        eval();
        try
        {
            using var _ = torch.no_grad();
            using var scope = torch.NewDisposeScope();   // temporaries stay alive through every native call; the hypotheses are managed
            var start = Start(images);
            int n = (int)images.shape[0];
            return beam == 1
                ? BeamSearch.Greedy(this, start, n, Options.MaxLength, CaptionVocabulary.Bos, CaptionVocabulary.Eos, images.device)
                : BeamSearch.Search(this, start, n, beam, Options.MaxLength, CaptionVocabulary.Bos, CaptionVocabulary.Eos, alpha, images.device);
        }
        finally { train(wasTraining); }
    }
}
