using System.Globalization;

namespace AttentionSharp.Data.Text;

/// <summary>
/// Settings of skip-gram word-vector training with negative sampling (Mikolov et al. 2013, "Distributed
/// Representations of Words and Phrases and their Compositionality"). Defaults are the paper's and its word2vec
/// tool's: 5 negative samples from the unigram distribution raised to 3/4, a context window of up to 5 words on each
/// side (the window size is drawn uniformly in 1..Window per centre word, as in word2vec), learning rate 0.025
/// decayed linearly to 0.0001 of that over training, words seen fewer than 5 times dropped, 5 passes. Subsampling uses
/// the paper's rule with threshold 1e-4 (the paper suggests about 1e-5 for billion-word corpora; ours are a few
/// million words).
/// </summary>
/// <param name="Dimension">Vector size (must equal the classifier's embedding size to initialise it).</param>
/// <param name="Window">Largest number of context words on each side of the centre word.</param>
/// <param name="Negative">Negative samples per (centre, context) pair.</param>
/// <param name="Sample">Subsampling threshold t: a word of frequency f is discarded with probability 1 - sqrt(t / f); 0 = keep every word.</param>
/// <param name="MinCount">Words seen fewer times than this get no vector.</param>
/// <param name="Epochs">Passes over the text.</param>
/// <param name="LearningRate">Starting learning rate, decayed linearly to <see cref="LearningRate"/> x 1e-4.</param>
/// <param name="NoisePower">Power of the unigram counts in the noise distribution (3/4 in the paper).</param>
/// <param name="Seed">Seed of the initial vectors, subsampling, window sizes and negative samples.</param>
public sealed record SkipGramOptions(
    int Dimension = 100,
    int Window = 5,
    int Negative = 5,
    double Sample = 1e-4,
    int MinCount = 5,
    int Epochs = 5,
    double LearningRate = 0.025,
    double NoisePower = 0.75,
    long Seed = 1)
{
    /// <summary>Checks every value, naming the bad one.</summary>
    public void Validate()
    {
        if (Dimension < 1) throw new ArgumentException($"skip-gram dimension must be positive; got {Dimension}");
        if (Window < 1) throw new ArgumentException($"skip-gram window must be at least 1; got {Window}");
        if (Negative < 1) throw new ArgumentException($"skip-gram negative samples must be at least 1; got {Negative}");
        if (!(Sample >= 0 && Sample < 1)) throw new ArgumentException($"skip-gram subsampling threshold must be in [0, 1); got {Sample}");
        if (MinCount < 1) throw new ArgumentException($"skip-gram min count must be at least 1; got {MinCount}");
        if (Epochs < 1) throw new ArgumentException($"skip-gram epochs must be at least 1; got {Epochs}");
        if (!(LearningRate > 0 && LearningRate < 10)) throw new ArgumentException($"skip-gram learning rate must be in (0, 10); got {LearningRate}");
        if (!(NoisePower >= 0 && NoisePower <= 1)) throw new ArgumentException($"skip-gram noise power must be in [0, 1]; got {NoisePower}");
    }

    /// <summary>A stable one-line description of every setting (part of the cache key and of run records).</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"skipgram dim={Dimension} window={Window} negative={Negative} sample={Sample:R} min_count={MinCount} epochs={Epochs} lr={LearningRate:R} power={NoisePower:R} seed={Seed}");
}
