using System.Text.Json.Nodes;
using AttentionSharp.Data.Text;
using AttentionSharp.Models.TextClassification;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.TextClassification;

public class TextClassifierBundleTests
{
    [Fact]
    public void CheckpointCarriesTheVocabularyAndAMismatchIsRejected()
    {
        string dir = Directory.CreateTempSubdirectory("textckpt").FullName;
        try
        {
            var vocab = Vocabulary.Build([["good", "good", "bad", "bad"]], minCount: 1);
            var net = new TextClassifierOptions(Model: TextClassifierModel.Attn, VocabularySize: vocab.Count, Embedding: 4, Hidden: 3, AttentionDim: 3);
            var run = new TextClassificationRun("csv", 1, 0, 1, null, null, "label", "text", net);
            torch.manual_seed(1);
            var model = TextClassifiers.Create(net);
            string good = Path.Combine(dir, "good.ckpt");
            var id = TextClassifierBundle.Identity(run, vocab, ["neg", "pos"]);
            Checkpoint.Save(good, new CheckpointHeader { Kind = id.Kind, Options = id.Options, Extra = id.Extra }, model.Module, null);
            var loaded = TextClassifierBundle.Load(good);
            Assert.Equal(vocab.Count, loaded.Vocabulary.Count);
            Assert.Equal(["neg", "pos"], loaded.ClassNames);
            var before = new TextClassifierBundle(model, vocab, ["neg", "pos"], run).Predict("good bad");
            Assert.Equal(before.Probabilities, loaded.Predict("good bad").Probabilities);

            // A vocabulary one entry short of what the model expects.
            var shortVocab = Vocabulary.Build([["good"]], minCount: 1);
            string bad = Path.Combine(dir, "bad.ckpt");
            var badId = TextClassifierBundle.Identity(run, shortVocab, ["neg", "pos"]);
            Checkpoint.Save(bad, new CheckpointHeader { Kind = badId.Kind, Options = badId.Options, Extra = badId.Extra }, model.Module, null);
            var e = Assert.Throws<CheckpointException>(() => TextClassifierBundle.Load(bad));
            Assert.Contains($"vocabulary has {shortVocab.Count} entries but its model expects {vocab.Count}", e.Message);
            Assert.Throws<ArgumentException>(() => new TextClassifierBundle(model, shortVocab, ["neg", "pos"], run));

            // No vocabulary at all.
            string none = Path.Combine(dir, "none.ckpt");
            Checkpoint.Save(none, new CheckpointHeader { Kind = id.Kind, Options = id.Options, Extra = new JsonObject() }, model.Module, null);
            Assert.Contains("vocabulary", Assert.Throws<CheckpointException>(() => TextClassifierBundle.Load(none)).Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
