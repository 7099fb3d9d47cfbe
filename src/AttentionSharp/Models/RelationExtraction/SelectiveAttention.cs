using AttentionSharp.Attention;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.RelationExtraction;

/// <summary>
/// Selective attention over a bag's sentences (Lin et al. 2016, eq. 5-7): <c>e_i = x_i A r</c> with a diagonal A and the
/// query r the embedding of a relation, <c>alpha_i = exp(e_i) / sum_k exp(e_k)</c> over the bag's sentences,
/// <c>s = sum_i alpha_i x_i</c>. The softmax and weighted sum are the catalog's <see cref="AttentionKernel.Attend"/>
/// (padding slots masked). In training the query is the bag's label; at test time every relation queries the bag.
/// </summary>
public sealed class SelectiveAttention : nn.Module<Tensor, Tensor, Tensor, AttentionOutput>
{
    readonly Parameter diagonal;
    readonly Embedding query;

    /// <summary>Creates the attention for sentence vectors of size <paramref name="dim"/> and <paramref name="relations"/> queries.</summary>
    public SelectiveAttention(int dim, int relations) : base(nameof(SelectiveAttention))
    {
        diagonal = nn.Parameter(ones(Layers.Sized("selective attention diagonal", dim)));
        query = Layers.Embedding(relations, dim);
        RegisterComponents();
    }

    /// <summary>
    /// Attends the bags <paramref name="sentences"/> <c>(B, M, D)</c> (padding slots false in <paramref name="mask"/> <c>(B, M)</c>)
    /// with the queries of <paramref name="relations"/> <c>(B, Q)</c> (int64): context <c>(B, Q, D)</c>, weights <c>(B, Q, M)</c>.
    /// </summary>
    public override AttentionOutput forward(Tensor sentences, Tensor mask, Tensor relations)
    {
        var q = query.forward(relations);                               // (B, Q, D)
        var scores = matmul(q * diagonal, sentences.transpose(1, 2));   // (B, Q, M): e = r^T A x
        return AttentionKernel.Attend(scores, sentences, mask.unsqueeze(1), needWeights: true);
    }
}
