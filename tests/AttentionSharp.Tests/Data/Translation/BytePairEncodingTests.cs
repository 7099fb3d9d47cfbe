using AttentionSharp.Data;
using System.Text.Json.Nodes;
using AttentionSharp.Data.Translation;

namespace AttentionSharp.Tests.Data.Translation;

public class BytePairEncodingTests
{
    // Sennrich et al.'s toy dictionary: low 5, lower 2, newest 6, widest 3.
    static readonly Dictionary<string, long> Toy = new() { ["low"] = 5, ["lower"] = 2, ["newest"] = 6, ["widest"] = 3 };

    // Hand-computed (w = </w>, ties by ordinal order of left, then right symbol):
    //  start  l o w_w(5) | l o w e r_w(2) | n e w e s t_w(6) | w i d e s t_w(3)
    //  1  e+s     9 (tie with s+t_w 9; "e" < "s")
    //  2  es+t_w  9
    //  3  l+o     7
    //  4  e+w     6 (ties n+e, w+est_w; "e" < "n" < "w")
    //  5  ew+est_w 6 (tie n+ew; "ew" < "n")
    //  6  n+ewest_w 6
    //  7  lo+w_w  5
    //  8  d+est_w 3 (ties i+d, w+i)   9  i+dest_w 3   10  w+idest_w 3
    //  11 e+r_w   2 (ties lo+w, w+e)  12  lo+w 2      13  low+er_w 2   -> every word is one symbol; no pair left
    static readonly (string, string)[] Expected =
    [
        ("e", "s"), ("es", "t</w>"), ("l", "o"), ("e", "w"), ("ew", "est</w>"), ("n", "ewest</w>"), ("lo", "w</w>"),
        ("d", "est</w>"), ("i", "dest</w>"), ("w", "idest</w>"), ("e", "r</w>"), ("lo", "w"), ("low", "er</w>"),
    ];

    [Fact]
    public void LearnsTheHandComputedMergesOfTheToyDictionary()
    {
        Assert.Equal(Expected[..7], BytePairEncoding.LearnFromCounts(Toy, 7).Merges);
        // Asking for more merges than there are pairs stops when every word is one symbol.
        var all = BytePairEncoding.LearnFromCounts(Toy, 100);
        Assert.Equal(Expected, all.Merges);
        Assert.Empty(BytePairEncoding.LearnFromCounts(Toy, 0).Merges);
    }

    [Fact]
    public void LearnCountsWordsOfTextsWithTheProjectTokenizer()
    {
        var texts = new List<string>();
        for (int i = 0; i < 5; i++) texts.Add("Low");
        texts.Add("lower LOWER");
        for (int i = 0; i < 6; i++) texts.Add("newest");
        texts.Add("widest widest widest");
        Assert.Equal(Expected[..7], BytePairEncoding.Learn(texts, 7).Merges);
    }

    [Fact]
    public void StopsWhenNoPairOccursTwice()
    {
        // "ab" once, "cd" once: every pair has count 1, so nothing is merged.
        Assert.Empty(BytePairEncoding.LearnFromCounts(new Dictionary<string, long> { ["ab"] = 1, ["cd"] = 1 }, 10).Merges);
        // "ab" twice: a+b_w (count 2) is merged, then nothing is left.
        Assert.Equal([("a", "b</w>")], BytePairEncoding.LearnFromCounts(new Dictionary<string, long> { ["ab"] = 2 }, 10).Merges);
    }

    [Fact]
    public void EncodesWordsWithTheEarliestMergesAndTheContinuationConvention()
    {
        var bpe = BytePairEncoding.LearnFromCounts(Toy, 7);
        // lowest: l o w e s t_w -> (1) l o w es t_w -> (2) l o w est_w -> (3) lo w est_w; lo+w and w+est_w are not merges
        Assert.Equal(["lo@@", "w@@", "est"], bpe.EncodeWord("lowest"));
        // newer: n e w e r_w -> (4) n ew e r_w; no other pair is among the first 7 merges
        Assert.Equal(["n@@", "ew@@", "e@@", "r"], bpe.EncodeWord("newer"));
        Assert.Equal(["low"], bpe.EncodeWord("low"));
        Assert.Equal(["newest"], bpe.EncodeWord("newest"));
        Assert.Equal(["x"], bpe.EncodeWord("x"));
        Assert.Equal(["<unk>"], bpe.EncodeWord("<unk>"));
        Assert.Equal(["low", "lo@@", "w@@", "est", "."], bpe.Encode("Low lowest."));
        Assert.Equal(["low", "lowest", "."], BytePairEncoding.Decode(["low", "lo@@", "w@@", "est", "."]));
        // A dangling continuation at the end (a model may stop mid-word) still yields a word.
        Assert.Equal(["a", "bc"], BytePairEncoding.Decode(["a", "b@@", "c@@"]));
    }

    [Fact]
    public void RoundTripsArbitraryTextIncludingUnseenCharacters()
    {
        var bpe = BytePairEncoding.Learn(["Sie hat es nicht böse gemeint.", "Das Wetter ist heute schön, nicht wahr?", "Die Größe des Hauses beträgt 3.5 m."], 50);
        Assert.NotEmpty(bpe.Merges);
        string[] fixedTexts =
        [
            "Größenwahn ist nicht schön!", "naïve café, e-mail und didn't", "日本語のテキスト ☃ 😀 ok", "ÆØÅ @@ </w> <unk> a@b",
            "x", "", "   ", "1.000,5 % (Klammer) [eckig]",
        ];
        var rng = new Random(11);
        // Whole text elements only (no lone surrogates): letters, umlauts, punctuation, the marker characters, emoji, CJK, a combining accent.
        string[] alphabet = [.. "abcdeäöüßxyz ABC.,!?-'@<>/w0123".Select(c => c.ToString()), "😀", "日", "☃", "\u0301", "  "];
        var texts = fixedTexts.Concat(Enumerable.Range(0, 300).Select(_ =>
            string.Concat(Enumerable.Range(0, rng.Next(0, 25)).Select(_ => alphabet[rng.Next(alphabet.Length)]))));
        foreach (var text in texts)
        {
            var words = Tokenizer.Translation.Tokenize(text);
            var pieces = bpe.Encode(text);
            Assert.True(pieces.Count >= words.Count, text);
            Assert.Equal(words, BytePairEncoding.Decode(pieces));
            Assert.All(pieces, p => Assert.DoesNotContain(BytePairEncoding.EndOfWord, p));
        }
    }

    [Fact]
    public void SubwordVocabularyMapsUnseenCharactersToUnknownAndJoinsWords()
    {
        var corpus = new[] { "low lower newest widest", "low low newest newest", "widest lowest." };
        var bpe = BytePairEncoding.Learn(corpus, 20);
        var v = Vocabulary.Build(corpus, bpe);
        Assert.Equal(VocabularyLevel.Subword, v.Level);
        var ids = v.Encode("lowest ☃ newest");
        Assert.Contains(Vocabulary.Unk, ids);
        Assert.Equal(["☃"], v.Unknown("lowest ☃ newest"));
        Assert.Equal("lowest <unk> newest", v.Decode(ids));
        Assert.Equal("low, newest.", v.Join(["low", ",", "new@@", "est", "."]));
        Assert.Equal(3, v.WordCount("lowest ☃ newest"));
        Assert.True(v.Split("lowest ☃ newest").Count > 3);
    }

    [Fact]
    public void MergesSurviveTheJsonOfACheckpointVocabulary()
    {
        var corpus = new[] { "Die Größe des Hauses.", "Das Haus ist groß.", "Häuser und Größen." };
        var bpe = BytePairEncoding.Learn(corpus, 30);
        var v = Vocabulary.Build(corpus, bpe);
        var back = Vocabulary.FromJson(JsonNode.Parse(v.ToJson().ToJsonString()));
        Assert.Equal(VocabularyLevel.Subword, back.Level);
        Assert.Equal(bpe.Merges, back.Subwords!.Merges);
        Assert.Equal(v.Count, back.Count);
        Assert.Equal(v.Encode("Größere Häuser!"), back.Encode("Größere Häuser!"));
        Assert.Equal(bpe.Merges, BytePairEncoding.FromJson(JsonNode.Parse(bpe.ToJson().ToJsonString())).Merges);
    }

    [Fact]
    public void BadInputIsRejectedWithAClearMessage()
    {
        Assert.Contains("must be >= 0; got -1", Assert.Throws<ArgumentException>(() => BytePairEncoding.LearnFromCounts(Toy, -1)).Message);
        Assert.Contains("count of 'a' must be >= 1; got 0",
            Assert.Throws<ArgumentException>(() => BytePairEncoding.LearnFromCounts(new Dictionary<string, long> { ["a"] = 0 }, 1)).Message);
        Assert.Contains("without whitespace; got 'a b'",
            Assert.Throws<ArgumentException>(() => BytePairEncoding.LearnFromCounts(new Dictionary<string, long> { ["a b"] = 2 }, 1)).Message);
        var bpe = BytePairEncoding.LearnFromCounts(Toy, 3);
        Assert.Contains("non-empty", Assert.Throws<ArgumentException>(() => bpe.EncodeWord("")).Message);
        Assert.Contains("(the subword markers); got 'ab@@'", Assert.Throws<ArgumentException>(() => bpe.EncodeWord("ab@@")).Message);
        Assert.Contains("repeats an earlier merge", Assert.Throws<ArgumentException>(() => new BytePairEncoding([("a", "b"), ("a", "b")])).Message);
        Assert.Contains("two non-empty symbols", Assert.Throws<ArgumentException>(() => new BytePairEncoding([("a", "")])).Message);
        Assert.Contains("end-of-word marker", Assert.Throws<ArgumentException>(() => new BytePairEncoding([("a</w>", "b")])).Message);

        Assert.Contains("must be an array", Assert.Throws<InvalidDataException>(() => BytePairEncoding.FromJson(JsonNode.Parse("{}"))).Message);
        Assert.Contains("merge 1 must be a [left, right] pair of strings; got [\"c\"]",
            Assert.Throws<InvalidDataException>(() => BytePairEncoding.FromJson(JsonNode.Parse("[[\"a\",\"b\"],[\"c\"]]"))).Message);
        Assert.Contains("merge 0 must be a [left, right] pair of strings",
            Assert.Throws<InvalidDataException>(() => BytePairEncoding.FromJson(JsonNode.Parse("[[1,2]]"))).Message);
        Assert.Contains("repeats", Assert.Throws<InvalidDataException>(() => BytePairEncoding.FromJson(JsonNode.Parse("[[\"a\",\"b\"],[\"a\",\"b\"]]"))).Message);

        Assert.Contains("needs its byte-pair encoding", Assert.Throws<ArgumentException>(() => new Vocabulary(VocabularyLevel.Subword, ["a"])).Message);
        Assert.Contains("takes no byte-pair encoding", Assert.Throws<ArgumentException>(() => new Vocabulary(VocabularyLevel.Word, ["a"], bpe)).Message);
        Assert.Contains("Build(texts, bpe", Assert.Throws<ArgumentException>(() => Vocabulary.Build(["a"], VocabularyLevel.Subword)).Message);
        Assert.Contains("needs its 'merges'",
            Assert.Throws<InvalidDataException>(() => Vocabulary.FromJson(JsonNode.Parse("{\"level\":\"subword\",\"symbols\":[\"a\"]}"))).Message);
        Assert.Contains("must not have 'merges'",
            Assert.Throws<InvalidDataException>(() => Vocabulary.FromJson(JsonNode.Parse("{\"level\":\"word\",\"symbols\":[\"a\"],\"merges\":[]}"))).Message);
    }
}
