using AttentionSharp.Data.Captioning;
using AttentionSharp.Models.Captioning;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.Captioning;

/// <summary>
/// <see cref="CaptionReferenceChoice"/>: which reference a training image is paired with: cycled by epoch, always the first, or
/// the one the current model finds likeliest (min-loss, <see cref="CaptionTask.ChooseReferences"/>).
/// </summary>
public class CaptionReferenceChoiceTests
{
    // Three images of 16x16: references of different counts and lengths, so padding and the "fewer references" rule are exercised.
    static readonly string[][] Refs =
    [
        ["a 1 left of a 2", "a 2 right of a 1", "a 1 is left of a 2"],
        ["a 3", "there is a 3"],
        ["a 4 above a 5", "a 5 below a 4", "a 4 is above a 5"],
    ];

    static CaptionDataset Set(CaptionReferenceChoice choice)
    {
        var vocab = CaptionVocabulary.Build(Refs.SelectMany(r => r));
        var pixels = new byte[3 * 16 * 16];
        new Random(4).NextBytes(pixels);
        return new CaptionDataset(pixels, 16, 16, Refs, vocab, seed: 9) { ReferenceChoice = choice };
    }

    static string[] Decode(CaptionDataset set, Tensor targets) =>
        Enumerable.Range(0, (int)targets.shape[0]).Select(k => set.Vocabulary.Decode(targets[k].data<long>().Select(x => (int)x))).ToArray();

    [Fact]
    public void CycleUsesEveryReferenceAndFirstOnlyTheFirst()
    {
        var cycle = Set(CaptionReferenceChoice.Cycle);
        var first = Set(CaptionReferenceChoice.First);
        var used = new HashSet<int>();
        for (int epoch = 1; epoch <= 30; epoch++)
        {
            cycle.BeginEpoch(epoch);
            first.BeginEpoch(epoch);
            used.Add(cycle.ReferenceOf(0));
            Assert.Equal(0, first.ReferenceOf(0));
            Assert.Equal(Refs[2][0], Decode(first, first.GetBatch([2]).Targets)[0]);
            Assert.Null(first.GetBatch([0, 2]).AlternativeTargets);
        }
        Assert.Equal([0, 1, 2], used.Order());
        Assert.Equal(CaptionReferenceChoice.First, first.Take(2).ReferenceChoice);
    }

    [Fact]
    public void MinLossTrainingBatchesCarryEveryReferenceAndOthersDoNot()
    {
        var set = Set(CaptionReferenceChoice.MinLoss);
        var eval = set.GetBatch([0, 1, 2]);                        // epoch 0: evaluation, the first reference, no alternatives
        Assert.Null(eval.AlternativeInputs);
        Assert.Equal(Refs.Select(r => r[0]), Decode(set, eval.Targets));

        set.BeginEpoch(1);
        var b = set.GetBatch([1, 0, 2]);
        Assert.Equal(new long[] { 3, 3, 8 }, b.AlternativeTargets!.shape);    // R = 3 references, B = 3, T = longest (7 words) + EOS
        Assert.Equal(b.AlternativeTargets.shape, b.AlternativeInputs!.shape);
        for (int r = 0; r < 3; r++)
        {
            var words = Decode(set, b.AlternativeTargets[r]);
            Assert.Equal(r < 2 ? Refs[1][r] : Refs[1][0], words[0]);        // image 1 has two references: the third row repeats its first
            Assert.Equal(Refs[0][r], words[1]);
            Assert.Equal(Refs[2][r], words[2]);
            // Inputs are the targets shifted right behind <bos>.
            Assert.True(b.AlternativeInputs[r].narrow(1, 1, 7).eq(b.AlternativeTargets[r].narrow(1, 0, 7)).logical_or(b.AlternativeTargets[r].narrow(1, 0, 7).eq(CaptionVocabulary.Eos)).all().item<bool>());
            Assert.True(b.AlternativeInputs[r].select(1, 0).eq(CaptionVocabulary.Bos).all().item<bool>());
        }
    }

    [Fact]
    public void ChooseReferencesKeepsTheReferenceOfLowestLossPerImage()
    {
        var set = Set(CaptionReferenceChoice.MinLoss);
        manual_seed(5);
        var model = new ShowAttendTell(new CaptionOptions(set.Vocabulary.Count, CaptionAttention.Soft, ImageSize: 16, Features: 6, Embedding: 5, Hidden: 7, AttentionHidden: 4, MaxLength: 8));
        var task = new CaptionTask(model);
        set.BeginEpoch(1);
        var batch = set.GetBatch([0, 1, 2]);
        // In training mode the scoring pass leaves batch norm's running statistics as they were.
        var before = model.named_buffers().Select(x => (x.name, x.buffer.clone())).ToArray();
        task.ChooseReferences(batch);
        Assert.All(model.named_buffers().Zip(before), p => Assert.True(p.First.buffer.eq(p.Second.Item2).all().item<bool>(), p.First.name));
        Assert.Contains(before, x => x.Item2.abs().sum().item<float>() > 0);
        // Against the naive reference in evaluation mode, where batch norm does not depend on the batch.
        model.eval();
        var (chosenBatch, chosen) = task.ChooseReferences(batch);
        Assert.Null(chosenBatch.AlternativeTargets);

        // The naive reference: each image alone with each of its own references (unpadded), the NLL from Loss.
        var naive = new int[3];
        var best = new double[3];
        for (int i = 0; i < 3; i++)
        {
            var nlls = Refs[i].Select(r =>
            {
                var single = Set(CaptionReferenceChoice.Cycle);
                var one = single.GetBatch([i]);                     // epoch 0: reference 0, replaced by hand below
                var ids = single.Vocabulary.Encode(r);
                var inputs = torch.tensor(new long[] { CaptionVocabulary.Bos }.Concat(ids.Select(x => (long)x)).ToArray()).unsqueeze(0);
                var targets = torch.tensor(ids.Select(x => (long)x).Append(CaptionVocabulary.Eos).ToArray()).unsqueeze(0);
                using var _ = torch.no_grad();
                return (double)task.Loss(one with { Inputs = inputs, Targets = targets }).Nll.item<float>();
            }).ToArray();
            best[i] = nlls.Min();
            naive[i] = Array.IndexOf(nlls, best[i]);
        }
        Assert.Equal(naive, chosen!.data<long>().Select(x => (int)x).ToArray());
        Assert.Equal(naive.Select((r, i) => Refs[i][r]), Decode(set, chosenBatch.Targets));
        using (torch.no_grad())
        {
            var nll = task.Loss(chosenBatch).Nll.data<float>().ToArray();
            for (int i = 0; i < 3; i++) Assert.True(Math.Abs(best[i] - nll[i]) < 1e-4, $"image {i}: {best[i]} vs {nll[i]}");      // padding to the longest reference changes nothing
        }

        // A training step (training mode) reports the share of images trained on their first reference, and gradients flow as usual.
        model.train();
        var step = task.TrainStep(batch);
        Assert.Equal(naive.Count(r => r == 0), step.Sums["first_reference"]);
        step.Loss.backward();
        Assert.Contains(model.parameters(), p => p.grad is not null && p.grad.abs().sum().item<float>() > 0);
        // Ordinary batches pass through unchanged.
        var plain = Set(CaptionReferenceChoice.Cycle).GetBatch([0]);
        var (same, none) = task.ChooseReferences(plain);
        Assert.Same(plain, same);
        Assert.Null(none);
    }

    [Fact]
    public void TheChoiceIsRecordedAndOldRecordsReadAsCycle()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new CaptionDataSpec(TrainReferences: CaptionReferenceChoice.MinLoss), AttentionSharp.Training.Checkpoint.Json);
        Assert.Contains("\"min-loss\"", json);
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        Assert.True(node.Remove("TrainReferences"));
        var old = System.Text.Json.JsonSerializer.Deserialize<CaptionDataSpec>(node.ToJsonString(), AttentionSharp.Training.Checkpoint.Json)!;
        Assert.Equal(CaptionReferenceChoice.Cycle, old.TrainReferences);
    }
}
