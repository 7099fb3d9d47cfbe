using AttentionSharp.Sequence;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.Tagging;

/// <summary>A tagger that scores every tag at every token (emissions) and decodes with a linear-chain <see cref="Sequence.Crf"/>.</summary>
public interface ICrfTagger
{
    /// <summary>The module (parameters, checkpoints).</summary>
    nn.Module Module { get; }
    /// <summary>The CRF layer.</summary>
    Crf Crf { get; }
    /// <summary>Emission scores <c>(B, T, K)</c> of a batch.</summary>
    Tensor Emissions(TaggingBatch batch);
}

/// <summary>Builds taggers from options and drives them: CRF loss, Viterbi tags, and the trainer interface.</summary>
public static class CrfTagger
{
    /// <summary>Creates the tagger named in <paramref name="options"/>; <paramref name="tagNames"/> give the BIO constraints when enabled.</summary>
    public static ICrfTagger Create(TaggerOptions options, IReadOnlyList<string> tagNames)
    {
        options.Validate();
        if (tagNames.Count != options.Tags) throw new ArgumentException($"{options.Tags} tags in the options; got {tagNames.Count} tag names");
        var constraints = options.BioConstraints ? TransitionConstraints.Bio(tagNames) : null;
        return options.Model switch
        {
            TaggerModel.Crf => new FeatureCrfTagger(options, constraints),
            _ => new BiLstmCrfTagger(options, constraints),
        };
    }

    /// <summary>Viterbi tags of each sentence of a batch (no gradients).</summary>
    public static int[][] Predict(ICrfTagger tagger, TaggingBatch batch)
    {
        using var _ = torch.no_grad();
        return tagger.Crf.Decode(tagger.Emissions(batch), batch.Mask);
    }

    /// <summary>Viterbi tags of every sentence of a dataset, in dataset order, in evaluation mode.</summary>
    public static int[][] PredictAll(ICrfTagger tagger, TaggingDataset data, int batchSize = 64)
    {
        bool wasTraining = tagger.Module.training;
        tagger.Module.eval();
        var result = new List<int[]>(data.Count);
        for (int start = 0; start < data.Count; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            var idx = Enumerable.Range(start, Math.Min(batchSize, data.Count - start)).ToArray();
            result.AddRange(Predict(tagger, data.GetBatch(idx)));
        }
        if (wasTraining) tagger.Module.train();
        return result.ToArray();
    }

    /// <summary>Token accuracy and conlleval chunk figures of predicted tag indices against a dataset's gold tags.</summary>
    public static ChunkMetrics Score(TaggingDataset data, int[][] predicted, Lexicon tags)
    {
        var m = new ChunkMetrics();
        for (int s = 0; s < data.Count; s++) m.Add(data.Sentences[s].Tags, predicted[s].Select(i => tags[i]).ToArray());
        return m;
    }
}

/// <summary>Trains a CRF tagger: loss = CRF negative log-likelihood per token; evaluation adds <c>error</c>, the Viterbi token error rate.</summary>
/// <param name="Tagger">The tagger.</param>
public sealed class TaggingTask(ICrfTagger Tagger) : ITrainable<TaggingBatch>
{
    /// <inheritdoc />
    public nn.Module Model => Tagger.Module;

    /// <inheritdoc />
    public StepOutput TrainStep(TaggingBatch batch)
    {
        var nll = Tagger.Crf.NegativeLogLikelihood(Tagger.Emissions(batch), batch.Tags, batch.Mask);
        return new StepOutput(nll.sum().div(HeldScalars.Of(batch.TokenCount)), batch.TokenCount, new Dictionary<string, double>());
    }

    /// <inheritdoc />
    public StepOutput EvalStep(TaggingBatch batch)
    {
        var emissions = Tagger.Emissions(batch);
        var nll = Tagger.Crf.NegativeLogLikelihood(emissions, batch.Tags, batch.Mask);
        var paths = Tagger.Crf.Decode(emissions, batch.Mask);
        var gold = batch.Tags.cpu().data<long>().ToArray();
        long t = batch.Tags.shape[1];
        long errors = 0;
        for (int b = 0; b < paths.Length; b++)
            for (int i = 0; i < paths[b].Length; i++)
                if (paths[b][i] != gold[b * t + i]) errors++;
        return new StepOutput(nll.sum().div(HeldScalars.Of(batch.TokenCount)), batch.TokenCount, new Dictionary<string, double> { ["error"] = errors });
    }
}
