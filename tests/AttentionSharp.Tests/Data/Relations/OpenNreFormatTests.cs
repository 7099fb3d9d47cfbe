using AttentionSharp.Data.Relations;

namespace AttentionSharp.Tests.Data.Relations;

public class OpenNreFormatTests
{
    static readonly RelationSet Relations = new(["NA", "/location/location/contains", "/people/person/nationality"]);

    static List<RelationSentence> Read(string text) => OpenNreFormat.Read(new StringReader(text), "test.txt", Relations);

    const string TokenLine = """{"token": ["Paris", "is", "in", "France", "."], "h": {"name": "France", "id": "m.f", "pos": [3, 4]}, "t": {"name": "Paris", "id": "m.p", "pos": [0, 1]}, "relation": "/location/location/contains"}""";

    [Fact]
    public void ReadsTokenAndTextLinesAndGroupsBags()
    {
        const string textLine = """{"text": "Born in Paris, Marie moved to France.", "h": {"name": "France", "id": "m.f", "pos": [30, 36]}, "t": {"name": "Paris", "id": "m.p", "pos": [8, 13]}, "relation": "NA", "gold": "NA"}""";
        var s = Read(TokenLine + "\n\n" + textLine + "\n" + TokenLine.Replace("m.p", "m.q") + "\n");
        Assert.Equal(3, s.Count);
        Assert.Equal(["paris", "is", "in", "france", "."], s[0].Tokens);
        Assert.Equal((3, 4), (s[0].Head.Start, s[0].Head.End));
        Assert.Null(s[0].Gold);
        // Character spans become token spans: "born in [paris] , marie moved to [france] ."
        Assert.Equal("paris", s[1].Tokens[s[1].Tail.Start]);
        Assert.Equal("france", s[1].Tokens[s[1].Head.Start]);
        Assert.Equal(1, s[1].Head.End - s[1].Head.Start);
        Assert.Equal("NA", s[1].Gold);

        var train = RelationBag.Group(s, training: true);
        Assert.Equal(3, train.Count);                                   // (f, p, contains), (f, p, NA), (f, q, contains)
        var test = RelationBag.Group(s, training: false);
        Assert.Equal(2, test.Count);                                    // (f, p), (f, q)
        Assert.Equal(["/location/location/contains"], test[0].Relations); // NA dropped beside a real relation
        Assert.Equal(2, test[0].Sentences.Count);
        Assert.Null(test[0].GoldRelations);                            // one sentence lacks a gold label

        var round = OpenNreFormat.ParseLine(OpenNreFormat.ToLine(s[1]), Relations);
        Assert.Equal(s[1].Tokens, round.Tokens);
        Assert.Equal(s[1].Head, round.Head);
        Assert.Equal("NA", round.Gold);
    }

    [Theory]
    [InlineData("""{"token": ["a", "b"], "h": {"name": "a", "pos": [0, 1]}, "t": {"name": "b", "pos": [1, 3]}, "relation": "NA"}""", "entity t span [1, 3) is outside the sentence of 2 tokens")]
    [InlineData("""{"token": ["a", "b"], "h": {"name": "a", "pos": [-1, 1]}, "t": {"name": "b", "pos": [1, 2]}, "relation": "NA"}""", "entity h span [-1, 1)")]
    [InlineData("""{"text": "ab", "h": {"name": "a", "pos": [0, 1]}, "t": {"name": "b", "pos": [1, 9]}, "relation": "NA"}""", "outside the sentence of 2 characters")]
    [InlineData("""{"token": ["a", "b"], "h": {"name": "a", "pos": [0, 1]}, "t": {"name": "b", "pos": [1, 2]}, "relation": "/x/unknown"}""", "unknown relation '/x/unknown'")]
    [InlineData("""{"token": ["a", "b"], "h": {"name": "a", "pos": [0, 1]}, "t": {"name": "b", "pos": [1, 2]}""", "malformed JSON")]
    [InlineData("""{"token": ["a", "b"], "h": {"name": "a", "pos": [0, 1]}, "relation": "NA"}""", "missing entity \"t\"")]
    [InlineData("""{"h": {"name": "a", "pos": [0, 1]}, "t": {"name": "b", "pos": [1, 2]}, "relation": "NA"}""", "needs \"token\"")]
    [InlineData("""{"token": ["a", "b"], "h": {"name": "a", "pos": [0, 1]}, "t": {"name": "b", "pos": [1, 2]}}""", "missing \"relation\"")]
    [InlineData("""[1, 2]""", "expected a JSON object")]
    public void BadLinesAreClearErrorsWithTheirLineNumber(string bad, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => Read(TokenLine + "\n" + TokenLine + "\n\n" + bad + "\n" + TokenLine));
        Assert.StartsWith("test.txt line 4: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void RelationListsReadRel2IdJsonAndTextAndRequireNa()
    {
        string dir = Directory.CreateTempSubdirectory("attn-rel-").FullName;
        string json = Path.Combine(dir, "rel2id.json");
        File.WriteAllText(json, """{"/b": 2, "NA": 0, "/a": 1}""");
        Assert.Equal(["NA", "/a", "/b"], RelationSet.Load(json).Names);
        File.WriteAllText(json, """{"/b": 2, "NA": 0}""");
        Assert.Contains("ids must be 0..1", Assert.Throws<InvalidDataException>(() => RelationSet.Load(json)).Message);
        File.WriteAllText(json, """{"/b": 1, "/a": 0}""");
        Assert.Contains("must contain 'NA'", Assert.Throws<InvalidDataException>(() => RelationSet.Load(json)).Message);
        string txt = Path.Combine(dir, "relations.txt");
        File.WriteAllText(txt, "# relations\n/a\nNA\n/b\n");
        var set = RelationSet.Load(txt);
        Assert.Equal(["NA", "/a", "/b"], set.Names);
        Assert.Equal(0, set.IndexOf("NA"));
        Assert.Contains("unknown relation '/c'", Assert.Throws<KeyNotFoundException>(() => set.IndexOf("/c")).Message);
        Assert.Equal(set.Names, RelationSet.Load(WriteAndReturn(Path.Combine(dir, "r2.json"), set.ToRel2IdJson())).Names);
    }

    static string WriteAndReturn(string path, string text)
    {
        File.WriteAllText(path, text);
        return path;
    }
}
