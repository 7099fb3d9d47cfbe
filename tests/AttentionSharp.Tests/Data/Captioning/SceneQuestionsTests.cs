using AttentionSharp.Data;
using AttentionSharp.Data.Captioning;

namespace AttentionSharp.Tests.Data.Captioning;

public class SceneQuestionsTests
{
    const int Canvas = 64;

    /// <summary>An object of <paramref name="word"/> in cell (row, column) of the 3x3 grid on a 64-pixel canvas (20-pixel boxes at the cell centres).</summary>
    static SceneObject At(string word, int row, int column) =>
        new(Array.IndexOf(SceneGrammar.Words, word), word, new ObjectBox(row * Canvas / 3 + 1, column * Canvas / 3 + 1, 20, 20));

    [Fact]
    public void CellsAndNeighboursFollowTheBoxes()
    {
        // A row: 3 in the left cell, sandal in the right cell (a gap in the middle); a column: bag above 7.
        SceneObject[] row = [At("3", 1, 0), At("sandal", 1, 2)];
        Assert.Equal("left", SceneQuestions.CellName(row[0].Box, Canvas));
        Assert.Equal("right", SceneQuestions.CellName(row[1].Box, Canvas));
        Assert.Equal(1, SceneQuestions.Neighbour(row, 0, "right", Canvas));
        Assert.Equal(0, SceneQuestions.Neighbour(row, 1, "left", Canvas));
        Assert.Equal(-1, SceneQuestions.Neighbour(row, 0, "left", Canvas));
        Assert.Equal(-1, SceneQuestions.Neighbour(row, 0, "above", Canvas));
        SceneObject[] column = [At("bag", 0, 2), At("7", 1, 2), At("0", 2, 2)];
        Assert.Equal("top-right", SceneQuestions.CellName(column[0].Box, Canvas));
        Assert.Equal("bottom-right", SceneQuestions.CellName(column[2].Box, Canvas));
        Assert.Equal(1, SceneQuestions.Neighbour(column, 0, "below", Canvas));   // the nearest, not the farthest
        Assert.Equal(1, SceneQuestions.Neighbour(column, 2, "above", Canvas));
        Assert.Equal(-1, SceneQuestions.Neighbour(column, 1, "right", Canvas));
        Assert.Contains("direction must be one of left, right, above, below; got 'up'",
            Assert.Throws<ArgumentException>(() => SceneQuestions.Neighbour(column, 0, "up", Canvas)).Message);
    }

    [Fact]
    public void EveryAnswerIsTrueOfTheScene()
    {
        SceneObject[] scene = [At("bag", 0, 1), At("7", 1, 1), At("trouser", 2, 1)];
        var rng = new Random(5);
        for (int i = 0; i < 300; i++)
            foreach (var kind in Enum.GetValues<QuestionKind>())
            {
                var q = SceneQuestions.Ask(scene, Canvas, kind, rng);
                Assert.Contains(q.Answer, SceneQuestions.Answers);
                switch (kind)
                {
                    case QuestionKind.Exist:
                        Assert.Equal(["is", "there", "a"], q.Words[..3]);
                        bool present = scene.Any(o => o.Word == q.Words[3]);
                        Assert.Equal(present ? "yes" : "no", q.Answer);
                        Assert.Equal(present ? Array.FindIndex(scene, o => o.Word == q.Words[3]) : -1, q.Focus);
                        break;
                    case QuestionKind.Relate:
                    {
                        string direction = q.Words[2], asked = q.Words[^1];
                        int from = Array.FindIndex(scene, o => o.Word == asked);
                        string expected = (direction, from) switch
                        {
                            ("above", 1) => "bag", ("above", 2) => "7", ("below", 0) => "7", ("below", 1) => "trouser", _ => "nothing",
                        };
                        Assert.Equal(expected, q.Answer);
                        if (expected == "nothing") { Assert.Equal(-1, q.Focus); Assert.Null(q.Relation); }
                        else
                        {
                            Assert.Equal(expected, scene[q.Focus].Word);
                            // The relation in canonical direction: the upper object first.
                            var upper = direction == "above" ? expected : asked;
                            var lower = direction == "above" ? asked : expected;
                            Assert.Equal(new SceneRelation(upper, false, lower), q.Relation);
                        }
                        break;
                    }
                    case QuestionKind.Where:
                        Assert.Equal(new[] { "top", "centre", "bottom" }[Array.FindIndex(scene, o => o.Word == q.Words[^1])], q.Answer);
                        break;
                }
            }
    }

    [Fact]
    public void QuestionsAreBalancedSoThatTheWordsDoNotGiveTheAnswer()
    {
        SceneObject[] scene = [At("3", 1, 0), At("sandal", 1, 1), At("coat", 1, 2)];
        var rng = new Random(9);
        int yes = 0, nothing = 0, n = 4000;
        var relateAnswers = new HashSet<string>();
        for (int i = 0; i < n; i++)
        {
            if (SceneQuestions.Ask(scene, Canvas, QuestionKind.Exist, rng).Answer == "yes") yes++;
            var r = SceneQuestions.Ask(scene, Canvas, QuestionKind.Relate, rng);
            if (r.Answer == "nothing") nothing++; else relateAnswers.Add(r.Answer);
        }
        Assert.InRange(yes / (double)n, 0.47, 0.53);          // present and absent objects with equal chance
        Assert.InRange(nothing / (double)n, 0.22, 0.28);      // one relation question in four has no answer
        Assert.Equal(["3", "coat", "sandal"], relateAnswers.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheDatasetAsksTheSameQuestionsOutsideTrainingAndNewOnesEachEpoch()
    {
        var (d, f) = CaptionScenesTests.Sources();
        var set = CaptionScenes.Build(d.Train, f.Train, new SceneOptions(), 40, 1, new HashSet<SceneRelation>(), [], false, CaptionScenes.Vocabulary());
        var questions = new QuestionDataset(set, 3, seed: 7);
        Assert.Equal(set.Count, questions.Count);
        var first = questions.QuestionsOf(5);
        Assert.Equal([QuestionKind.Exist, QuestionKind.Relate, QuestionKind.Where], first.Select(q => q.Kind));
        Assert.Equal(first.Select(q => q.Text), questions.QuestionsOf(5).Select(q => q.Text));
        Assert.Equal(first.Select(q => q.Text), new QuestionDataset(set, 3, seed: 7).QuestionsOf(5, 0).Select(q => q.Text));
        int differ = Enumerable.Range(0, set.Count).Count(s => !questions.QuestionsOf(s, 1).Select(q => q.Text).SequenceEqual(questions.QuestionsOf(s, 2).Select(q => q.Text)));
        Assert.True(differ > set.Count / 2, $"only {differ} of {set.Count} scenes got new questions in a new epoch");

        var batch = questions.GetBatch([3, 8]);
        Assert.Equal([2L, 1, 64, 64], batch.Images.shape);
        Assert.Equal([0L, 0, 0, 1, 1, 1], batch.ImageOf.data<long>().ToArray());
        Assert.Equal([3, 3, 3, 8, 8, 8], batch.SceneOf);
        Assert.Equal(6, batch.Questions.shape[0]);
        Assert.Equal(batch.Items.Select(q => (long)q.Words.Length), batch.Mask.sum(1).data<long>().ToArray());
        Assert.Equal(batch.Items.Select(q => (long)SceneQuestions.AnswerId(q.Answer)), batch.Answers.data<long>().ToArray());
        var vocab = SceneQuestions.Vocabulary();
        Assert.Equal(vocab.IdOf(batch.Items[4].Words[0]), batch.Questions[4, 0].item<long>());
        Assert.Equal(0L, batch.Questions[0, 4..].sum().item<long>());       // "is there a X" is padded after 4 words

        Assert.Contains("unknown word 'cat' in question \"is there a cat\"",
            Assert.Throws<ArgumentException>(() => QuestionDataset.EncodeWords([["is", "there", "a", "cat"]], vocab, TorchSharp.torch.CPU)).Message);
        Assert.Contains("question 1 is empty",
            Assert.Throws<ArgumentException>(() => QuestionDataset.EncodeWords([["where"], []], vocab, TorchSharp.torch.CPU)).Message);
        Assert.Equal(["what", "is", "left", "of", "the", "7"], SceneQuestions.Tokenize("What is left of the 7?"));
        Assert.Contains("questions need scenes with their objects",
            Assert.Throws<ArgumentException>(() => new QuestionDataset(new CaptionDataset(new byte[64], 8, 8, [["a 1"]], CaptionScenes.Vocabulary()), 3, 1)).Message);
    }
}
