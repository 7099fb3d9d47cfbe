using System.Text.Json.Nodes;
using AttentionSharp.Data;

namespace AttentionSharp.Tests.Data;

public class SymbolTableTests
{
    [Fact]
    public void SpecialsComeFirstAndEverySymbolOnce()
    {
        var t = new SymbolTable(["<pad>", "<unk>"], ["b", "a"]);
        Assert.Equal(["<pad>", "<unk>", "b", "a"], t.Symbols);
        Assert.Equal(["b", "a"], t.Regular);
        Assert.Equal((2, 4), (t.SpecialCount, t.Count));
        Assert.Equal(3, t.IndexOf("a", -1));
        Assert.Equal(-1, t.IndexOf("zz", -1));
        var e = Assert.Throws<ArgumentException>(() => new SymbolTable(["<pad>"], ["x", "<pad>"], what: "lexicon item"));
        Assert.Contains("lexicon item '<pad>' appears twice (indices 0 and 2)", e.Message);
        Assert.Equal(["<pad>", "x"], new SymbolTable(["<pad>"], ["x", "<pad>", "x"], skipRepeats: true).Symbols);
    }

    [Theory]
    [InlineData(TieOrder.Ordinal, new[] { "c", "a", "b" })]     // c x3, then a and b x2 in ordinal order
    [InlineData(TieOrder.FirstSeen, new[] { "c", "b", "a" })]   // ... or in order of first appearance
    public void ByFrequencyOrdersByCountThenTies(TieOrder ties, string[] expected)
    {
        string[] tokens = ["b", "c", "a", "c", "b", "c", "a", "d", "<unk>", "<unk>", "<unk>"];
        Assert.Equal(expected, SymbolTable.ByFrequency(tokens, 2, ties, exclude: ["<unk>"]));
        Assert.Equal(expected.Take(2), SymbolTable.ByFrequency(tokens, 2, ties, exclude: ["<unk>"], maxCount: 2));
        Assert.Throws<ArgumentException>(() => SymbolTable.ByFrequency(tokens, 0, ties));
    }

    [Fact]
    public void JsonRoundTripsAndABadListIsAClearError()
    {
        var t = new SymbolTable(["<pad>"], ["é", "x"]);
        Assert.Equal(["é", "x"], SymbolTable.ReadJson(t.ToJson(from: 1), "symbols"));
        Assert.Contains("must be a JSON array", Assert.Throws<InvalidDataException>(() => SymbolTable.ReadJson(new JsonObject(), "a vocabulary")).Message);
        Assert.Contains("null entry", Assert.Throws<InvalidDataException>(() => SymbolTable.ReadJson(JsonNode.Parse("[\"a\", null]"), "a vocabulary")).Message);
        Assert.Contains("non-string", Assert.Throws<InvalidDataException>(() => SymbolTable.ReadJson(JsonNode.Parse("[\"a\", 3]"), "a vocabulary")).Message);
    }
}
