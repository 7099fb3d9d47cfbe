using AttentionSharp.Data.Captioning;
using AttentionSharp.Models.Captioning;
using AttentionSharp.Sequence;
using AttentionSharp.Tests.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.Captioning;

/// <summary>
/// <see cref="CaptionOptions.AttendFrom"/>: Xu et al.'s attention from h_{t-1} with the context into the LSTM (previous), Lu et
/// al. 2017's attention from h_t with the context to the output only (current), and current with input feeding (current-fed).
/// </summary>
public class CaptionAttendFromTests
{
    static ShowAttendTell Model(CaptionAttendFrom from, CaptionAttention attention = CaptionAttention.Soft, bool imageStart = false, long seed = 3)
    {
        manual_seed(seed);
        return new ShowAttendTell(new CaptionOptions(9, attention, ImageSize: 16, Features: 6, Embedding: 5, Hidden: 7, AttentionHidden: 4, MaxLength: 6,
            ImageStart: imageStart, AttendFrom: from));
    }

    static Tensor P(ShowAttendTell model, string name) => model.named_parameters().Single(p => p.name == name).parameter;

    /// <summary>nn.LSTMCell written out: gates i, f, g, o in PyTorch's order.</summary>
    static (Tensor H, Tensor C) Lstm(ShowAttendTell m, Tensor x, Tensor h, Tensor c)
    {
        var gates = x.matmul(P(m, "cell.weight_ih").t()) + P(m, "cell.bias_ih") + h.matmul(P(m, "cell.weight_hh").t()) + P(m, "cell.bias_hh");
        var chunks = gates.chunk(4, 1);
        var cNew = chunks[1].sigmoid() * c + chunks[0].sigmoid() * chunks[2].tanh();
        return (chunks[3].sigmoid() * cNew.tanh(), cNew);
    }

    static Tensor Linear(ShowAttendTell m, string name, Tensor x) => x.matmul(P(m, name + ".weight").t()) + P(m, name + ".bias");

    [Theory]
    [InlineData(CaptionAttendFrom.Current)]
    [InlineData(CaptionAttendFrom.CurrentFed)]
    public void TwoStepsFollowLuEtAlsEquations(CaptionAttendFrom from)
    {
        var model = Model(from, imageStart: true);
        model.eval();
        manual_seed(11);
        using var images = rand(2, 1, 16, 16);
        var words = new[] { tensor(new long[] { CaptionVocabulary.Bos, CaptionVocabulary.Bos }), tensor(new long[] { 5, 7 }) };
        using var _ = no_grad();
        var state = model.Start(images);
        var a = state.Features;                                                    // (2, 4, 6)
        Tensor h = state.Hidden, c = state.Cell, zPrev = zeros(2, 6);
        foreach (var y in words)
        {
            var step = model.StepFrom(y, state);
            state = step.State;
            var e = P(model, "embed.weight").index_select(0, y);                   // E y_{t-1}
            var x = from == CaptionAttendFrom.CurrentFed ? cat([e, zPrev], 1) : e;
            (h, c) = Lstm(model, x, h, c);                                          // h_t first
            var att = model.Attention!.Forward(h, a, a);                            // alpha_t from h_t
            var z = att.Context * Linear(model, "gate", h).sigmoid();               // beta_t from h_t
            var logits = Linear(model, "out_o", e + Linear(model, "out_h", h) + Linear(model, "out_z", z));
            Assert.True(step.Logits.allclose(logits, rtol: 1e-4, atol: 1e-5));
            Assert.True(step.Weights!.allclose(att.Weights!, rtol: 1e-4, atol: 1e-6));
            Assert.True(state.Hidden.allclose(h, rtol: 1e-4, atol: 1e-6));
            zPrev = z;
        }
    }

    [Fact]
    public void WhatTheLstmReadsOfTheImageDependsOnWhereTheContextGoes()
    {
        manual_seed(12);
        using var images = rand(2, 1, 16, 16);
        var same = tensor(new long[] { CaptionVocabulary.Bos, CaptionVocabulary.Bos });
        var next = tensor(new long[] { 5, 5 });
        using var _ = no_grad();
        (Tensor First, Tensor Second, Tensor Logits) Run(CaptionAttendFrom from)
        {
            var model = Model(from);
            model.eval();
            var s1 = model.StepFrom(same, model.Start(images));
            var s2 = model.StepFrom(next, s1.State);
            return (s1.State.Hidden, s2.State.Hidden, s2.Logits);
        }
        // Blind start, same words for both images: with the context only at the output, the LSTM never sees the image.
        var current = Run(CaptionAttendFrom.Current);
        Assert.True(current.First[0].allclose(current.First[1]) && current.Second[0].allclose(current.Second[1]));
        Assert.False(current.Logits[0].allclose(current.Logits[1]));              // the words still depend on the image
        // Fed: no context before the first word, then the first word's context enters the LSTM.
        var fed = Run(CaptionAttendFrom.CurrentFed);
        Assert.True(fed.First[0].allclose(fed.First[1]));
        Assert.False(fed.Second[0].allclose(fed.Second[1]));
        // Xu et al.: the first step's context already enters the LSTM.
        Assert.False(Run(CaptionAttendFrom.Previous).First[0].allclose(Run(CaptionAttendFrom.Previous).First[1]));
    }

    [Theory]
    [InlineData(CaptionAttendFrom.Previous, 5 + 6)]
    [InlineData(CaptionAttendFrom.Current, 5)]
    [InlineData(CaptionAttendFrom.CurrentFed, 5 + 6)]
    public void TheLstmInputIsTheWordAndTheContextWhereItIsRead(CaptionAttendFrom from, int input) =>
        Assert.Equal(4 * 7 * input, P(Model(from), "cell.weight_ih").numel());

    [Theory]
    [InlineData(CaptionAttendFrom.CurrentFed, CaptionAttention.Soft)]
    [InlineData(CaptionAttendFrom.Current, CaptionAttention.Hard)]
    [InlineData(CaptionAttendFrom.CurrentFed, CaptionAttention.Hard)]
    public void WeightsSumToOneAndABatchedBeamEqualsOneImageAtATime(CaptionAttendFrom from, CaptionAttention attention)
    {
        var model = Model(from, attention, imageStart: true, seed: 4);
        manual_seed(13);
        using var images = rand(3, 1, 16, 16);
        model.train();
        var inputs = tensor(new long[,] { { 1, 5, 6 }, { 1, 7, 4 }, { 1, 8, 8 } });
        var pass = model.Forward(images, inputs);
        Assert.Equal(new long[] { 3, 3, 4 }, pass.Weights!.shape);
        Assert.All(pass.Weights.sum(2).data<float>().ToArray(), s => Assert.Equal(1.0, s, 5));
        // Beam search reorders the rows of the state, the fed context included.
        var batched = model.Caption(images, beam: 3);
        for (int i = 0; i < 3; i++)
        {
            var alone = model.Caption(images.narrow(0, i, 1), beam: 3)[0];
            Assert.Equal(alone.Tokens, batched[i].Tokens);
            Assert.Equal(alone.LogProb, batched[i].LogProb, 4);
        }
        model.eval();                                                               // hard attention takes the argmax region
        using var _ = no_grad();
        var greedy = BeamSearch.Greedy(model, model.Start(images), 3, 6, CaptionVocabulary.Bos, CaptionVocabulary.Eos);
        Assert.Equal(model.Caption(images, beam: 1).Select(h => h.Tokens), greedy.Select(h => h.Tokens));
    }

    [Fact]
    public void GradientsMatchFiniteDifferencesWithTheFedContext()
    {
        var model = Model(CaptionAttendFrom.CurrentFed, seed: 7);
        model.to(ScalarType.Float64);
        model.eval();
        var inputs = tensor(new long[,] { { 1, 5, 6 } });
        manual_seed(14);
        GradientCheck.Assert(x => model.Forward(x, inputs).Logits, rand(1, 1, 16, 16, dtype: ScalarType.Float64).mul(0.5).add(0.25), tolerance: 1e-5);
    }

    [Fact]
    public void WithoutAttentionOnlyThePreviousPlacementIsAccepted()
    {
        var e = Assert.Throws<ArgumentException>(() => new CaptionOptions(12, CaptionAttention.None, AttendFrom: CaptionAttendFrom.Current).Validate());
        Assert.Contains("AttendFrom must be previous without attention", e.Message);
        new CaptionOptions(12, CaptionAttention.None).Validate();
        Assert.Throws<ArgumentException>(() => new CaptionOptions(12, AttendFrom: (CaptionAttendFrom)7).Validate());
    }

    [Fact]
    public void OptionsWrittenBeforeTheFieldReadAsXuEtAlsPlacement()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new CaptionOptions(12, AttendFrom: CaptionAttendFrom.CurrentFed), AttentionSharp.Training.Checkpoint.Json);
        Assert.Contains("\"current-fed\"", json);
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        Assert.True(node.Remove("AttendFrom"));
        var old = System.Text.Json.JsonSerializer.Deserialize<CaptionOptions>(node.ToJsonString(), AttentionSharp.Training.Checkpoint.Json)!;
        Assert.Equal(CaptionAttendFrom.Previous, old.AttendFrom);
    }
}
