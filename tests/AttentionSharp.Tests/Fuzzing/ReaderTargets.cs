using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using AttentionSharp.Data;
using AttentionSharp.Data.Captioning;
using AttentionSharp.Data.Relations;
using AttentionSharp.Data.Series;
using AttentionSharp.Data.Text;
using AttentionSharp.Data.Translation;
using AttentionSharp.Tests.Data;
using AttentionSharp.Tests.Data.Series;
using AttentionSharp.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Fuzzing;

/// <summary>Every reader of outside bytes the project has, with valid seeds (built by the project's own writers or the tests' builders).</summary>
static class ReaderTargets
{
    static readonly Encoding Utf8 = new UTF8Encoding(false);
    static byte[] Text(string s) => Utf8.GetBytes(s);
    static string Put(string work, string name, byte[] bytes) { var p = Path.Combine(work, name); File.WriteAllBytes(p, bytes); return p; }
    static IEnumerable<string> Lines(byte[] b) => Utf8.GetString(b).Split('\n');

    static byte[] Gz(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(data);
        return ms.ToArray();
    }

    /// <summary>All targets by name.</summary>
    public static IReadOnlyDictionary<string, Func<FuzzTarget>> All { get; } = new Dictionary<string, Func<FuzzTarget>>
    {
        ["idx"] = () => new("idx", [IdxReader.Encode([2, 3, 4], [.. Enumerable.Range(0, 24).Select(i => (byte)(i * 7))]), IdxReader.Encode([5], [1, 2, 3, 4, 5])],
            (b, w) =>
            {
                var a = IdxReader.Read(Put(w, "x-idx3-ubyte", b));
                Assert.Equal(a.Dimensions.Aggregate(1L, (p, d) => p * d), a.Data.LongLength);
            }),
        ["idx-gz"] = () => new("idx-gz", [Gz(IdxReader.Encode([2, 3, 4], new byte[24]))],
            (b, w) =>
            {
                var a = IdxReader.Read(Put(w, "x-idx3-ubyte.gz", b));
                Assert.Equal(a.Dimensions.Aggregate(1L, (p, d) => p * d), a.Data.LongLength);
            }),
        ["nifti"] = () => new("nifti", [NiftiReader.Encode([2, 3, 2], [.. Enumerable.Range(0, 12).Select(i => (double)i)], 4),
                                          NiftiReader.Encode([3, 2, 2], new double[12], 16, littleEndian: false, slope: 2, inter: 1),
                                          NiftiReader.Encode([2, 2, 1], [1, 2, 3, 4], 2)],
            (b, w) =>
            {
                var v = NiftiReader.Read(Put(w, "x.nii", b));
                Assert.Equal(v.Dims.Aggregate(1L, (p, d) => p * d), v.Values.LongLength);
            }),
        ["nifti-gz"] = () => new("nifti-gz", [Gz(NiftiReader.Encode([2, 3, 2], new double[12], 4))],
            (b, w) => NiftiReader.Read(Put(w, "x.nii.gz", b))),
        ["csv"] = () => new("csv", [Text("id,text,topic\n1,\"Goal, and a win\",sport\n2,Shares fell,finance\n3,\"say \"\"hi\"\"\nthere\",weather\n")],
            (b, w) => CsvReader.ReadFile(Put(w, "x.csv", b))),
        ["text-csv"] = () => new("text-csv", [Text("id,text,label\n1,\"Goal, and a win\",sport\n2,Shares fell,finance\n3,Rain tomorrow,weather\n4,\"Ein Tor, 好\",sport\n")],
            (b, w) =>
            {
                var c = TextTasks.LoadCsv(Put(w, "x.csv", b));
                Assert.Equal(c.Texts.Count, c.Labels.Count);
            }),
        ["polarity-csv"] = () => new("polarity-csv", [Text("\uFEFF\"1\",\"a fine \"\" film \"\" .\nsecond line .\"\n\"-1\",\"dull .\"\n")],
            (b, w) => TextTasks.ReadPolarity(Put(w, "x.csv", b), "x")),
        ["series-csv"] = () => new("series-csv", [Text("day,y,a,b\n2020-01-01,1.5,10,7\n2020-01-02,2,11,2e1\n2020-01-03,-3,12,0\n2020-01-04,4,13,1\n"),
                                                   Text("t,y,x\n1,0.5,2\n2,1.5,3\n3,2.5,4\n")],
            (b, w) =>
            {
                var s = SeriesCsv.Load(Put(w, "s.csv", b), Utf8.GetString(b).StartsWith("t,") ? "t" : "day", "y");
                Assert.Equal(s.Times.Length, s.Target.Length);
            }),
        ["conll"] = () => new("conll", [Text("-DOCSTART- -X- O\n\nJohn NNP B-PER\nlives VBZ O\nin IN O\nParis NNP B-LOC\n\n\n  \nHe PRP O\nleft VBD O\n"),
                                          Text("The\tDT\nfox\tNN\n\nran\tVBD\n")],
            (b, w) =>
            {
                foreach (var s in ConllFile.Read(Put(w, "x.conll", b))) Assert.Equal(s.Tokens.Length, s.Tags.Length);
            }),
        ["gettext-mo"] = () => new("gettext-mo", [File.ReadAllBytes(Fixture("Gettext", "tiny-le.mo")), File.ReadAllBytes(Fixture("Gettext", "tiny-be.mo"))],
            (b, w) =>
            {
                foreach (var m in MoCatalog.Read(Put(w, "x.mo", b))) Assert.NotNull(m.Id);
            }),
        ["opennre"] = () => new("opennre", [Text(
            """
            {"token": ["Paris", "is", "the", "capital", "of", "France", "."], "h": {"name": "Paris", "id": "m.1", "pos": [0, 1]}, "t": {"name": "France", "id": "m.2", "pos": [5, 6]}, "relation": "/location/capital"}
            {"text": "Bonn lies on the Rhine in Germany", "h": {"name": "Bonn", "id": "m.3", "pos": [0, 4]}, "t": {"name": "Germany", "id": "m.4", "pos": [26, 33]}, "relation": "NA"}
            """)],
            (b, w) =>
            {
                foreach (var s in OpenNreFormat.Read(Put(w, "x.jsonl", b), null)) Assert.NotNull(s.Relation);
            }),
        ["relation-list"] = () => new("relation-list", [Text("""{"/b": 2, "NA": 0, "/a": 1}"""), Text("# relations\n/a\nNA\n/b\n")],
            (b, w) => RelationSet.Load(Put(w, b.Length > 0 && b[0] == (byte)'{' ? "rel2id.json" : "relations.txt", b))),
        ["captions-jsonl"] = () => new("captions-jsonl", [Text("{\"image\": \"a.png\", \"captions\": [\"a square\", \"the Square\"], \"split\": \"train\"}\n{\"image\": \"b/c.png\", \"captions\": [\"ok\"]}\n")],
            (b, w) =>
            {
                foreach (var l in CaptionFolder.ReadLines(Put(w, "captions.jsonl", b))) Assert.NotEmpty(l.Captions);
            }),
        ["png-grey"] = () => new("png-grey", [Png(16)],
            (b, w) => Assert.Equal(256, CaptionFolder.ReadGrey(Put(w, "x.png", b), 16, 16).Length)),
        ["tsv-corpus"] = () => new("tsv-corpus", [Text("ein Haus\ta house\nzwei Häuser\ttwo houses\n")],
            (b, w) => TsvCorpus.Read(Put(w, "x.tsv", b))),
        ["de-en-dictionary"] = () => new("de-en-dictionary", [Text(
            "# Version :: devel\nSchaden {m} | jdm. schaden | keinen Schaden nehmen | Fragen kostet nichts. :: harm | to do sb. harm | to come to no harm | There is no harm in asking.\n" +
            "Abholort {m} | Abholorte {pl} :: collection location; pickup location | collection locations; pickup locations\n" +
            "bestreuen {vt} | bestreuend | bestreut :: to bestrew {bestrewed; bestrewed, bestrewn} | bestrewing | bestrewed; bestrewn\n")],
            (b, w) => { TransDeEn.Parse(Lines(b)); DictionaryPhrases.Parse(Lines(b)); }),
        ["brown"] = () => new("brown", [Text("\n\n\tThe/at Fulton/np-tl County/nn-tl Grand/jj-tl Jury/nn-tl said/vbd ./.\n\n\n\tIt/pps recommended/vbd ``/`` that/cs ''/'' ./.\n")],
            (b, w) =>
            {
                foreach (var s in BrownCorpus.ParseDocument(Utf8.GetString(b), "ca01")) Assert.Equal(s.Words.Length, s.Tags.Length);
            }),
        ["word-vectors"] = () => new("word-vectors", [WordVectorBytes()],
            (b, w) =>
            {
                var v = WordVectors.Load(Put(w, "v.bin", b));
                Assert.Equal((long)v.Count * v.Dimension, v.Vectors.LongLength);
            }),
        ["r-serialized"] = () => new("r-serialized", [RSerializationTests.DataFrameBytes(), RSerializationTests.DataFrameBytes(2)],
            (b, w) => RDataFrame.From(RSerialization.Read(b))),
        ["r-rds-gz"] = () => new("r-rds-gz", [RSerializationTests.Gzip(RSerializationTests.DataFrameBytes())],
            (b, w) => RSerialization.ReadRds(Put(w, "x.rds", b))),
        ["r-lazyload-index"] = () => new("r-lazyload-index", [LazyLoadIndex()],
            (b, w) => ReadLazyLoad(w, LazyLoadData(), b)),
        ["r-lazyload-data"] = () => new("r-lazyload-data", [LazyLoadData()],
            (b, w) => ReadLazyLoad(w, b, LazyLoadIndex())),
        ["lzma2"] = () => new("lzma2", [Convert.FromHexString(RSerializationTests.Lzma2Fixture)],
            (b, w) => Lzma2Decoder.Decode(b, 0, 413)),
        ["deb"] = () => new("deb", [DebBytes()],
            (b, w) => new DebianRoute("fake", n => "data/" + n, _ => Put(w, "pkg.deb", b)).Fetch([new DataFile("a-idx1-ubyte", -1)], w, TextWriter.Null)),
        ["npm-tgz"] = () => new("npm-tgz", [TgzBytes()],
            (b, w) => new NpmRoute("fake", "1.0.0", n => "package/data/" + n, _ => Put(w, "pkg.tgz", b)).Fetch([new DataFile("a-idx1-ubyte", -1)], w, TextWriter.Null)),
        ["checkpoint"] = () => new("checkpoint", [CheckpointBytes()],
            (b, w) => LoadCheckpoint(Put(w, "x.ckpt", b))),
        // The SHA-256 catches every change above; here the mutated content is sealed with a fresh digest, so the header,
        // the block lengths and TorchSharp's state-dict reader meet it.
        ["checkpoint-sealed"] = () => new("checkpoint-sealed", [CheckpointBytes()[..^32]],
            (b, w) => LoadCheckpoint(Put(w, "x.ckpt", [.. b, .. SHA256.HashData(b)]))),
    };

    static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    static byte[] Png(int size)
    {
        string dir = Directory.CreateTempSubdirectory("attn-fuzz-png-").FullName;
        var px = new byte[size * size];
        for (int i = 0; i < px.Length; i++) px[i] = (byte)(i * 13);
        string p = Path.Combine(dir, "s.png");
        CaptionFolder.WritePng(p, px, size, size);
        var bytes = File.ReadAllBytes(p);
        Directory.Delete(dir, true);
        return bytes;
    }

    static byte[] WordVectorBytes()
    {
        string dir = Directory.CreateTempSubdirectory("attn-fuzz-wv-").FullName;
        string p = Path.Combine(dir, "v.bin");
        new WordVectors(["the", "cat", "Häuser"], [.. Enumerable.Range(0, 12).Select(i => i * 0.25f)], 4, "fuzz seed").Save(p);
        var bytes = File.ReadAllBytes(p);
        Directory.Delete(dir, true);
        return bytes;
    }

    static byte[] LazyLoadData()
    {
        var df = RSerializationTests.DataFrameBytes();
        return [.. RSerializationTests.Be(df.Length), .. RSerializationTests.Zlib(df)];
    }

    static byte[] LazyLoadIndex() => RSerializationTests.Index([("frame", 0, LazyLoadData().Length)], compressed: 1);

    static void ReadLazyLoad(string work, byte[] data, byte[] index)
    {
        File.WriteAllBytes(Path.Combine(work, "Rdata.rdb"), data);
        File.WriteAllBytes(Path.Combine(work, "Rdata.rdx"), RSerializationTests.Gzip(index));
        var db = RLazyLoadDb.Open(Path.Combine(work, "Rdata"));
        foreach (var name in db.Names) db.Read(name);
    }

    static byte[] ArchiveBytes(Func<string, string> make)
    {
        string dir = Directory.CreateTempSubdirectory("attn-fuzz-archive-").FullName;
        var bytes = File.ReadAllBytes(make(dir));
        Directory.Delete(dir, true);
        return bytes;
    }

    static byte[] DebBytes() => ArchiveBytes(d => AcquisitionTests.MakeDeb(d, new() { ["data/a-idx1-ubyte"] = IdxReader.Encode([3], [1, 2, 3]), ["data/README"] = [1] }));
    static byte[] TgzBytes() => ArchiveBytes(d => AcquisitionTests.MakeTgz(d, new() { ["package/data/a-idx1-ubyte"] = IdxReader.Encode([3], [1, 2, 3]), ["package/README"] = [1] }));

    static nn.Module TinyModel()
    {
        torch.manual_seed(3);
        return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2));
    }

    static byte[] CheckpointBytes()
    {
        string dir = Directory.CreateTempSubdirectory("attn-fuzz-ckpt-").FullName;
        string p = Path.Combine(dir, "x.ckpt");
        var model = TinyModel();
        var opt = new AttentionSharp.Training.Optimizers.Adam(model.parameters(), 1e-3);
        using (var loss = ((nn.Module<Tensor, Tensor>)model).call(torch.ones(2, 3)).sum()) loss.backward();
        opt.step();
        // a fixed timestamp: the seed, and so every mutant, is the same bytes in every run (the fuzz run is reproducible)
        Checkpoint.Save(p, new CheckpointHeader { Kind = "fuzz/tiny", WrittenUtc = new DateTime(2026, 12, 7, 0, 0, 0, DateTimeKind.Utc), Options = System.Text.Json.Nodes.JsonNode.Parse("""{"hidden": 4}""") }, model, opt);
        var bytes = File.ReadAllBytes(p);
        Directory.Delete(dir, true);
        return bytes;
    }

    static void LoadCheckpoint(string path)
    {
        var model = TinyModel();
        var opt = new AttentionSharp.Training.Optimizers.Adam(model.parameters(), 1e-3);
        var shapes = model.parameters().Select(p => p.shape).ToList();
        using var rng = torch.random.get_rng_state();
        try { Checkpoint.Load(path, "fuzz/tiny", model, opt, restoreRng: true); }
        finally { torch.random.set_rng_state(rng); }
        // a load that succeeds leaves every parameter in its shape (the weights themselves may be any bytes)
        Assert.Equal(shapes, model.parameters().Select(p => p.shape));
    }
}
