using AttentionSharp.Sequence;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.Tagging;

/// <summary>
/// The baseline: a linear-chain CRF on the hand-made feature templates of <see cref="TokenFeatures"/>. Emissions are a
/// linear function of the token's active features, factorised through rank D: <c>E[t] = W (sum_f V[f]) + b</c>
/// (an embedding bag then a linear layer; unseen features contribute nothing).
/// </summary>
public sealed class FeatureCrfTagger : nn.Module<TaggingBatch, Tensor>, ICrfTagger
{
    readonly Embedding features;
    readonly Linear output;
    readonly Crf crf;

    /// <summary>Creates the tagger from validated options.</summary>
    public FeatureCrfTagger(TaggerOptions options, TransitionConstraints? constraints) : base(nameof(FeatureCrfTagger))
    {
        features = Layers.Embedding(options.Features, options.FeatureDim, padding_idx: Lexicon.Pad);
        output = Layers.Linear(options.FeatureDim, options.Tags);
        crf = new Crf(options.Tags, constraints);
        using (torch.no_grad()) features.weight!.normal_(0, 0.1).index_fill_(0, torch.tensor(new long[] { Lexicon.Pad }), HeldScalars.Of(0));
        RegisterComponents();
    }

    /// <inheritdoc />
    public nn.Module Module => this;
    /// <inheritdoc />
    public Crf Crf => crf;

    /// <inheritdoc />
    public Tensor Emissions(TaggingBatch batch) => forward(batch);

    /// <summary>Emission scores <c>(B, T, K)</c>.</summary>
    public override Tensor forward(TaggingBatch batch)
    {
        if (batch.Features is null) throw new ArgumentException("the feature CRF needs a batch with feature indices (B, T, F); got none");
        var bag = features.forward(batch.Features).sum(2);                           // (B, T, F, D) -> (B, T, D)
        return output.forward(bag);                                                  // (B, T, K)
    }
}
