using AttentionSharp.Attention;
using AttentionSharp.Data.Captioning;
using AttentionSharp.Models.Captioning;
using AttentionSharp.Native;
using AttentionSharp.Sequence;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AttentionSharp.Models.QuestionAnswering;

/// <summary>What a question answering pass computed.</summary>
/// <param name="Logits">Answer scores <c>(N, A)</c>.</param>
/// <param name="Weights">Per question and attention layer, the distribution over the regions <c>(N, K, L)</c>; null without attention.</param>
public readonly record struct VqaPass(Tensor Logits, Tensor? Weights);

/// <summary>
/// The stacked attention network (Yang et al. 2016, section 3) over the regions of the captioner's <see cref="RegionEncoder"/>:
/// image vectors <c>v_I = tanh(W_I f_I + b_I)</c> <c>(L, d)</c> (eq. 1); the question vector <c>v_Q</c> is the final state of a
/// bidirectional LSTM (the library's <see cref="BiRnnEncoder"/>, the paper's LSTM question model read both ways); then for
/// k = 1..K with <c>u^0 = v_Q</c>: <c>h_A = tanh(W_IA v_I + (W_QA u^{k-1} + b_A))</c>, <c>p_I = softmax(W_P h_A + b_P)</c>,
/// <c>v~_I = sum_i p_i v_i</c>, <c>u^k = v~_I + u^{k-1}</c> (eq. 15-19; the score is the catalog's <see cref="AdditiveScore"/>,
/// whose constant b_P cancels in the softmax), and <c>p_ans = softmax(W_u u^K + b_u)</c> (eq. 20). Without attention the
/// query is <c>u = tanh(W_f [mean_i v_i; v_Q] + b_f)</c>: the image enters only as the mean of its regions; or, <c>flat</c>,
/// <c>u = tanh(W_f [tanh(W_g [v_1; ...; v_L] + b_g); v_Q] + b_f)</c>: one image vector from the whole grid, places kept.
/// </summary>
public sealed class StackedAttentionNetwork : nn.Module
{
    readonly RegionEncoder encoder;
    readonly Linear image;
    readonly Embedding embed;
    readonly BiRnnEncoder question;
    readonly ModuleList<KeyValueAttention> hops;
    readonly Linear? fuse;
    readonly Linear? grid;
    readonly Dropout dropout;
    readonly Linear answer;

    /// <summary>Builds the model of <paramref name="options"/>.</summary>
    public StackedAttentionNetwork(VqaOptions options) : base("StackedAttentionNetwork")
    {
        options.Validate();
        Options = options;
        encoder = new RegionEncoder(options.ImageSize, options.Features);
        image = Layers.Linear(options.Features, options.Hidden);
        embed = Layers.Embedding(options.Vocabulary, options.Embedding, padding_idx: CaptionVocabulary.Pad);
        question = new BiRnnEncoder(options.Embedding, options.Hidden / 2, RnnCell.Lstm);
        hops = new ModuleList<KeyValueAttention>();
        if (options.Attention == VqaAttention.Stacked)
            for (int k = 0; k < options.Hops; k++)
                hops.Add(new KeyValueAttention(new AdditiveScore(options.Hidden, options.Hidden, options.AttentionHidden)));
        else
        {
            fuse = Layers.Linear(2 * options.Hidden, options.Hidden);
            if (options.Attention == VqaAttention.Flat) grid = Layers.Linear((long)options.Regions * options.Hidden, options.Hidden);
        }
        dropout = nn.Dropout(options.Dropout);
        answer = Layers.Linear(options.Hidden, options.Answers);
        RegisterComponents();
    }

    /// <summary>The options the model was built with.</summary>
    public VqaOptions Options { get; }

    /// <summary>The attention layers (empty without attention).</summary>
    public IReadOnlyList<KeyValueAttention> Hops => [.. hops];

    /// <summary>Image vectors <c>v_I</c> <c>(S, L, d)</c> of images <c>(S, 1, H, W)</c>.</summary>
    public Tensor ImageVectors(Tensor images) => image.forward(encoder.forward(images)).tanh();

    /// <summary>Question vectors <c>v_Q</c> <c>(N, d)</c> of word ids <c>(N, T)</c> with real positions <paramref name="mask"/> <c>(N, T)</c>.</summary>
    public Tensor QuestionVectors(Tensor questions, Tensor mask) => question.Encode(embed.forward(questions), mask).Final;

    /// <summary>
    /// Answers questions <c>(N, T)</c> (<paramref name="mask"/>: real positions) about images <c>(S, 1, H, W)</c>; question i
    /// reads image <c>imageOf[i]</c> <c>(N)</c>, so an image is encoded once for all its questions.
    /// </summary>
    public VqaPass Forward(Tensor images, Tensor imageOf, Tensor questions, Tensor mask)
    {
        if (questions.dim() != 2 || mask.dim() != 2 || !questions.shape.SequenceEqual(mask.shape))
            throw new ArgumentException($"questions and mask must both be (questions, words); got ({string.Join(", ", questions.shape)}) and ({string.Join(", ", mask.shape)})");
        if (imageOf.dim() != 1 || imageOf.shape[0] != questions.shape[0])
            throw new ArgumentException($"imageOf must give one image row per question ({questions.shape[0]}); got ({string.Join(", ", imageOf.shape)})");
        var vI = ImageVectors(images).index_select(0, imageOf);                 // (N, L, d)
        var u = QuestionVectors(questions, mask);                                // (N, d): u^0 = v_Q
        Tensor? weights = null;
        if (fuse is null)
        {
            var maps = new List<Tensor>(hops.Count);
            foreach (var hop in hops)
            {
                var o = hop.Forward(u, vI, vI);                                  // context (N, d), weights (N, L)
                u = o.Context.add(u, HeldScalars.Of(1));                         // u^k = v~_I + u^{k-1}
                maps.Add(o.Weights!);
            }
            weights = torch.stack(maps, 1);                                      // (N, K, L)
        }
        else
        {
            var pooled = grid is null ? vI.mean([1]) : grid.forward(vI.flatten(1)).tanh();  // (N, d)
            u = fuse.forward(torch.cat([pooled, u], 1)).tanh();                 // (N, d)
        }
        return new VqaPass(answer.forward(dropout.forward(u)), weights);
    }
}
