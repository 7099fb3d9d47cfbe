using AttentionSharp.Native;
using AttentionSharp.Attention;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AttentionSharp.Models.RelationExtraction;

/// <summary>Scores of a batch of bags: <c>Scores (B, R)</c>, the score of each relation for each bag, and <c>Weights (B, R, M)</c>,
/// each sentence's weight when the bag is scored for each relation (attention, the uniform mean, or 1 on the best sentence).</summary>
/// <param name="Scores">Relation scores in [0, 1].</param>
/// <param name="Weights">Sentence weights per relation.</param>
public sealed record BagScores(Tensor Scores, Tensor Weights);

/// <summary>
/// Relation extraction from bags of sentences: <see cref="SentenceEncoder"/> (CNN or PCNN) gives sentence vectors x_i,
/// an aggregator turns a bag into a vector s, and <c>o = M s + d</c>, <c>p(r | S) = softmax(o)_r</c> (Lin et al. 2016,
/// eq. 8-9). Aggregators (<see cref="RelexOptions.Aggregator"/>): selective attention (ATT), the mean (AVE), at-least-one
/// (ONE, Zeng 2015: trained on the sentence most likely to hold the label, a bag scored by its best sentence) and a
/// sentence-level classifier (SENT).
/// </summary>
public sealed class BagRelationExtractor : nn.Module
{
    readonly SentenceEncoder encoder;
    readonly SelectiveAttention? attention;
    readonly Linear classifier;
    readonly Dropout dropout;
    static readonly Scalar Lowest = float.MinValue.ToScalar();

    /// <summary>The options the model was built with.</summary>
    public RelexOptions Options { get; }

    /// <summary>Creates the model of <paramref name="options"/>.</summary>
    public BagRelationExtractor(RelexOptions options) : base(nameof(BagRelationExtractor))
    {
        options.Validate();
        Options = options;
        encoder = new SentenceEncoder(options);
        if (options.Aggregator == RelexAggregator.Att) attention = new SelectiveAttention(options.SentenceDim, options.Relations);
        classifier = Layers.Linear(options.SentenceDim, options.Relations);
        dropout = nn.Dropout(options.Dropout);
        RegisterComponents();
    }

    /// <summary>Sentence vectors <c>(S, D)</c> of a batch.</summary>
    public Tensor Encode(RelexBatch b) => encoder.forward(b.Words, b.HeadPositions, b.TailPositions, b.Segments);

    /// <summary>The sentence vectors arranged by bag slot <c>(B, M, D)</c>; padding slots are zero.</summary>
    static Tensor BySlot(Tensor x, Tensor slots)
    {
        var padded = cat([x, zeros(1, x.shape[1], dtype: x.dtype, device: x.device)], 0);   // (S + 1, D)
        return padded.index_select(0, slots.reshape(-1)).reshape(slots.shape[0], slots.shape[1], x.shape[1]); // (B, M, D)
    }

    /// <summary>
    /// The training loss (mean cross-entropy over bags, or over sentences for SENT) with the bags' labels, and the logits
    /// <c>(B, R)</c> it was computed from (for SENT and ONE: of the sentence each bag was judged by).
    /// </summary>
    public (Tensor Loss, Tensor Logits) Loss(RelexBatch b)
    {
        var x = Encode(b);                                                          // (S, D)
        switch (Options.Aggregator)
        {
            case RelexAggregator.Att:
            {
                var ctx = attention!.forward(BySlot(x, b.Slots), b.SlotMask, b.Labels.unsqueeze(1)).Context.squeeze(1); // (B, D)
                var logits = classifier.forward(dropout.forward(ctx));             // (B, R)
                return (nn.functional.cross_entropy(logits, b.Labels), logits);
            }
            case RelexAggregator.Ave:
            {
                var logits = classifier.forward(dropout.forward(Mean(BySlot(x, b.Slots), b.SlotMask)));
                return (nn.functional.cross_entropy(logits, b.Labels), logits);
            }
            case RelexAggregator.Sent:
            {
                var logits = classifier.forward(dropout.forward(x));               // (S, R)
                var loss = nn.functional.cross_entropy(logits, b.Labels.index_select(0, b.SentenceBag));
                return (loss, Best(logits.detach(), b).Logits);
            }
            default: // one
            {
                var logits = classifier.forward(dropout.forward(x));               // (S, R)
                var chosen = Best(logits.detach().log_softmax(-1), b).Sentence;   // (B)
                var picked = logits.index_select(0, chosen);                      // (B, R)
                return (nn.functional.cross_entropy(picked, b.Labels), picked);
            }
        }
    }

    /// <summary>For each bag, its sentence with the highest value of the bag's label in <paramref name="perSentence"/> <c>(S, R)</c>.</summary>
    static (Tensor Sentence, Tensor Logits) Best(Tensor perSentence, RelexBatch b)
    {
        long s = perSentence.shape[0], r = perSentence.shape[1];
        var padded = cat([perSentence, full(1, r, Lowest, dtype: perSentence.dtype, device: perSentence.device)], 0);                   // (S + 1, R)
        var byBag = padded.index_select(0, b.Slots.reshape(-1)).reshape(b.Slots.shape[0], b.Slots.shape[1], r);                           // (B, M, R)
        var ofLabel = byBag.gather(2, b.Labels.reshape(-1, 1, 1).expand(-1, b.Slots.shape[1], 1)).squeeze(2);                            // (B, M)
        var slot = ofLabel.argmax(1, keepdim: true);                                                                                        // (B, 1)
        var sentence = b.Slots.gather(1, slot).squeeze(1);                                                                                  // (B)
        return (sentence, byBag.gather(1, slot.unsqueeze(2).expand(-1, 1, r)).squeeze(1));
    }

    static Tensor Mean(Tensor bySlot, Tensor mask)
    {
        var scores = zeros(mask.shape[0], 1, mask.shape[1], dtype: bySlot.dtype, device: bySlot.device);     // (B, 1, M): equal scores
        return AttentionKernel.Attend(scores, bySlot, mask.unsqueeze(1), needWeights: false).Context.squeeze(1); // (B, D): the mean
    }

    /// <summary>
    /// Test-time scores of every relation for every bag (no label used): ATT queries the bag with each relation r and takes
    /// <c>p(r | s_r)</c>; AVE takes <c>p(r | mean)</c>; ONE and SENT take <c>max_i p(r | x_i)</c>.
    /// </summary>
    public BagScores Score(RelexBatch b)
    {
        var x = Encode(b);                                                          // (S, D)
        var bySlot = BySlot(x, b.Slots);                                            // (B, M, D)
        long bags = b.Slots.shape[0], m = b.Slots.shape[1], r = Options.Relations;
        switch (Options.Aggregator)
        {
            case RelexAggregator.Att:
            {
                var all = arange(HeldScalars.Of(0), HeldScalars.Of(r), HeldScalars.Of(1), dtype: ScalarType.Int64, device: x.device).unsqueeze(0).expand(bags, r);   // (B, R)
                var o = attention!.forward(bySlot, b.SlotMask, all);                                           // ctx (B, R, D), weights (B, R, M)
                var p = classifier.forward(o.Context).softmax(-1);                                             // (B, R, R): p(. | s_r)
                var scores = p.diagonal(0, 1, 2);                                                               // (B, R): p(r | s_r)
                return new BagScores(scores, o.Weights!);
            }
            case RelexAggregator.Ave:
            {
                var scores = classifier.forward(Mean(bySlot, b.SlotMask)).softmax(-1);                          // (B, R)
                var w = b.SlotMask.to(x.dtype);
                w = (w / w.sum(1, keepdim: true)).unsqueeze(1).expand(bags, r, m);                               // (B, R, M)
                return new BagScores(scores, w);
            }
            default: // one, sent
            {
                var p = classifier.forward(x).softmax(-1);                                                      // (S, R)
                var padded = cat([p, full(1, r, Lowest, dtype: p.dtype, device: p.device)], 0);                 // (S + 1, R)
                var byBag = padded.index_select(0, b.Slots.reshape(-1)).reshape(bags, m, r);                    // (B, M, R)
                var (best, at) = byBag.max(1);                                                                  // (B, R)
                var w = nn.functional.one_hot(at, m).to(x.dtype);                                              // (B, R, M)
                return new BagScores(best, w);
            }
        }
    }
}
