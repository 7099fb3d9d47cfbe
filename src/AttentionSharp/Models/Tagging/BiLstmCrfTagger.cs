using AttentionSharp.Attention;
using AttentionSharp.Sequence;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.Tagging;

/// <summary>
/// BiLSTM-CRF (Huang et al. 2015; Lample et al. 2016) on word embeddings plus an optional character CNN (Ma and Hovy
/// 2016): <c>x_t = [w_t; max_pool(conv(chars_t))]</c>, <c>h_t = [LSTM_fwd(x)_t; LSTM_bwd(x)_t]</c>, emissions
/// <c>E_t = W h_t + b</c>. The attention variant (after the LSTM-CRF-attention opinion-target taggers) adds multi-head
/// self-attention over the BiLSTM states, <c>a_t = MHA(h, h, h)_t</c> (the catalog's <see cref="MultiHeadAttention"/>) with padding masked out of the keys, and
/// joins it into the emissions: <c>E_t = W [h_t; a_t] + b</c>.
/// The BiLSTM is the library's <see cref="BiRnnEncoder"/>: the backward LSTM reads each sentence reversed within its own
/// length, so padding never reaches a real state.
/// </summary>
public sealed class BiLstmCrfTagger : nn.Module<TaggingBatch, Tensor>, ICrfTagger
{
    readonly Embedding words;
    readonly Embedding? chars;
    readonly Conv1d? char_conv;
    readonly BiRnnEncoder encoder;
    readonly MultiHeadAttention? attention;
    readonly Dropout dropout;
    readonly Linear output;
    readonly Crf crf;

    /// <summary>Creates the tagger from validated options (<c>bilstm-crf</c> or <c>bilstm-crf-attn</c>).</summary>
    public BiLstmCrfTagger(TaggerOptions options, TransitionConstraints? constraints) : base(nameof(BiLstmCrfTagger))
    {
        words = Layers.Embedding(options.Words, options.WordDim, padding_idx: Lexicon.Pad);
        int input = options.WordDim;
        if (options.UseChars)
        {
            chars = Layers.Embedding(options.Chars, options.CharDim, padding_idx: Lexicon.Pad);
            char_conv = Layers.Conv1d(options.CharDim, options.CharFilters, 3, padding: 1);
            input += options.CharFilters;
        }
        encoder = new BiRnnEncoder(input, options.Hidden, RnnCell.Lstm);
        int states = 2 * options.Hidden;
        if (options.Model == TaggerModel.BiLstmCrfAttention) attention = new MultiHeadAttention(states, options.Heads);
        dropout = nn.Dropout(options.Dropout);
        output = Layers.Linear(attention is null ? states : 2 * states, options.Tags);
        crf = new Crf(options.Tags, constraints);
        RegisterComponents();
    }

    /// <inheritdoc />
    public nn.Module Module => this;
    /// <inheritdoc />
    public Crf Crf => crf;
    /// <summary>Whether the self-attention layer is present.</summary>
    public bool HasAttention => attention is not null;

    /// <inheritdoc />
    public Tensor Emissions(TaggingBatch batch) => forward(batch);

    /// <summary>The BiLSTM states <c>(B, T, 2H)</c> (zero on padding) and, for the attention variant, the attention weights.</summary>
    public (Tensor States, Tensor? Weights) Encode(TaggingBatch batch, bool needWeights = false)
    {
        var x = words.forward(batch.Words);                                          // (B, T, Dw)
        if (chars is not null)
        {
            if (batch.Chars is null) throw new ArgumentException("this tagger uses characters; the batch has none (B, T, L)");
            long b = batch.Chars.shape[0], t = batch.Chars.shape[1], l = batch.Chars.shape[2];
            var c = chars.forward(batch.Chars.reshape(b * t, l)).transpose(1, 2);    // (B*T, Dc, L)
            var conv = char_conv!.forward(c);                                        // (B*T, F, L)
            var charMask = batch.Chars.reshape(b * t, 1, l).ne(HeldScalars.Of(Lexicon.Pad));         // (B*T, 1, L)
            var pooled = conv.masked_fill(charMask.logical_not(), HeldScalars.Of(-1e4)).max(2).values; // (B*T, F)
            pooled = pooled.masked_fill(charMask.any(2).logical_not(), HeldScalars.Of(0));
            x = torch.cat([x, pooled.reshape(b, t, -1)], 2);                          // (B, T, Dw + F)
        }
        x = dropout.forward(x);
        var h = encoder.Encode(x, batch.Mask).Annotations;                          // (B, T, 2H), zero on padding
        Tensor? weights = null;
        if (attention is not null)
        {
            var attended = attention.Forward(h, keyPaddingMask: batch.Mask, needWeights: needWeights);
            weights = attended.Weights;                                              // (B, heads, T, T) when asked
            h = torch.cat([h, attended.Context], 2);                                 // (B, T, 4H)
        }
        return (dropout.forward(h), weights);
    }

    /// <summary>Emission scores <c>(B, T, K)</c>.</summary>
    public override Tensor forward(TaggingBatch batch) => output.forward(Encode(batch).States);
}
