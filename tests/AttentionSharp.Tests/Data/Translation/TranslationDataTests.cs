using AttentionSharp.Data;
using System.Globalization;
using AttentionSharp.Data.Translation;
using AttentionSharp.Training;

namespace AttentionSharp.Tests.Data.Translation;

public class BleuTests
{
    [Fact]
    public void IdenticalSentenceScores100()
    {
        var s = Bleu.Corpus(["The cat sat on the mat."], ["the cat sat on the mat ."]);
        Assert.Equal(100, s.Score, 9);
        Assert.Equal(1, s.BrevityPenalty, 12);
    }

    [Fact]
    public void WorkedExampleWithBrevityPenalty()
    {
        // hyp: the cat sat on mat (5 tokens); ref: the cat sat on the mat (6 tokens)
        // p1 = 5/5; p2 = {the cat, cat sat, sat on} of 4 = 3/4; p3 = {the cat sat, cat sat on} of 3 = 2/3; p4 = {the cat sat on} of 2 = 1/2
        // BP = exp(1 - 6/5); BLEU = BP * (1 * 3/4 * 2/3 * 1/2)^(1/4) = exp(-0.2) * 0.25^0.25 = 0.578928...
        var s = Bleu.Corpus(["the cat sat on mat"], ["the cat sat on the mat"]);
        Assert.Equal([1.0, 0.75, 2.0 / 3, 0.5], s.Precisions);
        Assert.Equal(Math.Exp(-0.2), s.BrevityPenalty, 12);
        Assert.Equal(100 * Math.Exp(-0.2) * Math.Pow(0.25, 0.25), s.Score, 9);
        Assert.Equal(57.8928, s.Score, 3);
    }

    [Fact]
    public void AnUnknownWordInAHypothesisIsOneTokenThatMatchesNothing()
    {
        // hyp: the <unk> sat on the mat (6 tokens, "<unk>" one of them); ref: the cat sat on the mat (6 tokens)
        // p1 = 5/6; p2 = {sat on, on the, the mat} of 5 = 3/5; p3 = {sat on the, on the mat} of 4 = 2/4; p4 = {sat on the mat} of 3 = 1/3
        // BP = 1 (c = r = 6); BLEU = (5/6 * 3/5 * 1/2 * 1/3)^(1/4) = (1/12)^(1/4) = 0.537285...
        Assert.Equal(["the", "<unk>", "sat"], Tokenizer.Translation.Tokenize("The <UNK> sat"));
        var s = Bleu.Corpus(["the <unk> sat on the mat"], ["the cat sat on the mat"]);
        Assert.Equal(6, s.HypothesisLength);
        Assert.Equal([5.0 / 6, 3.0 / 5, 2.0 / 4, 1.0 / 3], s.Precisions);
        Assert.Equal(1.0, s.BrevityPenalty);
        Assert.Equal(100 * Math.Pow(1.0 / 12, 0.25), s.Score, 9);
        Assert.Equal(53.7285, s.Score, 3);
        // Angle brackets that are not the unknown symbol are still punctuation tokens.
        Assert.Equal(["<", "b", ">"], Tokenizer.Translation.Tokenize("<b>"));
    }

    [Fact]
    public void CorpusSumsCountsBeforeDividing()
    {
        // sentence A as above; sentence B identical 3 tokens "hello world !": 3 unigrams, 2 bigrams, 1 trigram, 0 four-grams.
        // p1 = 8/8, p2 = (3+2)/(4+2) = 5/6, p3 = (2+1)/(3+1) = 3/4, p4 = (1+0)/(2+0) = 1/2; c = 8, r = 9, BP = exp(1 - 9/8)
        var s = Bleu.Corpus(["the cat sat on mat", "Hello world!"], ["the cat sat on the mat", "hello world !"]);
        Assert.Equal(8, s.HypothesisLength);
        Assert.Equal(9, s.ReferenceLength);
        double expected = 100 * Math.Exp(1 - 9.0 / 8) * Math.Pow(1.0 * 5 / 6 * 3 / 4 * 1 / 2, 0.25);
        Assert.Equal(expected, s.Score, 9);
    }

    [Fact]
    public void ClippingAndZeroFourGramsGiveZero()
    {
        // "the" appears 4 times but only once in the reference: p1 = 1/4; no bigram matches -> BLEU 0 (no smoothing); c = 4 > r = 2 -> BP 1
        var s = Bleu.Corpus(["the the the the"], ["the cat"]);
        Assert.Equal(0.25, s.Precisions[0], 12);
        Assert.Equal(0, s.Precisions[1]);
        Assert.Equal(1, s.BrevityPenalty);
        Assert.Equal(0, s.Score);
    }

    [Fact]
    public void BadInputsAreRejected()
    {
        Assert.Contains("one reference per hypothesis", Assert.Throws<ArgumentException>(() => Bleu.Corpus(["a"], [])).Message);
        Assert.Contains("at least one sentence", Assert.Throws<ArgumentException>(() => Bleu.Corpus([], [])).Message);
        Assert.Equal(0, Bleu.Corpus([""], ["a b c d"]).Score);
    }
}

public class TokenizerAndVocabularyTests
{
    [Fact]
    public void TokenizerSplitsPunctuationKeepsContractionsAndCjk()
    {
        Assert.Equal(["she", "didn't", "mean", "any", "harm", "."], Tokenizer.Translation.Tokenize("She didn’t mean any harm."));
        Assert.Equal(["2024", "年", "3", "月", "5", "日"], Tokenizer.Translation.Tokenize("2024年3月5日"));
        Assert.Equal(["e-mail", ",", "3.5", "%", "!"], Tokenizer.Translation.Tokenize("E-mail, 3.5%!"));
        Assert.Equal("she didn't mean any harm.", Tokenizer.Detokenize(["she", "didn't", "mean", "any", "harm", "."]));
    }

    [Fact]
    public void WordVocabularyCountsEncodesDecodesAndRoundTripsJson()
    {
        var v = Vocabulary.Build(["a b a.", "b a c"], VocabularyLevel.Word, minCount: 2);
        Assert.Equal(4 + 2, v.Count); // specials + a, b (c and '.' seen once)
        Assert.Equal("a", v[4]);
        Assert.Equal([4, 5, Vocabulary.Unk], v.Encode("a b zzz"));
        Assert.Equal(["zzz"], v.Unknown("a b zzz"));
        Assert.Equal("a b", v.Decode([Vocabulary.Bos, 4, 5, Vocabulary.Eos, 4]));
        var back = Vocabulary.FromJson(System.Text.Json.Nodes.JsonNode.Parse(v.ToJson().ToJsonString()));
        Assert.Equal(v.Count, back.Count);
        Assert.Equal(v.Encode("b a"), back.Encode("b a"));
        Assert.Throws<InvalidDataException>(() => Vocabulary.FromJson(System.Text.Json.Nodes.JsonNode.Parse("{\"level\":\"byte\",\"symbols\":[]}")));
    }

    [Fact]
    public void CharVocabularyHandlesCjkAndAccents()
    {
        var v = Vocabulary.Build(["5 märz", "3月"], VocabularyLevel.Char);
        Assert.Equal(4 + 8, v.Count); // 5, ' ', m, ä, r, z, 3, 月
        Assert.Equal("3月", v.Decode(v.Encode("3月")));
        Assert.Equal(Vocabulary.Unk, v.Encode("Ω")[0]);
    }
}

public class CorpusTests
{
    [Fact]
    public void DatesAreDeterministicAndCorrect()
    {
        var a = DateTask.Generate(200, seed: 7);
        Assert.Equal(a, DateTask.Generate(200, seed: 7));
        Assert.NotEqual(a, DateTask.Generate(200, seed: 8));
        foreach (var p in a)
        {
            var d = DateTime.ParseExact(p.Target, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            Assert.InRange(d, DateTask.First, DateTask.Last);
            Assert.Contains(d.Day.ToString(CultureInfo.InvariantCulture), p.Source);
        }
        Assert.True(a.Select(p => p.Source).Distinct().Count() > 190);
        // unambiguous: no written date maps to two different ISO dates
        var big = DateTask.Generate(20000, seed: 3);
        Assert.All(big.GroupBy(p => p.Source), g => Assert.Single(g.Select(p => p.Target).Distinct()));
        var d0 = new DateTime(2024, 3, 5);
        Assert.Equal("5 märz 2024", DateTask.Humanise(d0, "de-DE", 0));
        Assert.Equal("march 5, 2024", DateTask.Humanise(d0, "en-US", 0));
        Assert.Equal("2024年3月5日", DateTask.Humanise(d0, "zh-CN", 0));
        Assert.Equal("5 mars 2024", DateTask.Humanise(d0, "fr-FR", 0));
        Assert.Equal("2024-03-05", DateTask.Iso(d0));
        var corpus = DateTask.Corpus(300, 50, 50, seed: 1);
        Assert.Empty(corpus.Test.Select(p => p.Source).Intersect(corpus.Train.Select(p => p.Source)));
    }

    [Fact]
    public void DictionaryLinesGiveCleanSentencePairs()
    {
        const string line = "Schaden {m} | jdm. schaden | Fragen kostet nichts. | Sie hat es nicht böse gemeint. | Nichts für ungut! :: " +
                            "harm | to do sb. harm | There is no harm in asking. | She didn’t mean any harm. | No harm meant!";
        var pairs = TransDeEn.ParseLine(line).ToList();
        Assert.Equal(
            [new SentencePair("Fragen kostet nichts.", "There is no harm in asking."), new SentencePair("Sie hat es nicht böse gemeint.", "She didn't mean any harm."),
             new SentencePair("Nichts für ungut!", "No harm meant!")],
            pairs);
        Assert.Equal([new SentencePair("Das Haus ist sehr groß.", "The house is very big.")],
            TransDeEn.ParseLine("Das Haus {n} ist sehr groß. [ugs.] :: The house is very big. [coll.]"));
        Assert.Empty(TransDeEn.ParseLine("Eins zwei drei. | Vier fünf sechs. :: One two three."));           // sides do not align
        Assert.Empty(TransDeEn.ParseLine("# Version :: devel"));
        Assert.Empty(TransDeEn.ParseLine("Er sagt, dass ... kommt. :: He says that ... comes."));
        var all = TransDeEn.Parse([line, line]);
        Assert.Equal(3, all.Count); // de-duplicated
        Assert.Contains(AttentionSharp.Data.DatasetCatalog.All, d => d.Name == "trans-de-en" && d.Files[0].Size == 25_611_714);
    }

    [Fact]
    public void HashSplitIsStableAndDisjoint()
    {
        var pairs = Enumerable.Range(0, 2000).Select(i => new SentencePair($"Satz {i}.", $"Sentence {i}.")).ToList();
        var a = TranslationCorpus.SplitByHash("x", pairs);
        var b = TranslationCorpus.SplitByHash("x", pairs.AsEnumerable().Reverse());
        Assert.Equal(a.Test.Select(p => p.Source).Order(), b.Test.Select(p => p.Source).Order());
        Assert.InRange(a.Dev.Count, 50, 150);
        Assert.InRange(a.Test.Count, 50, 150);
        Assert.Equal(2000, a.Train.Count + a.Dev.Count + a.Test.Count);
        Assert.Equal(0xaf63dc4c8601ec8cUL, StableHash.Fnv1a("a")); // FNV-1a 64 reference value of "a"
    }

    [Fact]
    public void TsvFilesAreReadAndBadLinesNamed()
    {
        string dir = Path.Combine(Path.GetTempPath(), "attn-tsv-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string good = Path.Combine(dir, "train.tsv"), bad = Path.Combine(dir, "bad.tsv");
            File.WriteAllLines(good, Enumerable.Range(0, 400).Select(i => $"eins {i}\tone {i}").Append(""));
            File.WriteAllText(bad, "a\tb\nno tab here\n");
            var c = TsvCorpus.Load(good, null, null);
            Assert.Equal(400, c.Train.Count + c.Dev.Count + c.Test.Count);
            Assert.NotEmpty(c.Dev);
            var e = Assert.Throws<InvalidDataException>(() => TsvCorpus.Read(bad));
            Assert.Contains("bad.tsv:2", e.Message);
            Assert.Contains("got 0 tabs", e.Message);
            Assert.Throws<FileNotFoundException>(() => TsvCorpus.Read(Path.Combine(dir, "missing.tsv")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void BatchesPutBosEosAndMasks()
    {
        var v = Vocabulary.Build(["a b c"], VocabularyLevel.Word);
        var ds = new TranslationDataset([new("a b c", "a"), new("a", "b c"), new("a b c d e f", "a")], v, v, maxSource: 4, maxTarget: 4);
        Assert.Equal(2, ds.Count);
        Assert.Equal(1, ds.Dropped);
        var batch = ds.GetBatch([0, 1]);
        Assert.Equal([2L, 3], batch.Source.shape);
        Assert.Equal([4L, 5, 6, 4, 0, 0], batch.Source.data<long>().ToArray());
        Assert.Equal([true, true, true, true, false, false], batch.SourceMask.data<bool>().ToArray());
        Assert.Equal([2L, 4, 0, 2, 5, 6], batch.TargetIn.data<long>().ToArray());
        Assert.Equal([4L, 3, 0, 5, 6, 3], batch.TargetOut.data<long>().ToArray());
    }
}
