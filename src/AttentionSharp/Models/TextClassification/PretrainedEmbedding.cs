using AttentionSharp.Data.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AttentionSharp.Models.TextClassification;

/// <summary>
/// Initialises a word embedding from pretrained vectors (as Yang et al. 2016 initialise HAN from word2vec): the row of
/// each vocabulary word that has a vector becomes that vector; the padding row stays zero; every other row (the
/// unknown token, words without a vector) keeps its random N(0, 1) draw rescaled to the standard deviation of the
/// copied vectors, so that all rows start on one scale. The embedding is then trained with the rest of the model.
/// </summary>
public static class PretrainedEmbedding
{
    /// <summary>Copies <paramref name="vectors"/> into <paramref name="embedding"/> by <paramref name="vocabulary"/>; returns how many vocabulary words got a vector.</summary>
    public static int Initialise(Embedding embedding, Vocabulary vocabulary, WordVectors vectors)
    {
        var weight = embedding.weight ?? throw new ArgumentException("the embedding has no weight");
        long rows = weight.shape[0], dim = weight.shape[1];
        if (rows != vocabulary.Count || dim != vectors.Dimension)
            throw new ArgumentException($"the embedding must be (vocabulary {vocabulary.Count}, vector dimension {vectors.Dimension}); got ({rows}, {dim})");
        using var scope = torch.NewDisposeScope();
        var values = weight.detach().to(ScalarType.Float32).cpu().data<float>().ToArray();  // (V * E)
        var covered = new bool[rows];
        int found = 0;
        double sum = 0, sumSq = 0;
        for (int i = 0; i < rows; i++)
        {
            if (i == Vocabulary.Pad || i == Vocabulary.Unknown) continue;
            int row = vectors.IndexOf(vocabulary[i]);
            if (row < 0) continue;
            var v = vectors.Vectors.AsSpan(row * vectors.Dimension, vectors.Dimension);
            v.CopyTo(values.AsSpan((int)(i * dim), (int)dim));
            foreach (var x in v) { sum += x; sumSq += (double)x * x; }
            covered[i] = true;
            found++;
        }
        if (found == 0) return 0;
        long n = found * dim;
        double mean = sum / n, std = Math.Sqrt(Math.Max(0, sumSq / n - mean * mean));
        for (int i = 0; i < rows; i++)
        {
            if (covered[i]) continue;
            var r = values.AsSpan((int)(i * dim), (int)dim);
            if (i == Vocabulary.Pad) r.Clear();
            else for (int j = 0; j < r.Length; j++) r[j] = (float)(r[j] * std);
        }
        using (torch.no_grad())
            weight.copy_(torch.tensor(values, [rows, dim]).to(weight.dtype).to(weight.device));
        return found;
    }
}
