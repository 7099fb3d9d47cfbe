using AttentionSharp.Data.Translation;
using AttentionSharp.Models.Seq2Seq;
using TorchSharp;

namespace AttentionSharp.Tests.Models.Seq2Seq;

public sealed class UnknownWordReplacerTests
{
    static readonly Vocabulary Words = Vocabulary.Build(["der müller kam", "the miller came"], VocabularyLevel.Word);

    [Fact]
    public void EachUnknownTakesTheMostAttendedSourceWordOrItsTranslation()
    {
        string[] source = ["der", "müller", "kam"];
        string[] output = ["the", "<unk>", "came", "<unk>"];
        float[][] weights = [[0.8f, 0.1f, 0.1f], [0.1f, 0.7f, 0.2f], [0.1f, 0.2f, 0.7f], [0.2f, 0.3f, 0.5f, 0.9f]];   // the last row's 4th entry is padding
        var (copied, n) = new UnknownWordReplacer().Replace(source, output, weights);
        Assert.Equal(["the", "müller", "came", "kam"], copied);
        Assert.Equal(2, n);
        var dictionary = new Dictionary<string, IReadOnlyList<string>> { ["müller"] = ["miller"], ["kam"] = ["came", "in"] };
        var (translated, m) = new UnknownWordReplacer(dictionary).Replace(source, output, weights);
        Assert.Equal(["the", "miller", "came", "came", "in"], translated);
        Assert.Equal(2, m);
        // no <unk>: unchanged, nothing counted, rows not needed
        var (same, zero) = new UnknownWordReplacer().Replace(source, ["the", "came"], []);
        Assert.Equal(["the", "came"], same);
        Assert.Equal(0, zero);
    }

    [Fact]
    public void TiesGoToTheFirstSourcePositionAndRandomCasesMatchANaiveArgmax()
    {
        var (tie, _) = new UnknownWordReplacer().Replace(["a", "b", "c"], ["<unk>"], [[0.4f, 0.4f, 0.2f]]);
        Assert.Equal(["a"], tie);
        var rng = new Random(5);
        for (int trial = 0; trial < 200; trial++)
        {
            int s = rng.Next(1, 8), t = rng.Next(1, 8);
            var source = Enumerable.Range(0, s).Select(j => "w" + j).ToArray();
            var output = Enumerable.Range(0, t).Select(_ => rng.Next(3) == 0 ? "<unk>" : "x").ToArray();
            var weights = Enumerable.Range(0, t).Select(_ => Enumerable.Range(0, s).Select(_ => (float)rng.Next(0, 5)).ToArray()).ToArray();
            var (got, n) = new UnknownWordReplacer().Replace(source, output, weights);
            var want = new List<string>();
            for (int i = 0; i < t; i++)
            {
                if (output[i] != "<unk>") { want.Add(output[i]); continue; }
                float max = weights[i].Max();
                want.Add(source[Array.IndexOf(weights[i], max)]);
            }
            Assert.Equal(want, got);
            Assert.Equal(output.Count(o => o == "<unk>"), n);
        }
    }

    [Fact]
    public void BadInputsAreRejectedClearly()
    {
        var r = new UnknownWordReplacer();
        Assert.Contains("attention rows for only 1", Assert.Throws<ArgumentException>(() => r.Replace(["a"], ["x", "<unk>"], [[1f]])).Message);
        Assert.Contains("has 1 weights for 2 source symbols", Assert.Throws<ArgumentException>(() => r.Replace(["a", "b"], ["<unk>"], [[1f]])).Message);
        Assert.Contains("without source symbols", Assert.Throws<ArgumentException>(() => r.Replace([], ["<unk>"], [[1f]])).Message);
        Assert.Contains("translation of 'a' is empty", Assert.Throws<ArgumentException>(() => new UnknownWordReplacer(new Dictionary<string, IReadOnlyList<string>> { ["a"] = [] })).Message);
    }

    [Fact]
    public void AWordDictionaryKeepsSingleWordSourcesTheFirstSenseAndDropsTheInfinitiveTo()
    {
        var pairs = new[]
        {
            new SentencePair("Zeit", "time"), new SentencePair("Zeit", "period"),           // first sense wins
            new SentencePair("schäumen", "to lather"),                                     // infinitive marker dropped
            new SentencePair("keine Zeit haben", "to have no time"),                        // not one source word: skipped
            new SentencePair("zu", "to"),                                                   // a lone 'to' stays
            new SentencePair("Müller", "miller ."),                                         // split into target symbols
        };
        var d = UnknownWordReplacer.WordDictionary(pairs, Words, Words);
        Assert.Equal(["zeit", "schäumen", "zu", "müller"], d.Keys);
        Assert.Equal(["time"], d["zeit"]);
        Assert.Equal(["lather"], d["schäumen"]);
        Assert.Equal(["to"], d["zu"]);
        Assert.Equal(["miller", "."], d["müller"]);
    }

    [Fact]
    public void ADictionaryFileIsReadWithCommentsAndItsErrorsNameTheLine()
    {
        string dir = Path.Combine(Path.GetTempPath(), "attn-unk-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string good = Path.Combine(dir, "good.tsv");
            File.WriteAllLines(good, ["# German\tEnglish", "", "Müller\tmiller", "Zeit\ttime", "keine Zeit\tno time"]);
            var d = UnknownWordReplacer.ReadDictionary(good, Words, Words);
            Assert.Equal(["müller", "zeit"], d.Keys);
            string bad = Path.Combine(dir, "bad.tsv");
            File.WriteAllLines(bad, ["Müller\tmiller", "Zeit time"]);
            Assert.Contains("bad.tsv:2: expected 'source<TAB>translation'", Assert.Throws<InvalidDataException>(() => UnknownWordReplacer.ReadDictionary(bad, Words, Words)).Message);
            string none = Path.Combine(dir, "none.tsv");
            File.WriteAllLines(none, ["keine Zeit\tno time"]);
            Assert.Contains("no entry whose source is a single word symbol", Assert.Throws<InvalidDataException>(() => UnknownWordReplacer.ReadDictionary(none, Words, Words)).Message);
            Assert.Throws<FileNotFoundException>(() => UnknownWordReplacer.ReadDictionary(Path.Combine(dir, "missing.tsv"), Words, Words));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData(Seq2SeqArch.Bahdanau)]
    [InlineData(Seq2SeqArch.LuongGeneral)]
    public void ATranslatorWritesUnknownsOnlyWhenReplacingAndReplacesThemFromItsOwnAttention(Seq2SeqArch arch)
    {
        var vocab = Vocabulary.Build(["a b c d"], VocabularyLevel.Word);
        torch.manual_seed(3);
        var model = new Seq2SeqModel(new Seq2SeqOptions(arch, vocab.Count, vocab.Count, Embedding: 8, Hidden: 8, Dropout: 0, MaxTargetLength: 4));
        var bias = model.named_parameters().Single(p => p.name == "generator.bias").parameter;
        using (torch.no_grad())
        using (var big = 50.0.ToScalar())
        using (var index = torch.tensor(new long[] { Vocabulary.Unk }))
            bias.index_fill_(0, index, big);                               // the model prefers <unk> at every step
        string[] sentences = ["a zebra b", "quagga c d a"];                 // 'zebra' and 'quagga' are unknown to the source vocabulary

        var plain = new Translator(model, vocab, vocab).Translate(sentences);
        Assert.All(plain, t => Assert.DoesNotContain("<unk>", t.OutputSymbols));
        Assert.All(plain, t => Assert.Equal(0, t.Replaced));

        var replacing = new Translator(model, vocab, vocab) { UnknownWords = new UnknownWordReplacer() }.Translate(sentences);
        for (int i = 0; i < sentences.Length; i++)
        {
            var t = replacing[i];
            var words = vocab.Split(sentences[i]);
            Assert.Equal(4, t.OutputSymbols.Count);                        // <unk> until the length limit
            Assert.All(t.OutputSymbols, s => Assert.Equal("<unk>", s));
            var want = t.Weights!.Select(row => words[Array.IndexOf(row, row.Max())]).ToList();
            Assert.Equal(vocab.Join(want), t.Output);
            Assert.Equal(4, t.Replaced);
        }
        var eval = new Translator(model, vocab, vocab) { UnknownWords = new UnknownWordReplacer() }.Evaluate([new SentencePair("a zebra b", "a b")]);
        Assert.Equal(4, eval.Replaced);
    }

    [Fact]
    public void AModelWithoutAttentionCannotReplace()
    {
        var vocab = Vocabulary.Build(["a b"], VocabularyLevel.Word);
        torch.manual_seed(1);
        var model = new Seq2SeqModel(new Seq2SeqOptions(Seq2SeqArch.None, vocab.Count, vocab.Count, Embedding: 4, Hidden: 4, MaxTargetLength: 3));
        var e = Assert.Throws<ArgumentException>(() => new Translator(model, vocab, vocab) { UnknownWords = new UnknownWordReplacer() });
        Assert.Contains("needs an attention model", e.Message);
        Assert.Equal([0, 2], Vocabulary.Banned(allowUnknown: true));
        Assert.Equal(Vocabulary.NeverEmitted, Vocabulary.Banned(allowUnknown: false));
    }
}
