using AttentionSharp.Data;

namespace AttentionSharp.Tests.Data;

public class ConllFileTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("attn-conll-test-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    string Write(string name, string text)
    {
        var p = Path.Combine(_dir, name);
        File.WriteAllText(p, text);
        return p;
    }

    [Fact]
    public void ReadsSentencesSkipsDocstartAndRoundTrips()
    {
        var path = Write("a.txt", "-DOCSTART- -X- O\n\nJohn NNP B-PER\nlives VBZ O\nin IN O\nParis NNP B-LOC\n\n\n  \nHe PRP O\nleft VBD O\n");
        var s = ConllFile.Read(path);
        Assert.Equal(2, s.Count);
        Assert.Equal(["John", "lives", "in", "Paris"], s[0].Tokens);
        Assert.Equal(["B-PER", "O", "O", "B-LOC"], s[0].Tags);
        Assert.Equal(3, s[0].FirstLine);
        Assert.Equal(10, s[1].FirstLine);

        var tagged = ConllFile.ReadTagged(path);
        var copy = Path.Combine(_dir, "copy.txt");
        ConllFile.WriteTagged(copy, tagged);
        var back = ConllFile.ReadTagged(copy);
        Assert.Equal(tagged.Select(t => string.Join(" ", t.Words) + "|" + string.Join(" ", t.Tags)),
                     back.Select(t => string.Join(" ", t.Words) + "|" + string.Join(" ", t.Tags)));

        var withPred = Path.Combine(_dir, "pred.txt");
        ConllFile.Write(withPred, s, [["B-PER", "O", "O", "O"], ["O", "O"]]);
        var lines = File.ReadAllLines(withPred);
        Assert.Equal("John\tNNP\tB-PER\tB-PER", lines[0]);
        Assert.Equal("Paris\tNNP\tB-LOC\tO", lines[3]);
        Assert.Equal("", lines[4]);
    }

    [Fact]
    public void MisalignedColumnsNameTheLine()
    {
        var path = Write("bad.txt", "John NNP B-PER\nlives O\n");
        var e = Assert.Throws<InvalidDataException>(() => ConllFile.Read(path));
        Assert.Contains("line 2", e.Message);
        Assert.Contains("expected 3", e.Message);
        Assert.Contains("got 2", e.Message);
    }

    [Fact]
    public void TooFewColumnsAndEmptyFilesAreClearErrors()
    {
        var one = Write("one.txt", "John\nlives\n");
        Assert.Contains("at least 2 columns", Assert.Throws<InvalidDataException>(() => ConllFile.Read(one)).Message);
        Assert.Single(ConllFile.Read(one, minColumns: 1));
        var empty = Write("empty.txt", "\n\n   \n-DOCSTART- O\n\n");
        Assert.Contains("no sentences", Assert.Throws<InvalidDataException>(() => ConllFile.Read(empty)).Message);
        Assert.Throws<FileNotFoundException>(() => ConllFile.Read(Path.Combine(_dir, "missing.txt")));
    }

    [Fact]
    public void UnknownTagsAtTestTimeNameTagAndLine()
    {
        var path = Write("test.txt", "John B-PER\n\nRome B-CITY\n");
        var e = Assert.Throws<InvalidDataException>(() => ConllFile.CheckTags(ConllFile.Read(path), new HashSet<string> { "O", "B-PER", "I-PER" }, "test.txt"));
        Assert.Contains("line 3", e.Message);
        Assert.Contains("'B-CITY'", e.Message);
        Assert.Contains("B-PER I-PER O", e.Message);
    }

    [Fact]
    public void TaggedSentenceRejectsMismatchedLengths()
    {
        Assert.Contains("2 words, got 1 tags", Assert.Throws<ArgumentException>(() => new TaggedSentence(["a", "b"], ["X"])).Message);
        Assert.Throws<ArgumentException>(() => new TaggedSentence([], []));
    }
}
