using AttentionSharp.Data.Text;

namespace AttentionSharp.Tests.Data.Text;

public class VocabularyAndCsvTests
{
    [Fact]
    public void VocabularyKeepsFrequentTokensMapsTheRestToUnknownAndRoundTrips()
    {
        var v = Vocabulary.Build([["a", "b", "a"], ["a", "c", "b"], ["d"]], minCount: 2);
        Assert.Equal(4, v.Count);
        Assert.Equal(Vocabulary.PadToken, v[0]);
        Assert.Equal(Vocabulary.UnknownToken, v[1]);
        Assert.Equal("a", v[2]);
        Assert.Equal(3, v.IndexOf("b"));
        Assert.Equal(Vocabulary.Unknown, v.IndexOf("d"));
        var back = Vocabulary.FromJson(v.ToJson());
        Assert.Equal(v.Count, back.Count);
        Assert.Equal(3, back.IndexOf("b"));
        Assert.Throws<InvalidDataException>(() => Vocabulary.FromJson(new System.Text.Json.Nodes.JsonArray("x", "y")));
        Assert.Throws<ArgumentException>(() => Vocabulary.Build([], minCount: 0));
    }

    [Fact]
    public void CsvReadsQuotedFieldsWithCommasNewlinesAndDoubledQuotes()
    {
        var rows = CsvReader.Read(new StringReader("\uFEFFlabel,text\r\npos,\"a, \"\"b\"\"\nc\"\n\nneg,plain\n"));
        Assert.Equal(3, rows.Count);
        Assert.Equal(["label", "text"], rows[0]);
        Assert.Equal(["pos", "a, \"b\"\nc"], rows[1]);
        Assert.Equal(["neg", "plain"], rows[2]);
        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(new StringReader("a,\"open\nb")));
        Assert.Contains("never closed", e.Message);
    }

    [Fact]
    public void UserCsvNamesColumnsByHeaderAndAcceptsAnyNumberOfClasses()
    {
        string dir = Directory.CreateTempSubdirectory("textcsv").FullName;
        try
        {
            string train = Path.Combine(dir, "train.csv"), test = Path.Combine(dir, "test.csv"), bad = Path.Combine(dir, "bad.csv");
            File.WriteAllText(train, "id,text,topic\n1,\"Goal, and a win\",sport\n2,Shares fell,finance\n3,Rain tomorrow,weather\n4,\"Ein Tor, 好\",sport\n");
            File.WriteAllText(test, "topic,text\nfinance,Stocks\n");
            File.WriteAllText(bad, "topic,text\ncooking,Soup\n");
            var c = TextTasks.LoadCsv(train, "topic", "text");
            Assert.Equal(["finance", "sport", "weather"], c.ClassNames);
            Assert.Equal([1, 0, 2, 1], c.Labels);
            Assert.Equal("Ein Tor, 好", c.Texts[3]);
            var t = TextTasks.LoadCsv(test, "topic", "text", c.ClassNames);
            Assert.Equal([0], t.Labels);
            Assert.Contains("not one of the training classes", Assert.Throws<InvalidDataException>(() => TextTasks.LoadCsv(bad, "topic", "text", c.ClassNames)).Message);
            Assert.Contains("label column 'label'", Assert.Throws<InvalidDataException>(() => TextTasks.LoadCsv(train)).Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void PolarityCsvAndSpamEscapesAreRead()
    {
        string dir = Directory.CreateTempSubdirectory("polarity").FullName;
        try
        {
            string p = Path.Combine(dir, "p.csv");
            File.WriteAllText(p, "\uFEFF\"1\",\"a fine \"\" film \"\" .\nsecond line .\"\n\"-1\",\"dull .\"\n");
            var c = TextTasks.ReadPolarity(p, "x");
            Assert.Equal([1, 0], c.Labels);
            Assert.Equal(2, SentenceSplitter.Split(c.Texts[0]).Count);
            string raw = "a\\b\tc\nd\re";
            Assert.Equal(raw, NpmTextCorpusRoute.Unescape(NpmTextCorpusRoute.Escape(raw)));
            Assert.DoesNotContain('\n', NpmTextCorpusRoute.Escape(raw));
            Assert.Equal("Win money\nclick  here ", TextTasks.EmailText("From: x\nSubject: Win money\n\nclick <b>here</b>"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
